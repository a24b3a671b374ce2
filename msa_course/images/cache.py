"""The build cache: which instructions of a new build are cache hits, which miss, and why.

Docker's rules (docs.docker.com/build/cache/invalidation/; figures.md §2): a step is reused when
a cached step has the same parent and does the same thing; COPY and ADD compare the checksums
of the copied files (mtime ignored); "once a layer changes, all downstream layers need to be
rebuilt as well". Which instructions are steps, and what "does the same thing" covers, depend
on the builder (`build.py`, `builders.py`). All of it is one rule on the keys `build` computes:
a step hits when its key is in the cache.

Each instruction gets one status: "hit", "miss", "no step" (BuildKit runs no step for a
configuration-only instruction) or "skipped" (its stage is not built for this target).
Each step's `reason` is a sentence in the active language (msa_course.i18n).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from msa_course.i18n import N_, tr
from msa_course.images.build import Image, Layer
from msa_course.images.context import Context
from msa_course.images.context import edit as edit_context

STATUSES = (N_("hit"), N_("miss"), N_("no step"), N_("skipped"))


@dataclass(frozen=True)
class Step:
    """One instruction of the new build: its `status` (one of STATUSES) and the `reason`."""

    layer: Layer
    status: str
    reason: str


def cache_report(previous: Image | Iterable[Image], current: Image) -> list[Step]:
    """Every instruction of `current`'s stages in build order, checked against the cache
    that earlier builds (with the same builder) filled."""
    builds = [previous] if isinstance(previous, Image) else list(previous)
    for image in builds:
        if image.builder != current.builder:
            raise ValueError(
                tr(
                    "the cache was filled by the {filled}, but this build uses the {used}; "
                    "compare builds made with the same builder",
                    filled=tr(image.builder.title),
                    used=tr(current.builder.title),
                )
            )
    cached: set[str] = set()
    by_parent_text: dict[tuple[str, str], Layer] = {}
    for image in builds:
        for stage in image.stages:
            if stage.built:
                for layer in stage.layers:
                    if layer.step:
                        cached.add(layer.digest)
                        by_parent_text[(layer.parent, layer.created_by)] = layer
    steps: list[Step] = []
    missed: dict[str, int] = {}  # key of a step that missed -> line of the first miss behind it
    for stage in current.stages:
        for layer in stage.own:
            if not stage.built:
                steps.append(Step(layer, "skipped", _not_built(current, stage.stage.label)))
            elif not layer.step:
                steps.append(Step(layer, "no step", tr(_NO_STEP)))
            elif layer.digest in cached:
                steps.append(Step(layer, "hit", tr("CACHED: same parent step and same inputs.")))
            else:
                steps.append(Step(layer, "miss", _why(layer, missed, by_parent_text)))
                missed[layer.digest] = missed.get(layer.parent, layer.line)
    return steps


_NO_STEP = N_(
    "Configuration only: BuildKit runs no build step for it, so it can neither hit nor miss "
    "(the image digest still changes when the line does)."
)


def _not_built(image: Image, label: str) -> str:
    if image.builder.skips_unneeded_stages:
        return tr("The target does not need {stage}, so BuildKit does not build it.", stage=label)
    return tr("{stage} comes after the target stage, so the build stops before it.", stage=label)


def _why(layer: Layer, missed: dict[str, int], by_parent_text: dict) -> str:
    if layer.kind == "base":
        return tr("The base image {image} is not in the cache yet.", image=layer.created_by[5:])
    if layer.parent in missed:
        return tr(
            "Line {line} missed, and every step built on a miss misses too.",
            line=missed[layer.parent],
        )
    old = by_parent_text.get((layer.parent, layer.created_by))
    if old is None:
        return tr("New or edited instruction: no cached step has this text after the same parent.")
    if layer.sees != old.sees:
        return _changed_environment(dict(old.sees), dict(layer.sees))
    if layer.copies_from:
        return tr(
            "The files it copies from {stage} changed (the model assumes that a RUN step that "
            "ran again wrote new files).",
            stage=layer.copies_from,
        )
    changed = sorted({path for path, _ in set(layer.files) ^ set(old.files)})
    if changed:
        return tr("A copied file changed: {files}.", files=", ".join(changed))
    return tr("What it copies changed.")


def _changed_environment(old: dict[str, str], new: dict[str, str]) -> str:
    """Why a BuildKit RUN with unchanged text missed: what it sees changed."""
    changes = []
    unset = tr("unset")
    for name in dict.fromkeys([*new, *old]):
        if old.get(name) != new.get(name):
            changes.append(
                tr(
                    "{name} is {now} (was {was})",
                    name=name.removeprefix("env "),
                    now=new.get(name, unset),
                    was=old.get(name, unset),
                )
            )
    return tr(
        "Its text is unchanged, but BuildKit keys a RUN step on the environment it runs in, "
        "and that changed: {changes}.",
        changes="; ".join(changes),
    )


def counts(steps: Iterable[Step]) -> dict[str, int]:
    """How many instructions have each status; filesystem layers that miss, separately."""
    out = {status: 0 for status in STATUSES}
    out["layers_rebuilt"] = 0
    for step in steps:
        out[step.status] += 1
        if step.status == "miss" and step.layer.kind in ("filesystem", "base"):
            out["layers_rebuilt"] += 1
    return out


def rebuilt_after_change(
    text: str,
    context: Context,
    changed: str | None = None,
    how: str = "content",
    new_text: str | None = None,
    builder: str = "buildkit",
) -> list[int]:
    """Line numbers (of `new_text`, default `text`) whose steps miss the cache and run again.

    The previous build is `text` with `context`; the new one is `new_text` (if given) with
    file `changed` edited (`how`: "content", or "mtime" for a bare `touch`).
    """
    from msa_course.images.build import build

    before = build(text, context, builder=builder)
    after_context = edit_context(context, changed, how) if changed else context
    after = build(text if new_text is None else new_text, after_context, builder=builder)
    return [s.layer.line for s in cache_report(before, after) if s.status == "miss"]
