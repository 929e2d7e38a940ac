"""`make lock`'s last step: a package the lock names with an extra also gets a plain pin."""

from __future__ import annotations

from course.authoring.lockfile import add_plain_twins

LOCK = """\
bleach[css]==6.4.0 \\
    --hash=sha256:aaa \\
    --hash=sha256:bbb
    # via nbconvert
jsonschema[format-nongpl]==4.23.0 \\
    --hash=sha256:ccc
jsonschema==4.23.0 \\
    --hash=sha256:ccc
"""


def test_an_entry_with_an_extra_gets_a_plain_twin_with_the_same_hashes():
    out = add_plain_twins(LOCK)
    lines = out.splitlines()
    twin = lines.index("bleach==6.4.0 \\")
    assert lines[twin + 1 : twin + 3] == ["    --hash=sha256:aaa \\", "    --hash=sha256:bbb"]
    assert out.count("jsonschema==4.23.0") == 1, "a package that already has its plain pin gets no second one"
    assert add_plain_twins(out) == out, "running it twice changes nothing"
