"""`msa-course size-cluster`: the course's kube-scheduler decides how many nodes a class needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

from msa_course.workshop.sizing import CONFIG, guarantees, size_cluster

CLI = str(Path(sys.executable).parent / "msa-course")


def test_divisible_class_needs_exactly_the_lower_bound():
    s = size_cluster(40, "4", "16Gi", "100m", "1Gi")
    assert (s.nodes, s.lower_bound, s.limiting) == (3, 3, "memory")
    assert sum(s.per_node) == 40 and max(s.per_node) == 16


def test_fragmentation_needs_more_than_the_lower_bound():
    # 700m of 2 cores: two pods per node, 600m left over on each, so 100 pods need 50 nodes,
    # while the total (70 cores / 2) suggests 35.
    s = size_cluster(100, "2", "3Gi", "700m", "1Gi")
    assert (s.nodes, s.lower_bound, s.limiting) == (50, 35, "cpu")
    assert s.per_node == [2] * 50
    assert s.pending_with_one_fewer == (
        "0/49 nodes are available: 49 Insufficient cpu. preemption: 0/49 nodes are available: "
        "49 No preemption victims found for incoming pod."
    )


def test_the_user_scheduler_packs_nodes():
    # MostAllocated fills the first node before the second (z2jh's user-scheduler profile).
    s = size_cluster(5, "4", "16Gi", "1", "1Gi")
    assert s.nodes == 2 and sorted(s.per_node) == [1, 4]


def test_pod_count_limits_tiny_pods():
    s = size_cluster(111, "64", "256Gi", "1m", "1Mi")
    assert (s.nodes, s.limiting) == (2, "pods")


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, "4", "16Gi", "1", "1Gi"), "learners must be"),
        ((3, "4", "16Gi", "0", "1Gi"), "cpu-request must be more than 0"),
        ((3, "4", "1Gi", "1", "2Gi"), "more than a node's allocatable"),
        ((3, "four", "1Gi", "1", "2Gi"), "quantity|number"),
    ],
)
def test_bad_input_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        size_cluster(*args)


def test_defaults_come_from_the_z2jh_config():
    single = yaml.safe_load(CONFIG.read_text())["singleuser"]
    assert guarantees() == (str(single["cpu"]["guarantee"]), str(single["memory"]["guarantee"]))


def test_command(tmp_path):
    out = subprocess.run(
        [
            CLI,
            "size-cluster",
            "--learners",
            "100",
            "--node-cpu",
            "2",
            "--node-memory",
            "3Gi",
            "--cpu-request",
            "700m",
            "--memory-request",
            "1Gi",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "nodes needed (scheduled by the course's kube-scheduler): 50" in out.stdout
    assert "lower bound (total requests / one node):                 35" in out.stdout
    empty = tmp_path / "config.yaml"
    empty.write_text("singleuser: {}\n")
    bad = subprocess.run(
        [
            CLI,
            "size-cluster",
            "--learners",
            "3",
            "--node-cpu",
            "2",
            "--node-memory",
            "3Gi",
            "--config",
            str(empty),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "pass --cpu-request and --memory-request" in bad.stderr
