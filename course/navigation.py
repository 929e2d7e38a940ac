"""Generated navigation: the links at the top and bottom of every lesson, and the course
map in README.md. Nobody edits these by hand; ``make nav`` writes them and a test fails
when they are stale. Usage::

    python -m course.navigation          # rewrite
    python -m course.navigation --check  # exit 1 if anything would change
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote as urlquote

from course import paths

NAV_TOP, NAV_BOTTOM = "nav-top", "nav-bottom"
MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"
MINUTES = re.compile(r"\*\*Minutes:\*\*\s*(\d+)\s*teaching\D+(\d+)\s*exercises", re.I)
LESSON_FILE = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")


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
    """A lesson lacks what navigation needs (a title, a minutes line, a proper name)."""


def repository(key: str = "Repository") -> str:
    """``owner/name`` of a GitHub repository from pyproject.toml's project URLs: ``Repository``
    (this one) or ``Student-Repository`` (where the student release is published)."""
    with open(paths.ROOT / "pyproject.toml", "rb") as handle:
        urls = tomllib.load(handle)["project"]["urls"]
    if key not in urls:
        raise NavigationError(f"pyproject.toml has no {key!r} under [project.urls]")
    return github_name(urls[key])


def github_name(url: str) -> str:
    """``owner/name`` from a GitHub URL (or an ``owner/name`` given as is)."""
    return url.strip().rstrip("/").removesuffix(".git").split("github.com/")[-1]


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


def binder_url(target: str, repo: str | None = None) -> str:
    """A Binder link opening ``target`` in ``repo`` (``owner/name``; default: this repository)."""
    return f"https://mybinder.org/v2/gh/{repo or repository()}/HEAD?labpath={urlquote(target, safe='/')}"


def _link(lesson: Lesson, arrow: str = "") -> str:
    name = f"{lesson.number} {lesson.title}"
    label = f"{arrow}{name}" if arrow == "← " else f"{name}{arrow}"
    return f"[{label}]({lesson.name})"


def nav_top(lesson: Lesson, all_lessons: list[Lesson]) -> str:
    i = all_lessons.index(lesson)
    parts = ["[Course map](../README.md#course-map)", f"Lesson {i + 1} of {len(all_lessons)}"]
    if i > 0:
        parts.append("previous: " + _link(all_lessons[i - 1], "← "))
    if i + 1 < len(all_lessons):
        parts.append("next: " + _link(all_lessons[i + 1], " →"))
    return " · ".join(parts)


def nav_bottom(lesson: Lesson, all_lessons: list[Lesson]) -> str:
    i = all_lessons.index(lesson)
    lines = ["## What next", ""]
    if lesson.exercise.exists():
        link = f"[{lesson.title}: exercise](../exercises/{lesson.name})"
        lines.append(f"- **Exercise:** {link} ({lesson.exercises} minutes)")
    else:
        lines.append("- **Exercise:** the exercise notebook for this lesson is not written yet.")
    if i + 1 < len(all_lessons):
        lines.append("- **Next lesson:** " + _link(all_lessons[i + 1], " →"))
    else:
        lines.append("- This is the last lesson: go back to the [course map](../README.md#course-map).")
    if i > 0:
        lines.append("- **Previous lesson:** " + _link(all_lessons[i - 1], "← "))
    return "\n".join(lines)


def course_map(all_lessons: list[Lesson], repo: str | None = None) -> str:
    """The README table: lesson, exercise, minutes, Binder link (into ``repo``, ``owner/name``:
    this repository by default, the student repository for a release). Exercise minutes count
    only for exercises that exist (``exercises/NN-slug.ipynb``); the others show "not yet" and
    are left out of the total."""
    rows = [
        "| # | Lesson | Exercise | Minutes (teaching + exercises) | Binder (lesson · exercise) |",
        "|---|---|---|---|---|",
    ]
    total = missing = 0
    for lesson in all_lessons:
        written = lesson.exercise.exists()
        exercise = f"[exercise](exercises/{lesson.name})" if written else "not yet"
        minutes = f"{lesson.teaching} + {lesson.exercises}" if written else f"{lesson.teaching} + not yet"
        total += lesson.teaching + (lesson.exercises if written else 0)
        missing += not written
        lesson_url = binder_url("notebooks/" + lesson.name, repo)
        badge = f"[![Binder: lesson](https://mybinder.org/badge_logo.svg)]({lesson_url})"
        if written:
            badge += f" · [exercise on Binder]({binder_url('exercises/' + lesson.name, repo)})"
        rows.append(
            f"| {lesson.number} | [{lesson.title}](notebooks/{lesson.name}) | {exercise} | "
            f"{minutes} | {badge} |"
        )
    note = f" (exercises not yet written: {missing}, not counted)" if missing else ""
    rows.append(f"\nIn all: {len(all_lessons)} lessons, about {total} minutes{note}.")
    return "\n".join(rows)


def _set_cell(nb, tag: str, source: str, position: int) -> bool:
    import nbformat

    for cell in nb.cells:
        if tag in cell.metadata.get("tags", []):
            changed = cell.source != source
            cell.source = source
            return changed
    cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})
    cell.id = tag
    nb.cells.insert(position if position >= 0 else len(nb.cells), cell)
    return True


def update(check: bool = False) -> list[str]:
    """Regenerate navigation cells and the README map; return the files that changed
    (with ``check``, that would change) without writing them."""
    import nbformat

    all_lessons = lessons()
    changed = []
    for lesson in all_lessons:
        nb = nbformat.read(str(lesson.path), as_version=4)
        top = _set_cell(nb, NAV_TOP, nav_top(lesson, all_lessons), 1)
        bottom = _set_cell(nb, NAV_BOTTOM, nav_bottom(lesson, all_lessons), -1)
        if top or bottom:
            changed.append(str(lesson.path.relative_to(paths.ROOT)))
            if not check:
                nbformat.write(nb, str(lesson.path))
    readme = paths.ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if MAP_START not in text or MAP_END not in text:
        raise NavigationError(f"README.md needs the markers {MAP_START} and {MAP_END}")
    head, rest = text.split(MAP_START, 1)
    _, tail = rest.split(MAP_END, 1)
    new = f"{head}{MAP_START}\n{course_map(all_lessons)}\n{MAP_END}{tail}"
    if new != text:
        changed.append("README.md")
        if not check:
            readme.write_text(new, encoding="utf-8")
    return changed


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.navigation", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale navigation, change nothing")
    args = parser.parse_args(argv)
    try:
        changed = update(check=args.check)
    except NavigationError as error:
        print(f"navigation: {error}", file=sys.stderr)
        return 2
    for name in changed:
        print(("stale: " if args.check else "updated: ") + name)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(_main())
