"""kube-proxy in iptables mode: which endpoints get a Service's traffic, and the rules that
spread it (kubernetes/kubernetes pkg/proxy; docs/k8s_formulas.md §9).

Public functions on plain values, as the scheduler plugins are:

* `categorize_endpoints` is `CategorizeEndpoints` (pkg/proxy/topology.go): Ready endpoints;
  when none is Ready anywhere, the ones that are serving and terminating (KEP-1669, GA in
  v1.28); topology hints; `internalTrafficPolicy`/`externalTrafficPolicy: Local`.
* `compute_probability` is `computeProbability` (pkg/proxy/iptables/proxier.go): rule i of n
  matches with probability 1/(n-i), printed with ten decimals; the last rule always matches.
* `saved_probability` is what `iptables-save` prints back: the statistic match stores
  round(p * 2^31) and prints it over 2^31 with eleven decimals (netfilter's
  extensions/libxt_statistic.c, statistic_parse and print_match).
* `endpoint_shares` is each endpoint's real share of new connections once the kernel applies
  those stored values; `service_chain_rules` writes the KUBE-SVC/KUBE-SEP rules as
  `writeServiceToEndpointRules` does, with the chain names of `servicePortChainName`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from msa_course.orchestration.placement import LABEL_ZONE

# pkg/proxy: the label a node's zone hint is matched against.
ZONE_LABEL = LABEL_ZONE
STATISTIC_SCALE = 0x80000000  # libxt_statistic: probability stored as a 31-bit fraction


@dataclass(frozen=True)
class ProxyEndpoint:
    """One endpoint as kube-proxy sees it (pkg/proxy BaseEndpointInfo): "ip:port", its three
    conditions, whether it is on this node, and its topology hints."""

    endpoint: str
    ready: bool = False
    serving: bool = False
    terminating: bool = False
    is_local: bool = False
    zone_hints: frozenset[str] = field(default_factory=frozenset)
    node_hints: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Categorized:
    """What CategorizeEndpoints returns. `cluster`/`local` are None when the Service never
    uses that traffic policy (as upstream's nil)."""

    cluster: tuple[ProxyEndpoint, ...] | None
    local: tuple[ProxyEndpoint, ...] | None
    all_reachable: tuple[ProxyEndpoint, ...]
    has_any: bool


def categorize_endpoints(
    endpoints: Iterable[ProxyEndpoint],
    *,
    internal_local: bool = False,
    external_local: bool = False,
    externally_accessible: bool = False,
    node_name: str = "",
    zone: str = "",
    prefer_same_node: bool = True,
) -> Categorized:
    """Which of a Service port's endpoints this node's kube-proxy sends traffic to.

    `internal_local`/`external_local` are `internalTrafficPolicy`/`externalTrafficPolicy:
    Local`; the external policy counts only for a Service reachable from outside
    (`externally_accessible`: NodePort, LoadBalancer or external IPs). `zone` is the node's
    topology.kubernetes.io/zone label; `prefer_same_node` is the PreferSameTrafficDistribution
    feature gate (on by default since v1.34).
    """
    endpoints = tuple(endpoints)
    if not endpoints:  # upstream returns nothing at all (nil lists)
        return Categorized(None, None, (), has_any=False)
    # serviceport.go UsesClusterEndpoints / UsesLocalEndpoints: an externally accessible port
    # needs Cluster endpoints even with externalTrafficPolicy Local (to short-circuit).
    uses_local = internal_local or (externally_accessible and external_local)
    uses_cluster = not internal_local or externally_accessible
    cluster: tuple[ProxyEndpoint, ...] | None = None
    has_any = False
    mode = ""
    if uses_cluster:
        mode = _topology_mode(endpoints, node_name, zone, prefer_same_node)
        cluster = tuple(e for e in endpoints if e.ready and _available(e, mode, node_name, zone))
        if not cluster:  # none Ready anywhere: fall back to serving, terminating ones
            cluster = tuple(e for e in endpoints if e.serving and e.terminating)
        has_any = bool(cluster)
    if not uses_local:
        return Categorized(cluster, None, cluster or (), has_any)
    local_ready = local_terminating = False
    for e in endpoints:
        if e.ready:
            has_any = True
            local_ready |= e.is_local
        elif e.serving and e.terminating:
            has_any = True
            local_terminating |= e.is_local
    local: tuple[ProxyEndpoint, ...] = ()
    if local_ready:
        local = tuple(e for e in endpoints if e.is_local and e.ready)
    elif local_terminating:
        local = tuple(e for e in endpoints if e.is_local and e.serving and e.terminating)
    if cluster is None:
        return Categorized(None, local, local, has_any)
    if mode == "" and not (local_terminating and not local_ready):
        return Categorized(cluster, local, cluster, has_any)  # cluster holds every local one
    merged = {e.endpoint: e for e in (*cluster, *local)}
    return Categorized(cluster, local, tuple(merged.values()), has_any)


def _topology_mode(endpoints, node_name: str, zone: str, prefer_same_node: bool) -> str:
    """topologyModeFromHints: "PreferSameNode", "PreferSameZone" or "" (no topology)."""
    ready = [e for e in endpoints if e.ready]
    if not ready:
        return ""
    if prefer_same_node and all(e.node_hints for e in ready):
        if any(node_name in e.node_hints for e in ready):
            return "PreferSameNode"
    if all(e.zone_hints for e in ready) and any(zone in e.zone_hints for e in ready):
        return "PreferSameZone"
    return ""


def _available(e: ProxyEndpoint, mode: str, node_name: str, zone: str) -> bool:
    if mode == "PreferSameNode":
        return node_name in e.node_hints
    if mode == "PreferSameZone":
        return zone in e.zone_hints
    return True


def compute_probability(n: int) -> str:
    """computeProbability: the --probability kube-proxy writes for 1 of n, e.g. 0.3333333333."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a whole number >= 1 (endpoints left), got {n!r}")
    return f"{1.0 / n:0.10f}"


def _stored(probability: str | float) -> int:
    """libxt_statistic statistic_parse: lround(0x80000000 * p)."""
    p = float(probability)
    if not 0 <= p <= 1:
        raise ValueError(f"a probability must be between 0 and 1, got {probability!r}")
    scaled = STATISTIC_SCALE * p
    return int(scaled + 0.5)  # lround: halves away from zero (p >= 0)


def saved_probability(probability: str | float) -> str:
    """How `iptables-save` prints a `--probability` it was given: 0.3333333333 comes back as
    0.33333333349 (stored as a 31-bit fraction, printed with %.11f)."""
    return f"{_stored(probability) / STATISTIC_SCALE:.11f}"


@functools.lru_cache(maxsize=1024)
def _shares(n: int) -> tuple[float, ...]:
    return tuple(endpoint_shares(n))


def endpoint_shares(n: int) -> list[float]:
    """Each of n endpoints' share of new connections through kube-proxy's chain.

    Rule i (0-based) catches what reaches it with the stored probability of 1/(n-i); the
    last rule takes the rest. The shares are equal up to the 31-bit rounding.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, got {n!r}")
    if n == 0:
        return []
    stored = [_stored(compute_probability(n - i)) / STATISTIC_SCALE for i in range(n - 1)]
    return chain_shares(stored)


def chain_shares(probabilities) -> list[float]:
    """The share of connections each rule of a chain catches: rule i matches what reaches it
    with `probabilities[i]`; one more rule at the end takes what is left."""
    shares, left = [], 1.0
    for p in probabilities:
        if not 0 <= p <= 1:
            raise ValueError(f"a probability must be between 0 and 1, got {p!r}")
        shares.append(left * p)
        left -= left * p
    return [*shares, left]


# ------------------------------------------------------------------ the iptables rules
def port_proto_hash(service_port_name: str, protocol: str) -> str:
    """portProtoHash: the first 16 characters of base32(sha256(name + protocol))."""
    digest = hashlib.sha256((service_port_name + protocol).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def service_chain_name(service_port_name: str, protocol: str = "tcp") -> str:
    """servicePortPolicyClusterChainName: KUBE-SVC-<hash of "ns/name:port" + protocol>."""
    return "KUBE-SVC-" + port_proto_hash(service_port_name, protocol.lower())


def endpoint_chain_name(service_port_name: str, endpoint: str, protocol: str = "tcp") -> str:
    """servicePortEndpointChainName: KUBE-SEP-<hash of name + protocol + "ip:port">."""
    return "KUBE-SEP-" + port_proto_hash(service_port_name + protocol.lower(), endpoint)


def service_chain_rules(
    service_port_name: str,
    cluster_ip: str,
    port: int,
    endpoints: Sequence[str],
    protocol: str = "tcp",
) -> list[str]:
    """The nat-table rules kube-proxy writes for one ClusterIP Service port (iptables-restore
    format), or the filter-table REJECT rule when it has no usable endpoint.

    `endpoints` are the usable "ip:port" strings; kube-proxy sorts them (endpointslicecache
    byEndpoint) before writing. Masquerade rules are left out: they do not pick endpoints.
    """
    proto = protocol.lower()
    name = service_port_name
    if not endpoints:
        return [
            f'-A KUBE-SERVICES -m comment --comment "{name} has no endpoints" -m {proto} '
            f"-p {proto} -d {cluster_ip} --dport {port} -j REJECT"
        ]
    svc = service_chain_name(name, proto)
    rules = [
        f'-A KUBE-SERVICES -m comment --comment "{name} cluster IP" -m {proto} -p {proto} '
        f"-d {cluster_ip} --dport {port} -j {svc}"
    ]
    ordered = sorted(endpoints)
    n = len(ordered)
    for i, endpoint in enumerate(ordered):
        rule = f'-A {svc} -m comment --comment "{name} -> {endpoint}"'
        if i < n - 1:
            rule += f" -m statistic --mode random --probability {compute_probability(n - i)}"
        rules.append(f"{rule} -j {endpoint_chain_name(name, endpoint, proto)}")
    for endpoint in ordered:
        sep = endpoint_chain_name(name, endpoint, proto)
        rules.append(
            f"-A {sep} -m comment --comment {name} -m {proto} -p {proto} -j DNAT "
            f"--to-destination {endpoint}"
        )
    return rules


def as_saved(rule: str) -> str:
    """A KUBE-SVC load-balancing rule as `iptables-save` prints it back (the probability)."""
    head, sep, tail = rule.partition("--probability ")
    if not sep:
        return rule
    value, _, rest = tail.partition(" ")
    return f"{head}{sep}{saved_probability(value)} {rest}".rstrip()


# ------------------------------------------------------------------ the node agent
@dataclass(frozen=True)
class Route:
    """Where one node's kube-proxy sends a Service's new connections: the usable endpoints
    in chain order (pod names and "ip:port"), each one's share, and whether these are the
    serving-terminating fallback."""

    pods: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    shares: tuple[float, ...] = ()
    fallback: bool = False


class KubeProxy:
    """Every node's kube-proxy: turns the store's EndpointSlices into routes (the iptables
    rules, as `categorize_endpoints` and `endpoint_shares` decide them).

    With `internalTrafficPolicy: Cluster` every node routes alike (one route, key None); with
    Local each node has its own, key = node name.
    """

    def __init__(self, store):
        self.store = store
        self.routes: dict[str, dict[str | None, Route]] = {}
        self.revision = 0  # bumped whenever a route changes
        self._seen = -1
        self._seen_endpoints: dict[int, tuple] = {}  # id -> (Endpoint, port, ProxyEndpoint)

    def sync(self) -> None:
        store = self.store
        if store.slice_revision == self._seen:
            return
        self._seen = store.slice_revision
        if len(self._seen_endpoints) > 20000:  # drop what stale slices left behind
            self._seen_endpoints.clear()
        routes = {name: self._routes(svc) for name, svc in store.services.items()}
        if routes != self.routes:
            self.routes = routes
            self.revision += 1

    def rules(self, service: str, node: str | None = None) -> list[str]:
        """The rules this kube-proxy wrote for a Service's first port (on `node`, for a
        Service with internalTrafficPolicy Local): `service_chain_rules` of its route."""
        svc = self.store.services.get(service)
        if svc is None:
            raise ValueError(f"no service named {service!r}; have {sorted(self.store.services)}")
        if not svc.ports or svc.headless:
            return []
        routes = self.routes.get(service, {})
        route = routes.get(None, routes.get(node, Route()))
        port = svc.ports[0]
        return service_chain_rules(
            svc.port_name(port), svc.cluster_ip, port.port, route.endpoints, port.protocol
        )

    def _routes(self, svc) -> dict[str | None, Route]:
        if not svc.ports or svc.headless:
            return {}
        first = svc.ports[0]
        endpoints = []
        seen = self._seen_endpoints
        for s in self.store.endpointslices.get(svc.name, []):
            port = next((number for name, number, _ in s.ports if name == first.name), None)
            if port is None:
                continue
            for e in s.endpoints:
                cached = seen.get(id(e))  # the controller keeps an unchanged pod's Endpoint
                if cached is None or cached[0] is not e or cached[1] != port:
                    c = e.conditions
                    address = f"{e.address}:{port}"
                    proxy = ProxyEndpoint(address, c.ready, c.serving, c.terminating)
                    cached = seen[id(e)] = (e, port, proxy)
                endpoints.append((cached[2], e))
        pods = {p.endpoint: e.pod for p, e in endpoints}
        nodes = {p.endpoint: e.node_name for p, e in endpoints}
        if svc.internal_traffic_policy == "Cluster":
            found = categorize_endpoints([p for p, _ in endpoints])
            return {None: _route(found.cluster or (), pods)}
        routes = {}
        for node in self.store.nodes:
            local = [replace(p, is_local=nodes[p.endpoint] == node) for p, _ in endpoints]
            found = categorize_endpoints(local, internal_local=True, node_name=node)
            routes[node] = _route(found.local or (), pods)
        return routes


def _route(usable: Sequence[ProxyEndpoint], pods: dict[str, str]) -> Route:
    ordered = sorted(e.endpoint for e in usable)  # endpointslicecache: byEndpoint
    fallback = bool(usable) and not any(e.ready for e in usable)
    return Route(tuple(pods[e] for e in ordered), tuple(ordered), _shares(len(ordered)), fallback)
