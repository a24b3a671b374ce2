"""A Dockerfile as data: `dockerfile-parse` reads the text; this module checks it like a learner's
teacher would and splits it into build stages.

Errors are `DockerfileError` (a `ValueError`) whose message names the line and says how to fix
it, so an explorer can show it in place of a traceback. Line numbers count from 1, as editors
do. Heredocs (`RUN <<EOF`) are not supported: dockerfile-parse does not read them. The messages
are in the active language (msa_course.i18n).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from msa_course.i18n import tr

# Every instruction in the Dockerfile reference (docs.docker.com/reference/dockerfile/).
KNOWN = (
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
)


class DockerfileError(ValueError):
    """A Dockerfile Docker would refuse; `line` is the 1-based line number, or None."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(
            tr("line {line}: {message}", line=line, message=message) if line else message
        )


@dataclass(frozen=True)
class Instruction:
    """One instruction: `keyword` upper-cased, `value` as written (continuations joined).

    For COPY and ADD, `flags` holds the `--name=value` options and `args` the sources then the
    destination; for other instructions `args` is empty.
    """

    line: int
    keyword: str
    value: str
    flags: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What the build cache compares for instructions other than COPY/ADD."""
        return f"{self.keyword} {self.value}".strip()

    def flag(self, name: str) -> str | None:
        return dict(self.flags).get(name)

    @property
    def sources(self) -> tuple[str, ...]:
        return self.args[:-1]

    @property
    def destination(self) -> str:
        return self.args[-1]


@dataclass(frozen=True)
class Stage:
    """A build stage: its FROM (`base`, optional `name`) and the instructions after it."""

    index: int
    base: str
    name: str | None
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]

    @property
    def label(self) -> str:
        return self.name or f"stage {self.index}"


def parse(text: str) -> list[Instruction]:
    """The instructions of `text` in order, comments and blank lines dropped; validated."""
    if not isinstance(text, str):
        raise DockerfileError(tr("a Dockerfile is text; got {kind}", kind=type(text).__name__))
    from dockerfile_parse import DockerfileParser

    if not text.endswith("\n"):
        text += "\n"  # dockerfile-parse drops a last line that has no newline and no arguments
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
    structure = parser.structure
    _check_every_line_read(text, structure)
    out = []
    for item in structure:
        keyword = item["instruction"].upper()
        if keyword == "COMMENT":
            continue
        line = item["startline"] + 1
        if keyword not in KNOWN:
            raise DockerfileError(
                tr(
                    "unknown instruction {word}. Dockerfile instructions are {known}; check the "
                    "spelling, or end the line above with a backslash if this line continues it.",
                    word=repr(item["content"].split()[0]),
                    known=", ".join(KNOWN),
                ),
                line,
            )
        value = item["value"].strip()
        if not value:
            if keyword in _EXAMPLES:
                message = tr(
                    "{keyword} needs arguments, e.g. {example}",
                    keyword=keyword,
                    example=_EXAMPLES[keyword],
                )
            else:
                message = tr("{keyword} needs arguments", keyword=keyword)
            raise DockerfileError(message, line)
        flags: tuple = ()
        args: tuple = ()
        if keyword in ("COPY", "ADD"):
            flags, args = _copy_args(keyword, value, line)
        out.append(Instruction(line, keyword, value, flags, args))
    if not out:
        raise DockerfileError(
            tr("the Dockerfile is empty: start with a FROM line, e.g. FROM alpine:3.20")
        )
    return out


def _check_every_line_read(text: str, structure: list[dict]) -> None:
    """dockerfile-parse skips lines it cannot read; a learner deserves to hear about them."""
    covered = set()
    for item in structure:
        covered.update(range(item["startline"], item["endline"] + 1))
    for number, line in enumerate(text.splitlines()):
        if line.strip() and number not in covered:
            raise DockerfileError(
                tr(
                    "cannot read {text}: every line must start with an instruction such as RUN "
                    "or COPY (or continue the line above, which then ends with \\)",
                    text=repr(line.strip()),
                ),
                number + 1,
            )


_EXAMPLES = {
    "FROM": "FROM alpine:3.20",
    "RUN": "RUN apk add --no-cache curl",
    "COPY": "COPY app.py /app/",
    "ADD": "ADD app.tar.gz /app/",
    "WORKDIR": "WORKDIR /app",
    "ENV": "ENV PORT=8080",
    "CMD": 'CMD ["python", "app.py"]',
    "USER": "USER app",
}


def _copy_args(keyword: str, value: str, line: int) -> tuple[tuple, tuple]:
    flags = []
    if value.startswith("--"):
        words = value.split()
        while words and words[0].startswith("--"):
            name, _, flag_value = words.pop(0)[2:].partition("=")
            flags.append((name, flag_value))
        rest = " ".join(words)
    else:
        rest = value
    if rest.startswith("["):
        try:
            args = json.loads(rest)
        except json.JSONDecodeError as err:
            raise DockerfileError(
                tr(
                    "{keyword}'s JSON form is not valid JSON ({error}); write {example}",
                    keyword=keyword,
                    error=err.msg,
                    example=f'{keyword} ["src", "dest"]',
                ),
                line,
            ) from None
        if not all(isinstance(a, str) for a in args):
            raise DockerfileError(
                tr("{keyword}'s JSON form must be a list of strings", keyword=keyword), line
            )
    else:
        args = rest.split()
    if len(args) < 2:
        raise DockerfileError(
            tr(
                "{keyword} needs a source and a destination, e.g. {example} (got {value})",
                keyword=keyword,
                example=_EXAMPLES[keyword],
                value=repr(value),
            ),
            line,
        )
    return tuple(flags), tuple(args)


def stages(instructions: list[Instruction]) -> list[Stage]:
    """Split validated instructions into stages; ARG before the first FROM is allowed."""
    result: list[Stage] = []
    current: list[Instruction] = []
    head: Instruction | None = None
    for ins in instructions:
        if ins.keyword == "FROM":
            if head is not None:
                result.append(_stage(len(result), head, current, result))
            head, current = ins, []
        elif head is None:
            if ins.keyword != "ARG":
                raise DockerfileError(
                    tr(
                        "{keyword} comes before any FROM. A Dockerfile must start with FROM "
                        "(only ARG may come before it), e.g. FROM python:3.12-slim",
                        keyword=ins.keyword,
                    ),
                    ins.line,
                )
        else:
            current.append(ins)
    if head is None:
        raise DockerfileError(
            tr(
                "FROM is missing: a Dockerfile must start with FROM naming its base image, "
                "e.g. FROM alpine:3.20"
            )
        )
    result.append(_stage(len(result), head, current, result))
    return result


def _stage(index: int, head: Instruction, body: list[Instruction], earlier: list[Stage]) -> Stage:
    words = head.value.split()
    while words and words[0].startswith("--"):  # --platform=...
        words.pop(0)
    if len(words) == 3 and words[1].upper() == "AS":
        name = words[2].lower()
        if any(s.name == name for s in earlier):
            raise DockerfileError(
                tr(
                    "a stage named {name} already exists; give each stage its own name",
                    name=repr(name),
                ),
                head.line,
            )
    elif len(words) == 1:
        name = None
    else:
        raise DockerfileError(
            tr(
                "FROM takes an image and an optional 'AS name', got {value}, "
                "e.g. FROM golang:1.22 AS build",
                value=repr(head.value),
            ),
            head.line,
        )
    return Stage(index, words[0], name, head, tuple(body))


def find_stage(reference: str, earlier: list[Stage]) -> Stage | None:
    """The earlier stage `reference` (a name or an index) means, or None for an image."""
    for stage in earlier:
        if stage.name == reference.lower() or str(stage.index) == reference:
            return stage
    return None
