"""Kubelet timing: probe defaults and CrashLoopBackOff, one test per default shown to learners."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msa_course.orchestration import kubelet


def test_probe_defaults_match_figures_section_3():
    p = kubelet.Probe()
    assert (p.initial_delay_seconds, p.period_seconds, p.timeout_seconds) == (0, 10, 1)
    assert (p.success_threshold, p.failure_threshold) == (1, 3)


def test_default_liveness_restarts_about_30_s_after_failure():
    p = kubelet.Probe()
    # Failing just after a probe: the next three probes (10, 20, 30 s) fail.
    assert p.failure_detected_at(container_start=0, failing_since=0.5) == 30
    # Failing exactly at a probe: that probe and the next two.
    assert p.failure_detected_at(container_start=0, failing_since=0) == 20


def test_probe_from_manifest_keeps_defaults_for_missing_fields():
    p = kubelet.Probe.from_manifest({"httpGet": {"path": "/"}, "periodSeconds": 5})
    assert p.period_seconds == 5 and p.failure_threshold == 3
    assert kubelet.Probe.from_manifest(None) is None


def test_probe_rejects_bad_fields():
    with pytest.raises(ValueError, match="periodSeconds"):
        kubelet.Probe(period_seconds=0)


def test_backoff_constants():
    assert kubelet.INITIAL_BACKOFF_SECONDS == 10
    assert kubelet.MAX_BACKOFF_SECONDS == 300
    assert kubelet.BACKOFF_RESET_SECONDS == 600
    assert kubelet.NODE_LEASE_RENEW_SECONDS == 10


def test_backoff_sequence_doubles_from_10_to_300():
    assert kubelet.backoff_waits(9) == [0, 10, 20, 40, 80, 160, 300, 300, 300]
    # A container that crashes at once restarts for the 5th time at 0+10+20+40+80 = 150 s.
    assert kubelet.restart_times(5)[-1] == 150


def test_backoff_resets_after_ten_minutes_of_running():
    assert kubelet.backoff_waits(3, run_seconds=601) == [0, 0, 0]
    assert kubelet.backoff_waits(3, run_seconds=599) == [0, 10, 20]


@given(st.integers(1, 30), st.floats(0, 500))
def test_waits_follow_the_sequence(n, run):
    waits = kubelet.backoff_waits(n, run)
    assert waits[0] == 0
    for i in range(1, n):
        if run <= 600:
            assert waits[i] == pytest.approx(min(10 * 2 ** (i - 1), 300))


def test_probe_from_manifest_defaults_zero_like_the_api_server():
    p = kubelet.Probe.from_manifest({"exec": {}, "periodSeconds": 0, "initialDelaySeconds": 0})
    assert p == kubelet.Probe()  # SetDefaults_Probe: 0 period/timeout/thresholds -> default
    assert kubelet.Probe.from_manifest({"successThreshold": 2}).success_threshold == 2
    with pytest.raises(ValueError, match="successThreshold must be 1 for a liveness probe"):
        kubelet.Probe.from_manifest({"successThreshold": 2}, liveness=True)
    with pytest.raises(ValueError, match="periodSeconds must be a whole number >= 0"):
        kubelet.Probe.from_manifest({"periodSeconds": "10s"})
