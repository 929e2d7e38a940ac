"""Intake: every entry under SUBMISSIONS gets a row, a status and a reason, whatever its bytes,
name or structure; students are never merged; links are not followed out of a student's files;
outputs are replaced whole. No test here starts a kernel: the files either cannot be graded or
are inspected without running.

Each crash an instructor met (a notebook nested 100,000 levels deep, a cell whose metadata is a
list, a source list holding a number, a file name that is not UTF-8, a marks sheet saved by a
spreadsheet) is run through ``python -m course grade`` and must end with a gradebook.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import unicodedata
from pathlib import Path

import pytest

from course.grading import cli, gradebook, submissions, synthetic

STEM = "03-money-and-policy"
STEMS = ["00-start-here", STEM, "04-chips-and-compute"]
NB = {"cells": [{"cell_type": "code", "source": ["x = 1\n"], "metadata": {}, "outputs": []}], "metadata": {},
      "nbformat": 4, "nbformat_minor": 5}


def _write(path: Path, data: bytes | str | dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, dict):
        data = json.dumps(data)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _found(root: Path) -> dict[str, submissions.Submission]:
    return {s.relpath: s for s in submissions.discover(root, STEMS)}


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- notebook structure ---------------------------------------------------------------------
def _nb_with(change) -> dict:
    nb = json.loads(json.dumps(NB))
    change(nb)
    return nb


DEEP = '{"cells": ' + "[" * 100_000 + "]" * 100_000 + ', "nbformat": 4}'
CRASHES = {
    "deep": (DEEP, "nested more than 64 levels deep"),
    "deep-dicts": ('{"cells": [], "nbformat": 4, "metadata": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
                   "nested more than 64 levels deep"),
    "metadata-list": (_nb_with(lambda nb: nb["cells"][0].update(metadata=[])), "cell 1's metadata is a list"),
    "source-number": (_nb_with(lambda nb: nb["cells"][0].update(source=["x = 1\n", 3])),
                      "cell 1's source list holds a value of type int"),
    "source-dict": (_nb_with(lambda nb: nb["cells"][0].update(source={"a": 1})), "cell 1's source is a dict"),
    "cell-not-dict": (_nb_with(lambda nb: nb["cells"].append("text")), "cell 2 is a str"),
    "nbformat-3": (_nb_with(lambda nb: nb.update(nbformat=3)), "nbformat 3, expected 4"),
    "not-utf8": (b'{"cells": [], "nbformat": 4, "x": "\xff"}', "not UTF-8 text"),
}


@pytest.mark.parametrize("case", sorted(CRASHES))
def test_a_broken_notebook_is_invalid_with_its_reason(case):
    data, why = CRASHES[case]
    problem, reason, nb = submissions.inspect_bytes(f"{STEM}.ipynb", data if isinstance(data, bytes)
                                                    else (data if isinstance(data, str) else json.dumps(data)).encode())
    assert (problem, nb) == ("invalid notebook", None)
    assert reason.startswith(why), reason


def test_a_valid_notebook_comes_back_cleaned():
    nb = _nb_with(lambda nb: nb["cells"][0]["metadata"].update(course={"role": "check"}, other=[1, 2]))
    problem, reason, clean = submissions.inspect_bytes("a.ipynb", json.dumps(nb).encode())
    assert problem is None and reason == ""
    assert clean["cells"] == [{"cell_type": "code", "source": "x = 1\n", "metadata": {"course": {"role": "check"}}}]


# -- names and students ---------------------------------------------------------------------
def test_students_are_never_merged(tmp_path):
    nfc, nfd = unicodedata.normalize("NFC", "Zoé"), unicodedata.normalize("NFD", "Zoé")
    for folder in (nfc, nfd, "Zoë"):
        _write(tmp_path / folder / f"{STEM}.ipynb", NB)
    for name in (f"张伟_101_900_{STEM}.ipynb", f"李娜_102_901_{STEM}.ipynb", "张伟_101_955_04-chips-and-compute.ipynb",
                 f"smithjane_12345_67890_{STEM}.ipynb", f"smithjane_54321_67891_{STEM}.ipynb"):
        _write(tmp_path / name, NB)
    found = submissions.discover(tmp_path, STEMS)
    keys = sorted(s.student for s in found)
    assert keys == sorted(["Zoé", "Zoé~2", "Zoë", "张伟_101", "张伟_101", "李娜_102", "smithjane_12345",
                           "smithjane_54321"])
    assert all(unicodedata.is_normalized("NFC", k) for k in keys)
    apart = next(s for s in found if s.student == "Zoé~2")
    assert "another student's name also reads 'Zoé'" in apart.note
    assert all(s.problem is None for s in found)  # nobody's file became anybody's duplicate


def test_a_name_that_is_not_utf8_is_shown_with_escapes(tmp_path):
    folder = os.fsencode(tmp_path) + b"/Zo\xe9"
    os.mkdir(folder)
    Path(os.fsdecode(folder + b"/" + STEM.encode() + b"-\xff.ipynb")).write_text(json.dumps(NB))
    (sub,) = submissions.discover(tmp_path, STEMS)
    assert (sub.relpath, sub.student, sub.stem, sub.problem) == (f"Zo\\xe9/{STEM}-\\xff.ipynb", "Zo\\xe9", STEM, None)
    assert sub.relpath.encode("utf-8")


def test_every_entry_gets_a_row(tmp_path):
    _write(tmp_path / "ann" / f"{STEM}.ipynb", NB)
    _write(tmp_path / "ann" / ".ipynb_checkpoints" / f"{STEM}-checkpoint.ipynb", NB)
    _write(tmp_path / "ann" / ".hidden.ipynb", NB)
    _write(tmp_path / "ann" / "notes.txt", "hello")
    os.mkfifo(tmp_path / "ann" / "pipe.ipynb")
    _write(tmp_path / "readme.md", "x")
    found = _found(tmp_path)
    assert set(found) == {f"ann/{STEM}.ipynb", f"ann/.ipynb_checkpoints/{STEM}-checkpoint.ipynb", "ann/.hidden.ipynb",
                          "ann/notes.txt", "ann/pipe.ipynb", "readme.md"}
    assert {k: s.problem for k, s in found.items()} == {
        f"ann/{STEM}.ipynb": None, f"ann/.ipynb_checkpoints/{STEM}-checkpoint.ipynb": "skipped",
        "ann/.hidden.ipynb": "skipped", "ann/notes.txt": "not a notebook", "ann/pipe.ipynb": "not a notebook",
        "readme.md": "not a notebook"}
    assert found["ann/pipe.ipynb"].reason == "not a regular file (a named pipe)"
    assert all(s.reason for s in found.values() if s.problem)


# -- links ----------------------------------------------------------------------------------
def test_links_are_followed_only_inside_the_students_own_files(tmp_path):
    subs = tmp_path / "subs"
    _write(subs / "ann" / f"{STEM}.ipynb", NB)
    _write(subs / "ann" / "drafts" / "draft.json", NB)
    _write(subs / f"smithjane_12345_67890_{STEM}.ipynb", NB)
    _write(tmp_path / "elsewhere" / f"{STEM}.ipynb", NB)
    links = {
        "ann/04-chips-and-compute.ipynb": "drafts/draft.json",                       # her own: followed
        f"bob/{STEM}.ipynb": f"../ann/{STEM}.ipynb",                                  # another student's
        "bob/04-chips-and-compute.ipynb": str(tmp_path / "elsewhere" / f"{STEM}.ipynb"),  # outside
        "bob/00-start-here.ipynb": "missing.ipynb",                                   # dangling
        "bob/solutions": str(Path("solutions").resolve()),                            # a linked folder
        "carol": str(tmp_path / "elsewhere"),                                         # a linked student folder
        "smithjane_12345_67899_04-chips-and-compute.ipynb": f"smithjane_12345_67890_{STEM}.ipynb",  # her own
        f"doe_777_1_{STEM}.ipynb": f"smithjane_12345_67890_{STEM}.ipynb",             # another student's
    }
    for name, target in links.items():
        (subs / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, subs / name)
    found = _found(subs)
    status = {name: (found[name].problem, found[name].kind) for name in links}
    assert status == {
        "ann/04-chips-and-compute.ipynb": (None, "link"), f"bob/{STEM}.ipynb": ("link", "link"),
        "bob/04-chips-and-compute.ipynb": ("link", "link"), "bob/00-start-here.ipynb": ("link", "link"),
        "bob/solutions": ("link", "link"), "carol": ("link", "folder link"),
        "smithjane_12345_67899_04-chips-and-compute.ipynb": (None, "link"), f"doe_777_1_{STEM}.ipynb": ("link", "link")}
    assert "another student's file" in found[f"bob/{STEM}.ipynb"].reason
    assert "outside the submissions" in found["bob/04-chips-and-compute.ipynb"].reason
    assert "dangling" in found["bob/00-start-here.ipynb"].reason
    assert "a link to a folder" in found["bob/solutions"].reason and found["carol"].student == "carol"
    assert "in the student's own files" in found["ann/04-chips-and-compute.ipynb"].note


# -- outputs --------------------------------------------------------------------------------
def test_an_interrupted_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "gradebook.csv"
    target.write_text("old\n")

    def killed(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        gradebook.write_atomic(target, "new\n")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


def test_the_feedback_folder_is_replaced_whole(tmp_path, monkeypatch):
    folder = tmp_path / "feedback"
    gradebook.replace_folder(folder, {"ann.md": "old ann", "bob.md": "old bob"})
    real_write = Path.write_bytes
    written = []

    def dies_on_the_second(self, data):
        written.append(self.name)
        if len(written) == 2:
            raise KeyboardInterrupt
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        gradebook.replace_folder(folder, {"ann.md": "new ann", "carol.md": "new carol"})
    monkeypatch.undo()
    assert sorted(p.name for p in folder.iterdir()) == ["ann.md", "bob.md"]
    assert (folder / "ann.md").read_text() == "old ann"
    gradebook.replace_folder(folder, {"ann.md": "new ann", "carol.md": "new carol"})
    assert sorted(p.name for p in folder.iterdir()) == ["ann.md", "carol.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedback"]


def test_a_swap_stopped_half_way_is_undone_on_the_next_run(tmp_path):
    old = tmp_path / ".feedback.old"
    old.mkdir()
    (old / "ann.md").write_text("ann")
    gradebook.replace_folder(tmp_path / "feedback", {"bob.md": "bob"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedback"]


def test_long_or_hidden_keys_make_safe_file_names():
    assert gradebook.file_name(".alice") == "_.alice"
    long = gradebook.file_name("张" * 200)
    assert len(long.encode()) <= 200 and long != gradebook.file_name("张" * 201)


# -- whole runs without kernels: each crash ends with a gradebook ----------------------------
def _run(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    code = cli.main([str(tmp_path / "subs"), "--out", str(out), "--no-progress", *extra])
    return code, out


@pytest.mark.parametrize("case", ["deep", "metadata-list", "source-number"])
def test_the_crashing_notebooks_get_a_row(tmp_path, case):
    data, why = CRASHES[case]
    _write(tmp_path / "subs" / "ann" / f"{STEM}.ipynb", data)
    code, out = _run(tmp_path)
    assert code == 0
    (row,) = [r for r in _csv(out / "gradebook.csv") if r["exercise"] == STEM]
    assert (row["student"], row["status"], row["points"]) == ("ann", "invalid notebook", "0")
    assert why in row["note"]
    assert (out / "feedback" / "ann.md").exists() and (out / "files.csv").exists()


def test_a_file_name_that_is_not_utf8_gets_a_row(tmp_path):
    (tmp_path / "subs").mkdir()
    Path(os.fsdecode(os.fsencode(tmp_path / "subs") + b"/caf\xe9_1_2_" + STEM.encode() + b".ipynb")).write_text("{")
    code, out = _run(tmp_path)
    assert code == 0
    (row,) = _csv(out / "files.csv")
    assert (row["path"], row["student"], row["status"]) == (
        f"caf\\xe9_1_2_{STEM}.ipynb", "caf\\xe9_1", "invalid notebook")
    assert (out / "gradebook.csv").stat().st_size > 0


def test_only_the_exercises_handed_in_or_chosen_are_graded(tmp_path):
    _write(tmp_path / "subs" / "ann" / f"{STEM}.ipynb", "{")
    _write(tmp_path / "subs" / "bob" / "04-chips-and-compute.ipynb", "")
    code, out = _run(tmp_path)
    assert code == 0
    book = _csv(out / "gradebook.csv")
    assert sorted((r["student"], r["exercise"], r["status"]) for r in book) == [
        ("ann", STEM, "invalid notebook"), ("ann", "04-chips-and-compute", "missing"),
        ("bob", STEM, "missing"), ("bob", "04-chips-and-compute", "empty file")]
    assert list(_csv(out / "gradebook-wide.csv")[0]) == ["student", STEM, "04-chips-and-compute", "total", "max_total"]
    code, out = _run(tmp_path, "--exercise", "03")
    assert code == 0
    assert sorted((r["student"], r["exercise"]) for r in _csv(out / "gradebook.csv")) == [("ann", STEM), ("bob", STEM)]
    assert list(_csv(out / "gradebook-wide.csv")[0]) == ["student", STEM, "total", "max_total"]
    files = {r["path"]: r["status"] for r in _csv(out / "files.csv")}
    assert files == {f"ann/{STEM}.ipynb": "invalid notebook", "bob/04-chips-and-compute.ipynb": "not selected"}
    assert sorted(p.name for p in (out / "feedback").glob("*.md")) == ["ann.md", "bob.md"]
    assert "04-chips" not in (out / "feedback" / "bob.md").read_text()


def test_an_unknown_exercise_is_refused_with_the_choices(capsys):
    assert cli.choose_exercises(["03", "04-chips-and-compute", "03-money-and-policy.ipynb"], STEMS) == [
        STEM, "04-chips-and-compute"]
    with pytest.raises(ValueError, match="matches none of the exercises: 00-start-here"):
        cli.choose_exercises(["99"], STEMS)


def test_the_exercise_notebook_itself_is_structurally_valid():
    problem, reason, _ = submissions.inspect_bytes(f"{STEM}.ipynb", json.dumps(synthetic.exercise(STEM)).encode())
    assert problem is None, reason


def test_a_stop_signal_waits_until_the_outputs_are_written():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with cli._signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("written")
    assert done == ["written"]


@pytest.mark.parametrize("encoding, sep, bom", [("utf-8", ",", b"\xef\xbb\xbf"), ("cp1252", ";", b"")])
def test_a_marks_sheet_saved_by_a_spreadsheet_is_merged(tmp_path, encoding, sep, bom):
    _write(tmp_path / "subs" / "ann" / f"{STEM}.ipynb", "{")
    header = ["student", "exercise", "question", "criterion", "max_points", "points", "comment", "answer_sha"]
    line = ["Zoé", STEM, "support_written", "overall", "4", "2,5" if sep == ";" else "2.5", "Très bien", "abc"]
    text = "\r\n".join(sep.join(row) for row in (header, line)) + "\r\n"
    _write(tmp_path / "out" / "marking" / "written-answers.csv", bom + text.encode(encoding))
    code, out = _run(tmp_path)
    assert code == 0
    (kept,) = _csv(out / "marking" / "written-answers.csv")
    assert (kept["student"], kept["points"], kept["comment"], kept["state"]) == (
        "Zoé", line[5], "Très bien", "kept: not in this run")  # kept as entered


def test_unreadable_submissions_or_unwritable_out_are_refused_with_the_reason(tmp_path, capsys):
    from course.grading import cli

    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(SystemExit) as stopped:
        cli.main([str(subs), "--out", str(blocked / "grades"), "--no-progress"])
    assert stopped.value.code == 2
    assert "cannot write the grades to" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([str(tmp_path / "nowhere"), "--out", str(out), "--no-progress"])
    assert "is not a folder" in capsys.readouterr().err
    assert not out.exists(), "nothing is written when the submissions folder is refused"
