"""The autograder's verdicts on honest work: full marks, zero, partial credit, feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msa_course.grading import judge, samples, sandbox, wire
from msa_course.grading import source as src
from msa_course.grading.assemble import assemble
from msa_course.grading.tidy import dumps

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"
ANSWERS = ["q1-answer", "q2-answer", "q3-answer", "q4-answer"]
LIMITS = sandbox.Limits(memory_mb=384, cell_timeout=10, total_timeout=40, processes=8)


def grade(assignment: src.Assignment, nb: dict, tmp_path: Path, name: str = "learner") -> dict:
    path = tmp_path / f"{name}.ipynb"
    path.write_text(dumps(nb) if isinstance(nb, dict) else nb, encoding="utf-8")
    ctx = judge.Context(assignment, LIMITS, sandbox.default_allow())
    return judge.grade_submission(ctx, path, name)


@pytest.fixture(scope="module")
def fixture_source() -> src.Assignment:
    return src.parse(FIXTURE)


def test_full_answers_score_full_marks(fixture_source, tmp_path):
    result = grade(fixture_source, samples.submission(fixture_source), tmp_path)
    assert result["score"] == result["max_score"] == 6
    assert all(q["passed"] for q in result["questions"])
    assert result["flags"] == [] and result["answers"] == []


def test_untouched_exercise_scores_zero(fixture_source, tmp_path):
    empty = samples.submission(fixture_source, dict.fromkeys(ANSWERS, samples.SKIP))
    result = grade(fixture_source, empty, tmp_path)
    assert result["score"] == 0 and not result["flagged"]
    assert {a["error"] for a in result["answers"]} == {"NotImplementedError"}
    assert {q["status"] for q in result["questions"]} == {"not-answered"}


def test_partial_credit_and_feedback(fixture_source, tmp_path):
    partial = samples.submission(
        fixture_source,
        {
            "q2-answer": "monthly_cost = 730 * 0.10",  # one server: a hinted wrong answer
            "q3-answer": "def shared_bytes(images):\n    return 100",  # fits the visible check
            "q4-answer": 'service_model = "paas"',  # visible check passes, hidden wants "PaaS"
        },
    )
    result = grade(fixture_source, partial, tmp_path)
    by_id = {q["grade_id"]: q for q in result["questions"]}
    assert result["score"] == 2 and by_id["q1-test"]["passed"]
    assert by_id["q2-test"]["feedback"] == "monthly_cost: That is one server; there are three."
    assert by_id["q2-test"]["status"] == "failed"
    assert by_id["q3-test"]["status"] == by_id["q4-test"]["status"] == "hidden-failed"
    assert by_id["q3-test"]["answer"]["code"] == "def shared_bytes(images):\n    return 100"
    text = json.dumps(result)
    hidden = [c.source.split(src.BEGIN_HIDDEN)[1] for c in fixture_source.tests]
    for block in hidden:  # no line of hidden test code reaches the learner's feedback
        for line in block.splitlines():
            if len(line.strip()) > 25 and line.strip() != src.END_HIDDEN:
                assert line.strip() not in text


def test_a_test_right_after_another_checks_the_same_answers(tmp_path):
    """Exercise 04's q5b-test follows q5-test and checks q5's answer: left unanswered, both are
    "not answered" (not a NameError), and the expected score counts neither."""
    exercise = src.parse(ROOT / "solutions" / "04_cloud_service_models.ipynb")
    result = grade(exercise, samples.submission(exercise, {"q5-answer": samples.SKIP}), tmp_path)
    by_id = {q["grade_id"]: q for q in result["questions"]}
    assert by_id["q5-test"]["status"] == by_id["q5b-test"]["status"] == "not-answered"
    solved = {c.grade_id for c in exercise.cells if c.solution} - {"q5-answer"}
    assert result["score"] == samples.expected_score(exercise, solved) == 16 - 4


def test_state_between_cells_is_the_learners_at_that_point(fixture_source, tmp_path):
    """A test sees the learner's values as they were when nbgrader would have run it."""
    nb = samples.submission(
        fixture_source, {"q4-answer": 'service_model = "PaaS"\nmonthly_cost = "changed later"'}
    )
    result = grade(fixture_source, nb, tmp_path)
    assert result["score"] == 6


def test_learner_cannot_shadow_builtins_or_checks_in_tests(fixture_source, tmp_path):
    nb = samples.submission(
        fixture_source,
        {
            "q2-answer": "monthly_cost = 1.0\n"
            "def expect_close(*a, **k):\n    pass\n"
            "def isinstance(*a):\n    return True",
        },
    )
    result = grade(fixture_source, nb, tmp_path)
    assert result["score"] == 5  # only q2 lost
    assert "redefines-checks" in {f["code"] for f in result["flags"]}


def test_added_helper_cells_run_where_the_learner_put_them(fixture_source, tmp_path):
    nb = samples.submission(fixture_source, {"q2-answer": "monthly_cost = bill(3)"})
    at = next(i for i, c in enumerate(nb["cells"]) if c["source"] == "monthly_cost = bill(3)")
    helper = {
        "cell_type": "code",
        "id": "helper",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": "def bill(servers):\n    return servers * 730 * 0.10",
    }
    nb["cells"].insert(at, helper)
    assert grade(fixture_source, nb, tmp_path)["score"] == 6


def test_missing_and_duplicate_grade_ids_are_flagged(fixture_source):
    nb = samples.submission(fixture_source)
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    nb["cells"].append(json.loads(json.dumps(answer)))
    nb["cells"] = [
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "q4-answer"
    ]
    codes = {f.code for f in assemble(fixture_source, nb).flags}
    assert {"duplicate-grade-id", "missing-answer"} <= codes


def test_a_learner_function_runs_in_the_learner_process(fixture_source, tmp_path):
    """The value a test sees comes from calling into the sandbox with plain data."""
    with sandbox.Sandbox(LIMITS, sandbox.default_allow()) as box:
        box.request(
            {
                "op": "exec",
                "label": "<cell t>",
                "code": "import os\ndef whoami(x):\n    return [os.getuid(), x]",
            }
        )
        ns = judge.LearnerNamespace(box, {})
        uid, echoed = ns["whoami"]({"a": (1, 2)})
    assert echoed == {"a": (1, 2)}
    if box.uid is not None:
        assert uid == box.uid != 0


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -(2**70),
        2.5,
        float("inf"),
        "ü",
        [1, [2]],
        (1, "a"),
        {1: {"k": [None]}},
        {frozenset({1, 2})},
        {"$": "dict"},
    ],
)
def test_wire_round_trip(value):
    assert wire.decode(json.loads(wire.dumps({"v": wire.encode(value)}))["v"]) == value


@pytest.mark.parametrize(
    "forged",
    [
        {"$": "eval", "v": "__import__('os')"},
        {"$": "fn", "ref": 0},
        {"plain": "object"},
        {"$": "ndarray", "dtype": "O", "v": [1]},
        {"$": "dict", "v": [[1]]},
        {"$": "set", "v": [[1], [2]]},
        {"$": "set", "v": [i * (2**61 - 1) for i in range(1, 5000)]},
        {"$": "dict", "v": [[{"$": "tuple", "v": [i * (2**61 - 1)]}, 0] for i in range(1, 99)]},
    ],
    ids=lambda f: str(f)[:40],
)
def test_wire_refuses_what_is_not_plain_data(forged):
    with pytest.raises(wire.WireError):
        wire.decode(forged)


def _solution_sources() -> list[Path]:
    return sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("source_path", _solution_sources(), ids=lambda p: p.stem)
def test_every_solution_scores_full_marks(source_path, tmp_path):
    assignment = src.parse(source_path)
    result = grade(assignment, samples.submission(assignment), tmp_path)
    failures = [(q["grade_id"], q["feedback"]) for q in result["questions"] if not q["passed"]]
    assert result["score"] == result["max_score"], failures
    assert not result["flagged"], result["flags"]  # honest work raises no suspicion


@pytest.mark.parametrize("source_path", _solution_sources(), ids=lambda p: p.stem)
def test_every_untouched_exercise_scores_zero(source_path, tmp_path):
    exercise = ROOT / "exercises" / source_path.name
    if not exercise.exists():
        pytest.skip(f"{exercise.name} not released yet")
    result = grade(src.parse(source_path), exercise.read_text(encoding="utf-8"), tmp_path)
    assert result["score"] == 0 and result["status"] == "graded"


def test_every_catalogue_has_every_sentence_with_the_same_placeholders():
    from msa_course.grading import messages

    for lang, catalogue in messages.CATALOGUES.items():
        assert set(catalogue) == set(messages.EN), lang
        for key, template in catalogue.items():
            assert messages.placeholders(template) == messages.placeholders(messages.EN[key])


def test_every_status_a_result_can_hold_has_a_sentence():
    from msa_course.grading import messages, report

    statuses = ["passed", "failed", "hidden-failed", "not-answered", "not-graded", "invalid"]
    for status in [*statuses, "pending-manual", "graded-manually"]:
        assert report.verdict({"status": status, "feedback": "x"})
        assert f"status-{status}" in messages.EN


def test_a_judging_worker_that_overruns_is_replaced_and_only_its_job_flagged(
    fixture_source, tmp_path, monkeypatch
):
    """A worker whose job overruns (here: told so for one learner, whose notebook keeps it
    waiting) is killed with that job's sandbox and replaced; only that submission is flagged
    and the honest ones around it, graded by the same slot, score as usual."""
    from msa_course.grading import workers

    slow = {"q2-answer": "import time\ntime.sleep(20)\nmonthly_cost = 219.0"}
    paths = []
    for name, answers in (("ada", None), ("slow", slow), ("bo", None)):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(dumps(samples.submission(fixture_source, answers)), encoding="utf-8")
        paths.append((name, path))
    real, killed = workers.Worker.overrun, []

    def overrun(self, limits):
        if self.job[0] == "slow":
            killed.append(self.pid)
            return "over its budget"
        return real(self, limits)

    monkeypatch.setattr(workers.Worker, "overrun", overrun)
    ctx = judge.Context(fixture_source, LIMITS, sandbox.default_allow())
    results = {r["learner"]: r for r in workers.grade_all(ctx, paths, 1)}
    assert results["slow"]["flags"] == [{"code": "judge-timeout", "detail": "over its budget"}]
    assert results["ada"]["score"] == results["bo"]["score"] == 6
    from msa_course.isolation import cgroups

    assert cgroups.created_by(killed[0]) == []  # the killed worker's groups went with it
