"""A reading fixed once is fixed everywhere: prose, questions and table notes agree with
claims.csv and the tables (data/README.md, "Marking the course's reading" and the rules for
the open cases).

Each rule has two tests: the checker reports a planted error, and the real files give
nothing outside an explicit allow-list whose every entry says why it may stay. The checkers
live in ``course/authoring/drift.py`` and ``course/authoring/readings.py`` (reading what
``course/authoring/passages.py`` gathers) so that authors can run them on a draft.
"""

from __future__ import annotations

import pytest

from course import evidence, paths
from course.authoring import drift, readings
from course.authoring import passages as gather
from course.authoring.datacheck.files import read_rows
from course.authoring.passages import Passage
from course.evidence import KINDS

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def claims():
    return gather.claims_by_id()


@pytest.fixture(scope="module")
def tables():
    return gather.tables()


@pytest.fixture(scope="module")
def passages():
    return gather.course_passages()


# ---------------------------------------------------------------- (a) kind words and speakers

#: 'file: claim id' → why a disagreement may stay (none: every kind word agrees with claims.csv).
KIND_ALLOWED: dict[str, str] = {}


def test_a_kind_or_speaker_that_disagrees_with_claims_csv_is_reported(claims):
    planted = [
        Passage("planted 1", "The Reference Shelf headline C085 is a forecast."),
        Passage("planted 2", "The outline is given by the blog in its own voice (C154)."),
        Passage("planted 3", "The WSJ says the H20's sale was blocked (C066)."),
        Passage("planted 4", "Read an opinion (C121) next to the data."),
        Passage("fine", "C085 is not a forecast. C089 is an opinion. The WSJ reports it (C103)."),
    ]
    problems = drift.kind_and_speaker_problems(planted, claims)
    assert [p.split(":")[0] for p in problems] == ["planted 1", "planted 2", "planted 3", "planted 4"], problems
    assert "kind 'opinion'" in problems[0] and "RAND Australia" in problems[1] and "of curbs" in problems[2]


def test_the_old_kind_word_claim_is_reported():
    planted = [
        Passage("list", "Is it a fact, a forecast, a claim or an opinion?"),
        Passage("bold", "This is a **claim**: the company speaks of itself."),
        Passage("gloss", "Those are claims (by interested parties), not facts."),
        Passage("fine", "Every claim has an id; C076 is a claim of curbs, and an assertion."),
    ]
    problems = drift.old_kind_word_problems(planted)
    assert sorted({p.split(":")[0] for p in problems}) == ["bold", "gloss", "list"], problems


def test_claim_has_one_meaning_in_what_learners_read(passages):
    assert drift.old_kind_word_problems(passages) == []


def test_kind_words_and_speakers_in_the_course_agree_with_claims_csv(passages, claims):
    problems = [
        p
        for p in drift.kind_and_speaker_problems(passages, claims)
        if f"{p.split(' ')[0]}: {drift.CLAIM_ID.search(p.split(': ', 1)[1]).group()}" not in KIND_ALLOWED
    ]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- (c) column values in prose


def test_a_column_value_the_table_does_not_hold_is_reported(tables, claims):
    planted = [
        Passage("planted", "In the indicators table, the `measure` of I03 is 'training cost'."),
        Passage("fine", "In the indicators table, the `measure` of I03 is 'cost of building the model'."),
    ]
    problems = drift.column_value_problems(planted, tables, claims)
    assert len(problems) == 1 and problems[0].startswith("planted: `measure` is said to hold 'training cost'")


def test_column_values_quoted_in_the_course_exist(passages, tables, claims):
    problems = drift.column_value_problems(passages, tables, claims)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- (d) counts are computed

NAMES = "names the things it counts right beside it (a list, ids or a quotation), so the count cannot drift alone"
FORM = "says how many items the question or exercise itself shows or asks for, not a count of data"
#: A phrase, or 'file: phrase' (a TOML file with the question id), → why it may stay typed.
COUNT_ALLOWED = {
    "five texts": "a constant of the course: test_the_constants_prose_uses_are_the_datas",
    "five source texts": "a constant of the course: test_the_constants_prose_uses_are_the_datas",
    "four kinds": "a constant of the course: test_the_constants_prose_uses_are_the_datas",
    "three dated texts": "a constant of the course: test_the_constants_prose_uses_are_the_datas",
    "notebooks/01-reading-the-sources.ipynb: two texts": NAMES,
    "notebooks/01-reading-the-sources.ipynb: one topic": NAMES,
    "notebooks/01-reading-the-sources.ipynb: one row": NAMES,
    "notebooks/01-reading-the-sources.ipynb: three topics": NAMES,
    "notebooks/01-reading-the-sources.ipynb: two forecasts": NAMES,
    "notebooks/01-reading-the-sources.ipynb: one text": NAMES,
    "notebooks/02-export-controls.ipynb: two texts": NAMES,
    "notebooks/02-export-controls.ipynb: two rows": NAMES,
    "notebooks/03-money-and-policy.ipynb: two kinds": NAMES,
    "notebooks/03-money-and-policy.ipynb: two claims": NAMES,
    "notebooks/03-money-and-policy.ipynb: two other texts": NAMES,
    "notebooks/04-chips-and-compute.ipynb: two forecasts": NAMES,
    "notebooks/04-chips-and-compute.ipynb: two texts": NAMES,
    "notebooks/05-models-and-open-source.ipynb: two rows": NAMES,
    "notebooks/05-models-and-open-source.ipynb: two statements": NAMES,
    "notebooks/07-energy-and-infrastructure.ipynb: two kinds": NAMES,
    "notebooks/07-energy-and-infrastructure.ipynb: two claims": NAMES,
    "notebooks/07-energy-and-infrastructure.ipynb: two texts": NAMES,
    "notebooks/08-adoption-markets-and-the-world.ipynb: two other texts": NAMES,
    "notebooks/10-synthesis.ipynb: one kind": NAMES,
    "questions/00-start-here.toml: three texts": NAMES,
    "questions/03-money-and-policy.toml: three rows": FORM,
    "questions/03-money-and-policy.toml: two opinions": NAMES,
    "questions/04-chips-and-compute.toml: two rows": FORM,
    "questions/05-models-and-open-source.toml: two statements": NAMES,
    "questions/05-models-and-open-source.toml: one row": NAMES,
    "questions/10-synthesis.toml: two forecasts": FORM,
    "questions/10-synthesis.toml: one forecast": FORM,
    "questions/10-synthesis.toml: two topics": NAMES,
    "questions/10-synthesis.toml: one text": NAMES,
}


def test_a_typed_count_is_reported():
    planted = [
        Passage("notebooks/08-planted.ipynb cell 36", "There is one forecast and one claim. The rest are opinions."),
        Passage("questions/01-planted.toml caption", "Billions and curbs each have two more opinions than facts."),
        Passage("fine", "Cite at least three claim ids. The table has one row per topic. `len(claims)`."),
        Passage("notebooks/01-planted.ipynb cell 46 (caption)", "each have 2 more opinions than facts"),
    ]
    problems = drift.count_problems(planted, COUNT_ALLOWED)
    assert [p.split(": the count ")[1] for p in problems] == [
        "'one forecast' is typed, not computed",
        "'one claim' is typed, not computed",
        "'two more opinions' is typed, not computed",
    ]


def test_every_count_in_lessons_and_questions_is_computed_or_allowed(passages):
    prose = [p for p in passages if not p.where.startswith("data/")]
    problems = drift.count_problems(prose, COUNT_ALLOWED)
    assert not problems, "Show these counts by code, or add them to COUNT_ALLOWED with a reason:\n" + "\n".join(
        problems
    )


def test_the_constants_prose_uses_are_the_datas():
    """The few counts prose may type are constants of the course, checked here."""
    manifest = read_rows(paths.DATA / "sources" / "sources.csv")
    assert len(manifest) == len(list((paths.DATA / "sources").glob("*.txt"))) == 5  # "five texts"
    assert len(evidence.KINDS) == 4  # "four kinds"
    assert sum(bool(row["date_published"]) for row in manifest) == 3  # "three dated texts"


# ---------------------------------------------------------------- (e) agreement relations


def test_a_relation_that_its_claims_do_not_carry_is_reported(claims, tables):
    rows = [dict(r) for r in tables["agreement"] if r["topic"] == "h20-sales"]
    rows[1]["position"] = "Blocked by Huawei in 2024"  # names and a year that C066 does not give
    rows[1]["relation"] = "contradicts"
    rows.append({**rows[0], "source_id": "blog", "claim_ids": "C103", "relation": "reference"})
    problems = readings.agreement_problems(rows, claims)
    assert problems == [
        "agreement.csv h20-sales/curbs: relation 'contradicts' is not one of " + str(readings.RELATIONS),
        "agreement.csv h20-sales/curbs: the position's '2024' is in none of its cited quotes",
        "agreement.csv h20-sales/curbs: the position names 'Huawei', which none of its cited quotes does",
        "agreement.csv h20-sales/blog: cites C103, a claim of wsj, not of blog",
        "agreement.csv h20-sales: needs exactly one reference row, has 2",
    ]


def test_every_relation_rests_on_its_cited_claims(claims, tables):
    problems = readings.agreement_problems(tables["agreement"], claims)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the course's reading, marked


def test_an_unmarked_reading_is_reported(claims, tables):
    planted_tables = {
        "talent": [{**tables["talent"][3], "note": "'More than half' is stored as more than 50 percent."}],
        "energy": [{**tables["energy"][9], "status": "reported"}],
    }
    fields = [{"source_id": "blog", "field": "title", "basis": "inferred", "reasoning": "The first line."}]
    problems = readings.reading_mark_problems(planted_tables, fields, claims)
    assert [p.split(":")[0] for p in problems] == ["talent.csv T04", "energy.csv E10", "fields.csv blog/title"]


def test_the_courses_readings_are_marked(claims, tables):
    fields = read_rows(paths.DATA / "sources" / "fields.csv")
    problems = readings.reading_mark_problems(tables, fields, claims)
    assert not problems, "\n".join(problems)


def test_a_claim_cut_from_its_subject_is_reported(claims):
    planted = {**claims, "C029": {**claims["C029"], "note": ""}}
    assert [p.split(":")[0] for p in readings.subject_problems(planted)] == ["claims.csv C029"]


def test_every_claim_cut_from_its_subject_names_it(claims):
    problems = readings.subject_problems(claims)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- (b) kind keys come from claims.csv


def _classification(answer, labels=None):
    from course.questions import source

    entry = {"id": "planted", "kind": "classification", "prompt": "Label each.", "explanation": "Because."}
    entry["answer"] = answer
    if labels:
        entry["labels"] = labels
    return source.build(entry, "planted", "check", "planted.toml")


def test_a_hand_typed_kind_that_disagrees_with_claims_csv_is_refused(claims):
    from course.questions.source import QuestionSourceError

    headline = claims["C085"]["quote"]
    with pytest.raises(QuestionSourceError, match=r"C085 the kind 'opinion'"):
        _classification({headline: "forecast", claims["C089"]["quote"]: "opinion"})
    with pytest.raises(QuestionSourceError, match="neither a claim id nor the exact quote"):
        _classification({"A paraphrase of C085": "from claims.csv", "C089": "opinion"})


def test_from_claims_csv_fills_the_key_when_the_questions_are_built(claims):
    headline = claims["C085"]["quote"]
    question = _classification({headline: "from claims.csv", "C121": "from claims.csv"})
    assert question.score({headline: "opinion", "C121": "forecast"}) == 1
    assert question.score({headline: "forecast", "C121": "forecast"}) < 1


def test_every_kind_key_of_a_claim_in_the_question_files_comes_from_claims_csv():
    """No classification question types the kind of an item that is a claim's words: the key
    is written "from claims.csv" and so follows every re-kinding."""
    import tomllib

    from course.questions import source
    from course.questions.kinds.classification import FROM_CLAIMS, claim_kinds

    by_id, by_quote = claim_kinds()
    typed = []
    for path in sorted(source.folder().glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in [*data.get("check", []), *data.get("exercise", [])]:
            if entry["kind"] != "classification" or sorted(entry.get("labels", KINDS)) != sorted(KINDS):
                continue
            typed += [
                f"{path.name} {entry['id']}: {item[:50]!r} = {value!r}"
                for item, value in entry["answer"].items()
                if (item in by_id or item in by_quote) and value != FROM_CLAIMS
            ]
        source.load(path.stem)  # a disagreeing key would be refused here
    assert not typed, 'Write these keys as "from claims.csv":\n' + "\n".join(typed)


def test_a_speaker_key_that_disagrees_with_claims_csv_is_reported(claims):
    entry = {
        "kind": "classification",
        "labels": ["the author's own voice", "a named person or organisation", "unnamed people"],
        "answer": {"C019": "the author's own voice", "C089": "the author's own voice", "C111": "unnamed people"},
    }
    problems = drift.speaker_key_problems([("planted", entry)], claims)
    assert [p.split(":")[1].split(" is keyed")[0].strip() for p in problems] == ["C019", "C111"]


def test_speaker_keys_in_the_question_files_agree_with_claims_csv(claims):
    problems = drift.speaker_key_problems(gather.question_entries(), claims)
    assert not problems, "\n".join(problems)


def test_every_allowed_count_is_still_in_the_course(passages):
    """An allow-list entry whose words are gone would let the same words back in unchecked."""
    used = set()
    for passage in passages:
        for phrase in drift.count_mentions(passage.text):
            used |= {phrase, f"{passage.where}: {phrase}", f"{passage.where.split(' ')[0]}: {phrase}"}
    assert not [key for key in COUNT_ALLOWED if key not in used], "remove these from COUNT_ALLOWED"
