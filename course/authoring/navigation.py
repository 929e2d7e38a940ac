"""Generated navigation: the links at the top and bottom of every lesson, the course map in
README.md and the timing table in INSTRUCTORS.md (both with minutes from
``course.authoring.minutes``). Nobody edits these by hand; ``make nav`` writes them and a test
fails when they are stale. Usage::

    python -m course.authoring.navigation          # rewrite
    python -m course.authoring.navigation --check  # exit 1 if anything would change
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from typing import TYPE_CHECKING
from urllib.parse import quote as urlquote

from course import paths
from course.authoring import minutes
from course.authoring.minutes import Lesson, NavigationError

if TYPE_CHECKING:
    from nbformat import NotebookNode

NAV_TOP, NAV_BOTTOM = "nav-top", "nav-bottom"
MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"


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
    this repository by default, the student repository for a release). The minutes cells and
    the total come from ``course.authoring.minutes``."""
    rows = [
        "| # | Lesson | Exercise | Minutes (teaching + exercises) | Binder (lesson · exercise) |",
        "|---|---|---|---|---|",
    ]
    for lesson in all_lessons:
        written = lesson.exercise.exists()
        exercise = f"[exercise](exercises/{lesson.name})" if written else "not yet"
        lesson_url = binder_url("notebooks/" + lesson.name, repo)
        badge = f"[![Binder: lesson](https://mybinder.org/badge_logo.svg)]({lesson_url})"
        if written:
            badge += f" · [exercise on Binder]({binder_url('exercises/' + lesson.name, repo)})"
        rows.append(
            f"| {lesson.number} | [{lesson.title}](notebooks/{lesson.name}) | {exercise} | "
            f"{minutes.map_minutes(lesson)} | {badge} |"
        )
    rows.append("\n" + minutes.map_total(all_lessons))
    return "\n".join(rows)


def _set_cell(nb: NotebookNode, tag: str, source: str, position: int) -> bool:
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


def _update_lessons(all_lessons: list[Lesson], check: bool) -> list[str]:
    """Rewrite each lesson's navigation cells; return the lessons that changed."""
    import nbformat

    changed = []
    for lesson in all_lessons:
        nb = nbformat.read(str(lesson.path), as_version=4)
        top = _set_cell(nb, NAV_TOP, nav_top(lesson, all_lessons), 1)
        bottom = _set_cell(nb, NAV_BOTTOM, nav_bottom(lesson, all_lessons), -1)
        if top or bottom:
            changed.append(str(lesson.path.relative_to(paths.ROOT)))
            if not check:
                nbformat.write(nb, str(lesson.path))
    return changed


def update(check: bool = False) -> list[str]:
    """Regenerate navigation cells, the README map and INSTRUCTORS.md's timing table; return
    the files that changed (with ``check``, that would change) without writing them."""
    all_lessons = minutes.lessons()
    changed = _update_lessons(all_lessons, check)
    tables = (
        ("README.md", MAP_START, MAP_END, course_map(all_lessons)),
        (minutes.GUIDE, minutes.TIMING_START, minutes.TIMING_END, minutes.timing_table(all_lessons)),
    )
    for name, start, end, body in tables:
        path = paths.ROOT / name
        new = minutes.between_markers(path, start, end, body)
        if new != path.read_text(encoding="utf-8"):
            changed.append(name)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.authoring.navigation", description=__doc__.splitlines()[0])
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
