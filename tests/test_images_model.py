"""Dockerfile -> layers, the build cache (figures.md §2), sharing, parity; with properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.images import (
    DockerfileError,
    build,
    cache_report,
    counts,
    edit,
    parity,
    rebuilt_after_change,
    sharing,
)
from msa_course.images.base_images import base_size

CTX = {"requirements.txt": "flask\n", "app.py": "print(1)\n", "static/a.css": "a{}\n"}
NAIVE = """FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD ["python", "app.py"]
"""
ORDERED = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "app.py"]
"""
MULTI = """# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY app.py .
RUN go build -o /out/app
FROM alpine:3.20 AS debug
RUN apk add --no-cache strace
FROM alpine:3.20
COPY --from=build /out/app /app
USER 65534
ENTRYPOINT ["/app"]
"""


def kinds(image):
    return [(layer.created_by.split()[0], layer.kind) for layer in image.layers]


@pytest.mark.parametrize(
    "builder, second_workdir",
    [("buildkit", "filesystem"), ("classic", "metadata")],  # BuildKit: a mkdir op every time
)
def test_which_instructions_make_layers(builder, second_workdir):
    image = build(
        'FROM alpine:3.20\nLABEL a=b\nENV X=1\nWORKDIR /app\nWORKDIR /app\nRUN true\nCMD ["sh"]\n',
        builder=builder,
    )
    assert kinds(image) == [
        ("FROM", "base"),
        ("LABEL", "metadata"),
        ("ENV", "metadata"),
        ("WORKDIR", "filesystem"),  # creates /app
        ("WORKDIR", second_workdir),  # /app exists now
        ("RUN", "filesystem"),
        ("CMD", "metadata"),
    ]
    assert [x.step for x in image.layers] == [
        True,
        *[builder == "classic"] * 2,
        True,
        True,
        True,
        builder == "classic",
    ]


def test_storage_driver_worked_example():
    # figures.md §2: alpine 5.6 MB + `apk add bash` 2.15 MB = 7.75 MB
    image = build(
        "FROM alpine\nRUN apk add --no-cache bash\n", sizes={2: 2.15}, base_sizes={"alpine": 5.6}
    )
    assert image.size_mb == pytest.approx(7.75)
    assert len(image.filesystem_layers) == 1


def test_base_sizes_table_is_flagged():
    assert base_size("alpine:3.20").size_mb == 5.0
    assert base_size("docker.io/library/python:3.12-slim").size_mb == 155.0
    assert base_size("python:3.12-slim").approximate
    assert base_size("scratch").size_mb == 0 and not base_size("scratch").approximate
    assert "assumed" in base_size("example.com/team/thing:1").source


@pytest.mark.parametrize(
    "builder, statuses", [("buildkit", {"hit", "no step"}), ("classic", {"hit"})]
)
def test_unchanged_run_is_a_hit_even_if_the_world_changed(builder, statuses):
    steps = cache_report(build(NAIVE, CTX, builder=builder), build(NAIVE, CTX, builder=builder))
    assert {s.status for s in steps} == statuses


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_copy_checks_file_content_not_mtime(builder):
    assert rebuilt_after_change(NAIVE, CTX, "app.py", how="mtime", builder=builder) == []
    want = [3, 4] if builder == "buildkit" else [3, 4, 5]  # CMD is no step under BuildKit
    assert rebuilt_after_change(NAIVE, CTX, "app.py", builder=builder) == want


def test_ordering_decides_what_a_code_change_rebuilds():
    assert rebuilt_after_change(ORDERED, CTX, "app.py") == [5]
    assert rebuilt_after_change(ORDERED, CTX, "requirements.txt") == [3, 4, 5]
    assert rebuilt_after_change(ORDERED, CTX, "app.py", builder="classic") == [5, 6]


def test_reasons_explain_the_first_miss_and_the_cascade():
    edited = edit(CTX, "requirements.txt")
    steps = cache_report(build(ORDERED, CTX), build(ORDERED, edited))
    by_line = {s.layer.line: s for s in steps}
    assert by_line[3].reason == "A copied file changed: requirements.txt."
    assert by_line[4].reason.startswith("Line 3 missed")
    assert by_line[6].status == "no step" and "BuildKit runs no build step" in by_line[6].reason
    classic = cache_report(
        build(ORDERED, CTX, builder="classic"), build(ORDERED, edited, builder="classic")
    )
    assert classic[-1].status == "miss" and classic[-1].reason.startswith("Line 3 missed")


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_edited_workdir_misses_and_everything_after_it(builder):
    edited = ORDERED.replace("WORKDIR /app", "WORKDIR /srv")
    want = [2, 3, 4, 5] if builder == "buildkit" else [2, 3, 4, 5, 6]
    assert rebuilt_after_change(ORDERED, CTX, new_text=edited, builder=builder) == want


def test_builders_by_name():
    assert build(ORDERED, CTX).builder.name == "buildkit"  # docker build's default
    assert "23.0" in build(ORDERED, CTX).builder.follows
    assert "DOCKER_BUILDKIT=0" in build(ORDERED, CTX, builder="classic").builder.follows
    with pytest.raises(ValueError, match="builder must be one of 'buildkit', 'classic'"):
        build(ORDERED, CTX, builder="kaniko")
    with pytest.raises(ValueError, match="compare builds made with the same builder"):
        cache_report(build(ORDERED, CTX), build(ORDERED, CTX, builder="classic"))


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_multi_stage_copy_from_depends_on_the_stage(builder):
    before = build(MULTI, CTX, builder=builder)
    steps = cache_report(before, build(MULTI, edit(CTX, "app.py"), builder=builder))
    status = {(s.layer.stage, s.layer.created_by.split()[0]): s.status for s in steps}
    assert status[("build", "COPY")] == "miss"
    assert status[("stage 2", "FROM")] == "hit"
    assert status[("stage 2", "COPY")] == "miss"
    copy = next(s for s in steps if s.layer.copies_from == "build")
    assert copy.reason.startswith("The files it copies from build changed")
    if builder == "buildkit":  # BuildKit builds only what the target needs
        assert status[("debug", "RUN")] == "skipped"
        assert counts(steps) == {
            "hit": 3,
            "miss": 3,
            "no step": 2,
            "skipped": 2,
            "layers_rebuilt": 3,
        }
    else:  # the classic builder builds every stage up to the target
        assert status[("debug", "RUN")] == "hit"
        assert counts(steps) == {
            "hit": 5,
            "miss": 5,
            "no step": 0,
            "skipped": 0,
            "layers_rebuilt": 3,
        }
    # the final image holds only the last stage's layers
    assert [layer.created_by.split()[0] for layer in before.layers] == [
        "FROM",
        "COPY",
        "USER",
        "ENTRYPOINT",
    ]


def test_from_an_earlier_stage_inherits_its_layers_and_target():
    text = "FROM alpine AS base\nRUN apk add curl\nFROM base AS app\nCOPY app.py /app.py\n"
    image = build(text, CTX)
    assert [layer.kind for layer in image.layers] == ["base", "filesystem", "filesystem"]
    assert len(build(text, CTX, target="base").layers) == 2
    with pytest.raises(ValueError, match="target 'nope' is not a stage"):
        build(text, CTX, target="nope")


def test_identical_inputs_identical_digests():
    a, b = build(ORDERED, CTX), build(ORDERED, dict(CTX))
    assert [x.digest for x in a.layers] == [x.digest for x in b.layers]
    assert build(NAIVE, CTX).layers[1].digest == a.layers[1].digest  # same prefix, same layers
    assert build(NAIVE, CTX).layers[2].digest != a.layers[2].digest


def test_sharing_counts_common_layers_once():
    result = sharing({"ordered": build(ORDERED, CTX), "naive": build(NAIVE, CTX)})
    assert result.new_mb["ordered"] == pytest.approx(result.size_mb["ordered"])
    # the naive image shares the base and WORKDIR layers, so its pull skips the 155 MB base
    assert result.new_mb["naive"] == pytest.approx(result.size_mb["naive"] - 155.0)
    assert result.saved_mb == pytest.approx(155.0)


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("", None, "empty"),
        ("# just a comment\n\n", None, "empty"),
        ("RUN echo hi\n", 1, "before any FROM"),
        ("ARG V=1\n", None, "FROM is missing"),
        ("FROM alpine\nRUNN echo\n", 2, "unknown instruction 'RUNN'"),
        ("FROM alpine\nCOPY app.py\n", 2, "needs a source and a destination"),
        ("FROM alpine\nCOPY\n", 2, "COPY needs arguments"),
        ("FROM alpine\nCOPY missing.txt /x\n", 2, "matches no file"),
        ('FROM alpine\nCOPY ["a", \n', 2, "not valid JSON"),
        ("FROM alpine AS a\nFROM alpine AS a\n", 2, "already exists"),
        ("FROM alpine\n  RUN ok\nexit 0\n", 3, "unknown instruction 'exit'"),
    ],
)
def test_malformed_dockerfiles_name_the_line(text, line, words):
    with pytest.raises(DockerfileError, match=words) as info:
        build(text, CTX)
    assert info.value.line == line
    if line:
        assert str(info.value).startswith(f"line {line}:")


def test_parity_promoted_image_is_identical_everywhere():
    result = parity(days_between=14, release_prob=0.2, drift_prob=0.05, seed=3)
    assert result.identical("promote one image")
    assert not result.identical("rebuild per environment")
    assert not result.identical("hand-built servers")
    assert parity(seed=3) == parity(seed=3)
    with pytest.raises(ValueError, match="drift_prob"):
        parity(drift_prob=2)


# ---- properties -------------------------------------------------------------------------
INSTRUCTIONS = st.lists(
    st.one_of(
        st.builds(lambda w: f"RUN echo {w}", st.integers(0, 50)),
        st.builds(lambda w: f"ENV K{w}=v", st.integers(0, 50)),
        st.sampled_from(["COPY app.py /app/", "COPY . /src/", "WORKDIR /w", "LABEL a=b"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(body=INSTRUCTIONS, noise=st.lists(st.sampled_from(["", "# note", "   ", "#x y"])))
def test_comments_and_blank_lines_do_not_change_layers(body, noise):
    plain = "FROM alpine\n" + "\n".join(body) + "\n"
    lines = ["FROM alpine"]
    for i, ins in enumerate(body):
        lines.extend(noise[i % len(noise) :][:1] if noise else [])
        lines.append(ins)
    noisy = "\n".join(lines) + "\n"
    a, b = build(plain, CTX), build(noisy, CTX)
    assert [(x.kind, x.digest, x.size_mb) for x in a.layers] == [
        (x.kind, x.digest, x.size_mb) for x in b.layers
    ]


@settings(max_examples=60, deadline=None)
@given(body=INSTRUCTIONS, data=st.data())
def test_a_change_invalidates_every_later_step(body, data):
    k = data.draw(st.integers(0, len(body) - 1))
    edited = list(body)
    edited[k] = "RUN echo changed-by-the-test"
    if edited == body:
        return
    old = "FROM alpine\n" + "\n".join(body) + "\n"
    new = "FROM alpine\n" + "\n".join(edited) + "\n"
    rebuilt = rebuilt_after_change(old, CTX, new_text=new, builder="classic")
    assert rebuilt == list(range(k + 2, len(body) + 2))  # line k+2 onwards, nothing before
    # BuildKit: the same, less the configuration-only lines, which are no step
    steps = [ins.split()[0] in ("RUN", "COPY", "WORKDIR") for ins in edited]
    want = [k + 2 + i for i, is_step in enumerate(steps[k:]) if is_step]
    assert rebuilt_after_change(old, CTX, new_text=new) == want


@settings(max_examples=40, deadline=None)
@given(
    body=INSTRUCTIONS,
    path=st.sampled_from(sorted(CTX)),
    builder=st.sampled_from(["buildkit", "classic"]),
)
def test_touch_never_invalidates(body, path, builder):
    text = "FROM alpine\n" + "\n".join(body) + "\n"
    assert rebuilt_after_change(text, CTX, path, how="mtime", builder=builder) == []
