"""`make execute`'s engine: run notebooks from a fresh kernel, save them normalised, and turn a
broken notebook into a clear message without stopping the others."""

from __future__ import annotations

import time

import nbformat
import pytest

from course import paths
from course.authoring import notebooks


@pytest.fixture(autouse=True)
def stamps(tmp_path, monkeypatch):
    """Each test keeps its execution stamps in its own folder, never in the repository's."""
    monkeypatch.setattr(notebooks, "STAMPS", tmp_path / "stamps.json")
    return tmp_path / "stamps.json"


def write(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["widgets"] = {"state": "random model ids"}
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_execute_in_place_saves_outputs_and_normalises(tmp_path):
    path = write(
        tmp_path / "ok.ipynb",
        "import time\ntime.sleep(0.3)\nprint('hello')",
        "import ipywidgets\nipywidgets.IntSlider(description='n')",
    )
    start = time.perf_counter()
    seconds = notebooks.execute_in_place(path)
    assert 0.3 <= seconds <= time.perf_counter() - start, "the seconds the cells took, within the call's"
    nb = nbformat.read(str(path), as_version=4)
    assert [c.execution_count for c in nb.cells] == [1, 2]
    assert nb.cells[0].outputs[0]["text"] == "hello\n"
    assert notebooks.WIDGET_VIEW not in nb.cells[1].outputs[0]["data"], "widget views point at random model ids"
    assert "IntSlider" in nb.cells[1].outputs[0]["data"]["text/plain"]
    assert "widgets" not in nb.metadata
    assert nb.metadata["language_info"] == {"name": "python", "pygments_lexer": "ipython3"}
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
    failed = nbformat.read(str(tmp_path / "a-fails.ipynb"), as_version=4)
    assert failed.cells[0].outputs == [], "nor is a failed one saved"


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(notebooks.NotebookError, match="no such notebook"):
        notebooks.read_notebook(tmp_path / "nowhere.ipynb")


def test_notebooks_are_found_folder_by_folder_in_name_order(tmp_path, monkeypatch):
    """Lessons first, then instructors' and solutions' notebooks (not the alphabet's order of the
    folders), each folder in name order whatever order the files were made in."""
    made = ["solutions/01-b.ipynb", "notebooks/10-k.ipynb", "instructors/gallery.ipynb",
            "notebooks/02-c.ipynb", "solutions/00-a.ipynb", "notebooks/readme.md"]
    for name in made:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    found = [p.relative_to(tmp_path).as_posix() for p in notebooks.notebook_paths()]
    assert found == [
        "notebooks/02-c.ipynb", "notebooks/10-k.ipynb", "instructors/gallery.ipynb",
        "solutions/00-a.ipynb", "solutions/01-b.ipynb",
    ]
    assert [p.name for p in notebooks.notebook_paths(("solutions",))] == ["00-a.ipynb", "01-b.ipynb"]


def test_the_course_starts_with_lesson_00():
    found = [p.relative_to(paths.ROOT).as_posix() for p in notebooks.notebook_paths()]
    assert found[0] == "notebooks/00-start-here.ipynb"
    assert "instructors/widget-gallery.ipynb" in found


@pytest.mark.slow
def test_execute_runs_a_notebook_again_only_when_its_inputs_change(tmp_path, monkeypatch):
    root = tmp_path / "course-root"
    (root / "data").mkdir(parents=True)
    (root / "questions").mkdir()
    (root / "data" / "table.csv").write_text("a\n1\n")
    (root / "requirements.txt").write_text("pandas==1\n")
    monkeypatch.setattr(paths, "ROOT", root)
    path = write(root / "lesson.ipynb", "print(open('data/table.csv').read())")
    monkeypatch.chdir(root)
    assert notebooks.execute_in_place(path) is not None, "first run"
    assert notebooks.execute_in_place(path) is None, "nothing changed"
    (root / "data" / "table.csv").write_text("a\n2\n")
    assert notebooks.execute_in_place(path) is not None, "a data file changed"
    (root / "questions" / "lesson.toml").write_text("[[check]]\n")
    assert notebooks.execute_in_place(path) is not None, "its question file appeared"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].source += "\nprint('more')"
    nbformat.write(nb, str(path))
    assert notebooks.execute_in_place(path) is not None, "a cell changed"
    assert notebooks.execute_in_place(path, force=True) is not None, "--force"
    assert len(nbformat.read(str(path), as_version=4).cells) == 1, "the module probe is not saved"


def test_the_digest_covers_the_package_modules_the_kernel_imported(tmp_path, monkeypatch):
    root = tmp_path / "course-root"
    (root / "course").mkdir(parents=True)
    (root / "course" / "texts.py").write_text("A = 1\n")
    monkeypatch.setattr(paths, "ROOT", root)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import course.texts")])
    before = notebooks.inputs_digest(root / "x.ipynb", nb, ["course/texts.py"])
    assert notebooks.inputs_digest(root / "x.ipynb", nb, []) != before
    (root / "course" / "texts.py").write_text("A = 2\n")
    assert notebooks.inputs_digest(root / "x.ipynb", nb, ["course/texts.py"]) != before
