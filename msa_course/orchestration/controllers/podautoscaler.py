"""The HorizontalPodAutoscaler controller's sync (pkg/controller/podautoscaler/horizontal.go,
reconcileAutoscaler): every 15 s read each target pod's CPU usage, ask the replica calculator
(../hpa.py) for a size and write it to the Deployment's `replicas`.

Usage comes from the simulation's load model: `demand(deployment)` is the millicores the
Deployment's load asks for now (None: no load), shared evenly by its Ready pods; an unready
pod idles at `idle_fraction` of its request. A container is throttled at its CPU limit, and
metrics-server reports what it used, so usage is capped there.
"""

from __future__ import annotations

from collections.abc import Callable

from msa_course.orchestration import hpa
from msa_course.orchestration.objects import HorizontalPodAutoscaler
from msa_course.orchestration.store import HPARecord, Store


class HorizontalController:
    def __init__(
        self,
        store: Store,
        at,
        demand: Callable[[str], float | None],
        idle_fraction: float,
        decisions,
    ):
        self.store, self.at, self.demand = store, at, demand
        self.idle_fraction = idle_fraction
        self.decisions = decisions  # every sync's hpa.Decision, oldest first
        self.scalers: dict[str, hpa.Autoscaler] = {}
        # per HPA, per pod: (record, its version, the sample built from it, idle usage, cpu limit)
        self._seen: dict[str, dict[str, tuple]] = {}

    def add(self, obj: HorizontalPodAutoscaler) -> None:
        store = self.store
        if obj.target_name not in store.deployments:
            raise ValueError(
                f"HPA {obj.name!r} targets deployment {obj.target_name!r}, which does not exist"
            )
        metric = obj.metrics[0]
        if metric.resource != "cpu" or metric.target_type != "Utilization":
            raise ValueError(
                f"HPA {obj.name!r}: the simulator scales on cpu Utilization only, got "
                f"{metric.resource} {metric.target_type}"
            )
        behavior = obj.scale_up is not None or obj.scale_down is not None
        spec = hpa.AutoscalerSpec(
            max_replicas=obj.max_replicas,
            min_replicas=obj.min_replicas,
            target_utilization=metric.value,
            behavior=behavior,
            scale_up=_rules(obj.scale_up, hpa.default_scale_up_rules()),
            scale_down=_rules(obj.scale_down, hpa.default_scale_down_rules()),
            tolerance=hpa.Tolerances(  # spec.behavior.scaleDown/scaleUp.tolerance (v1.33+)
                down=_tolerance(obj.scale_down), up=_tolerance(obj.scale_up)
            ),
        )
        store.hpas[obj.name] = HPARecord(obj, store.now)
        self.scalers[obj.name] = hpa.Autoscaler(spec)
        self.at(store.now + hpa.SYNC_PERIOD_SECONDS, "hpa", obj.name)

    def on_hpa(self, name: str) -> bool:
        store = self.store
        a = store.hpas.get(name)
        if a is None:
            return False
        self.at(store.now + hpa.SYNC_PERIOD_SECONDS, "hpa", name)
        d = store.deployment(a.hpa.target_name)
        runs = [r for r in store.pods.values() if r.deployment == d.name]
        demand = self.demand(d.name)
        ready = sum(1 for r in runs if r.ready and r.deleting is None)
        share = int(demand / ready) if demand is not None and ready else 0
        samples = []
        cache, fresh = self._seen.get(name, {}), {}
        for r in runs:
            seen = cache.get(r.name)
            if seen is None or seen[0] is not r or seen[1] != r.version:
                # (re)built only when the pod's status changed
                sample = hpa.PodSample(
                    usage_milli=None,
                    request_milli=r.pod.requests().get("cpu", 0),
                    phase=r.pod.phase,
                    ready=r.ready,
                    deleted=r.deleting is not None,
                    start_time=r.started if r.started == r.started else None,
                    ready_transition_time=r.ready_since,
                )
                idle = int(self.idle_fraction * sample.request_milli)
                limit = cpu_limit(r.pod)
                if limit is not None:  # a container is throttled at its limit: metrics show that
                    idle = min(idle, limit)
                seen = (r, r.version, sample, idle, limit)
            fresh[r.name] = seen
            _, _, sample, used, limit = seen
            if r.container != "Running":
                used = None
            elif r.ready and share > used:
                used = share if limit is None or share < limit else limit
            sample.usage_milli = used
            samples.append(sample)
        self._seen[name] = fresh
        current = d.replicas
        decision = self.scalers[name].reconcile(store.now, current, samples)
        self.decisions.append(decision)
        a.utilization = decision.utilization
        if decision.desired_replicas == current:
            return True
        direction = "above" if decision.desired_replicas > current else "below"
        reason = (
            f"cpu resource utilization (percentage of request) {direction} target"
            if decision.metric_replicas is not None
            else f"Current number of replicas {direction} Spec.MinReplicas"
        )
        store.record(
            "Normal",
            "SuccessfulRescale",
            f"horizontalpodautoscaler/{name}",
            f"New size: {decision.desired_replicas}; reason: {reason}",
        )
        d.replicas = decision.desired_replicas
        a.last_scale = store.now
        return True


def cpu_limit(pod) -> int | None:
    """The pod's CPU limit in millicores, or None when a container has none (unbounded)."""
    limits = [c.limits.get("cpu") for c in pod.containers]
    return None if not limits or None in limits else sum(limits)


def _rules(rules, default: hpa.ScalingRules) -> hpa.ScalingRules:
    """objects.HPAScalingRules (or None) -> hpa.ScalingRules."""
    if rules is None:
        return default
    policies = tuple(hpa.ScalingPolicy(p.type, p.value, p.period_seconds) for p in rules.policies)
    return hpa.ScalingRules(policies, rules.select_policy, rules.stabilization_window_seconds)


def _tolerance(rules) -> float:
    tolerance = getattr(rules, "tolerance", None)
    return hpa.DEFAULT_TOLERANCE if tolerance is None else tolerance
