"""Fuzzing the intake with hypothesis: no notebook structure and no file name (any bytes but
'/' and NUL, on Linux) stops the grader. Every file found gets a row with a reason, the rows and
the feedback can be written, and a notebook that passes the structure check can be turned into
the cells a run needs."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.grading import gradebook, marks, reports, runner, submissions
from course.grading.gradebook import Row

STEMS = ["00-start-here", "03-money-and-policy", "04-chips-and-compute"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
sources = st.text() | st.lists(st.text(max_size=30), max_size=4) | json_values
cells = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw"]) | json_values, "source": sources},
    optional={"metadata": st.fixed_dictionaries({}, optional={"course": json_values}) | json_values,
              "outputs": json_values, "id": json_values})
notebooks = st.fixed_dictionaries(
    {"cells": st.lists(cells | json_values, max_size=5) | json_values, "nbformat": st.sampled_from([4, 4, 3, "4"])},
    optional={"metadata": json_values, "nbformat_minor": json_values}) | json_values


@FAST
@given(notebooks)
def test_any_notebook_structure_gets_a_verdict(nb):
    problem, reason, clean = submissions.inspect_bytes("03-money-and-policy.ipynb", json.dumps(nb).encode())
    if problem is None:
        code, notes = runner.code_cells(clean, {})
        json.dumps(code)
        assert all(isinstance(c, str) for c in code)
    else:
        assert problem in ("invalid notebook", "not a notebook", "empty file") and reason


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_get_a_verdict(data):
    problem, reason, _ = submissions.inspect_bytes("a.ipynb", data)
    assert problem is None or reason


names = st.binary(min_size=1, max_size=60).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))


@FAST
@given(st.lists(names, min_size=1, max_size=6, unique=True), st.booleans())
def test_any_file_names_get_rows_and_outputs(raw_names, in_folders):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "subs"
        root.mkdir()
        made = set()
        for n, raw in enumerate(raw_names):
            folder = os.fsencode(root) + (b"/" + raw if in_folders else b"")
            os.makedirs(folder, exist_ok=True)
            name = (b"03-money-and-policy.ipynb" if in_folders else raw)
            path = folder + b"/" + name
            with open(path, "wb") as handle:
                handle.write(b'{"cells": [], "nbformat": 4}' if n % 2 else raw)
            made.add(path)
        found = submissions.discover(root, STEMS)
        assert len(found) == len(made)
        rows = []
        for sub in found:
            sub.relpath.encode("utf-8"), sub.student.encode("utf-8")  # no surrogates: any file can hold them
            assert sub.problem is None or sub.reason
            rows.append(Row(sub.student, sub.stem or "", sub.problem or "graded", 0.0, 12.0, sub.reason, sub.relpath))
        out = Path(tmp) / "out"
        out.mkdir()
        gradebook.write_gradebooks(out, rows, STEMS)
        reports.write_feedback(out, rows, {})
        gradebook.write_files(out, [[s.relpath, s.kind, s.student, s.stem or "", s.problem or "", s.reason]
                                    for s in found])
        students = {s.student for s in found if s.student}
        assert len(list((out / "feedback").glob("*.md"))) == len(students)


header = b"student,exercise,question,criterion,max_points,points,comment,answer_sha\n"


@FAST
@given(st.binary(max_size=400) | st.binary(max_size=400).map(lambda b: header + b)
       | st.text(max_size=200).map(lambda t: (header.decode() + t).encode("utf-16")))
def test_any_marks_sheet_is_read_or_refused_with_a_reason(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "written-answers.csv"
        path.write_bytes(data)
        sheet = marks.read(path)
        assert sheet.readable or sheet.problems
        lines, _ = marks.merge(sheet, [])
        assert len(lines) == len(sheet.rows)
