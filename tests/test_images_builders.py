"""Held-back cases for both builders, written from their documented behaviour and source, each
run through build(..., builder=...) and cache_report(...).

Sources (docs/figures.md §2): Docker's "Build cache invalidation" page; moby/buildkit
frontend/dockerfile/dockerfile2llb/convert.go (dispatchEnv, dispatchArg, dispatchUser,
dispatchWorkdir, dispatchRun, resolveReachableStages) and solver/llbsolver/ops/{exec,file}.go
(CacheMap); moby/moby daemon/builder/dockerfile (dispatchers.go, internals.go probeCache,
builder.go `stages[:targetIx+1]`, image.NewChildImage: an empty diff adds no layer).
"""

import pytest

from msa_course.images import build, cache_report, edit

CTX = {"requirements.txt": "flask\n", "app.py": "print(1)\n", "static/a.css": "a{}\n"}
SERVICE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
ENV MODE=dev
ARG VERSION=1
USER app
COPY app.py .
RUN pip install -r requirements.txt
LABEL team=shop
EXPOSE 8000
CMD ["python", "app.py"]
"""
MULTI = """FROM golang:1.22 AS build
WORKDIR /src
COPY app.py .
RUN go build -o /out/app
COPY static/ /out/static/
FROM alpine:3.20 AS debug
RUN apk add --no-cache strace
FROM alpine:3.20
COPY --from=build /out/static/a.css /srv/a.css
COPY --from=build /out/app /srv/app
CMD ["/srv/app"]
"""


def statuses(before_text, after_text, builder, before_ctx=CTX, after_ctx=CTX, target=None):
    before = build(before_text, before_ctx, builder=builder, target=target)
    after = build(after_text, after_ctx, builder=builder, target=target)
    report = cache_report(before, after)
    return {s.layer.line: s.status for s in report}, before.digest != after.digest


H, M, N, S = "hit", "miss", "no step", "skipped"

# (what changes, before, after, {builder: (line -> status, the image digest changes)})
CASES = {
    # BuildKit: ENV is no step; the RUN after it sees the new value (ExecOp meta.Env) and
    # misses; COPY keys on content, not the environment, so line 7 hits. Classic: the ENV
    # commit misses and every later step with it.
    "ENV value before a RUN": (
        SERVICE,
        SERVICE.replace("MODE=dev", "MODE=prod"),
        {
            "buildkit": (
                {1: H, 2: H, 3: H, 4: N, 5: N, 6: N, 7: H, 8: M, 9: N, 10: N, 11: N},
                True,
            ),
            "classic": ({1: H, 2: H, 3: H, 4: M, 5: M, 6: M, 7: M, 8: M, 9: M, 10: M, 11: M}, True),
        },
    ),
    # dispatchArg adds the value to the state's environment, like ENV (Docker's ARG docs: "a
    # cache miss occurs upon its first usage"); the classic builder commits "ARG VERSION=2".
    "ARG default": (
        SERVICE,
        SERVICE.replace("VERSION=1", "VERSION=2"),
        {
            "buildkit": ({4: N, 5: N, 6: N, 7: H, 8: M, 9: N}, True),
            "classic": ({4: H, 5: M, 6: M, 7: M, 8: M, 11: M}, True),
        },
    ),
    # dispatchUser sets the state's user: part of a RUN's key, not of a COPY's.
    "USER": (
        SERVICE,
        SERVICE.replace("USER app", "USER shop"),
        {
            "buildkit": ({6: N, 7: H, 8: M}, True),
            "classic": ({5: H, 6: M, 7: M, 8: M}, True),
        },
    ),
    # Configuration only after the last step: BuildKit runs nothing again, yet the image
    # config, and so its digest, changes.
    "LABEL": (
        SERVICE,
        SERVICE.replace("team=shop", "team=web"),
        {
            "buildkit": ({8: H, 9: N, 10: N, 11: N}, True),
            "classic": ({8: H, 9: M, 10: M, 11: M}, True),
        },
    ),
    "EXPOSE": (
        SERVICE,
        SERVICE.replace("EXPOSE 8000", "EXPOSE 9000"),
        {"buildkit": ({9: N, 10: N, 11: N}, True), "classic": ({9: H, 10: M, 11: M}, True)},
    ),
    # A RUN whose text changed misses under both; everything built on it misses.
    "RUN text": (
        SERVICE,
        SERVICE.replace("-r requirements.txt", "--no-cache-dir -r requirements.txt"),
        {"buildkit": ({7: H, 8: M, 9: N}, True), "classic": ({7: H, 8: M, 9: M, 11: M}, True)},
    ),
    # dispatchWorkdir: a mkdir operation; its path is in the key and every later step builds
    # on it (and relative COPY destinations move).
    "WORKDIR": (
        SERVICE,
        SERVICE.replace("WORKDIR /app", "WORKDIR /srv"),
        {
            "buildkit": ({1: H, 2: M, 3: M, 4: N, 7: M, 8: M}, True),
            "classic": ({1: H, 2: M, 3: M, 4: M, 7: M, 8: M, 11: M}, True),
        },
    ),
    # Moving an ENV line below the RUN: BuildKit's RUN no longer sees MODE and misses; the
    # classic builder misses from the first line that moved.
    "order of ENV and COPY": (
        SERVICE,
        SERVICE.replace("ENV MODE=dev\n", "").replace("LABEL", "ENV MODE=dev\nLABEL"),
        {
            "buildkit": ({3: H, 4: N, 5: N, 6: H, 7: M, 8: N}, True),
            "classic": ({3: H, 4: M, 5: M, 6: M, 7: M, 8: M}, True),
        },
    ),
    # Nothing changed but the whitespace around the Dockerfile: every step hits, same digest.
    "comments and blank lines": (
        SERVICE,
        "# a comment\n\n" + SERVICE.replace("USER app\n", "USER app\n\n# note\n"),
        {
            "buildkit": ({3: H, 6: N, 11: H, 15: N}, False),
            "classic": ({3: H, 6: H, 11: H, 15: H}, False),
        },
    ),
}


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
@pytest.mark.parametrize("name", list(CASES))
def test_documented_cases(name, builder):
    before, after, expected = CASES[name]
    want, digest_changes = expected[builder]
    got, changed = statuses(before, after, builder)
    assert {line: got[line] for line in want} == want
    assert changed is digest_changes


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_copied_file_content_not_mtime(builder):
    # Build cache invalidation: checksums of the copied files; "the modification time of a
    # file (mtime) is not taken into account".
    got, changed = statuses(SERVICE, SERVICE, builder, after_ctx=edit(CTX, "app.py", "mtime"))
    assert set(got.values()) <= {H, N} and not changed
    got, changed = statuses(SERVICE, SERVICE, builder, after_ctx=edit(CTX, "app.py"))
    assert got[3] == H and got[7] == M and got[8] == M and changed
    assert got[11] == (N if builder == "buildkit" else M)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_copy_from_compares_the_copied_content(builder):
    # ops/file.go CacheMap adds a content checksum for each copy source (BuildKit); the classic
    # builder hashes the copied files (performCopy's srcHash). a.css was copied after the
    # build stage's last RUN, so its content is known: unchanged, it hits even though the
    # stage ran again; /out/app was written by the RUN, which ran again.
    got, _ = statuses(MULTI, MULTI, builder, after_ctx=edit(CTX, "app.py"))
    assert (got[3], got[4], got[5]) == (M, M, M)
    assert got[9] == H and got[10] == M
    got, _ = statuses(MULTI, MULTI, builder, after_ctx=edit(CTX, "static/a.css"))
    assert (got[4], got[5]) == (H, M) and got[9] == M and got[10] == M  # built on line 9


def test_unused_stages_skipped_by_buildkit_built_by_classic():
    edited = MULTI.replace("strace", "strace gdb")
    got, changed = statuses(MULTI, edited, "buildkit")
    assert got[6] == S and got[7] == S and not changed  # resolveReachableStages
    got, changed = statuses(MULTI, edited, "classic")
    assert got[6] == H and got[7] == M and not changed  # stages[:targetIx+1]: built, unused


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_stages_after_the_target_are_not_built(builder):
    got, _ = statuses(MULTI, MULTI, builder, after_ctx=edit(CTX, "app.py"), target="build")
    assert got[3] == M and {got[line] for line in (6, 7, 8, 9, 10, 11)} == {S}


def test_layer_counts_per_builder():
    text = "FROM alpine:3.20\nWORKDIR /app\nWORKDIR /app\nWORKDIR /\nENV A=1\nRUN true\n"
    buildkit, classic = build(text), build(text, builder="classic")
    # BuildKit: a mkdir op (a layer) for every WORKDIR but "/"; classic: only the one that
    # creates /app (an empty diff adds no layer).
    assert len(buildkit.filesystem_layers) == 3 and len(classic.filesystem_layers) == 2
    assert [x.step for x in buildkit.layers] == [True, True, True, False, False, True]
    assert all(x.step for x in classic.layers)
