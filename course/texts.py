"""The five source texts and their provenance manifest (``data/sources/sources.csv``).

The texts are the course's only factual basis, so they are read byte-for-byte and never
cleaned: a quote must match the file exactly.
"""

from __future__ import annotations

import html
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from course import paths

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "sources.csv"


def show_full_text() -> None:
    """Show every cell of a displayed table in full, never cut off with "…".

    The course's text columns (quotes, definitions, positions, notes, citation styles) are
    the evidence, so a lesson must never hide their ends. pandas cuts cells at 50 characters
    by default; this sets ``display.max_colwidth`` to ``None`` for the whole session. The
    table helpers (:func:`sources`, ``load_table``, ``claims``, ``search``) call it on first
    use, so no lesson sets it by hand; ``import course`` alone changes nothing.
    """
    import pandas as pd

    pd.set_option("display.max_colwidth", None)


#: The header of a table's row labels when neither they nor the columns have a name: what
#: ``reset_index()`` would call them.
UNNAMED_INDEX = "index"


def table_html(frame: pd.DataFrame) -> str:
    """A DataFrame as HTML in which every header cell says something, for screen readers.

    pandas leaves the top-left header cell empty, and adds a second header row of empty
    cells under a named index. Here an unnamed index of whole numbers (row numbers, which mean
    nothing to a reader) is hidden; any other index keeps its labels as row headers, and its
    name goes into the top-left cell, with the columns' name if they have one ("source_id by
    kind" for a cross-table). Rows and columns are cut as pandas' display options say. The
    table sits in a labelled box that the keyboard can reach and scroll when it is wide.
    """
    import pandas as pd

    max_rows, min_rows = pd.get_option("display.max_rows"), pd.get_option("display.min_rows")
    if max_rows is not None and len(frame) > max_rows and min_rows:
        max_rows = min(min_rows, max_rows)  # as pandas does: a long table shows its first and last rows
    options = {
        "notebook": True,
        "max_rows": max_rows,
        "max_cols": pd.get_option("display.max_columns"),
        "show_dimensions": pd.get_option("display.show_dimensions"),
    }
    index = frame.index
    if frame.columns.nlevels > 1:  # header rows of their own, spanning columns: pandas' layout
        shown = frame.to_html(**options)
    elif index.nlevels > 1:  # each level becomes a column headed by its name
        shown = frame.reset_index(allow_duplicates=True).to_html(index=False, **options)
    elif index.name is None and pd.api.types.is_integer_dtype(index.dtype):
        # a columns' name would get a column of empty header cells of its own (pandas 3.1)
        shown = frame.rename_axis(columns=None).to_html(index=False, **options)
    else:
        names = [str(name) for name in (index.name, frame.columns.name) if name is not None]
        shown = frame.rename_axis(index=None, columns=" by ".join(names) or UNNAMED_INDEX).to_html(**options)
    return _scroll_region(shown, f"Table, {len(frame)} rows by {len(frame.columns)} columns")


def _scroll_region(table: str, label: str) -> str:
    """A wide table scrolls sideways inside its own labelled box, which the keyboard can reach
    (Tab, then the arrow keys); otherwise the output area scrolls, and no key gets there. A
    group, not a region: two tables of the same size would be two landmarks of one name."""
    return (
        f'<div class="course-table" role="group" aria-label="{html.escape(label)}" tabindex="0" '
        f'style="overflow-x:auto;max-width:100%">{table}</div>'
    )


def show_tables_with_headers() -> None:
    """Show every DataFrame in this IPython session with :func:`table_html`, so a table a
    student makes is as readable as the course's own. Outside IPython it does nothing."""
    import pandas as pd

    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)


def display_defaults() -> None:
    """How tables are shown in a lesson: text in full (:func:`show_full_text`) and a header in
    every header cell (:func:`show_tables_with_headers`). The table helpers call it on first
    use; ``import course`` alone changes nothing."""
    show_full_text()
    show_tables_with_headers()


@lru_cache(maxsize=1)
def _manifest() -> pd.DataFrame:
    import pandas as pd

    path = paths.SOURCES / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"The source manifest is missing: {path}. Is the course checked out completely?")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table["date_published"] = pd.to_datetime(table["date_published"].replace("", None), format="%Y-%m-%d")
    for column in ("word_count", "bytes"):
        table[column] = table[column].astype("int64")
    display_defaults()
    return table.set_index("source_id", drop=False)


def sources() -> pd.DataFrame:
    """The manifest of the five texts, one row per text, indexed by ``source_id``.

    Empty cells mean the text itself does not say (no outlet, no date): nothing is guessed.
    """
    return _manifest().copy()


def source_ids() -> list[str]:
    """The ids used to cite each text, in manifest order."""
    return list(_manifest().index)


def _check_id(source_id: str) -> str:
    if not isinstance(source_id, str):
        raise TypeError(f"A source id is a string such as 'wsj', not {type(source_id).__name__}.")
    known = source_ids()
    if source_id not in known:
        raise KeyError(f"Unknown source id {source_id!r}. The sources are: {', '.join(known)}.")
    return source_id


@cache
def load_source(source_id: str) -> str:
    """The full text of one source, exactly as published (no whitespace or quote cleaning)."""
    row = _manifest().loc[_check_id(source_id)]
    return (paths.SOURCES / row["file"]).read_bytes().decode("utf-8")


def attribution(source_id: str) -> str:
    """A one-line citation built only from what the manifest knows, e.g.
    ``wsj: Raffaele Huang; Liza Lin, The Wall Street Journal, 2025-07-30``."""
    import pandas as pd

    row = _manifest().loc[_check_id(source_id)]
    parts = [row["authors"], row["outlet"] or row["kind"], row["title"] and f"“{row['title']}”"]
    date = row["date_published"]  # a Timestamp, or NaT when the text gives no date
    parts.append(date.date().isoformat() if isinstance(date, pd.Timestamp) else "undated")
    return f"{source_id}: " + ", ".join(p for p in parts if p)


class Quote:
    """A passage shown with its attribution; renders as a block quote with its source as the
    caption of a figure in Jupyter, and as plain text elsewhere (nbval compares the plain text)."""

    def __init__(
        self,
        text: str,
        source_id: str,
        claim_id: str | None = None,
        note: str | None = None,
        context: str | None = None,
    ):
        self.text = text
        self.source_id = source_id
        self.claim_id = claim_id
        self.note = note
        #: The sentence the passage stands in, when the passage is only part of it.
        self.context = context

    def _label(self) -> str:
        label = attribution(self.source_id)
        return f"[{self.claim_id}] {label}" if self.claim_id else label

    def __repr__(self) -> str:
        lines = [f"“{self.text}”", f"    — {self._label()}"]
        if self.note:
            lines.append(f"    ({self.note})")
        if self.context:
            lines.append(f"    in context: “{self.context.replace(self.text, f'«{self.text}»', 1)}”")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        note = f"<br><small>{html.escape(self.note)}</small>" if self.note else ""
        if self.context:
            before, _, after = self.context.partition(self.text)
            marked = f"{html.escape(before)}<mark>{html.escape(self.text)}</mark>{html.escape(after)}"
            note += f"<br><small>In context: “{marked}”</small>"
        # A figure holds the quote and its caption: a <footer> inside an output would be a
        # "content info" landmark, one per quote, among which a screen-reader user jumps.
        return (
            '<figure class="course-quote" style="border-left:4px solid #0072B2;'
            'margin:0.5em 0;padding:0.3em 0.8em">'
            '<blockquote style="margin:0;padding:0;border:none">'
            f"<p>{html.escape(self.text)}</p></blockquote>"
            f"<figcaption>— <cite>{html.escape(self._label())}</cite>{note}</figcaption></figure>"
        )


def show_quote(source_id: str, passage: str, note: str | None = None) -> Quote:
    """Display ``passage`` from a source with its attribution, after checking that the
    passage really is in that text (character for character)."""
    text = load_source(source_id)
    if not isinstance(passage, str) or not passage.strip():
        raise ValueError("Give the passage to quote as a non-empty string.")
    if passage not in text:
        raise ValueError(
            f"That passage is not in source {source_id!r} exactly as written. "
            "Copy it from the text: apostrophes (’ vs '), dashes and spaces must match."
        )
    return Quote(passage, source_id, note=note)
