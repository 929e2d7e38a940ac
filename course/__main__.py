"""``python -m course COMMAND ...``: the course's command-line tools.

    python -m course grade SUBMISSIONS --out OUT   grade a class (course.grading)
    python -m course execute [PATH ...]            re-run notebooks in place (course.notebooks)
    python -m course nav [--check]                 regenerate navigation (course.navigation)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "grade": ("course.grading.cli", "main", False),
    "execute": ("course.notebooks", "_main", True),
    "nav": ("course.navigation", "_main", False),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    module, function, keep_name = COMMANDS[argv[0]]
    rest = argv if keep_name else argv[1:]
    return int(getattr(importlib.import_module(module), function)(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
