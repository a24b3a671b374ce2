"""The per-node reference scheduler: one `run_cycle` per pod, every plugin function called."""

from __future__ import annotations

from msa_course.orchestration.objects import Pod
from msa_course.orchestration.plugins import FilterResult
from msa_course.orchestration.scheduler.cycle import (
    Cycle,
    PluginScores,
    node_verdicts,
    plugin_scores,
    run_cycle,
)
from msa_course.orchestration.scheduler.framework import SchedulerBase
from msa_course.orchestration.scheduler.profile import Decision


class PlainScheduler(SchedulerBase):
    """The reference the fast `Scheduler` is tested against: slow, and plainly upstream's."""

    def _start(self) -> None:
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

    def cycle(self, pod: Pod) -> Cycle:
        """The scheduling cycle for `pod` on the current state (see cycle.run_cycle)."""
        return run_cycle(self, pod)

    def filter(self, pod: Pod, i: int) -> FilterResult:
        """The Filter plugins on node i, in order, first failure wins (as in a cycle)."""
        verdict = node_verdicts(self, pod, [i])[0]
        return FilterResult(verdict.feasible, verdict.reasons)

    def cycle_scores(self, pod: Pod, nodes: list[int]) -> list[PluginScores]:
        """Every Score plugin's raw and normalised scores of `pod` on `nodes` (indices)."""
        infos = [self.node_info(i) for i in range(len(self.nodes))]
        return plugin_scores(self, pod, infos, nodes)

    def schedule_one(self, pod: Pod) -> Decision:
        c = self.cycle(pod)
        return self._finish(pod, c.chosen, c.message, len(c.candidates))
