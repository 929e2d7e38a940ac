"""The roster and the LMS files, without running a notebook: Canvas' and Moodle's own export
formats are read (fixtures/ holds one of each, as the LMS writes them), a roster that cannot be
read is refused with the line and the reason, submissions are matched by LMS id before login and
name, and the grade imports hold only final grades, in each LMS's columns."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from course.grading import cli, feedback, lms, reports, roster, submissions
from course.grading.gradebook import Row

FIXTURES = Path(__file__).parent / "fixtures"
STEMS = ["03-money-and-policy", "04-chips-and-compute"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# -- reading ----------------------------------------------------------------------------------
def test_canvas_export_skips_points_possible_and_the_test_student():
    class_list = roster.read(FIXTURES / "canvas-gradebook.csv")
    assert class_list.kind == "canvas"
    assert [s.key for s in class_list.students] == ["smithjane_12345", "zhangwei_12346", "müllerzoé_12347",
                                                     "obrienseán_12348"]
    jane = class_list.students[0]
    assert (jane.name, jane.lms_id, jane.sis_id, jane.login, jane.section) == (
        "Smith, Jane", "12345", "S0001", "jsmith", "CHN 210 Section 01")
    assert any("Points Possible" in why for why in class_list.skipped)
    assert any("test student" in why for why in class_list.skipped)
    assert class_list.assignment_columns() == ["03 Money and policy (40312)", "04 Chips and compute (40313)"]


def test_moodle_export_with_a_bom_and_the_grading_worksheet():
    grades = roster.read(FIXTURES / "moodle-grades.csv")
    assert grades.kind == "moodle"
    assert [(s.key, s.email, s.sis_id) for s in grades.students][0] == ("Jane Smith", "jane.smith@example.edu",
                                                                         "S0001")
    sheet = roster.read(FIXTURES / "moodle-worksheet.csv")
    assert sheet.kind == "moodle-worksheet"
    assert [(s.key, s.lms_id) for s in sheet.students] == [("Jane Smith_2210451", "2210451"),
                                                          ("Wei Zhang_2210452", "2210452"),
                                                          ("Zoé Müller_2210453", "2210453")]


@pytest.mark.parametrize("content, said", [
    (b"", "the file is empty"),
    (b"PK\x03\x04rest of an xlsx", "line 1: this is a spreadsheet"),
    (b"name;mail\nAnn;a@x\n", "line 1: not a roster header"),
    (b"student,name\nann,Ann\n\nbo,Bo,extra\n", "line 4: 3 fields but the header has 2"),
    (b"student,name\nann,Ann\nann,Ann again\n", "line 3: the same student as line 2"),
    (b"Student,ID,SIS User ID,SIS Login ID,Section\n\"Smith, Jane\",abc,,,\n", "line 2: ID 'abc' is not"),
    (b"Student,ID,SIS User ID,SIS Login ID,Section\n\"Smith, Jane\",,,,\n", "line 2: student 'Smith, Jane' has no ID"),
    (b"Identifier,Full name\nJane,Jane Smith\n", "line 2: Identifier 'Jane'"),
    (b"First name,Last name,Email address\nJane,Smith,\n", "line 2: Jane Smith has no email address"),
    (b"student,name\n\"ann,Ann\n", "line"),
    (b"student\n", "no students in it"),
])
def test_a_roster_that_cannot_be_read_is_refused_with_the_line(tmp_path, content, said):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(roster.RosterError) as caught:
        roster.read(path)
    assert said in str(caught.value)
    assert str(path) in str(caught.value)


def test_the_command_refuses_a_bad_roster_before_grading(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    (tmp_path / "roster.csv").write_text("student,name\nann,Ann\nann,Ann\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        cli.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--roster", str(tmp_path / "roster.csv")])
    assert "line 3: the same student as line 2" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_lms_needs_a_roster_with_the_lms_ids(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    args = [str(tmp_path / "subs"), "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit):
        cli.main([*args, "--lms", "canvas"])
    assert "needs --roster" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([*args, "--lms", "canvas", "--roster", str(FIXTURES / "simple-roster.csv")])
    assert "needs each student's Canvas ID; line 2" in capsys.readouterr().err


# -- matching ---------------------------------------------------------------------------------
def _match(class_list: roster.Roster, key: str, identity: tuple = ()) -> tuple[str | None, str]:
    student, how = roster.Matcher(class_list).match(key, identity)
    return (student.key if student else None), how


def test_matching_by_lms_id_then_login_then_name():
    canvas = roster.read(FIXTURES / "canvas-gradebook.csv")
    assert _match(canvas, "smithjane_12345", ("lms", "smithjane", "12345")) == (
        "smithjane_12345", "roster: matched by LMS id 12345")
    # the id wins over the name: a renamed student is still themself
    assert _match(canvas, "smithj_12346", ("lms", "smithj", "12346"))[0] == "zhangwei_12346"
    assert _match(canvas, "nobody_55555", ("lms", "nobody", "55555"))[0] is None
    assert _match(canvas, "wzhang")[0] == "zhangwei_12346"                 # SIS login, a folder name
    student, how = _match(canvas, "Zoé Müller")                             # name, NFC and case folded
    assert student == "müllerzoé_12347" and "NAME" in how
    assert _match(canvas, "Zoe\u0301 MU\u0308LLER")[0] == "müllerzoé_12347"
    moodle = roster.read(FIXTURES / "moodle-worksheet.csv")
    folder = "Wei Zhang_2210452_assignsubmission_file"
    assert _match(moodle, folder, ("folder", folder.encode()))[0] == "Wei Zhang_2210452"
    flat = "Jane Smith_2210451_assignsubmission_file_03-money-and-policy.ipynb"
    sub = next(s for s in submissions.discover(_one_file(flat), STEMS))
    assert _match(moodle, sub.student, sub.identity)[0] == "Jane Smith_2210451"
    simple = roster.read(FIXTURES / "simple-roster.csv")
    assert _match(simple, "ann.lee")[0] == "ann"                            # email's local part
    assert _match(simple, "leeann_777", ("lms", "leeann", "777"))[0] == "ann"   # Canvas' lastfirst, no ids known


def _one_file(name: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / name).write_text("{}", encoding="utf-8")
    return folder


def test_two_students_with_one_name_are_not_matched_by_name(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("student,name\na1,Wei Zhang\na2,Wei Zhang\n", encoding="utf-8")
    student, how = _match(roster.read(path), "Wei Zhang")
    assert student is None and "matches 2 students" in how


# -- exports ----------------------------------------------------------------------------------
def _gradebook_rows(keys: list[str]) -> list[Row]:
    a, b = keys[0], keys[1]
    return [Row(a, STEMS[0], "graded", 20.0, 22.0, "", "f.ipynb"),
            Row(a, STEMS[1], "to mark", 7.5, 20.0, "", "g.ipynb"),
            Row(b, STEMS[0], "review", 22.0, 22.0, "", "h.ipynb"),
            Row(b, STEMS[1], "partly graded", 3.0, 20.0, "", "i.ipynb")]


def test_canvas_import_has_canvas_columns_and_no_unfinished_grade():
    class_list = roster.read(FIXTURES / "canvas-gradebook.csv")
    rows = _gradebook_rows([s.key for s in class_list.students])
    files, notes = lms.canvas(class_list, rows, STEMS, {STEMS[0]: 22.0, STEMS[1]: 20.0}, {})
    table = _rows(files["canvas-grades.csv"])
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "03 Money and policy (40312)",
                        "04 Chips and compute (40313)"]
    assert table[1] == ["    Points Possible", "", "", "", "", "22", "20"]
    assert table[2] == ["Smith, Jane", "12345", "S0001", "jsmith", "CHN 210 Section 01", "20", ""]   # to mark: empty
    assert table[3][5:] == ["", "3"]                                                               # review: empty
    assert table[4][5:] == ["", ""] and len(table) == 6                                            # nothing came in
    assert "Student, Test" not in files["canvas-grades.csv"]
    said = "\n".join(notes)
    assert "1 review" in said and "1 to mark" in said


def test_canvas_column_given_or_new():
    class_list = roster.read(FIXTURES / "canvas-gradebook.csv")
    given = lms.parse_columns(["04=Chips quiz (999)"], STEMS)
    files, notes = lms.canvas(class_list, [], STEMS, {STEMS[0]: 22.0, STEMS[1]: 20.0}, given)
    assert _rows(files["canvas-grades.csv"])[0][5:] == ["03 Money and policy (40312)", "Chips quiz (999)"]
    with pytest.raises(ValueError, match="expected EXERCISE=COLUMN"):
        lms.parse_columns(["07=x"], STEMS)


def test_moodle_import_identifies_students_by_email():
    class_list = roster.read(FIXTURES / "moodle-grades.csv")
    rows = _gradebook_rows([s.key for s in class_list.students])
    files, notes = lms.moodle(class_list, rows, STEMS, {STEMS[0]: 22.0, STEMS[1]: 20.0}, {})
    table = _rows(files["moodle-grades.csv"])
    assert table[0] == ["First name", "Last name", "ID number", "Email address",
                        "Assignment: 03 Money and policy (Real)", "Assignment: 04 Chips and compute (Real)"]
    assert table[1] == ["Jane", "Smith", "S0001", "jane.smith@example.edu", "20", ""]
    assert table[3] == ["Zoé", "Müller", "S0003", "zoe.muller@example.edu", "", ""]
    assert any("from `Email address` to `Email address`" in n for n in notes)


def test_moodle_worksheet_gets_its_grade_column_filled():
    class_list = roster.read(FIXTURES / "moodle-worksheet.csv")
    rows = [Row("Jane Smith_2210451", STEMS[0], "graded", 18.5, 22.0, "", "x"),
            Row("Wei Zhang_2210452", STEMS[0], "to mark", 12.0, 22.0, "", "y")]
    files, _ = lms.moodle(class_list, rows, STEMS[:1], {STEMS[0]: 22.0}, {})
    table = _rows(files[f"moodle-worksheet-{STEMS[0]}.csv"])
    assert table[0] == class_list.header
    assert [r[0] for r in table[1:]] == ["Participant 2210451", "Participant 2210452", "Participant 2210453"]
    assert [r[4] for r in table[1:]] == ["18.5", "", ""]
    assert table[1][7] == "Monday, 7 December 2026, 9:14 AM"


# -- feedback -----------------------------------------------------------------------------------
@pytest.mark.parametrize("relpath, expected", [
    ("smithjane_12345_67890_03-money-and-policy.ipynb", "smithjane_12345_67890_feedback-03-money-and-policy.html"),
    ("smithjane_LATE_12345_67890_03-money-and-policy.ipynb",
     "smithjane_LATE_12345_67890_feedback-03-money-and-policy.html"),
    ("Jane Smith_2210451_assignsubmission_file_03-money-and-policy.ipynb",
     "Jane Smith_2210451_assignsubmission_file_feedback-03-money-and-policy.html"),
    ("Jane Smith_2210451_assignsubmission_file/03-money-and-policy.ipynb",
     "Jane Smith_2210451_assignsubmission_file_feedback-03-money-and-policy.html"),
    ("ann/03-money-and-policy.ipynb", "ann_feedback-03-money-and-policy.html"),
])
def test_upload_names_follow_the_lms_download_names(relpath, expected):
    assert feedback.upload_name(relpath, "03-money-and-policy", "ann") == expected


def test_hostile_text_is_escaped_in_markdown_and_html():
    hostile = 'x</title><script>alert(1)</script>![i](http://evil/p.png)[a](javascript:alert(2))``'
    page = feedback.to_html(f"# Feedback\n\n{feedback.text(hostile)} {feedback.code(hostile)}\n", hostile)
    assert "<script" not in page and "<img" not in page and "href" not in page
    assert page.count("<title>") == 1 and 'lang="en"' in page
    assert "&lt;script&gt;" in page


def test_zip_is_the_same_bytes_every_time():
    files = {"b.html": "2", "a.html": "1"}
    first = feedback.zip_bytes(files)
    assert first == feedback.zip_bytes(dict(reversed(list(files.items()))))
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["a.html", "b.html"]
        assert {info.date_time for info in archive.infolist()} == {feedback.ZIP_TIME}


def test_feedback_folder_has_md_html_uploads_and_zips(tmp_path):
    rows = [Row("smithjane_12345", STEMS[0], "invalid notebook", 0.0, 22.0, "broken JSON: <b>x</b>",
                "smithjane_12345_67890_03-money-and-policy.ipynb"),
            Row("zhangwei_12346", STEMS[0], "missing", 0.0, 22.0, "no file for this exercise", "")]
    unattached = reports.write_feedback(tmp_path, rows, {})
    assert unattached == {STEMS[0]: ["zhangwei_12346"]}
    names = sorted(p.relative_to(tmp_path / "feedback").as_posix() for p in (tmp_path / "feedback").rglob("*")
                   if p.is_file())
    assert names == [f"{STEMS[0]}.zip", f"{STEMS[0]}/smithjane_12345_67890_feedback-{STEMS[0]}.html",
                     "smithjane_12345.html", "smithjane_12345.md", "zhangwei_12346.html", "zhangwei_12346.md"]
    assert "<b>" not in (tmp_path / "feedback" / "smithjane_12345.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_relative_out_folder_is_graded_like_an_absolute_one(tmp_path, monkeypatch):
    """``--out grades`` (relative) once made every kernel fail to start in the sandbox."""
    from course.grading import runner, synthetic

    stem = STEMS[0]
    synthetic.write(tmp_path / "subs" / "ann" / f"{stem}.ipynb", synthetic.exercise(stem))
    monkeypatch.chdir(tmp_path)
    rows = cli.grade(Path("subs"), Path("grades"), workers=1, progress=False,
                     limits=runner.Limits(cell_timeout=15, notebook_timeout=60))
    assert [(r.student, r.status) for r in rows] == [("ann", "graded")], [r.note for r in rows]


def test_markdown_text_keeps_plain_ampersands_and_breaks_entities():
    assert feedback.text("R&D <b> &lt; &#60;") == "R&D &lt;b> &amp;lt; &amp;#60;"
    page = feedback.to_html(feedback.text("&lt;script&gt; R&D"), "t")
    assert "&amp;lt;script&amp;gt; R&amp;D" in page and "<script" not in page
