"""Where a pod may run: taints and tolerations, node and pod affinity, topology spread.

The core/v1 fields the scheduler reads besides resources, as frozen dataclasses with the API's
field names in snake_case (`spec.tolerations` -> `Pod.tolerations`, `topologySpreadConstraints`
-> `TopologySpreadConstraint`), and the matching rules upstream applies to them:
`Toleration.tolerates` is core/v1 `Toleration.ToleratesTaint`, `LabelSelector.matches` is
apimachinery's `LabelSelectorAsSelector(...).Matches`, `NodeSelectorTerm.matches` is
component-helpers' `nodeaffinity` (Kubernetes v1.35; docs/k8s_formulas.md §10).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# Well-known labels (k8s.io/api/core/v1/well_known_labels.go).
LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
NODE_NAME_FIELD = "metadata.name"  # the one key matchFields accepts

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_NAME_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a valid label key (validation.IsQualifiedName), or None."""
    if not isinstance(key, str) or not key:
        return "name part must be non-empty"
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS1123.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _NAME.match(name):
        return _NAME_RULE
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a valid label value (validation.IsValidLabelValue), or None."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > 63:
        return "must be no more than 63 characters"
    if value and not _NAME.match(value):
        return (
            "a valid label must be an empty string or consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character"
        )
    return None


def _check_key(owner: str, key: str) -> None:
    problem = label_key_problem(key)
    if problem:
        raise ValueError(f'{owner}: Invalid value: "{key}": {problem}')


def _check_weight(owner: str, weight: int) -> None:
    """A preferred term's weight: a whole number in 1..100, as the API server validates it."""
    if not isinstance(weight, int) or not 1 <= weight <= 100:
        raise ValueError(f"{owner} weight must be in 1..100, got {weight!r}")


# --- taints and tolerations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Taint:
    """`spec.taints[]` of a node: `kubectl taint nodes n key=value:Effect`."""

    key: str
    value: str = ""
    effect: str = "NoSchedule"

    def __post_init__(self) -> None:
        _check_key("taint key", self.key)
        if self.effect not in TAINT_EFFECTS:
            raise ValueError(f"taint effect must be one of {TAINT_EFFECTS}, got {self.effect!r}")

    def __str__(self) -> str:
        return (
            f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"
        )


@dataclass(frozen=True)
class Toleration:
    """`spec.tolerations[]`: an empty key with operator Exists tolerates every taint; an empty
    effect matches every effect. `toleration_seconds` only matters for NoExecute eviction."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.operator not in ("Equal", "Exists"):
            raise ValueError(f"toleration operator must be Equal or Exists, got {self.operator!r}")
        if self.operator == "Exists" and self.value:
            raise ValueError("a toleration with operator Exists must have no value")
        if not self.key and self.operator != "Exists":
            raise ValueError("a toleration with an empty key must use operator Exists")
        if self.effect not in ("", *TAINT_EFFECTS):
            raise ValueError(f"toleration effect must be empty or one of {TAINT_EFFECTS}")

    def tolerates(self, taint: Taint) -> bool:
        """core/v1 Toleration.ToleratesTaint."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value


def untolerated_taint(taints, tolerations, effects=("NoSchedule", "NoExecute")) -> Taint | None:
    """FindMatchingUntoleratedTaint: the first taint with one of `effects` that no toleration
    tolerates, or None."""
    for taint in taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


# --- label selectors -----------------------------------------------------------------------------

_SELECTOR_OPS = ("In", "NotIn", "Exists", "DoesNotExist")
_NODE_OPS = (*_SELECTOR_OPS, "Gt", "Lt")


@dataclass(frozen=True)
class Requirement:
    """One `matchExpressions` entry of a label selector or node selector term.

    `problem` is set when upstream's parser would reject it (a bad key or value, a wrong
    number of values): such a requirement matches nothing, as upstream ignores what it cannot
    parse in required terms.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if self.operator not in _NODE_OPS:
            raise ValueError(f"operator must be one of {_NODE_OPS}, got {self.operator!r}")

    @property
    def problem(self) -> str | None:
        key = label_key_problem(self.key)
        if key:
            return f'key: Invalid value: "{self.key}": {key}'
        if self.operator in ("In", "NotIn") and not self.values:
            return f"values: must be specified for operator {self.operator}"
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            return f"values: may not be specified for operator {self.operator}"
        if self.operator in ("Gt", "Lt"):
            if len(self.values) != 1 or not re.fullmatch(r"-?\d+", self.values[0]):
                return f"values: operator {self.operator} needs exactly one integer value"
            return None
        for value in self.values:
            bad = label_value_problem(value)
            if bad:
                return f'values: Invalid value: "{value}": {bad}'
        return None

    def matches(self, labels: Mapping[str, str]) -> bool:
        """labels.Requirement.Matches (NotIn and DoesNotExist match an absent key)."""
        has = self.key in labels
        op = self.operator
        if op == "In":
            return has and labels[self.key] in self.values
        if op == "NotIn":
            return not has or labels[self.key] not in self.values
        if op == "Exists":
            return has
        if op == "DoesNotExist":
            return not has
        if not has or not re.fullmatch(r"-?\d+", labels[self.key]):
            return False  # Gt/Lt: the label must parse as an integer
        node, wanted = int(labels[self.key]), int(self.values[0])
        return node > wanted if op == "Gt" else node < wanted


@dataclass(frozen=True)
class LabelSelector:
    """metav1.LabelSelector: `match_labels` and `match_expressions`, all ANDed.

    An empty selector matches every pod; where the API has no selector at all (None), the
    scheduler matches nothing (LabelSelectorAsSelector(nil) is labels.Nothing()).
    """

    match_labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    match_expressions: tuple[Requirement, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "match_labels", dict(self.match_labels))
        object.__setattr__(self, "match_expressions", tuple(self.match_expressions))
        for key in self.match_labels:
            _check_key("labelSelector.matchLabels", key)
        for r in self.match_expressions:
            if r.operator not in _SELECTOR_OPS:
                raise ValueError(f"a label selector's operator must be one of {_SELECTOR_OPS}")
            if r.problem:
                raise ValueError(f"labelSelector.matchExpressions: {r.problem}")

    def __hash__(self) -> int:  # match_labels is a dict: hash its items
        return hash((tuple(sorted(self.match_labels.items())), self.match_expressions))

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.match_labels.items()) and all(
            r.matches(labels) for r in self.match_expressions
        )

    def merged(self, labels: Mapping[str, str]) -> LabelSelector:
        """This selector with `labels` added as key In (value) requirements (matchLabelKeys)."""
        extra = tuple(Requirement(k, "In", (v,)) for k, v in labels.items())
        return LabelSelector(self.match_labels, (*extra, *self.match_expressions))


def selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """A missing (None) selector matches nothing."""
    return selector is not None and selector.matches(labels)


# --- node affinity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One `nodeSelectorTerms[]` entry: every expression (on labels) and every field
    requirement (on `metadata.name`) must hold. An empty term matches no node."""

    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "match_expressions", tuple(self.match_expressions))
        object.__setattr__(self, "match_fields", tuple(self.match_fields))

    @property
    def empty(self) -> bool:
        return not self.match_expressions and not self.match_fields

    @property
    def problem(self) -> str | None:
        for i, r in enumerate(self.match_expressions):
            if r.problem:
                return f"matchExpressions[{i}].{r.problem}"
        for i, r in enumerate(self.match_fields):
            if r.key != NODE_NAME_FIELD or r.operator not in ("In", "NotIn") or len(r.values) != 1:
                return f"matchFields[{i}]: only metadata.name with In/NotIn and one value"
        return None

    def matches(self, labels: Mapping[str, str], node_name: str) -> bool:
        if self.empty or self.problem:
            return False
        fields = {NODE_NAME_FIELD: node_name}
        return all(r.matches(labels) for r in self.match_expressions) and all(
            r.matches(fields) for r in self.match_fields
        )


@dataclass(frozen=True)
class PreferredSchedulingTerm:
    """`preferredDuringSchedulingIgnoredDuringExecution[]`: `weight` 1..100 if it matches."""

    weight: int
    preference: NodeSelectorTerm

    def __post_init__(self) -> None:
        _check_weight("preferred term", self.weight)


@dataclass(frozen=True)
class NodeAffinity:
    """`affinity.nodeAffinity`: `required` is the ORed nodeSelectorTerms of
    requiredDuringSchedulingIgnoredDuringExecution (None: not set)."""

    required: tuple[NodeSelectorTerm, ...] | None = None
    preferred: tuple[PreferredSchedulingTerm, ...] = ()

    def __post_init__(self) -> None:
        if self.required is not None:
            object.__setattr__(self, "required", tuple(self.required))
        object.__setattr__(self, "preferred", tuple(self.preferred))


# --- pod affinity and anti-affinity ------------------------------------------------------------


@dataclass(frozen=True)
class PodAffinityTerm:
    """Pods matching `label_selector` in `namespaces` (empty: the pod's own namespace), counted
    per value of the node label `topology_key`."""

    label_selector: LabelSelector | None
    topology_key: str
    namespaces: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "namespaces", tuple(self.namespaces))
        _check_key("podAffinityTerm.topologyKey", self.topology_key)

    def matches(self, pod, owner_namespace: str) -> bool:
        """AffinityTerm.Matches: namespace and selector; `owner_namespace` is the namespace of
        the pod whose term this is."""
        namespaces = self.namespaces or (owner_namespace,)
        return pod.namespace in namespaces and selector_matches(self.label_selector, pod.labels)


@dataclass(frozen=True)
class WeightedPodAffinityTerm:
    weight: int
    term: PodAffinityTerm

    def __post_init__(self) -> None:
        _check_weight("weighted term", self.weight)


@dataclass(frozen=True)
class PodAffinity:
    """`affinity.podAffinity` or `podAntiAffinity` (same shape)."""

    required: tuple[PodAffinityTerm, ...] = ()
    preferred: tuple[WeightedPodAffinityTerm, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "required", tuple(self.required))
        object.__setattr__(self, "preferred", tuple(self.preferred))


@dataclass(frozen=True)
class Affinity:
    """`spec.affinity`."""

    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAffinity | None = None


# --- topology spread -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TopologySpreadConstraint:
    """`spec.topologySpreadConstraints[]`.

    The policies default as the scheduler defaults them: nodeAffinityPolicy Honor (only nodes
    the pod's node affinity allows count), nodeTaintsPolicy Ignore (tainted nodes count);
    `min_domains` None is 1.
    """

    max_skew: int
    topology_key: str
    when_unsatisfiable: str = "DoNotSchedule"
    label_selector: LabelSelector | None = None
    min_domains: int | None = None
    node_affinity_policy: str = "Honor"
    node_taints_policy: str = "Ignore"
    match_label_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "match_label_keys", tuple(self.match_label_keys))
        if not isinstance(self.max_skew, int) or self.max_skew < 1:
            raise ValueError(f"maxSkew must be an integer >= 1, got {self.max_skew!r}")
        _check_key("topologySpreadConstraints.topologyKey", self.topology_key)
        if self.when_unsatisfiable not in ("DoNotSchedule", "ScheduleAnyway"):
            raise ValueError(
                "whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway, "
                f"got {self.when_unsatisfiable!r}"
            )
        if self.min_domains is not None:
            if self.min_domains < 1 or self.when_unsatisfiable != "DoNotSchedule":
                raise ValueError(
                    "minDomains must be >= 1 and needs whenUnsatisfiable DoNotSchedule"
                )
        for name, policy in (
            ("nodeAffinityPolicy", self.node_affinity_policy),
            ("nodeTaintsPolicy", self.node_taints_policy),
        ):
            if policy not in ("Honor", "Ignore"):
                raise ValueError(f"{name} must be Honor or Ignore, got {policy!r}")

    def selector_for(self, pod_labels: Mapping[str, str]) -> LabelSelector | None:
        """The selector with matchLabelKeys merged in from the incoming pod's labels."""
        keys = {k: pod_labels[k] for k in self.match_label_keys if k in pod_labels}
        if not keys or self.label_selector is None:
            return self.label_selector
        return self.label_selector.merged(keys)


# The scheduler's system default constraints (podtopologyspread/plugin.go
# systemDefaultConstraints): applied to a pod with no constraints of its own that belongs to a
# Service, ReplicaSet, StatefulSet or ReplicationController, with that owner's selector.
SYSTEM_DEFAULT_CONSTRAINTS = (
    TopologySpreadConstraint(3, LABEL_HOSTNAME, "ScheduleAnyway"),
    TopologySpreadConstraint(5, LABEL_ZONE, "ScheduleAnyway"),
)
