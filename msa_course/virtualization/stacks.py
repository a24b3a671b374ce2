"""The three ways to run a service on one server, as data: what each layer is and what it costs.

A type-1 hypervisor runs on the hardware; a type-2 hypervisor runs as a program on a full host
OS (a desktop OS with its own programs); containers share the host's kernel through a container
engine. Each stack is a list of layers from the hardware up, and each layer is either paid once
per host or once per instance; that difference is the whole story of density. Figures come
from docs/figures.md §1 and carry their source in `Figure.source`; figures marked
`approximate` are orders of magnitude or assumptions, and the learner can change every one of
them.

Names, examples, notes and sources are English data marked N_; the views translate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from msa_course.i18n import N_, tr


@dataclass(frozen=True)
class Figure:
    """A number with where it comes from; `approximate` means: an order of magnitude only."""

    value: float
    unit: str
    source: str
    approximate: bool = False

    def label(self) -> str:
        """The figure, its unit and its source, in the active language."""
        values = dict(value=self.value, unit=tr(self.unit), source=tr(self.source))
        if self.approximate:
            return tr("{value:g} {unit} (order of magnitude); {source}", **values)
        return tr("{value:g} {unit}; {source}", **values)


@dataclass(frozen=True)
class Layer:
    """One layer of a stack. `per_instance` layers are paid again for every VM or container."""

    name: str
    examples: str
    per_instance: bool
    memory_mib: float = 0.0
    note: str = ""
    approximate: bool = False  # the note's figure is an order of magnitude only

    def note_text(self) -> str:
        """The note in the active language, marked when its figure is approximate."""
        note = tr(self.note)
        return tr("{note} (order of magnitude)", note=note) if self.approximate else note


@dataclass(frozen=True)
class Isolation:
    """How one instance is isolated, with the costs the density calculator uses.

    memory_overhead_mib: memory each instance needs beyond the service's own request (a VMM
    process plus a guest OS for VMs, nothing extra for containers).
    cpu_efficiency: fraction of a host core the guest gets (virtualisation tax on CPU).
    start: time from "start" to the guest running its first process.
    """

    key: str
    name: str
    vmm_mib: Figure
    guest_os_mib: Figure
    cpu_efficiency: Figure
    start: Figure

    @property
    def memory_overhead_mib(self) -> float:
        return self.vmm_mib.value + self.guest_os_mib.value

    def with_changes(self, **values: float) -> Isolation:
        """A copy with some figures replaced by the learner's own values (source: "you")."""
        changes = {}
        for name, value in values.items():
            old = getattr(self, name, None)
            if not isinstance(old, Figure):
                raise ValueError(f"{name} is not a figure of {self.key}; use one of {_FIGURES}")
            if not value >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {value}")
            changes[name] = Figure(float(value), old.unit, N_("your value"))
        if "cpu_efficiency" in changes and not 0 < changes["cpu_efficiency"].value <= 1:
            raise ValueError(f"cpu_efficiency must be in (0, 1], got {values['cpu_efficiency']}")
        return replace(self, **changes)


_FIGURES = ("vmm_mib", "guest_os_mib", "cpu_efficiency", "start")

_QEMU = N_("QEMU VMM ≈131 MB (Agache et al., NSDI '20; figures.md §1, secondary source)")
_FC_MEM = N_("Firecracker SPECIFICATION.md: ≤5 MiB VMM memory (figures.md §1)")
_FC_START = N_("Firecracker SPECIFICATION.md: ≤125 ms to guest /sbin/init (figures.md §1)")
_FC_CPU = N_(
    "a microVM runs on KVM like a full VM, so its vCPUs get the same share: Felter et al.'s "
    "tuned KVM figure (Firecracker's SPECIFICATION.md only promises > 95%, a lower bound)"
)
_KVM_CPU = N_("Felter et al. 2015: Linpack on tuned KVM 284.2 vs native 290.8 GFLOPS (secondary)")
_DOCKER_CPU = N_("Felter et al. 2015: Docker adds no measurable CPU overhead")
_DOCKER_START = N_("van Rijn & Rellermeyer 2021 §3.5: Docker ≈100 ms (secondary source)")
_VM_BOOT = N_("cloud VM boot 'tens of seconds' (Mao & Humphrey 2012; not verified)")
_GUEST = N_("assumption: a general-purpose guest OS idling; change it")
# What each stack pays once per host. No measurement covers these: they are the course's
# assumptions, orders of magnitude only (figures.md §1, "Per-host layers").
HOST_LAYERS: dict[str, Figure] = {
    "type-1 hypervisor": Figure(
        256, "MiB", N_("assumption: a bare-metal hypervisor and its management agents"), True
    ),
    "desktop host OS": Figure(
        2048,
        "MiB",
        N_("assumption: a desktop OS (Windows, macOS, Linux) with its own programs"),
        True,
    ),
    "type-2 hypervisor": Figure(
        128, "MiB", N_("assumption: the hypervisor program and its background services"), True
    ),
    "server host OS": Figure(256, "MiB", N_("assumption: a minimal server Linux"), True),
    "container engine": Figure(128, "MiB", N_("assumption: dockerd and containerd"), True),
}
_MINI_GUEST = N_("assumption: a minimal guest kernel and init; change it")

ISOLATIONS: dict[str, Isolation] = {
    "vm": Isolation(
        "vm",
        N_("full VM"),
        vmm_mib=Figure(131, "MiB", _QEMU, approximate=True),
        guest_os_mib=Figure(512, "MiB", _GUEST, approximate=True),
        cpu_efficiency=Figure(round(284.2 / 290.8, 3), N_("of a core"), _KVM_CPU),
        start=Figure(30, "s", _VM_BOOT, approximate=True),
    ),
    "microvm": Isolation(
        "microvm",
        N_("microVM (Firecracker)"),
        vmm_mib=Figure(5, "MiB", _FC_MEM),
        guest_os_mib=Figure(64, "MiB", _MINI_GUEST, approximate=True),
        cpu_efficiency=Figure(round(284.2 / 290.8, 3), N_("of a core"), _FC_CPU),
        start=Figure(0.125, "s", _FC_START),
    ),
    "container": Isolation(
        "container",
        N_("container"),
        vmm_mib=Figure(0, "MiB", N_("no VMM: the container is a process on the host kernel")),
        guest_os_mib=Figure(0, "MiB", N_("no guest OS: containers share the host's kernel")),
        cpu_efficiency=Figure(1.0, N_("of a core"), _DOCKER_CPU),
        start=Figure(0.1, "s", _DOCKER_START, approximate=True),
    ),
}


@dataclass(frozen=True)
class Stack:
    """A way to stack software on a server, bottom (hardware) first."""

    key: str
    name: str
    isolation: str
    layers: tuple[Layer, ...]
    summary: str
    products: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def memory_mib(self, instances: int, app_mib: float) -> dict[str, float]:
        """Memory each layer takes for `instances` copies of an app needing `app_mib` each."""
        _check_count("instances", instances)
        if not app_mib >= 0:
            raise ValueError(f"app_mib must be >= 0, got {app_mib}")
        out = {}
        for layer in self.layers:
            each = app_mib if layer.name == "application" else layer.memory_mib
            out[layer.name] = each * (instances if layer.per_instance else 1)
        return out


def _stack_layers(
    isolation: Isolation,
    host: list[Layer],
    vmm_examples: str = N_("QEMU, Firecracker: the program that runs one VM"),
) -> tuple[Layer, ...]:
    guest = []
    if isolation.key != "container":
        guest = [
            Layer(
                N_("VMM process"),
                vmm_examples,
                True,
                isolation.vmm_mib.value,
                isolation.vmm_mib.source,
            ),
            Layer(
                N_("guest OS"),
                N_("its own kernel, patched and updated per VM"),
                True,
                isolation.guest_os_mib.value,
                isolation.guest_os_mib.source,
            ),
        ]
    return (
        Layer(N_("hardware"), N_("CPU, memory, disk, NIC"), False),
        *host,
        *guest,
        Layer(
            N_("libraries and runtime"),
            N_("glibc, Python, a JVM"),
            True,
            0.0,
            N_("counted inside the application's request here"),
        ),
        Layer(N_("application"), N_("your service"), True),
    )


def _host_layer(name: str, figure: str, examples: str, note: str = "") -> Layer:
    cost = HOST_LAYERS[figure]
    return Layer(name, examples, False, cost.value, note or cost.source, approximate=True)


def _build_stacks() -> dict[str, Stack]:
    vm, ct = ISOLATIONS["vm"], ISOLATIONS["container"]
    return {
        "type1": Stack(
            "type1",
            N_("Type-1 hypervisor (bare metal)"),
            "vm",
            _stack_layers(
                vm,
                [_host_layer(N_("hypervisor"), "type-1 hypervisor", "ESXi, Hyper-V, Xen, KVM")],
            ),
            N_("The hypervisor runs directly on the hardware; every VM boots its own OS."),
            products=N_("AWS EC2 and Azure VM run VMs on type-1 hypervisors"),
            notes=(
                N_(
                    "Calling KVM type 1 is debated: it is a module of a full Linux host "
                    "(figures.md §1)."
                ),
            ),
        ),
        "type2": Stack(
            "type2",
            N_("Type-2 hypervisor (hosted)"),
            "vm",
            _stack_layers(
                vm,
                [
                    _host_layer(
                        N_("host OS"),
                        "desktop host OS",
                        N_("Windows, macOS, Linux with its own programs"),
                    ),
                    _host_layer(
                        N_("hypervisor"),
                        "type-2 hypervisor",
                        "VirtualBox, VMware Workstation, Parallels",
                    ),
                ],
                N_("one process per VM, such as VMware Workstation's vmware-vmx"),
            ),
            N_(
                "The hypervisor is a program on a full host OS, whose scheduler runs each VM's "
                "virtual CPUs beside its own programs; each VM still boots its own OS."
            ),
            products=N_("desktop virtualisation on a laptop"),
        ),
        "containers": Stack(
            "containers",
            N_("Containers on a shared kernel"),
            "container",
            _stack_layers(
                ct,
                [
                    _host_layer(
                        N_("host OS"),
                        "server host OS",
                        N_("Linux (Windows for Windows containers)"),
                        N_("one kernel for the whole host; assumption: a minimal server Linux"),
                    ),
                    _host_layer(
                        N_("container engine"), "container engine", N_("Docker Engine, containerd")
                    ),
                ],
            ),
            N_(
                "A container engine makes isolated spaces on one host kernel; no guest OS. macOS "
                "has no container kernel: Docker Desktop runs a Linux VM there."
            ),
            products=N_("Docker, the best-known container technology"),
        ),
    }


STACKS: dict[str, Stack] = _build_stacks()


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
