"""The two builders behind `docker build`, and the rules on which they differ.

- **BuildKit** is `docker build`'s default since Docker Engine 23.0 (moby/moby v23.0.0 release
  notes: "Set Buildx and BuildKit as the default builder on Linux"). Its Dockerfile frontend
  (moby/buildkit `frontend/dockerfile/dockerfile2llb/convert.go`) turns RUN, COPY, ADD and
  WORKDIR into build operations; every other instruction only edits the image configuration
  (dispatchEnv, dispatchLabel, dispatchCmd, ... call commitToHistory with no operation).
  Only stages the target depends on are built (resolveReachableStages).
- **The classic builder** (moby/moby `daemon/builder/dockerfile`, still selectable with
  DOCKER_BUILDKIT=0) commits every instruction as an image (dispatchers.go: each dispatch*
  ends in commit or commitContainer) and finds it in the cache by parent image and
  instruction (internals.go probeCache), so after one miss every later step misses. It
  builds every stage up to the target (builder.go: `stages[:targetIx+1]`). buildah and
  podman with `--layers` build the same way; tests/test_images_buildah.py checks the model
  against buildah and names where buildah differs.

Sources and quotes: docs/figures.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.i18n import N_


@dataclass(frozen=True)
class Builder:
    """One builder's rules, as data. `name` is what `build(..., builder=name)` takes."""

    name: str
    title: str  # English, marked N_: the views translate it
    follows: str
    # Instructions other than RUN, COPY, ADD and WORKDIR are build steps of their own.
    metadata_steps: bool
    # A RUN step's cache key holds the environment it runs in (ENV and ARG values, working
    # directory, user, shell), not only its parent step and its text.
    run_key_has_environment: bool
    # WORKDIR is a layer even when its directory exists (BuildKit: a mkdir operation);
    # otherwise only when it creates the directory (classic: an empty diff is no layer).
    workdir_always_layer: bool
    # Stages the target does not depend on are not built.
    skips_unneeded_stages: bool


BUILDKIT = Builder(
    name="buildkit",
    title="BuildKit",
    follows=N_(
        "BuildKit, the default builder of docker build since Docker Engine 23.0 "
        "(moby/buildkit dockerfile2llb/convert.go)"
    ),
    metadata_steps=False,
    run_key_has_environment=True,
    workdir_always_layer=True,
    skips_unneeded_stages=True,
)
CLASSIC = Builder(
    name="classic",
    title=N_("classic builder"),
    follows=N_(
        "the classic builder of Docker Engine (DOCKER_BUILDKIT=0; moby/moby "
        "daemon/builder/dockerfile), which buildah and podman follow with --layers"
    ),
    metadata_steps=True,
    run_key_has_environment=False,
    workdir_always_layer=False,
    skips_unneeded_stages=False,
)
BUILDERS = {b.name: b for b in (BUILDKIT, CLASSIC)}


def get(name: str | Builder) -> Builder:
    """The builder called `name` ("buildkit" or "classic")."""
    if isinstance(name, Builder):
        return name
    if name not in BUILDERS:
        raise ValueError(
            f"builder must be one of {', '.join(repr(n) for n in BUILDERS)}, got {name!r}"
        )
    return BUILDERS[name]
