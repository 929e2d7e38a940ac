"""The hostile suite, built from a real exercise: submissions that break, cheat or attack
``exercises/03-money-and-policy.ipynb``, graded together in one run.

The right answers are the worked code of ``solutions/03-money-and-policy.ipynb``; the blank
submission is the handed-out exercise. Each case ends with the expected status and score,
computed from the exercise's real points (questions/03-money-and-policy.toml): 2 + 2 + 1 + 2 + 1
= 8 points judged automatically, plus a written answer of 4 points marked by an instructor. One
bad submission never changes the others, and nothing outside the grader's output folder changes.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import pytest

from course import paths
from course.grading import cli, runner, sandbox, source, synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"
ROOT = paths.ROOT.resolve()
LIMITS = runner.Limits(cell_timeout=3, notebook_timeout=20, memory_mb=1536, output_bytes=200_000)

QUESTIONS = {q.id: q for q in source.load(STEM).exercises}
POINTS = {qid: q.points for qid, q in QUESTIONS.items()}
# The order of the answer cells in the notebook (the positions `insert` refers to).
ORDER = ["blog_vs_shenzhen", "amount_purposes", "up_to", "totals_supported", "find_inefficiency", "support_written"]
AUTO = sum(p for qid, p in POINTS.items() if QUESTIONS[qid].kind != "written")  # 8
BEFORE_UP_TO = POINTS["blog_vs_shenzhen"] + POINTS["amount_purposes"]       # answers of the cells before position 2
CORRECT = synthetic.solution_code(STEM)

WRONG = {
    "blog_vs_shenzhen": "blog_vs_shenzhen = 12",
    "amount_purposes": 'amount_purposes = {"600 million yuan": "discounts on third-party AI models", '
                       '"300 million yuan": "acquiring data sets for training models", '
                       '"100 million yuan": "new AI research institutions that establish themselves in the city", '
                       '"up to 500 million yuan": '
                       '"strengthen an “independent and controllable\\" semiconductor supply chain", '
                       '"around $700 million": "promising LLM startups", '
                       '"Over $8 billion": "subsidising computing power"}',
    "up_to": 'up_to = "It is stated in a different currency from the programme."',
    "totals_supported": 'totals_supported = ["All three amounts can be dated at least to the month.", '
                        '"Shenzhen\'s money is for AI models."]',
    "find_inefficiency": 'find_inefficiency = "C101"',
}
# The checkout the virtual environment lives in (another worktree, here): hidden as well.
OTHER_CHECKOUT = Path(sys.prefix).absolute().parent
ESCAPE = f'''\
import os
tried = []
for target in [{str(ROOT / "data" / "escaped.txt")!r}, {str(ROOT / "course" / "escaped.py")!r},
               {str(ROOT / "solutions" / "escaped.txt")!r}, "/usr/escaped", os.path.expanduser("~") + "/../escaped",
               "/work/escaped", "/root/escaped", {{SUBMISSIONS!r}} + "/escaped.txt", {{OUT!r}} + "/escaped.txt"]:
    try:
        with open(target, "w") as handle:
            handle.write("x")
        tried.append("WROTE " + target)
    except OSError as error:
        tried.append("refused " + type(error).__name__)
for secret in [{str(ROOT / "solutions" / f"{STEM}.ipynb")!r}, {str(ROOT / "questions" / f"{STEM}.toml")!r},
               {str(ROOT / "questions")!r}, {str(ROOT / "instructors")!r}, {str(ROOT / ".git" / "HEAD")!r},
               {str(Path.home() / ".bashrc")!r}, {str(OTHER_CHECKOUT / "solutions" / f"{STEM}.ipynb")!r}]:
    try:
        found = open(secret).read() if os.path.isfile(secret) else os.listdir(secret)
        tried.append("READ " + secret)
    except OSError as error:
        tried.append("hidden " + type(error).__name__)
tried.append("SUBMISSIONS VISIBLE" if os.path.exists({{SUBMISSIONS!r}}) else "submissions hidden")
support_written = " | ".join(tried)
'''
FAKE_CHECK = "def check(*args):\n    print('✓ Correct')\n    return True"
BLANK_LATER_CELLS = "def blank(lines):\n    return []\nget_ipython().input_transformers_cleanup.append(blank)"
ALWAYS_EQUAL = ("class Anything:\n    def __eq__(self, other):\n        return True\n"
                "    def __hash__(self):\n        return 0")

# student -> (what the student did, expected status, expected points)
CASES = {
    "correct": ({}, "to mark", AUTO),
    "blank": ({"blank": True}, "graded", 0),
    "infinite-loop": ({"insert": {2: ["while True:\n    pass"]}}, "partly graded", BEFORE_UP_TO),
    "memory-hog": ({"insert": {1: ["hog = bytearray(8 * 10**9)"]}}, "to mark", AUTO),
    "output-flood": ({"insert": {1: ["for i in range(20000):\n    print('spam ' * 200)"]}}, "to mark", AUTO),
    "deleted-answer": ({"answers": {"amount_purposes": None}}, "to mark", AUTO - POINTS["amount_purposes"]),
    "wrong-type": ({"answers": {
        "blog_vs_shenzhen": 'blog_vs_shenzhen = subsidies.loc[["S17"], "value"] / subsidies.loc["S14", "value"]',
        "up_to": CORRECT["up_to"].replace("up_to = \"", "up_to = [\"").replace("programme.\"", "programme.\"]")}},
        "to mark", AUTO - POINTS["blog_vs_shenzhen"] - POINTS["up_to"]),
    "redefined-checker": ({"answers": WRONG, "insert": {0: [FAKE_CHECK]}}, "review", 0),
    "always-equal": ({"answers": {q: f"{q} = Anything()" for q in ORDER}, "insert": {0: [ALWAYS_EQUAL]}}, "review", 0),
    "input-transformer": ({"insert": {2: [BLANK_LATER_CELLS]}}, "review", BEFORE_UP_TO),
    "os-exit": ({"insert": {2: ["import os\nos._exit(0)"]}}, "review", BEFORE_UP_TO),
    "escape": ({"answers": {"support_written": ESCAPE}}, "review", AUTO),
    # a lone surrogate cannot be written as UTF-8: the kernel's messages are ASCII JSON, so it is just wrong
    "lone-surrogate": ({"answers": {"up_to": 'up_to = "\\ud800"'}}, "to mark", AUTO - POINTS["up_to"]),
}
BROKEN = {"invalid-json": (b'{"cells": [', "invalid notebook"),
          "not-a-notebook": (b"%PDF-1.4 not a notebook", "not a notebook"),
          "empty-file": (b"", "empty file")}
EXPECTED = {**{s: (status, points) for s, (_, status, points) in CASES.items()},
            **{s: (status, 0) for s, (_, status) in BROKEN.items()}}


def _tree(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with a hash of its bytes (what must not change)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".grader" not in path.parts and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _watched(subs: Path) -> list[Path]:
    return [subs, *(ROOT / part for part in ("course", "data", "questions", "solutions", "exercises", "instructors"))]


def _grade(subs: Path, out: Path):
    return cli.grade(subs, out, workers=2, limits=LIMITS, progress=False)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    exercise = synthetic.exercise(STEM)
    subs, out = base / "submissions", base / "out"
    for student, (spec, _, _) in CASES.items():
        answers = {} if spec.get("blank") else dict(CORRECT)
        answers.update(spec.get("answers", {}))
        for qid, code in answers.items():
            if code:
                answers[qid] = code.replace("{SUBMISSIONS!r}", repr(str(subs))).replace("{OUT!r}", repr(str(out)))
        nb = synthetic.submission(exercise, answers, insert=spec.get("insert"))
        synthetic.write(subs / student / f"{STEM}.ipynb", nb)
    for student, (data, _) in BROKEN.items():
        (subs / student).mkdir()
        (subs / student / f"{STEM}.ipynb").write_bytes(data)
    before = _tree(*_watched(subs))
    rows = _grade(subs, out)
    after = _tree(*_watched(subs))
    yield {r.student: r for r in rows if r.exercise == STEM}, out, before, after, subs


def test_the_cases_use_the_real_exercise():
    assert list(CORRECT) == ORDER == list(QUESTIONS)
    assert AUTO == 8 and POINTS["support_written"] == 4


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_status_and_score(graded, student):
    rows, *_ = graded
    status, points = EXPECTED[student]
    row = rows[student]
    assert (row.status, row.points, row.max_points) == (status, pytest.approx(points), 12), row.note


def test_only_the_exercise_handed_in_is_graded(graded):
    rows, out, *_ = graded
    with open(out / "gradebook.csv", newline="") as handle:
        book = list(csv.DictReader(handle))
    assert {r["student"] for r in book} == set(EXPECTED)
    assert {r["exercise"] for r in book} == {STEM} and len(book) == len(EXPECTED)


def test_nothing_outside_the_output_changed(graded):
    rows, out, before, after, subs = graded
    assert before == after
    for stray in [ROOT / "data" / "escaped.txt", ROOT / "course" / "escaped.py", ROOT / "solutions" / "escaped.txt",
                  Path("/work/escaped"), out / "escaped.txt", subs / "escaped.txt"]:
        assert not stray.exists()


def test_the_escape_attempts_were_refused(graded):
    rows, *_ = graded
    essay = next(q for q in rows["escape"].result.questions if q.id == "support_written").answer
    assert "WROTE" not in essay and "READ" not in essay and "SUBMISSIONS VISIBLE" not in essay, essay
    if sandbox.available()[0]:
        parts = essay.split(" | ")
        assert [p.split()[0] for p in parts] == ["refused"] * 9 + ["hidden"] * 7 + ["submissions"], essay
    assert "touches files outside its own folder" in rows["escape"].note


def test_reasons_are_given(graded):
    rows, *_ = graded
    assert "cell timeout" in rows["infinite-loop"].note
    assert "MemoryError" in rows["memory-hog"].note
    assert "cut at the size limit" in rows["output-flood"].note
    assert "redefines the self-check" in rows["redefined-checker"].note
    assert "own class" in rows["always-equal"].note
    assert "changes how IPython runs cells" in rows["input-transformer"].note
    assert "exited with code 0" in rows["os-exit"].note
    assert "no question answered" in rows["blank"].note
    statuses = {q.id: q.status for q in rows["wrong-type"].result.questions}
    assert statuses["blog_vs_shenzhen"] == "rejected" and statuses["up_to"] == "invalid"
    assert {q.id: q.status for q in rows["deleted-answer"].result.questions}["amount_purposes"] == "unanswered"
    assert all(q.status == "incorrect" for q in rows["redefined-checker"].result.questions if q.id in WRONG)


def test_outputs_written_and_stable(graded):
    rows, out, *_ = graded
    for name in ["gradebook-wide.csv", "questions.csv", "summary.md", "summary-scores.png",
                 "marking/written-answers.csv", "marking/written-answers.md", "feedback/correct.md"]:
        assert (out / name).exists(), name
    marking = (out / "marking" / "written-answers.md").read_text()
    assert "**Identical to the model answer.**" in marking  # "correct" handed in the solution's text
    names = ["gradebook.csv", "gradebook-wide.csv", "questions.csv", "summary.md"]
    first = {name: (out / name).read_bytes() for name in names}
    # A second run reads the cached runs back and writes the same gradebook.
    _grade(out.parent / "submissions", out)
    assert {name: (out / name).read_bytes() for name in first} == first


def test_written_marks_are_merged_on_the_next_run(graded):
    rows, out, *_ = graded
    sheet = out / "marking" / "written-answers.csv"
    with open(sheet, newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert {r["student"] for r in lines} >= {"correct", "escape"}
    assert len([r for r in lines if r["student"] == "correct"]) == len(QUESTIONS["support_written"].rubric)
    for line in lines:
        if line["student"] == "correct":
            line["points"] = line["max_points"]
            line["comment"] = "Well cited."
    with open(sheet, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    again = {r.student: r for r in _grade(out.parent / "submissions", out) if r.exercise == STEM}
    full = AUTO + POINTS["support_written"]
    assert (again["correct"].status, again["correct"].points) == ("graded", pytest.approx(full))
    assert again["escape"].status == "review"
    assert "Well cited." in (out / "feedback" / "correct.md").read_text()
    assert "Well cited." in sheet.read_text()  # the sheet keeps the marks
