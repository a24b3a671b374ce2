"""The stack and density explorers, driven as a learner would."""

import html

import pytest

import msa_course
from msa_course.virtualization import STACKS
from msa_course.virtualization.widgets import (
    cgroup_explorer,
    density_explorer,
    portability_explorer,
    stack_explorer,
)


@pytest.fixture(autouse=True)
def widgets_mode():
    msa_course.setup_notebook()


def test_stack_explorer_toggles_stacks_and_scales():
    ex = stack_explorer()
    assert len(ex.figure.data[0].x) == 3
    ex.controls["type2"].value = False
    assert list(ex.figure.data[0].x) == [
        "Type-1 hypervisor (bare metal)",
        "Containers on a shared kernel",
    ]
    bars = {t.name: t for t in ex.figure.data}
    guest = bars["guest OS (per instance)"].y[0]  # guest OS memory, 4 instances
    host = bars["hypervisor (once per host)"].y[0]
    ex.controls["instances"].value = 8
    bars = {t.name: t for t in ex.figure.data}
    assert bars["guest OS (per instance)"].y[0] == 2 * guest
    assert bars["hypervisor (once per host)"].y[0] == host, "paid once per host"
    assert bars["guest OS (per instance)"].y[1] == 0  # containers: no guest OS


def test_type2_pays_for_a_full_host_os_that_type1_does_not():
    ex = stack_explorer()
    bars = {t.name: dict(zip(t.x, t.y)) for t in ex.figure.data}
    host_os = bars["host OS (once per host)"]
    assert host_os["Type-1 hypervisor (bare metal)"] == 0
    assert host_os["Type-2 hypervisor (hosted)"] > host_os["Containers on a shared kernel"] > 0
    totals = {x: sum(b[x] for b in bars.values()) for x in host_os}
    assert totals["Type-2 hypervisor (hosted)"] > totals["Type-1 hypervisor (bare metal)"]
    (host_layer,) = [x for x in STACKS["containers"].layers if x.name == "host OS"]
    assert "macOS" not in host_layer.examples, "macOS has no kernel that runs containers"


def test_stack_explorer_needs_a_stack():
    ex = stack_explorer()
    for key in ("type1", "type2", "containers"):
        ex.controls[key].value = False
    assert "at least one stack" in ex.message.value


def test_density_explorer_explains_the_limit():
    ex = density_explorer(cores=64, memory_gib=16, cpu=0.1, memory_mib=256)
    vm, microvm, container = ex.figure.data[0].y
    assert container > microvm > vm
    assert "Memory ran out first" in ex.side.value
    ex.controls["guest_os_mib"].value = 0
    assert ex.figure.data[0].y[0] > vm  # a smaller guest OS fits more VMs
    ex.controls["start"].value = 1
    starts = ex.figure.data[1].y
    assert starts[0] == pytest.approx(30) and starts[2] == pytest.approx(0.1)


def test_cold_start_axis_labels_every_tick_in_full():
    axis = density_explorer().figure.layout.yaxis2
    assert axis.type == "log"
    assert {1, 2, 5, 10, 20} <= set(axis.tickvals)
    assert [t for v, t in zip(axis.tickvals, axis.ticktext) if v in (1, 2, 5, 10, 20)] == [
        "1", "2", "5", "10", "20"
    ]  # fmt: skip


def test_cgroup_explorer_throttles_cpu_and_oom_kills():
    ex = cgroup_explorer(cpus=0.5, busy_threads=1, memory_mib=256, growth=30)
    used = ex.figure.data[0].y
    assert max(used) == 1 and sum(used) / len(used) == pytest.approx(0.5)
    assert "cpu.max = 50000 100000" in ex.side.value
    assert "memory.max = 268435456" in ex.side.value
    assert "takes 150 ms" in ex.side.value and "5.2 minutes" in ex.side.value
    assert ex.figure.data[-1].name == "OOM kill"
    (note,) = [a for a in ex.figure.layout.annotations if "OOM-killed" in a.text]
    assert "OOM-killed at 5.2 min" in note.text and (note.x, note.y) == (
        pytest.approx(5.2, 0.01),
        256,
    )
    ex.controls["growth"].value = 0
    assert "never OOM-killed" in ex.side.value
    assert all(t.name != "OOM kill" for t in ex.figure.data)
    assert not any("OOM-killed" in a.text for a in ex.figure.layout.annotations)
    ex.controls["cpus"].value = 2.0
    assert "cpu.max = 200000 100000" in ex.side.value and "takes 100 ms" in ex.side.value


def test_portability_explorer_puts_a_linux_vm_under_docker_on_a_mac():
    ex = portability_explorer("Mac with Apple silicon (Docker Desktop)", "linux/arm64 only")
    stack = [t.text[0] for t in ex.figure.data if t.text[0]]
    assert stack.index("macOS kernel (XNU)") < stack.index("Linux VM's kernel")
    assert stack.index("Linux VM's kernel") < stack.index("container engine")
    ex.controls["image"].value = "linux/amd64 only"
    assert "emulated in a Linux VM" in ex.figure.layout.title.text
    assert "does not match the detected host platform (linux/arm64/v8)" in ex.side.value
    ex.controls["machine"].value = "Linux server, x86-64"
    assert "linux/amd64 only: native" == ex.figure.layout.title.text
    ex.controls["image"].value = "windows/amd64 (a Windows image)"
    assert "Does not run" in ex.side.value and "no matching manifest" in ex.side.value


def test_static_density_shows_both_states_of_its_notice():
    """Chapter 02's Notice: 72 VMs, 156 microVMs, 160 containers, memory the VMs' limit; with no
    guest OS the VMs fit 156; 500 cold starts take about 33 s as VMs, 3.4 s otherwise."""
    ex = density_explorer()
    small, no_guest = ex.static_states()
    assert small.caption.startswith("A 0.1-core, 256 MiB service")
    assert "guest OS at 0 MiB" in no_guest.caption
    assert list(small.figure.data[0].y) == [72, 156, 160] and "Memory ran out first" in small.side
    assert list(no_guest.figure.data[0].y) == [156, 156, 160]
    for state in (small, no_guest):
        vm, microvm, container = state.figure.data[1].y
        assert round(vm) == 33 and microvm == pytest.approx(3.4, abs=0.1)
        assert container == pytest.approx(3.4, abs=0.1)
    assert ex.values["cpu"] == 0.5, "the live explorer keeps its own start"


def test_static_portability_shows_the_three_states_of_its_notice():
    """Chapter 02's Notice: on a Mac the other CPU's image is emulated in a Linux VM, with a
    warning; a multi-platform image needs no emulator; a Windows image runs on no Linux server."""
    emulated, multi, windows = portability_explorer().static_states()
    assert "emulated in a Linux VM" in emulated.figure.layout.title.text
    assert "WARNING: The requested image's platform" in html.unescape(emulated.side)
    assert "emulat" not in multi.figure.layout.title.text and "Runs:" in multi.side
    assert "runs one in a VM" in multi.side and "linux/arm64/v8 variant" in multi.side
    assert (
        "Does not run" in windows.side and windows.caption == "A Linux server and a Windows image."
    )
