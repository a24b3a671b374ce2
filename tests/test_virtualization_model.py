"""Stacks and the density calculator: sourced defaults, limits, explanations, properties."""

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msa_course.virtualization import (
    ISOLATIONS,
    STACKS,
    Host,
    Service,
    cold_start_s,
    compare,
    fit,
    kernel,
    platforms,
)


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


def test_a_microvm_gets_the_same_cpu_share_as_a_full_kvm_guest():
    # both run on KVM's hardware-assisted virtualisation; Firecracker's "> 95%" is a floor
    assert ISOLATIONS["microvm"].cpu_efficiency.value == ISOLATIONS["vm"].cpu_efficiency.value


def test_type2_hosts_pay_a_desktop_os_that_type1_hosts_do_not():
    per_host = {
        k: sum(x.memory_mib for x in s.layers if not x.per_instance) for k, s in STACKS.items()
    }
    assert per_host["type2"] > per_host["containers"] > 0 and per_host["type2"] > per_host["type1"]
    for stack in STACKS.values():
        for layer in stack.layers:
            if not layer.per_instance and layer.memory_mib:
                assert "assumption" in layer.note and "order of magnitude" in layer.note_text()


def test_a_type2_stack_names_no_kvm_only_vmm():
    # Firecracker runs only on KVM: it is no example of a VM's process under VirtualBox/VMware
    type2 = " ".join(layer.examples for layer in STACKS["type2"].layers)
    assert "Firecracker" not in type2 and "vmware-vmx" in type2


# ---- what isolates a container: namespaces and cgroups ----------------------------------
def test_cgroup_files_follow_dockers_documented_equivalence():
    # Docker docs: --cpus="1.5" "is the equivalent of setting --cpu-period="100000" and
    # --cpu-quota="150000""; cgroup v2 writes both into cpu.max as "quota period"
    assert kernel.cgroup_files(cpus=1.5)["cpu.max"] == "150000 100000"
    assert kernel.cgroup_files() == {
        "cpu.max": "max 100000",
        "memory.max": "max",
        "pids.max": "max",
    }
    files = kernel.cgroup_files(cpus=0.5, memory="256m", pids_limit=100)
    assert files == {"cpu.max": "50000 100000", "memory.max": str(256 * 2**20), "pids.max": "100"}


@pytest.mark.parametrize(
    "text, expected",
    [("256m", 256 * 2**20), ("256MiB", 256 * 2**20), ("1g", 2**30), ("1.5g", 3 * 2**29),
     ("512k", None), (7 * 2**20, 7 * 2**20), ("6m", 6 * 2**20)],
)  # fmt: skip
def test_memory_sizes_parse_as_docker_reads_them(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match="at least 6m"):
            kernel.parse_memory(text)
    else:
        assert kernel.parse_memory(text) == expected


@pytest.mark.parametrize("bad", ["a lot", "256 megabytes", "-1g", True])
def test_bad_memory_sizes_say_what_a_size_looks_like(bad):
    with pytest.raises(ValueError, match="memory must be"):
        kernel.parse_memory(bad)


def test_a_cpu_quota_throttles_rather_than_fails():
    t, used = kernel.cpu_timeline(0.5, 1, milliseconds=1000)
    assert used.mean() == pytest.approx(0.5) and used.max() == 1
    assert used[:50].min() == 1 and used[50:100].max() == 0  # runs 50 ms, waits 50 ms
    assert kernel.cpu_timeline(2, 1)[1].min() == 1  # under its quota: never throttled
    assert kernel.cpu_timeline(1, 4)[1].mean() == pytest.approx(1)  # 4 threads share 1 core
    assert kernel.request_ms(100, 0.5) == 150 and kernel.request_ms(120, 0.5) == 220
    assert kernel.request_ms(30, 0.5) == 30 and kernel.request_ms(100, 4) == 100


def test_memory_limit_means_an_oom_kill():
    assert kernel.oom_kill_minute("256m", 100, 30) == pytest.approx(5.2)
    assert kernel.oom_kill_minute("256m", 100, 0) is None
    assert kernel.oom_kill_minute("64m", 100, 0) == 0
    assert kernel.OOM_EXIT_CODE == 128 + 9  # killed by SIGKILL


def test_the_namespaces_named_are_the_running_kernels_own():
    import os

    own = set(os.listdir("/proc/self/ns")) if os.path.isdir("/proc/self/ns") else None
    if own is None:
        pytest.skip("no /proc/self/ns: not a Linux kernel")
    assert {n.name for n in kernel.NAMESPACES} <= own
    assert [n.name for n in kernel.NAMESPACES if not n.docker_default] == ["user"]


# ---- where an image runs ----------------------------------------------------------------
def test_linux_images_run_natively_only_on_a_linux_kernel_of_their_cpu():
    v = platforms.verdict("Linux server, x86-64", "linux/amd64 only")
    assert (v.runs, v.how, v.says) == (True, "native", "")
    mac = platforms.verdict("Mac with Apple silicon (Docker Desktop)", "linux/arm64 only")
    assert mac.how == "in a Linux VM" and "Linux VM's kernel" in mac.stack
    assert "Apple Virtualization framework" in " ".join(mac.stack)
    win = platforms.verdict("Windows PC, x86-64 (Docker Desktop)", "linux/amd64 only")
    assert win.how == "in a Linux VM" and "WSL 2" in " ".join(win.stack)


def test_another_cpu_architecture_needs_an_emulator():
    v = platforms.verdict("Linux server, Arm64 (e.g. AWS Graviton)", "linux/amd64 only")
    assert v.how == "emulated" and "exec format error" in v.why
    assert v.says.startswith("WARNING: The requested image's platform (linux/amd64) does not "
                             "match the detected host platform (linux/arm64/v8)")  # fmt: skip
    multi = platforms.verdict(
        "Linux server, Arm64 (e.g. AWS Graviton)", "multi-platform: linux/amd64 + linux/arm64"
    )
    assert multi.how == "native" and "linux/arm64/v8 variant" in multi.why


def test_a_windows_image_needs_a_windows_kernel():
    for machine in platforms.MACHINES:
        v = platforms.verdict(machine, "windows/amd64 (a Windows image)")
        assert v.runs == machine.startswith("Windows"), machine
    with pytest.raises(ValueError, match="machine must be one of"):
        platforms.verdict("a toaster", "linux/amd64 only")
