"""`msa-course release`: generate the learners' exercises/ from the sources in solutions/.

Answers become `# YOUR CODE HERE` + `raise NotImplementedError()` (nbgrader's stub), hidden
tests and tasks' mark schemes disappear, instructions and tests are locked against editing and deletion, answer cells
against deletion, and outputs are cleared. The output is a pure function of the source, so
releasing twice gives byte-identical files and a test can hold exercises/ in sync.

In a checkout with translations/, it also generates the other languages' notebooks
(course/ko/, solutions/ko/, exercises/ko/: msa_course.i18n.notebooks), with the same grade ids.
"""

from __future__ import annotations

import copy
from pathlib import Path

from msa_course.grading import source as src
from msa_course.grading.tidy import dumps, tidy

CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = ["YOUR ANSWER HERE"]


def released_source(parsed: src.SourceCell) -> str:
    """The text a learner receives for one source cell."""
    text = parsed.source
    if parsed.solution:
        stub = CODE_STUB if parsed.cell_type == "code" else TEXT_STUB
        if src.BEGIN_SOLUTION in text:
            return src.strip_region(text, src.BEGIN_SOLUTION, src.END_SOLUTION, stub)
        return "\n".join(stub)
    if parsed.is_test:
        return src.strip_region(text, src.BEGIN_HIDDEN, src.END_HIDDEN, None).rstrip("\n")
    if parsed.task:
        return src.strip_region(text, src.BEGIN_SCHEME, src.END_SCHEME, None).rstrip("\n")
    return text


def release_notebook(assignment: src.Assignment) -> dict:
    """The learner's version of a parsed source notebook."""
    nb = copy.deepcopy(assignment.notebook)
    for parsed, cell in zip(assignment.cells, nb["cells"]):
        meta = cell.setdefault("metadata", {})
        if parsed.solution:
            meta["deletable"] = False
        if parsed.is_test or parsed.task or (parsed.locked and not parsed.solution):
            meta["editable"] = False
            meta["deletable"] = False
        cell["source"] = released_source(parsed)
    return tidy(nb)


def release_file(source_path: Path) -> str:
    """The released notebook's text for one source file (raises SourceError)."""
    return dumps(release_notebook(src.parse(source_path)))


def release(solutions: Path, exercises: Path, check: bool = False) -> list[Path]:
    """Write (or, with check, only compare) exercises/ for every source; returns changed paths."""
    sources = sorted(solutions.glob("*.ipynb"))
    changed = []
    for source_path in sources:
        target = exercises / source_path.name
        text = release_file(source_path)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(target)
            if not check:
                exercises.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return changed


def add_arguments(parser) -> None:
    parser.add_argument(
        "--solutions",
        type=Path,
        default=Path("solutions"),
        help="folder of source notebooks (default: solutions)",
    )
    parser.add_argument(
        "--exercises",
        type=Path,
        default=Path("exercises"),
        help="folder to write the learners' notebooks to (default: exercises)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if exercises/ is out of date"
    )


def run(args) -> int:
    from msa_course.cli import CommandError

    if not args.solutions.is_dir():
        raise CommandError(f"{args.solutions}: no such folder of source notebooks")
    if not any(args.solutions.glob("*.ipynb")):
        raise CommandError(f"{args.solutions}: holds no .ipynb source notebooks")
    from msa_course.i18n import TranslationError, notebooks

    root = args.solutions.resolve().parent
    try:
        changed = release(args.solutions, args.exercises, check=args.check)
        if (root / notebooks.TRANSLATIONS).is_dir():
            changed += notebooks.generate(root, check=args.check)
    except (src.SourceError, TranslationError) as err:
        raise CommandError(str(err)) from None
    for path in changed:
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        verb = "out of date" if args.check else "wrote" if path.exists() else "removed"
        print(f"{verb}: {shown}")
    if args.check and changed:
        print("run `msa-course release` and commit what it writes")
        return 1
    if not changed:
        print(f"exercises/ is up to date ({len(list(args.solutions.glob('*.ipynb')))} notebooks)")
    return 0
