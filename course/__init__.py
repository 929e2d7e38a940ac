"""Helpers for the course *China's drive for AI self-reliance*.

Every name below is imported lazily (PEP 562), so ``import course`` costs almost
nothing and has no side effects; pandas, matplotlib and ipywidgets load only when
a helper that needs them is first used. The first table helper used (``sources``,
``load_table``, ``claims``, ``search``) also sets pandas to show every cell in full and
every table with a header in each header cell (``course.texts.display_defaults``), once for
the whole course.
"""

from __future__ import annotations

import importlib
from typing import Any

from course.questions import _EXPORTS as _QUESTIONS  # a table of names: imports nothing heavy

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "sources": "course.texts",
    "load_source": "course.texts",
    "show_quote": "course.texts",
    "attribution": "course.texts",
    # the evidence base: claims and tables (course/evidence.py)
    "claims": "course.evidence",
    "quote": "course.evidence",
    "load_table": "course.evidence",
    "search": "course.evidence",
    "table_names": "course.evidence",
    "claim_ids_of": "course.evidence",
    # figures in the course style (course/plots.py)
    "chart": "course.plots",
    "show_figure": "course.plots",
    # questions: kinds, feedback, learner copies (listed once, in course/questions/__init__.py)
    **_QUESTIONS,
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'course' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
