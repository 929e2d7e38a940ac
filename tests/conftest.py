"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course import paths


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return paths.ROOT


@pytest.fixture(scope="session")
def in_ci() -> bool:
    """True on CI, where a skipped requirement is a failure rather than a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
