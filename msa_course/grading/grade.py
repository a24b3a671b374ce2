"""`msa-course grade`: grade a class's submissions against an exercise source.

Each submission runs in its own sandboxed process (sandbox.py) while tests are decided here
(judge.py); results are written as each submission finishes, so an interrupted run resumes,
and the gradebook is rebuilt from the results at the end.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        metavar="SUBMISSION",
        help="learners' notebooks, or folders of them (file names give the ids)",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--assignment", metavar="NN", help="grade against solutions/NN_*.ipynb (e.g. 01)"
    )
    which.add_argument("--source", type=Path, help="the exercise source notebook")
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="submissions at a time")
    parser.add_argument(
        "--timeout-cell",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds one cell or test call may run (default 10)",
    )
    parser.add_argument(
        "--timeout-total",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds one submission may run in all (default 60)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=512,
        metavar="MB",
        help="address-space limit of a learner's process (default 512)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=16,
        metavar="N",
        help="processes and threads a learner's code may have (default 16)",
    )
    parser.add_argument(
        "--roster",
        type=Path,
        help="CSV whose first column lists every learner id (missing ones get 0)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="grade again even what an earlier run finished"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    from msa_course.cli import CommandError
    from msa_course.grading import gradebook, judge, report
    from msa_course.grading import source as src
    from msa_course.grading.sandbox import Limits, default_allow

    source_path = args.source or find_source(args.assignment)
    try:
        assignment = src.parse(source_path)
    except src.SourceError as err:
        raise CommandError(str(err)) from None
    if not assignment.tests:
        raise CommandError(f"{source_path}: has no graded test cells to grade with")
    if (
        not 1 <= args.jobs <= 64
        or args.timeout_cell <= 0
        or args.timeout_total <= 0
        or args.memory < 64
        or args.processes < 1
    ):
        raise CommandError(
            "-j must be 1-64, --processes >= 1, timeouts > 0 and --memory >= 64 (MB)"
        )
    submissions = collect(args.submissions, assignment.name)
    roster = read_roster(args.roster) if args.roster else []
    limits = Limits(
        memory_mb=args.memory,
        cell_timeout=args.timeout_cell,
        total_timeout=args.timeout_total,
        processes=args.processes,
    )
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("results/.*.tmp"), *out.glob("feedback/.*.tmp")]:
        stale.unlink()  # a write cut short by a kill; its result is graded again
    ctx = judge.Context(assignment, limits, default_allow())
    source_sha = judge.sha256(Path(source_path).read_bytes())
    results, todo = {}, []
    for learner, path in submissions:
        old = None if args.regrade else gradebook.load_result(out, learner)
        if (
            old
            and old.get("source_sha256") == source_sha
            and old.get("submission_sha256") == _sha_or_none(path)
        ):
            results[learner] = old
        else:
            todo.append((learner, path))
    reused = len(results)
    progress = Progress(len(todo), enabled=not args.quiet)
    for result in grade_all(ctx, todo, args.jobs):
        result["source_sha256"] = source_sha
        gradebook.save_result(out, result)
        gradebook.atomic_write(
            out / "feedback" / f"{result['learner']}.html", report.feedback_html(result)
        )
        results[result["learner"]] = result
        progress.step()
    progress.done()
    rows = list(results.values())
    for learner in roster:
        if learner not in results:
            rows.append(missing_result(learner, assignment))
    question_ids = [t.grade_id for t in assignment.tests]
    gradebook.atomic_write(out / "gradebook.csv", gradebook.gradebook_csv(question_ids, rows))
    print(report.summary_table(rows))
    flagged = sum(1 for r in rows if r["flagged"])
    print(
        f"{len(todo)} graded, {reused} unchanged since the last run, {flagged} flagged; "
        f"gradebook: {out / 'gradebook.csv'}; sandbox: {_level(rows)}"
    )
    return 0


def grade_all(ctx, todo: list[tuple[str, Path]], jobs: int):
    """Yield results as submissions finish, `jobs` at a time, each with a uid of its own."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from msa_course.grading import judge

    def work(learner: str, path: Path) -> dict:
        return judge.grade_submission(ctx, path, learner)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(work, learner, path) for learner, path in todo]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def find_source(number: str) -> Path:
    from msa_course.cli import CommandError

    matches = sorted(Path("solutions").glob(f"{number}_*.ipynb"))
    if len(matches) != 1:
        found = ", ".join(p.name for p in matches) or "none"
        raise CommandError(
            f"--assignment {number}: need exactly one solutions/{number}_*.ipynb "
            f"(found {found}); or name the notebook with --source"
        )
    return matches[0]


def collect(paths: list[Path], assignment_name: str) -> list[tuple[str, Path]]:
    """(learner id, file) for every submission; ids from file names, or from the folder when
    the file is named after the assignment (nbgrader's submitted/<id>/<assignment>/ layout)."""
    from msa_course.cli import CommandError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    if not files:
        raise CommandError("no submissions found (looked for .ipynb files in the folders given)")
    seen: dict[str, Path] = {}
    for file in files:
        learner = learner_id(file, assignment_name)
        if learner in seen:
            raise CommandError(
                f"two submissions for learner {learner!r}: {seen[learner]} and "
                f"{file}; rename one or grade them separately"
            )
        seen[learner] = file
    return list(seen.items())


def learner_id(file: Path, assignment_name: str) -> str:
    parts = [p for p in (file.stem, *(q.name for q in file.parents)) if p]
    name = next((p for p in parts if p != assignment_name), file.stem)
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "unnamed"


def read_roster(path: Path) -> list[str]:
    from msa_course.cli import CommandError

    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError) as err:
        raise CommandError(f"{path}: cannot read the roster ({err})") from None
    ids = [row[0].strip() for row in rows if row and row[0].strip()]
    if ids and ids[0].lower() in ("id", "learner", "student", "student_id"):
        ids = ids[1:]
    return ids


def missing_result(learner: str, assignment) -> dict:
    return {
        "learner": learner,
        "assignment": assignment.name,
        "status": "missing",
        "score": 0.0,
        "max_score": sum(t.points for t in assignment.tests),
        "questions": [],
        "answers": [],
        "flagged": True,
        "flags": [{"code": "no-submission", "detail": "on the roster, nothing submitted"}],
    }


def _sha_or_none(path: Path) -> str | None:
    from msa_course.grading.judge import sha256

    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def _level(results: list[dict]) -> str:
    levels = {r.get("sandbox") for r in results if r.get("sandbox")}
    return "; ".join(sorted(levels)) or "not used"


class Progress:
    """A one-line progress bar on stderr: done/total and submissions per second."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.count, self.enabled = total, 0, enabled and total > 0
        self.started = time.monotonic()
        self._draw()

    def step(self) -> None:
        self.count += 1
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        filled = int(30 * self.count / self.total)
        rate = self.count / max(time.monotonic() - self.started, 1e-9)
        sys.stderr.write(
            f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.count}/{self.total}  {rate:.1f}/s"
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
