"""Services: a stable name and address in front of a changing set of pods.

The API objects (core/v1 Service, discovery/v1 EndpointSlice) as plain dataclasses, the
checks the API server makes on a Service, and cluster DNS (docs/k8s_formulas.md §9):

* A Service gets a ClusterIP from the service range (kubeadm's default 10.96.0.0/12; the
  `kubernetes` Service holds 10.96.0.1 and kube-dns 10.96.0.10). Dynamic allocations come
  from above the range's static band (ServiceIPStaticSubrange, GA in v1.26).
* type NodePort also opens a port from 30000-32767 on every node; type LoadBalancer also
  asks a cloud provider's controller for an external address, which a cluster without one
  never gets (`kubectl get svc` shows EXTERNAL-IP <pending>).
* DNS: `<service>.<namespace>.svc.cluster.local` resolves to the ClusterIP (a headless
  Service, `clusterIP: None`, to its ready pods' IPs). A pod's resolv.conf searches
  `<namespace>.svc.cluster.local svc.cluster.local cluster.local` with `ndots:5`, so `web`
  finds the Service in the pod's own namespace and `web.shop` the one in namespace shop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

SERVICE_CIDR = "10.96.0.0/12"  # kubeadm --service-cidr default
CLUSTER_DOMAIN = "cluster.local"
NODE_PORT_RANGE = (30000, 32767)  # kube-apiserver --service-node-port-range default
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
PROTOCOLS = ("TCP", "UDP", "SCTP")
# --max-endpoints-per-slice default (the EndpointSlice controller).
MAX_ENDPOINTS_PER_SLICE = 100


class ServiceError(ValueError):
    """A Service the API server would reject: `path` is the field, `message` why."""

    def __init__(self, name: str, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"Service {name!r}: {path}: {message}")


@dataclass(frozen=True)
class ServicePort:
    """One `spec.ports` entry: clients use `port`; traffic goes to the pod's `target_port`
    (a number, or the name of a container port; defaults to `port`)."""

    port: int
    target_port: int | str | None = None
    name: str = ""
    protocol: str = "TCP"
    node_port: int | None = None

    @property
    def target(self) -> int | str:
        return self.port if self.target_port is None else self.target_port


@dataclass
class Service:
    """core/v1 Service. `cluster_ip` is given out when the Service is created (None until
    then; "None" for a headless Service); `node_ports` likewise for NodePort/LoadBalancer."""

    name: str
    selector: Mapping[str, str]
    ports: tuple[ServicePort, ...]
    type: str = "ClusterIP"
    namespace: str = "default"
    cluster_ip: str | None = None
    publish_not_ready_addresses: bool = False
    internal_traffic_policy: str = "Cluster"
    external_traffic_policy: str = "Cluster"
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ports = tuple(self.ports)
        problem = service_problem(self)
        if problem:
            raise ServiceError(self.name, *problem)

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"

    @property
    def dns_name(self) -> str:
        return dns_name(self.name, self.namespace)

    def port_name(self, port: ServicePort) -> str:
        """The ServicePortName kube-proxy keys its rules by: "namespace/name:portname", or
        "namespace/name" for an unnamed port (pkg/proxy ServicePortName.String)."""
        suffix = f":{port.name}" if port.name else ""
        return f"{self.namespace}/{self.name}{suffix}"


def service_problem(svc: Service) -> tuple[str, str] | None:
    """The first rule of the API server's ValidateService a Service breaks, as (field path,
    message), or None. The OpenAPI schema checks (field names, types) come before this in
    load_manifests."""
    if svc.type == "ExternalName":
        return "spec.type", "ExternalName (a DNS alias, no proxying) is not simulated"
    if svc.type not in SERVICE_TYPES:
        return "spec.type", f"Unsupported value: {svc.type!r}: supported values: {SERVICE_TYPES}"
    if not svc.ports and not svc.headless:
        return "spec.ports", "Required value"
    names = [p.name for p in svc.ports]
    seen: set = set()
    for i, p in enumerate(svc.ports):
        where = f"spec.ports[{i}]"
        if len(svc.ports) > 1 and not p.name:
            return f"{where}.name", "Required value (a Service with several ports names each)"
        if p.name and names.count(p.name) > 1:
            return f"{where}.name", f"Duplicate value: {p.name!r}"
        if not isinstance(p.port, int) or not 1 <= p.port <= 65535:
            return f"{where}.port", f"Invalid value: {p.port!r}: must be between 1 and 65535"
        if (p.port, p.protocol) in seen:
            return f"{where}", f"Duplicate value: port {p.port}/{p.protocol}"
        seen.add((p.port, p.protocol))
        if p.protocol not in PROTOCOLS:
            return f"{where}.protocol", f"Unsupported value: {p.protocol!r}: supported {PROTOCOLS}"
        target = p.target
        if isinstance(target, int) and not 1 <= target <= 65535:
            return f"{where}.targetPort", f"Invalid value: {target}: must be between 1 and 65535"
        if p.node_port is not None:
            if svc.type == "ClusterIP":
                return (
                    f"{where}.nodePort",
                    "Forbidden: may not be used when `type` is 'ClusterIP'",
                )
            low, high = NODE_PORT_RANGE
            if not low <= p.node_port <= high:
                return (
                    f"{where}.nodePort",
                    f"Invalid value: {p.node_port}: provided port is not in the valid range. "
                    f"The range of valid ports is {low}-{high}",
                )
    if svc.headless and svc.type != "ClusterIP":
        return "spec.clusterIP", "Invalid value: 'None': may only be set for type ClusterIP"
    for path, value in (
        ("spec.internalTrafficPolicy", svc.internal_traffic_policy),
        ("spec.externalTrafficPolicy", svc.external_traffic_policy),
    ):
        if value not in ("Cluster", "Local"):
            return path, f"Unsupported value: {value!r}: supported values: 'Cluster', 'Local'"
    if svc.external_traffic_policy == "Local" and svc.type == "ClusterIP":
        return (
            "spec.externalTrafficPolicy",
            "Invalid value: 'Local': may only be set for externally-accessible services",
        )
    return None


@dataclass(frozen=True)
class EndpointConditions:
    """discovery/v1 EndpointConditions (KEP-1672): `ready` = may take new traffic;
    `serving` = the pod's Ready condition, whether or not it is terminating;
    `terminating` = the pod is being deleted."""

    ready: bool
    serving: bool
    terminating: bool


@dataclass(frozen=True)
class Endpoint:
    """One discovery/v1 Endpoint: the pod's address, conditions, node and zone."""

    address: str
    conditions: EndpointConditions
    pod: str
    node_name: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class EndpointSlice:
    """discovery/v1 EndpointSlice: up to 100 endpoints of one Service, for one set of ports
    (`ports`: (name, number, protocol) per Service port)."""

    name: str
    service: str
    namespace: str
    ports: tuple[tuple[str, int, str], ...]
    endpoints: tuple[Endpoint, ...]
    address_type: str = "IPv4"


def dns_name(service: str, namespace: str = "default") -> str:
    """A Service's DNS name: `<service>.<namespace>.svc.cluster.local`."""
    return f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}"


def search_path(namespace: str = "default") -> tuple[str, ...]:
    """The search domains the kubelet writes into a pod's /etc/resolv.conf (ClusterFirst)."""
    return (f"{namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN)


def lookup_names(name: str, namespace: str = "default", ndots: int = 5) -> list[str]:
    """The names a pod's resolver tries for `name`, in order (resolv.conf `ndots:5`: a name
    with fewer than 5 dots goes through the search list first; a trailing dot means as is)."""
    if name.endswith("."):
        return [name[:-1]]
    tries = [f"{name}.{domain}" for domain in search_path(namespace)]
    return [name, *tries] if name.count(".") >= ndots else [*tries, name]


def allocate_cluster_ip(taken: set[str], rng) -> str:
    """A free ClusterIP from the dynamic band of SERVICE_CIDR (above the static band of
    min(max(16, size/16), 256) addresses that ServiceIPStaticSubrange keeps for fixed IPs)."""
    net = ipaddress.ip_network(SERVICE_CIDR)
    size = net.num_addresses - 2  # no network or broadcast address
    static = min(max(16, size // 16), 256)
    while True:
        ip = str(net.network_address + 1 + static + int(rng.integers(size - static)))
        if ip not in taken:
            return ip


def allocate_node_port(taken: set[int], rng) -> int:
    """A free node port, from above the static band (ServiceNodePortStaticSubrange)."""
    low, high = NODE_PORT_RANGE
    size = high - low + 1
    static = min(max(16, size // 32), 128)
    while True:
        port = low + static + int(rng.integers(size - static))
        if port not in taken:
            return port
