"""Explorers for Docker images: the layer stack and build cache, and environment parity."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.images import charts
from msa_course.images.build import Image, build
from msa_course.images.cache import cache_report, counts
from msa_course.images.context import Context, edit, normalise
from msa_course.images.parity import simulate
from msa_course.ui.explorer import Explorer

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
NO_CHANGE = "(no file change)"


def image_layer_explorer(
    dockerfile: str = EXAMPLE_DOCKERFILE,
    alternative: str = "",
    context: Context | None = None,
    sizes: dict[int, float] | None = None,
) -> Explorer:
    """A Dockerfile in a text area -> its layer stack, coloured by cache hit or rebuild.

    The cache holds the last build (at first: `dockerfile` itself). Edit a line, or change a
    copied file (its content, or only its mtime as `touch` does), and see what rebuilds; press
    "Build (fill the cache)" to make the current state the cached one. A Dockerfile in
    `alternative` is drawn beside it with the same file change, to compare two orderings.
    """
    files = normalise(EXAMPLE_CONTEXT if context is None else context)
    changes = [NO_CHANGE] + [f"{how} {p}" for p in files for how in ("edit", "touch")]
    area = dict(layout=widgets.Layout(width="46em", height="13em"))
    controls = {
        "dockerfile": widgets.Textarea(dockerfile, description="Dockerfile", **area),
        "alternative": widgets.Textarea(
            alternative,
            description="compare with",
            placeholder="(optional) another ordering",
            **area,
        ),
        "change": widgets.Dropdown(options=changes, value=NO_CHANGE, description="file change"),
    }
    state = {"text": dockerfile, "alt": alternative, "files": files}
    cached_builds: dict[str, Image] = {}

    def changed_files():
        choice = controls["change"].value
        if choice == NO_CHANGE:
            return state["files"]
        how, path = choice.split(" ", 1)
        return edit(state["files"], path, "content" if how == "edit" else "mtime")

    def panel(text: str, cached_text: str, current_files) -> tuple[list, Image]:
        key = cached_text or text
        if key not in cached_builds:  # the cached build only changes on "Build"
            cached_builds[key] = build(key, state["files"], sizes=sizes)
        before = cached_builds[key]
        after = build(text, current_files, sizes=sizes)
        return cache_report(before, after), after

    def render(dockerfile, alternative, change):
        current_files = changed_files()
        steps, image = panel(dockerfile, state["text"], current_files)
        panels = [("your Dockerfile", steps)]
        summary = [_summary("Your Dockerfile", steps, image)]
        if alternative.strip():
            alt_steps, alt_image = panel(alternative, state["alt"], current_files)
            panels.append(("compare with", alt_steps))
            summary.append(_summary("Compared Dockerfile", alt_steps, alt_image))
        return charts.layer_chart(panels), "".join(summary) + _step_table(steps)

    def fill_cache():
        new_files = changed_files()
        build(controls["dockerfile"].value, new_files)  # a broken Dockerfile is not cached
        state.update(
            text=controls["dockerfile"].value, alt=controls["alternative"].value, files=new_files
        )
        cached_builds.clear()
        controls["change"].value = NO_CHANGE

    return Explorer(
        controls,
        render,
        title="Image layers and the build cache",
        actions={"Build (fill the cache)": fill_cache},
        controls_per_row=1,
    )


def _summary(title: str, steps, image: Image) -> str:
    c = counts(steps)
    return (
        f"<p><b>{title}</b>: {len(image.filesystem_layers)} filesystem layers on top of the "
        f"base image, {image.size_mb:,.1f} MB in all. This build: {c['hit']} steps from the "
        f"cache, {c['rebuilt']} rebuilt ({c['layers_rebuilt']} of them filesystem layers)"
        + (f", {c['skipped']} skipped" if c["skipped"] else "")
        + f". Image digest {image.digest[:19]}…</p>"
    )


def _step_table(steps) -> str:
    rows = "".join(
        f"<tr><td>{s.layer.line}</td><td><code>{html.escape(s.layer.created_by[:60])}</code></td>"
        f"<td>{s.layer.kind}</td><td>{html.escape(charts._size(s.layer.size_mb, s.layer.kind))}"
        f"</td><td>{s.status}</td><td>{html.escape(s.reason)}</td></tr>"
        for s in steps
    )
    return (
        "<table><tr><th>line</th><th>instruction</th><th>kind</th><th>size</th><th>cache</th>"
        f"<th>why</th></tr>{rows}</table>"
    )


def parity_explorer(days_between: int = 7, seed: int = 0) -> Explorer:
    """Dev -> test -> staging -> prod: one promoted image vs rebuilding vs hand-built servers."""
    slider = dict(continuous_update=False, style={"description_width": "initial"})
    controls = {
        "days_between": widgets.IntSlider(
            days_between, 0, 60, description="days between environments", **slider
        ),
        "release_prob": widgets.FloatSlider(
            0.05, min=0, max=0.3, step=0.01, description="upstream releases / day", **slider
        ),
        "drift_prob": widgets.FloatSlider(
            0.01, min=0, max=0.1, step=0.005, description="manual patches / day", **slider
        ),
        "seed": widgets.IntSlider(seed, 0, 20, description="seed", **slider),
    }

    def render(days_between, release_prob, drift_prob, seed):
        result = simulate(days_between, release_prob, drift_prob, seed)
        side = "".join(
            f"<p><b>{html.escape(name)}</b>: "
            + (
                "one digest in every environment."
                if result.identical(name)
                else f"{len({e.digest for e in envs})} different digests; differs from dev in "
                + ", ".join(f"{k}: {len(v)}" for k, v in result.differences(name).items() if v)
                + "."
            )
            + "</p>"
            for name, envs in result.strategies.items()
        )
        return charts.parity_chart(result), side

    return Explorer(controls, render, title="Environment parity: dev → test → staging → prod")
