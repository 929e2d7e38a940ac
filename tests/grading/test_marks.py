"""The marking sheet is merged, never rebuilt: marks of students missing from a run are kept,
a changed answer goes back to ``to mark`` with its old marks in view, and the sheet is read from
whatever a spreadsheet saved (BOM, semicolons, decimal comma, cp1252, UTF-16). A line that
cannot be used is named with its line number; a sheet that cannot be read is never overwritten."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from course.grading import gradebook, marks, source
from course.grading.gradebook import Row
from course.grading.judging import ExerciseResult, QuestionResult

STEM = "03-money-and-policy"
QUESTIONS = {STEM: list(source.load(STEM).exercises)}
WRITTEN = next(q for q in QUESTIONS[STEM] if q.kind == "written")
CRITERIA = [c["criterion"] for c in marks.criteria(WRITTEN)]
HEADER = ["student", "exercise", "question", "criterion", "max_points", "points", "comment", "answer_sha"]


def _sheet_bytes(rows: list[list[str]], sep: str, encoding: str, bom: bytes = b"") -> bytes:
    text = "\r\n".join(sep.join(cell for cell in row) for row in [HEADER, *rows]) + "\r\n"
    return bom + text.encode(encoding)


def _read(tmp_path: Path, data: bytes) -> marks.Sheet:
    path = tmp_path / "written-answers.csv"
    path.write_bytes(data)
    return marks.read(path)


@pytest.mark.parametrize("sep, encoding, bom, points", [
    (",", "utf-8", b"\xef\xbb\xbf", "2.5"),      # Excel "CSV UTF-8"
    (";", "cp1252", b"", "2,5"),                 # Excel in a decimal-comma locale
    ("\t", "utf-16", b"", "2,5"),                # "Unicode text"
    (";", "utf-8", b"", " 2,5 "),                # LibreOffice, with spaces
])
def test_spreadsheet_exports_are_read(tmp_path, sep, encoding, bom, points):
    rows = [["Zoé", STEM, WRITTEN.id, "overall", "4", points, "Très bien €", "abc"]]
    sheet = _read(tmp_path, _sheet_bytes(rows, sep, encoding, bom))
    assert sheet.readable and sheet.problems == []
    (row,) = sheet.rows
    assert (row["student"], row["_points"], row["comment"]) == ("Zoé", 2.5, "Très bien €")


def test_lines_that_cannot_be_used_are_named_and_kept(tmp_path):
    rows = [["ann", STEM, WRITTEN.id, "overall", "4", "two", "", "a"],
            ["bob", STEM, WRITTEN.id, "overall", "4", "2", "5", "b", "", ""],   # 2,5 split by the comma
            ["", STEM, WRITTEN.id, "overall", "4", "1", "", "c"],
            ["dan", STEM, WRITTEN.id, "overall", "1", "3", "", "d"],
            ["eve", STEM, WRITTEN.id, "overall", "4", "-1", "", "e"]]
    sheet = _read(tmp_path, _sheet_bytes(rows, ",", "utf-8"))
    assert [p.split(":")[0] for p in sheet.problems] == [f"written-answers.csv line {n}" for n in (2, 3, 4, 5, 6)]
    assert "points 'two' is not a number" in sheet.problems[0]
    assert "decimal comma" in sheet.problems[1]
    assert "no student" in sheet.problems[2]
    assert "more than the criterion's 1; counted as 1" in sheet.problems[3]
    assert "negative" in sheet.problems[4]
    assert [r["_points"] for r in sheet.rows] == [None, None, None, 3.0, None]
    lines, _ = marks.merge(sheet, [])
    assert [line[5] for line in lines] == ["two", "2", "1", "3", "-1"]  # nothing entered is lost


def _rows(answers: dict[str, str]) -> list[Row]:
    found = []
    for student, text in answers.items():
        result = ExerciseResult("to mark", 0.0, 12.0, questions=[
            QuestionResult(WRITTEN.id, "written", 0.0, 4.0, "to mark", "waiting", answer=text)])
        found.append(Row(student, STEM, "to mark", 0.0, 12.0, "", f"{student}/{STEM}.ipynb", result))
    return found


def _read_sheet(out: Path, name: str = "written-answers.csv") -> list[dict]:
    with open(out / "marking" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _mark(out: Path, student: str, points: str, comment: str = "") -> None:
    lines = _read_sheet(out)
    for line in lines:
        if line["student"] == student:
            line["points"], line["comment"] = points, comment
    with open(out / "marking" / "written-answers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)


def _write(out: Path, answers: dict[str, str]) -> int:
    return gradebook.write_marking(out, _rows(answers), QUESTIONS, marks.read(out / "marking" / "written-answers.csv"))


def test_marks_survive_a_missing_student_and_a_changed_answer(tmp_path):
    assert _write(tmp_path, {"ann": "First answer (C047).", "bob": "Bob's answer \ud800 (C101)."}) == 2 * len(CRITERIA)
    _mark(tmp_path, "ann", "1", "Good.")
    _mark(tmp_path, "bob", "0,5")
    # bob is missing from this run; ann handed in a new answer.
    assert _write(tmp_path, {"ann": "A changed answer (C047)."}) == len(CRITERIA)
    sheet = _read_sheet(tmp_path)
    bob = [line for line in sheet if line["student"] == "bob"]
    assert [(b["points"], b["state"]) for b in bob] == [("0,5", "kept: not in this run")] * len(CRITERIA)
    ann = [line for line in sheet if line["student"] == "ann"]
    assert [(a["points"], a["state"]) for a in ann] == [("", "answer changed: mark again")] * len(CRITERIA)
    assert all(a["previous_marks"].startswith("1 for answer ") and "(Good.)" in a["previous_marks"] for a in ann)
    by_key = marks.index(marks.read(tmp_path / "marking" / "written-answers.csv"))
    new_sha = marks.answer_sha("A changed answer (C047).")
    assert marks.marks_for(by_key, new_sha, "ann", STEM, WRITTEN) == (None, [])
    got, _ = marks.marks_for(by_key, marks.answer_sha("Bob's answer \ud800 (C101)."), "bob", STEM, WRITTEN)
    assert got == (0.5 * len(CRITERIA), True, f"{len(CRITERIA)} of {len(CRITERIA)}")
    # Marking the new answer keeps the old marks in view; a third run changes nothing.
    _mark(tmp_path, "ann", "1")
    _write(tmp_path, {"ann": "A changed answer (C047)."})
    again = _read_sheet(tmp_path)
    assert [(a["points"], a["state"]) for a in again if a["student"] == "ann"] == [("1", "marked")] * len(CRITERIA)
    assert all(a["previous_marks"] for a in again if a["student"] == "ann")
    before = (tmp_path / "marking" / "written-answers.csv").read_bytes()
    _write(tmp_path, {"ann": "A changed answer (C047)."})
    assert (tmp_path / "marking" / "written-answers.csv").read_bytes() == before


def test_a_sheet_that_cannot_be_read_is_never_overwritten(tmp_path):
    folder = tmp_path / "marking"
    folder.mkdir()
    (folder / "written-answers.csv").write_bytes(b"PK\x03\x04 an xlsx saved under the csv name")
    sheet = marks.read(folder / "written-answers.csv")
    assert not sheet.readable and "cannot be read" in sheet.problems[0]
    gradebook.write_marking(tmp_path, _rows({"ann": "x"}), QUESTIONS, sheet)
    assert (folder / "written-answers.csv").read_bytes().startswith(b"PK\x03\x04")
    assert [r["student"] for r in _read_sheet(tmp_path, "written-answers.new.csv")] == ["ann"] * len(CRITERIA)


def test_a_sheet_from_before_answer_hashes_still_counts(tmp_path):
    path = tmp_path / "written-answers.csv"
    with open(path, "w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows([["ann", STEM, WRITTEN.id, c, "1", "1", "", ""] for c in CRITERIA])
    by_key = marks.index(marks.read(path))
    got, _ = marks.marks_for(by_key, marks.answer_sha("any answer"), "ann", STEM, WRITTEN)
    assert got == (float(len(CRITERIA)), True, f"{len(CRITERIA)} of {len(CRITERIA)}")


@pytest.mark.slow
def test_a_resubmission_goes_back_to_mark_and_an_absent_student_keeps_marks(tmp_path):
    from course.grading import cli, runner, synthetic

    exercise, correct = synthetic.exercise(STEM), synthetic.solution_code(STEM)
    subs, out = tmp_path / "subs", tmp_path / "out"
    odd = 'support_written = "Une réponse, 回答 \u202e (C047)."'
    for student, answers in {"ann": correct, "bob": correct, "cy": {**correct, "support_written": odd}}.items():
        synthetic.write(subs / student / f"{STEM}.ipynb", synthetic.submission(exercise, answers))
    limits = runner.Limits(cell_timeout=10, notebook_timeout=30)

    def grade() -> dict[str, Row]:
        return {r.student: r for r in cli.grade(subs, out, workers=2, limits=limits, progress=False)}

    assert {s: r.status for s, r in grade().items()} == {"ann": "to mark", "bob": "to mark", "cy": "to mark"}
    for student in ("ann", "bob", "cy"):
        _mark(out, student, "1", f"Well done, {student}.")
    first = grade()
    assert {s: r.status for s, r in first.items()} == {"ann": "graded", "bob": "graded", "cy": "graded"}
    # ann resubmits a changed written answer; bob's folder is gone from this run
    changed = {**correct, "support_written": 'support_written = "A new answer (C047, C101, C123)."'}
    synthetic.write(subs / "ann" / f"{STEM}.ipynb", synthetic.submission(exercise, changed))
    (subs / "bob" / f"{STEM}.ipynb").unlink()
    (subs / "bob").rmdir()
    again = grade()
    assert again["ann"].status == "to mark" and again["ann"].points == first["ann"].points - len(CRITERIA)
    assert "bob" not in again and again["cy"].status == "graded"
    sheet = _read_sheet(out)
    assert {line["state"] for line in sheet if line["student"] == "ann"} == {"answer changed: mark again"}
    assert all("Well done, ann." in line["previous_marks"] for line in sheet if line["student"] == "ann")
    assert {(line["points"], line["state"]) for line in sheet if line["student"] == "bob"} == {
        ("1", "kept: not in this run")}
    assert "Well done, ann." not in (out / "feedback" / "ann.md").read_text()
