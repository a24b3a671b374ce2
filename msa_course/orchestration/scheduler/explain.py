"""Why a pod went where it did: one scheduling cycle, plugin by plugin, as plain data.

`explain(scheduler, pod)` runs the cycle the scheduler would run for `pod` now (cycle.py, on a
PlainScheduler copy of its state: the same bound pods, search start and random generator
state; the scheduler itself is not changed) and returns an `Explanation`: every node's Filter
verdicts in the profile's order with upstream's reasons, which nodes the sampled search
reached (numFeasibleNodesToFind), each Score plugin's raw, normalised and weighted scores on
the scored nodes, the totals, the tie and the node chosen, and what `kubectl describe pod`
would list under Events. `binpacking.PackResult.explain(k)` explains the k-th pod of a
placement as it was when that pod was scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from msa_course.i18n import N_, tr
from msa_course.orchestration.objects import Pod
from msa_course.orchestration.scheduler.cycle import NodeVerdict, PluginScores, run_cycle
from msa_course.orchestration.scheduler.framework import SchedulerBase
from msa_course.orchestration.scheduler.plain import PlainScheduler

NOT_REACHED = N_("not reached")  # the sampled search stopped before this node
PASSED = N_("passed")  # every Filter plugin let the node through


@dataclass
class Explanation:
    """One pod's scheduling cycle. Node lists are in node order; scores follow `scored`."""

    pod: str
    namespace: str
    strategy: str
    nodes: list[str]
    verdicts: list[NodeVerdict]
    reached: list[bool]
    start: int  # the node the search started at (index)
    want: int  # numFeasibleNodesToFind
    scored: list[str] = field(default_factory=list)  # the nodes Score ran on, search order
    scores: list[PluginScores] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    tied: list[str] = field(default_factory=list)
    chosen: str | None = None
    message: str = ""  # the FailedScheduling message when no node fits

    @property
    def feasible(self) -> list[str]:
        """Nodes the search reached that passed every Filter plugin."""
        return [
            n
            for n, v, r in zip(self.nodes, self.verdicts, self.reached, strict=True)
            if r and v.feasible
        ]

    def filter_column(self, node: str) -> str:
        """ "passed", "<Plugin>: <reason>", or "not reached" for one node."""
        i = self.nodes.index(node)
        if not self.reached[i]:
            return NOT_REACHED
        v = self.verdicts[i]
        if v.feasible:
            return PASSED
        plugin, reason = next((p, r) for p, r in v.filters if r not in (None, "Skip"))
        return f"{plugin}: {reason}"

    def table(self) -> list[dict]:
        """One row per node: the Filter column, then per Score plugin (raw, normalised,
        weighted) or "Skip", then the total; nodes not scored have None there."""
        rows = []
        position = {n: k for k, n in enumerate(self.scored)}
        for node in self.nodes:
            row: dict = {"node": node, "filter": self.filter_column(node)}
            k = position.get(node)
            for s in self.scores:
                if k is None:
                    row[s.plugin] = None
                elif s.status == "Skip":
                    row[s.plugin] = "Skip"
                else:
                    row[s.plugin] = (s.raw[k], s.normalized[k], s.weight * s.normalized[k])
            row["total"] = self.totals.get(node)
            rows.append(row)
        return rows

    def summary(self) -> str:
        """The decision in a sentence or three, in the active language (the scheduler's own
        message, quoted for a pod that stays Pending, is upstream's English)."""
        n, found = len(self.nodes), self.feasible
        said = []
        if self.want < n:
            said.append(
                tr(
                    "With {nodes} nodes the scheduler stops after {want} feasible nodes "
                    "(numFeasibleNodesToFind), starting at {start} where the last search "
                    "stopped; {filtered} nodes were filtered.",
                    nodes=n,
                    want=self.want,
                    start=self.nodes[self.start],
                    filtered=sum(self.reached),
                )
            )
        if self.chosen is None:
            said.append(
                tr(
                    "No node passed Filter, so the pod stays Pending: {message}",
                    message=self.message,
                )
            )
        elif len(found) == 1:
            said.append(
                tr(
                    "Only {node} passed Filter, so it was taken without scoring "
                    "(schedule_one.go skips Score for a single feasible node).",
                    node=self.chosen,
                )
            )
        else:
            said.append(
                tr(
                    "{count} nodes passed Filter and were scored; {node} has the highest "
                    "weighted total, {total}.",
                    count=len(found),
                    node=self.chosen,
                    total=self.totals[self.chosen],
                )
            )
            if len(self.tied) > 1:
                others = [t for t in self.tied if t != self.chosen]
                named = ", ".join(others[:4])
                if len(others) > 4:
                    named = tr("{names} and {count} more", names=named, count=len(others) - 4)
                said.append(
                    tr(
                        "{count} nodes share that total ({names} too): selectHost drew {node} "
                        "at random among them.",
                        count=len(self.tied),
                        names=named,
                        node=self.chosen,
                    )
                )
        return " ".join(said)

    def events(self) -> str:
        """The Events part of `kubectl describe pod`."""
        if self.chosen is None:
            row = ("Warning", "FailedScheduling", self.message)
        else:
            row = (
                "Normal",
                "Scheduled",
                f"Successfully assigned {self.namespace}/{self.pod} to {self.chosen}",
            )
        head = ("Type", "Reason", "Age", "From", "Message")
        line = (row[0], row[1], "1s", "default-scheduler", row[2])
        widths = [max(len(a), len(b)) for a, b in zip(head[:4], line[:4], strict=True)]

        def fmt(cells):
            return (
                "  "
                + "  ".join(c.ljust(w) for c, w in zip(cells[:4], widths, strict=True))
                + "  "
                + cells[4]
            )

        rule = tuple("-" * len(h) for h in head)
        return "\n".join(["Events:", fmt(head), fmt(rule), fmt(line)])


def snapshot(
    sched: SchedulerBase,
    bound: Iterable[tuple[Pod, str]] | None = None,
    next_start: int | None = None,
    rng_state: dict | None = None,
) -> PlainScheduler:
    """A PlainScheduler with `sched`'s nodes, profile and default selector, holding `bound`
    ((pod, node name) pairs; default: what `sched` holds now), searching from `next_start`
    with the random generator in `rng_state` (default: `sched`'s own). `sched` is unchanged."""
    plain = PlainScheduler(
        sched.nodes, sched.profile, seed=None, default_selector=sched.default_selector
    )
    plain.rng.bit_generator.state = rng_state or sched.rng.bit_generator.state
    plain.next_start = sched.next_start if next_start is None else next_start
    if bound is None:
        bound = [(p, node) for node, p in sched.bound.values()]
    for pod, node_name in bound:
        terminating = pod.terminating
        pod.terminating = False  # bind counts it; mark_terminating takes it out again
        plain.bind(pod, node_name)
        if terminating:
            plain.mark_terminating(pod)
    return plain


def explain(sched: SchedulerBase, pod: Pod) -> Explanation:
    """The cycle `sched` would run for `pod` now, plugin by plugin; `sched` is left as it was
    (the cycle runs on a `snapshot`)."""
    return explain_cycle(snapshot(sched), pod)


def explain_cycle(plain: PlainScheduler, pod: Pod) -> Explanation:
    """Run one cycle for `pod` on `plain` (its search start and generator move on) and
    describe it."""
    cycle = run_cycle(plain, pod)
    names = [n.name for n in plain.nodes]
    return Explanation(
        pod=pod.name,
        namespace=pod.namespace,
        strategy=plain.profile.strategy,
        nodes=names,
        verdicts=cycle.verdicts,
        reached=_reached(len(names), cycle.start, cycle.want, cycle.candidates, cycle.verdicts),
        start=cycle.start,
        want=cycle.want,
        scored=[names[i] for i in cycle.candidates] if len(cycle.candidates) > 1 else [],
        scores=cycle.scores,
        totals={names[i]: t for i, t in zip(cycle.candidates, cycle.totals, strict=False)},
        tied=[names[i] for i in cycle.tied],
        chosen=names[cycle.chosen] if cycle.chosen is not None else None,
        message=cycle.message,
    )


def _reached(n: int, start: int, want: int, candidates: list[int], verdicts) -> list[bool]:
    """The nodes findNodesThatPassFilters visits: from `start` round the ring until `want`
    feasible nodes are found (all nodes when fewer are feasible)."""
    feasible = sum(v.feasible for v in verdicts)
    if want >= n or feasible < want or not candidates:
        return [True] * n
    last = candidates[-1]
    span = (last - start) % n + 1
    out = [False] * n
    for k in range(span):
        out[(start + k) % n] = True
    return out


__all__ = ["NOT_REACHED", "PASSED", "Explanation", "explain", "explain_cycle", "snapshot"]
