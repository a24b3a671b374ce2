"""Explorers for chapter 02's first half: the stacks, density with start-up time, what isolates a
container (cgroups and namespaces) and where an image runs (portability)."""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets

from msa_course.i18n import N_, menu, tr
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer, slider
from msa_course.virtualization import charts, kernel, platforms
from msa_course.virtualization.density import Host, Service, compare
from msa_course.virtualization.stacks import ISOLATIONS, STACKS

_slider = functools.partial(slider, style={"description_width": "initial"})


def stack_explorer(instances: int = 4, app_mib: int = 256) -> Explorer:
    """Toggle the three stacks; see each one's layers and what it costs for N instances."""
    controls = {
        key: widgets.Checkbox(value=True, description=tr(s.name)) for key, s in STACKS.items()
    }
    controls["instances"] = _slider(widgets.IntSlider, tr("instances"), instances, 1, 32, 1)
    controls["app_mib"] = _slider(widgets.IntSlider, tr("app memory (MiB)"), app_mib, 32, 2048, 32)

    def render(instances, app_mib, **shown):
        chosen = [STACKS[k] for k, on in shown.items() if on]
        if not chosen:
            raise ValueError(tr("tick at least one stack to compare"))
        return charts.stack_chart(chosen, instances, app_mib), _stack_table(chosen, instances)

    return Explorer(
        controls,
        render,
        title=tr("Three stacks: hypervisors and containers"),
        static={"instances": 16},  # chapter 02's Notice: the bars at 16 instances
    )


def _stack_table(stacks, instances: int) -> str:
    once = tr("once per host")
    head = [
        tr(h)
        for h in (
            N_("layer (top first)"),
            N_("examples"),
            N_("paid"),
            N_("memory each"),
            N_("source"),
        )
    ]
    parts = []
    for stack in stacks:
        rows = [
            f"<tr><td>{html.escape(tr(x.name))}</td><td>{html.escape(tr(x.examples))}</td>"
            f"<td>{'×' + str(instances) if x.per_instance else once}</td>"
            f"<td>{x.memory_mib:g} MiB</td><td>{html.escape(x.note_text())}</td></tr>"
            for x in reversed(stack.layers)
            if x.name != "application"
        ]
        iso = ISOLATIONS[stack.isolation]
        notes = "".join(f"<br><i>{html.escape(tr(n))}</i>" for n in stack.notes)
        about = tr(
            "{summary} ({products}). Start-up: {start}.",
            summary=tr(stack.summary),
            products=tr(stack.products),
            start=iso.start.label(),
        )
        parts.append(
            f"<h4>{html.escape(tr(stack.name))}</h4><p>{html.escape(about)}{notes}</p>"
            + theme.table_html(head, rows)
        )
    return "".join(parts)


def density_explorer(
    cores: int = 16, memory_gib: int = 64, cpu: float = 0.5, memory_mib: int = 1024
) -> Explorer:
    """Host and service sliders -> instances per host and cold-start time, VM vs microVM vs
    container, with which resource ran out first."""
    f, i = widgets.FloatSlider, widgets.IntSlider
    controls = {
        "cores": _slider(i, tr("host cores"), cores, 1, 128, 1),
        "memory_gib": _slider(i, tr("host memory (GiB)"), memory_gib, 1, 512, 1),
        "cpu": _slider(f, tr("service CPU (cores)"), cpu, 0.05, 8, 0.05),
        "memory_mib": _slider(i, tr("service memory (MiB)"), memory_mib, 16, 16384, 16),
        "guest_os_mib": _slider(
            i, tr("full VM guest OS (MiB)"), int(ISOLATIONS["vm"].guest_os_mib.value), 0, 4096, 32
        ),
        "start": _slider(i, tr("instances to cold-start"), 100, 1, 1000, 1),
    }

    def render(cores, memory_gib, cpu, memory_mib, guest_os_mib, start):
        isolations = dict(ISOLATIONS)
        isolations["vm"] = ISOLATIONS["vm"].with_changes(guest_os_mib=guest_os_mib)
        results = compare(Host(cores, memory_gib), Service("service", cpu, memory_mib), isolations)
        side = "".join(
            f"<p><b>{html.escape(tr(d.isolation.name))}</b>: {html.escape(d.explain())} "
            + html.escape(
                tr(
                    "Starting {count}: {seconds:.2f} s ({start}).",
                    count=start,
                    seconds=d.cold_start_s(start),
                    start=d.isolation.start.label(),
                )
            )
            + "</p>"
            for d in results.values()
        )
        return charts.density_chart(results, start), side

    return Explorer(
        controls,
        render,
        title=tr("How many fit, and how fast they start"),
        static=[  # chapter 02's Notice: a small, memory-bound service, 500 cold starts
            (
                tr("A 0.1-core, 256 MiB service, 500 instances cold-started."),
                {"cpu": 0.1, "memory_mib": 256, "start": 500},
            ),
            (
                tr("The same with the full VM's guest OS at 0 MiB."),
                {"cpu": 0.1, "memory_mib": 256, "start": 500, "guest_os_mib": 0},
            ),
        ],
    )


def cgroup_explorer(
    cpus: float = 0.5, busy_threads: float = 1.0, memory_mib: int = 256, growth: int = 30
) -> Explorer:
    """`docker run --cpus --memory` as the kernel applies them: CPU throttled at its quota,
    memory OOM-killed at its limit; the side panel lists the cgroup files and namespaces."""
    f, i = widgets.FloatSlider, widgets.IntSlider
    controls = {
        "cpus": _slider(f, "--cpus", cpus, 0.1, 4, 0.1),
        "busy_threads": _slider(f, tr("busy threads"), busy_threads, 0.5, 4, 0.5),
        "memory_mib": _slider(i, "--memory (MiB)", memory_mib, 64, 2048, 64),
        "growth": _slider(i, tr("memory growth (MiB/min)"), growth, 0, 200, 10),
    }

    def render(cpus, busy_threads, memory_mib, growth):
        limit = f"{memory_mib}m"
        oom = kernel.oom_kill_minute(limit, START_MIB, growth)
        fig = charts.cgroup_chart(
            cpus, busy_threads, memory_mib, START_MIB, growth,
            kernel.cpu_timeline(cpus, busy_threads), oom,
        )  # fmt: skip
        files = kernel.cgroup_files(cpus, limit)
        slow = kernel.request_ms(100, cpus)
        rows = [
            f"<tr><td><code>{n.name}</code></td><td>{html.escape(tr(n.isolates))}</td>"
            f"<td>{html.escape(tr(n.inside))}</td></tr>"
            for n in kernel.NAMESPACES
        ]
        head = [tr(h) for h in (N_("namespace"), N_("isolates"), N_("inside the container"))]
        writes = tr(
            "The engine writes {cpu_max} and {memory_max} into the container's cgroup. "
            "A request that needs 100 ms of CPU on one thread takes {slow:.0f} ms here.",
            cpu_max=f"<code>cpu.max = {files['cpu.max']}</code>",
            memory_max=f"<code>memory.max = {files['memory.max']}</code>",
            slow=slow,
        )
        sees = tr(
            "What the container's processes see (namespaces, {docker_run}'s defaults). The "
            "kernel is the host's: {uname} in the container prints the host's kernel version.",
            docker_run="<code>docker run</code>",
            uname="<code>uname -r</code>",
        )
        side = f"<p>{writes} {_oom_sentence(oom)}</p><p>{sees}</p>" + theme.table_html(head, rows)
        return fig, side

    return Explorer(controls, render,
                    title=tr("What isolates a container: cgroups and namespaces"),
                    controls_per_row=2)  # fmt: skip


START_MIB = 100  # the explorer's service uses 100 MiB when it starts


def _oom_sentence(minute) -> str:
    if minute is None:
        return tr("Its memory does not grow, so it is never OOM-killed.")
    if minute == 0:
        return tr("It starts above memory.max: the kernel kills it at once (exit code 137).")
    return tr(
        "At {minute:.1f} minutes its memory reaches memory.max and the kernel's OOM killer "
        "ends it (exit code 137). This host has no swap; with swap, Docker would first let it "
        "use as much swap again.",
        minute=minute,
    )


def portability_explorer(
    machine: str = "Mac with Apple silicon (Docker Desktop)", image: str = "linux/amd64 only"
) -> Explorer:
    """Pick a machine and an image's platform; see what runs it, from the hardware up."""
    controls = {
        "machine": widgets.Dropdown(
            options=menu(platforms.MACHINES),
            value=machine,
            description=tr("machine"),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="32em"),
        ),  # fmt: skip
        "image": widgets.Dropdown(
            options=menu(platforms.IMAGES),
            value=image,
            description=tr("image"),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="32em"),
        ),  # fmt: skip
    }

    def render(machine, image):
        verdict = platforms.verdict(machine, image)
        prints = tr("{docker_run} prints:", docker_run="<code>docker run</code>")
        said = f"<p>{prints}</p>{theme.pre_html(verdict.says)}" if verdict.says else ""
        runs = tr("Runs") if verdict.runs else tr("Does not run")
        side = f"<p><b>{runs}:</b> {html.escape(verdict.why)}</p>{said}"
        return charts.platform_chart(machine, image, verdict), side

    mac = "Mac with Apple silicon (Docker Desktop)"
    return Explorer(controls, render,
                    title=tr("Where an image runs: portability stops at the kernel"),
                    controls_per_row=2,
                    static=[  # chapter 02's Notice, in its order
                        (tr("A Mac with Apple silicon and an image built only for linux/amd64."),
                         {"machine": mac, "image": "linux/amd64 only"}),
                        (tr("The same Mac and a multi-platform image."),
                         {"machine": mac, "image": "multi-platform: linux/amd64 + linux/arm64"}),
                        (tr("A Linux server and a Windows image."),
                         {"machine": "Linux server, x86-64",
                          "image": "windows/amd64 (a Windows image)"}),
                    ])  # fmt: skip
