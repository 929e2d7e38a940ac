"""The glossary explains each term in the course's words first, then may point at the text
(issue 17: "Glossary entries explain the term in the course's words, then quote the text").
A definition that only repeats a quote, or opens with what a text says, teaches nothing the
quote does not."""

from __future__ import annotations

import difflib
import re

import pytest

from course import paths
from course.authoring.datacheck.files import read_rows
from course.authoring.passages import claims_by_id

GLOSSARY = read_rows(paths.DATA / "tables" / "glossary.csv")
CLAIMS = claims_by_id()
#: The most characters the first sentence of a definition may share, in one run, with a quote.
MOST_SHARED = 30
SOURCE_FIRST = re.compile(r"^(?:In\s+)?(?:the\s+)?(?:WSJ|blog|billions|curbs|MERICS)\b", re.I)


def first_sentence(definition: str) -> str:
    return re.split(r"(?<=[.;:])\s", definition, maxsplit=1)[0]


def shared_run(text: str, quote: str) -> int:
    match = difflib.SequenceMatcher(None, text.lower(), quote.lower(), autojunk=False)
    return match.find_longest_match(0, len(text), 0, len(quote)).size


@pytest.mark.parametrize("row", GLOSSARY, ids=[row["term"] for row in GLOSSARY])
def test_a_definition_explains_before_it_quotes(row):
    opening = first_sentence(row["definition"])
    assert not SOURCE_FIRST.match(opening), f"{row['term']}: open with what the term means, not with a text"
    cited = [CLAIMS[c]["quote"] for c in row["claim_ids"].split(";") if c in CLAIMS]
    longest = max((shared_run(opening, quote) for quote in cited), default=0)
    assert longest <= MOST_SHARED, f"{row['term']}: the first sentence repeats {longest} characters of a quote"


def test_the_check_catches_a_definition_that_only_quotes():
    quote = CLAIMS["C032"]["quote"]
    assert shared_run(first_sentence(quote[40:]), quote) > MOST_SHARED
    assert SOURCE_FIRST.match("In the WSJ, sectors 'such as semiconductors and AI'.")


def _variants(term: str) -> list[str]:
    """'GPU (graphics-processing unit)' is met as 'GPU' or 'graphics-processing unit'."""
    return [re.sub(r"\s*\(.*\)", "", term).strip(), *(e for e in re.findall(r"\((.*?)\)", term) if len(e) > 2)]


def _lesson_terms(path) -> tuple[str, set[str]]:
    """A lesson's prose (markdown outside its glossary and navigation) and the glossary terms its
    glossary section lists."""
    import nbformat

    terms = [row["term"] for row in GLOSSARY]
    nb = nbformat.read(str(path), as_version=4)
    prose, listed, in_glossary = [], set(), False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            in_glossary = cell.source.startswith("## Glossary")
            if in_glossary:
                continue
        if in_glossary and cell.cell_type == "code":
            listed |= {term for term in terms if f'"{term}"' in cell.source}
        elif cell.cell_type == "markdown" and not {"nav-top", "nav-bottom"} & set(cell.metadata.get("tags", [])):
            prose.append(cell.source)
    return "\n".join(prose), listed


def test_a_term_is_in_the_glossary_of_the_lesson_that_first_uses_it():
    """Terms before use: the first lesson whose prose uses a glossary term lists it in its
    glossary section, or an earlier lesson did, so a learner has met the explanation by the
    lesson that needs it."""
    first: dict[str, tuple[str, bool]] = {}
    listed_so_far: set[str] = set()
    for path in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        prose, listed = _lesson_terms(path)
        listed_so_far |= listed
        for row in GLOSSARY:
            term = row["term"]
            if term not in first and any(
                re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", prose, re.I) for v in _variants(term)
            ):
                first[term] = (path.name, term in listed_so_far)
    missing = sorted(f"{term} (first used in {name})" for term, (name, listed) in first.items() if not listed)
    assert missing == [], "list these in the glossary section of the lesson that first uses them"
