"""Stacks and the density calculator: sourced defaults, limits, explanations, properties."""

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msa_course.virtualization import ISOLATIONS, STACKS, Host, Service, cold_start_s, compare, fit


def test_defaults_come_from_figures_md():
    fc = ISOLATIONS["microvm"]
    assert fc.vmm_mib.value == 5 and "Firecracker" in fc.vmm_mib.source
    assert fc.start.value == 0.125 and not fc.start.approximate
    assert ISOLATIONS["container"].start.value == 0.1
    assert ISOLATIONS["vm"].start.approximate  # "tens of seconds": an order of magnitude
    assert ISOLATIONS["vm"].guest_os_mib.approximate  # an assumption, flagged
    assert math.isclose(ISOLATIONS["vm"].cpu_efficiency.value, 284.2 / 290.8, abs_tol=1e-3)


def test_containers_have_no_guest_os_layer():
    names = [layer.name for layer in STACKS["containers"].layers]
    assert "guest OS" not in names and "container engine" in names
    assert "guest OS" in [layer.name for layer in STACKS["type1"].layers]
    assert "host OS" not in [layer.name for layer in STACKS["type1"].layers]
    assert "host OS" in [layer.name for layer in STACKS["type2"].layers]


def test_per_instance_layers_scale_with_instances():
    one = STACKS["type2"].memory_mib(1, 100)
    four = STACKS["type2"].memory_mib(4, 100)
    assert four["guest OS"] == 4 * one["guest OS"] and four["application"] == 400


def test_worked_example_memory_limited():
    d = fit(Host(8, 8), Service("api", 0.25, 1024), "vm")
    # each VM needs 1024 + 131 + 512 = 1667 MiB; 8192 / 1667 = 4.9 -> 4; CPU allows 31
    assert d.instances == 4 and d.limited_by == "memory"
    assert "Memory ran out first" in d.explain()
    assert math.isclose(d.idle_memory_mib, 8192 - 4 * 1667)


def test_worked_example_cpu_limited():
    d = fit(Host(4, 64), Service("api", 0.5, 256), "container")
    assert d.instances == 8 and d.limited_by == "cpu" and d.idle_cores == 0
    assert "CPU ran out first" in d.explain()


def test_mix_counts_whole_copies():
    d = fit(Host(4, 16), [Service("a", 1, 1024), Service("b", 1, 1024)], "container")
    assert d.copies == 2 and d.instances == 4 and d.limited_by == "cpu"


def test_containers_fit_at_least_as_many_as_vms():
    res = compare(Host(32, 128), Service("s", 0.25, 512))
    assert res["container"].instances >= res["microvm"].instances >= res["vm"].instances


def test_cold_start():
    assert cold_start_s("container", 1) == pytest.approx(0.1)
    assert cold_start_s("vm", 151) == pytest.approx(31.0)
    assert cold_start_s("microvm", 0) == 0.0


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: Host(0, 4), "cores must be a number > 0"),
        (lambda: Host(4, -1), "memory_gib"),
        (lambda: Service("api", 0.5, float("nan")), "api: memory_mib"),
        (lambda: fit(Host(1, 1), [], "vm"), "at least one Service"),
        (lambda: fit(Host(1, 1), Service("a", 1, 1), "vmware"), "isolation must be one of"),
        (lambda: cold_start_s("vm", -1), "instances"),
        (lambda: ISOLATIONS["vm"].with_changes(cpu_efficiency=2), "cpu_efficiency"),
        (lambda: ISOLATIONS["vm"].with_changes(colour=1), "colour is not a figure"),
    ],
)
def test_bad_input_names_the_parameter(call, words):
    with pytest.raises(ValueError, match=words):
        call()


@given(
    cores=st.floats(0.5, 256),
    mem=st.floats(0.5, 2048),
    cpu=st.floats(0.01, 16),
    mem_mib=st.floats(1, 65536),
    kind=st.sampled_from(sorted(ISOLATIONS)),
)
def test_density_never_exceeds_any_resource(cores, mem, cpu, mem_mib, kind):
    d = fit(Host(cores, mem), Service("s", cpu, mem_mib), kind)
    iso = ISOLATIONS[kind]
    assert d.instances * cpu / iso.cpu_efficiency.value <= cores * (1 + 1e-6)
    assert d.instances * (mem_mib + iso.memory_overhead_mib) <= mem * 1024 * (1 + 1e-6)
    # and it is maximal: one more would break a limit
    more = d.instances + 1
    assert more * cpu / iso.cpu_efficiency.value > cores * (1 - 1e-6) or more * (
        mem_mib + iso.memory_overhead_mib
    ) > mem * 1024 * (1 - 1e-6)


def test_models_import_no_view_library():
    code = (
        "import sys, msa_course.virtualization, msa_course.images;"
        "bad = [m for m in ('plotly', 'ipywidgets', 'IPython') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
