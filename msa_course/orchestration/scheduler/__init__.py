"""A kube-scheduler for the simulator: Filter, then Score, then pick the best node.

Shaped like the real scheduling framework (pkg/scheduler/schedule_one.go,
docs/k8s_formulas.md §3-§4):

* Filter, in the default profile's order: NodeUnschedulable (cordoned nodes), TaintToleration
  (your taints, and the `node.kubernetes.io/not-ready` or `unreachable` NoSchedule taint
  of a node that is NotReady or stopped posting status), NodeAffinity (nodeSelector and
  required node affinity), NodeResourcesFit (pod count, then each requested resource),
  PodTopologySpread (DoNotSchedule constraints) and InterPodAffinity.
* On clusters of 100 nodes or more, filtering stops after `numFeasibleNodesToFind` feasible
  nodes, starting where the previous pod's search stopped (default 50 - nodes/125 per cent).
* Score: TaintToleration (weight 3), NodeAffinity (2), NodeResourcesFit (1),
  PodTopologySpread (2, with the system default spreading for pods a controller owns),
  InterPodAffinity (2) and NodeResourcesBalancedAllocation (1), each normalised to 0..100 and
  summed with its weight. One feasible node is taken without scoring. A plugin whose
  PreScore returns Skip (BalancedAllocation for a pod requesting no cpu or memory, since
  v1.33) adds nothing.
* Ties: a uniformly random choice among the top nodes, from a seeded generator.
* No node fits: the pod stays Pending with upstream's message, e.g. "0/3 nodes are
  available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption
  victims found for incoming pod." Every pod here has the same priority, so preemption,
  which only evicts lower-priority pods, never finds victims: it is not modelled further.

Not modelled: ImageLocality (weight 1), the volume and port plugins, pod priority.

Modules: profile.py (Profile, Decision, the Pending message), framework.py (the search, the
tie-break, binding), cycle.py (one cycle plugin by plugin, recorded), plain.py
(`PlainScheduler`, which runs that cycle), cached.py (`Scheduler`, which caches each pod
shape's resource Filter and Score over all nodes and redoes only the nodes a bind changed),
vectorised.py (its numpy resource scoring), constraints.py (taints, node affinity and
spreading over all nodes at once) and explain.py (why a pod went where it did). Both
schedulers consume the random generator identically, so on the same input they make the
same decisions (tested).
"""

from msa_course.orchestration.scheduler.cached import Scheduler
from msa_course.orchestration.scheduler.plain import PlainScheduler
from msa_course.orchestration.scheduler.profile import (
    Decision,
    Profile,
    fit_error_message,
    num_feasible_nodes_to_find,
)

__all__ = [
    "Decision",
    "PlainScheduler",
    "Profile",
    "Scheduler",
    "fit_error_message",
    "num_feasible_nodes_to_find",
]
