"""Fast tests of the grader's parts that start no kernel: matching files, plain data,
judging and the marking sheet."""

from __future__ import annotations

import os

import pytest

from course.grading import child, judging, submissions
from course.questions import plain

STEMS = ["00-start-here", "03-money-and-policy", "04-chips-and-compute"]
NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _files(tmp_path, files):
    for n, (name, text) in enumerate(files.items()):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    return {s.relpath: s for s in submissions.discover(tmp_path, STEMS)}


def test_folders_lms_names_late_and_copies(tmp_path):
    found = _files(tmp_path, {
        "alice/03-money-and-policy.ipynb": NB,
        "alice/03-money-and-policy (1).ipynb": NB,
        "smithjane_LATE_12345_67890_03-money-and-policy.ipynb": NB,
        "LATE_bob_111_04-chips.ipynb": NB,
        "carol/Copy of 00-start-here.ipynb": NB,
        "carol/notes.txt": "hello",
        "carol/04-x.ipynb": "{broken",
        "carol/empty.ipynb": "",
        "dave/03-money-and-policy.ipynb": "%PDF-1.4",
        "03-money-and-policy.ipynb": NB,
        "erin/.ipynb_checkpoints/03-money-and-policy-checkpoint.ipynb": NB,
    })
    copies = [found["alice/03-money-and-policy (1).ipynb"], found["alice/03-money-and-policy.ipynb"]]
    assert [c.problem for c in copies] == [None, "duplicate"]
    late = found["smithjane_LATE_12345_67890_03-money-and-policy.ipynb"]
    assert (late.student, late.stem, late.late, late.problem) == ("smithjane_12345", "03-money-and-policy", True, None)
    assert "LMS file name" in late.note and "LATE" in late.note
    bob = found["LATE_bob_111_04-chips.ipynb"]
    assert (bob.student, bob.stem) == ("bob_111", "04-chips-and-compute") and "number 04 only" in bob.note
    assert found["carol/Copy of 00-start-here.ipynb"].stem == "00-start-here"
    assert found["carol/notes.txt"].problem == "not a notebook"
    assert found["carol/04-x.ipynb"].problem == "invalid notebook"
    assert found["carol/04-x.ipynb"].reason.startswith("broken JSON")
    assert found["carol/empty.ipynb"].problem == "empty file"
    assert found["dave/03-money-and-policy.ipynb"].problem == "not a notebook"
    assert found["03-money-and-policy.ipynb"].problem == "unmatched"
    assert found["erin/.ipynb_checkpoints/03-money-and-policy-checkpoint.ipynb"].problem == "skipped"


@pytest.mark.parametrize("value, encoded", [
    (1, 1), (2.5, 2.5), ("x", "x"), (None, None), (True, True), ([1, "a"], [1, "a"]),
    ((1, "a"), {"__tuple__": [1, "a"]}), ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}),
    ({1: "x"}, {"__dict__": [[1, "x"]]}), ({"b", "a"}, {"__set__": ["a", "b"]}),
    (float("nan"), {"__float__": "nan"}),
])
def test_plain_data_passes(value, encoded):
    """Plain data, with what JSON would lose (int keys, sets, tuples, NaN) tagged."""
    assert plain.encode(value) == encoded


def test_anything_else_is_rejected_and_own_classes_flagged():
    class Anything:
        def __eq__(self, other):
            return True

    class Sneaky(str):
        def __eq__(self, other):
            return True

    Anything.__module__ = Sneaky.__module__ = "__main__"
    answers, rejected = child.snapshot({"a": Anything(), "b": Sneaky("x"), "c": 1j, "d": [Anything()], "e": ...},
                                        ["a", "b", "c", "d", "e", "f"])
    assert answers == {"e": plain.PLACEHOLDER}
    assert {k: v["review"] for k, v in rejected.items()} == {"a": True, "b": True, "c": False, "d": False}


def test_numpy_scalars_become_numbers():
    numpy = pytest.importorskip("numpy")
    assert plain.encode([numpy.float64(1.5), numpy.int64(3), numpy.bool_(True)]) == [1.5, 3, True]
    assert type(plain.encode(numpy.float64(1.5))) is float
    assert plain.encode(numpy.array(13.2)) == 13.2 and plain.encode(numpy.array([1, 3])) == [1, 3]


def test_review_patterns():
    reasons = judging.review_reasons(["x = 1", "def check(*a):\n    return True",
                                      "get_ipython().input_transformers_cleanup.append(f)", "import os\nos._exit(0)"])
    assert reasons == ["code cell 2 redefines the self-check `check`", "code cell 3 changes how IPython runs cells",
                       "code cell 4 ends its kernel or signals processes"]
    assert judging.review_reasons(["import pandas as pd\ntotal = pd.Series([1]).sum()", "check('total', total)"]) == []


def test_written_answers_keep_an_exercise_to_mark_until_every_criterion_is_marked():
    from course.grading import source

    questions = source.load("03-money-and-policy").exercises
    run = {"answers": {"blog_vs_shenzhen": 11.43, "up_to": 3, "support_written": "The texts do not contradict (C047)."}}
    waiting = judging.judge(questions, run, [])
    assert (waiting.status, waiting.points, waiting.max_points) == ("to mark", 2, 12)
    partly = judging.judge(questions, run, [], {"support_written": (2.0, False, "2 of 4")})
    assert (partly.status, partly.points) == ("to mark", 4)
    assert "2 of 4" in next(q.reason for q in partly.questions if q.id == "support_written")
    marked = judging.judge(questions, run, [], {"support_written": (3.0, True, "4 of 4")})
    assert (marked.status, marked.points) == ("graded", 5)
    blank = judging.judge(questions, {"answers": {q.id: plain.PLACEHOLDER for q in questions}}, [])
    assert (blank.status, blank.points) == ("graded", 0) and "no question answered" in blank.notes[0]
