"""The evidence base: the schema holds, every quote is in its text, every citation resolves,
and no number in the five texts is left unaccounted for.

These tests read the files directly (csv and json), not through ``course.evidence``, so a
bug in the helpers cannot hide a bug in the data. Each check is a small function that
returns the problems it finds; the last tests feed it corrupted copies to show it can fail.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from frictionless import validate

from course import evidence, paths

DIGITS = re.compile(r"\d+")
CLAIM_ID = re.compile(r"^C\d{3}$")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_texts(data: Path = paths.DATA) -> dict[str, str]:
    """Every text in data/sources, by id (its file name without .txt)."""
    return {p.stem: p.read_bytes().decode("utf-8") for p in sorted((data / "sources").glob("*.txt"))}


def package(data: Path = paths.DATA) -> dict:
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8"))


def table_paths(data: Path = paths.DATA) -> dict[str, Path]:
    return {r["name"]: data / r["path"] for r in package(data)["resources"] if r["path"].startswith("tables/")}


# ---------------------------------------------------------------- the checks


def quote_problems(claims: list[dict[str, str]], texts: dict[str, str]) -> list[str]:
    """The matching rule: a quote is an exact substring of its text (decoded UTF-8, no
    normalisation of apostrophes, spaces or dashes), occurs exactly once, and stays within
    one paragraph."""
    problems = []
    for c in claims:
        text = texts.get(c["source_id"], "")
        found = text.count(c["quote"])
        if found != 1:
            problems.append(
                f"{c['claim_id']}: quote found {found} times in {c['source_id']} (must be once): {c['quote'][:70]!r}"
            )
        if "\n" in c["quote"] or "\r" in c["quote"]:
            problems.append(f"{c['claim_id']}: quote spans a paragraph break")
        if c["quote"] != c["quote"].strip():
            problems.append(f"{c['claim_id']}: quote starts or ends with white space")
    return problems


def covered_spans(source_id: str, text: str, claims, ignored) -> list[tuple[int, int]]:
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
            for m in DIGITS.finditer(row["context"]):
                if m.group() == row["number"]:
                    spans.append((start + m.start(), start + m.end()))
    return spans


def uncovered_numbers(texts: dict[str, str], claims, ignored) -> list[str]:
    """Every run of digits that is neither inside a claim's quote nor ignored by a rule."""
    problems = []
    for source_id, text in texts.items():
        spans = covered_spans(source_id, text, claims, ignored)
        for m in DIGITS.finditer(text):
            if not any(a <= m.start() and m.end() <= b for a, b in spans):
                context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", "¶")
                problems.append(f"{source_id} @{m.start()}: {m.group()!r} in …{context}…")
    return problems


def citation_problems(claims, tables: dict[str, list[dict[str, str]]]) -> list[str]:
    """Every cited claim id exists, and a row with a source_id cites only that source."""
    source_of = {c["claim_id"]: c["source_id"] for c in claims}
    problems = []
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            ids = row["claim_ids"].split(";")
            for claim_id in ids:
                if claim_id not in source_of:
                    problems.append(f"{name}.csv line {number}: cites unknown claim {claim_id!r}")
                elif row.get("source_id") and source_of[claim_id] != row["source_id"]:
                    problems.append(
                        f"{name}.csv line {number}: row of {row['source_id']} cites {claim_id} of {source_of[claim_id]}"
                    )
            if len(set(ids)) != len(ids):
                problems.append(f"{name}.csv line {number}: cites a claim twice")
    return problems


def verbatim_problems(claims, tables) -> list[str]:
    """value_text and date_text are copied from a cited quote, so a reader can find them."""
    quote_of = {c["claim_id"]: c["quote"] for c in claims}
    problems = []
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            quotes = [quote_of.get(c, "") for c in row["claim_ids"].split(";")]
            for column in ("value_text", "date_text"):
                if row.get(column) and not any(row[column] in q for q in quotes):
                    problems.append(
                        f"{name}.csv line {number}: {column} {row[column]!r} is in none of its cited quotes"
                    )
    return problems


#: Tables that hold figures or events, and so say who speaks (data/README.md, "Who speaks").
SPEAKER_TABLES = ("subsidies", "chips", "market_share", "talent", "energy", "indicators", "timeline", "agreement")
NOT_STATED = "not stated"
READING = "Course's reading"


def speaker_problems(claims, tables) -> list[str]:
    """A row's speaker is the speaker of one of its cited claims, as claims.csv spells it
    (several separated by '; '), or 'not stated': the course never names a speaker the
    quotes do not give."""
    speaker_of = {c["claim_id"]: c["speaker"] for c in claims}
    problems = []
    for name in SPEAKER_TABLES:
        for number, row in enumerate(tables[name], 2):
            if "speaker" not in row:
                problems.append(f"{name}.csv: no speaker column")
                break
            cited = {speaker_of.get(c) for c in row["claim_ids"].split(";")}
            parts = [p for p in row["speaker"].split("; ") if p]
            if not parts:
                problems.append(
                    f"{name}.csv line {number}: empty speaker (write '{NOT_STATED}' if the text does not say)"
                )
            for part in parts:
                if part != NOT_STATED and part not in cited:
                    problems.append(
                        f"{name}.csv line {number}: speaker {part!r} is the speaker of none of its claims "
                        f"{row['claim_ids']}"
                    )
    return problems


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


def kind_problems(claims) -> list[str]:
    """What data/README.md's kind rules let a machine check."""
    problems = []
    for c in claims:
        where = f"{c['claim_id']} ({c['kind']})"
        if c["kind"] == "forecast" and not DATE_OR_MEASURE.search(c["quote"]):
            problems.append(
                f"{where}: a forecast needs a date or a measure in its quote (rule 1); otherwise claim, opinion or fact"
            )
        if c["kind"] == "claim" and c["speaker"] == "author":
            problems.append(
                f"{where}: a claim is attributed to an interested party, never the author's own voice (rule 2)"
            )
        found = ATTRIBUTION.search(c["quote"])
        if found and c["speaker"] == "author":
            problems.append(f"{where}: the quote attributes it ({found.group()!r}), so the speaker is not 'author'")
    return problems


def overlap_problems(claims, texts) -> list[str]:
    """Claims of one text never overlap: a split moves words out of the old claim."""
    problems = []
    for source_id, text in texts.items():
        spans = sorted(
            (text.find(c["quote"]), text.find(c["quote"]) + len(c["quote"]), c["claim_id"])
            for c in claims
            if c["source_id"] == source_id
        )
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                problems.append(f"{first} and {second} overlap in {source_id}")
    return problems


# ---------------------------------------------------------------- the data as it is


@pytest.fixture(scope="module")
def claims() -> list[dict[str, str]]:
    return read_rows(paths.DATA / "claims.csv")


@pytest.fixture(scope="module")
def ignored() -> list[dict[str, str]]:
    return read_rows(paths.DATA / "ignored_numbers.csv")


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    return {name: read_rows(path) for name, path in table_paths().items()}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return read_texts()


def test_package_validates_against_its_schema():
    report = validate(paths.DATA / "datapackage.json")
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, "data/datapackage.json does not validate:\n" + "\n".join(errors[:40])


def test_every_table_file_is_described_in_the_schema():
    described = {path.resolve() for path in table_paths().values()}
    on_disk = {path.resolve() for path in (paths.DATA / "tables").glob("*.csv")}
    assert on_disk == described, f"undescribed: {sorted(on_disk - described)}; missing: {sorted(described - on_disk)}"


def test_the_required_tables_exist(tables):
    required = {
        "subsidies",
        "chips",
        "market_share",
        "models",
        "talent",
        "energy",
        "timeline",
        "entities",
        "glossary",
        "agreement",
    }
    assert required <= set(tables)
    assert all(tables[name] for name in tables), "every table has rows"


def test_every_quote_is_in_its_source_exactly(claims, texts):
    problems = quote_problems(claims, texts)
    assert not problems, "\n".join(problems)


def test_matching_is_literal_not_normalised(claims, texts):
    """The rule has no normalisation: a quote with a curly apostrophe, straightened, is
    not found, and merics keeps its non-breaking spaces."""
    curly = [c for c in claims if "’" in c["quote"]]
    assert curly, "some quotes keep curly apostrophes"
    for c in curly:
        assert c["quote"].replace("’", "'") not in texts[c["source_id"]]
    assert "\u00a0" in texts["merics"]


def test_claim_ids_are_well_formed_and_unique(claims):
    ids = [c["claim_id"] for c in claims]
    assert all(CLAIM_ID.match(i) for i in ids)
    assert len(ids) == len(set(ids))


def test_no_duplicate_claims(claims):
    seen = [(c["source_id"], c["quote"]) for c in claims]
    duplicates = {pair for pair in seen if seen.count(pair) > 1}
    assert not duplicates, duplicates


def test_every_cited_claim_exists_and_belongs_to_the_rows_source(claims, tables):
    problems = citation_problems(claims, tables)
    assert not problems, "\n".join(problems)


def test_value_and_date_texts_are_verbatim_from_cited_quotes(claims, tables):
    problems = verbatim_problems(claims, tables)
    assert not problems, "\n".join(problems)


def test_every_number_in_the_texts_is_claimed_or_ignored(claims, ignored, texts):
    problems = uncovered_numbers(texts, claims, ignored)
    assert not problems, (
        f"{len(problems)} numbers in the texts are in no claim's quote. Add a claim for each "
        "(or, if it states no fact, a row in data/ignored_numbers.csv):\n" + "\n".join(problems)
    )


def test_ignored_numbers_are_few_present_and_not_claimed(claims, ignored, texts):
    assert len(ignored) <= 10, "keep the ignored list small: a number that states a fact must be a claim"
    for row in ignored:
        text = texts[row["source_id"]]
        if row["rule"] == "exact":
            context = row["context"]
            assert text.count(context) == 1, f"context {context!r} must occur exactly once in {row['source_id']}"
            assert row["number"] in DIGITS.findall(context), f"{row['number']!r} is not a number in {context!r}"
            start = text.index(context)
            quotes = [c["quote"] for c in claims if c["source_id"] == row["source_id"]]
            spans = [(text.index(q), text.index(q) + len(q)) for q in quotes]
            overlaps = any(a < start + len(context) and start < b for a, b in spans)
            assert not overlaps, f"{context!r} overlaps a claim: no need to ignore it"
        else:
            assert not row["number"], "a regex rule ignores every number it matches; leave number empty"
            assert re.search(row["context"], text), f"pattern {row['context']!r} matches nothing in {row['source_id']}"


def test_numbers_and_units_go_together(tables):
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            if row.get("value"):
                assert row.get("unit") and row.get("measure", "x"), (
                    f"{name}.csv line {number}: a value needs a unit and a measure"
                )


def test_dates_agree_with_their_precision(tables):
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            if "date_precision" not in row:
                continue
            where, date, precision = f"{name}.csv line {number}", row["date"], row["date_precision"]
            assert bool(date) == (precision != "unknown"), f"{where}: a date needs a precision, and 'unknown' no date"
            if precision == "month":
                assert date.endswith("-01"), f"{where}: a month is stored as its first day"
            if precision == "year":
                assert date.endswith("-01-01"), f"{where}: a year is stored as 1 January"


def test_claim_entities_are_in_the_entities_table(claims, tables):
    entities = {row["entity"]: set(row["claim_ids"].split(";")) for row in tables["entities"]}
    for c in claims:
        for name in filter(None, c["entities"].split(";")):
            assert name in entities, f"{c['claim_id']} names {name!r}, which tables/entities.csv lacks"
            assert c["claim_id"] in entities[name], f"entities.csv: {name!r} should cite {c['claim_id']}"
    for name, ids in entities.items():
        for claim_id in ids:
            naming = next(c for c in claims if c["claim_id"] == claim_id)["entities"].split(";")
            assert name in naming, f"entities.csv: {name!r} cites {claim_id}, whose entities do not include it"


def test_the_vocabularies_in_code_match_the_schema():
    claims_schema = next(r for r in package()["resources"] if r["name"] == "claims")["schema"]
    fields = {f["name"]: f for f in claims_schema["fields"]}
    assert list(evidence.KINDS) == fields["kind"]["constraints"]["enum"]
    assert list(evidence.THEMES) == fields["theme"]["constraints"]["enum"]


def test_every_kind_and_source_is_represented(claims, texts, source_ids):
    assert set(texts) == set(source_ids), "data/sources/ holds exactly the five texts"
    assert {c["kind"] for c in claims} == set(evidence.KINDS)
    assert {c["source_id"] for c in claims} == set(source_ids)


def test_tables_of_figures_and_events_say_who_speaks(claims, tables):
    problems = speaker_problems(claims, tables)
    assert not problems, "\n".join(problems)


def test_kinds_follow_the_written_rules(claims):
    problems = kind_problems(claims)
    assert not problems, "\n".join(problems)


def test_claims_of_one_text_do_not_overlap(claims, texts):
    problems = overlap_problems(claims, texts)
    assert not problems, "\n".join(problems)


def test_new_claims_take_ids_after_the_highest(claims):
    """Ids are never renumbered: the file lists them in order, without gaps or reuse."""
    numbers = [int(c["claim_id"][1:]) for c in claims]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_day_is_stored_only_when_the_text_gives_the_day(tables):
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            if row.get("date_precision") == "day":
                day = str(int(row["date"][8:10]))
                assert re.search(rf"\b0?{day}\b", row["date_text"]), (
                    f"{name}.csv line {number}: precision 'day' but {row['date_text']!r} gives no day"
                )


def test_an_inferred_year_is_marked_as_the_courses_reading(tables):
    """A year the cited words do not give ('in April', 'this year') comes from the article's
    date line: the dating note says so."""
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            if row.get("date") and row["date"][:4] not in row["date_text"]:
                assert READING in row["dating_note"], (
                    f'{name}.csv line {number}: the year is inferred; begin the dating_note with "{READING}:"'
                )


HEDGES = {
    "about": ("around", "about", "~"),
    "more than": ("more than", "over"),
    "up to": ("up to",),
    "estimated": ("estimated",),
}


def test_a_qualifier_is_the_texts_hedge(tables):
    for name, rows in tables.items():
        for number, row in enumerate(rows, 2):
            hedge = row.get("qualifier")
            if hedge and not any(w in row["value_text"].lower() for w in HEDGES[hedge]):
                assert READING in row["note"], (
                    f"{name}.csv line {number}: qualifier {hedge!r} is not in {row['value_text']!r}; "
                    f'say why in note ("{READING}: ...")'
                )


def test_an_agreement_that_is_not_agreement_says_why(tables):
    for number, row in enumerate(tables["agreement"], 2):
        if row["relation"] in ("disagrees", "differs in detail"):
            assert row["note"], f"agreement.csv line {number}: a {row['relation']!r} row needs a note saying how"


# ---------------------------------------------------------------- the manifest: stated or inferred

DESCRIBED = ("title", "outlet", "authors", "date_published", "kind", "shows_citations", "citation_style")
COURSE_LABELS = ("kind", "shows_citations", "citation_style")


def field_problems(manifest, fields, texts) -> list[str]:
    """sources/fields.csv says, for each field of each text, whether the text states it,
    the course infers it (and from which words), or the text is silent."""
    problems = []
    basis = {(f["source_id"], f["field"]): f for f in fields}
    columns = list(manifest[0])
    for column in columns:
        if column not in DESCRIBED and ("*", column) not in basis:
            problems.append(f"fields.csv: no row ('*', {column!r})")
    for row in manifest:
        source_id, text = row["source_id"], texts[row["source_id"]]
        for column in DESCRIBED:
            entry = basis.get((source_id, column))
            if entry is None:
                problems.append(f"fields.csv: no row ({source_id!r}, {column!r})")
                continue
            value, kind = row[column], entry["basis"]
            snippets = [s for s in entry["evidence"].split(" | ") if s]
            if (kind == "not stated") != (value == ""):
                problems.append(f"fields.csv: {source_id}.{column} is {kind!r} but the manifest cell is {value!r}")
            if kind in ("stated", "inferred"):
                if not snippets:
                    problems.append(
                        f"fields.csv: {source_id}.{column} is {kind} from nothing: give the words in evidence"
                    )
                problems += [
                    f"fields.csv: {source_id}.{column}: evidence {s!r} is not in the text"
                    for s in snippets
                    if s not in text
                ]
            if column in COURSE_LABELS and kind != "inferred":
                problems.append(f"fields.csv: {source_id}.{column} is the course's label, so 'inferred', not {kind!r}")
            if kind == "stated" and column == "date_published":
                from datetime import date

                day = date.fromisoformat(value)
                shown = {value, f"{day:%B} {day.day}, {day.year}", f"{day:%b} {day.day}, {day.year}"}
                if not any(form in s for s in snippets for form in shown):
                    problems.append(f"fields.csv: {source_id}.date_published {value} is not written in its evidence")
            elif kind == "stated":
                plain = " ".join(snippets).replace("\u00a0", " ")
                problems += [
                    f"fields.csv: {source_id}.{column}: {part!r} is not in its evidence"
                    for part in value.split("; ")
                    if part not in plain
                ]
    return problems


def test_the_manifest_says_what_is_stated_and_what_is_inferred(texts):
    manifest = read_rows(paths.DATA / "sources" / "sources.csv")
    fields = read_rows(paths.DATA / "sources" / "fields.csv")
    problems = field_problems(manifest, fields, texts)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the checks can fail


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    return copy


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_straightened_apostrophe_is_reported(data_copy):
    rewrite(data_copy / "claims.csv", "Baidu’s Vice President", "Baidu's Vice President")
    problems = quote_problems(read_rows(data_copy / "claims.csv"), read_texts(data_copy))
    assert len(problems) == 1 and "found 0 times in curbs" in problems[0]


def test_a_dropped_claim_leaves_its_numbers_uncovered(data_copy):
    rows = [c for c in read_rows(data_copy / "claims.csv") if "82%" not in c["quote"]]
    problems = uncovered_numbers(read_texts(data_copy), rows, read_rows(data_copy / "ignored_numbers.csv"))
    assert {p.split(": ")[1].split(" ")[0] for p in problems} == {"'82'", "'2027'", "'34'", "'2024'"}


def test_a_citation_of_a_missing_claim_is_reported(data_copy):
    rewrite(data_copy / "tables" / "subsidies.csv", "C009", "C999")
    tables = {name: read_rows(path) for name, path in table_paths(data_copy).items()}
    problems = citation_problems(read_rows(data_copy / "claims.csv"), tables)
    assert problems == ["subsidies.csv line 4: cites unknown claim 'C999'"]


def test_the_schema_rejects_a_number_written_as_text(data_copy):
    rewrite(data_copy / "tables" / "market_share.csv", ",82,percent", ",eighty-two,percent")
    report = validate(data_copy / "datapackage.json")
    assert not report.valid
    assert any(error.type == "type-error" for task in report.tasks for error in task.errors)


def test_the_readme_examples_quote_their_claims(claims):
    """Each *italic example* (Cnnn) in data/README.md is the words of that claim, so the
    guide to judging kinds cannot drift from the data."""
    readme = (paths.DATA / "README.md").read_text(encoding="utf-8")
    by_id = {c["claim_id"]: c for c in claims}
    examples = re.findall(r"\*([^*]+)\*\s*\((C\d{3})\)", readme)
    assert len(examples) >= 10
    for words, claim_id in examples:
        assert claim_id in by_id, f"README cites unknown claim {claim_id}"
        for part in re.split(r"…", re.sub(r"\s+", " ", words)):
            part = part.strip(" .")
            assert part in by_id[claim_id]["quote"], f"README: {part!r} is not in {claim_id}'s quote"


def test_a_speaker_the_quotes_do_not_give_is_reported(data_copy):
    rewrite(
        data_copy / "tables" / "timeline.csv",
        "TL32,wsj,in 2019,2019-01-01,year,given in the text,35 universities have AI degree programmes,not stated,"
        "reported,author",
        "TL32,wsj,in 2019,2019-01-01,year,given in the text,35 universities have AI degree programmes,not stated,"
        "reported,Ministry of Education (China)",
    )
    tables = {name: read_rows(path) for name, path in table_paths(data_copy).items()}
    problems = speaker_problems(read_rows(data_copy / "claims.csv"), tables)
    assert problems == [
        "timeline.csv line 33: speaker 'Ministry of Education (China)' is the speaker of none of its claims C140"
    ]


def test_an_undated_forecast_and_an_authors_claim_are_reported():
    claims = [
        {
            "claim_id": "C900",
            "quote": "Sovereign AI Goes Global: US to Extend AI Influence Through Chip Deals",
            "kind": "forecast",
            "speaker": "author",
        },
        {"claim_id": "C901", "quote": "Baidu said the curbs would not hurt it.", "kind": "claim", "speaker": "author"},
        {
            "claim_id": "C902",
            "quote": "82% of AI chips by 2027",
            "kind": "forecast",
            "speaker": "Morgan Stanley analysts",
        },
    ]
    problems = kind_problems(claims)
    assert [p.split(":")[0] for p in problems] == ["C900 (forecast)", "C901 (claim)", "C901 (claim)"]


def test_an_overlapping_split_is_reported(texts):
    claims = [
        {"claim_id": "C001", "source_id": "wsj", "quote": "To an extent, those restrictions have worked."},
        {"claim_id": "C002", "source_id": "wsj", "quote": "those restrictions have worked."},
    ]
    assert overlap_problems(claims, texts) == ["C001 and C002 overlap in wsj"]


def test_an_unsupported_manifest_field_is_reported(texts):
    manifest = read_rows(paths.DATA / "sources" / "sources.csv")
    fields = [dict(f) for f in read_rows(paths.DATA / "sources" / "fields.csv")]
    for f in fields:
        if (f["source_id"], f["field"]) == ("wsj", "kind"):
            f["basis"] = "stated"
        if (f["source_id"], f["field"]) == ("merics", "outlet"):
            f["evidence"] = "MERICS, a think tank"
    problems = field_problems(manifest, fields, texts)
    assert "fields.csv: merics.outlet: evidence 'MERICS, a think tank' is not in the text" in problems
    assert "fields.csv: wsj.kind is the course's label, so 'inferred', not 'stated'" in problems
