"""The layer path of the source text, bottom to top, with the chapter that covers each layer.

Source (seed): Chris Richardson groups microservice patterns into infrastructure, application
infrastructure and application patterns; a developer builds the infrastructure first, then the
middleware (whose role the platform takes over), then the application.

The cloud service models are not a layer of this stack: they say who runs which layers (the
provider or you), so the map draws them as brackets beside it. How far up each bracket reaches
follows chapter 04's responsibility grid (`msa_course.cloud.responsibility`).

Names and texts are English, marked N_ for translation; the English names are also the
values exercise 00 asks for, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.i18n import N_


@dataclass(frozen=True)
class Layer:
    name: str
    korean: str
    group: str  # the source's three groups
    contains: str
    chapter: str | None  # course chapter notebook stem, or None when beyond this course


@dataclass(frozen=True)
class Bracket:
    """One service model: the provider runs the stack from the bottom up to `up_to`.

    `up_to` counts layers from the bottom of the map (1.0 = the top of the first layer); a
    value in the middle of a layer means the provider and you share that layer.
    """

    model: str
    up_to: float
    provider_runs: str


GROUPS = (
    N_("infrastructure components"),
    N_("platform patterns"),
    N_("application patterns"),
)

# Bottom to top, as a system is built.
LAYERS: tuple[Layer, ...] = (
    Layer(
        N_("Bare metal and cloud"),
        "베어 메탈 / 클라우드",
        GROUPS[0],
        N_(
            "Hardware, networking, operating systems and storage. You buy them as bare metal, or "
            "you rent them, virtualised, from a public or private cloud."
        ),
        "01_infrastructure",
    ),
    Layer(
        N_("VMs and containers"),
        "VM과 컨테이너",
        GROUPS[0],
        N_(
            "A hypervisor runs many operating systems on one machine. A container engine isolates "
            "processes that share one kernel. Docker images are stacks of layers."
        ),
        "02_vms_and_containers",
    ),
    Layer(
        N_("Container orchestration"),
        "컨테이너 오케스트레이션",
        GROUPS[0],
        N_(
            "Kubernetes places containers on nodes, replaces failed ones and scales the number of "
            "replicas."
        ),
        "03_container_orchestration",
    ),
    Layer(
        N_("Platform (middleware)"),
        "플랫폼",
        GROUPS[1],
        N_(
            "Patterns that run and manage microservices on the infrastructure: service discovery, "
            "API gateway, configuration, observability. The platform takes over middleware's role."
        ),
        None,
    ),
    Layer(
        N_("Application"),
        "애플리케이션",
        GROUPS[2],
        N_("Patterns for the services themselves: decomposition, data per service, sagas."),
        None,
    ),
)

# Not a layer: the axis beside the stack.
SERVICE_MODELS = Layer(
    N_("Cloud service models"),
    "서비스 유형",
    GROUPS[0],
    N_(
        "IaaS, CaaS and PaaS are not a layer of the stack. Each one says how far up the stack the "
        "cloud provider runs things for you; you run the rest."
    ),
    "04_cloud_service_models",
)

# Bottom up, as in chapter 04's grid: IaaS leaves you the guest OS and everything in it; CaaS
# runs the orchestrator's control plane (shared with you); PaaS includes middleware and runtime.
BRACKETS: tuple[Bracket, ...] = (
    Bracket("IaaS", 1.5, N_("the machines and the hypervisor; you run the OS inside each VM")),
    Bracket("CaaS", 2.5, N_("the cluster that runs containers; you run your containers on it")),
    Bracket("PaaS", 4.0, N_("everything up to the platform; you bring the application")),
)

ENTRIES: tuple[Layer, ...] = (*LAYERS, SERVICE_MODELS)


def layer(name: str) -> Layer:
    """Look a layer (or the service models) up by name; the error lists the valid names."""
    for item in ENTRIES:
        if item.name == name:
            return item
    raise ValueError(f"layer must be one of {[x.name for x in ENTRIES]}, not {name!r}")


def provider_runs(model: str) -> list[str]:
    """The layers of the map the provider runs, at least in part, under `model`."""
    for bracket in BRACKETS:
        if bracket.model == model:
            return [x.name for i, x in enumerate(LAYERS) if i < bracket.up_to]
    raise ValueError(f"model must be one of {[b.model for b in BRACKETS]}, not {model!r}")
