"""The timing table in INSTRUCTORS.md, generated from the lessons' ``**Minutes:**`` lines
(through ``course.navigation``) so that it never disagrees with the lessons::

    python -m course.grading.timing          # rewrite the table
    python -m course.grading.timing --check  # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import sys

from course import navigation, paths

START, END = "<!-- timing:start -->", "<!-- timing:end -->"
GUIDE = "INSTRUCTORS.md"


def table() -> str:
    lessons = navigation.lessons()
    rows = ["| # | Lesson | Teaching (min) | Exercise (min) | Exercise notebook |", "|---|---|---|---|---|"]
    for lesson in lessons:
        exercise = f"`exercises/{lesson.name}`" if lesson.exercise.exists() else "not yet written"
        rows.append(f"| {lesson.number} | {lesson.title} | {lesson.teaching} | {lesson.exercises} | {exercise} |")
    teaching = sum(lesson.teaching for lesson in lessons)
    exercises = sum(lesson.exercises for lesson in lessons)
    rows += ["", f"In all: {teaching} minutes of teaching and {exercises} of exercises "
                 f"({teaching + exercises} minutes, about {round((teaching + exercises) / 60, 1):g} hours)."]
    return "\n".join(rows)


def update(check: bool = False) -> bool:
    """Rewrite the table; returns True when it was (or, with ``check``, would be) changed."""
    path = paths.ROOT / GUIDE
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if new != text and not check:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.grading.timing", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    changed = update(check=args.check)
    if changed:
        print(f"{'stale' if args.check else 'updated'}: {GUIDE}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
