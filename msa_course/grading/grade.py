"""`msa-course grade`: grade a class's submissions against an exercise source.

Each submission runs in its own sandboxed process (sandbox.py) while its tests are decided in
a judging worker (workers.py, judge.py); results are written as each submission finishes, so
an interrupted run (Ctrl-C, SIGTERM, a kill) resumes, and the gradebook, the manual-scores
file and the feedback pages are rebuilt from the results at the end (formats: docs/grading.md).
"""

from __future__ import annotations

import csv
import os
import re
import signal
import stat
import sys
import time
from pathlib import Path

from msa_course.grading import gradebook, report


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
        help="memory of one submission, all its processes and its /tmp together (default 512)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=16,
        metavar="N",
        help="processes and threads one submission may have at once (default 16)",
    )
    parser.add_argument(
        "--roster",
        type=Path,
        help="CSV whose first column lists every learner id (missing ones get 0)",
    )
    parser.add_argument(
        "--due",
        metavar="TIME",
        help="due time, ISO 8601 (2026-05-01T23:59, local time unless it has +HH:MM): "
        "later submissions are marked late",
    )
    parser.add_argument(
        "--late-penalty",
        metavar="PCT[/day]",
        help="with --due: percent off a late submission (10), or per started day late (10/day)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="grade again even what an earlier run finished"
    )
    parser.add_argument(
        "--lang",
        default=None,
        help="language of the learners' feedback (en, ko); default: each submission's own, "
        "as the edition it came from says (exercises/ko/ gives Korean)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


class Stopped(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: what is graded stays and the gradebook is written."""


def _stop(signum, frame):
    raise Stopped()


def run(args) -> int:
    from msa_course.cli import CommandError, writable_folder
    from msa_course.grading import judge, late, manual
    from msa_course.grading import source as src
    from msa_course.grading.messages import CATALOGUES
    from msa_course.grading.sandbox import Limits, default_allow
    from msa_course.grading.workers import grade_all

    source_path = args.source or find_source(args.assignment)
    try:
        assignment = src.parse(source_path)
    except src.SourceError as err:
        raise CommandError(str(err)) from None
    if not assignment.graded:
        raise CommandError(f"{source_path}: has no graded cells (tests or hand-graded answers)")
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
    if args.lang is not None and args.lang not in CATALOGUES:
        raise CommandError(f"--lang {args.lang!r}: choose one of {', '.join(sorted(CATALOGUES))}")
    try:
        due = late.parse_due(args.due) if args.due else None
        penalty = late.parse_penalty(args.late_penalty) if args.late_penalty else (0.0, False)
    except ValueError as err:
        raise CommandError(str(err)) from None
    if args.late_penalty and not due:
        raise CommandError("--late-penalty needs --due (the time after which work is late)")
    submissions, refused = collect(args.submissions, assignment.name)
    roster = read_roster(args.roster) if args.roster else []
    out = writable_folder(args.out, "--out")
    learners = {learner for learner, _ in submissions} | set(roster) | set(refused)
    try:
        scores = manual.read(out / manual.FILE, assignment, learners)
    except manual.ManualError as err:
        raise CommandError(str(err)) from None
    limits = Limits(
        memory_mb=args.memory,
        cell_timeout=args.timeout_cell,
        total_timeout=args.timeout_total,
        processes=args.processes,
    )
    for stale in [*out.glob("results/.*.tmp"), *out.glob("feedback/.*.tmp")]:
        stale.unlink()  # a write cut short by a kill; its result is graded again
    ctx = judge.Context(assignment, limits, default_allow(), lang=args.lang)
    source_sha = judge.sha256(Path(source_path).read_bytes())
    results, todo = {}, []
    for learner, path in submissions:
        old = None if args.regrade else gradebook.load_result(out, learner)
        if (
            old
            and old.get("format") == judge.FORMAT
            and old.get("source_sha256") == source_sha
            and old.get("submission_sha256") == _sha_or_none(path)
        ):
            results[learner] = old
        else:
            todo.append((learner, path))
    reused = len(results)
    fresh: set[str] = set()  # learners graded in this run
    progress = Progress(len(todo), enabled=not args.quiet)
    stopped: KeyboardInterrupt | None = None
    previous = signal.signal(signal.SIGTERM, _stop)
    paths = dict(submissions)

    def settle(result: dict) -> None:
        """What depends on this run's options, not on the grading: lateness and the
        instructor's hand-given points."""
        moment = late.submitted_at(paths[result["learner"]]) if result["learner"] in paths else None
        result["submitted_at"] = late.iso(moment) if moment else None
        result["late"] = late.lateness(moment, due, penalty) if due else None
        manual.apply(result, scores)
        result["score"] = judge.score(result)

    try:
        for result in grade_all(ctx, todo, args.jobs):
            result["source_sha256"] = source_sha
            settle(result)
            gradebook.save_result(out, result)
            _write_page(out, result, args.lang)
            results[result["learner"]] = result
            fresh.add(result["learner"])
            progress.step()
    except KeyboardInterrupt as err:
        stopped = err
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.done()
    for learner, reason in refused.items():
        results[learner] = judge.failed_result(assignment, learner, None, "refused-file", reason)
    for learner in roster:
        if learner not in results:
            results[learner] = missing_result(learner, assignment)
    for result in results.values():
        if result["learner"] not in fresh:  # from an earlier run, refused or missing
            before = repr(result)
            settle(result)
            changed = repr(result) != before
            if changed and result["status"] != "missing":
                gradebook.save_result(out, result)
            _write_page(out, result, args.lang, only_if_missing=not changed)
    rows = list(results.values())
    question_ids = [c.grade_id for c in assignment.graded]
    gradebook.atomic_write(out / "gradebook.csv", gradebook.gradebook_csv(question_ids, rows))
    if any(c.is_manual for c in assignment.graded):
        gradebook.atomic_write(out / manual.FILE, manual.scores_csv(rows, scores))
    print(report.summary_table(rows))
    flagged = sum(1 for r in rows if r["flagged"])
    graded = progress.count
    print(
        f"{graded} graded, {reused} unchanged since the last run, {flagged} flagged; "
        f"gradebook: {out / 'gradebook.csv'}; sandbox: {_level(rows)}"
    )
    pending = sum(1 for r in rows for q in r["questions"] if q.get("points") is None)
    if pending:
        print(
            f"{pending} hand-graded answers wait for points: fill in {out / manual.FILE} "
            "and run the same command again"
        )
    if stopped is not None:
        left = len(todo) - graded
        print(
            f"msa-course grade: stopped with {left} submissions not graded; run the same "
            "command again to grade them",
            file=sys.stderr,
        )
        return 143 if isinstance(stopped, Stopped) else 130
    return 0


def _write_page(out: Path, result: dict, lang: str | None, only_if_missing: bool = False) -> None:
    """The learner's feedback page (not fsynced: it is rebuilt from the results each run)."""
    page = out / "feedback" / f"{result['learner']}.html"
    if result["status"] == "missing" or (only_if_missing and page.exists()):
        return
    gradebook.atomic_write(page, report.feedback_html(result, lang), durable=False)


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


def collect(paths: list[Path], assignment_name: str):
    """(learner id, file) for every submission, and learner id -> why a file was refused.
    Ids come from file names, or from the folder when the file is named after the assignment
    (nbgrader's submitted/<id>/<assignment>/ layout). Inside folders only regular files are
    taken: a symbolic link (say, to a classmate's notebook or the solutions) or a special file
    is refused and flagged, and links to folders are not followed."""
    from msa_course.cli import CommandError

    files: list[Path] = []
    refused: dict[str, str] = {}
    for path in paths:
        if path.is_dir():
            for top, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                for name in sorted(n for n in names if n.endswith(".ipynb")):
                    file = Path(top, name)
                    mode = file.lstat().st_mode
                    if stat.S_ISREG(mode):
                        files.append(file)
                        continue
                    kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                    refused[learner_id(file, assignment_name)] = (
                        f"{file.name} is {kind}; only a learner's own regular files are graded"
                    )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    if not files and not refused:
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
    return list(seen.items()), {k: v for k, v in refused.items() if k not in seen}


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
    from msa_course.grading import judge

    result = judge.failed_result(
        assignment, learner, None, "no-submission", "on the roster, nothing submitted"
    )
    result["status"] = "missing"
    return result


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
