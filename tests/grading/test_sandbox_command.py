"""The bubblewrap command line, as a plain function (no bubblewrap needed): an empty
environment for bubblewrap, a user namespace with every capability dropped, and /tmp handled
when the repository or the environment lies under it (bubblewrap cannot make a symlink where a
bound folder already made /tmp a folder)."""

from __future__ import annotations

import sys
from pathlib import Path

from course import paths
from course.grading import sandbox

OTHER = Path("/srv/course repo")  # any root outside /tmp (not read: the command is only built)


def test_bubblewrap_gets_no_environment_and_no_privilege(tmp_path):
    argv, env, _ = sandbox.command(tmp_path / "scratch", tmp_path / "mpl", True, OTHER)
    assert env == {}
    if sandbox._outer_ids() is not None:  # as root: the launcher's JSON holds the bubblewrap line
        argv = __import__("json").loads(argv[-1])["argv"]
    for option in ("--unshare-all", "--unshare-user", "--clearenv", "--die-with-parent"):
        assert option in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[argv.index("--uid") + 1] != "0" and argv[argv.index("--gid") + 1] != "0"
    assert "--setenv" in argv and not any("SECRET" in part for part in argv)


def test_tmp_is_a_symlink_unless_a_bound_folder_is_under_it(tmp_path, monkeypatch):
    def has_symlink(root: Path) -> bool:
        argv, _ = sandbox.bwrap_command(tmp_path / "scratch", tmp_path / "mpl", root)
        return any(argv[i:i + 3] == ["--symlink", "/scratch/work/tmp", "/tmp"] for i in range(len(argv)))

    monkeypatch.setattr(sys, "prefix", "/opt/env/.venv")
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    assert has_symlink(OTHER)
    assert not has_symlink(Path("/tmp/a clone/course repo"))
    monkeypatch.setattr(sys, "prefix", "/tmp/an env/.venv")  # the environment under /tmp
    assert not has_symlink(OTHER)


def test_staged_sources_are_named_by_their_place(tmp_path):
    argv, sources = sandbox.bwrap_command(tmp_path / "scratch", tmp_path / "mpl", paths.ROOT, staged=True)
    assert str(paths.ROOT.resolve() / "course") in sources and str(tmp_path / "scratch" / "work") in sources
    for index in range(len(sources)):
        at = argv.index(f"{sandbox.STAGE}/{index}")
        assert argv[at - 1] in ("--ro-bind", "--bind")
    # root's launcher stages them: bubblewrap (as nobody) never names a source path itself
    named = [argv[i + 1] for i, part in enumerate(argv) if part in ("--ro-bind", "--bind")]
    assert not set(named) & set(sources)
