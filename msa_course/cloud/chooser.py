"""Choose where to run a workload and on which service model, each option with its reasons.

Two separate choices: *which model* (IaaS, CaaS, PaaS, FaaS) and *where* it runs (a public
cloud, a hosted private cloud, or on premises). Any model can run in any place: CaaS on
premises is a Kubernetes cluster you run yourself (kubeadm, OpenShift, EKS Anywhere), IaaS on
premises is a private cloud (OpenStack, VMware vSphere). What the place changes is who runs the
layers below the model (`burden`), what the hardware costs while it waits, and which rules it
can meet.

Deterministic and explainable: every point an option gets is a `Reason` naming the factor it
comes from, an option's score is the sum of its reasons' points, and requirements an option
cannot meet are blockers. Options are ranked by (number of blockers, -score, how much of the
stack you would operate, MODELS order, WHERE order), so an option that meets every
requirement always ranks above one that does not, and ties go to the option that leaves you
less to run.

The operations burden comes from the responsibility grid (`responsibility.burden`). The other
points are the course's judgement, not measurements: each reason says what it rests on (the
source text, figures.md, chapter 01's provisioning model, a provider's documentation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from msa_course.cloud import responsibility as resp

MODELS = ("iaas", "caas", "paas", "faas")
WHERE = ("public-cloud", "hosted-private-cloud", "on-premises")
WHERE_NAMES = {
    "public-cloud": "public cloud",
    "hosted-private-cloud": "hosted private cloud",
    "on-premises": "on premises",
}
ARCHITECTURES = ("monolith", "microservices")
LEVELS = ("none", "low", "medium", "high")
TRAFFIC = ("steady", "daily-cycle", "spiky", "mostly-idle")
PLACEMENTS = ("anywhere", "own hardware", "on premises")
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
    "architecture": "architecture",
    "services": "number of services",
    "ops_capacity": "operations capacity",
    "portability": "portability",
    "traffic": "traffic pattern",
    "os_control": "OS control",
    "placement": "where it may run",
}
MAX_SERVICES = 500
# How many of the 10 layers (shared counts half) a team of each operations capacity can run.
OPS_LIMIT = {"none": 1.5, "low": 3.0, "medium": 6.5, "high": 10.0}
# What you run yourself outside the public cloud: examples of the software for each model.
SELF_RUN = {
    "iaas": "a private cloud: OpenStack or VMware vSphere",
    "caas": "a Kubernetes cluster you run: kubeadm, Red Hat OpenShift, Amazon EKS Anywhere",
    "paas": "a platform you run: Cloud Foundry",
    "faas": "functions on your own Kubernetes: Knative, OpenFaaS",
}


def burden(model: str, where: str) -> float:
    """Layers of the grid your organisation operates (1 each, 0.5 if shared) for an option.

    In a public cloud: the model's column. In a hosted private cloud the provider runs the
    hardware and the virtualisation, as under IaaS, and your team runs everything above it,
    whatever the model (the model's platform is software you run). On premises every layer is
    your organisation's (the grid's on-premises column).
    """
    _check(model, where)
    if where == "public-cloud":
        return resp.burden(model)
    return resp.burden("iaas" if where == "hosted-private-cloud" else "on-premises")


def option_name(model: str, where: str) -> str:
    """ "CaaS, on premises"."""
    return f"{resp.MODEL_NAMES[model]}, {WHERE_NAMES[where]}"


def _check(model: str, where: str) -> None:
    _one_of("model", model, MODELS)
    _one_of("where", where, WHERE)


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
        _one_of("architecture", self.architecture, ARCHITECTURES)
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
            _one_of(name, getattr(self, name), LEVELS)
        _one_of("traffic", self.traffic, TRAFFIC)
        _one_of("placement", self.placement, PLACEMENTS)

    def with_(self, **changes) -> Workload:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def _one_of(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class Reason:
    """One factor's effect on one option: points (+ for, - against) or a blocker."""

    factor: str
    points: float
    text: str
    blocker: bool = False


@dataclass(frozen=True)
class Verdict:
    """One option (a model in a place) with its reasons."""

    model: str
    where: str
    reasons: tuple[Reason, ...]

    @property
    def option(self) -> tuple[str, str]:
        return self.model, self.where

    @property
    def name(self) -> str:
        return option_name(self.model, self.where)

    @property
    def score(self) -> float:
        return sum(r.points for r in self.reasons)

    @property
    def blockers(self) -> list[Reason]:
        return [r for r in self.reasons if r.blocker]

    @property
    def fits(self) -> bool:
        """True when no requirement rules the option out."""
        return not self.blockers

    @property
    def pros(self) -> list[Reason]:
        return [r for r in self.reasons if r.points > 0]

    @property
    def cons(self) -> list[Reason]:
        return [r for r in self.reasons if r.points < 0 or r.blocker]

    def points(self, factor: str) -> float:
        return sum(r.points for r in self.reasons if r.factor == factor)

    def supporting_factors(self) -> list[str]:
        """Factors that argue for this option (positive points), in FACTORS order."""
        return [f for f in FACTORS if self.points(f) > 0]

    def _key(self) -> tuple:
        return (
            len(self.blockers),
            -self.score,
            burden(self.model, self.where),
            MODELS.index(self.model),
            WHERE.index(self.where),
        )


@dataclass(frozen=True)
class Ranking:
    workload: Workload
    verdicts: tuple[Verdict, ...]  # best first

    @property
    def order(self) -> list[tuple[str, str]]:
        return [v.option for v in self.verdicts]

    @property
    def best(self) -> Verdict:
        return self.verdicts[0]

    def verdict(self, model: str, where: str) -> Verdict:
        _check(model, where)
        return next(v for v in self.verdicts if v.option == (model, where))

    def rank(self, model: str, where: str) -> int:
        """1 for the best option."""
        return self.order.index(self.verdict(model, where).option) + 1

    def best_in(self, where: str) -> Verdict:
        """The best option in one place."""
        _one_of("where", where, WHERE)
        return next(v for v in self.verdicts if v.where == where)

    def rivals(self) -> tuple[Verdict, Verdict]:
        """The best other model in the best option's place, and the best option elsewhere:
        what the best must beat on *which model* and on *where*."""
        best, others = self.best, self.verdicts[1:]
        same_place = next(v for v in others if v.where == best.where)
        elsewhere = next(v for v in others if v.where != best.where)
        return same_place, elsewhere

    def decisive_factors(self) -> list[str]:
        """Factors on which the best option beats a rival (more points, or the rival is
        blocked there and the best is not), in FACTORS order."""
        best, found = self.best, set()
        for rival in self.rivals():
            blocked = {r.factor for r in rival.blockers} - {r.factor for r in best.blockers}
            found |= {f for f in FACTORS if best.points(f) > rival.points(f) or f in blocked}
        return [f for f in FACTORS if f in found]

    def explain(self, top: int | None = None) -> str:
        """The ranking as plain text: each option (or the `top` best) with its score,
        blockers and reasons."""
        lines = []
        if not self.best.fits:
            lines.append("No option meets every requirement; the least blocked come first.")
        for i, v in enumerate(self.verdicts[:top], start=1):
            status = "fits" if v.fits else f"blocked ({len(v.blockers)})"
            lines.append(f"{i}. {v.name}: score {v.score:+g}, {status}")
            for r in v.reasons:
                mark = "BLOCKER" if r.blocker else f"{r.points:+g}"
                lines.append(f"     [{mark}] {r.factor}: {r.text}")
        return "\n".join(lines)


Option = tuple[str, str]
Scorer = Callable[[Workload], dict[Option, list[Reason]]]


def _everywhere(factor: str, table: dict[str, tuple[float, str]]) -> dict[Option, list[Reason]]:
    """The same reason for a model in every place."""
    return {(m, w): [Reason(factor, p, t)] for m, (p, t) in table.items() for w in WHERE}


def _architecture(w: Workload) -> dict[Option, list[Reason]]:
    if w.architecture == "monolith":
        table = {
            "iaas": (
                2,
                "The source: a monolith can run on VM products such as AWS EC2 or Azure VM.",
            ),
            "caas": (
                -1,
                "An orchestrator pays off when there are many containers; one monolith gains "
                "little from it.",
            ),
            "paas": (
                1,
                "A single web application deploys to a PaaS as it is, if the platform "
                "supports its runtime.",
            ),
            "faas": (
                -3,
                "A monolith does not split into short, stateless functions (a standard AWS "
                "Lambda function's timeout is at most 900 s).",
            ),
        }
    else:
        table = {
            "iaas": (
                -1,
                "A VM per service multiplies the OS patches and library installs the "
                "source warns about.",
            ),
            "caas": (
                3,
                "The source: an MSA system can run on Kubernetes; containers package "
                "small services well.",
            ),
            "paas": (
                2,
                "The source: an MSA system can also run on container-based PaaS (Elastic "
                "Beanstalk, ECS, Azure Web App, App Engine).",
            ),
            "faas": (1, "Small, event-driven services can be written as functions."),
        }
    return _everywhere("architecture", table)


def _services(w: Workload) -> dict[Option, list[Reason]]:
    f, n = "services", w.services
    if w.architecture == "monolith":
        return {}
    if n >= 20:
        table = {
            "caas": (
                2,
                f"{n} services: placement, discovery and rolling updates across many "
                "containers are what an orchestrator automates (chapter 03).",
            ),
            "paas": (-1, f"{n} separate platform apps to configure and connect."),
            "iaas": (-1, f"{n} services on VMs managed by hand means many VMs to look after."),
        }
    elif n >= 5:
        table = {"caas": (1, f"{n} services already benefit from an orchestrator.")}
    else:
        table = {
            "caas": (
                -1,
                f"A cluster's fixed cost (control plane, nodes, upgrades) is large for {n} "
                "services.",
            ),
            "paas": (1, f"{n} services map one to one onto platform apps."),
            "faas": (1, f"{n} small services map onto a few functions."),
        }
    return _everywhere(f, table)


def _ops_capacity(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "ops_capacity", w.ops_capacity
    limit = OPS_LIMIT[level]
    out: dict[Option, list[Reason]] = {}
    for m in MODELS:
        for where in WHERE:
            load = burden(m, where)
            if load > limit:
                text = (
                    f"Your organisation would operate {load:g} of 10 layers; a team with "
                    f"{level} operations capacity runs about {limit:g}."
                )
                out[m, where] = [Reason(f, -(load - limit), text)]
            else:
                text = (
                    f"Your organisation would operate {load:g} of 10 layers, within what a "
                    f"team with {level} operations capacity can run."
                )
                out[m, where] = [Reason(f, 1, text)]
    if level == "none":
        for m in MODELS:
            for where in WHERE:
                if where == "on-premises":
                    out[m, where].append(
                        Reason(f, 0, "No one to buy, rack and repair the servers.", blocker=True)
                    )
                if where != "public-cloud" or m == "iaas":
                    out[m, where].append(
                        Reason(
                            f,
                            0,
                            "No one to patch the operating systems, which this option leaves "
                            "to you (the grid: operating system is yours).",
                            blocker=True,
                        )
                    )
    return out


def _portability(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "portability", LEVELS.index(w.portability)
    if level == 0:
        return {}
    out = _everywhere(
        f,
        {
            "iaas": (1, "VM images and OS-level setups move between clouds with some rework."),
            "caas": (
                2,
                "Kubernetes runs on every major cloud and on premises: the source's "
                "'portable container virtualisation'. This holds for Kubernetes-based CaaS "
                "(EKS, AKS, GKE, or a cluster you run); ECS task definitions run only on AWS.",
            ),
        },
    )
    for m, text in (
        ("paas", "Platform-specific configuration and supported runtimes make a move a port."),
        ("faas", "Triggers, event formats and limits are provider-specific."),
    ):
        penalty = -1 if m == "paas" else -2
        out[m, "public-cloud"] = [Reason(f, penalty, text)]
        for where in WHERE[1:]:
            out[m, where] = [
                Reason(
                    f,
                    0,
                    f"Your own platform ({SELF_RUN[m].split(': ')[1]}) moves with you: "
                    "no provider's lock-in, and no help from one either.",
                )
            ]
    return {k: [replace(r, points=r.points * level) for r in v] for k, v in out.items()}


def _traffic(w: Workload) -> dict[Option, list[Reason]]:
    f = "traffic"
    models = {
        "steady": {},
        "daily-cycle": {
            "caas": (1, "Pods scale in seconds and nodes in minutes to follow the cycle."),
            "paas": (1, "The platform's autoscaling follows the cycle."),
            "faas": (1, "Functions scale with the requests; no capacity to plan."),
        },
        "spiky": {
            "iaas": (
                -1,
                "New VMs take tens of seconds or more to boot (figures.md §1, order of magnitude).",
            ),
            "caas": (
                1,
                "New containers start in about a second once nodes have room (figures.md §1).",
            ),
            "paas": (1, "The platform adds instances for you."),
            "faas": (2, "Functions scale per request, with no capacity planning."),
        },
        "mostly-idle": {
            "iaas": (-1, "VMs run, and are paid for, while they wait."),
            "caas": (-1, "A cluster's control plane and nodes run while idle."),
            "paas": (
                1,
                "Some platforms scale to zero too: App Engine standard with basic scaling "
                "shuts an idle instance down. You pay for an instance while it runs.",
            ),
            "faas": (
                3,
                "Functions scale to zero and are billed per request: idle time costs nothing.",
            ),
        },
    }[w.traffic]
    places = {
        "steady": {
            "on-premises": (
                1,
                "Steady load keeps servers you own busy, and a busy server you own is the "
                "cheapest capacity per core-hour (chapter 01; on-premises servers are often "
                "far less busy, 12-18%: figures.md §6).",
            ),
        },
        "daily-cycle": {
            "public-cloud": (1, "You pay for capacity only in the hours you use it."),
            "hosted-private-cloud": (
                -1,
                "The pool is sized for the evening peak and idles at night (chapter 01).",
            ),
            "on-premises": (
                -1,
                "Servers bought for the peak sit idle at night (chapter 01).",
            ),
        },
        "spiky": {
            "public-cloud": (1, "The provider has room for a spike; you pay only while it lasts."),
            "hosted-private-cloud": (
                -1,
                "A spike bigger than the pool waits for more servers (chapter 01).",
            ),
            "on-premises": (
                -2,
                "New servers take weeks to buy (chapter 01); the spike is over by then.",
            ),
        },
        "mostly-idle": {
            "public-cloud": (1, "Pay-per-use prices charge little for capacity nobody uses."),
            "hosted-private-cloud": (-2, "You pay for the whole pool while it waits."),
            "on-premises": (-2, "Hardware you own costs money while it waits."),
        },
    }[w.traffic]
    idle_elsewhere = Reason(
        f, 0, "It scales to zero, but the servers under it are yours and cost the same idle."
    )
    out: dict[Option, list[Reason]] = {}
    for m in MODELS:
        for where in WHERE:
            found = []
            if m in models:
                points, text = models[m]
                # scaling to zero saves money only where you pay per use
                paid_anyway = w.traffic == "mostly-idle" and m in ("paas", "faas")
                if paid_anyway and where != "public-cloud":
                    found.append(idle_elsewhere)
                else:
                    found.append(Reason(f, points, text))
            if where in places:
                found.append(Reason(f, *places[where]))
            out[m, where] = found
    return out


def _os_control(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "os_control", LEVELS.index(w.os_control)
    if level == 0:
        return {}
    out: dict[Option, list[Reason]] = {}
    for where in WHERE:
        out["iaas", where] = [
            Reason(
                f,
                level,
                "You choose and configure the guest OS (NIST: 'deploy and run arbitrary "
                "software, which can include operating systems').",
            )
        ]
        if level >= 2:
            if where == "public-cloud":
                out["caas", where] = [
                    Reason(
                        f,
                        -(level - 1),
                        "Containers share the node's kernel, and the provider chooses the "
                        "node images unless you manage the nodes yourself.",
                    )
                ]
            else:
                out["caas", where] = [
                    Reason(
                        f,
                        0,
                        "Containers share the node's kernel, but the nodes are yours: you can "
                        "prepare their kernel and OS.",
                    )
                ]
        for m, text in (
            ("paas", "The platform gives your application no OS of its own to change."),
            ("faas", "Functions run on the platform's OS, with no access to it."),
        ):
            out[m, where] = [Reason(f, -level, text)]
            if w.os_control == "high":
                out[m, where].append(
                    Reason(
                        f,
                        0,
                        "Cannot give your application its own kernel modules, drivers or OS "
                        "configuration, even when your own team runs the platform.",
                        blocker=True,
                    )
                )
    return out


def _placement(w: Workload) -> dict[Option, list[Reason]]:
    f = "placement"
    if w.placement == "anywhere":
        unasked = {
            "hosted-private-cloud": "Servers for you alone cost more than the same capacity "
            "shared, and nothing here requires them.",
            "on-premises": "Buying and running your own servers is a commitment nothing here "
            "requires.",
        }
        return {(m, where): [Reason(f, -1, t)] for where, t in unasked.items() for m in MODELS}
    blocked = {
        "public-cloud": "A public cloud runs many customers on shared hardware (NIST: 'open "
        "use by the general public'). (Public clouds also rent dedicated hosts; the chooser "
        "counts hardware for you alone as a hosted private cloud.)",
    }
    if w.placement == "on premises":
        blocked = {
            "public-cloud": "A public cloud runs in the provider's data centres, not in your "
            "building.",
            "hosted-private-cloud": "A hosted private cloud runs in the hosting provider's "
            "data centre, not in your building.",
        }
    out: dict[Option, list[Reason]] = {}
    for where in WHERE:
        for m in MODELS:
            if where in blocked:
                out[m, where] = [Reason(f, 0, blocked[where], blocker=True)]
            else:
                out[m, where] = [Reason(f, 0, f"Meets the rule: {w.placement}.")]
    return out


_SCORERS: tuple[Scorer, ...] = (
    _architecture,
    _services,
    _ops_capacity,
    _portability,
    _traffic,
    _os_control,
    _placement,
)


def choose(workload: Workload | None = None, **fields_) -> Ranking:
    """Rank every option (model x where) for `workload`, or a Workload built from keywords."""
    if workload is None:
        allowed = {f.name for f in fields(Workload)}
        unknown = sorted(set(fields_) - allowed)
        if unknown:
            raise ValueError(f"unknown workload field(s) {unknown}; allowed: {sorted(allowed)}")
        workload = Workload(**fields_)
    elif fields_:
        raise ValueError("pass either a Workload or keyword fields, not both")
    reasons: dict[Option, list[Reason]] = {(m, w): [] for m in MODELS for w in WHERE}
    for scorer in _SCORERS:
        for option, found in scorer(workload).items():
            reasons[option].extend(found)
    verdicts = sorted(
        (Verdict(m, w, tuple(rs)) for (m, w), rs in reasons.items()), key=Verdict._key
    )
    return Ranking(workload, tuple(verdicts))


def justification_problems(answer, ranking: Ranking) -> list[str]:
    """What is wrong with a learner's {"model": ..., "where": ..., "because": [factor, ...]}.

    A justification holds when the option is the ranking's best, it names at least two
    distinct factors (names from FACTORS), each argues for that option (positive points, or a
    factor it beats a rival on), and at least one is decisive: the best option beats a rival
    on it (`Ranking.rivals`). An empty list means the answer holds.
    """
    keys = {"model", "where", "because"}
    if not isinstance(answer, dict) or set(answer) != keys:
        return ['the answer must be a dict with exactly the keys "model", "where" and "because"']
    model, where, because = answer["model"], answer["where"], answer["because"]
    if model not in MODELS:
        return [f"model must be one of {MODELS}, got {model!r}"]
    if where not in WHERE:
        return [f"where must be one of {WHERE}, got {where!r}"]
    if not isinstance(because, list) or not all(isinstance(f, str) for f in because):
        return ['"because" must be a list of factor names (strings)']
    problems = []
    unknown = [f for f in because if f not in FACTORS]
    if unknown:
        problems.append(f"unknown factor(s) {unknown}; use names from {FACTORS}")
    if len(set(because)) < 2:
        problems.append("name at least two different factors")
    best = ranking.best
    if (model, where) != best.option:
        problems.append(
            f"{option_name(model, where)} is not the best fit here: reread the blockers and "
            "the operations burden"
        )
        return problems
    decisive = ranking.decisive_factors()
    against = [
        f
        for f in because
        if f in FACTORS and f not in best.supporting_factors() and f not in decisive
    ]
    if against:
        problems.append(f"{against} do(es) not argue for {best.name} here")
    if not set(because) & set(decisive):
        problems.append(
            f"name at least one factor that sets {best.name} apart from the other models in "
            "its place or from the other places"
        )
    return problems
