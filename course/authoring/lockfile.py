"""Make a lock written by ``uv pip compile`` installable by plain ``pip install -r`` in
hash-checking mode, as conda (environment.yml) and Binder run it.

uv writes a package asked for with an extra once, as ``name[extra]==version``. pip's resolver
treats ``name[extra]`` and ``name`` as two requirements, and in hash-checking mode refuses the
one that has no pinned line of its own ("all requirements must have their versions pinned").
So each such entry gets a plain twin with the same version and hashes. ``make lock`` runs this
after uv; running it twice changes nothing. Usage::

    python -m course.authoring.lockfile requirements.txt requirements-dev.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\[[^\]]+\](?P<pin>==\S+)(?P<rest>.*)$")


def entries(text: str) -> list[list[str]]:
    """The lock's lines grouped as entries: a pin line with its hash and comment lines after it."""
    groups: list[list[str]] = []
    for line in text.splitlines():
        if groups and (line.startswith("    ") or not line.strip()):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def add_plain_twins(text: str) -> str:
    """``text`` with a plain ``name==version`` entry after every ``name[extra]==version`` entry
    that has none."""
    groups = entries(text)
    pinned = {g[0].split("==")[0].split(" ")[0].lower() for g in groups if "==" in g[0]}
    out: list[str] = []
    for group in groups:
        out += group
        match = ENTRY.match(group[0])
        if match and match["name"].lower() not in pinned:
            hashes = [line for line in group[1:] if line.strip().startswith("--hash=")]
            out.append(f"{match['name']}{match['pin']}{match['rest']}")
            out += hashes
            out.append(f"    # the plain twin of {match['name']}[...] (course.authoring.lockfile)")
            pinned.add(match["name"].lower())
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        path.write_text(add_plain_twins(path.read_text()))


if __name__ == "__main__":
    main()
