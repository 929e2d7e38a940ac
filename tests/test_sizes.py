"""Small modules and short functions (CONTRIBUTING.md, "Style"): no module of the package is
over 400 lines and no function over 50, counted from its ``def`` line to its last line,
docstring included. A long one is split into named steps rather than the limit raised."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LINES = 400
FUNCTION_LINES = 50


def size_problems(package: Path) -> list[str]:
    """Each module over ``MODULE_LINES`` and each function over ``FUNCTION_LINES``, by place."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(package.parent)
        if len(text.splitlines()) > MODULE_LINES:
            problems.append(f"{where}: {len(text.splitlines())} lines (at most {MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    problems.append(f"{where}:{node.lineno} {node.name}: {length} lines (at most {FUNCTION_LINES})")
    return problems


def test_no_module_or_function_of_the_package_is_too_long() -> None:
    assert size_problems(ROOT / "course") == []


def test_a_long_function_and_a_long_module_are_named(tmp_path: Path) -> None:
    package = tmp_path / "course"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(FUNCTION_LINES))
    (package / "long.py").write_text(f"def long():\n{body}\n", encoding="utf-8")
    (package / "big.py").write_text("x = 1\n" * (MODULE_LINES + 1), encoding="utf-8")
    assert size_problems(package) == [
        f"course/big.py: {MODULE_LINES + 1} lines (at most {MODULE_LINES})",
        f"course/long.py:1 long: {FUNCTION_LINES + 1} lines (at most {FUNCTION_LINES})",
    ]
