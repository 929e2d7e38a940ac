"""Without bubblewrap (an instructor's laptop) the grader says so loudly and still grades a
real exercise, with the time, memory and output limits."""

from __future__ import annotations

import pytest

from course.grading import cli, runner, sandbox, synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"


def test_grades_with_a_loud_warning_when_bubblewrap_is_missing(tmp_path, monkeypatch, capsys):
    exercise, correct = synthetic.exercise(STEM), synthetic.solution_code(STEM)
    synthetic.write(tmp_path / "subs" / "ann" / f"{STEM}.ipynb", synthetic.submission(exercise, correct))
    synthetic.write(tmp_path / "subs" / "ben" / f"{STEM}.ipynb",
                    synthetic.submission(exercise, correct, insert={1: ["while True:\n    pass"]}))
    monkeypatch.setattr(sandbox, "available", lambda: (False, "not installed"))
    rows = {r.student: r for r in cli.grade(tmp_path / "subs", tmp_path / "out", workers=2, progress=False,
                                            limits=runner.Limits(cell_timeout=2, notebook_timeout=15))
            if r.exercise == STEM}
    assert "WARNING: bubblewrap (bwrap) is not installed" in capsys.readouterr().err
    assert "without the sandbox" in (tmp_path / "out" / "summary.md").read_text()
    # 8 points judged automatically (the written answer waits for marks); ben's loop stops him
    # after the first answer (blog_vs_shenzhen, 2 points).
    assert (rows["ann"].status, rows["ann"].points) == ("to mark", 8)
    assert (rows["ben"].status, rows["ben"].points) == ("partly graded", 2)
