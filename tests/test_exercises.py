"""The graded exercises (solutions/ → exercises/): every prompt shows what the learner chooses
from, and the question files give each exercise the kinds and the written answer it needs."""

from __future__ import annotations

import nbformat
import pytest

from course import paths
from course.questions import source

STEMS = source.exercise_stems()


def prompts(stem):
    nb = nbformat.read(str(paths.EXERCISES / f"{stem}.ipynb"), as_version=4)
    return {c.metadata["course"]["question"]: c.source for c in nb.cells
            if c.cell_type == "markdown" and c.metadata.get("course", {}).get("role") == "prompt"}


@pytest.mark.parametrize("stem", STEMS)
def test_every_prompt_lists_its_options_and_items(stem):
    shown = prompts(stem)
    for question in source.load(stem).exercises:
        listed = [*getattr(question, "options", []), *getattr(question, "items", []), *getattr(question, "choices", [])]
        missing = [text for text in listed if text not in shown[question.name]]
        assert not missing, f"{stem}: the prompt of {question.name} does not show {missing}"


@pytest.mark.parametrize("stem", STEMS)
def test_each_exercise_has_one_written_answer_and_enough_questions(stem):
    kinds = [q.kind for q in source.load(stem).exercises]
    assert kinds.count("written") == 1, f"{stem}: exactly one written answer"
    assert len(kinds) >= (3 if stem.startswith("00-") else 5), f"{stem}: too few graded questions"


def test_the_exercises_use_every_kind():
    kinds = {q.kind for stem in STEMS for q in source.load(stem).exercises}
    assert kinds >= {"number", "single choice", "multiple choice", "ordering", "matching", "classification",
                     "evidence finder", "written"}
