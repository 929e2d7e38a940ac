"""Learners' copies are generated from questions/*.toml, are current, and hold no answer,
no half-right option and no explanation in a form anyone reads at a glance or finds by grep."""

from __future__ import annotations

import json
import re
from functools import cache

import nbformat
import pytest

from course import paths
from course.questions import seal, source
from course.questions.generate import ANSWER_KEY, planned, stale

BLOB = re.compile(r"(?:unseal|load_checks)\((?:'[^']*', )?'([A-Za-z0-9+/=]+)'\)")
STEMS = source.stems()


@cache
def questions(stem: str) -> source.QuestionSet:
    """The stem's questions, read once for this module (the tests only read them)."""
    return source.load(stem)


def test_every_generated_file_is_current():
    assert [str(p.relative_to(paths.ROOT)) for p in stale()] == [], "run `make questions`"


def learner_files():
    # The instructors' gallery is not a learner's file: it demonstrates reveal() on purpose.
    files = [p for p in planned() if p.suffix == ".ipynb" and p.parent in (paths.NOTEBOOKS, paths.EXERCISES)]
    return sorted(files)


def _blobs(path):
    nb = nbformat.read(str(path), as_version=4)
    return [m for cell in nb.cells if cell.cell_type == "code" for m in BLOB.findall(cell.source)]


def _secrets(question) -> list[str]:
    """What a learner's file must not hold in plain text, and what it must not label."""
    found = [question.explanation] if question.explanation else []
    model = getattr(question, "model_answer", None) or (question.solution if question.kind == "written" else None)
    return found + ([model] if model else [])


@pytest.mark.parametrize("path", learner_files(), ids=lambda p: str(p.relative_to(paths.ROOT)))
def test_a_learners_file_holds_no_answer_or_explanation(path):
    raw = path.read_text(encoding="utf-8")
    blobs = _blobs(path)
    assert blobs, "a learner's file with questions holds them packed"
    decoded = [seal.unpack(b) for b in blobs]
    specs = [s for d in decoded for s in d.get("questions", [d])]
    stem = path.stem
    for spec in specs:
        assert not {"answer", "partly", "explanation", "evidence", "model_answer"} & set(spec), spec["name"]
    text = raw + json.dumps(decoded, ensure_ascii=False)
    for question in [*questions(stem).checks, *questions(stem).exercises]:
        for secret in _secrets(question):
            assert secret not in text, f"{question.name}: its explanation or model answer is readable in {path.name}"


def test_answer_key_lists_every_exercise_question():
    key = (paths.ROOT / ANSWER_KEY).read_text(encoding="utf-8")
    for stem in STEMS:
        for question in questions(stem).exercises:
            assert f"`{question.name}`" in key


@pytest.mark.parametrize("stem", STEMS)
def test_question_files_load_and_every_check_opens_with_its_right_answer(stem):
    qset = questions(stem)
    for question in [*qset.checks, *qset.exercises]:
        if question.kind == "written":
            continue
        learner = question.to_learner(reveal=question in qset.checks)
        right = question._right_answers()[0]
        feedback = learner.check(right)
        assert feedback.correct and feedback.explanation == question.explanation, (question.name, str(feedback))
