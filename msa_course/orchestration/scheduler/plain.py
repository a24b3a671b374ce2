"""The per-node reference scheduler: a loop over nodes calling the plugin functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.plugins import (
    FilterResult,
    balanced_allocation_pre_score,
    balanced_allocation_score,
    fits_request,
    node_resources_fit_score,
)
from msa_course.orchestration.scheduler.framework import SchedulerBase
from msa_course.orchestration.scheduler.profile import (
    Decision,
    Profile,
    condition_reason,
    fit_error_message,
)


class PlainScheduler(SchedulerBase):
    """The per-node reference: loops over nodes calling the plugin functions of plugins.py."""

    def __init__(self, nodes: Sequence[Node], profile: Profile | None = None, seed: int | None = 0):
        super().__init__(nodes, profile, seed)
        self.requested = [dict[str, int]() for _ in self.nodes]
        self.non_zero = [dict[str, int]() for _ in self.nodes]
        self.pod_count = [0] * len(self.nodes)

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        for total, request in (
            (self.requested[i], pod.requests()),
            (self.non_zero[i], pod.scoring_requests()),
        ):
            for name, amount in request.items():
                total[name] = total.get(name, 0) + sign * amount
        self.pod_count[i] += sign

    def filter(self, pod: Pod, i: int) -> FilterResult:
        """The default profile's Filter plugins for node i, first failure wins."""
        reason = condition_reason(self.nodes[i])
        if reason is not None:
            return FilterResult(False, (reason,))
        return fits_request(
            pod.requests(), self.requested[i], self.pod_count[i], self.nodes[i].allocatable
        )

    def score(self, pod: Pod, i: int) -> int:
        """Weighted sum of the Score plugins for node i."""
        p = self.profile
        allocatable = self.nodes[i].allocatable
        total = p.fit_weight * node_resources_fit_score(
            pod.scoring_requests(),
            self.non_zero[i],
            allocatable,
            strategy=p.strategy,
            resources=p.resources,
            shape=p.shape,
        )
        if (
            p.balanced_allocation is not None
            and balanced_allocation_pre_score(pod.requests(), p.balanced_resources) == "Success"
        ):
            total += p.balanced_weight * balanced_allocation_score(
                pod.requests(),
                self.requested[i],
                allocatable,
                resources=p.balanced_resources,
                version=p.balanced_allocation,
            )
        return total

    def schedule_one(self, pod: Pod) -> Decision:
        results = [self.filter(pod, i) for i in range(len(self.nodes))]
        feasible = np.array([r.fits for r in results], dtype=bool)
        candidates = self._candidates(feasible)
        if len(candidates) == 0:
            reasons = [reason for r in results for reason in r.reasons]
            return self._finish(pod, None, fit_error_message(len(self.nodes), reasons), 0)
        if len(candidates) == 1:
            return self._finish(pod, int(candidates[0]), "", 1)
        totals = np.array([self.score(pod, int(i)) for i in candidates])
        return self._finish(pod, int(candidates[self._top(totals)]), "", len(candidates))
