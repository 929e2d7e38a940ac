"""The evidence base: claims quoted verbatim from the five texts (``data/claims.csv``) and
the tidy tables that cite them (``data/tables/*.csv``).

Column types come from ``data/datapackage.json``, the one written schema, so a lesson gets
real numbers and dates without knowing how the files are stored. The tests validate the
files against the same schema with the ``frictionless`` library; this module only reads
the JSON, so ``frictionless`` stays a test-only dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from course import paths
from course.texts import Quote, display_defaults, load_source, source_ids

if TYPE_CHECKING:
    import pandas as pd

PACKAGE = "datapackage.json"
TABLES_FOLDER = "tables/"
CLAIM_ID = re.compile(r"C\d{3}")

#: What sort of statement a claim is (the labels of the classification exercises).
KINDS: tuple[str, ...] = ("fact", "forecast", "assertion", "opinion")
#: Old names of filter values, and their new names (the kind "claim" became "assertion").
RENAMED = {("kind", "claim"): "assertion"}
#: Which lesson a claim serves.
THEMES: tuple[str, ...] = (
    "sources", "export-controls", "policy", "chips", "models", "talent", "energy", "governance", "global",
)


@lru_cache(maxsize=1)
def _package() -> dict[str, Any]:
    path = paths.DATA / PACKAGE
    if not path.exists():
        raise FileNotFoundError(f"The data schema is missing: {path}. Is the course checked out completely?")
    return json.loads(path.read_text(encoding="utf-8"))


def _resources() -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in _package()["resources"]}


def table_names() -> list[str]:
    """The tables in ``data/tables/``, in the order the schema lists them."""
    return [name for name, r in _resources().items() if r["path"].startswith(TABLES_FOLDER)]


@cache
def _read(name: str) -> pd.DataFrame:
    """Read one resource of the data package and give each non-text column the type its
    schema says; text stays text, with '' for an empty cell."""
    import pandas as pd

    resource = _resources()[name]
    table = pd.read_csv(paths.DATA / resource["path"], dtype=str, keep_default_na=False, encoding="utf-8")
    for field in resource["schema"]["fields"]:
        column = table[field["name"]]
        missing = column == ""
        kind = field["type"]
        if kind == "integer":
            table[field["name"]] = pd.to_numeric(column.mask(missing)).astype("Int64")
        elif kind == "number":
            table[field["name"]] = pd.to_numeric(column.mask(missing)).astype("float64")
        elif kind == "boolean":
            table[field["name"]] = column.map({"true": True, "false": False}).astype("boolean")
        elif kind == "date":
            table[field["name"]] = pd.to_datetime(column.mask(missing), format="%Y-%m-%d")
    display_defaults()  # from the first table a lesson loads on, text in full and headers in every header cell
    return table


def load_table(name: str) -> pd.DataFrame:
    """One table of ``data/tables/`` as a DataFrame with proper types: numbers as floats,
    dates as datetime64, empty numbers and dates as missing (NaN, NaT), empty text as ''
    (so string methods need no ``na=`` argument). Each row's ``claim_ids`` say where it
    comes from (see :func:`claim_ids_of` and :func:`quote`)."""
    if not isinstance(name, str):
        raise TypeError(f"Give the table's name as a string, e.g. load_table('subsidies'), not {type(name).__name__}.")
    names = table_names()
    if name not in names:
        raise KeyError(f"There is no table {name!r}. The tables are: {', '.join(names)}.")
    return _read(name).copy()


def _choices(label: str, value: str | Iterable[str] | None, allowed: Iterable[str]) -> list[str] | None:
    """A filter value as a list, after checking every item against the allowed values."""
    allowed = list(allowed)
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise TypeError(
            f"{label} should be a string such as {allowed[0]!r} or a list of them, not {type(value).__name__}."
        )
    values = list(values)
    for item in values:
        if not isinstance(item, str):
            raise TypeError(f"{label} should be a string such as {allowed[0]!r}, not {type(item).__name__}.")
        if item not in allowed:
            renamed = RENAMED.get((label, item))
            hint = f" The kind {item!r} is now called {renamed!r}: a claim is any record of claims.csv." * bool(renamed)
            raise ValueError(f"Unknown {label} {item!r}. Choose from: {', '.join(allowed)}.{hint}")
    return values


def claims(
    theme: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    source: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The claims, optionally only some themes, kinds or sources (each a string or a list).

    >>> claims(kind="forecast", source="wsj")  # doctest: +SKIP
    """
    table = _read("claims")
    keep = table["claim_id"].notna()
    for column, label, value, allowed in (
        ("theme", "theme", theme, THEMES),
        ("kind", "kind", kind, KINDS),
        ("source_id", "source", source, source_ids()),
    ):
        chosen = _choices(label, value, allowed)
        if chosen is not None:
            keep &= table[column].isin(chosen)
    return table[keep].reset_index(drop=True)


def claim_ids_of(row: str | Mapping[str, Any] | pd.Series) -> list[str]:
    """The claim ids a table row cites, as a list: accepts a row (Series or dict) or its
    ``claim_ids`` text, e.g. ``'C012;C013'``."""
    text = row if isinstance(row, str) else row["claim_ids"]
    if not isinstance(text, str):
        raise TypeError("claim_ids_of needs a table row with a 'claim_ids' column, or a string such as 'C012;C013'.")
    return [part for part in text.split(";") if part]


@lru_cache(maxsize=1)
def _claims_by_id() -> dict[str, tuple[str, str]]:
    table = _read("claims")
    ids, sources, quotes = (table[column].tolist() for column in ("claim_id", "source_id", "quote"))
    return {claim_id: (source_id, passage) for claim_id, source_id, passage in zip(ids, sources, quotes, strict=True)}


def claim_sources() -> dict[str, str]:
    """Claim id -> the id of the source it quotes, for every claim."""
    return {claim_id: source_id for claim_id, (source_id, _) in _claims_by_id().items()}


@cache
def _spans(source_id: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, claim_id) of each claim of one source, in text order."""
    text = load_source(source_id)
    spans = []
    for claim_id, (source, passage) in _claims_by_id().items():
        if source == source_id:
            start = text.find(passage)
            if start < 0:
                raise ValueError(f"Claim {claim_id}'s quote is not in source {source_id!r} as written.")
            spans.append((start, start + len(passage), claim_id))
    return tuple(sorted(spans))


# A sentence ends at . ! or ? (after any footnote markers and closing quote) followed by space
# and a capital, an opening quote or a digit; 'U.S.' and 'Co.' do not end one.
_SENTENCE_END = re.compile(r"(?<!U\.S)(?<!\bCo)[.!?](?:\[\d+\])*[\"”’]?\s+(?=[A-Z“\"‘'0-9])")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence(s) around text[start:end], never beyond its paragraph."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    begin, finish = line_start, line_end
    for found in _SENTENCE_END.finditer(text, line_start, line_end):
        stop = found.start() + len(found.group().rstrip())  # after the full stop and any closing quote
        if found.end() <= start:
            begin = found.end()
        elif stop >= end:
            finish = stop
            break
    return text[begin:finish].strip()


def quote(claim_id: str) -> Quote:
    """Show a claim's quote with its source and claim id, and the sentence it stands in
    (a quote is often a clause: the context shows what it leaves out)."""
    if not isinstance(claim_id, str):
        raise TypeError(f"A claim id is a string such as 'C012', not {type(claim_id).__name__}.")
    known = _claims_by_id()
    if claim_id not in known:
        hint = "" if CLAIM_ID.fullmatch(claim_id) else " Claim ids look like 'C012'."
        raise KeyError(f"There is no claim {claim_id!r}.{hint} See claims() for the list.")
    source_id, passage = known[claim_id]
    text = load_source(source_id)
    start = text.index(passage)
    context = _sentence(text, start, start + len(passage))
    # no context when it adds only punctuation, emoji or footnote markers
    adds_words = re.search(r"\w", re.sub(r"\[\d+\]", "", context.replace(passage, "", 1)))
    return Quote(passage, source_id, claim_id=claim_id, context=context if adds_words else None)


_QUOTE_MARKS = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def search_pattern(term: str) -> re.Pattern[str]:
    """A case-insensitive pattern for ``term`` in which any quote mark matches its straight
    or curly forms, so a student typing ' finds ’."""
    return re.compile("".join(_QUOTE_MARKS.get(ch, re.escape(ch)) for ch in term), re.IGNORECASE)


def search(term: str, source: str | Iterable[str] | None = None, width: int = 60) -> pd.DataFrame:
    """Every place ``term`` occurs in the texts (case-insensitive), with ``width`` characters
    either side (a keyword-in-context table) and the claims whose quote covers the hit
    (empty when no claim does: a gap in the evidence base, or a passage nobody needs).
    Straight and curly quote marks match each other (the texts mix them: China's, China’s).
    Paragraph breaks show as ¶."""
    import pandas as pd

    if not isinstance(term, str):
        raise TypeError(
            f"Search for a word or phrase given as a string, e.g. search('Huawei'), not {type(term).__name__}."
        )
    if not term.strip():
        raise ValueError("Search for a word or phrase, e.g. search('Huawei'); an empty search finds everything.")
    if isinstance(width, bool) or not isinstance(width, int) or width < 0:
        raise ValueError(
            f"width is the number of characters shown either side: a whole number such as 60, not {width!r}."
        )
    chosen = _choices("source", source, source_ids()) or source_ids()
    pattern = search_pattern(term)
    rows = []
    for source_id in source_ids():
        if source_id not in chosen:
            continue
        text = load_source(source_id)
        for found in pattern.finditer(text):
            covering = [c for s, e, c in _spans(source_id) if s <= found.start() and found.end() <= e]
            rows.append({
                "source_id": source_id,
                "position": found.start(),
                "left": text[max(0, found.start() - width) : found.start()].replace("\n", "¶"),
                "match": found.group(),
                "right": text[found.end() : found.end() + width].replace("\n", "¶"),
                "claim_ids": ";".join(covering),
            })
    columns = ["source_id", "position", "left", "match", "right", "claim_ids"]
    result = pd.DataFrame(rows, columns=columns)
    return result.astype({"position": "int64"})
