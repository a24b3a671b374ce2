"""The EndpointSlice controller: which pods stand behind a Service, and in what condition
(pkg/controller/endpointslice/, built on staging/src/k8s.io/endpointslice/; k8s_formulas.md §9).

For every Service with a selector it lists the matching pods that `should_pod_be_in_endpoints`
(a pod IP, not finished; terminating pods included) and writes one endpoint per pod with the
conditions of `endpoint_conditions` (podToEndpoint), up to 100 per slice. Simplified: slices
are refilled in pod order rather than by upstream's minimal-change packing.
"""

from __future__ import annotations

from msa_course.orchestration.placement import LABEL_ZONE
from msa_course.orchestration.services import (
    MAX_ENDPOINTS_PER_SLICE,
    Endpoint,
    EndpointConditions,
    EndpointSlice,
    Service,
)
from msa_course.orchestration.store import ALPHANUMS, PodRecord, Store


def endpoint_conditions(
    pod_ready: bool, terminating: bool, publish_not_ready_addresses: bool = False
) -> EndpointConditions:
    """podToEndpoint (staging/src/k8s.io/endpointslice/utils.go): serving is the pod's Ready
    condition; terminating is "has a deletion timestamp"; ready is serving and not
    terminating, or always with `publishNotReadyAddresses`."""
    serving = bool(pod_ready)
    terminating = bool(terminating)
    ready = bool(publish_not_ready_addresses) or (serving and not terminating)
    return EndpointConditions(ready=ready, serving=serving, terminating=terminating)


def should_pod_be_in_endpoints(
    *,
    phase: str = "Running",
    has_ip: bool = True,
    terminating: bool = False,
    include_terminating: bool = True,
) -> bool:
    """ShouldPodBeInEndpoints (staging/src/k8s.io/endpointslice/util/controller_utils.go): not
    finished (phase Succeeded or Failed, whatever the restartPolicy), has an IP, and not
    terminating unless terminating pods are wanted (the EndpointSlice controller wants them,
    so their conditions can say so)."""
    if phase in ("Succeeded", "Failed") or not has_ip:
        return False
    return include_terminating or not terminating


class EndpointSliceController:
    def __init__(self, store: Store):
        self.store = store
        # per Service, per pod (in the order pods appeared): (ports, endpoint)
        self._endpoints: dict[str, dict[str, tuple[tuple, Endpoint]]] = {}

    def sync_all(self) -> None:
        """Update the endpoints of the pods that changed, and rewrite the slices of every
        Service whose endpoints changed."""
        store = self.store
        changed = dict.fromkeys(store.pod_updates)  # in order of change, each once
        store.pod_updates.clear()
        for svc in store.services.values():
            known = self._endpoints.get(svc.name)
            if known is None:  # a new Service: every pod
                known = self._endpoints[svc.name] = {}
                names = list(store.pods)
            elif changed:
                names = [n for n in changed if n in store.pods or n in known]
            else:
                continue
            dirty = False
            for name in names:
                endpoint = self._endpoint(svc, store.pods.get(name))
                if endpoint != known.get(name):
                    dirty = True
                    if endpoint is None:
                        del known[name]
                    else:
                        known[name] = endpoint
            if dirty or svc.name not in store.endpointslices:
                self._write(svc, known)

    def _endpoint(self, svc: Service, record: PodRecord | None) -> tuple | None:
        """The pod's (ports, endpoint) for this Service, or None when it is not one."""
        if record is None or not svc.selector or record.pod.namespace != svc.namespace:
            return None
        labels = record.pod.labels
        if any(labels.get(k) != v for k, v in svc.selector.items()):
            return None
        terminating = record.deleting is not None
        if not should_pod_be_in_endpoints(has_ip=record.ip is not None, terminating=terminating):
            return None
        ports = tuple(
            (p.name, number, p.protocol)
            for p in svc.ports
            if (number := _find_port(record, p.target)) is not None
        )
        conditions = endpoint_conditions(record.ready, terminating, svc.publish_not_ready_addresses)
        node = record.pod.node_name
        zone = self.store.nodes[node].node.labels.get(LABEL_ZONE)
        return ports, Endpoint(record.ip, conditions, record.name, node, zone)

    def _write(self, svc: Service, known: dict) -> None:
        """Group the endpoints by ports, 100 to a slice (a Service without a selector gets no
        slices: its endpoints are managed by hand)."""
        store = self.store
        if not svc.selector:
            return
        groups: dict[tuple, list[Endpoint]] = {}
        for ports, endpoint in known.values():
            groups.setdefault(ports, []).append(endpoint)
        wanted = [
            (ports, tuple(eps[i : i + MAX_ENDPOINTS_PER_SLICE]))
            for ports, eps in groups.items()
            for i in range(0, len(eps), MAX_ENDPOINTS_PER_SLICE)
        ] or [((), ())]  # a placeholder slice, without ports, for a Service with no pods
        old = store.endpointslices.get(svc.name, [])
        names = [s.name for s in old]
        slices = []
        for i, (ports, endpoints) in enumerate(wanted):
            name = names[i] if i < len(names) else self._generate_name(svc.name)
            slices.append(EndpointSlice(name, svc.name, svc.namespace, ports, endpoints))
        store.endpointslices[svc.name] = slices
        store.slice_revision += 1

    def _generate_name(self, service: str) -> str:
        taken = {s.name for slices in self.store.endpointslices.values() for s in slices}
        while True:
            name = f"{service}-" + "".join(self.store.service_rng.choice(list(ALPHANUMS), 5))
            if name not in taken:
                return name


def _find_port(record: PodRecord, target: int | str) -> int | None:
    """FindPort: a number is used as is; a name is looked up in the containers' ports."""
    if isinstance(target, int):
        return target
    for container in record.pod.containers:
        if target in container.ports:
            return container.ports[target]
    return None
