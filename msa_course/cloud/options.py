"""The chooser's vocabulary: the models and places it compares, a workload's factors, a
reason, and how much of the stack an option leaves your organisation to run (`burden`).

A model (IaaS, CaaS, PaaS, FaaS) and a place (public cloud, hosted private cloud, on premises)
are independent choices; an *option* is one of each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from msa_course.cloud import responsibility as resp
from msa_course.i18n import N_, tr

MODELS = ("iaas", "caas", "paas", "faas")
WHERE = ("public-cloud", "hosted-private-cloud", "on-premises")
WHERE_NAMES = {
    "public-cloud": N_("public cloud"),
    "hosted-private-cloud": N_("hosted private cloud"),
    "on-premises": N_("on premises"),
}
# A workload's values: the API's names, shown to learners through tr().
ARCHITECTURES = (N_("monolith"), N_("microservices"))
LEVELS = (N_("none"), N_("low"), N_("medium"), N_("high"))
TRAFFIC = (N_("steady"), N_("daily-cycle"), N_("spiky"), N_("mostly-idle"))
PLACEMENTS = (N_("anywhere"), N_("own hardware"), N_("on premises"))
FACTORS = (
    "architecture",
    "services",
    "ops_capacity",
    "portability",
    "traffic",
    "os_control",
    "placement",
)
# How a learner reads each factor (legends, reason lists); the keys stay the API's names.
FACTOR_LABELS = {
    "architecture": N_("architecture"),
    "services": N_("number of services"),
    "ops_capacity": N_("operations capacity"),
    "portability": N_("portability"),
    "traffic": N_("traffic pattern"),
    "os_control": N_("OS control"),
    "placement": N_("where it may run"),
}
MAX_SERVICES = 500
# How many of the 10 layers (shared counts half) a team of each operations capacity can run.
OPS_LIMIT = {"none": 1.5, "low": 3.0, "medium": 6.5, "high": 10.0}
# What you run yourself outside the public cloud: examples of the software for each model.
SELF_RUN = {
    "iaas": N_("a private cloud: OpenStack or VMware vSphere"),
    "caas": N_("a Kubernetes cluster you run: kubeadm, Red Hat OpenShift, Amazon EKS Anywhere"),
    "paas": N_("a platform you run: Cloud Foundry"),
    "faas": N_("functions on your own Kubernetes: Knative, OpenFaaS"),
}


def burden(model: str, where: str) -> float:
    """Layers of the grid your organisation operates (1 each, 0.5 if shared) for an option.

    In a public cloud: the model's column. In a hosted private cloud the provider runs the
    hardware and the virtualisation, as under IaaS, and your team runs everything above it,
    whatever the model (the model's platform is software you run). On premises every layer is
    your organisation's (the grid's on-premises column).
    """
    check_option(model, where)
    if where == "public-cloud":
        return resp.burden(model)
    return resp.burden("iaas" if where == "hosted-private-cloud" else "on-premises")


def option_name(model: str, where: str) -> str:
    """ "CaaS, on premises" (in the reader's language)."""
    return f"{tr(resp.MODEL_NAMES[model])}, {tr(WHERE_NAMES[where])}"


def check_option(model: str, where: str) -> None:
    one_of("model", model, MODELS)
    one_of("where", where, WHERE)


@dataclass(frozen=True)
class Workload:
    """What you want to run and the constraints around it.

    architecture: "monolith" or "microservices"; services: how many deployable services (1 for
    a monolith); ops_capacity: the team's operations capacity; portability: the need to move
    between clouds; traffic: "steady", "daily-cycle", "spiky" or "mostly-idle"; os_control: the
    need to control the operating system ("high" = own kernel modules, drivers or OS
    configuration); placement: where it may run: "anywhere", "own hardware" (on servers no
    other company uses) or "on premises" (in your own building).
    """

    architecture: str = "microservices"
    services: int = 8
    ops_capacity: str = "medium"
    portability: str = "low"
    traffic: str = "daily-cycle"
    os_control: str = "none"
    placement: str = "anywhere"

    def __post_init__(self):
        one_of("architecture", self.architecture, ARCHITECTURES)
        if isinstance(self.services, bool) or not isinstance(self.services, int):
            raise ValueError(f"services must be a whole number, got {self.services!r}")
        if not 1 <= self.services <= MAX_SERVICES:
            raise ValueError(f"services must be between 1 and {MAX_SERVICES}, got {self.services}")
        if self.architecture == "monolith" and self.services != 1:
            raise ValueError(
                f"services must be 1 for a monolith (one deployable unit), got {self.services}; "
                "choose architecture='microservices' for more"
            )
        for name in ("ops_capacity", "portability", "os_control"):
            one_of(name, getattr(self, name), LEVELS)
        one_of("traffic", self.traffic, TRAFFIC)
        one_of("placement", self.placement, PLACEMENTS)

    def with_(self, **changes) -> Workload:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def one_of(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class Reason:
    """One factor's effect on one option: points (+ for, - against) or a blocker."""

    factor: str
    points: float
    text: str
    blocker: bool = False
