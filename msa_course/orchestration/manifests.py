"""Kubernetes YAML -> simulator objects, validated the way the API server would.

Each document is checked against the OpenAPI schema of one pinned Kubernetes version
(`K8S_VERSION`) by `kubernetes-validate` in strict mode (unknown fields are errors, as with
`kubectl apply --validate=strict`), then against the API server's rules the schema cannot
express (quantities, replicas >= 0, selector matches the template's labels, request <=
limit). Every problem is reported with its document number and field path, e.g.
`document 1 (Deployment web): spec.template.spec.containers[0].resources.requests.cpu:
'2 cores' is not a valid quantity`. Supported: v1 Pod, Node and Service, apps/v1 Deployment
and ReplicaSet, autoscaling/v2 HorizontalPodAutoscaler, with the placement fields (node taints;
tolerations, nodeSelector, affinity, topologySpreadConstraints) read by placement_manifest.py.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from msa_course.orchestration import placement_manifest
from msa_course.orchestration.kubelet import Probe
from msa_course.orchestration.objects import (
    DEFAULT_MAX_PODS,
    DEFAULT_SCALE_DOWN,
    DEFAULT_SCALE_UP,
    Container,
    Deployment,
    HorizontalPodAutoscaler,
    HPAScalingPolicy,
    HPAScalingRules,
    MetricTarget,
    Node,
    Pod,
    PodTemplate,
    ReplicaSet,
)
from msa_course.orchestration.quantity import parse_quantity, resource_amount
from msa_course.orchestration.services import Service, ServiceError, ServicePort

# The newest release (k8s_formulas.md: v1.36 is released); the scheduler's defaults match it.
K8S_VERSION = "1.36"
SUPPORTED = {
    "Pod": "v1",
    "Node": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "Service": "v1",
}
# core/v1 ProbeHandler: a probe names exactly one of these (API validation).
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
# Kinds the API serves that this simulator does not run: named, so they are not mistaken
# for typos.
OTHER_KINDS = (
    "ConfigMap Secret Namespace StatefulSet DaemonSet Job CronJob Ingress "
    "PersistentVolumeClaim PersistentVolume ServiceAccount Role RoleBinding ClusterRole "
    "ClusterRoleBinding NetworkPolicy PodDisruptionBudget LimitRange ResourceQuota Endpoints "
    "EndpointSlice StorageClass PriorityClass RuntimeClass"
).split()


class ManifestError(ValueError):
    """Every problem found in a set of manifests, one per line, each with where it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def load_manifests(source: str | Path) -> list[Any]:
    """Parse multi-document YAML (text or a file path) into simulator objects, in order.

    Raises ManifestError listing every problem: YAML syntax (with line and column), an
    unsupported kind or apiVersion, schema violations and API-server rules, each prefixed
    with "document N (Kind name)" (N counts from 1) and the field path.
    """
    text = _read(source)
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as err:
        raise ManifestError([_yaml_problem(err)]) from None
    if not documents:
        raise ManifestError(["no Kubernetes objects found: the YAML is empty"])
    problems: list[str] = []
    objects = []
    for number, doc in enumerate(documents, start=1):
        found = _check_document(number, doc)
        if found:
            problems += found
            continue
        where = f"document {number} ({doc['kind']} {doc['metadata']['name']})"
        try:
            objects.append(_CONVERT[doc["kind"]](doc))
        except _FieldError as err:
            problems.append(f"{where}: {err.path}: {err.message}")
    if problems:
        raise ManifestError(problems)
    return objects


def _read(source: str | Path) -> str:
    if isinstance(source, Path):
        return source.read_text()
    if not isinstance(source, str):
        raise ManifestError([f"expected YAML text or a file path, got {type(source).__name__}"])
    if "\n" not in source and source.endswith((".yaml", ".yml")):
        path = Path(source)
        if not path.exists():
            raise ManifestError([f"file not found: {source}"])
        return path.read_text()
    return source


def _yaml_problem(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return (
        f"YAML syntax error{where}: {problem} (check the indentation and that every "
        "'key: value' has a space after the colon)"
    )


def _check_document(number: int, doc: Any) -> list[str]:
    """Kind, apiVersion and schema problems of one document (empty list if none)."""
    if not isinstance(doc, dict):
        return [f"document {number}: expected a mapping of fields, got {type(doc).__name__}"]
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if not kind or not api_version:
        missing = " and ".join(k for k in ("apiVersion", "kind") if not doc.get(k))
        return [f"document {number}: {missing} is missing (e.g. apiVersion: apps/v1, kind: ...)"]
    name = (
        (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
    )
    where = f"document {number} ({kind} {name or '<no name>'})"
    if kind not in SUPPORTED:
        if kind in OTHER_KINDS:
            return [
                f"{where}: kind {kind} is valid Kubernetes but this simulator runs only "
                f"{', '.join(SUPPORTED)}; leave it out"
            ]
        close = difflib.get_close_matches(kind, [*SUPPORTED, *OTHER_KINDS], n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return [f"{where}: unknown kind {kind!r}{hint} (kinds are case-sensitive)"]
    if api_version != SUPPORTED[kind]:
        return [
            f"{where}: apiVersion: {api_version} does not serve {kind} in Kubernetes "
            f"{K8S_VERSION}; write apiVersion: {SUPPORTED[kind]}"
        ]
    schema_problem = _schema_problem(doc)
    if schema_problem:
        return [f"{where}: {schema_problem}"]
    if not name:
        return [f"{where}: metadata.name is required"]
    return []


def _schema_problem(doc: dict) -> str | None:
    """The schema violation kubernetes-validate finds (strict: unknown fields are errors)."""
    import kubernetes_validate

    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return f"{_path(err.absolute_path)}: {_explain(err)}"
    return None


def _path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part}]"
    return out or "(top level)"


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
}


def _explain(err) -> str:
    """jsonschema's message in a learner's words."""
    if err.validator == "additionalProperties":
        known = sorted(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in known]
        words = []
        for field in extra:
            close = difflib.get_close_matches(field, known, n=1)
            words.append(
                f"unknown field {field!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        return "; ".join(words)
    if err.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", err.message)
        return f"field {missing.group(1) if missing else err.message} is required here"
    if err.validator == "type":
        wanted = (
            err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        )
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted if t != "null")
        hint = (
            " (remove the quotes)" if isinstance(err.instance, str) and "integer" in wanted else ""
        )
        return f"{err.instance!r} should be {words}{hint}"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {err.validator_value}"
    return err.message


class _FieldError(Exception):
    def __init__(self, path: str, message: str):
        self.path, self.message = path, message


def _quantities(path: str, amounts: Any) -> dict[str, int]:
    out = {}
    for name, value in (amounts or {}).items():
        try:
            amount = resource_amount(name, value)
        except ValueError as err:
            raise _FieldError(
                f"{path}.{name}" if "/" not in name else f"{path}[{name}]", str(err)
            ) from None
        if amount < 0:
            raise _FieldError(f"{path}.{name}", f"{value!r} must be greater than or equal to 0")
        out[name] = amount
    return out


def _container(path: str, spec: dict) -> Container:
    resources = spec.get("resources") or {}
    limits = _quantities(f"{path}.resources.limits", resources.get("limits"))
    requests = _quantities(f"{path}.resources.requests", resources.get("requests"))
    # API defaulting: a limit with no request makes the request equal the limit.
    requests = {**limits, **requests}
    for name, limit in limits.items():
        if requests[name] > limit:
            raise _FieldError(
                f"{path}.resources.requests.{name}",
                f"must be less than or equal to the {name} limit ({resources['limits'][name]})",
            )
    return Container(
        name=spec["name"],
        image=spec.get("image", ""),
        requests=requests,
        limits=limits,
        restart_policy=spec.get("restartPolicy"),
        liveness_probe=_probe(f"{path}.livenessProbe", spec.get("livenessProbe"), liveness=True),
        readiness_probe=_probe(f"{path}.readinessProbe", spec.get("readinessProbe")),
        ports={p["name"]: p["containerPort"] for p in spec.get("ports") or [] if p.get("name")},
    )


def _probe(path: str, spec: dict | None, liveness: bool = False) -> Probe | None:
    """A probe's timing, defaulted as the API server does; its handler is not simulated."""
    if spec is None:
        return None
    handlers = [h for h in PROBE_HANDLERS if h in spec]
    if len(handlers) != 1:
        found = ", ".join(handlers) if handlers else "none"
        raise _FieldError(
            path, f"must specify exactly one handler ({', '.join(PROBE_HANDLERS)}); found {found}"
        )
    try:
        return Probe.from_manifest(spec, liveness=liveness)
    except ValueError as err:
        field, _, message = str(err).partition(" ")
        raise _FieldError(f"{path}.{field}", message) from None


def _pod_spec(path: str, spec: dict) -> tuple[tuple[Container, ...], tuple[Container, ...]]:
    containers = tuple(
        _container(f"{path}.containers[{i}]", c) for i, c in enumerate(spec["containers"])
    )
    init = tuple(
        _container(f"{path}.initContainers[{i}]", c)
        for i, c in enumerate(spec.get("initContainers") or [])
    )
    return containers, init


def _placement(path: str, spec: dict) -> dict:
    """tolerations, nodeSelector, affinity, topologySpreadConstraints (placement_manifest)."""
    try:
        return placement_manifest.pod_placement(spec, path)
    except placement_manifest.PlacementError as err:
        raise _FieldError(err.path, err.message) from None


def _named(doc: dict) -> dict:
    """`metadata.name` and `metadata.namespace` (default "default"), as keyword arguments."""
    return {
        "name": doc["metadata"]["name"],
        "namespace": doc["metadata"].get("namespace", "default"),
    }


def _workload(doc: dict) -> dict:
    """A Deployment's or ReplicaSet's name, namespace, replicas, selector and pod template,
    as keyword arguments."""
    spec = doc["spec"]
    replicas = spec.get("replicas", 1)
    if replicas is None:
        replicas = 1
    if replicas < 0:
        raise _FieldError("spec.replicas", f"{replicas} must be greater than or equal to 0")
    selector = spec["selector"]
    if selector.get("matchExpressions"):
        raise _FieldError(
            "spec.selector.matchExpressions", "not simulated; select with matchLabels only"
        )
    labels = (spec["template"].get("metadata") or {}).get("labels") or {}
    match = selector.get("matchLabels") or {}
    if not match or any(labels.get(k) != v for k, v in match.items()):
        raise _FieldError(
            "spec.template.metadata.labels",
            f"{labels} does not match spec.selector.matchLabels {match}: the template's "
            "labels must include every selector label",
        )
    pod_spec = spec["template"]["spec"]
    containers, init = _pod_spec("spec.template.spec", pod_spec)
    placement = _placement("spec.template.spec", pod_spec)
    template = PodTemplate(labels, containers, init, **placement)
    return {**_named(doc), "replicas": replicas, "selector": match, "template": template}


def _deployment(doc: dict) -> Deployment:
    workload = _workload(doc)
    strategy = doc["spec"].get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    return Deployment(
        **workload,
        strategy=strategy.get("type", "RollingUpdate"),
        max_surge=rolling.get("maxSurge", "25%"),
        max_unavailable=rolling.get("maxUnavailable", "25%"),
    )


def _replica_set(doc: dict) -> ReplicaSet:
    return ReplicaSet(**_workload(doc))


def _pod(doc: dict) -> Pod:
    containers, init = _pod_spec("spec", doc["spec"])
    return Pod(
        **_named(doc),
        labels=(doc["metadata"].get("labels") or {}),
        containers=containers,
        init_containers=init,
        node_name=doc["spec"].get("nodeName"),
        **_placement("spec", doc["spec"]),
    )


def _node(doc: dict) -> Node:
    status = doc.get("status") or {}
    amounts = status.get("allocatable") or status.get("capacity")
    field = "status.allocatable" if status.get("allocatable") else "status.capacity"
    if not amounts:
        raise _FieldError(
            "status.allocatable",
            "is required here: give the node's size, e.g. {cpu: '4', memory: 16Gi, pods: '110'}",
        )
    allocatable = _quantities(field, amounts)
    for key in ("cpu", "memory"):
        if key not in allocatable:
            raise _FieldError(f"{field}.{key}", "is required (cpu in cores, memory in bytes)")
    allocatable.setdefault("pods", DEFAULT_MAX_PODS)
    ready, reachable = True, True
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready":
            ready = condition.get("status") == "True"
            reachable = condition.get("status") != "Unknown"  # Unknown: the kubelet is silent
    spec = doc.get("spec") or {}
    try:
        taints = placement_manifest.taints(spec.get("taints"), "spec.taints")
    except placement_manifest.PlacementError as err:
        raise _FieldError(err.path, err.message) from None
    return Node(
        name=doc["metadata"]["name"],
        allocatable=allocatable,
        labels=doc["metadata"].get("labels") or {},
        unschedulable=bool(spec.get("unschedulable")),
        ready=ready,
        reachable=reachable,
        spec_taints=taints,
    )


def _rules(path: str, spec: dict | None, default: HPAScalingRules) -> HPAScalingRules:
    if spec is None:
        return default
    policies = tuple(
        HPAScalingPolicy(p["type"], p["value"], p["periodSeconds"])
        for p in spec.get("policies") or []
    )
    for i, policy in enumerate(policies):
        if policy.value <= 0 or policy.period_seconds <= 0:
            raise _FieldError(f"{path}.policies[{i}]", "value and periodSeconds must be > 0")
    return HPAScalingRules(
        policies=policies or default.policies,
        select_policy=spec.get("selectPolicy", "Max"),
        stabilization_window_seconds=spec.get(
            "stabilizationWindowSeconds", default.stabilization_window_seconds
        ),
        tolerance=_tolerance(f"{path}.tolerance", spec["tolerance"])
        if "tolerance" in spec
        else None,
    )


def _tolerance(path: str, raw) -> float:
    """`behavior.*.tolerance`, a Quantity >= 0 (KEP-4951): 0.05, "50m" and 2 are all valid."""
    try:
        value = parse_quantity(raw)
    except ValueError as err:
        raise _FieldError(path, f"{raw!r} is not a valid quantity") from err
    if value < 0:
        raise _FieldError(path, f"must be greater than or equal to 0, got {raw!r}")
    return float(value)


def _hpa(doc: dict) -> HorizontalPodAutoscaler:
    spec = doc["spec"]
    metrics = []
    for i, metric in enumerate(spec.get("metrics") or []):
        if metric["type"] != "Resource":
            raise _FieldError(f"spec.metrics[{i}].type", "only Resource metrics are simulated")
        target = metric["resource"]["target"]
        if target["type"] == "Utilization":
            value = target.get("averageUtilization")
        elif target["type"] == "AverageValue":
            raw = target.get("averageValue")
            value = None if raw is None else resource_amount(metric["resource"]["name"], raw)
        else:
            raise _FieldError(
                f"spec.metrics[{i}].resource.target.type", "must be Utilization or AverageValue"
            )
        if value is None:
            raise _FieldError(f"spec.metrics[{i}].resource.target", "needs a target value")
        metrics.append(MetricTarget(metric["resource"]["name"], target["type"], value))
    behavior = spec.get("behavior")
    min_replicas = spec.get("minReplicas", 1)
    if min_replicas < 1:  # 0 only with the alpha HPAScaleToZero feature gate
        raise _FieldError(
            "spec.minReplicas",
            f"{min_replicas} must be greater than or equal to 1 (no scale to zero)",
        )
    if spec["maxReplicas"] < min_replicas:
        raise _FieldError(
            "spec.maxReplicas",
            f"{spec['maxReplicas']} must be greater than or equal to minReplicas",
        )
    ref = spec["scaleTargetRef"]
    return HorizontalPodAutoscaler(
        **_named(doc),
        target_kind=ref["kind"],
        target_name=ref["name"],
        min_replicas=min_replicas,
        max_replicas=spec["maxReplicas"],
        metrics=tuple(metrics) or (MetricTarget(),),
        scale_up=None
        if behavior is None
        else _rules("spec.behavior.scaleUp", behavior.get("scaleUp"), DEFAULT_SCALE_UP),
        scale_down=None
        if behavior is None
        else _rules("spec.behavior.scaleDown", behavior.get("scaleDown"), DEFAULT_SCALE_DOWN),
    )


def _service(doc: dict) -> Service:
    """A v1 Service, defaulted and checked as the API server does (services.service_problem)."""
    spec = doc.get("spec") or {}
    if "sessionAffinity" in spec and spec["sessionAffinity"] != "None":
        raise _FieldError("spec.sessionAffinity", "ClientIP affinity is not simulated")
    ports = tuple(
        ServicePort(
            port=p["port"],
            target_port=p.get("targetPort"),
            name=p.get("name", ""),
            protocol=p.get("protocol", "TCP"),
            node_port=p.get("nodePort"),
        )
        for p in spec.get("ports") or []
    )
    try:
        return Service(
            **_named(doc),
            labels=doc["metadata"].get("labels") or {},
            selector=spec.get("selector") or {},
            ports=ports,
            type=spec.get("type", "ClusterIP"),
            cluster_ip=spec.get("clusterIP"),
            publish_not_ready_addresses=bool(spec.get("publishNotReadyAddresses")),
            internal_traffic_policy=spec.get("internalTrafficPolicy", "Cluster"),
            external_traffic_policy=spec.get("externalTrafficPolicy", "Cluster"),
        )
    except ServiceError as err:
        raise _FieldError(err.path, err.message) from None


_CONVERT: dict[str, Callable[[dict], Any]] = {
    "Pod": _pod,
    "Node": _node,
    "Deployment": _deployment,
    "ReplicaSet": _replica_set,
    "HorizontalPodAutoscaler": _hpa,
    "Service": _service,
}
