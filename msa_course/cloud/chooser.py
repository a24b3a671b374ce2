"""Choose where to run a workload: each service model scored with its reasons for and against.

Deterministic and explainable: every point a model gets is a `Reason` naming the factor it
comes from, a model's score is the sum of its reasons' points, and requirements a model cannot
meet are blockers. Models are ranked by (number of blockers, -score, how much of the stack you
would operate, MODELS order), so a model that meets every requirement always ranks above one
that does not, and ties go to the model that leaves you less to run.

The operations burden comes from the responsibility grid (`responsibility.burden`); the points
are teaching weights, not measurements: the reasons say what each rests on (the source text,
figures.md, chapter 01's provisioning model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from msa_course.cloud import responsibility as resp

ARCHITECTURES = ("monolith", "microservices")
LEVELS = ("none", "low", "medium", "high")
TRAFFIC = ("steady", "daily-cycle", "spiky", "mostly-idle")
FACTORS = (
    "architecture",
    "services",
    "ops_capacity",
    "portability",
    "traffic",
    "os_control",
    "on_prem_required",
    "purpose",
)
# How a learner reads each factor (legends, reason lists); the keys stay the API's names.
FACTOR_LABELS = {
    "architecture": "architecture",
    "services": "number of services",
    "ops_capacity": "operations capacity",
    "portability": "portability",
    "traffic": "traffic pattern",
    "os_control": "OS control",
    "on_prem_required": "must stay on premises",
    "purpose": "runs your own code",
}
MAX_SERVICES = 500
# How many of the 10 layers (shared counts half) a team of each operations capacity can run.
OPS_LIMIT = {"none": 1.5, "low": 3.0, "medium": 6.5, "high": 10.0}


@dataclass(frozen=True)
class Workload:
    """What you want to run and the constraints around it.

    architecture: "monolith" or "microservices"; services: how many deployable services (1 for
    a monolith); ops_capacity: the team's operations capacity; portability: the need to move
    between clouds; traffic: "steady", "daily-cycle", "spiky" or "mostly-idle"; os_control: the
    need to control the operating system ("high" = own kernel, drivers or OS configuration);
    on_prem_required: compliance that keeps the workload on premises.
    """

    architecture: str = "microservices"
    services: int = 8
    ops_capacity: str = "medium"
    portability: str = "low"
    traffic: str = "daily-cycle"
    os_control: str = "none"
    on_prem_required: bool = False

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
        if not isinstance(self.on_prem_required, bool):
            raise ValueError(
                f"on_prem_required must be True or False, got {self.on_prem_required!r}"
            )

    def with_(self, **changes) -> Workload:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def _one_of(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class Reason:
    """One factor's effect on one model: points (+ for, - against) or a blocker."""

    factor: str
    points: float
    text: str
    blocker: bool = False


@dataclass(frozen=True)
class Verdict:
    model: str
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> float:
        return sum(r.points for r in self.reasons)

    @property
    def blockers(self) -> list[Reason]:
        return [r for r in self.reasons if r.blocker]

    @property
    def fits(self) -> bool:
        """True when no requirement rules the model out."""
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
        """Factors that argue for this model (positive points), in FACTORS order."""
        return [f for f in FACTORS if self.points(f) > 0]

    def _key(self) -> tuple:
        return (
            len(self.blockers),
            -self.score,
            resp.burden(self.model),
            resp.MODELS.index(self.model),
        )


@dataclass(frozen=True)
class Ranking:
    workload: Workload
    verdicts: tuple[Verdict, ...]  # best first

    @property
    def order(self) -> list[str]:
        return [v.model for v in self.verdicts]

    @property
    def best(self) -> Verdict:
        return self.verdicts[0]

    def verdict(self, model: str) -> Verdict:
        resp._check_model(model)
        return next(v for v in self.verdicts if v.model == model)

    def rank(self, model: str) -> int:
        """1 for the best model."""
        return self.order.index(self.verdict(model).model) + 1

    def decisive_factors(self) -> list[str]:
        """Factors on which the best model beats the runner-up (more points, or the runner-up
        is blocked there and the best is not), in FACTORS order."""
        best, runner = self.verdicts[0], self.verdicts[1]
        blocked = {r.factor for r in runner.blockers} - {r.factor for r in best.blockers}
        return [f for f in FACTORS if best.points(f) > runner.points(f) or f in blocked]

    def explain(self) -> str:
        """The ranking as plain text: each model with its score, blockers and reasons."""
        lines = []
        if not self.best.fits:
            lines.append("No model meets every requirement; the least blocked come first.")
        for i, v in enumerate(self.verdicts, start=1):
            status = "fits" if v.fits else f"blocked ({len(v.blockers)})"
            lines.append(f"{i}. {resp.MODEL_NAMES[v.model]}: score {v.score:+g}, {status}")
            for r in v.reasons:
                mark = "BLOCKER" if r.blocker else f"{r.points:+g}"
                lines.append(f"     [{mark}] {r.factor}: {r.text}")
        return "\n".join(lines)


Scorer = Callable[[Workload], dict[str, list[Reason]]]


def _architecture(w: Workload) -> dict[str, list[Reason]]:
    f = "architecture"
    if w.architecture == "monolith":
        table = {
            "on-premises": (1, "One deployable unit runs on a server you own."),
            "iaas": (
                2,
                "The source: a monolith can run on VM products such as AWS EC2 or Azure VM.",
            ),
            "caas": (
                -1,
                "An orchestrator earns its keep with many containers; one monolith "
                "gains little from it.",
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
            "on-premises": (
                -1,
                "Without virtualisation each microservice needs its own "
                "bare-metal machine (the source); flexible scaling is hard.",
            ),
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
    return {m: [Reason(f, p, t)] for m, (p, t) in table.items()}


def _services(w: Workload) -> dict[str, list[Reason]]:
    f, n = "services", w.services
    if w.architecture == "monolith":
        return {}
    if n >= 20:
        return {
            "caas": [
                Reason(
                    f,
                    2,
                    f"{n} services: placement, discovery and rolling updates across "
                    "many containers are what an orchestrator automates (ch. 03).",
                )
            ],
            "paas": [Reason(f, -1, f"{n} separate platform apps to configure and connect.")],
            "iaas": [Reason(f, -1, f"{n} services on hand-managed VMs means VM sprawl.")],
            "on-premises": [Reason(f, -1, f"{n} services need a platform you would build.")],
        }
    if n >= 5:
        return {"caas": [Reason(f, 1, f"{n} services already benefit from an orchestrator.")]}
    return {
        "caas": [
            Reason(
                f,
                -1,
                f"A cluster's fixed cost (control plane, nodes, upgrades) is large "
                f"for {n} services.",
            )
        ],
        "paas": [Reason(f, 1, f"{n} services map one-to-one onto platform apps.")],
    }


def _ops_capacity(w: Workload) -> dict[str, list[Reason]]:
    f, level = "ops_capacity", w.ops_capacity
    limit = OPS_LIMIT[level]
    out: dict[str, list[Reason]] = {}
    for m in resp.MODELS:
        load = resp.burden(m)
        share = (
            f"{len(resp.layers_by(m, 'you'))} yours, {len(resp.layers_by(m, 'shared'))} "
            "shared at half"
        )
        if load > limit:
            text = (
                f"You would operate {load:g} of 10 layers ({share}); a team with {level} "
                f"operations capacity runs about {limit:g}."
            )
            out[m] = [Reason(f, -(load - limit), text)]
        else:
            text = (
                f"You would operate {load:g} of 10 layers, within what a team with {level} "
                "operations capacity can run."
            )
            out[m] = [Reason(f, 1, text)]
    if level == "none":
        out["on-premises"] += [
            Reason(f, 0, "No one to buy, rack and repair servers.", blocker=True),
            Reason(f, 0, "No one to patch the operating systems.", blocker=True),
        ]
        out["iaas"].append(
            Reason(
                f,
                0,
                "No one to patch the guest OS, which IaaS leaves to you (Microsoft: customer).",
                blocker=True,
            )
        )
    return out


def _portability(w: Workload) -> dict[str, list[Reason]]:
    f, level = "portability", LEVELS.index(w.portability)
    if level == 0:
        return {}
    table = {
        "on-premises": (1, "No cloud lock-in, though moving means buying new machines."),
        "iaas": (1, "VM images and OS-level setups move between clouds with some rework."),
        "caas": (
            2,
            "Containers and the Kubernetes API run on every major cloud: the source's "
            "'portable container virtualisation'.",
        ),
        "paas": (-1, "Platform-specific configuration and supported runtimes make a move a port."),
        "faas": (-2, "Triggers, event formats and limits are provider-specific."),
        "saas": (-2, "You can export your data, not the application."),
    }
    return {m: [Reason(f, p * level, t)] for m, (p, t) in table.items()}


def _traffic(w: Workload) -> dict[str, list[Reason]]:
    f = "traffic"
    tables = {
        "steady": {
            "on-premises": (
                1,
                "Steady load keeps owned servers busy (typical on-premises "
                "utilisation is low, 12-18%, because load rarely is: figures.md §6).",
            ),
            "iaas": (1, "Steady load suits VMs sized once."),
            "faas": (
                -2,
                "At steady high load, paying per invocation usually costs more than "
                "always-on instances.",
            ),
        },
        "daily-cycle": {
            "on-premises": (-1, "Servers bought for the peak sit idle at night (chapter 01)."),
            "caas": (1, "Pods scale in seconds and nodes in minutes to follow the cycle."),
            "paas": (1, "Built-in autoscaling follows the cycle."),
            "faas": (1, "Scales with the requests; no capacity to plan."),
        },
        "spiky": {
            "on-premises": (
                -2,
                "New servers take weeks to buy (chapter 01); the spike is over by then.",
            ),
            "iaas": (
                -1,
                "New VMs take tens of seconds or more to boot (figures.md §1, order of magnitude).",
            ),
            "caas": (
                1,
                "New containers start in about a second once nodes have room (figures.md §1).",
            ),
            "paas": (1, "The platform adds instances for you."),
            "faas": (2, "Scales per request, with no capacity planning."),
        },
        "mostly-idle": {
            "on-premises": (-2, "Hardware you own costs money while it waits."),
            "iaas": (-1, "You pay for VMs while they wait."),
            "caas": (-1, "A cluster's control plane and nodes cost money while idle."),
            "faas": (3, "Scales to zero: you pay per invocation and nothing while idle."),
        },
    }
    return {m: [Reason(f, p, t)] for m, (p, t) in tables[w.traffic].items()}


def _os_control(w: Workload) -> dict[str, list[Reason]]:
    f, level = "os_control", LEVELS.index(w.os_control)
    if level == 0:
        return {}
    out = {
        "on-premises": [Reason(f, level, "Full control down to the hardware and kernel.")],
        "iaas": [
            Reason(
                f,
                level,
                "You choose and configure the guest OS (NIST: 'deploy and run "
                "arbitrary software, which can include operating systems').",
            )
        ],
    }
    if level >= 2:
        out["caas"] = [
            Reason(
                f,
                -(level - 1),
                "Containers share the node's kernel; custom node images only on nodes you manage.",
            )
        ]
    for m, text in (
        ("paas", "The provider chooses and patches the OS; you get no OS access."),
        ("faas", "Functions run on the provider's OS, with no access to it."),
        ("saas", "You see only the application, never its OS."),
    ):
        out[m] = [Reason(f, -level, text)]
        if w.os_control == "high":
            out[m].append(
                Reason(
                    f,
                    0,
                    "Cannot give you your own kernel, drivers or OS configuration.",
                    blocker=True,
                )
            )
    return out


def _on_prem_required(w: Workload) -> dict[str, list[Reason]]:
    f = "on_prem_required"
    if not w.on_prem_required:
        return {}
    text = (
        "Compliance keeps this workload on premises, so a public-cloud model cannot host it "
        "(the rest can still run in the cloud: the source notes public/private and "
        "virtual/physical systems can be connected)."
    )
    out = {m: [Reason(f, 0, text, blocker=True)] for m in resp.MODELS if m != "on-premises"}
    out["on-premises"] = [Reason(f, 2, "Meets the requirement to stay on premises.")]
    return out


def _purpose(_w: Workload) -> dict[str, list[Reason]]:
    text = (
        "SaaS runs the provider's application, not your code: use it when an existing "
        "product does the job, not to host this workload."
    )
    return {"saas": [Reason("purpose", 0, text, blocker=True)]}


_SCORERS: tuple[Scorer, ...] = (
    _architecture,
    _services,
    _ops_capacity,
    _portability,
    _traffic,
    _os_control,
    _on_prem_required,
    _purpose,
)


def choose(workload: Workload | None = None, **fields_) -> Ranking:
    """Rank every service model for `workload` (or for a Workload built from keyword fields)."""
    if workload is None:
        allowed = {f.name for f in fields(Workload)}
        unknown = sorted(set(fields_) - allowed)
        if unknown:
            raise ValueError(f"unknown workload field(s) {unknown}; allowed: {sorted(allowed)}")
        workload = Workload(**fields_)
    elif fields_:
        raise ValueError("pass either a Workload or keyword fields, not both")
    reasons: dict[str, list[Reason]] = {m: [] for m in resp.MODELS}
    for scorer in _SCORERS:
        for model, found in scorer(workload).items():
            reasons[model].extend(found)
    verdicts = sorted((Verdict(m, tuple(rs)) for m, rs in reasons.items()), key=Verdict._key)
    return Ranking(workload, tuple(verdicts))


def justification_problems(answer, ranking: Ranking) -> list[str]:
    """What is wrong with a learner's {"model": ..., "because": [factor, ...]} for `ranking`.

    A justification holds when the model is the ranking's best, it names at least two
    distinct factors (names from FACTORS), each argues for that model (positive points or, for
    a blocked runner-up, the factor that blocks it), and at least one is decisive: the best
    model beats the runner-up on it. An empty list means the answer holds.
    """
    if not isinstance(answer, dict) or set(answer) != {"model", "because"}:
        return ['the answer must be a dict with exactly the keys "model" and "because"']
    model, because = answer["model"], answer["because"]
    if model not in resp.MODELS:
        return [f"model must be one of {resp.MODELS}, got {model!r}"]
    if not isinstance(because, list) or not all(isinstance(f, str) for f in because):
        return ['"because" must be a list of factor names (strings)']
    problems = []
    unknown = [f for f in because if f not in FACTORS]
    if unknown:
        problems.append(f"unknown factor(s) {unknown}; use names from {FACTORS}")
    if len(set(because)) < 2:
        problems.append("name at least two different factors")
    best = ranking.best
    if model != best.model:
        problems.append(
            f"{resp.MODEL_NAMES[model]} is not the best fit here: reread the "
            "blockers and the operations burden"
        )
        return problems
    decisive = ranking.decisive_factors()
    against = [
        f
        for f in because
        if f in FACTORS and f not in best.supporting_factors() and f not in decisive
    ]
    if against:
        problems.append(f"{against} do(es) not argue for {resp.MODEL_NAMES[model]} here")
    if not set(because) & set(decisive):
        problems.append(
            f"name at least one factor that sets {resp.MODEL_NAMES[model]} apart from the runner-up"
        )
    return problems
