"""Tables shown to learners have something in every header cell: a screen reader reads a
column's or a row's header with each cell, and an empty one ("empty table header") says
nothing. Row numbers are hidden; a named index heads its row labels."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import course
from course.texts import UNNAMED_INDEX, show_tables_with_headers, table_html

HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)


def headers(html: str) -> list[str]:
    """The text of every header cell, in order."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in HEADER.findall(html)]


def crosstab() -> pd.DataFrame:
    claims = course.claims()
    return pd.crosstab(claims["source_id"], claims["kind"])


TABLES = {
    "row numbers": lambda: course.claims()[["claim_id", "kind"]].head(3),
    "filtered row numbers": lambda: course.claims().query("kind == 'forecast'")[["claim_id"]],
    "named index": lambda: course.sources()[["outlet", "authors"]],
    "cross-table": crosstab,
    "two-level index": lambda: course.claims().groupby(["source_id", "kind"]).size().to_frame("claims"),
    "transposed": lambda: course.load_table("energy").set_index("row_id").head(2).T,
    "one row as a column": lambda: course.load_table("energy").set_index("row_id").iloc[0].to_frame(),
    "row numbers, named columns": lambda: crosstab().reset_index(),
    "cut to a few rows": lambda: course.claims(),
    "no rows": lambda: course.claims().head(0),
    "index named 0": lambda: pd.DataFrame({"a": [1]}, index=pd.Index(["x"], name=0)),
}


@pytest.mark.parametrize("frame", [
    pd.DataFrame(), pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("x", "a"), ("x", "b")])),
], ids=["empty", "two-level columns"])
def test_any_frame_is_shown(frame):
    """A display hook that raised would put a traceback where the student's table was."""
    assert "<table" in table_html(frame)


@pytest.mark.parametrize("make", TABLES.values(), ids=TABLES.keys())
def test_every_header_cell_says_something(make):
    frame = make()
    with pd.option_context("display.max_rows", 10, "display.min_rows", 4):
        cells = headers(table_html(frame))
    assert cells and all(cells), f"an empty header cell among {cells}"


def test_row_numbers_are_hidden_and_a_named_index_heads_its_labels():
    numbered = headers(table_html(course.claims()[["claim_id", "kind"]].head(2)))
    assert numbered == ["claim_id", "kind"], "no row numbers, no corner cell"
    named = headers(table_html(course.sources()[["outlet"]]))
    assert named == ["source_id", "outlet", *course.sources().index], "the index's name tops its labels, one header row"
    assert headers(table_html(crosstab()))[0] == "source_id by kind"
    assert headers(table_html(pd.DataFrame({"a": [1]}, index=["x"])))[0] == UNNAMED_INDEX


@pytest.mark.parametrize("rows", [3, 200])
def test_the_values_and_the_cut_are_those_pandas_shows(rows):
    """Only the headers change: the cells, and where a long table is cut, are pandas' own."""
    frame = pd.DataFrame({"x": range(rows), "y": [f"v{n}" for n in range(rows)]})
    ours = table_html(frame)
    assert ours.count("<tr>") == frame._repr_html_().count("<tr>"), "the same body rows"
    for cell in re.findall(r"<td>.*?</td>", frame._repr_html_()):
        assert cell in ours


def test_a_session_shows_every_dataframe_with_headers():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        show_tables_with_headers()
        frame = pd.DataFrame({"a": [1, 2]})
        shown, _ = shell.display_formatter.format(frame)
        assert headers(shown["text/html"]) == ["a"]
        assert shown["text/plain"] == repr(frame), "the plain text (which nbval compares) is pandas' own"
    finally:
        InteractiveShell.clear_instance()


def test_a_wide_table_scrolls_in_a_region_the_keyboard_reaches():
    """Otherwise JupyterLab's output area scrolls, and it takes no focus (axe:
    scrollable-region-focusable, exercise 07's energy table)."""
    shown = table_html(course.load_table("energy"))
    rows, columns = course.load_table("energy").shape
    assert shown.startswith(f'<div class="course-table" role="group" aria-label="Table, {rows} rows by {columns} '
                            'columns" tabindex="0" style="overflow-x:auto')
