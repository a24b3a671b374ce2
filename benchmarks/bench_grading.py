"""Grade one class of generated submissions with `nbgrader autograde` and with
`msa-course grade`, and print both wall times, the ratio, and msa-course's throughput at
-j 1 and -j 2. The scores of both graders are checked against each other before any figure
is printed, so a fast wrong grader cannot look good.

    .venv-dev/bin/python benchmarks/bench_grading.py [--source NB] [--size 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from msa_course.grading import samples
from msa_course.grading import source as src
from msa_course.grading.tidy import dumps

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    start = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} failed:\n{run.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"
    )
    parser.add_argument("--size", type=int, default=20)
    args = parser.parse_args()
    assignment = src.parse(args.source)
    name = args.source.stem
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = Path(tmp)
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            os.environ[var] = str(course / ".jupyter" / var.lower())
        (course / "nbgrader_config.py").write_text(
            'c = get_config()\nc.CourseDirectory.course_id = "bench"\n'
        )
        (course / "source" / name).mkdir(parents=True)
        shutil.copy(args.source, course / "source" / name / f"{name}.ipynb")
        expected = {}
        for learner, nb, score in samples.make_class(assignment, args.size, seed=1):
            path = course / "submitted" / learner / name / f"{name}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(dumps(nb), encoding="utf-8")
            expected[learner] = score
        print(
            f"{args.size} submissions of {name} ({len(assignment.tests)} tests); "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        )
        timed(["nbgrader", "generate_assignment", name, "--force"], course)
        t_nbgrader = timed(["nbgrader", "autograde", name, "--create", "--force"], course)
        ours = {}
        for jobs in (1, 2):
            out = course / f"out-j{jobs}"
            ours[jobs] = timed(
                [
                    str(BIN / "msa-course"),
                    "grade",
                    "submitted",
                    "--source",
                    str(args.source),
                    "--out",
                    str(out),
                    "-j",
                    str(jobs),
                    "--quiet",
                ],
                course,
            )
            with open(out / "gradebook.csv") as fh:
                totals = {row["learner"]: float(row["total"]) for row in csv.DictReader(fh)}
            if totals != expected:
                sys.exit(f"msa-course -j {jobs} scored {totals}, expected {expected}")
        check_nbgrader(course, name, expected)
    print(f"nbgrader autograde      {t_nbgrader:7.2f} s   {args.size / t_nbgrader:5.2f} subs/s")
    for jobs, seconds in ours.items():
        print(
            f"msa-course grade -j {jobs}   {seconds:7.2f} s   {args.size / seconds:5.2f} subs/s"
            f"   {t_nbgrader / seconds:5.1f}x faster than nbgrader"
        )


def check_nbgrader(course: Path, name: str, expected: dict[str, float]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for learner, score in expected.items():
            got = gradebook.find_submission_notebook(name, name, learner).score
            if abs(got - score) > 1e-9:
                sys.exit(f"nbgrader scored {learner} {got}, expected {score}")


if __name__ == "__main__":
    main()
