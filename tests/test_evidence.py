"""The evidence helpers as a student meets them: load_table, claims, quote, search."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import course
from course import evidence, paths
from course.texts import Quote


def test_table_names_lists_every_table_in_schema_order():
    """The tables are the schema's resources under tables/, each named like its file; a new
    table needs only its CSV and its entry in data/datapackage.json."""
    package = json.loads((paths.DATA / "datapackage.json").read_text(encoding="utf-8"))
    described = [(r["name"], r["path"]) for r in package["resources"] if r["path"].startswith("tables/")]
    assert course.table_names() == [name for name, _ in described]
    assert all(path == f"tables/{name}.csv" for name, path in described), described
    assert {name for name, _ in described} == {p.stem for p in paths.TABLES.glob("*.csv")}


@pytest.mark.parametrize("name", evidence.table_names())
def test_every_table_loads_with_claim_ids(name):
    table = course.load_table(name)
    assert len(table) > 0
    assert table["claim_ids"].notna().all()
    assert all(course.claim_ids_of(row) for _, row in table.iterrows())


def test_numbers_are_numbers_and_dates_are_dates():
    subsidies = course.load_table("subsidies")
    assert pd.api.types.is_float_dtype(subsidies["value"])
    assert subsidies.loc[subsidies["value_text"] == "1 billion yuan", "value"].item() == 1_000_000_000
    assert pd.api.types.is_datetime64_any_dtype(subsidies["date"])
    timeline = course.load_table("timeline")
    assert pd.api.types.is_datetime64_any_dtype(timeline["date"])
    assert timeline["date"].dropna().dt.year.between(2017, 2030).all()
    assert pd.api.types.is_integer_dtype(course.load_table("market_share")["year"])
    assert pd.api.types.is_bool_dtype(course.load_table("glossary")["defined_in_sources"])


def test_empty_numbers_and_dates_are_missing_and_empty_text_is_empty():
    models = course.load_table("models")
    assert models["open_source"].isna().any()
    gpt4 = course.load_table("indicators").set_index("subject").loc["GPT-4"]
    assert pd.isna(gpt4["date"]) and gpt4["qualifier"] == "estimated"
    subsidies = course.load_table("subsidies")
    assert subsidies["value"].isna().any()
    assert subsidies["note"].notna().all() and (subsidies["note"] == "").any()
    assert subsidies["note"].str.contains("exchange rate").sum() == 1


def test_a_computed_value_is_left_to_code():
    """The implied exchange rate is not stored; it takes one line of pandas."""
    subsidies = course.load_table("subsidies")
    shanghai = subsidies.query("measure == 'total budget' and programme == 'Shanghai AI subsidy program'")
    by_unit = shanghai.set_index("unit")["value"]
    assert round(by_unit["CNY"] / by_unit["USD"], 2) == 7.19


def test_load_table_returns_a_copy():
    chips = course.load_table("chips")
    chips.loc[0, "item"] = "changed"
    assert course.load_table("chips").loc[0, "item"] != "changed"


def test_load_table_unknown_name_lists_the_tables():
    with pytest.raises(KeyError, match="subsidies, chips"):
        course.load_table("subsidy")
    with pytest.raises(TypeError, match="as a string"):
        course.load_table(3)


def test_claims_returns_every_claim_with_its_columns():
    table = course.claims()
    assert list(table.columns) == ["claim_id", "source_id", "quote", "theme", "kind", "speaker", "entities", "note"]
    assert table["claim_id"].is_unique
    assert set(table["kind"]) == set(evidence.KINDS)


def test_claims_filters_combine():
    forecasts = course.claims(kind="forecast", source="wsj")
    assert len(forecasts) > 0
    assert set(forecasts["kind"]) == {"forecast"} and set(forecasts["source_id"]) == {"wsj"}
    two = course.claims(theme=["chips", "energy"])
    assert set(two["theme"]) == {"chips", "energy"}
    assert len(course.claims(theme="chips")) + len(course.claims(theme="energy")) == len(two)


def test_claims_rejects_unknown_filters_with_the_choices():
    with pytest.raises(ValueError, match="Unknown kind .prediction.. Choose from: fact, forecast, assertion, opinion"):
        course.claims(kind="prediction")
    with pytest.raises(ValueError, match="The kind 'claim' is now called 'assertion'"):
        course.claims(kind="claim")
    with pytest.raises(ValueError, match="Unknown source 'nyt'"):
        course.claims(source=["wsj", "nyt"])
    with pytest.raises(TypeError, match="theme should be a string"):
        course.claims(theme=5)


def test_claim_ids_of_reads_a_row_or_its_text():
    assert course.claim_ids_of("C012;C013") == ["C012", "C013"]
    row = course.load_table("market_share").iloc[0]
    assert course.claim_ids_of(row) == row["claim_ids"].split(";")
    with pytest.raises(TypeError):
        course.claim_ids_of({"claim_ids": 12})


def test_quote_shows_the_clause_in_its_sentence_with_source_and_id():
    shown = course.quote("C010")
    assert isinstance(shown, Quote)
    text = repr(shown)
    assert text.startswith("“300 million yuan will provide discounts on third-party AI models”")
    assert "[C010] billions:" in text
    assert "in context: “This comprehensive package" in text and "«300 million yuan" in text
    assert repr(course.quote("C010")) == text, "the plain-text form is deterministic (nbval compares it)"
    assert "<mark>300 million yuan" in shown._repr_html_()


def test_quote_of_a_whole_sentence_adds_no_context():
    shown = course.quote("C121")
    assert shown.context is None
    assert "in context" not in repr(shown) and "[C121] wsj:" in repr(shown)


def test_quote_context_never_leaves_the_paragraph():
    for claim_id in course.claims()["claim_id"]:
        shown = course.quote(claim_id)
        if shown.context:
            assert "\n" not in shown.context and shown.text in shown.context


def test_quote_rejects_unknown_ids_clearly():
    with pytest.raises(KeyError, match="no claim 'C999'"):
        course.quote("C999")
    with pytest.raises(KeyError, match="look like 'C012'"):
        course.quote("12")
    with pytest.raises(TypeError, match="string such as 'C012'"):
        course.quote(12)


def test_quote_without_context_keeps_the_old_form():
    assert repr(Quote("To an extent, those restrictions have worked.", "wsj")) == (
        "“To an extent, those restrictions have worked.”\n"
        "    — wsj: Raffaele Huang; Liza Lin, The Wall Street Journal, 2025-07-30"
    )


def test_search_finds_every_hit_with_the_claims_that_cover_it():
    hits = course.search("H20")
    assert list(hits.columns) == ["source_id", "position", "left", "match", "right", "claim_ids"]
    assert list(hits["source_id"]) == ["curbs", "wsj"]
    assert all(hits["claim_ids"] != "")
    for row in hits.itertuples():
        assert course.load_source(row.source_id)[row.position : row.position + 3] == "H20"


def test_search_is_case_insensitive_and_keeps_the_texts_case():
    lower, upper = course.search("nvidia"), course.search("NVIDIA")
    assert len(lower) == len(upper) > 0
    assert {"Nvidia", "NVIDIA"} <= set(lower["match"])


def test_search_narrows_by_source_and_width():
    hits = course.search("Huawei", source="wsj", width=10)
    assert set(hits["source_id"]) == {"wsj"}
    assert hits["left"].str.len().max() <= 10 and hits["right"].str.len().max() <= 10
    assert not any("\n" in text for text in hits["left"].tolist() + hits["right"].tolist())


def test_search_with_no_hits_is_an_empty_table():
    hits = course.search("quantum")
    assert hits.empty and list(hits.columns) == ["source_id", "position", "left", "match", "right", "claim_ids"]


def test_search_rejects_bad_input_clearly():
    with pytest.raises(ValueError, match="word or phrase"):
        course.search("  ")
    with pytest.raises(TypeError, match="as a string"):
        course.search(None)
    with pytest.raises(ValueError, match="whole number"):
        course.search("Huawei", width=-1)
    with pytest.raises(ValueError, match="Unknown source 'ft'"):
        course.search("Huawei", source="ft")


def test_importing_the_helpers_stays_light():
    """pandas loads on first use; frictionless is for the tests only."""
    code = "import sys, course.evidence; print('pandas' in sys.modules, 'frictionless' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_search_matches_straight_and_curly_quote_marks():
    curly = course.search("China’s AI push")
    assert len(curly) >= 1
    assert course.search("China's AI push")[["source_id", "position"]].equals(curly[["source_id", "position"]])
    hard_tech = course.search("“hard tech\"")  # the WSJ opens curly and closes straight
    assert list(hard_tech["source_id"]) == ["wsj"]


@pytest.mark.parametrize(
    "first_use", ["course.load_table('glossary')", "course.claims()", "course.sources()", "course.search('H20')"]
)
def test_tables_show_their_text_in_full_once_a_helper_is_used(first_use):
    """Set once for the course, lazily: importing course changes nothing; the first table
    helper turns off pandas' "…" truncation, so no lesson sets it by hand."""
    code = (
        "import pandas as pd, course; before = pd.get_option('display.max_colwidth'); "
        f"{first_use}; print(before, pd.get_option('display.max_colwidth'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["50", "None"]


def test_no_lesson_sets_the_display_width_itself():
    from course import paths

    for path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert "max_colwidth" not in text, f"{path.name}: the course sets full text once (course.texts.show_full_text)"
