"""The Kubernetes objects the simulator runs on, as plain dataclasses.

Field names follow the API (`spec.replicas` -> `replicas`, `status.allocatable` ->
`allocatable`) so a learner can map each attribute to a line of a manifest. Amounts are
integers in one unit per resource: millicores for "cpu", bytes for "memory" and
"ephemeral-storage", a count for "pods" and extended resources ("nvidia.com/gpu").
`load_manifests` (manifests.py) builds these from YAML; code can also build them directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from msa_course.orchestration.kubelet import Probe
from msa_course.orchestration.placement import (
    Affinity,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)

# The scheduler counts a container that sets no cpu/memory request as requesting this much,
# when *scoring* only (pkg/scheduler/util: DefaultMilliCPURequest, DefaultMemoryRequest;
# docs/k8s_formulas.md §1.1). Filtering uses the real requests.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
NON_ZERO_DEFAULTS = {"cpu": DEFAULT_MILLI_CPU_REQUEST, "memory": DEFAULT_MEMORY_REQUEST}

# kubelet `maxPods` default, which becomes node.status.allocatable.pods
# (pkg/kubelet/apis/config/v1beta1/defaults.go; k8s_formulas.md §3).
DEFAULT_MAX_PODS = 110

Resources = dict[str, int]

# Taint keys the node-lifecycle controller sets for Ready False / Unknown (k8s_formulas.md §7).
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"  # set with spec.unschedulable (cordon)


def _check_amounts(owner: str, amounts: Mapping[str, int]) -> None:
    for name, amount in amounts.items():
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(
                f"{owner}[{name!r}] must be a whole number >= 0 (millicores for cpu, bytes for "
                f"memory), got {amount!r}"
            )


@dataclass(frozen=True)
class Container:
    """One container: `requests` reserve room on a node; `limits` cap what it may use.

    A resource missing from `requests` is different from an explicit 0: only a missing
    cpu/memory request gets the scheduler's scoring defaults (NON_ZERO_DEFAULTS).
    `restart_policy="Always"` on an init container makes it a sidecar (runs alongside).
    `liveness_probe`/`readiness_probe` are `livenessProbe`/`readinessProbe`: None when the
    manifest has none; a Probe's unset fields take Kubernetes' defaults (kubelet.Probe).
    `ports` maps a named container port to its number (a Service's `targetPort` may name it).
    """

    name: str
    image: str = "registry.k8s.io/pause:3.10"
    requests: Mapping[str, int] = field(default_factory=dict)
    limits: Mapping[str, int] = field(default_factory=dict)
    restart_policy: str | None = None
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    ports: Mapping[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        _check_amounts(f"container {self.name!r} requests", self.requests)
        _check_amounts(f"container {self.name!r} limits", self.limits)
        for kind, probe in (("liveness", self.liveness_probe), ("readiness", self.readiness_probe)):
            if probe is not None and not isinstance(probe, Probe):
                raise ValueError(
                    f"container {self.name!r} {kind}_probe must be a kubelet.Probe or None, "
                    f"got {type(probe).__name__}"
                )
        if self.liveness_probe is not None and self.liveness_probe.success_threshold != 1:
            raise ValueError(
                f"container {self.name!r} liveness_probe success_threshold must be 1, got "
                f"{self.liveness_probe.success_threshold}"
            )


def _add(total: dict[str, int], amounts: Mapping[str, int]) -> None:
    for name, amount in amounts.items():
        total[name] = total.get(name, 0) + amount


def _with_defaults(requests: Mapping[str, int], defaults: Mapping[str, int]) -> Mapping[str, int]:
    missing = {k: v for k, v in defaults.items() if k not in requests}
    return {**requests, **missing} if missing else requests


def pod_requests(
    containers: Iterable[Container],
    init_containers: Iterable[Container] = (),
    non_missing: Mapping[str, int] | None = None,
) -> Resources:
    """What a pod reserves: max(sum of app containers + sidecars, largest init step).

    This is `resourcehelper.PodRequests` (k8s.io/component-helpers/resource): init containers
    run one at a time before the app containers, so the pod needs the larger of the two
    phases; a sidecar (init container with restartPolicy Always) keeps running, so it adds to
    every later phase. `non_missing` fills a container's *missing* requests (the scheduler's
    scoring defaults); an explicit 0 stays 0; a pod with no containers requests nothing.
    """
    defaults = non_missing or {}
    total: dict[str, int] = {}
    for container in containers:
        _add(total, _with_defaults(container.requests, defaults))
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for container in init_containers:
        requests = _with_defaults(container.requests, defaults)
        if container.restart_policy == "Always":
            _add(total, requests)
            _add(sidecars, requests)
            step = dict(sidecars)
        else:
            step = dict(sidecars)
            _add(step, requests)
        for name, amount in step.items():
            init_peak[name] = max(init_peak.get(name, 0), amount)
    for name, amount in init_peak.items():
        total[name] = max(total.get(name, 0), amount)
    return total


@dataclass(frozen=True)
class PodTemplate:
    """`spec.template` of a ReplicaSet or Deployment: the pod every replica is made from."""

    labels: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: Affinity | None = None
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = ()

    def instantiate(self, name: str, namespace: str = "default") -> Pod:
        """A new Pending pod from this template."""
        return Pod(
            name=name,
            namespace=namespace,
            labels=dict(self.labels),
            containers=self.containers,
            init_containers=self.init_containers,
            tolerations=self.tolerations,
            node_selector=dict(self.node_selector),
            affinity=self.affinity,
            topology_spread_constraints=self.topology_spread_constraints,
        )


@dataclass
class Pod:
    """A pod: its containers, where it is bound (`node_name`) and its `phase`.

    Mutable on purpose: the scheduler sets `node_name`, the kubelet moves `phase`
    (Pending -> Running -> Succeeded/Failed). `message` holds the scheduler's reason while
    the pod is Pending ("0/3 nodes are available: 3 Insufficient cpu. preemption: ..."). `tolerations`,
    `node_selector`, `affinity` and `topology_spread_constraints` are the spec fields the
    scheduler's other plugins read (placement.py).
    """

    name: str
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    namespace: str = "default"
    labels: Mapping[str, str] = field(default_factory=dict)
    node_name: str | None = None
    phase: str = "Pending"
    message: str = ""
    owner: str | None = None
    tolerations: tuple[Toleration, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: Affinity | None = None
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = ()
    terminating: bool = False  # metadata.deletionTimestamp is set (still bound, still reserving)

    def requests(self) -> Resources:
        """The pod's real requests (what Filter and kubelet admission use)."""
        return pod_requests(self.containers, self.init_containers)

    def scoring_requests(self) -> Resources:
        """Requests with the 100m / 200Mi defaults for missing cpu/memory (scoring only)."""
        return pod_requests(self.containers, self.init_containers, NON_ZERO_DEFAULTS)


@dataclass
class Node:
    """A node: `allocatable` is what pods may reserve (capacity minus system reservations).

    `allocatable` must hold "cpu" (millicores) and "memory" (bytes); "pods" defaults to the
    kubelet's maxPods of 110. `unschedulable` is `spec.unschedulable` (kubectl cordon);
    `ready` is the Ready condition. `reachable=False` with `ready=False` is Ready "Unknown":
    the kubelet stopped renewing its Lease, so the node-lifecycle controller taints the node
    `node.kubernetes.io/unreachable` instead of `not-ready` (k8s_formulas.md §7). The
    scheduler filters out all three. `spec_taints` are the taints you set (`kubectl taint`);
    `taints` lists them with the ones Kubernetes' controllers add.
    """

    name: str
    allocatable: Mapping[str, int]
    labels: Mapping[str, str] = field(default_factory=dict)
    unschedulable: bool = False
    ready: bool = True
    reachable: bool = True
    spec_taints: tuple[Taint, ...] = ()

    def effective_taints(self) -> tuple[Taint, ...]:
        """`spec.taints` as the scheduler sees them: yours, then the controllers'.

        Cordon adds `unschedulable:NoSchedule`; Ready False or Unknown adds the condition's
        taint with both effects (TaintNodesByCondition: NoSchedule; taint-based eviction:
        NoExecute).
        """
        taints = list(self.spec_taints)
        if self.unschedulable:
            taints.append(Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule"))
        if not self.ready:
            key = NOT_READY_TAINT if self.reachable else UNREACHABLE_TAINT
            taints += [Taint(key, "", "NoSchedule"), Taint(key, "", "NoExecute")]
        return tuple(taints)

    @property
    def taints(self) -> tuple[str, ...]:
        """Every taint as kubectl prints it: `key=value:Effect` or `key:Effect`."""
        return tuple(str(t) for t in self.effective_taints())

    def __post_init__(self) -> None:
        for key in ("cpu", "memory"):
            if key not in self.allocatable:
                raise ValueError(
                    f"node {self.name!r} allocatable needs {key!r} "
                    "(cpu in millicores, memory in bytes)"
                )
        _check_amounts(f"node {self.name!r} allocatable", self.allocatable)
        if "pods" not in self.allocatable:
            self.allocatable = {**self.allocatable, "pods": DEFAULT_MAX_PODS}


@dataclass
class ReplicaSet:
    """Keeps `replicas` pods matching `selector` alive, made from `template`."""

    name: str
    replicas: int
    selector: Mapping[str, str]
    template: PodTemplate
    namespace: str = "default"

    def __post_init__(self) -> None:
        _check_replicas(self.name, self.replicas)
        _check_selector(self.name, self.selector, self.template)


@dataclass
class Deployment:
    """Manages ReplicaSets for rolling updates; here it carries the same fields as one.

    `strategy` is "RollingUpdate" (default) or "Recreate"; `max_surge`/`max_unavailable` are
    the RollingUpdate defaults "25%" (apps/v1 defaults.go).
    """

    name: str
    replicas: int
    selector: Mapping[str, str]
    template: PodTemplate
    namespace: str = "default"
    strategy: str = "RollingUpdate"
    max_surge: str | int = "25%"
    max_unavailable: str | int = "25%"

    def __post_init__(self) -> None:
        _check_replicas(self.name, self.replicas)
        _check_selector(self.name, self.selector, self.template)


@dataclass(frozen=True)
class HPAScalingPolicy:
    """One `behavior.scaleUp/scaleDown.policies` entry: change by `value` Pods or Percent
    within `period_seconds`."""

    type: str
    value: int
    period_seconds: int


@dataclass(frozen=True)
class HPAScalingRules:
    """`behavior.scaleUp` or `behavior.scaleDown`.

    `stabilization_window_seconds=None` means "the controller's default" (0 s up, 300 s
    down); `tolerance=None` means the global 0.1 (k8s_formulas.md §5).
    """

    policies: tuple[HPAScalingPolicy, ...]
    select_policy: str = "Max"
    stabilization_window_seconds: int | None = None
    tolerance: float | None = None


# autoscaling/v2 defaults, filled in only when a manifest sets spec.behavior
# (pkg/apis/autoscaling/v2/defaults.go; k8s_formulas.md §5).
DEFAULT_SCALE_UP = HPAScalingRules(
    policies=(HPAScalingPolicy("Pods", 4, 15), HPAScalingPolicy("Percent", 100, 15)),
    stabilization_window_seconds=0,
)
DEFAULT_SCALE_DOWN = HPAScalingRules(policies=(HPAScalingPolicy("Percent", 100, 15),))


@dataclass(frozen=True)
class MetricTarget:
    """One `spec.metrics` entry of type Resource: e.g. cpu at 80 % average Utilization.

    `target_type` is "Utilization" (`value` in percent of the request) or "AverageValue"
    (`value` in millicores / bytes per pod).
    """

    resource: str = "cpu"
    target_type: str = "Utilization"
    value: int = 80


@dataclass
class HorizontalPodAutoscaler:
    """autoscaling/v2 HPA: scales `target_kind/target_name` between min and max replicas.

    With no metrics the API defaults to cpu Utilization 80 %; `min_replicas` defaults to 1.
    `scale_up`/`scale_down` are None when the manifest has no `spec.behavior` (the controller
    then uses its older, behaviour-less algorithm).
    """

    name: str
    target_name: str
    max_replicas: int
    min_replicas: int = 1
    target_kind: str = "Deployment"
    metrics: tuple[MetricTarget, ...] = (MetricTarget(),)
    scale_up: HPAScalingRules | None = None
    scale_down: HPAScalingRules | None = None
    namespace: str = "default"

    def __post_init__(self) -> None:
        if self.min_replicas < 1:
            raise ValueError(
                f"HPA {self.name!r} min_replicas must be >= 1, got {self.min_replicas}"
            )
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"HPA {self.name!r} max_replicas ({self.max_replicas}) must be >= "
                f"min_replicas ({self.min_replicas})"
            )


def _check_replicas(name: str, replicas: int) -> None:
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ValueError(f"{name!r}: replicas must be a whole number >= 0, got {replicas!r}")


def _check_selector(name: str, selector: Mapping[str, str], template: PodTemplate) -> None:
    missing = {k: v for k, v in selector.items() if template.labels.get(k) != v}
    if not selector or missing:
        raise ValueError(
            f"{name!r}: selector {dict(selector)} must be non-empty and match the template's "
            f"labels {dict(template.labels)} (Kubernetes rejects: `selector` does not match "
            "template `labels`)"
        )
