"""kubectl's views of the simulated cluster: `kubectl get` tables that only read the store.

Each function returns rows (a header, then one row per object) that `format_table` pads as
kubectl prints them; `mapping_of` turns them into dicts for tests and exercises.
"""

from __future__ import annotations

from collections.abc import Mapping

from msa_course.i18n import pad, width
from msa_course.orchestration.store import Event, Store


def events(store: Store) -> list[Event]:
    """Every event, oldest last-seen first (as `kubectl get events` sorts)."""
    return sorted(store.events.values(), key=lambda e: (e.last, e.first))


def get_pods(store: Store) -> list[list[str]]:
    """`kubectl get pods -o wide` (the wide columns show where each pod runs)."""
    now = store.now
    rows = [[
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
        "READINESS GATES",
    ]]  # fmt: skip
    for name, r in sorted(store.pods.items()):
        if r.deleting is not None:
            status = "Terminating"
        elif r.pod.node_name is None:
            status = "Pending"
        else:
            status = r.container
        restarts = str(r.restarts)
        if r.last_restart is not None and r.last_restart <= now:
            restarts += f" ({human_duration(now - r.last_restart)} ago)"
        rows.append([
            name,
            f"{int(r.ready)}/1",
            status,
            restarts,
            human_duration(now - r.created),
            r.ip or "<none>",
            r.pod.node_name or "<none>",
            "<none>",
            "<none>",
        ])  # fmt: skip
    return rows


def get_deployments(store: Store) -> list[list[str]]:
    rows = [["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]]
    for name, record in sorted(store.deployments.items()):
        d = record.deployment
        runs = [r for r in store.pods.values() if r.deployment == name]
        ready = sum(r.ready for r in runs if r.deleting is None)
        new = next(
            (
                w
                for w in store.replicasets.values()
                if w.deployment == name and w.rs.template == d.template
            ),
            None,
        )
        updated = sum(1 for r in runs if new and r.owner == new.rs.name and r.deleting is None)
        rows.append([
            name,
            f"{ready}/{d.replicas}",
            str(updated),
            str(ready),
            human_duration(store.now - record.created),
        ])  # fmt: skip
    return rows


def get_replicasets(store: Store) -> list[list[str]]:
    rows = [["NAME", "DESIRED", "CURRENT", "READY", "AGE"]]
    for name, w in sorted(store.replicasets.items()):
        current = sum(1 for r in store.pods.values() if r.owner == name)
        rows.append([
            name,
            str(w.rs.replicas),
            str(current),
            str(store.ready_count(name)),
            human_duration(store.now - w.created),
        ])  # fmt: skip
    return rows


def get_hpa(store: Store) -> list[list[str]]:
    rows = [["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]]
    for name, a in sorted(store.hpas.items()):
        target = a.hpa.metrics[0].value
        current = "<unknown>" if a.utilization is None else f"{a.utilization}%"
        d = store.deployment(a.hpa.target_name)
        rows.append([
            name,
            f"Deployment/{d.name}",
            f"cpu: {current}/{target}%",
            str(a.hpa.min_replicas),
            str(a.hpa.max_replicas),
            str(d.replicas),
            human_duration(store.now - a.created),
        ])  # fmt: skip
    return rows


def get_nodes(store: Store) -> list[list[str]]:
    """`kubectl get nodes`' NAME and STATUS, then what `kubectl describe node` shows of each node
    (its non-terminated pods, and the CPU requests under "Allocated resources")."""
    rows = [["NAME", "STATUS", "PODS", "CPU REQUESTS"]]
    for name, n in store.nodes.items():
        pods = [r.pod for r in store.pods_on(name)]
        requested = sum(p.requests().get("cpu", 0) for p in pods)
        cpu = requested * 100 // n.node.allocatable["cpu"]
        status = "Ready" if n.node.ready else "NotReady"
        rows.append([name, status, str(len(pods)), f"{cpu}%"])
    return rows


def get_events(store: Store, last: int | None = None) -> list[list[str]]:
    rows = [["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]]
    seen = events(store)
    for e in seen[-last:] if last else seen:
        rows.append([human_duration(store.now - e.last), e.type, e.reason, e.object, e.message])
    return rows


def get_services(store: Store) -> list[list[str]]:
    """`kubectl get svc`: PORT(S) shows port:nodePort/protocol; a LoadBalancer's EXTERNAL-IP
    stays <pending> without a cloud provider's controller to give it one."""
    rows = [["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]]
    for name, svc in sorted(store.services.items()):
        ports = ",".join(
            f"{p.port}:{p.node_port}/{p.protocol}" if p.node_port else f"{p.port}/{p.protocol}"
            for p in svc.ports
        )
        external = "<pending>" if svc.type == "LoadBalancer" else "<none>"
        age = human_duration(store.now - store.service_created[name])
        rows.append([name, svc.type, svc.cluster_ip, external, ports or "<none>", age])
    return rows


def _listed(items: list[str]) -> str:
    """printers.go listWithMoreString: three, then "+ N more..."."""
    if not items:
        return "<unset>"
    shown = ",".join(items[:3])
    return f"{shown} + {len(items) - 3} more..." if len(items) > 3 else shown


def get_endpointslices(store: Store) -> list[list[str]]:
    """`kubectl get endpointslices`: ENDPOINTS lists addresses whatever their conditions
    (three, then "+ N more..."); the conditions are in `get_endpoints`."""
    rows = [["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]]
    for service, slices in sorted(store.endpointslices.items()):
        age = human_duration(store.now - store.service_created[service])
        for s in slices:
            ports = _listed([str(number) for _, number, _ in s.ports])
            addresses = _listed([e.address for e in s.endpoints])
            rows.append([s.name, s.address_type, ports, addresses, age])
    return rows


def get_endpoints(store: Store, service: str) -> list[list[str]]:
    """Each endpoint of a Service with its conditions (what `kubectl get endpointslice -o
    yaml` shows under endpoints[].conditions)."""
    if service not in store.services:
        raise ValueError(f"no service named {service!r}; have {sorted(store.services)}")
    rows = [["ADDRESS", "READY", "SERVING", "TERMINATING", "POD", "NODE"]]
    for s in store.endpointslices.get(service, []):
        for e in s.endpoints:
            c = e.conditions
            rows.append([
                e.address,
                str(c.ready).lower(),
                str(c.serving).lower(),
                str(c.terminating).lower(),
                e.pod,
                e.node_name or "<none>",
            ])  # fmt: skip
    return rows


def human_duration(seconds: float) -> str:
    """kubectl's AGE format (apimachinery duration.HumanDuration): 45s, 2m10s, 3h5m, 2d."""
    s = int(seconds)
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    return f"{hours // 24}d"


def format_table(rows: list[list[str]]) -> str:
    """Columns padded as kubectl prints them (3 spaces between columns), by the width a
    monospace font draws: a Hangul syllable (a translated header) takes two columns."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "   ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows
    )


def mapping_of(rows: list[list[str]]) -> list[Mapping[str, str]]:
    """Table rows as dicts keyed by the header (handy in tests and exercises)."""
    return [dict(zip(rows[0], row)) for row in rows[1:]]
