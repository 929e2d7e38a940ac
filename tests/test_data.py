"""The evidence base: the schema holds, every quote is in its text, every citation resolves,
and no number in the five texts is left unaccounted for.

The checks live in ``course.authoring.datacheck``, so that authors run them on a draft with
``python -m course.authoring.datacheck``; here each runs on data/, and the last tests feed
them corrupted copies to show they can fail. The checks read the files directly (csv and
json), not through ``course.evidence``, so a bug in the helpers cannot hide a bug in the data.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from course import evidence, paths
from course.authoring import datacheck
from course.authoring.datacheck import claims as claim_checks
from course.authoring.datacheck import tables as table_checks
from course.authoring.datacheck.files import Data, load, package, schema_problems

# ---------------------------------------------------------------- the data as it is


@pytest.fixture(scope="module")
def data() -> Data:
    return load()


def test_the_schema_validates_and_describes_every_table():
    problems = schema_problems(paths.DATA)
    assert not problems, "data/datapackage.json:\n" + "\n".join(map(str, problems[:40]))


@pytest.mark.parametrize("check", datacheck.CHECKS, ids=lambda check: check.__name__)
def test_the_data_breaks_no_rule(check, data):
    """Each check of ``python -m course.authoring.datacheck``, on data/ as it is."""
    problems = check(data)
    assert not problems, "\n".join(map(str, problems))


def test_the_tool_finds_nothing_in_data_and_exits_0(capsys):
    assert datacheck.main([]) == 0
    assert capsys.readouterr().out.startswith("0 problem(s) in ")


def test_the_required_tables_exist(data):
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
    assert required <= set(data.tables)
    assert all(data.tables[name] for name in data.tables), "every table has rows"


def test_matching_is_literal_not_normalised(data):
    """The rule has no normalisation: a quote with a curly apostrophe, straightened, is
    not found, and merics keeps its non-breaking spaces."""
    curly = [c for c in data.claims if "’" in c["quote"]]
    assert curly, "some quotes keep curly apostrophes"
    for c in curly:
        assert c["quote"].replace("’", "'") not in data.texts[c["source_id"]]
    assert "\u00a0" in data.texts["merics"]


def test_the_vocabularies_in_code_match_the_schema():
    claims_schema = next(r for r in package()["resources"] if r["name"] == "claims")["schema"]
    fields = {f["name"]: f for f in claims_schema["fields"]}
    assert list(evidence.KINDS) == fields["kind"]["constraints"]["enum"]
    assert list(evidence.THEMES) == fields["theme"]["constraints"]["enum"]


def test_every_kind_and_source_is_represented(data, source_ids):
    assert set(data.texts) == set(source_ids), "data/sources/ holds exactly the five texts"
    assert {c["kind"] for c in data.claims} == set(evidence.KINDS)
    assert {c["source_id"] for c in data.claims} == set(source_ids)


def test_the_readme_examples_quote_their_claims(data):
    """Each *italic example* (Cnnn) in data/README.md is the words of that claim, so the
    guide to judging kinds cannot drift from the data."""
    readme = (paths.DATA / "README.md").read_text(encoding="utf-8")
    by_id = {c["claim_id"]: c for c in data.claims}
    examples = re.findall(r"\*([^*]+)\*\s*\((C\d{3})\)", readme)
    assert len(examples) >= 10
    for words, claim_id in examples:
        assert claim_id in by_id, f"README cites unknown claim {claim_id}"
        for part in re.split(r"…", re.sub(r"\s+", " ", words)):
            part = part.strip(" .")
            assert part in by_id[claim_id]["quote"], f"README: {part!r} is not in {claim_id}'s quote"


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
    problems = claim_checks.quote_problems(load(data_copy))
    assert len(problems) == 1 and "found 0 times in curbs" in problems[0].message
    assert (problems[0].file, problems[0].rule) == ("claims.csv", "quote-once")
    # The message shows where the quote stops matching, not only the quote's start.
    assert "then not \"'s Vice President" in problems[0].message and "(after '" in problems[0].message


def test_a_dropped_claim_leaves_its_numbers_uncovered(data_copy):
    data = load(data_copy)
    data.claims = [c for c in data.claims if "82%" not in c["quote"]]
    problems = claim_checks.uncovered_numbers(data)
    assert {p.message.split(" ")[0] for p in problems} == {"'82'", "'2027'", "'34'", "'2024'"}
    assert {p.file for p in problems} == {"sources/wsj.txt"}


def test_a_citation_of_a_missing_claim_is_reported(data_copy):
    rewrite(data_copy / "tables" / "subsidies.csv", "C009", "C999")
    problems = claim_checks.citation_problems(load(data_copy))
    assert [str(p) for p in problems] == ["data/tables/subsidies.csv:4: cites unknown claim 'C999' [citation-exists]"]


def test_the_schema_rejects_a_number_written_as_text(data_copy):
    rewrite(data_copy / "tables" / "market_share.csv", ",82,percent", ",eighty-two,percent")
    problems = schema_problems(data_copy)
    assert [(p.file, p.rule) for p in problems] == [("tables/market_share.csv", "type-error")]


def test_the_tool_prints_each_problem_and_exits_1(data_copy, capsys):
    rewrite(data_copy / "tables" / "subsidies.csv", "C009", "C999")
    assert datacheck.main(["--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "data/tables/subsidies.csv:4: cites unknown claim 'C999' [citation-exists]" in out


def test_a_speaker_the_quotes_do_not_give_is_reported(data_copy):
    rewrite(
        data_copy / "tables" / "timeline.csv",
        "TL32,wsj,in 2019,2019-01-01,year,given in the text,35 universities have AI degree programmes,not stated,"
        "reported,author",
        "TL32,wsj,in 2019,2019-01-01,year,given in the text,35 universities have AI degree programmes,not stated,"
        "reported,Ministry of Education (China)",
    )
    problems = claim_checks.speaker_problems(load(data_copy))
    assert [str(p) for p in problems] == [
        "data/tables/timeline.csv:33: speaker 'Ministry of Education (China)' is the speaker of none of its claims "
        "C140 [speaker]"
    ]


def test_an_undated_forecast_and_an_authors_claim_are_reported():
    claims = [
        {
            "claim_id": "C900",
            "quote": "Sovereign AI Goes Global: US to Extend AI Influence Through Chip Deals",
            "kind": "forecast",
            "speaker": "author",
        },
        {
            "claim_id": "C901",
            "quote": "Baidu said the curbs would not hurt it.",
            "kind": "assertion",
            "speaker": "author",
        },
        {
            "claim_id": "C902",
            "quote": "82% of AI chips by 2027",
            "kind": "forecast",
            "speaker": "Morgan Stanley analysts",
        },
    ]
    problems = claim_checks.kind_problems(Data(claims))
    assert [(p.line, p.rule) for p in problems] == [
        (2, "kind rule 1"),
        (3, "kind rule 2"),
        (3, "speaker-attributed"),
    ]


def test_an_overlapping_split_is_reported(data):
    claims = [
        {"claim_id": "C001", "source_id": "wsj", "quote": "To an extent, those restrictions have worked."},
        {"claim_id": "C002", "source_id": "wsj", "quote": "those restrictions have worked."},
    ]
    problems = claim_checks.overlap_problems(replace(data, claims=claims))
    assert [str(p) for p in problems] == ["data/claims.csv:3: C001 and C002 overlap in wsj [claims-apart]"]


def test_an_unsupported_manifest_field_is_reported(data):
    fields = [dict(f) for f in data.fields]
    for f in fields:
        if (f["source_id"], f["field"]) == ("wsj", "kind"):
            f["basis"] = "stated"
        if (f["source_id"], f["field"]) == ("merics", "outlet"):
            f["evidence"] = "MERICS, a think tank"
    messages = [p.message for p in table_checks.field_problems(replace(data, fields=fields))]
    assert "merics.outlet: evidence 'MERICS, a think tank' is not in the text" in messages
    assert "wsj.kind is the course's label, so 'inferred', not 'stated'" in messages


def test_a_bad_date_and_an_unmarked_hedge_are_reported(data):
    row = {
        "date": "2025-03-15",
        "date_precision": "month",
        "date_text": "in March",
        "dating_note": "",
        "value_text": "600 million yuan",
        "qualifier": "about",
        "note": "",
    }
    problems = table_checks.date_problems(replace(data, tables={"t": [row]}, table_files={}))
    problems += table_checks.reading_problems(replace(data, tables={"t": [row]}, table_files={}))
    assert [(p.file, p.line, p.rule) for p in problems] == [
        ("tables/t.csv", 2, "date-precision"),
        ("tables/t.csv", 2, "date-inferred-year"),
        ("tables/t.csv", 2, "qualifier-hedge"),
    ]
