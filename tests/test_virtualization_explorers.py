"""The stack and density explorers, driven as a learner would."""

import pytest

import msa_course
from msa_course.virtualization.widgets import density_explorer, stack_explorer


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
    guest = ex.figure.data[1].y[0]  # guest OS memory, 4 instances
    ex.controls["instances"].value = 8
    assert ex.figure.data[1].y[0] == 2 * guest
    assert ex.figure.data[1].y[1] == 0  # containers: no guest OS


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
