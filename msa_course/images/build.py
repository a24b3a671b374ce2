"""A Dockerfile becomes an image: an ordered stack of layers with sizes and digests.

Which instructions make filesystem layers follows Docker's docs (figures.md §2): RUN, COPY and
ADD change the filesystem; WORKDIR does too when it has to create its directory; ENV, LABEL,
CMD, EXPOSE, USER, ARG and the rest change only the image's configuration (`docker history`
lists them with size 0B). Every instruction still gets a digest, because the build cache
keys on all of them.

A step's digest is sha256(parent digest + instruction text + inputs), where inputs are the
checksums of the copied files (COPY/ADD from the context) or the digest of the stage copied
from (`COPY --from`). Identical inputs give identical digests: this is the build cache's key
and stands in for the content digest by which registries share layers. (Real layer digests
hash the layer's tar file; they agree with ours whenever a layer comes from the cache.)
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from msa_course.images.base_images import base_size
from msa_course.images.context import Context, ContextFile, match, normalise
from msa_course.images.dockerfile import (
    DockerfileError,
    Instruction,
    Stage,
    find_stage,
    parse,
    stages,
)

FILESYSTEM = ("RUN", "COPY", "ADD")
RUN_SIZE_MB = 10.0  # an assumption for RUN layers whose size the learner has not set


@dataclass(frozen=True)
class Layer:
    """One build step. `kind`: "base" (the FROM image), "filesystem" or "metadata"."""

    stage: str
    kind: str
    created_by: str
    size_mb: float
    size_source: str
    digest: str
    parent: str
    instruction: Instruction | None = None
    files: tuple[tuple[str, str], ...] = ()  # (path, checksum) copied from the context
    copies_from: str | None = None  # the stage a COPY --from reads

    @property
    def line(self) -> int:
        return self.instruction.line if self.instruction else 0


@dataclass(frozen=True)
class StageBuild:
    """A stage's steps in build order; `layers` includes the steps inherited via FROM <stage>."""

    stage: Stage
    layers: tuple[Layer, ...]
    own: tuple[Layer, ...]
    needed: bool

    @property
    def digest(self) -> str:
        return self.layers[-1].digest


@dataclass(frozen=True)
class Image:
    """The built image (the target stage) and every stage built on the way."""

    stages: tuple[StageBuild, ...]
    target: StageBuild

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The final image's steps, bottom (base image) first."""
        return self.target.layers

    @property
    def filesystem_layers(self) -> tuple[Layer, ...]:
        """Layers this Dockerfile adds on top of its base image."""
        return tuple(x for x in self.layers if x.kind == "filesystem")

    @property
    def size_mb(self) -> float:
        return sum(x.size_mb for x in self.layers)

    @property
    def digest(self) -> str:
        return self.target.digest

    def built_steps(self) -> list[Layer]:
        """Every step BuildKit runs for the target, stage by stage (unneeded stages skipped)."""
        return [x for s in self.stages if s.needed for x in s.own]


def build(
    text: str,
    context: Context | None = None,
    *,
    sizes: Mapping[int, float] | None = None,
    base_sizes: Mapping[str, float] | None = None,
    target: str | None = None,
    run_size_mb: float = RUN_SIZE_MB,
) -> Image:
    """Parse `text` and compute its image: layers, sizes (MB) and digests.

    context: path -> content (or ContextFile) for COPY/ADD; sizes: line number -> MB for any
    layer; base_sizes: image -> MB; target: the stage to build (default: the last).
    """
    if not run_size_mb >= 0:
        raise ValueError(f"run_size_mb must be >= 0, got {run_size_mb}")
    for line, mb in (sizes or {}).items():
        if not mb >= 0:
            raise ValueError(f"sizes[{line}] must be a size in MB >= 0, got {mb}")
    files = normalise(context)
    all_stages = stages(parse(text))
    built: list[StageBuild] = []
    for stage in all_stages:
        built.append(
            _build_stage(
                stage, built, files, dict(sizes or {}), dict(base_sizes or {}), run_size_mb
            )
        )
    target_build = _target(built, target)
    needed = _needed(target_build.stage, all_stages)
    final = tuple(StageBuild(b.stage, b.layers, b.own, b.stage.index in needed) for b in built)
    return Image(final, final[target_build.stage.index])


def _target(built: list[StageBuild], target: str | None) -> StageBuild:
    if target is None:
        return built[-1]
    stage = find_stage(target, [b.stage for b in built])
    if stage is None:
        names = [b.stage.label for b in built]
        raise ValueError(f"target {target!r} is not a stage of this Dockerfile; stages: {names}")
    return built[stage.index]


def _needed(target: Stage, all_stages: list[Stage]) -> set[int]:
    """Stages the target depends on (FROM <stage>, COPY --from=<stage>): BuildKit builds only
    these."""
    needed, todo = set(), [target]
    while todo:
        stage = todo.pop()
        if stage.index in needed:
            continue
        needed.add(stage.index)
        earlier = all_stages[: stage.index]
        refs = [stage.base] + [i.flag("from") for i in stage.instructions if i.flag("from")]
        todo.extend(s for s in (find_stage(r, earlier) for r in refs) if s is not None)
    return needed


def _build_stage(
    stage: Stage,
    built: list[StageBuild],
    files: dict[str, ContextFile],
    sizes: dict[int, float],
    base_sizes: dict[str, float],
    run_size_mb: float,
) -> StageBuild:
    parent_stage = find_stage(stage.base, [b.stage for b in built])
    head = stage.from_instruction
    if parent_stage is not None:
        inherited = built[parent_stage.index].layers
        workdir, dirs = _workdir_state(inherited)
    else:
        size = base_size(stage.base, base_sizes)
        mb, source = (
            (sizes[head.line], "your value")
            if head.line in sizes
            else (size.size_mb, size.source + (" (approximate)" if size.approximate else ""))
        )
        digest = _digest("", f"FROM {stage.base}", "")
        inherited = (
            Layer(stage.label, "base", f"FROM {stage.base}", mb, source, digest, "", head),
        )
        workdir, dirs = "/", {"/"}
    layers = list(inherited)
    own = [] if parent_stage is not None else [inherited[0]]
    for ins in stage.instructions:
        parent = layers[-1].digest
        kind, mb, source, inputs, copied, from_stage = (
            "metadata",
            0.0,
            "metadata only",
            "",
            (),
            None,
        )
        if ins.keyword in ("COPY", "ADD"):
            inputs, copied, from_stage, mb, source = _copy_inputs(ins, built, files)
            kind = "filesystem"
        elif ins.keyword == "RUN":
            kind, mb, source = "filesystem", run_size_mb, "assumed RUN size; set it"
        elif ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value))
            if workdir not in dirs:
                kind, source = "filesystem", "creates the directory: a tiny layer"
                dirs.update(_parents(workdir))
            else:
                source = "directory exists already: metadata only"
        if ins.line in sizes and kind == "filesystem":
            mb, source = sizes[ins.line], "your value"
        layer = Layer(
            stage.label,
            kind,
            ins.text,
            mb,
            source,
            _digest(parent, ins.text, inputs),
            parent,
            ins,
            copied,
            from_stage,
        )
        layers.append(layer)
        own.append(layer)
    return StageBuild(stage, tuple(layers), tuple(own), True)


def _copy_inputs(ins: Instruction, built: list[StageBuild], files: dict[str, ContextFile]):
    source_ref = ins.flag("from")
    if source_ref is not None:
        stage = find_stage(source_ref, [b.stage for b in built])
        if stage is None:  # COPY --from=<image>: the image reference is in the text already
            return "", (), None, RUN_SIZE_MB, f"copied from image {source_ref}: assumed size"
        source_build = built[stage.index]
        last = [x for x in source_build.layers if x.kind == "filesystem"] or list(
            source_build.layers
        )
        return (
            source_build.digest,
            (),
            stage.label,
            last[-1].size_mb,
            f"assumed: as big as the last layer built in {stage.label}; set it",
        )
    copied: list[tuple[str, str]] = []
    for src in ins.sources:
        if ins.keyword == "ADD" and "://" in src:
            continue  # a URL: Docker checks the remote file; we match on the text only
        found = match(files, src)
        if not found:
            raise DockerfileError(
                f"{ins.keyword} source {src!r} matches no file in the build context "
                f"(files: {', '.join(sorted(files)) or 'none'}); docker build would fail here",
                ins.line,
            )
        copied.extend((p, files[p].checksum()) for p in found)
    unique = tuple(sorted(set(copied)))
    inputs = hashlib.sha256(repr(unique).encode()).hexdigest()
    mb = sum(files[p].megabytes for p, _ in unique)
    return inputs, unique, None, mb, "sum of the copied files"


def _workdir_state(layers: tuple[Layer, ...]) -> tuple[str, set[str]]:
    workdir, dirs = "/", {"/"}
    for layer in layers:
        if layer.instruction is not None and layer.instruction.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, layer.instruction.value))
            dirs.update(_parents(workdir))
    return workdir, dirs


def _parents(path: str) -> list[str]:
    out = [path]
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        out.append(path)
    return out


def _digest(parent: str, text: str, inputs: str) -> str:
    return "sha256:" + hashlib.sha256(f"{parent}\n{text}\n{inputs}".encode()).hexdigest()
