"""The HorizontalPodAutoscaler's arithmetic, as upstream computes it, on plain numbers.

Three layers, one module each, laid out as `pkg/controller/podautoscaler/` is (Kubernetes
v1.35; docs/k8s_formulas.md §5), so a learner's hand calculation and a case from upstream's
unit tests give the same answer:

1. replica_calculator.py (`resource_utilization_replicas`, `plain_metric_replicas`,
   `object_metric_replicas`, `average_value_replicas`, `group_pods`): metric samples ->
   desired replicas;
2. normalization.py (`stabilize`, `stabilize_with_behavior`, `limit_without_behavior`,
   `limit_with_behavior`, `scale_up_limit`, `scale_down_limit`, `store_scale_event`):
   stabilisation windows and the autoscaling/v2 scaling policies;
3. controller.py (`Autoscaler`): one HPA's controller state on a simulated clock, used by the
   cluster simulator.

Everything is importable from here: `from msa_course.orchestration import hpa; hpa.PodSample`.
"""

from msa_course.orchestration.hpa.controller import (
    DEFAULT_CPU_UTILIZATION,
    DEFAULT_MIN_REPLICAS,
    SYNC_PERIOD_SECONDS,
    Autoscaler,
    AutoscalerSpec,
    Decision,
)
from msa_course.orchestration.hpa.normalization import (
    DOWNSCALE_STABILIZATION_SECONDS,
    SCALE_UP_LIMIT_FACTOR,
    SCALE_UP_LIMIT_MINIMUM,
    ScaleEvent,
    ScalingPolicy,
    ScalingRules,
    TimedRecommendation,
    default_scale_down_rules,
    default_scale_up_rules,
    limit_with_behavior,
    limit_without_behavior,
    replicas_change_in_period,
    scale_down_limit,
    scale_up_limit,
    stabilize,
    stabilize_with_behavior,
    store_scale_event,
)
from msa_course.orchestration.hpa.replica_calculator import (
    CPU_INITIALIZATION_PERIOD_SECONDS,
    DEFAULT_TOLERANCE,
    INITIAL_READINESS_DELAY_SECONDS,
    MAX_INT32,
    PodGroups,
    PodSample,
    Recommendation,
    Tolerances,
    average_value_replicas,
    group_pods,
    object_metric_replicas,
    plain_metric_replicas,
    resource_utilization_replicas,
)

__all__ = [
    "CPU_INITIALIZATION_PERIOD_SECONDS",
    "DEFAULT_CPU_UTILIZATION",
    "DEFAULT_MIN_REPLICAS",
    "DEFAULT_TOLERANCE",
    "DOWNSCALE_STABILIZATION_SECONDS",
    "INITIAL_READINESS_DELAY_SECONDS",
    "MAX_INT32",
    "SCALE_UP_LIMIT_FACTOR",
    "SCALE_UP_LIMIT_MINIMUM",
    "SYNC_PERIOD_SECONDS",
    "Autoscaler",
    "AutoscalerSpec",
    "Decision",
    "PodGroups",
    "PodSample",
    "Recommendation",
    "ScaleEvent",
    "ScalingPolicy",
    "ScalingRules",
    "TimedRecommendation",
    "Tolerances",
    "average_value_replicas",
    "default_scale_down_rules",
    "default_scale_up_rules",
    "group_pods",
    "limit_with_behavior",
    "limit_without_behavior",
    "object_metric_replicas",
    "plain_metric_replicas",
    "replicas_change_in_period",
    "resource_utilization_replicas",
    "scale_down_limit",
    "scale_up_limit",
    "stabilize",
    "stabilize_with_behavior",
    "store_scale_event",
]
