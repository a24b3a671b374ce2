"""The build cache: which steps of a new build are cache hits and which rebuild, and why.

Docker's rules (docs.docker.com/build/cache/invalidation/; figures.md §2): an instruction is
reused when a cached step has the same parent and the same instruction text; COPY and ADD must
also match the checksums of the copied files (mtime ignored); and "once a layer changes, all
downstream layers need to be rebuilt as well", metadata-only steps included. A `COPY --from`
reads a stage, so it misses when that stage rebuilt. All of this is one rule on our digests
(`build.py`): a step hits when its digest is in the cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from msa_course.images.build import Image, Layer
from msa_course.images.context import Context
from msa_course.images.context import edit as edit_context


@dataclass(frozen=True)
class Step:
    """One step of the new build: `status` is "hit", "rebuilt" or "skipped" (stage unused)."""

    layer: Layer
    status: str
    reason: str


def cache_report(previous: Image | Iterable[Image], current: Image) -> list[Step]:
    """Every step of `current`'s stages in build order, checked against earlier builds."""
    builds = [previous] if isinstance(previous, Image) else list(previous)
    cached: set[str] = set()
    by_parent_text: dict[tuple[str, str], Layer] = {}
    for image in builds:
        for stage in image.stages:
            if not stage.needed:
                continue
            for layer in stage.layers:
                cached.add(layer.digest)
                by_parent_text[(layer.parent, layer.created_by)] = layer
    steps: list[Step] = []
    missed: dict[str, int] = {}  # digest of a rebuilt step -> line of the first miss behind it
    for stage in current.stages:
        for layer in stage.own:
            if not stage.needed:
                steps.append(
                    Step(
                        layer,
                        "skipped",
                        f"{stage.stage.label} is not needed by the "
                        "target, so BuildKit does not build it",
                    )
                )
            elif layer.digest in cached:
                steps.append(Step(layer, "hit", "CACHED: same parent, instruction and inputs"))
            else:
                steps.append(Step(layer, "rebuilt", _why(layer, missed, by_parent_text)))
                missed[layer.digest] = missed.get(layer.parent, layer.line)
    return steps


def _why(layer: Layer, missed: dict[str, int], by_parent_text: dict) -> str:
    if layer.kind == "base":
        return f"base image {layer.created_by[5:]} is not in the cache"
    if layer.parent in missed:
        return f"line {missed[layer.parent]} missed, and every step after a miss rebuilds"
    old = by_parent_text.get((layer.parent, layer.created_by))
    if old is None:
        return "new or edited instruction: no cached step has this text after the same parent"
    if layer.copies_from:
        return f"stage {layer.copies_from} rebuilt, so what it copies may differ"
    changed = sorted(set(layer.files) ^ set(old.files))
    names = sorted({path for path, _ in changed})
    return f"copied file changed: {', '.join(names)}" if names else "inputs changed"


def counts(steps: Iterable[Step]) -> dict[str, int]:
    """How many steps hit, rebuilt and were skipped; filesystem layers rebuilt separately."""
    out = {"hit": 0, "rebuilt": 0, "skipped": 0, "layers_rebuilt": 0}
    for step in steps:
        out[step.status] += 1
        if step.status == "rebuilt" and step.layer.kind in ("filesystem", "base"):
            out["layers_rebuilt"] += 1
    return out


def rebuilt_after_change(
    text: str,
    context: Context,
    changed: str | None = None,
    how: str = "content",
    new_text: str | None = None,
) -> list[int]:
    """Line numbers (of `new_text`, default `text`) that rebuild after a change.

    The previous build is `text` with `context`; the new one is `new_text` (if given) with
    file `changed` edited (`how`: "content", or "mtime" for a bare `touch`).
    """
    from msa_course.images.build import build

    before = build(text, context)
    after_context = edit_context(context, changed, how) if changed else context
    after = build(text if new_text is None else new_text, after_context)
    return [s.layer.line for s in cache_report(before, after) if s.status == "rebuilt"]
