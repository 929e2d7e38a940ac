"""`make execute`'s engine: run notebooks from a fresh kernel, save them normalised, and turn a
broken notebook into a clear message without stopping the others."""

from __future__ import annotations

import nbformat
import pytest

from course import notebooks


def write(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["widgets"] = {"state": "random model ids"}
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_execute_in_place_saves_outputs_and_normalises(tmp_path):
    path = write(tmp_path / "ok.ipynb", "print('hello')", "import ipywidgets\nipywidgets.IntSlider(description='n')")
    seconds = notebooks.execute_in_place(path)
    assert seconds > 0
    nb = nbformat.read(str(path), as_version=4)
    assert [c.execution_count for c in nb.cells] == [1, 2]
    assert nb.cells[0].outputs[0]["text"] == "hello\n"
    assert notebooks.WIDGET_VIEW not in nb.cells[1].outputs[0]["data"], "widget views point at random model ids"
    assert "IntSlider" in nb.cells[1].outputs[0]["data"]["text/plain"]
    assert "widgets" not in nb.metadata and nb.metadata["language_info"] == {"name": "python", "pygments_lexer": "ipython3"}
    assert all("execution" not in c.metadata for c in nb.cells)


@pytest.mark.slow
def test_cli_reports_a_failing_cell_and_a_malformed_file_but_runs_the_rest(tmp_path, capsys):
    write(tmp_path / "a-fails.ipynb", "1 / 0")
    (tmp_path / "b-malformed.ipynb").write_text("{not json")
    good = write(tmp_path / "c-ok.ipynb", "2 + 2")
    assert notebooks._main(["execute", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "FAILED" in err and "ZeroDivisionError" in err
    assert "b-malformed.ipynb: not a readable notebook" in err
    assert "c-ok.ipynb" in out
    assert nbformat.read(str(good), as_version=4).cells[0].outputs[0]["data"]["text/plain"] == "4"
    assert (tmp_path / "b-malformed.ipynb").read_text() == "{not json", "a broken file is left as it was"
    assert nbformat.read(str(tmp_path / "a-fails.ipynb"), as_version=4).cells[0].outputs == [], "nor is a failed one saved"


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(notebooks.NotebookError, match="no such notebook"):
        notebooks.read_notebook(tmp_path / "nowhere.ipynb")


def test_course_notebooks_are_found_in_teaching_order():
    found = [p.parent.name + "/" + p.name for p in notebooks.notebook_paths()]
    lessons = [f for f in found if f.startswith("notebooks/")]
    assert lessons == sorted(lessons) and lessons[0] == "notebooks/00-start-here.ipynb"
    assert "instructors/widget-gallery.ipynb" in found
