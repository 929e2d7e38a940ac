"""Every exercise prompt shows what the learner chooses from: options (as plain numbered text),
items and choices, since the answer is given by their text or number."""

from __future__ import annotations

import nbformat
import pytest

from course import paths
from course.questions import source

STEMS = source.exercise_stems()


def prompts(stem):
    nb = nbformat.read(str(paths.EXERCISES / f"{stem}.ipynb"), as_version=4)
    return {c.metadata["course"]["question"]: c.source.replace("\\$", "$") for c in nb.cells
            if c.cell_type == "markdown" and c.metadata.get("course", {}).get("role") == "prompt"}


@pytest.mark.parametrize("stem", STEMS)
def test_every_prompt_lists_its_options_and_items(stem):
    shown = prompts(stem)
    for question in source.load(stem).exercises:
        listed = [*getattr(question, "options", []), *getattr(question, "items", []), *getattr(question, "choices", [])]
        missing = [text for text in listed if text not in shown[question.name]]
        assert not missing, f"{stem}: the prompt of {question.name} does not show {missing}"
