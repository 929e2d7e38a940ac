"""The import layers (pyproject.toml, ``[tool.importlinter]``; CONTRIBUTING.md, "Layers") hold,
and can fail: a copy of the package with one upward import planted, inside a function or under
``if TYPE_CHECKING:`` where it is easy to miss, breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The console script installed beside this Python with import-linter (requirements-dev.txt).
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path, contract: str) -> subprocess.CompletedProcess[str]:
    """Check one contract on the package under ``root``, with no cache: each copy is new."""
    command = [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml"), "--contract", contract]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the package and its pyproject.toml, free to be broken."""
    shutil.copytree(ROOT / "course", tmp_path / "course", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


@pytest.mark.parametrize("contract", ["layers", "root"])
def test_the_package_keeps_the_contract(package: Path, contract: str) -> None:
    result = lint_imports(package, contract)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


FUNCTION = "\n\ndef _planted() -> None:\n    {import_line}  # noqa: F401\n"
MODULE_LEVEL = "\n{import_line}  # noqa: E402, F401\n"
TYPE_CHECKING_BLOCK = "\n\nif TYPE_CHECKING:\n    {import_line}  # noqa: F401\n"

PLANTS = {
    "learner layer imports the grader, inside a function": (
        "texts.py", FUNCTION, "from course.grading import cli", "layers",
        "course.texts is not allowed to import course.grading",
    ),
    "evidence imports the question model, for types only": (
        "evidence.py", TYPE_CHECKING_BLOCK, "from course.questions.feedback import Feedback", "layers",
        "course.evidence is not allowed to import course.questions",
    ),
    "plots imports its sibling, the question model": (
        "plots.py", FUNCTION, "from course.questions import seal", "layers",
        "course.plots is not allowed to import course.questions",
    ),
    "paths imports the layer above it at import time": (
        "paths.py", MODULE_LEVEL, "import course.texts", "layers", "course.paths is not allowed to import course.texts"
    ),
    "a module imports the package root's re-exports": (
        "evidence.py", FUNCTION, "from course import chart", "root", "course.evidence is not allowed to import course:"
    ),
}


@pytest.mark.parametrize("plant", list(PLANTS), ids=list(PLANTS))
def test_an_upward_import_breaks_the_contract(package: Path, plant: str) -> None:
    module, template, import_line, contract, message = PLANTS[plant]
    with (package / "course" / module).open("a", encoding="utf-8") as file:
        file.write(template.format(import_line=import_line))
    result = lint_imports(package, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    assert message in result.stdout
