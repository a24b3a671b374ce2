"""A kube-scheduler for the simulator: Filter, then Score, then pick the best node.

Shaped like the real scheduling framework (pkg/scheduler/schedule_one.go,
docs/k8s_formulas.md §3-§4):

* Filter, in the default profile's order: NodeUnschedulable (cordoned nodes), TaintToleration
  (a NotReady node carries the `node.kubernetes.io/not-ready` NoSchedule taint, a node
  that stopped posting status `node.kubernetes.io/unreachable`), then
  NodeResourcesFit (pod count, then each requested resource).
* On clusters of 100 nodes or more, filtering stops after `numFeasibleNodesToFind` feasible
  nodes, starting where the previous pod's search stopped (default 50 - nodes/125 per cent).
* Score: NodeResourcesFit (strategy + resource weights) and NodeResourcesBalancedAllocation,
  each weight 1 in the default profile, summed. One feasible node is taken without scoring.
  A pod requesting no cpu or memory is not scored by BalancedAllocation (its PreScore
  returns Skip, since v1.33).
* Ties: a uniformly random choice among the top nodes, from a seeded generator.
* No node fits: the pod stays Pending with upstream's message, e.g.
  "0/3 nodes are available: 1 Too many pods, 2 Insufficient cpu." (reasons sorted as strings).

Not modelled: TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity and
ImageLocality scoring (default weights 3, 2, 2, 2, 1) and preemption, so a real cluster can
place a Deployment's replicas more evenly than this does.

Modules: profile.py (Profile, Decision, the Pending message), framework.py (the search, the
tie-break, binding), plain.py (`PlainScheduler`, the per-node reference built on the plugin
functions of plugins.py), cached.py (`Scheduler`, which caches each pod shape's Filter and
Score over all nodes and redoes only the nodes a bind changed) and vectorised.py (its numpy
scoring). Both schedulers consume the random generator identically, so on the same input
they make the same decisions (tested).
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
