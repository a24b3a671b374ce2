"""Who manages which layer of the stack under each service model, with a reason per cell.

Sources (docs/figures.md §5): NIST SP 800-145 (Mell & Grance, 2011) defines
IaaS, PaaS and SaaS; Microsoft's "Shared responsibility in the cloud" page gives the official
on-premises/IaaS/PaaS/SaaS matrix, and where it has a row for a layer this grid follows it.
NIST has no CaaS or FaaS category and no provider publishes those columns: they, and the
layers Microsoft does not split out (container runtime, runtime, middleware), follow the
usual convention and are marked as such (`Cell.basis == "convention"`).
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.i18n import N_

MODELS = ("on-premises", "iaas", "caas", "paas", "faas", "saas")
MODEL_NAMES = {
    "on-premises": N_("On-premises"),
    "iaas": "IaaS",
    "caas": "CaaS",
    "paas": "PaaS",
    "faas": "FaaS",
    "saas": "SaaS",
}
# The models the source (seed) describes; FaaS and SaaS are the ends of the spectrum we add.
SOURCE_MODELS = ("iaas", "caas", "paas")
# Models with no official definition or responsibility matrix (figures.md §5).
CONVENTION_MODELS = ("caas", "faas")

# Bottom of the stack first, as the issue and the source's "infrastructure first" path order it.
# The names are values (an exercise's answers) and, through tr(), labels.
LAYERS = (
    N_("networking"),
    N_("storage"),
    N_("servers"),
    N_("virtualisation"),
    N_("operating system"),
    N_("container runtime & orchestration"),
    N_("runtime"),
    N_("middleware"),
    N_("application"),
    N_("data"),
)
WHO = (N_("you"), N_("shared"), N_("provider"))

NIST_DEFINITIONS = {
    "iaas": N_(
        'The capability to "provision processing, storage, networks, and other fundamental '
        "computing resources where the consumer is able to deploy and run arbitrary software, which "
        'can include operating systems and applications."'
    ),
    "paas": N_(
        'The capability to "deploy onto the cloud infrastructure consumer-created or '
        "acquired applications created using programming languages, libraries, services, and tools "
        'supported by the provider."'
    ),
    "saas": N_(
        'The capability to "use the provider\'s applications running on a cloud infrastructure."'
    ),
}

# Microsoft's official matrix (figures.md §5, learn.microsoft.com/azure/security/fundamentals/
# shared-responsibility): its rows with their on-premises/IaaS/PaaS/SaaS entries, and which
# rows cover each of our layers. Where a layer spans rows that disagree, the grid says "shared".
MICROSOFT_ROWS = {
    N_("Data, configurations, identities"): ("customer", "customer", "customer", "customer"),
    N_("Applications"): ("customer", "customer", "shared", "shared"),
    N_("Network controls"): ("customer", "customer", "shared", "microsoft"),
    N_("Operating system"): ("customer", "customer", "microsoft", "microsoft"),
    N_("Physical hosts, network, datacenter"): ("customer", "microsoft", "microsoft", "microsoft"),
}
MICROSOFT_ENTRIES = (N_("customer"), N_("shared"), N_("microsoft"))  # shown through tr()
LAYER_ROWS = {
    "data": ("Data, configurations, identities",),
    "application": ("Applications",),
    "operating system": ("Operating system",),
    "networking": ("Network controls", "Physical hosts, network, datacenter"),
    "servers": ("Physical hosts, network, datacenter",),
    "storage": ("Physical hosts, network, datacenter",),
    "virtualisation": ("Physical hosts, network, datacenter",),
}
_MICROSOFT_MODELS = ("on-premises", "iaas", "paas", "saas")


@dataclass(frozen=True)
class Cell:
    """One layer under one model: who manages it, why, and what the claim rests on."""

    layer: str
    model: str
    who: str
    reason: str
    basis: str  # "microsoft" (official matrix row) or "convention"


_Y, _S, _P = "you", "shared", "provider"

# layer -> model -> (who, reason). One line per cell; the reason says what the party does.
_GRID: dict[str, dict[str, tuple[str, str]]] = {
    "networking": {
        "on-premises": (
            _Y,
            N_("You buy, cable and configure the switches, routers and firewalls."),
        ),
        "iaas": (
            _S,
            N_(
                "The provider runs the physical network; you design the virtual network, "
                "subnets and firewall rules (Microsoft: network controls are the customer's, "
                "the physical network Microsoft's)."
            ),
        ),
        "caas": (
            _S,
            N_(
                "The provider runs the network; you define the cluster's VPC, load "
                "balancers and network policies."
            ),
        ),
        "paas": (
            _S,
            N_(
                "The provider routes traffic to your app; you set access restrictions, "
                "custom domains and private endpoints (Microsoft: shared)."
            ),
        ),
        "faas": (
            _S,
            N_(
                "The provider wires triggers to functions; you decide who may invoke them "
                "and whether they reach a private network."
            ),
        ),
        "saas": (
            _P,
            N_(
                "The provider runs the whole network path to its application (Microsoft: Microsoft's)."
            ),
        ),
    },
    "storage": {
        "on-premises": (_Y, N_("You buy, replace and back up the disks and storage arrays.")),
        "iaas": (
            _P,
            N_(
                "The provider runs the storage hardware; you only pick volume types and "
                "sizes (Microsoft: physical hosts are Microsoft's)."
            ),
        ),
        "caas": (_P, N_("The provider runs the storage hardware behind the volumes you request.")),
        "paas": (_P, N_("The provider runs the storage under the platform.")),
        "faas": (_P, N_("The provider runs the storage that holds your function packages.")),
        "saas": (_P, N_("The provider runs the storage under its application.")),
    },
    "servers": {
        "on-premises": (_Y, N_("You buy, rack, power and repair the servers (bare metal).")),
        "iaas": (_P, N_("The provider owns the physical hosts; you rent virtual servers on them.")),
        "caas": (_P, N_("The provider owns the physical hosts under the cluster's nodes.")),
        "paas": (_P, N_("The provider owns the physical hosts under the platform.")),
        "faas": (_P, N_("The provider owns the hosts; you never see a server.")),
        "saas": (_P, N_("The provider owns the hosts its application runs on.")),
    },
    "virtualisation": {
        "on-premises": (_Y, N_("You install and patch the hypervisor, if you virtualise at all.")),
        "iaas": (_P, N_("The provider runs the hypervisor your VMs sit on.")),
        "caas": (_P, N_("The provider runs the hypervisor under the worker nodes.")),
        "paas": (_P, N_("The provider runs the virtualisation under the platform.")),
        "faas": (_P, N_("The provider runs the (micro-)VMs that isolate each function.")),
        "saas": (_P, N_("The provider runs the virtualisation under its application.")),
    },
    "operating system": {
        "on-premises": (_Y, N_("You install, patch and harden every operating system.")),
        "iaas": (
            _Y,
            N_("The guest OS on your VM is yours to patch and harden (Microsoft: customer)."),
        ),
        "caas": (
            _S,
            N_(
                "The provider runs the control plane's OS; worker-node OS images are often "
                "still yours to update, unless you pick serverless nodes (Fargate, Autopilot)."
            ),
        ),
        "paas": (_P, N_("The provider patches and chooses the OS (Microsoft: Microsoft's).")),
        "faas": (_P, N_("The provider patches the OS of the function hosts.")),
        "saas": (
            _P,
            N_("The provider patches the OS under its application (Microsoft: Microsoft's)."),
        ),
    },
    "container runtime & orchestration": {
        "on-premises": (
            _Y,
            N_("You install and upgrade Docker and Kubernetes yourself, if you use containers."),
        ),
        "iaas": (
            _Y,
            N_("To run containers on VMs you install the engine and orchestrator yourself."),
        ),
        "caas": (
            _S,
            N_(
                "The provider runs the orchestrator's control plane; you choose its version "
                "and node pools and write the deployments."
            ),
        ),
        "paas": (
            _P,
            N_(
                "The platform builds, places and restarts your app's containers or processes for you."
            ),
        ),
        "faas": (_P, N_("The platform starts, places and scales function instances for you.")),
        "saas": (_P, N_("Whatever runs the provider's application is the provider's business.")),
    },
    "runtime": {
        "on-premises": (
            _Y,
            N_("You install and update the language runtime (JVM, Python, Node.js)."),
        ),
        "iaas": (_Y, N_("You install and update the language runtime on your VM.")),
        "caas": (_Y, N_("The runtime is a layer of your image (figures.md §5: 'Y (in image)').")),
        "paas": (_P, N_("The platform supplies the runtime; you pick a supported version.")),
        "faas": (_P, N_("The provider supplies managed runtimes; you pick one.")),
        "saas": (_P, N_("The provider runs its own application's runtime.")),
    },
    "middleware": {
        "on-premises": (
            _Y,
            N_("You install and run the web server, app server and message broker."),
        ),
        "iaas": (_Y, N_("You install and run the middleware on your VMs.")),
        "caas": (_Y, N_("Middleware ships inside your images, so it is yours to update.")),
        "paas": (_P, N_("The source: PaaS is IaaS 'with middleware and runtime included'.")),
        "faas": (_P, N_("The provider runs the event plumbing that calls your functions.")),
        "saas": (_P, N_("The provider runs its application's middleware.")),
    },
    "application": {
        "on-premises": (_Y, N_("You write, deploy and fix the application.")),
        "iaas": (_Y, N_("You write, deploy and fix the application (Microsoft: customer).")),
        "caas": (_Y, N_("You write the application and package it as container images.")),
        "paas": (
            _S,
            N_(
                "You write and deploy the code; the platform secures and runs its hosting "
                "(Microsoft: shared)."
            ),
        ),
        "faas": (_S, N_("You write the functions; the platform invokes, scales and retries them.")),
        "saas": (
            _S,
            N_(
                "The provider writes and runs the application; you configure it for your "
                "organisation (Microsoft: shared)."
            ),
        ),
    },
    "data": {
        "on-premises": (_Y, N_("Your data: what is kept, who may read it, its backups.")),
        "iaas": (
            _Y,
            N_("Your data stays yours whatever the model (Microsoft: always the customer's)."),
        ),
        "caas": (_Y, N_("Your data stays yours whatever the model.")),
        "paas": (_Y, N_("Your data stays yours whatever the model (Microsoft: customer).")),
        "faas": (_Y, N_("Your data stays yours whatever the model.")),
        "saas": (
            _Y,
            N_(
                "The provider stores it, but who may access it and its correctness stay "
                "yours (Microsoft: customer)."
            ),
        ),
    },
}


def _basis(layer: str, model: str) -> str:
    if model in _MICROSOFT_MODELS and layer in LAYER_ROWS:
        return "microsoft"
    return "convention"


def _build() -> dict[tuple[str, str], Cell]:
    cells = {}
    for layer in LAYERS:
        for model in MODELS:
            who, reason = _GRID[layer][model]
            if who not in WHO:
                raise ValueError(f"grid cell ({layer}, {model}): who must be one of {WHO}")
            cells[layer, model] = Cell(layer, model, who, reason, _basis(layer, model))
    return cells


STACK: dict[tuple[str, str], Cell] = _build()


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def _check_layer(layer: str) -> None:
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {LAYERS}, got {layer!r}")


def cell(layer: str, model: str) -> Cell:
    """The cell for `layer` under `model` (names as in LAYERS and MODELS)."""
    _check_layer(layer)
    _check_model(model)
    return STACK[layer, model]


def who(layer: str, model: str) -> str:
    """ "you", "shared" or "provider"."""
    return cell(layer, model).who


def column(model: str) -> dict[str, str]:
    """layer -> who, for one model (bottom layer first)."""
    _check_model(model)
    return {layer: STACK[layer, model].who for layer in LAYERS}


def row(layer: str) -> dict[str, str]:
    """model -> who, for one layer."""
    _check_layer(layer)
    return {model: STACK[layer, model].who for model in MODELS}


def layers_by(model: str, party: str) -> list[str]:
    """The layers `party` ("you", "shared", "provider") holds under `model`."""
    if party not in WHO:
        raise ValueError(f"party must be one of {WHO}, got {party!r}")
    return [layer for layer, w in column(model).items() if w == party]


def burden(model: str) -> float:
    """How much of the stack you operate: 1 per layer that is yours, 0.5 per shared layer."""
    col = column(model)
    return sum(1.0 if w == "you" else 0.5 if w == "shared" else 0.0 for w in col.values())


def microsoft_view(layer: str, model: str) -> list[tuple[str, str]]:
    """[(Microsoft's row, its entry), ...] covering this cell; empty where the matrix is silent."""
    _check_layer(layer)
    _check_model(model)
    if layer not in LAYER_ROWS or model not in _MICROSOFT_MODELS:
        return []
    i = _MICROSOFT_MODELS.index(model)
    return [(name, MICROSOFT_ROWS[name][i]) for name in LAYER_ROWS[layer]]
