"""The `msa-course` command. One line per subcommand in COMMANDS: its module provides
`add_arguments(parser)` and `run(args) -> int`, and is imported only when its command runs."""

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
    "translate": ("msa_course.i18n.translate", "show or update a notebook's translation"),
    "grade": ("msa_course.grading.grade", "grade learners' submissions"),
    "link": (
        "msa_course.workshop.link",
        "print the nbgitpuller link that gives learners the course",
    ),
    "collect": (
        "msa_course.workshop.collect",
        "copy learners' exercises out of hub homes for grading",
    ),
    "size-cluster": ("msa_course.workshop.sizing", "how many Kubernetes nodes a class needs"),
    "progress": ("msa_course.workshop.progress", "serve the room's live progress page"),
    "report": ("msa_course.workshop.classreport", "a graded class's report and LMS gradebooks"),
    "return-feedback": (
        "msa_course.workshop.feedback",
        "put each learner's feedback page into their home, next to the exercise",
    ),
    "build-site": ("msa_course.site", "render the course to a static HTML site"),
}


class CommandError(Exception):
    """A problem to report as one line, without a traceback."""


def writable_folder(path, option: str):
    """`path` (a pathlib.Path) as a folder a command can write into, created if need be; or a
    CommandError saying in one line why not."""
    import tempfile

    path = path.resolve()
    if path.exists() and not path.is_dir():
        raise CommandError(f"{option} {path}: is a file; give a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise CommandError(f"{option} {path}: cannot write there ({err.strerror})") from None
    return path


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit code 2, and where to look
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _top_parser() -> argparse.ArgumentParser:
    from msa_course import __version__

    parser = _Parser(prog="msa-course", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"msa-course {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        top = _top_parser()
        if not argv:
            top.print_help()
            return 2
        top.parse_args(argv)  # prints help/version, or the error for an unknown command
        return 2
    name, rest = argv[0], argv[1:]
    module_name, help_text = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = _Parser(prog=f"msa-course {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    try:
        return int(module.run(args) or 0)
    except CommandError as err:
        print(f"msa-course {name}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"msa-course {name}: interrupted", file=sys.stderr)
        return 130
