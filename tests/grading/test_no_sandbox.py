"""Without bubblewrap (an instructor's laptop) the grader says so loudly and still grades,
with the time, memory and output limits."""

from __future__ import annotations

import json

import pytest

from course.grading import cli, runner, sandbox, source, synthetic

pytestmark = pytest.mark.slow


def test_grades_with_a_loud_warning_when_bubblewrap_is_missing(tmp_path, monkeypatch, capsys):
    questions, exercises = synthetic.fixture_exercise(tmp_path / "course")
    source.use_folder(questions)
    try:
        exercise = json.loads((exercises / f"{synthetic.STEM}.ipynb").read_text())
        synthetic.write(tmp_path / "subs" / "ann" / f"{synthetic.STEM}.ipynb", synthetic.submission(exercise, synthetic.CORRECT))
        synthetic.write(tmp_path / "subs" / "ben" / f"{synthetic.STEM}.ipynb",
                        synthetic.submission(exercise, synthetic.CORRECT, insert={1: ["while True:\n    pass"]}))
        monkeypatch.setattr(sandbox, "available", lambda: (False, "not installed"))
        rows = {r.student: r for r in cli.grade(tmp_path / "subs", tmp_path / "out", workers=2, exercises=exercises,
                                                limits=runner.Limits(cell_timeout=2, notebook_timeout=10), progress=False)}
    finally:
        source.use_folder(None)
    assert "WARNING: bubblewrap (bwrap) is not installed" in capsys.readouterr().err
    assert "without the sandbox" in (tmp_path / "out" / "summary.md").read_text()
    assert (rows["ann"].status, rows["ann"].points) == ("graded", synthetic.AUTO_POINTS)
    assert (rows["ben"].status, rows["ben"].points) == ("partly graded", 2)
