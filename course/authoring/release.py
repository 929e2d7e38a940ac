"""The student release: a copy of the course without the answers, as a git repository to push.

This repository holds the worked solutions, the question source with every answer and the
grader. Students get a copy without them, built here (INSTRUCTORS.md, "A student release")::

    python -m course release OUT [--repository URL]     # or: make release OUT=folder

OUT holds the lessons, the exercises, the data, the learner side of the ``course`` package, the
environment and Binder files, a README written for students (with Binder links into the
student repository), the licences, a Makefile with ``lab.mk`` (``make lab``, ``make test``) and
a small test set. It leaves out ``solutions/``, ``questions/``, ``instructors/``, the grader and
the authoring tools but ``course/authoring/notebooks.py`` (the release's tests use it). Before it
commits, the checks of ``course.authoring.release_checks`` run on OUT (imports, links, answers
in plain text); one failing stops the build with a non-zero exit.

OUT must be empty, missing, or an earlier release (rebuilt in place: one more commit on top,
so a push is a fast-forward and nbgitpuller keeps working). Nothing outside OUT is written.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from course import paths
from course.authoring.release_checks import Leak, find_leaks, import_problems, link_problems

#: What a release holds: tracked files of the source matching these (fnmatch; ``*`` spans ``/``).
INCLUDE = (
    "notebooks/*.ipynb",
    "exercises/*.ipynb",
    "data/*",
    "course/*.py",
    "LICENSE",
    "LICENSE-content",
    "lab.mk",  # the release's Makefile includes it
    "requirements.txt",
    "requirements.in",
    "environment.yml",
    "postBuild",
    "runtime.txt",
    "apt.txt",
    "binder/*",
    ".gitattributes",
    ".gitignore",
)
#: ... except these: the instructors' side, the grader, and authoring tools that need it.
EXCLUDE = (
    "data/AUDIT*",
    "data/audit/*",
    "course/grading/*",  # the grader: judges against questions/
    # Authoring tools: all but notebooks.py (and the package's __init__.py), which the release's tests use.
    "course/authoring/navigation.py",  # `make nav`: rewrites lessons and the README from the source's layout
    "course/authoring/minutes.py",  # the minutes tables of README.md and INSTRUCTORS.md (`make nav`)
    "course/authoring/datacheck/*",  # authors' checks of the tables in data/ against data/README.md's rules
    "course/authoring/bench.py",  # times the whole test suite, solutions included
    "course/authoring/startup.py",  # part of the benchmark
    "course/authoring/audit.py",  # the second-reader audit's report (data/audit/, left out)
    "course/authoring/drift.py",  # authors' checks of lessons and questions/*.toml against the data
    "course/authoring/readings.py",  # ... and of the course's readings in the tables
    "course/authoring/passages.py",  # what those checks read
    "course/authoring/coverage.py",  # which claims the lessons and questions/*.toml use, and in what order
    "course/authoring/lockfile.py",  # `make lock`, which needs the development tools
    "course/authoring/release.py",  # this builder: reads questions/
    "course/authoring/release_checks.py",  # its checks
    "course/questions/source.py",  # reads questions/*.toml
    "course/questions/generate.py",  # writes learners' copies from questions/ and solutions/
    "course/questions/__main__.py",  # runs the generator
)
#: Files only a release has, in ``release/`` of the source: (source name, name in OUT).
OWN_FILES = (
    ("Makefile", "Makefile"),
    ("tests/test_course.py", "tests/test_course.py"),
    ("exercises-README.md", "exercises/README.md"),
)
#: Sections (``## Heading``) of copied Markdown files that describe what the release leaves out.
DROPPED_SECTIONS = {
    "data/README.md": ("The audit ledgers", "Running the tests"),
}
#: Where a release's own files live in the source repository.
TEMPLATES = "release"
#: The marker of a folder this builder made (inside .git, so it is never committed or pushed).
MARKER = "course-release"
SUBJECT = "Student release of the course"
#: A fixed identity, so that two builds of one source commit give the same commit.
AUTHOR = ("Course release", "release@invalid")


class ReleaseError(RuntimeError):
    """The release cannot be built (a bad OUT, a module importing what is left out, an answer
    in plain text); the message says what and where."""


# -- what goes in --------------------------------------------------------------------------


def selected(relative: str) -> bool:
    """True for a source file that belongs in a release."""
    return any(fnmatch.fnmatch(relative, p) for p in INCLUDE) and not any(fnmatch.fnmatch(relative, p) for p in EXCLUDE)


def _git(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run git with no user or system configuration (no hooks, no signing, no templates)."""
    base = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        **(env or {}),
    }
    result = subprocess.run(["git", *args], cwd=cwd, env=base, capture_output=True, text=True, check=False)
    if result.returncode:
        raise ReleaseError(f"git {' '.join(args)} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout


def source_files(source: Path) -> list[str]:
    """The tracked files of the source that a release holds (sorted, relative paths)."""
    listed = _git(["ls-files", "-z"], source).split("\0")
    return sorted(f for f in listed if f and selected(f) and (source / f).is_file())


def source_commit(source: Path, inputs: list[str]) -> tuple[str, str, bool]:
    """(commit hash, its committer date, whether any of the release's ``inputs`` differs from it)."""
    commit, date = _git(["log", "-1", "--format=%H %cI"], source).split()
    dirty = bool(_git(["status", "--porcelain", "--untracked-files=all", "--", *inputs], source).strip())
    return commit, date, dirty


def student_repository(source: Path, given: str | None) -> str:
    """The student repository's URL: as given, else pyproject's ``Student-Repository``."""
    if given:
        url = given.strip().rstrip("/").removesuffix(".git")
    else:
        with open(source / "pyproject.toml", "rb") as handle:
            urls = tomllib.load(handle).get("project", {}).get("urls", {})
        if "Student-Repository" not in urls:
            raise ReleaseError("Give --repository URL, or add Student-Repository to [project.urls] in pyproject.toml.")
        url = urls["Student-Repository"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ReleaseError(f"The student repository must be https://github.com/OWNER/NAME (for Binder), not {url!r}.")
    return url


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.sub`` taken as is (no backslash escapes or group references)."""
    return lambda _match: text


def student_pyproject(text: str, repository: str) -> str:
    """The source's pyproject.toml for the release: its URL is the student repository's, pytest
    runs ``tests/`` only, and nothing names the grader."""
    description = "Helpers for the course 'China's drive for AI self-reliance': texts, claims, tables, plots, checks."
    edits = [  # (pattern, replacement, required)
        (r'(?m)^Repository = "[^"]*"\n', f'Repository = "{repository}"\n', True),
        (r'(?m)^description = "[^"]*"\n', f'description = "{description}"\n', True),
        (r"(?m)^testpaths = \[[^\]]*\]\n", 'testpaths = ["tests"]\n', True),
        (r'(?m)^(?:# Where `make release`.*\n)?Student-Repository = "[^"]*"\n', "", False),
        (r"(?m)^# nbval is turned on.*\n(?:# .*\n)?", "", False),  # the instructors' Makefile
    ]
    for pattern, replacement, required in edits:
        text, count = re.subn(pattern, _literal(replacement), text)
        if required and count != 1:
            raise ReleaseError(f"pyproject.toml: expected one line matching {pattern!r}, found {count}.")
    return text


def student_readme(source: Path, repository: str) -> str:
    """The README for students: what the course is, the course map with Binder links into the
    student repository, how to run it, answer, and hand in. It does not name the source commit
    (the release's commit message does), so a source change students do not see changes nothing."""
    from course.authoring import minutes, navigation

    with open(source / "environment.yml", encoding="utf-8") as handle:
        env_name = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("name:")), "course")
    text = (source / "README.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", text, re.M)
    # The course's own first paragraph (after the title and the badge) says what it is.
    paragraphs = [p.strip() for p in text.split("\n\n")]
    intro = next((p for p in paragraphs if p[:1].isalpha() and not p.startswith("#")), "")
    if not title or not intro:
        raise ReleaseError("README.md needs a '# Title' and a first paragraph saying what the course is.")
    repo = navigation.github_name(repository)
    lessons = minutes.lessons()
    template = Template((source / TEMPLATES / "README.md").read_text(encoding="utf-8"))
    return template.substitute(
        title=title[1].strip(),
        intro=intro,
        first_binder=navigation.binder_url(f"notebooks/{lessons[0].name}", repo),
        course_map=navigation.course_map(lessons, repo),
        repo_url=repository,
        repo_dir=repo.split("/")[-1],
        env_name=env_name,
        first_lesson=lessons[0].name,
    )


ALLOWED = "allowed.toml"


def allowed_leaks(source: Path) -> dict[tuple[str, str], str]:
    """(file, question) → why, for the answers ``release/allowed.toml`` lets through."""
    path = source / TEMPLATES / ALLOWED
    if not path.is_file():
        return {}
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("allowed", [])
        return {(e["file"], e["question"]): e["why"] for e in entries}
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ReleaseError(f"{path}: each [[allowed]] needs file, question and why ({error}).") from None


# -- building --------------------------------------------------------------------------------


def _prepare(out: Path, source: Path) -> None:
    """Make OUT ready: create it, or check that it is empty or an earlier release that nobody
    has changed since, then empty its work tree (its .git is kept)."""
    out_resolved, source_resolved = out.resolve(), source.resolve()
    if out_resolved in (source_resolved, *source_resolved.parents) or source_resolved in out_resolved.parents:
        raise ReleaseError(
            f"{out} is inside the course repository (or holds it): build the release next to it, "
            "e.g. ../student-release."
        )
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} is a file, not a folder.")
    if out.is_dir() and any(out.iterdir()):
        marker = out / ".git" / MARKER
        if not marker.is_file():
            raise ReleaseError(
                f"{out} is not empty and is not an earlier student release: refusing to write there. "
                "Give an empty or new folder, or the folder of an earlier release."
            )
        if marker.read_text(encoding="utf-8").startswith("built") and _git(["status", "--porcelain"], out).strip():
            raise ReleaseError(
                f"{out} is an earlier release with changes nobody committed (git -C {out} status): a rebuild "
                "would overwrite them. Make the change in the course repository, and discard it here "
                f"(git -C {out} checkout -- . && git -C {out} clean -fd)."
            )
    out.mkdir(parents=True, exist_ok=True)
    if not (out / ".git").is_dir():
        _git(["init", "--quiet", "--initial-branch=main"], out)
    (out / ".git" / MARKER).write_text("building\n", encoding="utf-8")
    # Remove what the last build wrote (tracked, or written by a build that stopped); keep what
    # git ignores (a .venv from `make lab`, caches), which is not the release's.
    listed = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], out).split("\0")
    ours = [out / f for f in listed if f]
    folders = {parent for path in ours for parent in path.relative_to(out).parents if parent != Path(".")}
    for path in ours:
        path.unlink(missing_ok=True)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):  # the deepest first
        if (out / folder).is_dir() and not any((out / folder).iterdir()):
            (out / folder).rmdir()


def drop_sections(text: str, headings: tuple[str, ...], where: str) -> str:
    """``text`` without the ``## `` sections named (each up to the next ``## `` heading)."""
    for heading in headings:
        pattern = rf"(?ms)^## {re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)"
        text, count = re.subn(pattern, "", text)
        if count != 1:
            raise ReleaseError(f"{where}: no section '## {heading}' to leave out (update DROPPED_SECTIONS).")
    return text.rstrip("\n") + "\n"


def _write(out: Path, relative: str, content: bytes) -> None:
    target = out / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


@dataclass(frozen=True)
class Release:
    """What a build made: where, from which source commit, the commit in OUT (None when the
    release did not change), its files and their size."""

    out: Path
    source_commit: str
    commit: str | None
    files: int
    size: int
    #: Answers found in plain text and let through by ``release/allowed.toml``.
    allowed: tuple[Leak, ...] = ()


def _copy(out: Path, source: Path, files: list[str], url: str) -> None:
    """Write OUT's files: the source's selected files (less the dropped sections), the release's
    own files, and the student pyproject.toml and README.md."""
    for relative in files:
        content = (source / relative).read_bytes()
        if relative in DROPPED_SECTIONS:
            content = drop_sections(content.decode("utf-8"), DROPPED_SECTIONS[relative], relative).encode("utf-8")
        _write(out, relative, content)
    for name, relative in OWN_FILES:
        _write(out, relative, (source / TEMPLATES / name).read_bytes())
    pyproject = student_pyproject((source / "pyproject.toml").read_text(encoding="utf-8"), url)
    _write(out, "pyproject.toml", pyproject.encode())
    _write(out, "README.md", student_readme(source, url).encode())


def _check(out: Path, source: Path) -> list[Leak]:
    """Run the checks of ``course.authoring.release_checks`` on OUT; raise when any fails.
    Returns the answers found in plain text that ``release/allowed.toml`` lets through."""
    problems = import_problems(out) + link_problems(out)
    leaks = find_leaks(out)
    allowed = allowed_leaks(source)
    problems += [str(leak) for leak in leaks if (leak.path, leak.qid) not in allowed]
    problems += [
        f"{TEMPLATES}/{ALLOWED}: {path}, question {qid}: no longer found; remove the entry"
        for path, qid in sorted(allowed)
        if not any((leak.path, leak.qid) == (path, qid) for leak in leaks)
    ]
    if problems:
        raise ReleaseError(
            f"The release in {out} is not ready ({len(problems)} problem(s); nothing committed):\n  "
            + "\n  ".join(problems)
        )
    return leaks


def _commit(out: Path, commit: str, date: str, dirty: bool, url: str) -> str | None:
    """Commit OUT's files, as of the source commit's date, when they changed; the new commit or None."""
    _git(["add", "--all"], out)
    head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=out, capture_output=True, check=False)
    if head.returncode == 0 and not _git(["diff", "--cached", "--name-only", "HEAD"], out).strip():
        return None
    note = ", with uncommitted changes" if dirty else ""
    message = f"{SUBJECT} (source commit {commit}{note})\n\nBuilt by `python -m course release` for {url}.\n"
    identity = {
        "GIT_AUTHOR_NAME": AUTHOR[0],
        "GIT_AUTHOR_EMAIL": AUTHOR[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": AUTHOR[0],
        "GIT_COMMITTER_EMAIL": AUTHOR[1],
        "GIT_COMMITTER_DATE": date,
    }
    _git(["commit", "--quiet", "--no-verify", "-m", message], out, identity)
    return _git(["rev-parse", "HEAD"], out).strip()


def build(out: Path, repository: str | None = None) -> Release:
    """Build (or rebuild) the student release of this repository in ``out``."""
    source = paths.ROOT.resolve()
    out = Path(out).absolute()
    url = student_repository(source, repository)
    files = source_files(source)
    commit, date, dirty = source_commit(source, [*files, TEMPLATES, "pyproject.toml", "README.md"])
    _prepare(out, source)
    _copy(out, source, files, url)
    leaks = _check(out, source)
    new_commit = _commit(out, commit, date, dirty, url)
    (out / ".git" / MARKER).write_text(f"built {commit}\n", encoding="utf-8")
    tracked = [f for f in _git(["ls-files", "-z"], out).split("\0") if f]
    size = sum((out / f).stat().st_size for f in tracked)
    return Release(out, commit, new_commit, len(tracked), size, tuple(leaks))


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course release", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to build the release in (empty, new, or an earlier release)")
    parser.add_argument(
        "--repository",
        help="the student repository's GitHub URL, for Binder links and the README "
        "(default: Student-Repository in pyproject.toml's [project.urls])",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    from course.authoring.minutes import NavigationError
    from course.questions.source import QuestionSourceError

    try:
        release = build(args.out, repository=args.repository)
    except (ReleaseError, NavigationError, QuestionSourceError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    what = f"commit {release.commit[:12]}" if release.commit else "unchanged since the last release, no new commit"
    for leak in release.allowed:
        print(f"allowed ({TEMPLATES}/{ALLOWED}): {leak}", file=sys.stderr)
    print(
        f"released {release.files} files ({release.size / 1e6:.1f} MB) to {release.out} in {seconds:.1f} s: {what} "
        f"(from source commit {release.source_commit[:12]}); "
        f"no answer in plain text ({len(release.allowed)} let through by {TEMPLATES}/{ALLOWED}).\n"
        f"Publish it: cd {args.out} && git remote add origin URL && git push -u origin main"
    )
    return 0


if __name__ == "__main__":
    sys.exit(_main())
