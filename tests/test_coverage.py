"""Every theme taught and nearly every claim used; every question rests on what came before.

The checks live in ``course/authoring/coverage.py`` (``python -m course.authoring.coverage``
prints both lists for an author).
"""

from __future__ import annotations

import json
import shutil
from functools import cache

import pytest

from course import paths
from course.authoring import coverage
from course.authoring.passages import claims_by_id

#: Claims no lesson, self-check or exercise question uses, each with the reason it may stay
#: unused. Keep it short: the course uses at least coverage.MINIMUM_SHARE of its claims.
UNUSED_ALLOWED: dict[str, str] = {}


def test_at_least_the_minimum_share_of_claims_is_used():
    total = len(claims_by_id())
    unused = coverage.unused_claims()
    assert (total - len(unused)) / total >= coverage.MINIMUM_SHARE, (
        f"{len(unused)} of {total} claims unused: {', '.join(unused)}"
    )


def test_every_unused_claim_is_allowed_with_a_reason():
    unused = set(coverage.unused_claims())
    assert sorted(unused - set(UNUSED_ALLOWED)) == [], "use these claims, or allow them below with a reason"
    assert sorted(set(UNUSED_ALLOWED) - unused) == [], "these allowed claims are used now: remove them from the list"
    assert all(len(reason.split()) >= 4 for reason in UNUSED_ALLOWED.values())


#: The least share of a theme's claims that lessons (not only questions) must show.
THEME_SHARE = 0.75


def test_every_theme_of_claims_csv_is_taught_in_a_lesson():
    used = coverage.claims_used()
    shown: dict[str, list[bool]] = {}
    for claim_id, row in claims_by_id().items():
        in_lesson = any(where.startswith("lesson") for where in used.get(claim_id, ()))
        shown.setdefault(row["theme"], []).append(in_lesson)
    short = {theme: f"{sum(f)} of {len(f)}" for theme, f in shown.items() if sum(f) < THEME_SHARE * len(f)}
    assert short == {}, f"themes whose claims the lessons show too few of: {short}"


def test_every_questions_evidence_comes_before_it():
    assert coverage.evidence_order_problems() == []


@pytest.fixture()
def course_copy(tmp_path):
    """The lessons, questions and claims of the course in a scratch folder, to plant errors in."""
    for folder in ("notebooks", "questions"):
        shutil.copytree(paths.ROOT / folder, tmp_path / folder)
    (tmp_path / "data").mkdir()
    shutil.copy(paths.DATA / "claims.csv", tmp_path / "data" / "claims.csv")
    return tmp_path


def test_a_check_resting_on_a_later_lesson_is_reported(course_copy):
    first = sorted((course_copy / "questions").glob("00-*.toml"))[0]
    later = "C201"  # met in lesson 08, not in lesson 00
    text = first.read_text(encoding="utf-8").replace('evidence = ["', f'evidence = ["{later}", "', 1)
    first.write_text(text, encoding="utf-8")
    problems = coverage.evidence_order_problems(course_copy)
    assert any(f"its evidence {later} is not met" in p and p.startswith("questions/00") for p in problems), problems


def test_a_claim_the_question_quotes_counts_as_given():
    claims = claims_by_id()
    entry = {"prompt": f"Read this: “{claims['C201']['quote']}” Which kind is it?"}
    assert coverage.gives(entry, "C201", claims)
    assert not coverage.gives({"prompt": "Which kind is it?"}, "C201", claims)
    assert coverage.gives({"prompt": 'Run quote("C201").'}, "C201", claims)
    middle = claims["C201"]["quote"][20:70]
    assert coverage.gives({"prompt": f"It says “{middle}”."}, "C201", claims)
    assert not coverage.gives({"prompt": f"It says “{middle[:30]}”."}, "C201", claims)


def test_a_claim_dropped_from_every_lesson_is_reported_unused(course_copy):
    claim_id = "C201"
    for path in (course_copy / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(nb).replace(claim_id, "C999")
        path.write_text(text, encoding="utf-8")
    for path in (course_copy / "questions").glob("*.toml"):
        path.write_text(path.read_text(encoding="utf-8").replace(claim_id, "C999"), encoding="utf-8")
    assert claim_id in coverage.unused_claims(course_copy)


#: The least number of self-checks, and of exercise questions, per lesson that ask the learner to
#: apply the lesson's method to a case it did not work through (``skill = "apply"``).
APPLY_AT_LEAST = 2


@cache
def question_files() -> dict:
    """questions/*.toml as coverage reads them, read once for this module (the tests only read it)."""
    return coverage.question_files()


@pytest.mark.parametrize("number", sorted(question_files()))
def test_every_lesson_asks_the_learner_to_apply_its_method(number):
    data = question_files()[number]
    for section in ("check", "exercise"):
        applying = [e["id"] for e in data.get(section, []) if e.get("skill") == "apply"]
        assert len(applying) >= APPLY_AT_LEAST, f"questions/{number}: [[{section}]] with skill = \"apply\": {applying}"


def test_every_apply_question_gives_the_statement_it_asks_about():
    assert coverage.apply_problems() == []


def test_an_apply_question_that_gives_nothing_is_reported(course_copy):
    path = sorted((course_copy / "questions").glob("00-*.toml"))[0]
    text = path.read_text(encoding="utf-8")
    text += '\n[[check]]\nid = "bare"\nkind = "single choice"\nskill = "apply"\nprompt = "Which kind?"\n'
    text += 'options = ["fact", "opinion"]\nanswer = "fact"\nexplanation = "It is checkable."\nevidence = ["C201"]\n'
    path.write_text(text, encoding="utf-8")
    assert [p for p in coverage.apply_problems(course_copy) if "'bare'" in p]
    quoted = text.replace('prompt = "Which kind?"', 'prompt = "Which kind is C201?"')
    path.write_text(quoted, encoding="utf-8")
    assert not [p for p in coverage.apply_problems(course_copy) if "'bare'" in p]


def test_a_question_with_an_unknown_skill_is_refused():
    from course.questions.question import QuestionSourceError
    from course.questions.source import parse

    text = (
        '[[check]]\nid = "q"\nkind = "number"\nprompt = "How many?"\nanswer = 3\ntolerance = 0.5\n'
        'explanation = "Three."\nskill = "guess"\n'
    )
    with pytest.raises(QuestionSourceError, match="skill must be one of"):
        parse(text, "00-x")
    assert parse(text.replace('"guess"', '"apply"'), "00-x").checks[0].skill == "apply"
