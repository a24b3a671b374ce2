"""A Dockerfile becomes an image under a named builder: its build steps, each with the cache key
the builder finds it by, and the image's layers with sizes (MB).

What is a step and what is a layer depends on the builder (`builders.py`; figures.md §2):

- RUN, COPY and ADD are steps and add a layer under both builders.
- WORKDIR other than `/` is a step. BuildKit always records a layer for it (a mkdir operation:
  convert.go dispatchWorkdir); the classic builder only when it creates the directory, since
  an empty diff adds no layer (moby image.NewChildImage). The model assumes the base image has
  none of the directories a WORKDIR names.
- ENV, ARG, LABEL, EXPOSE, CMD, ENTRYPOINT, USER and the rest change only the image's
  configuration: no step under BuildKit, a step with no layer under the classic builder.

A step's cache key is sha256 of its parent step's key and what the step does:

- classic: the instruction's text; for COPY/ADD the checksums of what it copies and where to
  (internals.go performCopy: "COPY <hash> in <dest>"). A change anywhere reaches every later
  step through the parent.
- BuildKit: a RUN's key also holds the environment it runs in (ENV and ARG values, working
  directory, user, shell: the ExecOp's meta, solver/llbsolver/ops/exec.go CacheMap), so an
  edited ENV line reaches later RUN steps. COPY/ADD hold the destination and the content of
  what they copy (ops/file.go CacheMap: a content checksum per copy source), not the
  environment.

`COPY --from=<stage>` compares the content of the files it copies, under both builders. The
model cannot see what a RUN writes: it assumes a RUN may change any file and that a RUN that
ran again wrote new bytes (a timestamp is enough). Files copied into a stage after its last
RUN are known exactly.
"""

from __future__ import annotations

import hashlib
import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from msa_course.i18n import tr
from msa_course.images import builders
from msa_course.images.base_images import base_size
from msa_course.images.builders import Builder
from msa_course.images.context import Context, ContextFile, match, normalise
from msa_course.images.dockerfile import (
    DockerfileError,
    Instruction,
    Stage,
    find_stage,
    parse,
    stages,
)

RUN_SIZE_MB = 10.0  # an assumption for RUN layers whose size the learner has not set
DEFAULT_SHELL = '["/bin/sh", "-c"]'


@dataclass(frozen=True)
class Layer:
    """One instruction of the image. `kind`: "base" (the FROM image), "filesystem" (adds a
    layer) or "metadata" (configuration only). `step`: the builder runs it as a build step;
    then `digest` is its cache key (otherwise the key of the step before it)."""

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
    step: bool = True
    sees: tuple[tuple[str, str], ...] = ()  # what a BuildKit RUN's key holds besides its text

    @property
    def line(self) -> int:
        return self.instruction.line if self.instruction else 0


@dataclass
class _State:
    """What a stage has set up so far: the step later steps build on, and what they see."""

    key: str
    workdir: str = "/"
    dirs: set[str] = field(default_factory=lambda: {"/"})
    env: dict[str, str] = field(default_factory=dict)
    user: str = ""
    shell: str = DEFAULT_SHELL
    opaque: str = ""  # key of the last step whose writes the model cannot see (RUN, base)
    written: dict[str, str] = field(default_factory=dict)  # path -> content, since `opaque`
    config: list[str] = field(default_factory=list)  # every instruction, for the image digest

    def copy(self) -> _State:
        return replace(
            self,
            dirs=set(self.dirs),
            env=dict(self.env),
            written=dict(self.written),
            config=list(self.config),
        )


@dataclass(frozen=True)
class StageBuild:
    """A stage's instructions in order; `layers` includes those inherited via FROM <stage>;
    `built`: the builder builds this stage for the chosen target."""

    stage: Stage
    layers: tuple[Layer, ...]
    own: tuple[Layer, ...]
    built: bool
    state: _State

    @property
    def digest(self) -> str:
        return self.state.key


@dataclass(frozen=True)
class Image:
    """The built image (the target stage), every stage on the way, and the builder used."""

    stages: tuple[StageBuild, ...]
    target: StageBuild
    builder: Builder

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The final image's instructions, bottom (base image) first."""
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
        """Stands in for the image digest: the last step's key and the whole configuration,
        so a changed ENV or LABEL line gives a new digest even when no step ran again."""
        state = self.target.state
        return _digest(state.key, "\n".join(state.config), "image")


def build(
    text: str,
    context: Context | None = None,
    *,
    sizes: Mapping[int, float] | None = None,
    base_sizes: Mapping[str, float] | None = None,
    target: str | None = None,
    run_size_mb: float = RUN_SIZE_MB,
    builder: str | Builder = "buildkit",
) -> Image:
    """Parse `text` and compute its image under `builder` ("buildkit", the default of
    `docker build`, or "classic"): steps, cache keys, layers and sizes (MB).

    context: path -> content (or ContextFile) for COPY/ADD; sizes: line number -> MB for any
    layer; base_sizes: image -> MB; target: the stage to build (default: the last).
    """
    rules = builders.get(builder)
    if not run_size_mb >= 0:
        raise ValueError(f"run_size_mb must be >= 0, got {run_size_mb}")
    for line, mb in (sizes or {}).items():
        if not mb >= 0:
            raise ValueError(f"sizes[{line}] must be a size in MB >= 0, got {mb}")
    files = normalise(context)
    all_stages = stages(parse(text))
    inputs = _Inputs(files, dict(sizes or {}), dict(base_sizes or {}), run_size_mb, rules)
    built: list[StageBuild] = []
    for stage in all_stages:
        built.append(_build_stage(stage, built, inputs))
    target_build = _target(built, target)
    if rules.skips_unneeded_stages:
        chosen = _needed(target_build.stage, all_stages)
    else:
        chosen = set(range(target_build.stage.index + 1))
    final = tuple(replace(b, built=b.stage.index in chosen) for b in built)
    return Image(final, final[target_build.stage.index], rules)


@dataclass(frozen=True)
class _Inputs:
    files: dict[str, ContextFile]
    sizes: dict[int, float]
    base_sizes: dict[str, float]
    run_size_mb: float
    rules: Builder


def _target(built: list[StageBuild], target: str | None) -> StageBuild:
    if target is None:
        return built[-1]
    stage = find_stage(target, [b.stage for b in built])
    if stage is None:
        names = [b.stage.label for b in built]
        raise ValueError(f"target {target!r} is not a stage of this Dockerfile; stages: {names}")
    return built[stage.index]


def _needed(target: Stage, all_stages: list[Stage]) -> set[int]:
    """Stages the target depends on (FROM <stage>, COPY --from=<stage>): what BuildKit builds
    (convert.go resolveReachableStages)."""
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


def _build_stage(stage: Stage, built: list[StageBuild], inputs: _Inputs) -> StageBuild:
    parent_stage = find_stage(stage.base, [b.stage for b in built])
    head = stage.from_instruction
    if parent_stage is not None:
        inherited = built[parent_stage.index]
        layers, own, state = list(inherited.layers), [], inherited.state.copy()
    else:
        size = base_size(stage.base, inputs.base_sizes)
        mb, source = (
            (inputs.sizes[head.line], "your value")
            if head.line in inputs.sizes
            else (size.size_mb, size.source + (" (approximate)" if size.approximate else ""))
        )
        key = _digest("", f"FROM {stage.base}", "")
        base = Layer(stage.label, "base", f"FROM {stage.base}", mb, source, key, "", head)
        layers, own, state = [base], [base], _State(key, opaque=key)
    for ins in stage.instructions:
        layer = _instruction(ins, stage.label, state, built, inputs)
        layers.append(layer)
        own.append(layer)
    return StageBuild(stage, tuple(layers), tuple(own), True, state)


def _instruction(
    ins: Instruction, label: str, state: _State, built: list[StageBuild], inputs: _Inputs
) -> Layer:
    """The layer record for `ins`; updates `state` as the builder would."""
    rules, parent = inputs.rules, state.key
    state.config.append(ins.text)
    kind, mb, source, step = "metadata", 0.0, "configuration only", rules.metadata_steps
    files: tuple = ()
    from_stage, sees, key = None, (), parent
    if ins.keyword == "RUN":
        if rules.run_key_has_environment:
            sees = _environment(state)
        key = _digest(parent, ins.text, repr(sees))
        state.opaque, state.written = key, {}
        kind, mb, source, step = "filesystem", inputs.run_size_mb, "assumed RUN size; set it", True
    elif ins.keyword in ("COPY", "ADD"):
        content, files, from_stage, mb, source, writes = _copy_inputs(ins, state, built, inputs)
        options = sorted((k, v) for k, v in ins.flags if k != "from")
        destination = _resolve(state.workdir, ins.destination)
        key = _digest(parent, f"{ins.keyword} {options} in {destination}", content)
        state.written.update(writes)
        kind, step = "filesystem", True
    elif ins.keyword == "WORKDIR":
        state.workdir = _resolve(state.workdir, ins.value)
        creates = state.workdir not in state.dirs
        state.dirs.update(_parents(state.workdir))
        if rules.workdir_always_layer:
            step = state.workdir != "/"
            key = _digest(parent, f"mkdir {state.workdir}", state.user) if step else parent
            layer = step
        else:
            step, layer = True, creates
            key = _digest(parent, f"WORKDIR {state.workdir}", "")
        if layer:
            kind, source = "filesystem", "creates the directory: a tiny layer"
            if not creates:
                source = "the directory exists: an empty layer"
    else:
        _configure(ins, state)
        if step:
            key = _digest(parent, ins.text, "")
    if ins.line in inputs.sizes and kind == "filesystem":
        mb, source = inputs.sizes[ins.line], "your value"
    state.key = key
    return Layer(label, kind, ins.text, mb, source, key, parent, ins, files, from_stage, step, sees)


def _configure(ins: Instruction, state: _State) -> None:
    """Configuration that later RUN steps see: ENV and ARG values, USER, SHELL."""
    if ins.keyword in ("ENV", "ARG"):
        for name, value in _assignments(ins):
            if value is not None:
                state.env[name] = value
    elif ins.keyword == "USER":
        state.user = ins.value
    elif ins.keyword == "SHELL":
        state.shell = ins.value


def _assignments(ins: Instruction) -> list[tuple[str, str | None]]:
    """`ENV A=1 B="x y"` -> [("A", "1"), ("B", "x y")]; `ENV A 1` (legacy form); `ARG A`."""
    try:
        words = shlex.split(ins.value)
    except ValueError:  # unbalanced quotes: Docker would refuse it too; keep the words
        words = ins.value.split()
    if ins.keyword == "ENV" and words and "=" not in words[0]:
        return [(words[0], ins.value.split(None, 1)[1] if len(words) > 1 else "")]
    out: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        out.append((name, value if equals else None))
    return out


def _environment(state: _State) -> tuple[tuple[str, str], ...]:
    return (
        *(("env " + k, v) for k, v in state.env.items()),
        ("working directory", state.workdir),
        ("user", state.user or "root"),
        ("shell", state.shell),
    )


def _copy_inputs(ins: Instruction, state: _State, built: list[StageBuild], inputs: _Inputs):
    """(content key, copied context files, source stage, MB, size source, path -> content)."""
    destination = _resolve(state.workdir, ins.destination)
    source_ref = ins.flag("from")
    if source_ref is not None:
        stage = find_stage(source_ref, [b.stage for b in built])
        if stage is None:  # COPY --from=<image>: the image reference is in the text already
            return ins.text, (), None, RUN_SIZE_MB, "copied from an image: assumed size", {}
        source = built[stage.index]
        content = _digest("", repr([_stage_content(source.state, s) for s in ins.sources]), "")
        last = [x for x in source.layers if x.kind == "filesystem"] or list(source.layers)
        size = f"assumed: as big as the last layer built in {stage.label}; set it"
        return content, (), stage.label, last[-1].size_mb, size, {destination: content}
    copied: list[tuple[str, str]] = []
    named: list[tuple[str, str]] = []  # (path inside the destination, checksum)
    writes: dict[str, str] = {}
    several = (
        len(ins.sources) > 1
        or ins.destination.endswith("/")
        or ins.destination in (".", "")
        or destination in state.dirs
    )
    for src in ins.sources:
        if ins.keyword == "ADD" and "://" in src:
            named.append((src, "remote"))  # Docker checks the remote file; we use its URL
            continue
        found = match(inputs.files, src)
        if not found:
            raise DockerfileError(
                tr(
                    "{keyword} source {source} matches no file in the build context (files: "
                    "{files}); docker build would fail here",
                    keyword=ins.keyword,
                    source=repr(src),
                    files=", ".join(sorted(inputs.files)) or tr("none"),
                ),
                ins.line,
            )
        for path in found:
            checksum = inputs.files[path].checksum()
            inside = _inside(src, path)
            into_directory = several or len(found) > 1 or path != _tidy(src)
            target = posixpath.join(destination, inside) if into_directory else destination
            copied.append((path, checksum))
            named.append((inside, checksum))
            writes[target] = checksum
    content = hashlib.sha256(repr(sorted(set(named))).encode()).hexdigest()
    unique = tuple(sorted(set(copied)))
    mb = sum(inputs.files[p].megabytes for p, _ in unique)
    return content, unique, None, mb, "sum of the copied files", writes


def _inside(source: str, path: str) -> str:
    """Where context file `path`, matched by COPY source `source`, lands inside the
    destination: a directory source copies its contents, a file or glob match its name."""
    src = _tidy(source)
    if src in ("", "."):
        return path
    if path != src and path.startswith(src.rstrip("/") + "/"):
        return path[len(src.rstrip("/")) + 1 :]
    return posixpath.basename(path)


def _tidy(source: str) -> str:
    while source.startswith("./"):
        source = source[2:]
    return source.strip("/")


def _stage_content(state: _State, source: str) -> str:
    """What `COPY --from` finds at `source` in a stage: exact for a file copied in after the
    stage's last RUN, otherwise tied to that RUN (or the base image)."""
    path = _resolve("/", source)
    if path in state.written and not any(ch in source for ch in "*?["):
        return state.written[path]
    prefix = path.rstrip("/") + "/"
    under = sorted(
        (p, c) for p, c in state.written.items() if p.startswith(prefix) or fnmatchcase(p, path)
    )
    return _digest(state.opaque, path, repr(under))


def _resolve(workdir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def _parents(path: str) -> list[str]:
    out = [path]
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        out.append(path)
    return out


def _digest(parent: str, text: str, inputs: str) -> str:
    return "sha256:" + hashlib.sha256(f"{parent}\n{text}\n{inputs}".encode()).hexdigest()
