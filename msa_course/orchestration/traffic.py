"""Clients sending requests to Services, and what becomes of each request.

Not a Kubernetes component: the world around the cluster. `rates[service](t)` is the
request rate (per second) at time t, from clients spread evenly over the nodes. A request
opens a new connection to the ClusterIP; the client node's kube-proxy picks an endpoint by
its iptables rules (`kubeproxy.Route`). It fails when there is no usable endpoint (the
REJECT rule: connection refused) or when the chosen pod does not answer (its node is down,
its app is still starting, hung or failing: a timeout or an error).

Arrivals are Poisson and each request picks its endpoint independently, so the counts are
random with the cluster's seed; `kubeproxy.endpoint_shares` gives their expectation.
Requests are counted in epochs during which neither the routes nor any app's state change,
so a day costs what changes in it, not one draw per request.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# Longest step of the midpoint rule that integrates a rate over an epoch (seconds).
_STEP = 5.0


@dataclass
class ServiceTraffic:
    """Counts for one Service since the clients started: requests sent, answered per pod,
    failed (refused: no endpoint; unanswered: the chosen pod did not answer). With
    `bin_seconds`, `bins` holds the same per time bin: (start, answered by pod, refused,
    unanswered)."""

    sent: int = 0
    answered: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    unanswered: int = 0
    bins: list = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.refused + self.unanswered


class Traffic:
    def __init__(self, store, proxy, kubelet, seed: int, bin_seconds: float | None = None):
        if bin_seconds is not None and bin_seconds <= 0:
            raise ValueError(f"bin_seconds must be > 0, got {bin_seconds}")
        self.store, self.proxy, self.kubelet = store, proxy, kubelet
        self.rng = np.random.default_rng([seed, 2])
        self.bin_seconds = bin_seconds
        self.rates: dict[str, Callable[[float], float]] = {}
        self.stats: dict[str, ServiceTraffic] = {}
        self._start = 0.0
        self._key: tuple | None = None
        self._snapshot: dict = {}

    def observe(self) -> None:
        """Call after anything may have changed: closes the epoch if routes or apps changed."""
        if not self.rates:
            return
        key = (self.proxy.revision, self.kubelet.app_revision, tuple(self.rates))
        if key != self._key:
            self.close(self.store.now)
            self._key = key
            self._snapshot = self._take_snapshot()

    def close(self, now: float) -> None:
        """Count the requests of [start of epoch, now) with the epoch's routes and apps."""
        start, self._start = self._start, now
        if now <= start or not self._snapshot:
            return
        edges = [start, now]
        if self.bin_seconds:
            b = self.bin_seconds
            edges = [start, *np.arange(math.floor(start / b + 1) * b, now, b).tolist(), now]
        for name, routes in self._snapshot.items():
            rate = self.rates[name]
            stats = self.stats.setdefault(name, ServiceTraffic())
            for a, b in zip(edges, edges[1:]):
                n = int(self.rng.poisson(_integral(rate, a, b)))
                if not n:
                    continue
                answered, refused, unanswered = self._send(n, routes, stats)
                if self.bin_seconds:
                    self._bin(stats, a, answered, refused, unanswered)

    def _send(self, n: int, routes, stats: ServiceTraffic) -> tuple[dict, int, int]:
        stats.sent += n
        per_node = (
            [n] if len(routes) == 1 else self.rng.multinomial(n, [1 / len(routes)] * len(routes))
        )
        answered: dict[str, int] = {}
        refused = unanswered = 0
        for (route, answers), k in zip(routes, per_node):
            if not route.pods:
                stats.refused += int(k)
                refused += int(k)
                continue
            counts = self.rng.multinomial(k, route.shares)
            for pod, ok, c in zip(route.pods, answers, counts.tolist()):
                if not c:
                    continue
                if ok:
                    answered[pod] = answered.get(pod, 0) + c
                    stats.answered[pod] = stats.answered.get(pod, 0) + c
                else:
                    stats.unanswered += c
                    unanswered += c
        return answered, refused, unanswered

    def _bin(self, stats, t: float, answered: dict, refused: int, unanswered: int) -> None:
        start = math.floor(t / self.bin_seconds) * self.bin_seconds
        if not stats.bins or stats.bins[-1][0] != start:
            stats.bins.append((start, {}, 0, 0))
        t0, counts, r, u = stats.bins[-1]
        for pod, c in answered.items():
            counts[pod] = counts.get(pod, 0) + c
        stats.bins[-1] = (t0, counts, r + refused, u + unanswered)

    def _take_snapshot(self) -> dict:
        """Per Service: per client node, the route and whether each chosen pod answers."""
        pods, serves = self.store.pods, self.kubelet.serves
        snapshot = {}
        for name in self.rates:
            if name not in self.store.services:
                raise ValueError(f"traffic for {name!r}: no Service of that name")
            routes = self.proxy.routes.get(name) or {None: None}
            up = [n for n, r in self.store.nodes.items() if r.up]
            chosen = [routes[None]] if None in routes else [routes[n] for n in up]
            snapshot[name] = [
                (route, [p in pods and serves(pods[p]) for p in route.pods])
                for route in chosen
                if route is not None
            ] or [(_NO_ROUTE, [])]
        return snapshot


class _NoRoute:
    pods = ()


_NO_ROUTE = _NoRoute()


def _integral(rate: Callable[[float], float], a: float, b: float) -> float:
    """Requests expected in [a, b): the midpoint rule in steps of at most 5 s."""
    steps = max(1, math.ceil((b - a) / _STEP))
    h = (b - a) / steps
    total = sum(rate(a + (i + 0.5) * h) for i in range(steps)) * h
    if total < 0:
        raise ValueError(f"a request rate must be >= 0, got a negative rate near t = {a}")
    return total
