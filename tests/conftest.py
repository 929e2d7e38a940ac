"""Shared fixtures for the whole suite.

Lists that several test files need (the source ids) are written once, here; lists that the
package already knows (the tables, the claim kinds, the lessons) are read from it:
``course.table_names()``, ``course.evidence.KINDS``, ``course.authoring.notebooks.notebook_paths(("notebooks",))``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course import paths

#: The five texts the course is built on, in manifest order: a fixed part of the design
#: (data/sources/sources.csv must list exactly these; see test_sources.py and test_data.py).
SOURCE_IDS = ("billions", "merics", "curbs", "wsj", "blog")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return paths.ROOT


@pytest.fixture(scope="session")
def in_ci() -> bool:
    """True on CI, where a skipped requirement is a failure rather than a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def source_ids() -> list[str]:
    """The ids of the five source texts, in manifest order."""
    return list(SOURCE_IDS)


