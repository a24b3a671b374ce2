"""Bin packing with the real scheduler: how many nodes a workload needs under each strategy.

`pack` places a workload on a pool of identical nodes with `Scheduler` and reports nodes
used against the lower bound: for each resource, ceil(total requests / one node's
allocatable); no placement can use fewer nodes than the largest of these. LeastAllocated
(the default) spreads pods over every node; MostAllocated and a rising
RequestedToCapacityRatio shape pack them, which is what a cluster autoscaler needs to free
whole nodes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from msa_course.i18n import N_
from msa_course.orchestration.objects import Container, Node, Pod, PodTemplate
from msa_course.orchestration.scheduler import Decision, Profile, Scheduler
from msa_course.orchestration.scheduler.explain import Explanation, explain_cycle, snapshot
from msa_course.orchestration.scheduler.framework import DefaultSelector

MI = 2**20
# Pod shapes (cpu millicores, memory MiB) of a microservice mix. Illustrative round sizes,
# not measurements: small API pods, queue consumers, a few JVM services, caches that want
# memory, batch jobs that want CPU. (No shape is called "worker": the nodes are.)
MIXED_SHAPES = {
    "api": (250, 256),
    "consumer": (1000, 512),
    "jvm": (500, 1536),
    "cache": (250, 2048),
    "batch": (2000, 1024),
    "sidecar-heavy": (100, 128),
}
MIXED_WEIGHTS = (0.35, 0.15, 0.15, 0.1, 0.1, 0.15)
WORKLOADS = (N_("mixed microservices"), N_("uniform web pods"), N_("cpu-heavy + memory-heavy"))
# A RequestedToCapacityRatio shape that rewards full nodes (the upstream docs' bin-packing
# example: utilization 0 -> score 0, 100 -> 10).
PACKING_SHAPE = ((0, 0), (100, 10))


def _pod(name: str, cpu: int, memory_mib: int) -> Pod:
    return Pod(name, (Container("app", requests={"cpu": cpu, "memory": memory_mib * MI}),))


def workload(kind: str, count: int, seed: int = 0) -> list[Pod]:
    """`count` pods of a named mix (WORKLOADS), drawn with `seed`, in creation order."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if kind == "uniform web pods":
        template = PodTemplate(
            {"app": "web"}, (Container("app", requests={"cpu": 250, "memory": 256 * MI}),)
        )
        return [template.instantiate(f"web-{i}") for i in range(count)]
    if kind == "cpu-heavy + memory-heavy":
        return [
            _pod(f"batch-{i}", 1500, 512) if i % 2 == 0 else _pod(f"cache-{i}", 250, 3072)
            for i in range(count)
        ]
    if kind != "mixed microservices":
        raise ValueError(f"workload must be one of {WORKLOADS}, got {kind!r}")
    rng = np.random.default_rng(seed)
    names = list(MIXED_SHAPES)
    picks = rng.choice(len(names), size=count, p=MIXED_WEIGHTS)
    return [_pod(f"{names[k]}-{i}", *MIXED_SHAPES[names[k]]) for i, k in enumerate(picks)]


def lower_bound(pods: Sequence[Pod], allocatable: dict[str, int]) -> dict[str, int]:
    """Fewest nodes any placement needs, per resource: ceil(sum of requests / allocatable)."""
    totals = {"cpu": 0, "memory": 0, "pods": len(pods)}
    for pod in pods:
        for name, amount in pod.requests().items():
            totals[name] = totals.get(name, 0) + amount
    out = {}
    for name, total in totals.items():
        capacity = allocatable.get(name, 0)
        out[name] = math.ceil(total / capacity) if capacity else (0 if total == 0 else math.inf)
    return out


@dataclass
class PackResult:
    """A placement: the scheduler (per-node usage), each pod's decision, and the counts.

    `states[k]` is the scheduler's search start and random generator state just before pod k,
    which `explain(k)` needs to rerun that pod's cycle."""

    scheduler: Scheduler
    pods: list[Pod]
    decisions: list[Decision]
    lower_bounds: dict[str, int]
    states: list[tuple[int, dict]] = field(default_factory=list)

    def explain(self, k: int) -> Explanation:
        """Why pod k (0-based) went where it did: its cycle on the cluster as it was then."""
        if not 0 <= k < len(self.pods):
            raise ValueError(f"pod index must be in 0..{len(self.pods) - 1}, got {k}")
        start, rng_state = self.states[k]
        before = [
            (pod, d.node)
            for pod, d in zip(self.pods[:k], self.decisions[:k], strict=True)
            if d.node is not None
        ]
        plain = snapshot(self.scheduler, before, start, rng_state)
        pod = self.pods[k]
        ask = dataclasses.replace(pod, node_name=None, message="", labels=dict(pod.labels))
        return explain_cycle(plain, ask)

    @property
    def nodes_used(self) -> int:
        return sum(1 for n in self.scheduler.nodes if self.scheduler.pods_on(n.name))

    @property
    def pending(self) -> list[Decision]:
        return [d for d in self.decisions if d.node is None]


def node_pool(count: int, cpu_cores: float, memory_gib: float, max_pods: int = 110) -> list[Node]:
    """`count` identical nodes (allocatable cpu, memory, pods), named like kind's workers."""
    if count < 1:
        raise ValueError(f"node count must be at least 1, got {count}")
    if cpu_cores <= 0 or memory_gib <= 0:
        raise ValueError(
            f"node cpu and memory must be > 0, got {cpu_cores} cores, {memory_gib} GiB"
        )
    alloc = {
        "cpu": round(cpu_cores * 1000),
        "memory": round(memory_gib * 1024) * MI,
        "pods": max_pods,
    }
    return [Node(f"worker-{i + 1}", dict(alloc)) for i in range(count)]


def pack(
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    profile: Profile | None = None,
    seed: int = 0,
    default_selector: DefaultSelector | None = None,
) -> PackResult:
    """Schedule `pods` in order onto `nodes` (fresh copies of both; inputs untouched).
    `default_selector` maps a pod to its owner's selector for the default spreading."""
    fresh = [
        dataclasses.replace(p, node_name=None, phase="Pending", message="", labels=dict(p.labels))
        for p in pods
    ]
    copies = [dataclasses.replace(n, allocatable=dict(n.allocatable)) for n in nodes]
    scheduler = Scheduler(copies, profile, seed, default_selector)
    states, decisions = [], []
    for pod in fresh:
        states.append((scheduler.next_start, scheduler.rng.bit_generator.state))
        decisions.append(scheduler.schedule_one(pod))
    bounds = lower_bound(fresh, dict(nodes[0].allocatable))
    return PackResult(scheduler, fresh, decisions, bounds, states)
