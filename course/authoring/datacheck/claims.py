"""The checks of claims.csv against the texts, and of the tables' citations of claims
(data/README.md: the matching rule, the kind and speaker rules, the ignored numbers)."""

from __future__ import annotations

import re

from course.authoring.datacheck.files import CLAIMS, Data, Problem, Row, rows, table_file

DIGITS = re.compile(r"\d+")
CLAIM_ID = re.compile(r"^C\d{3}$")
#: Tables that hold figures or events, and so say who speaks (data/README.md, "Who speaks").
SPEAKER_TABLES = ("subsidies", "chips", "market_share", "talent", "energy", "indicators", "timeline", "agreement")
NOT_STATED = "not stated"
#: A forecast has a date or a measure: a digit, a month, or a number or period in words.
DATE_OR_MEASURE = re.compile(
    r"\d|\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|trillion|half|"
    r"majority|year|years|decade)\b",
    re.I,
)
#: Words that attribute a statement to someone: a claim whose quote has one is not in the author's voice.
ATTRIBUTION = re.compile(
    r"\b(according to|said|says|say|stated|claimed|claiming|forecast|predict|reported|reports|noted|touted|"
    r"emphasized|asserting that|acknowledged|they found|believe|view as)\b"
)
#: More ignored numbers than this would hide numbers that state facts.
MAX_IGNORED = 10

# ---------------------------------------------------------------- claims and texts


def quote_problems(data: Data) -> list[Problem]:
    """The matching rule: a quote is an exact substring of its text (decoded UTF-8, no
    normalisation of apostrophes, spaces or dashes), occurs exactly once, and stays within
    one paragraph."""
    problems = []
    for line, c in enumerate(data.claims, 2):
        text = data.texts.get(c["source_id"], "")
        found = text.count(c["quote"])
        if found != 1:
            where = _where_it_differs(c["quote"], text) if found == 0 else f"{c['quote']!r}"
            message = f"{c['claim_id']}: quote found {found} times in {c['source_id']} (must be once): {where}"
            problems.append(Problem(CLAIMS, line, "quote-once", message))
        if "\n" in c["quote"] or "\r" in c["quote"]:
            problems.append(
                Problem(CLAIMS, line, "quote-one-paragraph", f"{c['claim_id']}: quote spans a paragraph break")
            )
        if c["quote"] != c["quote"].strip():
            problems.append(
                Problem(CLAIMS, line, "quote-trimmed", f"{c['claim_id']}: quote starts or ends with white space")
            )
    return problems


def _where_it_differs(quote: str, text: str) -> str:
    """Where a quote stops matching its text: the longest start of it that the text holds, and the rest.

    An author who changed a word late in a long quote sees that word, not only the quote's start.
    """
    low, high = 0, len(quote)  # the text holds quote[:low] and not quote[:high + 1]
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return f"not even its first character is in the text: {quote!r}"
    held, rest = quote[:low], quote[low:]
    return f"the text holds its first {low} of {len(quote)} characters, then not {rest!r} (after {held[-40:]!r})"


def claim_id_problems(data: Data) -> list[Problem]:
    """Ids are Cnnn, listed in order without gaps or reuse (never renumbered), one per (text, quote)."""
    problems, seen = [], set()
    for line, c in enumerate(data.claims, 2):
        if not CLAIM_ID.match(c["claim_id"]) or c["claim_id"] != f"C{line - 1:03d}":
            problems.append(Problem(CLAIMS, line, "claim-id", f"{c['claim_id']!r}: line {line} holds C{line - 1:03d}"))
        if (c["source_id"], c["quote"]) in seen:
            problems.append(Problem(CLAIMS, line, "claim-unique", f"{c['claim_id']}: the same quote is claimed twice"))
        seen.add((c["source_id"], c["quote"]))
    return problems


def _covered_spans(source_id: str, text: str, claims: list[Row], ignored: list[Row]) -> list[tuple[int, int]]:
    """Where numbers are accounted for: claim quotes, and the ignored-number rules."""
    spans = []
    for c in claims:
        if c["source_id"] == source_id and c["quote"] in text:
            start = text.index(c["quote"])
            spans.append((start, start + len(c["quote"])))
    for row in ignored:
        if row["source_id"] != source_id:
            continue
        if row["rule"] == "regex":
            spans += [m.span() for m in re.finditer(row["context"], text)]
        elif row["context"] in text:
            start = text.index(row["context"])
            spans += [
                (start + m.start(), start + m.end())
                for m in DIGITS.finditer(row["context"])
                if m.group() == row["number"]
            ]
    return spans


def uncovered_numbers(data: Data) -> list[Problem]:
    """Every run of digits in a text is inside a claim's quote or ignored by a rule."""
    problems = []
    for source_id, text in data.texts.items():
        spans = _covered_spans(source_id, text, data.claims, data.ignored)
        for m in DIGITS.finditer(text):
            if not any(a <= m.start() and m.end() <= b for a, b in spans):
                context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", "¶")
                line = text.count("\n", 0, m.start()) + 1
                message = f"{m.group()!r} (offset {m.start()}) is in no claim's quote: …{context}…"
                problems.append(Problem(f"sources/{source_id}.txt", line, "number-claimed", message))
    return problems


def ignored_problems(data: Data) -> list[Problem]:
    """The ignored list is short, each entry is found, and none ignores a number a claim holds."""
    file = "ignored_numbers.csv"
    problems = []
    if len(data.ignored) > MAX_IGNORED:
        problems.append(
            Problem(file, 0, "ignored-few", f"{len(data.ignored)} rows: a number that states a fact must be a claim")
        )
    for line, row in enumerate(data.ignored, 2):
        text = data.texts.get(row["source_id"], "")
        if row["rule"] != "exact":
            if row["number"]:
                problems.append(
                    Problem(
                        file, line, "ignored-regex", "a regex rule ignores every number it matches; leave number empty"
                    )
                )
            if not re.search(row["context"], text):
                problems.append(
                    Problem(
                        file, line, "ignored-found", f"pattern {row['context']!r} matches nothing in {row['source_id']}"
                    )
                )
            continue
        context = row["context"]
        if text.count(context) != 1 or row["number"] not in DIGITS.findall(context):
            message = f"context {context!r} must occur once in {row['source_id']} and hold the number {row['number']!r}"
            problems.append(Problem(file, line, "ignored-found", message))
            continue
        start = text.index(context)
        quotes = [c["quote"] for c in data.claims if c["source_id"] == row["source_id"] and c["quote"] in text]
        if any(text.index(q) < start + len(context) and start < text.index(q) + len(q) for q in quotes):
            problems.append(
                Problem(file, line, "ignored-unclaimed", f"{context!r} overlaps a claim: no need to ignore it")
            )
    return problems


def kind_problems(data: Data) -> list[Problem]:
    """What data/README.md's kind rules let a machine check."""
    problems = []
    for line, c in enumerate(data.claims, 2):
        where = f"{c['claim_id']} ({c['kind']})"
        if c["kind"] == "forecast" and not DATE_OR_MEASURE.search(c["quote"]):
            message = f"{where}: a forecast needs a date or a measure in its quote; else assertion, opinion or fact"
            problems.append(Problem(CLAIMS, line, "kind rule 1", message))
        if c["kind"] == "assertion" and c["speaker"] == "author":
            message = f"{where}: an assertion is attributed to an interested party, never the author's own voice"
            problems.append(Problem(CLAIMS, line, "kind rule 2", message))
        found = ATTRIBUTION.search(c["quote"])
        if found and c["speaker"] == "author":
            message = f"{where}: the quote attributes it ({found.group()!r}), so the speaker is not 'author'"
            problems.append(Problem(CLAIMS, line, "speaker-attributed", message))
    return problems


def overlap_problems(data: Data) -> list[Problem]:
    """Claims of one text never overlap: a split moves words out of the old claim."""
    line_of = {c["claim_id"]: line for line, c in enumerate(data.claims, 2)}
    problems = []
    for source_id, text in data.texts.items():
        spans = sorted(
            (text.find(c["quote"]), text.find(c["quote"]) + len(c["quote"]), c["claim_id"])
            for c in data.claims
            if c["source_id"] == source_id and c["quote"] in text  # a quote not found is quote_problems'
        )
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                problems.append(
                    Problem(CLAIMS, line_of[second], "claims-apart", f"{first} and {second} overlap in {source_id}")
                )
    return problems


# ---------------------------------------------------------------- tables citing claims


def citation_problems(data: Data) -> list[Problem]:
    """Every cited claim id exists, and a row with a source_id cites only that source."""
    source_of = {c["claim_id"]: c["source_id"] for c in data.claims}
    problems = []
    for file, line, row in rows(data):
        ids = row["claim_ids"].split(";")
        for claim_id in ids:
            if claim_id not in source_of:
                problems.append(Problem(file, line, "citation-exists", f"cites unknown claim {claim_id!r}"))
            elif row.get("source_id") and source_of[claim_id] != row["source_id"]:
                message = f"row of {row['source_id']} cites {claim_id} of {source_of[claim_id]}"
                problems.append(Problem(file, line, "citation-source", message))
        if len(set(ids)) != len(ids):
            problems.append(Problem(file, line, "citation-once", "cites a claim twice"))
    return problems


def verbatim_problems(data: Data) -> list[Problem]:
    """value_text and date_text are copied from a cited quote, so a reader can find them."""
    quote_of = {c["claim_id"]: c["quote"] for c in data.claims}
    problems = []
    for file, line, row in rows(data):
        quotes = [quote_of.get(c, "") for c in row["claim_ids"].split(";")]
        for column in ("value_text", "date_text"):
            if row.get(column) and not any(row[column] in q for q in quotes):
                message = f"{column} {row[column]!r} is in none of its cited quotes"
                problems.append(Problem(file, line, "verbatim", message))
    return problems


def speaker_problems(data: Data) -> list[Problem]:
    """A row's speaker is the speaker of one of its cited claims, as claims.csv spells it
    (several separated by '; '), or 'not stated': the course never names a speaker the
    quotes do not give."""
    speaker_of = {c["claim_id"]: c["speaker"] for c in data.claims}
    problems = []
    for name in SPEAKER_TABLES:
        if data.tables.get(name) and "speaker" not in data.tables[name][0]:
            problems.append(Problem(table_file(data, name), 1, "speaker", "no speaker column"))
            continue
        for file, line, row in rows(data, (name,) if name in data.tables else ()):
            cited = {speaker_of.get(c) for c in row["claim_ids"].split(";")}
            parts = [p for p in row["speaker"].split("; ") if p]
            if not parts:
                problems.append(
                    Problem(file, line, "speaker", f"empty speaker (write '{NOT_STATED}' if the text does not say)")
                )
            problems += [
                Problem(
                    file, line, "speaker", f"speaker {part!r} is the speaker of none of its claims {row['claim_ids']}"
                )
                for part in parts
                if part != NOT_STATED and part not in cited
            ]
    return problems


def entity_problems(data: Data) -> list[Problem]:
    """Each entity a claim names is in tables/entities.csv, and that row cites the claim back."""
    file = table_file(data, "entities")
    entities = {
        row["entity"]: (line, set(row["claim_ids"].split(";")))
        for line, row in enumerate(data.tables.get("entities", []), 2)
    }
    naming = {c["claim_id"]: set(filter(None, c["entities"].split(";"))) for c in data.claims}
    problems = []
    for line, c in enumerate(data.claims, 2):
        for name in sorted(naming[c["claim_id"]]):
            if name not in entities:
                problems.append(
                    Problem(CLAIMS, line, "entity-listed", f"{c['claim_id']} names {name!r}, which {file} lacks")
                )
            elif c["claim_id"] not in entities[name][1]:
                problems.append(
                    Problem(file, entities[name][0], "entity-cites", f"{name!r} should cite {c['claim_id']}")
                )
    for name, (line, ids) in entities.items():
        problems += [
            Problem(file, line, "entity-cites", f"{name!r} cites {claim_id}, whose entities do not include it")
            for claim_id in sorted(ids)
            if name not in naming.get(claim_id, set())
        ]
    return problems
