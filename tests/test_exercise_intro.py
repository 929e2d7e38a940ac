"""An exercise's introduction may state how many questions it has and how many points they are
worth. Those are counts typed in prose, so they must agree with questions/<stem>.toml, the one
place the questions are written (issue 16: a count in prose is computed, or a test checks it)."""

from __future__ import annotations

import re

import nbformat
import pytest

from course import paths
from course.questions import source

SOLUTIONS = sorted(paths.SOLUTIONS.glob("*.ipynb"))
NUMBER_WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
POINTS = re.compile(r"\*\*Points:\*\*\s*(\d+)|\((\d+) points\)")
QUESTIONS = re.compile(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r") (?:graded )?questions\b", re.IGNORECASE)


def stated_counts(text: str) -> tuple[int | None, int | None]:
    """The (questions, points) an introduction states; None for a count it does not state."""
    points = POINTS.search(text)
    questions = QUESTIONS.search(text)
    n_points = int(points.group(1) or points.group(2)) if points else None
    if questions is None:
        return None, n_points
    word = questions.group(1).lower()
    return (int(word) if word.isdigit() else NUMBER_WORDS[word]), n_points


def test_stated_counts_reads_both_forms_and_misses_nothing_planted():
    assert stated_counts("**Points:** 15, in six questions.") == (6, 15)
    assert stated_counts("for six graded questions (14 points): two numbers") == (6, 14)
    assert stated_counts("Six questions to answer.") == (6, None)
    assert stated_counts("No counts here.") == (None, None)
    # a planted drift: the intro says 16 points where the questions hold 15
    assert stated_counts("**Points:** 16, in six questions.") != (6, 15)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_intro_counts_match_the_questions(path):
    intro = nbformat.read(str(path), as_version=4).cells[0].source
    questions, points = stated_counts(intro)
    graded = source.load(path.stem).exercises
    if questions is not None:
        assert questions == len(graded), f"{path.name}: the introduction says {questions} questions"
    if points is not None:
        total = sum(q.points for q in graded)
        assert points == total, f"{path.name}: the introduction says {points} points, the questions hold {total}"
