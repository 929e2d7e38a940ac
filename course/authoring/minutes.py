"""The lessons' minutes, in one place: each lesson's ``**Minutes:** N teaching · M exercises``
line, read here, and the two tables written from it, the minutes column and total of the README
course map (:func:`map_minutes`, :func:`map_total`) and the timing table in INSTRUCTORS.md
(:func:`timing_table`). ``make nav`` (``python -m course.authoring.navigation``) writes both,
and ``tests/test_navigation.py`` fails when either is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from course import paths

MINUTES = re.compile(r"\*\*Minutes:\*\*\s*(\d+)\s*teaching\D+(\d+)\s*exercises", re.I)
LESSON_FILE = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
#: The guide holding the timing table, and the markers around it.
GUIDE = "INSTRUCTORS.md"
TIMING_START, TIMING_END = "<!-- timing:start -->", "<!-- timing:end -->"


@dataclass(frozen=True)
class Lesson:
    path: Path
    number: str
    title: str
    teaching: int
    exercises: int

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def exercise(self) -> Path:
        return paths.EXERCISES / self.name


class NavigationError(ValueError):
    """A lesson lacks what navigation needs (a title, a minutes line, a proper name), or a
    generated file lacks its markers."""


def lessons() -> list[Lesson]:
    """Every lesson in ``notebooks/``, in teaching order, with its title and minutes."""
    import nbformat

    found = []
    for path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        match = LESSON_FILE.match(path.name)
        if not match:
            raise NavigationError(f"{path.name}: lessons are named NN-slug.ipynb (lower case, hyphens)")
        nb = nbformat.read(str(path), as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        title = re.search(r"^# (?:\d\d )?(.+)$", text, re.M)
        minutes = MINUTES.search(text)
        if not title or not minutes:
            raise NavigationError(f"{path.name}: needs a '# Title' and a line '**Minutes:** N teaching · M exercises'")
        found.append(Lesson(path, match[1], title[1].strip(), int(minutes[1]), int(minutes[2])))
    return found


def map_minutes(lesson: Lesson) -> str:
    """The course map's minutes cell: an exercise not written yet shows "not yet"."""
    return f"{lesson.teaching} + {lesson.exercises}" if lesson.exercise.exists() else f"{lesson.teaching} + not yet"


def map_total(all_lessons: list[Lesson]) -> str:
    """The course map's closing line. Exercise minutes count only for exercises that exist,
    so the total never promises work that is not there."""
    written = [lesson for lesson in all_lessons if lesson.exercise.exists()]
    total = sum(lesson.teaching for lesson in all_lessons) + sum(lesson.exercises for lesson in written)
    missing = len(all_lessons) - len(written)
    note = f" (exercises not yet written: {missing}, not counted)" if missing else ""
    return f"In all: {len(all_lessons)} lessons, about {total} minutes{note}."


def timing_table(all_lessons: list[Lesson]) -> str:
    """INSTRUCTORS.md's table: teaching and exercise minutes per lesson, and the totals."""
    rows = ["| # | Lesson | Teaching (min) | Exercise (min) | Exercise notebook |", "|---|---|---|---|---|"]
    for lesson in all_lessons:
        exercise = f"`exercises/{lesson.name}`" if lesson.exercise.exists() else "not yet written"
        rows.append(f"| {lesson.number} | {lesson.title} | {lesson.teaching} | {lesson.exercises} | {exercise} |")
    teaching = sum(lesson.teaching for lesson in all_lessons)
    exercises = sum(lesson.exercises for lesson in all_lessons)
    rows += ["", f"In all: {teaching} minutes of teaching and {exercises} of exercises "
                 f"({teaching + exercises} minutes, about {round((teaching + exercises) / 60, 1):g} hours)."]
    return "\n".join(rows)


def between_markers(path: Path, start: str, end: str, body: str) -> str:
    """``path``'s text with what lies between the markers ``start`` and ``end`` replaced by ``body``."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise NavigationError(f"{path.name} needs the markers {start} and {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"
