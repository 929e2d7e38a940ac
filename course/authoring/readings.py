"""Checks that the course's own readings stay marked and grounded (data/README.md, "The
course's reading"): :func:`agreement_problems`, a relation in agreement.csv rests on the claims
its row cites and the position says no more than they do; :func:`reading_mark_problems`, a note
that states an inference of the course's begins "Course's reading:"; :func:`subject_problems`,
a claim cut from its subject names the claim that holds it. Pure functions over rows, like
those of ``course.authoring.drift``, returning readable problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from course.authoring.datacheck.tables import READING
from course.authoring.passages import row_key

# ---------------------------------------------------------------- (e) agreement relations

RELATIONS = ("reference", "agrees", "differs in detail", "differs in emphasis", "disagrees")
#: Capitalised words a position may use without a cited quote spelling them.
COMMON_NAMES = {
    "China",
    "Chinese",
    "US",
    "U.S.",
    "American",
    "AI",
    "LLM",
    "LLMs",
    "Not",
    "The",
    "It",
    "They",
    "A",
    "An",
    "Less",
    "Mostly",
    "More",
    "Over",
    "City",
    "Same",
    "Says",
}


def _position_problems(position: str, said: str) -> list[str]:
    """Each number, quoted phrase and name of a position that is not in ``said`` (its cited
    quotes and its speaker)."""
    problems = [
        f"the position's {number!r} is in none of its cited quotes"
        for number in re.findall(r"\d+(?:[.,]\d+)*", position)
        if number not in said
    ]
    problems += [
        f"the position quotes {phrase!r}, which no cited quote says"
        for phrase in re.findall(r"(?<![\w’'])'([^']+)'(?!\w)", position)
        if phrase not in said
    ]
    unquoted = re.sub(r"'[^']+'", "", position)
    for name in re.findall(r"(?<!^)(?<!; )\b[A-Z][\w.-]*", unquoted):
        name = re.sub(r"(?:'s|’s)$", "", name).rstrip(".")
        if name not in COMMON_NAMES and name not in said and name.rstrip("s") not in said:
            problems.append(f"the position names {name!r}, which none of its cited quotes does")
    return problems


def agreement_problems(rows: Sequence[Mapping[str, str]], claims: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Each topic has one reference row; a relation is one of the four; every cited claim is
    the row's source's; and the position says no more than its cited quotes: each number,
    each quoted phrase and each name in it is in a cited quote (or the row's speaker)."""
    problems = []
    topics: dict[str, list[str]] = {}
    for row in rows:
        where = f"agreement.csv {row['topic']}/{row['source_id']}"
        topics.setdefault(row["topic"], []).append(row["relation"])
        if row["relation"] not in RELATIONS:
            problems.append(f"{where}: relation {row['relation']!r} is not one of {RELATIONS}")
        ids = row["claim_ids"].split(";")
        if any(c not in claims for c in ids):
            problems.append(f"{where}: cites an unknown claim ({row['claim_ids']})")
            continue
        cited = [claims[c] for c in ids]
        problems += [
            f"{where}: cites {c['claim_id']}, a claim of {c['source_id']}, not of {row['source_id']}"
            for c in cited
            if c["source_id"] != row["source_id"]
        ]
        said = " ".join(c["quote"] for c in cited) + " " + row["speaker"]
        problems += [f"{where}: {problem}" for problem in _position_problems(row["position"], said)]
        if row["relation"] in ("differs in detail", "disagrees") and not row["note"]:
            problems.append(f"{where}: a {row['relation']!r} row needs a note saying how")
    for topic, relations in topics.items():
        if relations.count("reference") != 1:
            problems.append(
                f"agreement.csv {topic}: needs exactly one reference row, has {relations.count('reference')}"
            )
    return problems


# ---------------------------------------------------------------- the course's reading, marked

#: Words in a note that state an inference of the course's, which must then carry the mark.
INFERENCE = re.compile(
    r"\b(?:read as|stored as|is the course's|from the article's date|implied|paraphrases?|"
    r"the most recent \w+ before|the first \w+ after|size class|we infer|inferred)\b",
    re.I,
)
#: The kinds of claim on which a `reported` row can stand.
CHECKABLE = ("fact", "assertion", "forecast")


def _row_marks(name: str, row: Mapping[str, str], claims: Mapping[str, Mapping[str, str]]) -> list[str]:
    """A table row's notes that state an inference carry the mark; a `reported` row stands on a
    checkable claim or says with the mark why not."""
    key, problems = row_key(name, row), []
    for column in ("note", "dating_note"):
        cell = row.get(column, "")
        found = INFERENCE.search(cell)
        if found and READING not in cell:
            problems.append(
                f"{name}.csv {key}: {column} states an inference ({found.group()!r}) without "
                f'"{READING}:": {cell[:100]!r}'
            )
    if row.get("status") == "reported":
        kinds = {claims[c]["kind"] for c in row["claim_ids"].split(";") if c in claims}
        if not kinds & set(CHECKABLE) and READING not in row.get("note", ""):
            problems.append(
                f"{name}.csv {key}: status 'reported' but every cited claim is an opinion "
                f"({row['claim_ids']}); use status 'opinion', or say why in note with \"{READING}:\""
            )
    return problems


def reading_mark_problems(
    all_tables: Mapping[str, list[dict[str, str]]],
    fields: Sequence[Mapping[str, str]],
    claims: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """The interpretation mark: a note or dating note that states an inference carries
    "Course's reading"; an `inferred` manifest field says it is the course's reading; a row
    with status `reported` stands on a checkable claim, or says with the mark why not."""
    problems = [
        problem for name, rows in all_tables.items() for row in rows for problem in _row_marks(name, row, claims)
    ]
    for field in fields:
        if field["basis"] == "inferred" and READING not in field["reasoning"]:
            problems.append(
                f"fields.csv {field['source_id']}/{field['field']}: inferred, but the reasoning does not "
                f'say "{READING}"'
            )
    for claim in claims.values():
        found = INFERENCE.search(claim.get("note", ""))
        if found and READING not in claim["note"] and "rule" not in claim["note"]:
            problems.append(
                f"claims.csv {claim['claim_id']}: note states an inference ({found.group()!r}) without the mark"
            )
    return problems


#: Claims that begin in the middle of a sentence but hold their own subject, and why.
OWN_SUBJECT = {
    "C013": "'major cities like Beijing, Shenzhen, Hangzhou, and Chengdu' is the subject, inside the quote",
    "C087": "a date line, not a sentence",
}


def subject_problems(
    claims: Mapping[str, Mapping[str, str]], own_subject: Mapping[str, str] = OWN_SUBJECT
) -> list[str]:
    """A claim whose quote begins in the middle of its sentence (a lower-case word: a verb,
    a participle, 'who', 'a push that…') names in its note the claim that holds its
    subject ('Subject in C028', 'Refers to C103')."""
    problems = []
    for claim_id, claim in claims.items():
        quote = claim["quote"]
        if not quote[:1].islower() or claim_id in own_subject:
            continue
        named = set(re.findall(r"(?:Subject in|Refers to) (C\d{3})", claim.get("note", ""))) - {claim_id}
        if not named:
            problems.append(
                f"claims.csv {claim_id}: {quote[:50]!r}… begins mid-sentence; its note must name the claim that "
                "holds its subject ('Subject in Cnnn: …')"
            )
    return problems
