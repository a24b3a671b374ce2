"""`msa-course size-cluster`: how many Kubernetes nodes a class needs.

Each learner's server is a pod requesting the guarantees of deploy/z2jh/config.yaml. The pods
are placed by the course's own kube-scheduler (msa_course.orchestration.scheduler) with the
profile of the chart's user-scheduler (MostAllocated on cpu and memory, BalancedAllocation
off; z2jh values.yaml `scheduling.userScheduler`), on 1, 2, ... identical nodes until none
stays Pending. The lower bound beside it divides the class's total requests by one node's
allocatable; the scheduler's answer can be higher, because a pod never spans two nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "z2jh" / "config.yaml"


@dataclass(frozen=True)
class Sizing:
    learners: int
    nodes: int  # the fewest nodes on which the scheduler binds every learner
    lower_bound: int  # total requests / one node's allocatable, per resource, the largest
    per_node: list[int]  # learners bound to each node
    limiting: str  # the resource that runs out first on a node
    pending_with_one_fewer: str  # the scheduler's message for nodes - 1 ("" when nodes == 1)


def guarantees(config: Path = CONFIG) -> tuple[str, str]:
    """singleuser cpu and memory guarantees (Kubernetes quantities) from a z2jh config."""
    import yaml

    single = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("singleuser", {})
    cpu = (single.get("cpu") or {}).get("guarantee")
    memory = (single.get("memory") or {}).get("guarantee")
    if cpu is None or memory is None:
        raise ValueError(
            f"{config} sets no singleuser.cpu.guarantee or singleuser.memory.guarantee; "
            "pass --cpu-request and --memory-request"
        )
    return str(cpu), str(memory)


def _schedule(learners: int, nodes: int, cpu: int, memory: int, node_cpu: int, node_memory: int):
    from msa_course.orchestration.objects import Container, Node, Pod
    from msa_course.orchestration.scheduler import Profile, Scheduler

    cluster = [
        Node(f"node-{i + 1}", {"cpu": node_cpu, "memory": node_memory}) for i in range(nodes)
    ]
    profile = Profile(strategy="MostAllocated", balanced_allocation=None)
    scheduler = Scheduler(cluster, profile, seed=0)
    pods = [
        Pod(
            f"jupyter-learner{i:03d}",
            (Container("notebook", requests={"cpu": cpu, "memory": memory}),),
        )
        for i in range(learners)
    ]
    decisions = scheduler.schedule(pods)
    per_node = [len(scheduler.pods_on(n.name)) for n in cluster]
    pending = next((d.message for d in decisions if d.node is None), "")
    return per_node, pending


def size_cluster(
    learners: int, node_cpu: str, node_memory: str, cpu_request: str, memory_request: str
) -> Sizing:
    """Nodes needed for `learners` pods of the given requests (Kubernetes quantities)."""
    from msa_course.orchestration.objects import DEFAULT_MAX_PODS
    from msa_course.orchestration.quantity import to_int, to_milli

    if not isinstance(learners, int) or learners < 1:
        raise ValueError(f"learners must be a whole number >= 1, got {learners!r}")
    amounts = {}
    for name, value, convert in (
        ("node-cpu", node_cpu, to_milli),
        ("node-memory", node_memory, to_int),
        ("cpu-request", cpu_request, to_milli),
        ("memory-request", memory_request, to_int),
    ):
        amounts[name] = convert(value)
        if amounts[name] <= 0:
            raise ValueError(f"{name} must be more than 0, got {value!r}")
    cpu, memory = amounts["cpu-request"], amounts["memory-request"]
    n_cpu, n_mem = amounts["node-cpu"], amounts["node-memory"]
    fits = {"cpu": n_cpu // cpu, "memory": n_mem // memory, "pods": DEFAULT_MAX_PODS}
    if min(fits.values()) == 0:
        raise ValueError(
            f"one learner's request (cpu {cpu_request}, memory {memory_request}) is more than a "
            f"node's allocatable (cpu {node_cpu}, memory {node_memory}); use bigger nodes"
        )
    limiting = min(fits, key=fits.get)
    lower = max(
        math.ceil(learners * cpu / n_cpu),
        math.ceil(learners * memory / n_mem),
        math.ceil(learners / DEFAULT_MAX_PODS),
    )
    # Binary search between the lower bound and the node count at which every node holds as
    # many learners as fit (always enough); the scheduler decides each probe.
    low, high = lower, math.ceil(learners / min(fits.values()))
    results = {}
    while low < high:
        mid = (low + high) // 2
        results[mid] = _schedule(learners, mid, cpu, memory, n_cpu, n_mem)
        low, high = (low, mid) if not results[mid][1] else (mid + 1, high)
    if low not in results:
        results[low] = _schedule(learners, low, cpu, memory, n_cpu, n_mem)
    per_node, pending = results[low]
    if pending:
        raise RuntimeError(f"the scheduler left pods Pending on {low} nodes: {pending}")
    fewer = ""
    if low > 1:
        fewer = results.get(low - 1) or _schedule(learners, low - 1, cpu, memory, n_cpu, n_mem)
        fewer = fewer[1]
    return Sizing(learners, low, lower, per_node, limiting, fewer)


def add_arguments(parser) -> None:
    parser.add_argument("--learners", type=int, required=True, help="learners in the class")
    parser.add_argument(
        "--node-cpu",
        required=True,
        help="one node's allocatable CPU (kubectl describe node), e.g. 4 or 3920m",
    )
    parser.add_argument(
        "--node-memory", required=True, help="one node's allocatable memory, e.g. 15Gi"
    )
    parser.add_argument("--cpu-request", help="per learner (default: config's cpu guarantee)")
    parser.add_argument("--memory-request", help="per learner (default: config's memory guarantee)")
    parser.add_argument(
        "--config",
        type=Path,
        default=CONFIG,
        help="z2jh config.yaml to read guarantees from (default: deploy/z2jh)",
    )


def run(args) -> int:
    from collections import Counter

    from msa_course.cli import CommandError

    try:
        cpu, memory = args.cpu_request, args.memory_request
        if cpu is None or memory is None:
            if not args.config.is_file():
                raise ValueError(f"{args.config}: no such file; pass --config or the requests")
            default_cpu, default_memory = guarantees(args.config)
            cpu, memory = cpu or default_cpu, memory or default_memory
        s = size_cluster(args.learners, args.node_cpu, args.node_memory, cpu, memory)
    except ValueError as err:
        raise CommandError(str(err)) from None
    print(
        f"{s.learners} learners requesting cpu {cpu} and memory {memory} each, on nodes "
        f"with cpu {args.node_cpu} and memory {args.node_memory} allocatable:"
    )
    print(f"  nodes needed (scheduled by the course's kube-scheduler): {s.nodes}")
    print(f"  lower bound (total requests / one node):                 {s.lower_bound}")
    spread = ", ".join(f"{n} on {k} node{'s' * (k > 1)}" for n, k in Counter(s.per_node).items())
    print(f"  learners per node: {spread}; {s.limiting} runs out first")
    if s.pending_with_one_fewer:
        print(f"  with {s.nodes - 1}: {s.pending_with_one_fewer}")
    print("  Add room for the hub, proxy and user-scheduler pods and for DaemonSets.")
    return 0
