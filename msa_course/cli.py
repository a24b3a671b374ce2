"""The `msa-course` command. One line per subcommand in COMMANDS: its module provides
`add_arguments(parser)` and `run(args) -> int`; modules load only when their command runs."""

from __future__ import annotations

import argparse
import importlib
import sys

# name: (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "lab": ("msa_course.lab", "start JupyterLab on the course"),
    "doctor": ("msa_course.doctor", "check that this machine can run the course"),
    "release": ("msa_course.grading.release", "generate exercises/ from solutions/"),
    "tidy": ("msa_course.grading.tidy", "strip notebooks' outputs and normalise their metadata"),
}


class CommandError(Exception):
    """A problem to report as one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line and exit code 2, as argparse does, plus a hint
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="msa-course", description=__doc__.splitlines()[0])
    from msa_course import __version__

    parser.add_argument("--version", action="version", version=f"msa-course {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        _load(module).add_arguments(p)
    return parser


def _load(module: str):
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_load(args._module).run(args) or 0)
    except CommandError as err:
        print(f"msa-course {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"msa-course {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
