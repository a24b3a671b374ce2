"""The Services explorer, driven as a learner would, asserted on its figure and panel."""

from __future__ import annotations

import re

import pytest

import msa_course
from msa_course.orchestration.services import widgets


@pytest.fixture(autouse=True)
def _setup():
    msa_course.setup_notebook()


def _failed(ex, name):
    trace = next(t for t in ex.figure.data if (t.name or "").startswith(name))
    return sum(trace.y)


def _pods(ex):
    return [t for t in ex.figure.data if (t.name or "").startswith("web-")]


def test_default_rollout_with_readiness_loses_nothing():
    ex = widgets.service_explorer()
    pods = _pods(ex)
    assert len({t.name.rsplit("-", 1)[0] for t in pods}) == 2  # old and new ReplicaSet
    assert _failed(ex, "refused") == 0 and _failed(ex, "unanswered") == 0
    side = ex.side.value
    for text in ("kubectl get svc,endpointslices", "service/web", "endpointslice.discovery",
                 "web.default.svc.cluster.local", "--probability 0.33333333349", "KUBE-SVC-"):  # fmt: skip
        assert text in side, text


def test_without_readiness_the_rollout_fails_requests():
    ex = widgets.service_explorer()
    ex.controls["readiness"].value = False
    assert _failed(ex, "unanswered") > 0
    ex.controls["startup"].value = 0  # an app that answers at once needs no gate
    assert _failed(ex, "unanswered") == 0


def test_killing_the_only_pod_with_and_without_draining():
    ex = widgets.service_explorer()
    ex.controls["Reset"].click()
    ex.controls["replicas"].value = 1
    ex.controls["at"].value = 30
    ex.controls["Kill a pod"].click()
    ex.controls["drain"].value = 0
    refused_without_drain = _failed(ex, "refused")
    assert refused_without_drain > 0  # no endpoint until the replacement is Ready
    ex.controls["drain"].value = 30  # the terminating pod keeps serving meanwhile
    assert _failed(ex, "refused") < refused_without_drain


def test_every_button_changes_the_chart():
    for action in widgets.ACTIONS:
        ex = widgets.service_explorer()
        ex.controls["Reset"].click()
        before = [list(t.y) for t in ex.figure.data if t.y is not None]
        ex.controls["at"].value = 20
        ex.controls[action].click()
        after = [list(t.y) for t in ex.figure.data if t.y is not None]
        assert after != before, action


def test_node_down_fails_requests_until_not_ready():
    ex = widgets.service_explorer()
    ex.controls["Reset"].click()
    ex.controls["Take a node down"].click()
    assert _failed(ex, "unanswered") > 0 and "false" in ex.side.value


def test_both_zero_is_a_clear_message():
    ex = widgets.service_explorer()
    ex.controls["surge"].value = "0"
    ex.controls["unavailable"].value = "0"
    assert "cannot both be 0" in ex.message.value


def test_static_edition_shows_each_state_of_the_notice_in_its_order():
    """Chapter 03's Notice: a rollout with the probe loses nothing, without it about 1,000 of
    24,000; one replica killed loses about 1,200 if its app exits at once, nothing if it drains
    20 s; a node down loses about 1,650; with maxSurge 0 and a 25 s start-up the probe again
    saves everything, and without it about 2,500 fail."""
    ex = widgets.service_explorer()
    states = ex.static_states()
    failed = [int(re.search(r"<b>([\d,]+)</b> failed", s.side)[1].replace(",", "")) for s in states]
    sent = int(re.search(r"<b>([\d,]+)</b> requests sent", states[1].side)[1].replace(",", ""))
    assert failed[0] == failed[3] == failed[5] == 0
    assert failed[1] == pytest.approx(1000, rel=0.1) and sent == pytest.approx(24000, rel=0.02)
    assert failed[2] == pytest.approx(1200, rel=0.1) and "refused (no endpoint)" in states[2].side
    assert failed[4] == pytest.approx(1650, rel=0.1)
    assert failed[6] == pytest.approx(2500, rel=0.1)
    assert "no readinessProbe" in states[1].figure.layout.title.text
    assert "app starts in 25 s" in states[6].figure.layout.title.text
    assert [s.caption.split(",")[0] for s in states[2:5]] == [
        "One replica",
        "One replica",
        "A node goes down at 60 s.",
    ]
    assert ex.values["readiness"] is True, "the live explorer keeps its own start"


@pytest.mark.parametrize("replicas", [3, 6])
def test_without_readiness_the_rollout_replaces_every_pod_at_once(replicas):
    """Chapter 03's Notice: with no probe each new pod is Ready at once, so the Deployment moves
    on at once and every request fails for the app's start-up, whatever the replicas."""
    rate, startup = 100, 10
    cluster = widgets.simulate_service(
        [(60, "Rolling update")], minutes=2, replicas=replicas, readiness=False, startup=startup
    )
    stats = cluster.traffic.stats["web"]
    width = stats.bins[1][0] - stats.bins[0][0]
    assert max(unanswered for *_, unanswered in stats.bins) > 0.8 * rate * width
    assert stats.failed == pytest.approx(rate * startup, rel=0.12)


def test_without_readiness_maxunavailable_loses_the_whole_startup_too():
    cluster = widgets.simulate_service(
        [(60, "Rolling update")],
        minutes=2,
        readiness=False,
        startup=25,
        max_surge="0",
        max_unavailable="1",
    )
    assert cluster.traffic.stats["web"].failed == pytest.approx(100 * 25, rel=0.12)
