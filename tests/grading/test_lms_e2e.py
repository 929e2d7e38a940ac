"""A class on Canvas, end to end: Canvas' download names and its gradebook export as the roster.
Every student on the roster gets a row, a stranger's file is graded and flagged, the Canvas
import leaves unmarked work empty until the written answers are marked, and each student's
feedback (Markdown, HTML, the upload file and the zip) holds nothing of another student's and no
markup a student wrote."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from course.grading import cli, roster, runner, source, synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"
FIXTURES = Path(__file__).parent / "fixtures"
#: file (as Canvas or a folder names it) -> the string planted in that student's notebook
FILES = {
    f"smithjane_12345_70001_{STEM}.ipynb": "MARK-JANE-4417",
    f"zhangwei_LATE_12346_70002_{STEM}.ipynb": "MARK-WEI-9021",
    f"sobrien/{STEM}.ipynb": "MARK-SEAN-3380",                     # a folder: matched by SIS login
    f"ghost_55555_70009_{STEM}.ipynb": "MARK-GHOST-1234",            # not on the roster
}
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _build(root: Path) -> None:
    answers = synthetic.solution_code(STEM)
    for name, mark in FILES.items():
        mine = dict(answers)
        mine["support_written"] = f'support_written = """{mark} writes about C047 and C049."""'
        nb = synthetic.submission(synthetic.exercise(STEM), mine,
                                  insert={99: [f"raise ValueError({(mark + ' ' + HOSTILE)!r})"]})
        synthetic.write(root / name, nb)


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _grade(tmp_path: Path) -> list:
    return cli.grade(tmp_path / "subs", tmp_path / "out", workers=1, progress=False,
                     limits=runner.Limits(cell_timeout=15, notebook_timeout=60),
                     class_list=roster.read(FIXTURES / "canvas-gradebook.csv"), export=cli.Export("canvas"))


def _mark_everything(out: Path) -> None:
    path = out / "marking" / "written-answers.csv"
    lines = _csv(path)
    for line in lines:
        line["points"] = line["max_points"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)


def test_a_canvas_class_from_download_to_upload(tmp_path):
    _build(tmp_path / "subs")
    rows = _grade(tmp_path)
    out = tmp_path / "out"
    book = {(r["student"], r["exercise"]): r for r in _csv(out / "gradebook.csv")}
    assert {s for s, _ in book} == {"smithjane_12345", "zhangwei_12346", "müllerzoé_12347", "obrienseán_12348",
                                    "ghost_55555"}
    assert book[("müllerzoé_12347", STEM)]["status"] == "missing"
    assert "not on the roster" in book[("ghost_55555", STEM)]["note"]
    assert "matched by LMS id 12346" in book[("zhangwei_12346", STEM)]["note"]
    assert "matched by login" in book[("obrienseán_12348", STEM)]["note"]
    assert all(r.status == "to mark" for r in rows if r.file), [(r.student, r.status, r.note) for r in rows]

    canvas = list(csv.reader(io.StringIO((out / "lms" / "canvas-grades.csv").read_text(encoding="utf-8"))))
    assert canvas[0][:6] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "03 Money and policy (40312)"]
    assert [line[5] for line in canvas[2:]] == ["", "", "", ""]       # to mark and missing: not final, empty
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Not on the roster" in summary and "ghost_55555" in summary and "3 to mark" in summary

    _mark_everything(out)
    rows = _grade(tmp_path)
    canvas = list(csv.reader(io.StringIO((out / "lms" / "canvas-grades.csv").read_text(encoding="utf-8"))))
    full = canvas[1][5]
    assert [line[:2] + [line[5]] for line in canvas[2:]] == [
        ["Smith, Jane", "12345", full], ["Zhang, Wei", "12346", full], ["Müller, Zoé", "12347", ""],
        ["O'Brien, Seán", "12348", full]]
    _assert_feedback_apart(out)
    zipped = (out / "feedback" / f"{STEM}.zip").read_bytes()
    _grade(tmp_path)
    assert (out / "feedback" / f"{STEM}.zip").read_bytes() == zipped


def _assert_feedback_apart(out: Path) -> None:
    """Each student's files hold their own planted string, nobody else's, and no live markup."""
    owner = {"smithjane_12345": "MARK-JANE-4417", "zhangwei_12346": "MARK-WEI-9021",
             "obrienseán_12348": "MARK-SEAN-3380", "ghost_55555": "MARK-GHOST-1234"}
    uploads = {"smithjane_12345": f"smithjane_12345_70001_feedback-{STEM}.html",
               "zhangwei_12346": f"zhangwei_LATE_12346_70002_feedback-{STEM}.html",
               "obrienseán_12348": f"obrienseán_12348_feedback-{STEM}.html",
               "ghost_55555": f"ghost_55555_70009_feedback-{STEM}.html"}
    with zipfile.ZipFile(out / "feedback" / f"{STEM}.zip") as archive:
        zipped = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert sorted(zipped) == sorted(uploads.values())
    for student, mark in owner.items():
        texts = [(out / "feedback" / f"{student}{ext}").read_text(encoding="utf-8") for ext in (".md", ".html")]
        texts += [(out / "feedback" / STEM / uploads[student]).read_text(encoding="utf-8"), zipped[uploads[student]]]
        for text in texts:
            assert mark in text, student
            assert not [m for s, m in owner.items() if s != student and m in text], student
        for page in texts[1:]:
            assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    missing = (out / "feedback" / "müllerzoé_12347.md").read_text(encoding="utf-8")
    assert "No file for this exercise" in missing and "MARK-" not in missing


def test_a_moodle_class_with_its_grading_worksheet(tmp_path):
    """Moodle's download (a flat name before 4.1, a folder since) and its grading worksheet as
    the roster: the worksheet comes back with Grade filled once marked, and the feedback zip
    holds the names Moodle's 'Upload multiple feedback files in a zip' reads."""
    answers = synthetic.solution_code(STEM)
    nb = synthetic.submission(synthetic.exercise(STEM), answers)
    synthetic.write(tmp_path / "subs" / f"Jane Smith_2210451_assignsubmission_file_{STEM}.ipynb", nb)
    synthetic.write(tmp_path / "subs" / "Wei Zhang_2210452_assignsubmission_file" / f"{STEM}.ipynb", nb)
    out = tmp_path / "out"

    def grade() -> list:
        return cli.grade(tmp_path / "subs", out, workers=1, progress=False,
                         limits=runner.Limits(cell_timeout=15, notebook_timeout=60),
                         class_list=roster.read(FIXTURES / "moodle-worksheet.csv"), export=cli.Export("moodle"))

    rows = grade()
    assert sorted((r.student, r.status) for r in rows) == [
        ("Jane Smith_2210451", "to mark"), ("Wei Zhang_2210452", "to mark"), ("Zoé Müller_2210453", "missing")]
    _mark_everything(out)
    grade()
    sheet = _csv(out / "lms" / f"moodle-worksheet-{STEM}.csv")
    full = f"{sum(float(q.points) for q in source.load(STEM).exercises):g}"
    assert [(r["Identifier"], r["Grade"]) for r in sheet] == [
        ("Participant 2210451", full), ("Participant 2210452", full), ("Participant 2210453", "")]
    with zipfile.ZipFile(out / "feedback" / f"{STEM}.zip") as archive:
        assert archive.namelist() == [f"Jane Smith_2210451_assignsubmission_file_feedback-{STEM}.html",
                                      f"Wei Zhang_2210452_assignsubmission_file_feedback-{STEM}.html"]
