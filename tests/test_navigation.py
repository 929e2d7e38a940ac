"""Generated navigation and course map, on a small course in a temporary folder."""

from __future__ import annotations

import nbformat
import pytest

from course import paths
from course.authoring import minutes, navigation


def lesson(path, number, title, extra=""):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {number} {title}\n\n**Minutes:** 10 teaching · 5 exercises{extra}"),
        nbformat.v4.new_code_cell("1 + 1"),
    ]
    nbformat.write(nb, str(path))


@pytest.fixture
def small_course(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "exercises").mkdir()
    lesson(tmp_path / "notebooks/00-start.ipynb", "00", "Start")
    lesson(tmp_path / "notebooks/01-more.ipynb", "01", "More")
    (tmp_path / "exercises/01-more.ipynb").write_text("{}")
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://github.com/o/r"\n')
    (tmp_path / "README.md").write_text(f"intro\n{navigation.MAP_START}\nold\n{navigation.MAP_END}\nend\n")
    (tmp_path / "INSTRUCTORS.md").write_text(f"guide\n{minutes.TIMING_START}\nold\n{minutes.TIMING_END}\nend\n")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(paths, "EXERCISES", tmp_path / "exercises")
    return tmp_path


def test_update_writes_links_and_map_then_is_idempotent(small_course):
    assert navigation.update(check=True) == [
        "notebooks/00-start.ipynb",
        "notebooks/01-more.ipynb",
        "README.md",
        "INSTRUCTORS.md",
    ]
    navigation.update()
    assert navigation.update(check=True) == []
    readme = (small_course / "README.md").read_text()
    assert "| 01 | [More](notebooks/01-more.ipynb) | [exercise](exercises/01-more.ipynb) | 10 + 5 |" in readme
    assert "| 00 | [Start](notebooks/00-start.ipynb) | not yet | 10 + not yet |" in readme
    assert "In all: 2 lessons, about 25 minutes (exercises not yet written: 1, not counted)." in readme
    assert "https://mybinder.org/v2/gh/o/r/HEAD?labpath=notebooks/00-start.ipynb" in readme
    assert readme.startswith("intro\n") and readme.endswith("end\n") and "old" not in readme
    first = nbformat.read(str(small_course / "notebooks/00-start.ipynb"), as_version=4)
    assert first.cells[1].metadata.tags == ["nav-top"]
    assert "next: [01 More →](01-more.ipynb)" in first.cells[1].source
    assert "not written yet" in first.cells[-1].source
    second = nbformat.read(str(small_course / "notebooks/01-more.ipynb"), as_version=4)
    assert "[More: exercise](../exercises/01-more.ipynb)" in second.cells[-1].source


def test_a_lesson_without_minutes_is_reported(small_course):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 02 Bad")]
    nbformat.write(nb, str(small_course / "notebooks/02-bad.ipynb"))
    with pytest.raises(minutes.NavigationError, match="02-bad.ipynb: needs"):
        navigation.update(check=True)


def test_a_badly_named_lesson_is_reported(small_course):
    lesson(small_course / "notebooks/Lesson 2.ipynb", "02", "Bad")
    with pytest.raises(minutes.NavigationError, match="NN-slug"):
        minutes.lessons()


def test_the_map_counts_only_exercises_that_exist(small_course):
    """Minutes for an exercise that is not written yet would promise work that is not there."""
    (small_course / "exercises/01-more.ipynb").unlink()
    navigation.update()
    readme = (small_course / "README.md").read_text()
    assert "| 01 | [More](notebooks/01-more.ipynb) | not yet | 10 + not yet |" in readme
    assert "about 20 minutes (exercises not yet written: 2, not counted)." in readme
