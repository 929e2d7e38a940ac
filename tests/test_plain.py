"""The one conversion of an answer to plain data (course/questions/plain.py), shared by the
self-check and the grader: what it keeps, what it refuses, and that refusing calls nothing
the student defined."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from course.questions import Checks, MultipleChoice, NumberQuestion, SingleChoice, plain


@pytest.mark.parametrize("value", [
    {1: "wsj", 2: "merics"}, {"1": "wsj"}, {"a", "b"}, frozenset({1, 2}), (1, "a"), [1, (2, 3)], {(1, 2): None},
    {"__set__": [1]}, {"__dict__": 1, "x": 2}, ..., None, True, 0, -2.5, "", "C012", [], {}, math.inf, -math.inf,
])
def test_round_trip_gives_the_value_back(value):
    assert plain.round_trip(value) == value
    assert type(plain.round_trip(value)) is type(value)


def test_round_trip_keeps_nan_and_turns_numpy_into_python():
    assert math.isnan(plain.round_trip(math.nan)) and math.isnan(plain.round_trip(np.float32("nan")))
    assert plain.round_trip(np.array(13.2)) == 13.2 and type(plain.round_trip(np.int64(3))) is int
    assert plain.round_trip(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    assert plain.round_trip({np.int64(1): np.str_("wsj")}) == {1: "wsj"}
    assert type(next(iter(plain.round_trip({np.int64(1): "x"})))) is int


def test_a_set_is_sent_in_a_stable_order():
    assert plain.dumps({"b", "a", "c"}) == '{"__set__": ["a", "b", "c"]}'


class Liar(str):
    def __eq__(self, other):
        raise AssertionError("the student's __eq__ was called")

    __hash__ = str.__hash__


class Counted(int):
    def __int__(self):
        raise AssertionError("the student's __int__ was called")


class Mapping(dict):
    def items(self):
        raise AssertionError("the student's items() was called")


class Float(np.float64):
    def __float__(self):
        raise AssertionError("the student's __float__ was called")


@pytest.mark.parametrize(("value", "named"), [
    (Liar("x"), "Liar"), (Counted(1), "Counted"), (Mapping(a=1), "Mapping"), (Float(1.0), "Float"),
    ([Liar("x")], "Liar"), ({Liar("x")}, "Liar"), ({Liar("x"): 1}, "a dict key of type"), (1j, "complex"),
    (np.array([object()]), "numpy array of object"), (np.complex128(1), "complex128"), (b"x", "bytes"),
    ("x" * (plain.MAX_CHARS + 1), "characters"), (np.zeros(plain.MAX_ARRAY + 1), "values"),
])
def test_what_is_not_data_is_refused_without_running_it(value, named):
    with pytest.raises(plain.NotPlain, match=named):
        plain.dumps(value)


def test_an_int_of_thousands_of_digits_is_refused():
    with pytest.raises(plain.NotPlain, match="JSON cannot hold"):
        plain.dumps(10**5000)


def test_too_deep_and_self_containing_values_are_refused():
    deep: list = []
    deep.append(deep)
    with pytest.raises(plain.NotPlain, match="nested"):
        plain.dumps(deep)


@pytest.mark.parametrize("data", [{"__set__": [[1]]}, {"__dict__": [[[1], 2]]}, {"__dict__": [1]},
                                  {"__float__": "1.5"}, {"__tuple__": "ab"}])
def test_malformed_tags_are_a_value_error(data):
    with pytest.raises(ValueError, match="malformed"):
        plain.decode(data)


def test_the_self_check_refuses_what_the_grader_refuses_with_the_same_words():
    check = Checks("99-test", [SingleChoice("pick", "Which?", options=["a", "b"], answer="a").to_learner(reveal=False)])
    feedback = check("pick", Liar("a"))
    assert feedback.status == "invalid"
    assert feedback.message == plain.message("test_plain.Liar")
    assert check("pick", np.array(1)).correct and check("pick", 1.0).correct and check("pick", np.int64(1)).correct


def test_nan_and_infinity_get_words_a_learner_understands():
    questions = [SingleChoice("pick", "Which?", options=["a", "b"], answer="a"),
                 MultipleChoice("ticks", "Which?", options=["a", "b"], answer=["a"]),
                 NumberQuestion("size", "How many?", 3, tolerance=0.5)]
    check = Checks("99-test", [q.to_learner(reveal=False) for q in questions])
    for qid, value in [("pick", math.nan), ("ticks", [1, math.nan]), ("size", np.float64("nan"))]:
        feedback = check(qid, value)
        assert feedback.status == "invalid" and "Your answer is NaN (“not a number”)" in feedback.message
    assert "minus infinity: the calculation divided by zero" in check("size", -math.inf).message
    assert "infinity" in check("ticks", {math.inf}).message
    assert "infinity" in check("size", 10**400).message  # too large for a float
    assert json.loads(plain.dumps(math.nan)) == {"__float__": "nan"}
