"""The placement fields of a manifest, in the Kubernetes API's JSON shape, as placement objects.

`spec.taints` of a Node; `tolerations`, `nodeSelector`, `affinity` and
`topologySpreadConstraints` of a pod spec. manifests.py reads them from YAML; the upstream test
vectors (tests/test_orchestration_core_vectors.py) are written in the same shape. Each function
takes the field's path for its error messages: a ValueError reads "<path>: <problem>".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msa_course.orchestration.placement import (
    Affinity,
    LabelSelector,
    NodeAffinity,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    Requirement,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
)


class PlacementError(ValueError):
    """A placement field that the API server would reject; `path` names the field."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = path, message


def _build(path: str, make, *args, **kwargs):
    """Construct a placement object, turning its validation error into a PlacementError."""
    try:
        return make(*args, **kwargs)
    except (ValueError, TypeError) as err:
        raise PlacementError(path, str(err)) from None


def _list(path: str, raw: Any) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PlacementError(path, f"must be a list, got {type(raw).__name__}")
    return raw


def _map(path: str, raw: Any) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PlacementError(path, f"must be a mapping, got {type(raw).__name__}")
    return dict(raw)


def _entries(path: str, raw: Any):
    """(path of item i, item i as a mapping) for each item of a list field."""
    for i, item in enumerate(_list(path, raw)):
        here = f"{path}[{i}]"
        yield here, _map(here, item)


def taints(raw: Any, path: str = "spec.taints") -> tuple[Taint, ...]:
    """A node's `spec.taints`."""
    return tuple(
        _build(here, Taint, t.get("key", ""), t.get("value") or "", t.get("effect"))
        for here, t in _entries(path, raw)
    )


def tolerations(raw: Any, path: str = "spec.tolerations") -> tuple[Toleration, ...]:
    """A pod's `tolerations` (operator defaults to Equal)."""
    return tuple(
        _build(
            here,
            Toleration,
            t.get("key") or "",
            t.get("operator") or "Equal",
            t.get("value") or "",
            t.get("effect") or "",
            t.get("tolerationSeconds"),
        )
        for here, t in _entries(path, raw)
    )


def _requirements(path: str, raw: Any) -> tuple[Requirement, ...]:
    return tuple(
        _build(
            here,
            Requirement,
            r.get("key", ""),
            r.get("operator"),
            tuple(str(v) for v in r.get("values") or ()),
        )
        for here, r in _entries(path, raw)
    )


def label_selector(raw: Any, path: str) -> LabelSelector | None:
    """A metav1.LabelSelector; absent (None) stays None, which matches nothing."""
    if raw is None:
        return None
    raw = _map(path, raw)
    labels = {
        str(k): str(v) for k, v in _map(f"{path}.matchLabels", raw.get("matchLabels")).items()
    }
    expressions = _requirements(f"{path}.matchExpressions", raw.get("matchExpressions"))
    return _build(path, LabelSelector, labels, expressions)


def _term(path: str, raw: Any) -> NodeSelectorTerm:
    raw = _map(path, raw)
    return NodeSelectorTerm(
        _requirements(f"{path}.matchExpressions", raw.get("matchExpressions")),
        _requirements(f"{path}.matchFields", raw.get("matchFields")),
    )


def _preferred(path: str, raw: Any, key: str, make, read_term) -> tuple:
    """`preferredDuringSchedulingIgnoredDuringExecution`: each item's weight (1..100) and
    its term under `key`, read by `read_term`, made into `make(weight, term)`."""
    path = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    items = raw.get("preferredDuringSchedulingIgnoredDuringExecution")
    out = []
    for here, item in _entries(path, items):
        weight = item.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise PlacementError(f"{here}.weight", f"must be an integer in 1..100, got {weight!r}")
        out.append(make(weight, read_term(f"{here}.{key}", item.get(key))))
    return tuple(out)


def _node_affinity(path: str, raw: Any) -> NodeAffinity | None:
    if raw is None:
        return None
    raw = _map(path, raw)
    required = None
    req = raw.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        terms_path = f"{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        terms = _list(terms_path, _map(terms_path, req).get("nodeSelectorTerms"))
        required = tuple(_term(f"{terms_path}[{i}]", t) for i, t in enumerate(terms))
    preferred = _preferred(path, raw, "preference", PreferredSchedulingTerm, _term)
    return NodeAffinity(required, preferred)


def _pod_term(path: str, raw: Any) -> PodAffinityTerm:
    raw = _map(path, raw)
    if raw.get("namespaceSelector") is not None:
        raise PlacementError(
            f"{path}.namespaceSelector", "not simulated; list the namespaces in `namespaces`"
        )
    return _build(
        path,
        PodAffinityTerm,
        label_selector(raw.get("labelSelector"), f"{path}.labelSelector"),
        raw.get("topologyKey", ""),
        tuple(_list(f"{path}.namespaces", raw.get("namespaces"))),
    )


def _pod_affinity(path: str, raw: Any) -> PodAffinity | None:
    if raw is None:
        return None
    raw = _map(path, raw)
    req_path = f"{path}.requiredDuringSchedulingIgnoredDuringExecution"
    required = tuple(
        _pod_term(f"{req_path}[{i}]", t)
        for i, t in enumerate(
            _list(req_path, raw.get("requiredDuringSchedulingIgnoredDuringExecution"))
        )
    )
    preferred = _preferred(path, raw, "podAffinityTerm", WeightedPodAffinityTerm, _pod_term)
    return PodAffinity(required, preferred)


def affinity(raw: Any, path: str = "spec.affinity") -> Affinity | None:
    """A pod's `affinity` (nodeAffinity, podAffinity, podAntiAffinity)."""
    if raw is None:
        return None
    raw = _map(path, raw)
    out = Affinity(
        _node_affinity(f"{path}.nodeAffinity", raw.get("nodeAffinity")),
        _pod_affinity(f"{path}.podAffinity", raw.get("podAffinity")),
        _pod_affinity(f"{path}.podAntiAffinity", raw.get("podAntiAffinity")),
    )
    return out if out != Affinity() else None


def topology_spread_constraints(
    raw: Any, path: str = "spec.topologySpreadConstraints"
) -> tuple[TopologySpreadConstraint, ...]:
    """A pod's `topologySpreadConstraints` (policies default to Honor / Ignore)."""
    return tuple(
        _build(
            here,
            TopologySpreadConstraint,
            c.get("maxSkew"),
            c.get("topologyKey", ""),
            c.get("whenUnsatisfiable", "DoNotSchedule"),
            label_selector(c.get("labelSelector"), f"{here}.labelSelector"),
            c.get("minDomains"),
            c.get("nodeAffinityPolicy") or "Honor",
            c.get("nodeTaintsPolicy") or "Ignore",
            tuple(_list(f"{here}.matchLabelKeys", c.get("matchLabelKeys"))),
        )
        for here, c in _entries(path, raw)
    )


def pod_placement(spec: Mapping[str, Any], path: str = "spec") -> dict[str, Any]:
    """The placement keyword arguments of Pod / PodTemplate from a pod spec."""
    node_selector = _map(f"{path}.nodeSelector", spec.get("nodeSelector"))
    return {
        "tolerations": tolerations(spec.get("tolerations"), f"{path}.tolerations"),
        "node_selector": {str(k): str(v) for k, v in node_selector.items()},
        "affinity": affinity(spec.get("affinity"), f"{path}.affinity"),
        "topology_spread_constraints": topology_spread_constraints(
            spec.get("topologySpreadConstraints"), f"{path}.topologySpreadConstraints"
        ),
    }
