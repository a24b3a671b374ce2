"""The self-healing and autoscaling explorers: driven as a learner would, asserted on figures."""

from __future__ import annotations

import pytest

import msa_course
from msa_course.orchestration import widgets
from msa_course.orchestration.cluster import mm1_latency_ms


@pytest.fixture(autouse=True)
def _setup():
    msa_course.setup_notebook()


def _trace(ex, name):
    return next(t for t in ex.figure.data if t.name == name)


def test_self_healing_default_shows_a_node_failure_and_recovery():
    ex = widgets.self_healing_explorer()
    ready = _trace(ex, "Ready")
    assert min(ready.y) < 4 and ready.y[-1] == 4  # dips when the node is lost, then restored
    assert "kubectl get pods" in ex.side.value and "TaintManagerEviction" in ex.side.value


def test_crash_loop_button_adds_restarts_and_backoff():
    ex = widgets.self_healing_explorer()
    ex.controls["Reset"].click()
    assert max(_trace(ex, "restarts (total)").y) == 0
    ex.controls["at"].value = 30
    ex.controls["Crash-loop a container"].click()
    restarts = _trace(ex, "restarts (total)").y
    waiting = _trace(ex, "in CrashLoopBackOff").y
    assert max(restarts) >= 5 and max(waiting) == 1
    assert "CrashLoopBackOff" in ex.side.value and "BackOff" in ex.side.value
    assert ex.update_count >= 2


def test_every_fault_button_changes_the_timeline():
    for fault in widgets.FAULTS:
        ex = widgets.self_healing_explorer()
        ex.controls["Reset"].click()
        before = list(_trace(ex, "Ready").y)
        ex.controls[fault].click()
        assert list(_trace(ex, "Ready").y) != before, fault


def test_probe_period_changes_detection_time():
    def restart_minute(period):
        ex = widgets.self_healing_explorer()
        ex.controls["Reset"].click()
        ex.controls["period"].value = period
        ex.controls["Fail a liveness probe"].click()
        t = _trace(ex, "restarts (total)")
        return next(x for x, y in zip(t.x, t.y) if y >= 1)

    assert restart_minute(30) > restart_minute(10) > restart_minute(2)


def test_autoscaling_follows_the_load_and_respects_the_window():
    ex = widgets.autoscaling_explorer()
    replicas = _trace(ex, "replicas (HPA)")
    assert max(replicas.y) > replicas.y[0]  # scaled out for the peak
    ex.controls["peak"].value = 1.0  # no peak: sized for the base load, nothing to scale for
    flat = _trace(ex, "replicas (HPA)").y
    assert max(flat) == min(flat) == 8  # 2 cores / (50 % of 500m) = 8 pods
    assert "kubectl get hpa" in ex.side.value


def test_longer_scale_down_window_keeps_replicas_longer():
    ex = widgets.autoscaling_explorer()
    ex.controls["window"].value = 0
    short = sum(_trace(ex, "replicas (HPA)").y)
    ex.controls["window"].value = 900
    assert sum(_trace(ex, "replicas (HPA)").y) > short


def test_latency_model():
    assert mm1_latency_ms(20, 0) == 20
    assert mm1_latency_ms(20, 0.5) == 40
    assert mm1_latency_ms(20, 1.2) == 2000
    with pytest.raises(ValueError, match="service_ms"):
        mm1_latency_ms(0, 0.5)


def test_an_overload_puts_latency_on_a_log_axis_with_ticks_apart():
    """Seconds next to milliseconds: a log axis with round ticks within the data, 1-3 per
    decade over two decades (1-2-5 put 50 on 100 in the static site's panel)."""
    state = widgets.autoscaling_explorer().static_states()[4]  # 4 cores x 8: an overload
    axis = state.figure.layout.yaxis3
    shown = [v for t in state.figure.data if t.yaxis == "y3" for v in t.y if v is not None]
    assert axis.type == "log" and list(axis.tickvals) == [30, 100, 300, 1000]
    assert min(shown) <= axis.tickvals[0] and axis.tickvals[-1] <= max(shown)


def test_bad_load_curve_is_a_clear_error():
    with pytest.raises(ValueError, match="peak >= 1"):
        widgets.load_curve(2, 0.5, 10, 5)


def _series(state, name):
    trace = next(t for t in state.figure.data if t.name == name)
    return list(trace.x), list(trace.y)


def test_static_binpacking_shows_the_states_of_both_its_notices():
    """Section 4's Notice: LeastAllocated uses all 20 nodes, MostAllocated 7 (the lower bound);
    a pod that fits nowhere stays Pending with the scheduler's message. "Why this node"'s
    Notice: pod 2 (api-1) under both strategies, then pod 150 with MostAllocated, where the
    fullest nodes fail the Filter."""
    explorer = widgets.binpacking_explorer()
    least, most, crowded, late = explorer.static_states()
    assert least.figure.layout.title.text.startswith("LeastAllocated: 20 of 20 nodes used")
    assert most.figure.layout.title.text.startswith(
        "MostAllocated: 7 of 20 nodes used, lower bound 7"
    )
    assert "Why pod api-1 went where it did (LeastAllocated)" in least.side
    assert "Why pod api-1 went where it did (MostAllocated)" in most.side
    assert (
        "Pending" in crowded.figure.layout.title.text
        and "0 Pending" not in crowded.figure.layout.title.text
    )
    assert "0/20 nodes are available: 20 Insufficient cpu. preemption: 0/20 nodes" in crowded.side
    assert late.caption == "MostAllocated, explaining pod 150."
    assert "NodeResourcesFit: Insufficient cpu" in late.side
    assert explorer.values["strategy"].startswith("LeastAllocated"), "the live one starts as is"


def test_static_self_healing_shows_the_states_of_both_its_notices():
    """Section 5's Notice: a crash loop is restarted, never replaced; after a node failure the
    replacements come about six minutes later; a failed liveness probe restarts the container
    20-30 s later, 60-90 s with periodSeconds 30. The availability Notice: a zone failure takes
    every packed replica, and one or two of the spread ones."""
    states = widgets.self_healing_explorer().static_states()
    crash, node, probe, slow_probe, packed, spread, default = states
    assert "CrashLoopBackOff" in crash.side and "Terminating" not in crash.side
    assert max(_series(crash, "desired")[1]) == 4, "never replaced"
    assert "NodeNotReady" in node.side and "TaintManagerEviction" in node.side
    minutes, ready = _series(node, "Ready")
    back = next(m for m, r in zip(minutes, ready) if m > 2 and r == 4)
    assert 5.5 <= back - 1 <= 6.5, "replacements about six minutes after the failure"
    for state, (low, high) in ((probe, (20, 30)), (slow_probe, (60, 90))):
        minutes, restarts = _series(state, "restarts (total)")
        first = next(m for m, r in zip(minutes, restarts) if r >= 1)
        assert low <= first * 60 - 60 <= high, state.caption
        assert "failed liveness probe, will be restarted" in state.side
    assert "zone-c 4" in packed.side and min(_series(packed, "Ready")[1][2:]) == 0
    for state in (spread, default):
        assert "zone-a 2, zone-b 1, zone-c 1" in state.side
        assert min(_series(state, "Ready")[1][2:]) in (2, 3), state.caption


def test_static_autoscaling_shows_the_five_states_of_its_notice():
    """Chapter 03's Notice, in its order: at peak 3 the replicas catch up at minute 13 (14.5
    with 1 pod / 10 % per 15 s) and come down at 37.5 (32.5 with a 0 s window, 47.5 with
    900 s); at 4 cores x 8 the HPA stops at maxReplicas."""
    scaling = widgets.autoscaling_explorer()
    assert scaling.values["peak"] == 4.0, "the live explorer keeps its own start"
    timings = []
    for state in scaling.static_states():
        minutes, replicas = _series(state, "replicas (HPA)")
        top = max(replicas)
        up = next(m for m, r in zip(minutes, replicas) if r == top)
        down = next(m for m, r in zip(minutes, replicas) if m > up and r < top)
        timings.append((top, up, down))
    assert timings[:4] == [(24, 13, 37.5), (24, 14.5, 37.5), (24, 13, 32.5), (24, 13, 47.5)]
    assert timings[4][0] == 30
    assert "Peak replicas 30 of maxReplicas 30" in scaling.static_states()[4].side


def test_kubectl_tables_are_monospace_and_do_not_wrap():
    side = widgets.self_healing_explorer().side.value
    for block in side.split("<pre")[1:]:
        style = block.split(">", 1)[0]
        assert "monospace" in style and "white-space:pre;" in style


def test_generated_pod_names_never_look_like_node_names():
    ex = widgets.binpacking_explorer()
    table = ex.side.value.split("kubectl get pods -o wide")[1].split("</pre>")[0]
    pod_names = [line.split()[0] for line in table.splitlines()[1:] if line.strip()]
    assert pod_names and not any(name.startswith("worker-") for name in pod_names)


def test_with_mostallocated_the_second_pod_joins_the_first_on_its_fit_score():
    """Chapter 03's "Why this node" Notice: with MostAllocated pod 2 (api-1) joins jvm-0's node,
    whose Fit score (3) beats the empty nodes' 0; the first pod tied on every node."""
    from msa_course.orchestration.binpacking import node_pool, pack
    from msa_course.orchestration.binpacking import workload as make_workload
    from msa_course.orchestration.scheduler import Profile

    pods = make_workload("mixed microservices", 200)
    result = pack(pods, node_pool(20, 16, 64), Profile(strategy="MostAllocated"))
    first, second = result.explain(0), result.explain(1)
    assert (first.pod, second.pod) == ("jvm-0", "api-1")
    assert len(first.tied) == 20
    assert second.chosen == result.decisions[0].node and second.tied == [second.chosen]
    fit = {row["node"].split()[0]: row["NodeResourcesFit"] for row in second.table()}
    assert fit[second.chosen][1] == 3
    assert {v[1] for n, v in fit.items() if n != second.chosen} == {0}
