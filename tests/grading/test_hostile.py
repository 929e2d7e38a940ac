"""The hostile suite: submissions that break, cheat or attack, graded together in one run.

Each case ends with the expected status and score, one bad submission never changes the
others, and nothing outside the grader's output folder changes. Built from the real exercise
notebooks once they exist; until then from a fixture exercise that follows the same contract
(course.grading.synthetic).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from course import paths
from course.grading import cli, runner, sandbox, source, synthetic

pytestmark = pytest.mark.slow

C = synthetic.CORRECT
WRONG = {
    "total_support": "total_support = 12",
    "heaviest_layer": 'heaviest_layer = "AI applications"',
    "timeline": 'timeline = ["third event", "first event", "second event"]',
    "kinds": 'kinds = {"Sales rose in 2023.": "forecast", "Sales will double by 2030.": "fact"}',
}
ROOT = paths.ROOT.resolve()
ESCAPE = f'''\
import os, glob
tried = []
for target in [{str(ROOT / "data" / "escaped.txt")!r}, {str(ROOT / "course" / "escaped.py")!r}, "/usr/escaped",
               os.path.expanduser("~") + "/../escaped", "/work/escaped", "/root/escaped", {{SUBMISSIONS!r}} + "/escaped.txt",
               {{OUT!r}} + "/escaped.txt"]:
    try:
        with open(target, "w") as handle:
            handle.write("x")
        tried.append("WROTE " + target)
    except OSError as error:
        tried.append("refused " + type(error).__name__)
for secret in [{str(ROOT / "solutions" / "README.md")!r}, {str(ROOT / "questions")!r}, {{QUESTIONS!r}},
               {str(ROOT / ".git" / "HEAD")!r}, {str(Path.home() / ".bashrc")!r}]:
    try:
        found = open(secret).read() if os.path.isfile(secret) else os.listdir(secret)
        tried.append("READ " + secret)
    except OSError as error:
        tried.append("hidden " + type(error).__name__)
tried.append("SUBMISSIONS VISIBLE" if os.path.exists({{SUBMISSIONS!r}}) else "submissions hidden")
essay = " | ".join(tried)
'''

# student -> (cells: answers / insertions, expected status, expected points)
CASES = {
    "correct": ({}, "graded", synthetic.AUTO_POINTS),
    "blank": ({"blank": True}, "graded", 0),
    "infinite-loop": ({"insert": {2: ["while True:\n    pass"]}}, "partly graded", 3),
    "memory-hog": ({"insert": {1: ["hog = bytearray(8 * 10**9)"]}}, "graded", synthetic.AUTO_POINTS),
    "output-flood": ({"insert": {1: ["for i in range(20000):\n    print('spam ' * 200)"]}}, "graded", synthetic.AUTO_POINTS),
    "deleted-answer": ({"answers": {"timeline": None}}, "graded", synthetic.AUTO_POINTS - 1.5),
    "wrong-type": ({"answers": {"total_support": C["total_support"].replace('.sum()', ''),
                                "heaviest_layer": "heaviest_layer = [\"Semiconductors (chips)\"]"}}, "graded", synthetic.AUTO_POINTS - 3),
    "redefined-checker": ({"answers": WRONG, "insert": {0: ["def check(*args):\n    print('✓ Correct')\n    return True"]}},
                          "review", 0),
    "always-equal": ({"answers": {q: f"{q} = Anything()" for q in C},
                      "insert": {0: ["class Anything:\n    def __eq__(self, other):\n        return True\n"
                                     "    def __hash__(self):\n        return 0"]}}, "review", 0),
    "input-transformer": ({"insert": {2: ["def blank(lines):\n    return []\n"
                                          "get_ipython().input_transformers_cleanup.append(blank)"]}}, "review", 3),
    "os-exit": ({"insert": {2: ["import os\nos._exit(0)"]}}, "review", 3),
    "escape": ({"answers": {"essay": ESCAPE}}, "review", synthetic.AUTO_POINTS),
}


def _tree(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with a hash of its bytes (what must not change)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".grader" not in path.parts and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    questions, exercises = synthetic.fixture_exercise(base / "course")
    source.use_folder(questions)
    exercise = json.loads((exercises / f"{synthetic.STEM}.ipynb").read_text())
    subs, out = base / "submissions", base / "out"
    for student, (spec, _, _) in CASES.items():
        answers = {} if spec.get("blank") else dict(C)
        answers.update(spec.get("answers", {}))
        answers = {q: (code.replace("{SUBMISSIONS!r}", repr(str(subs))).replace("{OUT!r}", repr(str(out)))
                       .replace("{QUESTIONS!r}", repr(str(questions))) if code else code) for q, code in answers.items()}
        synthetic.write(subs / student / f"{synthetic.STEM}.ipynb",
                        synthetic.submission(exercise, answers, insert=spec.get("insert")))
    (subs / "invalid-json").mkdir()
    (subs / "invalid-json" / f"{synthetic.STEM}.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs / "not-a-notebook").mkdir()
    (subs / "not-a-notebook" / f"{synthetic.STEM}.ipynb").write_bytes(b"%PDF-1.4 not a notebook")
    (subs / "empty-file").mkdir()
    (subs / "empty-file" / f"{synthetic.STEM}.ipynb").write_bytes(b"")
    before = _tree(subs, questions.parent, ROOT / "course", ROOT / "data")
    limits = runner.Limits(cell_timeout=3, notebook_timeout=20, memory_mb=1536, output_bytes=200_000)
    rows = cli.grade(subs, out, workers=2, limits=limits, exercises=exercises, progress=False)
    after = _tree(subs, questions.parent, ROOT / "course", ROOT / "data")
    yield {r.student: r for r in rows}, out, before, after, subs
    source.use_folder(None)


EXPECTED = {**{s: (status, points) for s, (_, status, points) in CASES.items()},
            "invalid-json": ("invalid notebook", 0), "not-a-notebook": ("not a notebook", 0), "empty-file": ("empty file", 0)}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_status_and_score(graded, student):
    rows, *_ = graded
    status, points = EXPECTED[student]
    row = rows[student]
    assert (row.status, row.points) == (status, pytest.approx(points)), row.note


def test_nothing_outside_the_output_changed(graded):
    rows, out, before, after, subs = graded
    assert before == after
    for stray in [ROOT / "data" / "escaped.txt", ROOT / "course" / "escaped.py", Path("/work/escaped"), out / "escaped.txt"]:
        assert not stray.exists()


def test_the_escape_attempts_were_refused(graded):
    rows, *_ = graded
    essay = next(q for q in rows["escape"].result.questions if q.id == "essay").answer
    assert "WROTE" not in essay and "READ" not in essay and "SUBMISSIONS VISIBLE" not in essay, essay
    if sandbox.available()[0]:
        parts = essay.split(" | ")
        assert [p.split()[0] for p in parts] == ["refused"] * 8 + ["hidden"] * 5 + ["submissions"], essay


def test_reasons_are_given(graded):
    rows, *_ = graded
    assert "cell timeout" in rows["infinite-loop"].note
    assert "MemoryError" in rows["memory-hog"].note
    assert "cut at the size limit" in rows["output-flood"].note
    assert "redefines the self-check" in rows["redefined-checker"].note
    assert "own class" in rows["always-equal"].note
    assert "changes how IPython runs cells" in rows["input-transformer"].note
    assert "exited with code 0" in rows["os-exit"].note
    statuses = {q.id: q.status for q in rows["wrong-type"].result.questions}
    assert statuses["total_support"] == "rejected" and statuses["heaviest_layer"] == "invalid"


def test_outputs_written_and_stable(graded):
    rows, out, *_ = graded
    with open(out / "gradebook.csv", newline="") as handle:
        book = list(csv.DictReader(handle))
    assert {r["student"] for r in book} == set(EXPECTED)
    for name in ["gradebook-wide.csv", "questions.csv", "summary.md", "summary-scores.png",
                 "marking/written-answers.csv", "feedback/correct.md"]:
        assert (out / name).exists(), name
    first = {name: (out / name).read_bytes() for name in ["gradebook.csv", "gradebook-wide.csv", "questions.csv", "summary.md"]}
    # A second run reads the cached runs back and writes the same gradebook.
    cli.grade(out.parent / "submissions", out, workers=2, exercises=out.parent / "course" / "exercises",
              limits=runner.Limits(cell_timeout=3, notebook_timeout=20, memory_mb=1536, output_bytes=200_000),
              progress=False)
    assert {name: (out / name).read_bytes() for name in first} == first


def test_written_marks_are_merged_on_the_next_run(graded):
    rows, out, *_ = graded
    sheet = out / "marking" / "written-answers.csv"
    with open(sheet, newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert {r["student"] for r in lines} >= {"correct", "escape"}
    for line in lines:
        if line["student"] == "correct":
            line["points"] = line["max_points"]
            line["comment"] = "Well cited."
    with open(sheet, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    again = {r.student: r for r in cli.grade(
        out.parent / "submissions", out, workers=2, exercises=out.parent / "course" / "exercises",
        limits=runner.Limits(cell_timeout=3, notebook_timeout=20, memory_mb=1536, output_bytes=200_000), progress=False)}
    assert again["correct"].points == pytest.approx(synthetic.AUTO_POINTS + 2)
    assert "Well cited." in (out / "feedback" / "correct.md").read_text()
    assert "Well cited." in sheet.read_text()  # the sheet keeps the marks
