"""One verdict for one answer: the learner's self-check and the grader agree.

For every graded question of every exercise (``questions/0*.toml``, every kind) and the answer
forms a learner types (right and wrong; option text or number, list, tuple, set, dict with int
or str keys, numpy scalars, 0-d and 1-d arrays, float for int, NaN, infinity, None, ``...``),
the self-check — ``check("ID", value)`` as the exercise's own generated cell loads it, with
hashed learner copies — says the same as the grader: the answer taken out of a kernel by
``child.snapshot``, sent as JSON text, and judged by ``judging.judge`` against the plain
questions. Same status, same points, same message.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from course import paths
from course.evidence import claim_sources
from course.grading import child, judging
from course.questions import Checks, load_checks, source

STEMS = [p.stem for p in sorted((paths.ROOT / "questions").glob("[0-9][0-9]-*.toml"))]
#: The grader's statuses where the self-check has its own word for the same verdict.
SAME_VERDICT = {"rejected": "invalid", "to mark": "received"}


@cache
def checks(stem: str) -> Checks:
    """``check`` exactly as ``exercises/<stem>.ipynb`` defines it, from its generated cell."""
    nb = json.loads((paths.EXERCISES / f"{stem}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if (c.get("metadata") or {}).get("course", {}).get("role") == "keys")
    text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call))
    return load_checks(*(ast.literal_eval(argument) for argument in call.args))


@cache
def plain_questions(stem: str) -> list:
    return source.load(stem).exercises


QUESTIONS = [(stem, q) for stem in STEMS for q in plain_questions(stem)]


def self_check(stem: str, qid: str, value: object) -> tuple[str, float, str]:
    feedback = checks(stem)(qid, value)
    return feedback.status, feedback.points, feedback.message


def grader(stem: str, qid: str, value: object) -> tuple[str, float, str]:
    answers, rejected = child.snapshot({qid: value}, [qid])
    run = json.loads(json.dumps({"answers": answers, "rejected": rejected}, ensure_ascii=False))
    result = next(r for r in judging.judge(plain_questions(stem), run, []).questions if r.id == qid)
    return SAME_VERDICT.get(result.status, result.status), result.points, result.reason


# -- the forms a learner types ----------------------------------------------------------------
ODD = st.sampled_from([None, ..., math.nan, math.inf, -math.inf, True, 42, 2.5, "", [], {}, [math.nan],
                       np.float64(math.nan), np.array(math.inf)])


def option(options: list[str], index: int) -> st.SearchStrategy:
    """One option as a learner may name it: its text (any case), its number, as numpy."""
    text = options[index]
    return st.sampled_from([text, text.upper(), f" {text} ", index + 1, float(index + 1), np.int64(index + 1),
                            np.str_(text), np.array(index + 1)])


def collection(indices: list[int], options: list[str]) -> st.SearchStrategy:
    """Several options as a list, tuple, set or numpy array of texts or numbers."""
    texts, numbers = [options[i] for i in indices], [i + 1 for i in indices]
    makers: list[Callable[[list], object]] = [
        list, tuple, set, frozenset, lambda xs: np.array(xs, dtype=np.int64 if xs is numbers else str)]
    return st.tuples(st.sampled_from([texts, numbers]), st.sampled_from(makers)).map(lambda pair: pair[1](pair[0]))


def single(q) -> st.SearchStrategy:
    return st.integers(0, len(q.options) - 1).flatmap(lambda i: option(q.options, i))


def multiple(q) -> st.SearchStrategy:
    right = [q.options.index(o) for o in q.solution]
    picks = st.one_of(st.just(right), st.lists(st.integers(0, len(q.options) - 1), max_size=len(q.options),
                                                unique=True))
    return picks.flatmap(lambda indices: collection(indices, q.options))


def number(q) -> st.SearchStrategy:
    near = st.floats(q.solution - 2 * q.tolerance, q.solution + 2 * q.tolerance)
    values = st.one_of(st.just(q.solution), near, st.just(q.solution * 1000), st.just(float(round(q.solution))))
    forms = [float, int, np.float64, np.float32, np.array, lambda x: np.array([x]), str, lambda x: f"{x:,}"]
    return st.tuples(values, st.sampled_from(forms)).map(lambda pair: pair[1](pair[0]))


def ordering(q) -> st.SearchStrategy:
    right = [q.items.index(item) for item in q.solution]
    orders = st.one_of(st.just(right), st.permutations(range(len(q.items))))
    return orders.flatmap(lambda order: collection(list(order), q.items))


KEYS = [lambda n, item: n, lambda n, item: item, lambda n, item: np.int64(n), lambda n, item: str(n),
        lambda n, item: float(n)]


def matching(q) -> st.SearchStrategy:
    """A dict item -> choice keyed by number (int, numpy, str, float) or text, or a list."""
    right = [q.choices.index(q.solution[item]) for item in q.items]
    size = len(q.items)
    picks = st.one_of(st.just(right), st.lists(st.integers(0, len(q.choices) - 1), min_size=size, max_size=size))

    def forms(chosen: list[int]) -> st.SearchStrategy:
        values = st.sampled_from([[q.choices[c] for c in chosen], [c + 1 for c in chosen]])
        as_dict = st.tuples(st.sampled_from(KEYS), values).map(
            lambda pair: {pair[0](n, item): v for n, (item, v) in enumerate(zip(q.items, pair[1], strict=True), 1)})
        return st.one_of(as_dict, values.map(list), values.map(tuple), values.map(set))
    return picks.flatmap(forms)


def finder(q) -> st.SearchStrategy:
    claims = st.one_of(st.sampled_from(q.solution), st.sampled_from(sorted(claim_sources())), st.just("C999"))
    return claims.flatmap(lambda c: st.sampled_from([c, c.lower(), f" {c} ", np.str_(c), [c]]))


def written(q) -> st.SearchStrategy:
    return st.sampled_from([q.solution, q.solution[:80], "   ", 42, [q.solution]])


FORMS = {"single choice": single, "multiple choice": multiple, "number": number, "ordering": ordering,
         "matching": matching, "classification": matching, "evidence finder": finder, "written": written}


@st.composite
def answers(draw) -> tuple[str, str, object]:
    stem, q = draw(st.sampled_from(QUESTIONS))
    return stem, q.name, draw(st.one_of(FORMS[q.kind](q), ODD))


def test_every_kind_and_every_exercise_is_drawn_from():
    assert {q.kind for _, q in QUESTIONS} == set(FORMS)
    assert {stem for stem, _ in QUESTIONS} == set(STEMS) and len(STEMS) >= 10


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(answers())
@example(("01-reading-the-sources", "phrase_sources",
          {1: "curbs", 2: "billions", 3: "wsj", 4: "merics", 5: "blog"}))  # int keys, as the prompt shows
@example(("00-start-here", "with_authors", {"merics", "wsj"}))  # a set of ticks
@example(("01-reading-the-sources", "deepseek_rate", np.array(13.2)))  # a 0-d array
@example(("01-reading-the-sources", "deepseek_rate", math.nan))
def test_the_self_check_and_the_grader_give_one_verdict(case):
    stem, qid, value = case
    mine, graders = self_check(stem, qid, value), grader(stem, qid, value)
    if mine[0] == graders[0] == "received":  # a written answer: the grader adds that it waits for marks
        assert graders[2].startswith(mine[2]) and "instructor" in graders[2]
        graders = (*graders[:2], mine[2])
    event(mine[0])
    assert mine == graders, (stem, qid, repr(value))


def honest_forms(q) -> list[object]:
    """Right answers in the forms the prompts document (``{1: ..., 2: ...}``, a list of ticks)
    and the forms a learner's code produces (a set, numpy values)."""
    if q.kind in ("matching", "classification"):
        return [{n: q.solution[item] for n, item in enumerate(q.items, 1)},
                {np.int64(n): np.str_(q.solution[item]) for n, item in enumerate(q.items, 1)}]
    if q.kind == "multiple choice":
        return [set(q.solution), tuple(q.solution), np.array([q.options.index(o) + 1 for o in q.solution])]
    if q.kind == "number":
        return [np.float64(q.solution), np.array(q.solution)]
    return []


HONEST = [(stem, q.name, value) for stem, q in QUESTIONS for value in honest_forms(q)]


@pytest.mark.parametrize(("stem", "qid", "value"), HONEST, ids=[f"{qid}-{type(v).__name__}" for _, qid, v in HONEST])
def test_honest_answers_earn_every_point_in_both(stem, qid, value):
    full = next(q.points for q in plain_questions(stem) if q.name == qid)
    assert self_check(stem, qid, value)[:2] == grader(stem, qid, value)[:2] == ("correct", full)
