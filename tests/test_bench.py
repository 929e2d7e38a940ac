"""`make bench` times the suite part by part; the parts together are `make test`."""

from __future__ import annotations

from course import paths
from course.authoring import bench

PYPROJECT = """
[tool.pytest.ini_options]
testpaths = ["tests", "notebooks", "solutions"]
markers = [{markers}]
"""


def course_with(tmp_path, markers: str = "", grading_dir: bool = False):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(markers=markers))
    for folder in ("tests", "notebooks", "solutions"):
        (tmp_path / folder).mkdir()
    (tmp_path / "notebooks" / "00-a.ipynb").write_text("{}")
    if grading_dir:
        (tmp_path / "tests" / "grading").mkdir()
    return tmp_path


def test_the_parts_of_todays_suite():
    names = [name for name, _ in bench.suite_parts(paths.ROOT)]
    assert names[:4] == [
        "unit, data, generated files", "slow: kernels, make lab, Binder",
        "nbval: committed notebooks", "browser: JupyterLab in Chromium",
    ]


def test_nbval_runs_only_folders_that_hold_notebooks(tmp_path):
    parts = dict(bench.suite_parts(course_with(tmp_path)))
    nbval = parts["nbval: committed notebooks"]
    assert "--nbval" in nbval and nbval[-1] == "notebooks" and "solutions" not in nbval
    assert "grading" not in parts


def test_a_grading_folder_is_its_own_part_and_left_out_of_the_others(tmp_path):
    parts = dict(bench.suite_parts(course_with(tmp_path, grading_dir=True)))
    assert parts["grading"] == ["tests/grading"]
    assert "--ignore=tests/grading" in parts["unit, data, generated files"]
    assert "--ignore=tests/grading" in parts["browser: JupyterLab in Chromium"]


def test_a_grading_marker_is_its_own_part_and_left_out_of_the_others(tmp_path):
    parts = dict(bench.suite_parts(course_with(tmp_path, markers='"grading: the grader\'s suite"')))
    assert parts["grading"] == ["-m", "grading", "tests"]
    assert parts["unit, data, generated files"][:2] == ["-m", "not slow and not browser and not grading"]


def test_a_part_names_its_failed_tests(tmp_path):
    tests = tmp_path / "test_planted.py"
    tests.write_text("def test_holds():\n    pass\n\n\ndef test_breaks():\n    assert False\n")
    seconds, counts, failed = bench._run_part([str(tests)])
    assert counts["tests"] == 2 and counts["failures"] == 1
    # The class name is the file's dotted path from pytest's rootdir, which depends on where tmp_path is.
    assert len(failed) == 1 and failed[0].endswith("test_planted::test_breaks")
    assert seconds > 0
