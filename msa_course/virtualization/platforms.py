"""Where an image runs, and why portability stops at the kernel.

A container is a process on the host's kernel, so an image runs natively only where the kernel
is of its OS (Linux for a Linux image) and the CPU is of its architecture. Elsewhere something
fills the gap (figures.md §1, "Where an image runs"):

- Docker Desktop on macOS and Windows runs a Linux VM and the Linux containers inside it
  (Docker docs: the Virtual Machine Manager "is the technology used to run the Linux VM");
- an image for another CPU architecture runs only under emulation (QEMU, or Rosetta 2 in
  Docker Desktop on Apple silicon), and much slower; without an emulator the kernel refuses
  to start it ("exec format error");
- a multi-platform image carries one variant per platform, and the engine pulls the one that
  matches;
- a Windows image needs a Windows kernel: no Linux or macOS host runs it.

Names, `how` and the stack's layers are English data marked N_ (the chart colours a layer by
its English words); `why` is a sentence in the active language.
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.i18n import N_, tr


@dataclass(frozen=True)
class Machine:
    """A computer someone runs `docker run` on."""

    name: str
    os: str  # the host's own kernel: "linux", "darwin" (macOS) or "windows"
    arch: str  # "amd64" or "arm64"
    linux_vm: str = ""  # what runs the Linux VM, where Linux containers need one


@dataclass(frozen=True)
class Verdict:
    """Whether an image runs on a machine, how, and the stack underneath it, bottom first."""

    runs: bool
    how: str  # "native", "in a Linux VM", "emulated", "emulated in a Linux VM", "no"
    stack: tuple[str, ...]
    says: str  # what docker prints, if anything
    why: str


MACHINES: dict[str, Machine] = {
    m.name: m
    for m in (
        Machine(N_("Linux server, x86-64"), "linux", "amd64"),
        Machine(N_("Linux server, Arm64 (e.g. AWS Graviton)"), "linux", "arm64"),
        Machine(
            N_("Mac with Apple silicon (Docker Desktop)"),
            "darwin",
            "arm64",
            "Apple Virtualization framework",
        ),
        Machine(
            N_("Mac with Intel CPU (Docker Desktop)"),
            "darwin",
            "amd64",
            "Apple Virtualization framework",
        ),
        Machine(N_("Windows PC, x86-64 (Docker Desktop)"), "windows", "amd64", "WSL 2 (Hyper-V)"),
    )
}
IMAGES: dict[str, tuple[tuple[str, str], ...]] = {  # name -> the (os, arch) variants it carries
    N_("linux/amd64 only"): (("linux", "amd64"),),
    N_("linux/arm64 only"): (("linux", "arm64"),),
    N_("multi-platform: linux/amd64 + linux/arm64"): (("linux", "amd64"), ("linux", "arm64")),
    N_("windows/amd64 (a Windows image)"): (("windows", "amd64"),),
}
_KERNEL = {
    "linux": N_("Linux kernel"),
    "darwin": N_("macOS kernel (XNU)"),
    "windows": N_("Windows kernel"),
}
_HARDWARE = {"amd64": N_("hardware (x86-64 CPU)"), "arm64": N_("hardware (Arm64 CPU)")}
# (the emulator's name, its layer in the stack) inside Docker Desktop's VM and on a Linux host
_EMULATORS = {
    True: (N_("Rosetta 2 or QEMU"), N_("emulator: Rosetta 2 or QEMU")),
    False: (
        N_("QEMU (if binfmt_misc handlers are installed)"),
        N_("emulator: QEMU (if binfmt_misc handlers are installed)"),
    ),
}
_MISMATCH = (
    "WARNING: The requested image's platform ({image}) does not match the detected host "
    "platform ({host}) and no specific platform was requested"
)


def verdict(machine: str | Machine, image: str) -> Verdict:
    """Can `image` (a key of IMAGES) run on `machine` (a key of MACHINES), and how?"""
    host = MACHINES.get(machine) if isinstance(machine, str) else machine
    if host is None:
        raise ValueError(f"machine must be one of {list(MACHINES)}, got {machine!r}")
    if image not in IMAGES:
        raise ValueError(f"image must be one of {list(IMAGES)}, got {image!r}")
    variants = IMAGES[image]
    hardware = _HARDWARE[host.arch]
    if all(os == "windows" for os, _ in variants):
        if host.os != "windows":
            return Verdict(
                False,
                N_("no"),
                (hardware, _KERNEL[host.os]),
                f"no matching manifest for {_platform('linux', host.arch)} in the manifest "
                "list entries",
                tr(
                    "A Windows image needs a Windows kernel. Containers share the host's kernel, "
                    "and no Linux or macOS host has a Windows one."
                ),
            )
        return Verdict(
            True,
            N_("native"),
            (hardware, _KERNEL["windows"], N_("container engine (Windows containers mode)"), image),
            "",
            tr(
                "Windows containers run on the Windows kernel once Docker Desktop is switched to "
                "Windows containers."
            ),
        )
    below = [hardware, _KERNEL[host.os]]
    inside_vm = host.os != "linux"
    if inside_vm:
        below += [N_(f"hypervisor: {host.linux_vm}"), N_("Linux VM's kernel")]
    below.append(N_("container engine"))
    archs = [arch for os, arch in variants if os == "linux"]
    if host.arch in archs:
        how = N_("in a Linux VM") if inside_vm else N_("native")
        if inside_vm:
            why = tr(
                "macOS and Windows have no Linux kernel: Docker Desktop runs one in a VM "
                "({vm}), and the container runs there at full CPU speed.",
                vm=host.linux_vm,
            )
        else:
            why = tr(
                "The image's OS and CPU architecture match the host: the container is an "
                "ordinary process on the host's kernel."
            )
        if len(archs) > 1:
            pulled = tr(
                "The engine pulled the {platform} variant.",
                platform=_platform("linux", host.arch),
            )
            why = f"{why} {pulled}"
        container = N_(f"container ({_platform('linux', host.arch)})")
        return Verdict(True, how, (*below, container), "", why)
    other = _platform("linux", archs[0])
    emulator, layer = _EMULATORS[inside_vm]
    return Verdict(
        True,
        N_("emulated in a Linux VM") if inside_vm else N_("emulated"),
        (*below, layer, N_(f"container ({other})")),
        _MISMATCH.format(image=other, host=_platform("linux", host.arch)),
        tr(
            "The image's machine code is for another CPU. It runs only through an emulator, "
            "{emulator}, and much slower; without one the kernel refuses it with 'exec format "
            "error'. Publish a multi-platform image instead.",
            emulator=tr(emulator),
        ),
    )


def _platform(os: str, arch: str) -> str:
    return f"{os}/{'arm64/v8' if arch == 'arm64' else arch}"
