"""Explorers for Docker images: the layer stack and build cache, and environment parity."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.i18n import N_, tr
from msa_course.images import builders, charts
from msa_course.images.build import Image, build
from msa_course.images.builders import BUILDERS
from msa_course.images.cache import cache_report, counts
from msa_course.images.context import Context, edit, normalise
from msa_course.images.parity import simulate
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer, slider

EXAMPLE_CONTEXT: dict[str, str] = {
    "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "templates/index.html": "<h1>Hello</h1>\n",
}
EXAMPLE_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
ENV PORT=8000
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
"""
NO_CHANGE = N_("(no file change)")


def image_layer_explorer(
    dockerfile: str = EXAMPLE_DOCKERFILE,
    alternative: str = "",
    context: Context | None = None,
    sizes: dict[int, float] | None = None,
    builder: str = "buildkit",
) -> Explorer:
    """A Dockerfile in a text area -> its layer stack, coloured by cache status, under BuildKit
    (what `docker build` uses) or the classic builder; the side panel says where the two differ.

    The cache holds the last build (at first: `dockerfile` itself). Edit a line, or change a
    copied file (its content, or only its mtime as `touch` does), and see what misses; press
    "Build (fill the cache)" to make the current state the cached one. A Dockerfile in
    `alternative` is drawn beside it with the same file change, to compare two orderings.
    """
    files = normalise(EXAMPLE_CONTEXT if context is None else context)
    changes = [(tr(NO_CHANGE), NO_CHANGE)] + [
        (tr(CHANGE_LABELS[how], path=p), f"{how} {p}") for p in files for how in CHANGE_LABELS
    ]
    area = dict(layout=widgets.Layout(width="46em", height="13em"))
    controls = {
        "builder": widgets.ToggleButtons(
            options=[
                (f"{tr(b.title)} ({tr(BUILDER_NOTES[b.name])})", b.name) for b in BUILDERS.values()
            ],
            value=builders.get(builder).name,
            description=tr("builder"),
        ),
        "dockerfile": widgets.Textarea(dockerfile, description="Dockerfile", **area),
        "alternative": widgets.Textarea(
            alternative,
            description=tr("compare with"),
            placeholder=tr("(optional) another ordering"),
            **area,
        ),
        "change": widgets.Dropdown(options=changes, value=NO_CHANGE, description=tr("file change")),
    }
    state = {"text": dockerfile, "alt": alternative, "files": files}
    cached_builds: dict[tuple[str, str], Image] = {}

    def changed_files(choice: str):
        if choice == NO_CHANGE:
            return state["files"]
        how, path = choice.split(" ", 1)
        return edit(state["files"], path, "content" if how == "edit" else "mtime")

    def report(text: str, cached_text: str, current_files, name: str) -> tuple[list, Image]:
        key = (cached_text or text, name)
        if key not in cached_builds:  # the cached build only changes on "Build"
            cached_builds[key] = build(key[0], state["files"], sizes=sizes, builder=name)
        after = build(text, current_files, sizes=sizes, builder=name)
        return cache_report(cached_builds[key], after), after

    def render(builder, dockerfile, alternative, change):
        current_files = changed_files(change)  # the argument, so the static edition shows it
        steps, image = report(dockerfile, state["text"], current_files, builder)
        other = next(n for n in BUILDERS if n != builder)
        other_steps, _ = report(dockerfile, state["text"], current_files, other)
        panels = [(tr("your Dockerfile"), steps)]
        summary = [_summary(tr("Your Dockerfile"), steps, image)]
        if alternative.strip():
            alt_steps, alt_image = report(alternative, state["alt"], current_files, builder)
            panels.append((tr("compare with"), alt_steps))
            summary.append(_summary(tr("Compared Dockerfile"), alt_steps, alt_image))
        by_builder = {builder: steps, other: other_steps}
        side = "".join(summary) + _differences(by_builder) + _step_table(steps)
        return charts.layer_chart(panels), side

    def fill_cache():
        new_files = changed_files(controls["change"].value)
        build(controls["dockerfile"].value, new_files)  # a broken Dockerfile is not cached
        state.update(
            text=controls["dockerfile"].value, alt=controls["alternative"].value, files=new_files
        )
        cached_builds.clear()
        controls["change"].value = NO_CHANGE

    return Explorer(
        controls,
        render,
        title=tr("Image layers and the build cache"),
        actions={N_("Build (fill the cache)"): fill_cache},
        controls_per_row=1,
        static=_notice_states(dockerfile, files),
    )


def _notice_states(dockerfile: str, files: Context) -> list:
    """Chapter 02's Notice, in its order, for the explorer's own example (another Dockerfile
    or context shows what it starts with)."""
    if "app.py" not in files or "ENV PORT=8000" not in dockerfile:
        return []
    env_edit = dockerfile.replace("ENV PORT=8000", "ENV PORT=9000")
    return [
        (tr("app.py edited."), {"change": "edit app.py"}),
        (tr("app.py touched: only its modification time changes."), {"change": "touch app.py"}),
        (tr("ENV PORT=8000 changed to 9000, under BuildKit."), {"dockerfile": env_edit}),
        (
            tr("The same change under the classic builder."),
            {"dockerfile": env_edit, "builder": "classic"},
        ),
        (
            tr("RUN misspelled as RUNN."),
            {"dockerfile": dockerfile.replace("\nRUN ", "\nRUNN ", 1)},
        ),
    ]


KIND_NAMES = {"base": N_("base"), "filesystem": N_("filesystem"), "metadata": N_("metadata")}
CHANGE_LABELS = {"edit": N_("edit {path}"), "touch": N_("touch {path}")}
BUILDER_NOTES = {"buildkit": N_("what docker build uses"), "classic": "DOCKER_BUILDKIT=0"}
_SKIPPED = N_(
    "BuildKit builds only the stages the target needs; the classic builder builds every "
    "stage up to the target."
)
# Why the two builders give a line different statuses, keyed by (BuildKit's, classic's).
WHY_THEY_DIFFER = {
    ("no step", "miss"): N_(
        "BuildKit runs no step for a configuration-only instruction; the classic builder "
        "commits every instruction, and after one miss every later one misses."
    ),
    ("no step", "hit"): N_(
        "BuildKit runs no step for a configuration-only instruction; the classic builder "
        "commits it as a step and finds it in the cache."
    ),
    ("hit", "miss"): N_(
        "BuildKit keys a COPY on the files it copies and a RUN on the environment it runs in, "
        "so this step does not see the change; the classic builder misses from the first "
        "changed line on."
    ),
    ("miss", "hit"): N_(
        "BuildKit keys a RUN on the environment it runs in, which changed; the classic builder "
        "compares the instruction after the same parent step."
    ),
    ("skipped", "hit"): _SKIPPED,
    ("skipped", "miss"): _SKIPPED,
}


def _differences(by_builder: dict[str, list]) -> str:
    """Lines whose status differs between the builders, with the reason from WHY_THEY_DIFFER."""
    rows = []
    for kit, classic in zip(by_builder["buildkit"], by_builder["classic"], strict=True):
        if kit.status != classic.status:
            why = tr(WHY_THEY_DIFFER.get((kit.status, classic.status), ""))
            rows.append(
                f"<tr><td>{kit.layer.line}</td>"
                f"<td><code>{html.escape(kit.layer.created_by[:50])}</code></td>"
                f"<td>{tr(kit.status)}</td><td>{tr(classic.status)}</td>"
                f"<td>{html.escape(why)}</td></tr>"
            )
    if not rows:
        return f"<p>{tr('BuildKit and the classic builder agree on every line of this build.')}</p>"
    head = (N_("line"), N_("instruction"), "BuildKit", N_("classic builder"), N_("why"))
    differ = tr("Where BuildKit and the classic builder differ in this build:")
    return f"<p><b>{differ}</b></p>" + theme.table_html([tr(h) for h in head], rows)


def _summary(title: str, steps, image: Image) -> str:
    c = counts(steps)
    text = tr(
        "{title}, built by {builder}: {layers} filesystem layers on top of the base image, "
        "{size:,.1f} MB in all. This build: {hits} steps from the cache, {misses} cache misses "
        "that run again ({rebuilt} of them filesystem layers), {no_step} configuration-only "
        "lines with no step, {skipped} skipped. Image digest {digest}…",
        title=f"<b>{html.escape(title)}</b>",
        builder=html.escape(tr(image.builder.follows)),
        layers=len(image.filesystem_layers),
        size=image.size_mb,
        hits=c["hit"],
        misses=c["miss"],
        rebuilt=c["layers_rebuilt"],
        no_step=c["no step"],
        skipped=c["skipped"],
        digest=image.digest[:19],
    )
    return f"<p>{text}</p>"


def _step_table(steps) -> str:
    rows = [
        f"<tr><td>{s.layer.line}</td><td><code>{html.escape(s.layer.created_by[:60])}</code></td>"
        f"<td>{tr(KIND_NAMES[s.layer.kind])}</td>"
        f"<td>{html.escape(charts._size(s.layer.size_mb, s.layer.kind))}</td>"
        f"<td>{tr(s.status)}</td><td>{html.escape(s.reason)}</td></tr>"
        for s in steps
    ]
    head = (N_("line"), N_("instruction"), N_("kind"), N_("size"), N_("cache"), N_("why"))
    return theme.table_html([tr(h) for h in head], rows)


def parity_explorer(days_between: int = 7, seed: int = 0) -> Explorer:
    """Dev -> test -> staging -> prod: one promoted image vs rebuilding vs hand-built servers."""
    f, i = widgets.FloatSlider, widgets.IntSlider
    look = {"style": {"description_width": "initial"}}
    controls = {
        "days_between": slider(i, tr("days between environments"), days_between, 0, 60, 1, **look),
        "release_prob": slider(f, tr("upstream releases / day"), 0.05, 0, 0.3, 0.01, **look),
        "drift_prob": slider(f, tr("manual patches / day"), 0.01, 0, 0.1, 0.005, **look),
        "seed": slider(i, tr("seed"), seed, 0, 20, 1, **look),
    }

    def render(days_between, release_prob, drift_prob, seed):
        result = simulate(days_between, release_prob, drift_prob, seed)
        side = "".join(
            f"<p><b>{html.escape(tr(name))}</b>: {_parity_line(result, name)}</p>"
            for name in result.strategies
        )
        return charts.parity_chart(result), side

    return Explorer(controls, render, title=tr("Environment parity: dev → test → staging → prod"))


def _parity_line(result, strategy: str) -> str:
    """One sentence per strategy: its digests (if it has an image) and what differs from dev."""
    digests = {e.digest for e in result.strategies[strategy]}
    if result.identical(strategy):
        if digests == {None}:
            return tr("the same versions in every environment.")
        return tr("the same versions, one digest in every environment.")
    counts = ", ".join(f"{tr(k)} {len(v)}" for k, v in result.differences(strategy).items() if v)
    if digests == {None}:
        return tr(
            "no image, so no digest to compare; components that differ from dev: {counts}.",
            counts=counts,
        )
    return tr(
        "{digests} different digests; components that differ from dev: {counts}.",
        digests=len(digests),
        counts=counts,
    )
