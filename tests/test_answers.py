"""Normalising, salted hashing and number parsing (course/questions/answers.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course.questions import answers


def test_normalise_treats_typographic_variants_alike():
    assert answers.normalise("  China’s   “Spare Tire” – plan ") == answers.normalise("china's \"spare tire\" - PLAN")


def test_hash_is_salted_qualified_and_stable():
    salt = answers.default_salt("q1")
    assert salt == answers.default_salt("q1") != answers.default_salt("q2")
    assert answers.hash_answer("Huawei", salt) == answers.hash_answer(" huawei ", salt)
    assert answers.hash_answer("Huawei", salt) != answers.hash_answer("Huawei", answers.default_salt("q2"))
    assert answers.hash_answer("Huawei", salt, "position 1") != answers.hash_answer("Huawei", salt, "position 2")
    digest = answers.hash_answer("Huawei", salt)
    assert len(digest) == answers.DIGEST_CHARS and set(digest) <= set("0123456789abcdef")
    assert digest == answers.hash_answer("Huawei", answers.default_salt("q1")), "stable across calls"
    assert digest != answers.hash_answer("Nvidia", salt), "another answer, another digest"


def test_hash_needs_a_salt():
    with pytest.raises(ValueError, match="salt"):
        answers.hash_answer("x", "")


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [("564", "", 564.0), ("1,234.5", "", 1234.5), ("1 234", "", 1234.0), ("-3e2", "", -300.0),
     ("82 %", "%", 82.0), ("564 billion USD", "billion USD", 564.0), ("\u22122.5", "", -2.5), (7, "", 7.0)],
)
def test_parse_number_reads_what_students_type(typed, unit, expected):
    assert answers.parse_number(typed, unit) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "empty"), (None, "empty"), ("about 500", "not a number"), ("12 billion", "not a number"),
     ("nan", "not a number"), (float("inf"), "infinity"), (True, "True or False")],
)
def test_parse_number_explains_bad_input(typed, message):
    with pytest.raises(ValueError, match=message):
        answers.parse_number(typed)


def test_hashed_number_accepted_within_tolerance_to_half_a_grid_step():
    salt = answers.default_salt("n")
    stored = answers.hash_number(564.0, 2.0, salt)
    half_step = answers.number_grid_step(2.0) / 2
    assert answers.number_matches(564.0, 2.0, salt, stored)
    assert answers.number_matches(562.0, 2.0, salt, stored)
    assert answers.number_matches(565.9, 2.0, salt, stored)
    assert not answers.number_matches(566.0 + 2 * half_step, 2.0, salt, stored)
    assert not answers.number_matches(540.0, 2.0, salt, stored)


def test_hash_does_not_contain_the_answer():
    assert "564" not in answers.hash_number(564.0, 1.0, answers.default_salt("n"))


def test_module_stays_pure():
    code = "import sys, course.questions.answers; print(any(m in sys.modules for m in ('ipywidgets', 'pandas')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
