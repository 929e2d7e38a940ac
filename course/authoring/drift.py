"""Checks that keep what a learner reads from drifting away from the evidence base.

A reading fixed once in ``data/claims.csv`` or a table must be fixed everywhere that repeats
it. These checkers say, each for one rule of data/README.md, where a lesson, a question or a
table cell still says something the data no longer says:

- :func:`kind_and_speaker_problems`: a kind word or a speaker given for a claim ("C085 is a
  forecast", "the blog states it in its own voice", "the WSJ says … (C131)") agrees with
  claims.csv;
- :func:`speaker_key_problems`: a classification question whose labels are speakers keys
  each item that is a claim with a label that fits the claim's `speaker` (kind keys are
  filled from claims.csv by ``course.questions.kinds.classification``);
- :func:`column_value_problems`: a column value quoted in prose (the `measure` 'training
  cost') is a value of that column;
- :func:`count_problems`: a count written in prose or question text ("two more opinions",
  "one forecast") is computed by code, not typed;

The checks of the course's own readings (agreement relations, the "Course's reading:" mark, a
claim cut from its subject) are in ``course.authoring.readings``.

Every checker is a pure function over text or rows and returns readable problems (empty when
all is well), so tests can feed it a planted error and authors can run it on a draft. The
text a learner reads is gathered by ``course.authoring.passages``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from course.authoring.passages import CLAIM_ID, Passage, sentences
from course.evidence import KINDS

# ---------------------------------------------------------------- (a) kind and speaker


_KIND = r"`?(fact|forecast|assertion|opinion)s?`?"
#: After a claim id: "C085 is a forecast", "(C025): an opinion", "C121, a forecast",
#: "C089 (opinion)", "C085 as an opinion", "C085 is not a forecast".
AFTER_ID = re.compile(
    r"^\)?\s*(?:(?:is|was|stays|remains|becomes)\s+(not\s+)?(?:also\s+|still\s+|now\s+)?(?:an?\s+)?"
    r"|as\s+(?:an?\s+)?|[:,—–]\s*(?:an?\s+)?|\(\s*)" + _KIND + r"\b(?!\s*\()",
    re.I,
)
#: Before a claim id: "an opinion (C089)", "a forecast, C121", "an assertion (C076)".
BEFORE_ID = re.compile(r"\b(?:an?|the)\s+`?(fact|forecast|assertion|opinion)`?\s*[(,]\s*$", re.I)
#: An id given as an example of the form of an answer ('a string such as "C012"').
EXAMPLE = re.compile(r"(?:such as|e\.g\.,?)\s*[\"“(\[]?$")
OWN_VOICE = re.compile(
    r"\b(?:in\s+(?:its|their|his|her|the author's)\s+own\s+voice|the author's own (?:words|voice))", re.I
)
SOURCE_SAYS = re.compile(
    r"\b(?:the\s+)?(WSJ|blog|billions|curbs|MERICS)(?:'s\s+authors?|’s\s+authors?|\s+authors?)?\s+"
    r"(?:says|said|states|stated|writes|wrote|reports|reported)\b",
    re.I,
)


def _kind_words(sentence: str, match: re.Match[str], claim: Mapping[str, str]) -> list[str]:
    """What is wrong with the kind words right after and right before one claim id."""
    problems = []
    excerpt = f"…{sentence.strip()[:120]}…"
    after = AFTER_ID.match(sentence[match.end() : match.end() + 60])
    if after:
        negated, said = bool(after.group(1)), after.group(2).lower()
        if (said == claim["kind"]) == negated:
            problems.append(
                f"{match.group()} is {'not ' if negated else ''}called {said!r}, "
                f"but claims.csv has kind {claim['kind']!r}: {excerpt}"
            )
    window = sentence[max(0, match.start() - 40) : match.start()]
    before = BEFORE_ID.search(window.rstrip("( ")) or BEFORE_ID.search(window)
    if before and before.group(1).lower() != claim["kind"]:
        problems.append(
            f"{match.group()} is called {before.group(1).lower()!r}, "
            f"but claims.csv has kind {claim['kind']!r}: {excerpt}"
        )
    return problems


def _speaker_words(sentence: str, claim_id: str, claim: Mapping[str, str]) -> list[str]:
    """What is wrong with "in its own voice" or "the WSJ says" in a sentence about one claim."""
    problems = []
    if OWN_VOICE.search(sentence) and not re.search(r"\bnot\b", sentence) and claim["speaker"] != "author":
        problems.append(f"{claim_id} is said to be in the author's own voice, but its speaker is {claim['speaker']!r}")
    for says in SOURCE_SAYS.finditer(sentence):
        source = says.group(1).lower()
        if source != claim["source_id"]:
            problems.append(
                f"'{says.group()}' next to {claim_id}, which is a claim of {claim['source_id']}, not of {source}"
            )
    return problems


def _cited(sentence: str) -> list[re.Match[str]]:
    """The claim ids of a sentence, less those given as examples of an answer's form."""
    return [m for m in CLAIM_ID.finditer(sentence) if not EXAMPLE.search(sentence[max(0, m.start() - 14) : m.start()])]


def kind_and_speaker_problems(passages: Iterable[Passage], claims: Mapping[str, Mapping[str, str]]) -> list[str]:
    """A kind word next to a claim id agrees with the claim's `kind`; "in its own voice" next
    to a lone claim id means its speaker is `author`; "the WSJ says" next to a lone claim id
    means the claim is the WSJ's."""
    problems = []
    for passage in passages:
        for sentence in sentences(passage.text):
            cited = _cited(sentence)
            found = [p for m in cited if m.group() in claims for p in _kind_words(sentence, m, claims[m.group()])]
            ids = {m.group() for m in cited}
            if len(ids) == 1 and next(iter(ids)) in claims:
                claim_id = next(iter(ids))
                found += _speaker_words(sentence, claim_id, claims[claim_id])
            problems += [f"{passage.where}: {problem}" for problem in found]
    return problems


#: "Claim" used for the kind now called assertion: in a list of the kinds, in bold as the kind's
#: name, set against another kind, or glossed as a statement by an interested party.
OLD_KIND_WORD = re.compile(
    r"\*\*claims?\*\*|`claim`|\bforecasts?\s*(?:\(\w[^)]*\))?,\s*(?:an?\s+)?claims?\b"
    r"|\bclaims?\s*\((?:by|from)\b|\bclaims?\s+by\s+(?:an?\s+)?(?:interested|someone)"
    r"|\b(?:fact|forecast|opinion)s?,?\s+(?:or|and|not)\s+(?:an?\s+)?claims?\b"
    r"|\bclaims?,?\s+(?:or|not)\s+(?:an?\s+)?(?:fact|forecast|opinion)\b|\bkind\s+['\"“`]?claim\b",
    re.I,
)


def old_kind_word_problems(passages: Iterable[Passage]) -> list[str]:
    """"Claim" means one record of claims.csv and nothing else: the kind of statement by an
    interested party is an **assertion** (data/README.md). Report the places that still use
    "claim" for the kind."""
    return [
        f"{passage.where}: 'claim' used for the kind (write 'assertion'): …{found.group()}…"
        for passage in passages
        for found in OLD_KIND_WORD.finditer(passage.text)
    ]


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
        if entry.get("kind") != "classification" or not isinstance(labels, list) or sorted(labels) == sorted(KINDS):
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


def _column_values(
    all_tables: Mapping[str, list[dict[str, str]]], claims: Mapping[str, Mapping[str, str]] | None
) -> dict[str, dict[str, set[str]]]:
    """column → table → the values it holds (a cell of several parts counts each part)."""
    values: dict[str, dict[str, set[str]]] = {}
    for name, rows in all_tables.items():
        for row in rows:
            for column, cell in row.items():
                values.setdefault(column, {}).setdefault(name, set()).update({cell, *cell.split("; ")})
    for claim in (claims or {}).values():
        for column in ("kind", "theme", "speaker"):
            values.setdefault(column, {}).setdefault("claims", set()).add(claim[column])
    return values


def _quoted_value(sentence: str, named: re.Match[str]) -> str | None:
    """The value quoted just after a column named in backticks, if any."""
    quoted = _QUOTED.search(sentence[named.end() : named.end() + 90])
    return next(g for g in quoted.groups() if g) if quoted else None


def column_value_problems(
    passages: Iterable[Passage],
    all_tables: Mapping[str, list[dict[str, str]]],
    claims: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Where prose names a column in backticks and then quotes a value in the same sentence
    (the `measure` 'training cost'), the value is one that column holds (in the table the
    sentence names, or in any table with that column)."""
    values = _column_values(all_tables, claims)
    problems = []
    for passage in passages:
        for sentence in sentences(passage.text):
            for named in re.finditer(r"`(\w+)`", sentence):
                column = named.group(1)
                value = _quoted_value(sentence, named) if column in VALUE_COLUMNS and column in values else None
                if not value or value in values or value in all_tables:
                    continue
                if CLAIM_ID.search(value) or re.search(r"[()=\[\]]", value):
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
    "assertion",
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
