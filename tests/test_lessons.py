"""Every lesson keeps the course's skeleton, states only traceable numbers, and is clean:
committed outputs without errors, warnings or stderr, figures with a sentence beneath,
navigation generated and current."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import nbformat
import pytest

import course
from course import paths
from course.authoring import minutes, navigation, notebooks

LESSONS = notebooks.notebook_paths(("notebooks",))
SKELETON = ["Reading", "Analysis", "Figure", "Check your understanding", "Key points", "Glossary", "What next"]
HEADER_FIELDS = ["**Questions", "**Objectives", "**Minutes:**", "**Prerequisites"]
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
CLAIM_ID = re.compile(r"\bC\d{3}\b")


def lesson_ids():
    return [p.name for p in LESSONS]


@cache
def read(path):
    """A notebook, read once for this module (the tests only read it)."""
    return nbformat.read(str(path), as_version=4)


@cache
def checks_of(stem: str) -> list:
    """The lesson's self-checks from ``questions/<stem>.toml``, read once for this module."""
    from course.questions import source

    return source.load(stem).checks


def markdown_cells(nb):
    return [c for c in nb.cells if c.cell_type == "markdown"]


def test_the_first_five_lessons_exist():
    numbers = [p.name[:2] for p in LESSONS]
    assert numbers[:5] == ["00", "01", "02", "03", "04"], numbers


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_lesson_follows_the_skeleton(path):
    nb = read(path)
    cells = markdown_cells(nb)
    assert cells[0].source.startswith(f"# {path.name[:2]} "), "first cell: '# NN Title'"
    header = "\n".join(c.source for c in cells[:3])
    for field in HEADER_FIELDS:
        assert field in header, f"the opening cells need {field}"
    headings = [m for c in cells for m in re.findall(r"^## (.+)$", c.source, re.M)]
    positions = []
    for section in SKELETON:
        found = [i for i, h in enumerate(headings) if h.strip().startswith(section)]
        assert found, f"missing section '## {section}' (have: {headings})"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"


@lru_cache(maxsize=1)
def traceable_numbers() -> frozenset[str]:
    """Every number written in a claim's quote or stored in a table."""
    found = set()
    for text in course.claims()["quote"]:
        found.update(n.replace(",", "") for n in NUMBER.findall(text))
    from course import evidence

    for name in evidence.table_names():
        for value in map(str, course.load_table(name).to_numpy().ravel()):
            found.update(n.replace(",", "") for n in NUMBER.findall(value))
            if value.endswith(".0"):
                found.add(value[:-2])
    return frozenset(found)


def stated_numbers(source: str) -> list[str]:
    source = re.sub(r"`[^`]*`", "", source)  # code is checked by running it
    source = re.sub(r"\]\([^)]*\)", "]", source)  # link targets (file names)
    source = CLAIM_ID.sub("", source)
    source = minutes.MINUTES.sub("", source)
    source = re.sub(r"^# \d\d ", "# ", source, flags=re.M)  # the lesson's own number
    return [n.replace(",", "") for n in NUMBER.findall(source)]


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_every_number_in_the_prose_traces_to_the_evidence(path):
    nb = read(path)
    untraced = []
    for cell in markdown_cells(nb):
        if {navigation.NAV_TOP, navigation.NAV_BOTTOM} & set(cell.metadata.get("tags", [])):
            continue
        untraced += [n for n in stated_numbers(cell.source) if n not in traceable_numbers()]
    assert not untraced, f"numbers in the prose that no claim or table holds: {sorted(set(untraced))}"


def test_traceability_check_can_fail():
    assert "1000000007" not in traceable_numbers()
    assert stated_numbers("In 2017 a plan; in `2099` code; [C001] cites") == ["2017"]


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_committed_outputs_are_clean(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a lesson has code for the student to run"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "execute in order from a fresh kernel: make execute"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"error output in: {cell.source[:60]}"
            assert output.get("name") != "stderr", f"stderr output in: {cell.source[:60]}"
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert "Warning" not in text, f"warning in output of: {cell.source[:60]}"
            assert not re.search(r"\b0x[0-9a-f]{6,}", text), "memory address in output"


FIGURE = re.compile(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]*)" style="[^"]*">')


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_every_figure_is_stored_once_and_says_what_it_shows(path):
    """A figure is one <img> with its sentence as alt text (course.show_figure), followed by
    the caption; a bare PNG (plt.show()) has no alt text and is refused."""
    nb = read(path)
    figures = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.outputs
        for i, output in enumerate(outputs):
            data = output.get("data", {})
            where = f"in: {cell.source[:60]}"
            assert "image/png" not in data, (
                f"a figure stored as a bare PNG (no alt text) or twice: use course.show_figure, "
                f"then `make execute` {where}"
            )
            found = FIGURE.findall(str(data.get("text/html", "")))
            if not found:
                continue
            figures += len(found)
            assert len(found) == 1 and all(len(alt.split()) >= 6 for alt in found), f"a figure without alt text {where}"
            after = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs[i + 1:])
            assert "What the figure shows:" in after and "Sources:" in after, f"figure without caption {where}"
    if path.name[:2] != "00":
        assert figures >= 1, "every lesson after 00 has at least one figure"


def test_navigation_and_course_map_are_current():
    assert navigation.update(check=True) == [], "run `make nav`"


def test_course_map_lists_every_lesson_with_binder_link():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for path in LESSONS:
        assert navigation.binder_url(f"notebooks/{path.name}") in readme
        if (paths.EXERCISES / path.name).exists():
            assert f"[exercise](exercises/{path.name})" in readme
            assert navigation.binder_url(f"exercises/{path.name}") in readme, "each exercise opens on Binder"


def test_readme_links_name_the_repository_of_pyproject():
    """The hand-written badge and JupyterHub template must follow the one repository setting."""
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    owner, name = navigation.repository().split("/")
    assert f"({navigation.binder_url('notebooks/00-start-here.ipynb')})" in readme.split("## Course map")[0]
    assert f"repo=https%3A%2F%2Fgithub.com%2F{owner}%2F{name}" in readme
    assert f"urlpath=lab%2Ftree%2F{name}%2Fnotebooks%2F00-start-here.ipynb" in readme


def check_cells(nb):
    """(index, question id) of every generated self-check cell."""
    return [(n, c.metadata["course"]["question"]) for n, c in enumerate(nb.cells)
            if c.cell_type == "code" and isinstance(c.metadata.get("course"), dict)]


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_lesson_has_hidden_self_checks_of_several_kinds(path):
    """Lesson 00 has at least three checks; every other lesson at least four of three kinds. Their
    cells are collapsed (a student sees the question, not the code) and generated from the source."""
    nb = read(path)
    checks = checks_of(path.stem)
    placed = [qid for _, qid in check_cells(nb)]
    assert placed == [q.name for q in checks], "every [[check]] has its cell, in the file's order"
    for n, _ in check_cells(nb):
        cell = nb.cells[n]
        assert "check" in cell.metadata.get("tags", []) and cell.metadata.get("jupyter", {}).get("source_hidden")
    kinds = {q.kind for q in checks}
    least, kinds_least = (3, 2) if path.name.startswith("00") else (4, 3)
    assert len(checks) >= least and len(kinds) >= kinds_least, f"{len(checks)} checks of kinds {sorted(kinds)}"


def _text_of(cell) -> str:
    if cell.cell_type == "markdown":
        return cell.source
    shown = [str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])]
    return "\n".join(shown)


def _right_texts(question) -> list[str]:
    """The strings that would give a check away if the cell above printed them."""
    solution = question.solution
    if question.kind == "number":
        return [f"{solution:g}"]
    if question.kind == "evidence finder":
        return [course.quote(c).text for c in solution]
    if question.kind in ("single choice", "multiple choice"):
        return [solution] if isinstance(solution, str) else list(solution)
    return []


def similarity(needle: str, haystack: str) -> float:
    """The best match of ``needle`` against any stretch of ``haystack`` of the same length."""
    from difflib import SequenceMatcher

    from course.questions.answers import normalise

    needle, haystack = normalise(needle), normalise(haystack)
    if not needle or not haystack:
        return 0.0
    if needle in haystack:
        return 1.0
    width = len(needle)
    starts = range(0, max(1, len(haystack) - width + 1), max(1, width // 4))
    return max(SequenceMatcher(None, needle, haystack[i:i + width]).ratio() for i in starts)


#: Above this similarity, the cell right above a check gives its answer away.
GIVEAWAY = 0.9


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_no_check_is_answered_by_the_cell_right_above_it(path):
    nb = read(path)
    checks = {q.name: q for q in checks_of(path.stem)}
    check_at = dict(check_cells(nb))
    for n, qid in check_at.items():
        above = next(nb.cells[i] for i in range(n - 1, -1, -1) if i not in check_at)
        for text in _right_texts(checks[qid]):
            if len(text) < 3:
                continue
            score = similarity(text, _text_of(above))
            assert score < GIVEAWAY, f"{qid}: the cell above shows {text!r} (similarity {score:.2f})"


def test_giveaway_check_can_fail():
    assert similarity("Semiconductors (chips)", "The answer: semiconductors (chips), says MERICS.") == 1.0
    assert similarity("Semiconductors (chips)", "Software frameworks are left to Big Tech.") < GIVEAWAY


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_numbers_in_checks_trace_to_the_evidence(path):
    untraced = []
    for q in checks_of(path.stem):
        for text in (q.prompt, q.hint, q.explanation):
            untraced += [n for n in stated_numbers(text) if n not in traceable_numbers()]
    assert not untraced, f"numbers in the checks that no claim or table holds: {sorted(set(untraced))}"


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids())
def test_claim_ids_cited_in_the_prose_exist(path):
    nb = read(path)
    cited = {c for cell in markdown_cells(nb) for c in CLAIM_ID.findall(cell.source)}
    unknown = cited - set(course.claims()["claim_id"])
    assert not unknown, f"the prose cites claims that do not exist: {sorted(unknown)}"


def test_no_dollar_sign_starts_a_formula():
    """JupyterLab reads $…$ in markdown as a formula: money must be written \\$5.6 million."""
    from course.authoring.notebooks import notebook_paths

    for path in notebook_paths(("notebooks", "instructors", "solutions", "exercises")):
        nb = read(path)
        for cell in markdown_cells(nb):
            bare = re.findall(r"(?<!\\)\$", re.sub(r"`[^`]*`", "", cell.source))
            assert not bare, f"{path.name}: escape the $ in: {cell.source[:80]!r}"
