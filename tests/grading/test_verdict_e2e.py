"""End to end: honest answers in the forms the self-check accepts score full points in the
gradebook. A real submission of exercise 03 (built as the hostile suite builds them) answers
the matching question with the integer keys its prompt shows, ``{1: ..., 2: ...}``, and the
multiple-choice question with a set; both used to pass the self-check and lose their points."""

from __future__ import annotations

import csv

import pytest

from course.grading import cli, runner, source, synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"


def test_int_keys_and_a_set_score_full_points(tmp_path):
    questions = {q.id: q for q in source.load(STEM).exercises}
    matching, ticks = questions["amount_purposes"], questions["totals_supported"]
    assert (matching.kind, ticks.kind) == ("matching", "multiple choice")
    answers = synthetic.solution_code(STEM)
    pairs = ", ".join(f"{n}: {matching.solution[item]!r}" for n, item in enumerate(matching.items, 1))
    answers["amount_purposes"] = f"amount_purposes = {{{pairs}}}"
    answers["totals_supported"] += "\ntotals_supported = set(totals_supported)"
    notebook = synthetic.submission(synthetic.exercise(STEM), answers)
    synthetic.write(tmp_path / "subs" / "ann" / f"{STEM}.ipynb", notebook)

    rows = cli.grade(tmp_path / "subs", tmp_path / "out", workers=1, progress=False,
                     limits=runner.Limits(cell_timeout=10, notebook_timeout=60))

    row = next(r for r in rows if r.exercise == STEM)
    verdicts = {q.id: (q.status, q.points) for q in row.result.questions}
    assert verdicts["amount_purposes"] == ("correct", matching.points)
    assert verdicts["totals_supported"] == ("correct", ticks.points)
    automatic = sum(q.points for q in questions.values() if q.kind != "written")
    assert (row.status, row.points) == ("to mark", pytest.approx(automatic)), row.note
    with open(tmp_path / "out" / "questions.csv", newline="", encoding="utf-8") as handle:
        book = {r["question"]: r for r in csv.DictReader(handle) if r["student"] == "ann"}
    assert book["amount_purposes"]["status"] == book["totals_supported"]["status"] == "correct"
