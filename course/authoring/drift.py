"""Checks that keep what a learner reads from drifting away from the evidence base.

A reading fixed once in ``data/claims.csv`` or a table must be fixed everywhere that repeats
it. These checkers say, each for one rule of data/README.md, where a lesson, a question or a
table cell still says something the data no longer says:

- :func:`kind_and_speaker_problems`: a kind word or a speaker given for a claim ("C085 is a
  forecast", "the blog states it in its own voice", "the WSJ says … (C131)") agrees with
  claims.csv;
- :func:`speaker_key_problems`: a classification question whose labels are speakers keys
  each item that is a claim with a label that fits the claim's `speaker` (kind keys are
  filled from claims.csv by ``course.questions.source``);
- :func:`column_value_problems`: a column value quoted in prose (the `measure` 'training
  cost') is a value of that column;
- :func:`count_problems`: a count written in prose or question text ("two more opinions",
  "one forecast") is computed by code, not typed;
- :func:`agreement_problems`: a relation in agreement.csv rests on the claims its row cites,
  and the position says no more than they do;
- :func:`reading_mark_problems` and :func:`subject_problems`: the course's reading is marked
  "Course's reading:", and a claim cut from its subject names the claim that holds it.

Every checker is a pure function over text or rows and returns readable problems (empty when
all is well), so tests can feed it a planted error and authors can run it on a draft. The
``*_passages`` helpers gather the text a learner reads from notebooks, question files and
tables.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from course import paths

KINDS = ("fact", "forecast", "claim", "opinion")
READING = "Course's reading"
CLAIM_ID = re.compile(r"\bC\d{3}\b")


@dataclass(frozen=True)
class Passage:
    """One piece of text a learner reads, and where it sits (file and cell or field)."""

    where: str
    text: str


# ---------------------------------------------------------------- reading the files


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file as a list of rows (every cell a string)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def claims_by_id(data: Path | None = None) -> dict[str, dict[str, str]]:
    """claims.csv, by claim id."""
    return {row["claim_id"]: row for row in read_rows((data or paths.DATA) / "claims.csv")}


def tables(data: Path | None = None) -> dict[str, list[dict[str, str]]]:
    """Every table in data/tables, by name (its file name without .csv)."""
    return {p.stem: read_rows(p) for p in sorted(((data or paths.DATA) / "tables").glob("*.csv"))}


def _relative(path: Path, root: Path | None = None) -> str:
    try:
        return path.resolve().relative_to((root or paths.ROOT).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def notebook_passages(path: Path, root: Path | None = None) -> list[Passage]:
    """A notebook's markdown cells, and the sentence under each figure (a code output that
    begins "What the figure shows" or holds it)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        where = f"{_relative(path, root)} cell {index}"
        if cell.cell_type == "markdown":
            found.append(Passage(where, cell.source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/plain", "") if "data" in output else ""
                text = "".join(text) if isinstance(text, list) else text
                if "What the figure shows:" in text:
                    found.append(Passage(f"{where} (caption)", text))
    return found


#: The fields of a question a learner reads.
QUESTION_TEXT = ("prompt", "hint", "explanation", "model_answer", "options", "labels", "partly")


def question_passages(path: Path, root: Path | None = None) -> list[Passage]:
    """Every learner-facing text of a question file: prompts, hints, explanations, options,
    items (the keys of a matching or classification answer) and model answers."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for section in ("check", "exercise"):
        for entry in data.get(section, []):
            where = f"{_relative(path, root)} {entry.get('id', '?')}"
            for name in QUESTION_TEXT:
                value = entry.get(name)
                for text in _strings(value):
                    found.append(Passage(f"{where} {name}", text))
            answer = entry.get("answer")
            if isinstance(answer, Mapping):
                found += [Passage(f"{where} item", item) for item in answer]
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in (*value.keys(), *value.values()) for s in _strings(v)]
    if isinstance(value, Sequence):
        return [s for v in value for s in _strings(v)]
    return []


#: Table cells that hold the course's words about a row.
NOTE_COLUMNS = ("note", "dating_note", "position")


def table_passages(all_tables: Mapping[str, list[dict[str, str]]]) -> list[Passage]:
    """The note, dating note and position cells of every table."""
    found = []
    for name, rows in all_tables.items():
        for row in rows:
            key = row_key(name, row)
            for column in NOTE_COLUMNS:
                if row.get(column):
                    found.append(Passage(f"data/tables/{name}.csv {key} {column}", row[column]))
    return found


def row_key(table: str, row: Mapping[str, str]) -> str:
    """A row's key as the audit ledger writes it: the first column, or 'topic/source_id' in
    the agreement table (whose key has two columns)."""
    if table == "agreement":
        return f"{row['topic']}/{row['source_id']}"
    return next(iter(row.values()))


def course_passages(root: Path | None = None) -> list[Passage]:
    """Everything a learner reads that the checkers scan: lessons (notebooks/), question
    files (questions/) and table notes."""
    root = root or paths.ROOT
    found = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        found += notebook_passages(path, root)
    for path in sorted((root / "questions").glob("*.toml")):
        found += question_passages(path, root)
    return found + table_passages(tables(root / "data"))


def sentences(text: str) -> list[str]:
    """Split prose into sentences (roughly: at '. ', '? ', '! ', ': ' before a capital,
    and line breaks)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"'*(`])|\n+", text)
    return [p for p in parts if p.strip()]


# ---------------------------------------------------------------- (a) kind and speaker


_KIND = r"`?(fact|forecast|claim|opinion)s?`?"
#: After a claim id: "C085 is a forecast", "(C025): an opinion", "C121, a forecast",
#: "C089 (opinion)", "C085 as an opinion", "C085 is not a forecast".
AFTER_ID = re.compile(
    r"^\)?\s*(?:(?:is|was|stays|remains|becomes)\s+(not\s+)?(?:also\s+|still\s+|now\s+)?(?:an?\s+)?"
    r"|as\s+(?:an?\s+)?|[:,—–]\s*(?:an?\s+)?|\(\s*)" + _KIND + r"\b(?!\s*\()",
    re.I,
)
#: Before a claim id: "an opinion (C089)", "a forecast, C121". 'Claim' is left out here: the
#: course also calls every row of claims.csv a claim.
BEFORE_ID = re.compile(r"\b(?:an?|the)\s+`?(fact|forecast|opinion)`?\s*[(,]\s*$", re.I)
#: An id given as an example of the form of an answer ('a string such as "C012"').
EXAMPLE = re.compile(r"(?:such as|e\.g\.,?)\s*[\"“(\[]?$")
OWN_VOICE = re.compile(
    r"\b(?:in\s+(?:its|their|his|her|the author's)\s+own\s+voice|the author's own (?:words|voice))", re.I
)
SOURCE_NAMES = {"wsj": "wsj", "blog": "blog", "billions": "billions", "curbs": "curbs", "merics": "merics"}
SOURCE_SAYS = re.compile(
    r"\b(?:the\s+)?(WSJ|blog|billions|curbs|MERICS)(?:'s\s+authors?|’s\s+authors?|\s+authors?)?\s+"
    r"(?:says|said|states|stated|writes|wrote|reports|reported)\b",
    re.I,
)


def kind_and_speaker_problems(passages: Iterable[Passage], claims: Mapping[str, Mapping[str, str]]) -> list[str]:
    """A kind word next to a claim id agrees with the claim's `kind`; "in its own voice" next
    to a lone claim id means its speaker is `author`; "the WSJ says" next to a lone claim id
    means the claim is the WSJ's."""
    problems = []
    for passage in passages:
        for sentence in sentences(passage.text):
            for match in CLAIM_ID.finditer(sentence):
                claim = claims.get(match.group())
                if claim is None or EXAMPLE.search(sentence[max(0, match.start() - 14) : match.start()]):
                    continue
                after = AFTER_ID.match(sentence[match.end() : match.end() + 60])
                if after:
                    negated, said = bool(after.group(1)), after.group(2).lower()
                    if (said == claim["kind"]) == negated:
                        problems.append(
                            f"{passage.where}: {match.group()} is {'not ' if negated else ''}called {said!r}, "
                            f"but claims.csv has kind {claim['kind']!r}: …{sentence.strip()[:120]}…"
                        )
                before = BEFORE_ID.search(sentence[max(0, match.start() - 40) : match.start()].rstrip("( "))
                if before is None:
                    before = BEFORE_ID.search(sentence[max(0, match.start() - 40) : match.start()])
                if before and before.group(1).lower() != claim["kind"]:
                    problems.append(
                        f"{passage.where}: {match.group()} is called {before.group(1).lower()!r}, "
                        f"but claims.csv has kind {claim['kind']!r}: …{sentence.strip()[:120]}…"
                    )
            ids = [
                m.group()
                for m in CLAIM_ID.finditer(sentence)
                if not EXAMPLE.search(sentence[max(0, m.start() - 14) : m.start()])
            ]
            if len(set(ids)) != 1:
                continue
            claim = claims.get(ids[0])
            if claim is None:
                continue
            if OWN_VOICE.search(sentence) and not re.search(r"\bnot\b", sentence) and claim["speaker"] != "author":
                problems.append(
                    f"{passage.where}: {ids[0]} is said to be in the author's own voice, but its speaker is "
                    f"{claim['speaker']!r}"
                )
            for says in SOURCE_SAYS.finditer(sentence):
                source = SOURCE_NAMES[says.group(1).lower()]
                if source != claim["source_id"]:
                    problems.append(
                        f"{passage.where}: '{says.group()}' next to {ids[0]}, which is a claim of "
                        f"{claim['source_id']}, not of {source}"
                    )
    return problems


# ---------------------------------------------------------------- (c) column values quoted in prose

#: Columns with short values that prose names ('the `measure` column holds …').
VALUE_COLUMNS = (
    "measure",
    "unit",
    "status",
    "relation",
    "qualifier",
    "item_type",
    "model_type",
    "entity_type",
    "date_precision",
    "market",
    "segment",
    "subject",
    "programme",
    "purpose",
    "topic",
    "basis",
    "theme",
    "kind",
    "actor",
    "speaker",
)
_QUOTED = re.compile(r"(?<![\w’'])'([^'\n]{2,60}?)'(?![\w])|“([^”\n]{2,60})”|`([^`\n]{2,60})`")


def column_value_problems(
    passages: Iterable[Passage],
    all_tables: Mapping[str, list[dict[str, str]]],
    claims: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Where prose names a column in backticks and then quotes a value in the same sentence
    (the `measure` 'training cost'), the value is one that column holds (in the table the
    sentence names, or in any table with that column)."""
    values: dict[str, dict[str, set[str]]] = {}
    for name, rows in all_tables.items():
        for row in rows:
            for column, cell in row.items():
                parts = {cell, *cell.split("; ")}
                values.setdefault(column, {}).setdefault(name, set()).update(parts)
    if claims:
        for claim in claims.values():
            for column in ("kind", "theme", "speaker"):
                values.setdefault(column, {}).setdefault("claims", set()).add(claim[column])
    problems = []
    for passage in passages:
        for sentence in sentences(passage.text):
            for named in re.finditer(r"`(\w+)`", sentence):
                column = named.group(1)
                if column not in VALUE_COLUMNS or column not in values:
                    continue
                rest = sentence[named.end() : named.end() + 90]
                quoted = _QUOTED.search(rest)
                if quoted is None:
                    continue
                value = next(g for g in quoted.groups() if g)
                if value in values or value in all_tables or CLAIM_ID.search(value) or re.search(r"[()=\[\]]", value):
                    continue
                named_tables = [t for t in values[column] if re.search(rf"\b{t}\b", sentence)]
                pool = set().union(*(values[column][t] for t in (named_tables or values[column])))
                if value not in pool:
                    where = f"the {', '.join(named_tables)} table" if named_tables else "any table"
                    problems.append(
                        f"{passage.where}: `{column}` is said to hold {value!r}, which is not a value of "
                        f"`{column}` in {where}: …{sentence.strip()[:120]}…"
                    )
    return problems


# ---------------------------------------------------------------- (d) counts in prose

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twice": 2,
    "half": 0.5,
    "both": 2,
    "single": 1,
}
COUNTED = (
    "claim",
    "row",
    "fact",
    "opinion",
    "forecast",
    "source",
    "text",
    "quote",
    "statement",
    "speaker",
    "target",
    "topic",
    "kind",
    "relation",
)
_GAP = r"(?:[ \t]|\n(?!\n))+"
COUNT = re.compile(
    r"(?<![\w.$-])(?<!at least )(\d{1,2}|" + "|".join(w for w in NUMBER_WORDS if w not in ("both", "single")) + r")"
    r"(?:"
    + _GAP
    + r"(?:more|fewer|other|[a-z]+(?:-[a-z]+)?))?"
    + _GAP
    + r"("
    + "|".join(COUNTED)
    + r")s?\b(?!"
    + _GAP
    + r"(?:per|ids?)\b)",
    re.I,
)


def count_mentions(text: str) -> list[str]:
    """Each count of the course's own units written in a text ('two more opinions',
    'one forecast', '5 texts'), lower-cased, in order. Code spans are left out (code is
    checked by running it), and so are a minimum ('at least three claims'), a format ('one
    row per topic') and a number of claim ids to cite ('three claim ids')."""
    text = re.sub(r"`[^`]*`", "", text)
    return [re.sub(r"\s+", " ", m.group().lower()) for m in COUNT.finditer(text)]


def count_problems(passages: Iterable[Passage], allowed: Mapping[str, str]) -> list[str]:
    """A count in prose or question text must be computed: shown by a code output, not typed.
    ``allowed`` maps a lower-cased phrase ('five texts'), or 'file: phrase' for one file,
    to the reason it may stay typed (a constant of the course that a test pins, or words
    that name rather than count). Figure sentences are code outputs and are not checked."""
    problems = []
    for passage in passages:
        if passage.where.endswith("(caption)"):
            continue  # a figure's sentence is a code output: its counts are computed
        for phrase in count_mentions(passage.text):
            places = (phrase, f"{passage.where}: {phrase}", f"{passage.where.split(' ')[0]}: {phrase}")
            if not any(place in allowed for place in places):
                problems.append(f"{passage.where}: the count {phrase!r} is typed, not computed")
    return problems


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
        cited = [claims.get(c) for c in row["claim_ids"].split(";")]
        if None in cited:
            problems.append(f"{where}: cites an unknown claim ({row['claim_ids']})")
            continue
        problems += [
            f"{where}: cites {c['claim_id']}, a claim of {c['source_id']}, not of {row['source_id']}"
            for c in cited
            if c["source_id"] != row["source_id"]
        ]
        said = " ".join(c["quote"] for c in cited) + " " + row["speaker"]
        position = row["position"]
        for number in re.findall(r"\d+(?:[.,]\d+)*", position):
            if number not in said:
                problems.append(f"{where}: the position's {number!r} is in none of its cited quotes")
        for phrase in re.findall(r"(?<![\w’'])'([^']+)'(?!\w)", position):
            if phrase not in said:
                problems.append(f"{where}: the position quotes {phrase!r}, which no cited quote says")
        unquoted = re.sub(r"'[^']+'", "", position)
        for name in re.findall(r"(?<!^)(?<!; )\b[A-Z][\w.-]*", unquoted):
            name = re.sub(r"(?:'s|’s)$", "", name).rstrip(".")
            if name not in COMMON_NAMES and name not in said and name.rstrip("s") not in said:
                problems.append(f"{where}: the position names {name!r}, which none of its cited quotes does")
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
CHECKABLE = ("fact", "claim", "forecast")


def reading_mark_problems(
    all_tables: Mapping[str, list[dict[str, str]]],
    fields: Sequence[Mapping[str, str]],
    claims: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """The interpretation mark: a note or dating note that states an inference carries
    "Course's reading"; an `inferred` manifest field says it is the course's reading; a row
    with status `reported` stands on a checkable claim, or says with the mark why not."""
    problems = []
    for name, rows in all_tables.items():
        for row in rows:
            key = row_key(name, row)
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


# ---------------------------------------------------------------- (b) speaker keys agree with claims.csv


def speaker_label_fits(label: str, speaker: str) -> bool:
    """Whether a speaker label of a classification question fits a claim's `speaker`:
    'author'/'own voice' labels fit `author`; 'unnamed'/'nobody named' labels fit an unnamed
    speaker; 'a named …' labels fit anyone else; any other label must be the speaker, or be
    contained in it (a label naming the party, 'Morgan Stanley researchers')."""
    text = label.lower()
    unnamed = "unnamed" in speaker
    if "author" in text or "own voice" in text:
        return speaker == "author"
    if "unnamed" in text or "nobody named" in text or "not named" in text or "not stated" in text:
        return unnamed
    if re.search(r"\bnamed\b", text):
        return speaker != "author" and not unnamed
    core = re.sub(r"\s*\(.*?\)", "", label).strip().lower()
    return core in speaker.lower() or speaker.lower() in text


def speaker_key_problems(
    entries: Iterable[tuple[str, Mapping[str, object]]], claims: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """A classification question whose labels are speakers (not the four kinds) keys each
    item that is a claim (its id or exact quote) with a label that fits the claim's speaker
    in claims.csv. ``entries`` are (where, TOML entry) pairs."""
    by_quote = {c["quote"]: c for c in claims.values()}
    problems = []
    for where, entry in entries:
        labels = entry.get("labels")
        answer = entry.get("answer")
        if entry.get("kind") != "classification" or not labels or sorted(labels) == sorted(KINDS):
            continue
        if not isinstance(answer, Mapping):
            continue
        for item, label in answer.items():
            claim = claims.get(item) or by_quote.get(item)
            if claim and not speaker_label_fits(str(label), claim["speaker"]):
                problems.append(
                    f"{where}: {claim['claim_id']} is keyed {label!r}, but claims.csv gives its speaker as "
                    f"{claim['speaker']!r}"
                )
    return problems


def question_entries(root: Path | None = None) -> list[tuple[str, Mapping[str, object]]]:
    """Every question entry of questions/*.toml, with 'file id' as where it sits."""
    root = root or paths.ROOT
    found = []
    for path in sorted((root / "questions").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in [*data.get("check", []), *data.get("exercise", [])]:
            found.append((f"{_relative(path, root)} {entry.get('id', '?')}", entry))
    return found
