"""``python -m course COMMAND ...``: the course's command-line tools.

    python -m course grade SUBMISSIONS --out OUT   grade a class (course.grading)
    python -m course execute [PATH ...]            re-run notebooks in place (course.authoring.notebooks)
    python -m course nav [--check]                 regenerate navigation (course.authoring.navigation)
    python -m course release OUT [--repository URL] build the student release (course.authoring.release)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "grade": ("course.grading.cli", "main", False),
    "execute": ("course.authoring.notebooks", "_main", True),
    "nav": ("course.authoring.navigation", "_main", False),
    "release": ("course.authoring.release", "_main", False),
}


def main(argv: list[str] | None = None) -> int:
    """Run one command, imported only when asked for, so `python -m course grade` loads no
    authoring tool; a command left out of this copy (the student release) says so."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    module, function, keep_name = COMMANDS[argv[0]]
    rest = argv if keep_name else argv[1:]
    try:
        command = getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as error:
        if not (error.name and module.startswith(error.name)):
            raise
        # The student release leaves the grader and the authoring tools out.
        print(f"`python -m course {argv[0]}` is not part of this copy of the course.", file=sys.stderr)
        return 2
    return int(command(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
