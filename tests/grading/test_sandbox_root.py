"""The sandbox as root (CI, containers, JupyterHub images run the grader as root), attacked by
submissions built from ``exercises/03-money-and-policy.ipynb``:

* one tries to escape: remount the read-only binds (``mount -o remount,rw`` and the mount
  syscall), read the instructor's environment (``/proc/1/environ``, the parent's), write to every
  bound path, kill or ptrace every process it can name, become root or use a capability;
* one leaves processes behind (a new session and a double fork, a process that hops PIDs by
  re-forking, a sleep-then-kill loop, files in /dev/shm, /dev and /tmp) to attack the next one
  in the same worker, which must be unaffected, and whose cached result must be its own;
* one starts processes that together hold more memory than the submission's limit, and fills
  its scratch space and /dev/shm;
* some forge the messages to the grader (raw writes to the result pipe, a patched
  ``json.dumps``): each is for review, with a reason, and nothing crashes.

Also: the grader works from a copy of the repository under /tmp, in a folder with a space.
Skipped, with the reason, when not root or when bubblewrap is missing outside CI; on CI a
missing bubblewrap fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course import paths
from course.grading import cli, isolation, runner, sandbox, synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"
ROOT = paths.ROOT.resolve()
LIMITS = runner.Limits(cell_timeout=5, notebook_timeout=25, memory_mb=1536, output_bytes=200_000)
SECRET_NAME = "COURSE_GRADING_TEST_SECRET"
SECRET = "s3cret-f0r-the-sandbox-test"
CORRECT = synthetic.solution_code(STEM)


@pytest.fixture(scope="module", autouse=True)
def root_and_sandbox():
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    ok, why = sandbox.available()
    if not shutil.which(sandbox.BWRAP) or not ok:
        if in_ci:
            pytest.fail(f"bubblewrap must work on CI, where the sandbox is tested as root: it is {why}")
        pytest.skip(f"bubblewrap is {why}")
    if os.geteuid() != 0:
        pytest.skip("these tests attack the sandbox as root (CI runs as root); run them as root")


# -- the attacks, as code cells ----------------------------------------------------------------
ESCAPE = f'''\
import ctypes, os, signal, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
escaped, tried = [], 0
def attempt(what, action):
    global tried
    tried += 1
    try:
        if action():
            escaped.append(what)
    except BaseException:
        pass
mounts = ["/", "/usr", "/etc/passwd", {str(ROOT / "course")!r}, {str(ROOT / "data")!r}, "/mplcache", sys.prefix,
          sys.base_prefix, "/dev", "/proc", "/scratch/work", "/tmp"]
for path in mounts:
    attempt("mount -o remount,rw " + path,
            lambda: subprocess.run(["mount", "-o", "remount,rw", path], capture_output=True).returncode == 0)
    for flags in (32, 32 | 4096):  # MS_REMOUNT, MS_REMOUNT | MS_BIND: read-write
        attempt(f"mount({{flags}}) " + path, lambda: libc.mount(None, path.encode(), None, flags, None) == 0)
    attempt("tmpfs over " + path, lambda: libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, None) == 0)
attempt("unshare", lambda: libc.unshare(0x10000000 | 0x00020000) == 0)
attempt("a new proc", lambda: os.makedirs("p", exist_ok=True) or libc.mount(b"proc", b"p", b"proc", 0, None) == 0)
attempt("the secret in the environment", lambda: {SECRET_NAME!r} in os.environ)
def environ_leaks():
    paths = ["/proc/1/environ", "/proc/self/environ", f"/proc/{{os.getppid()}}/environ"]
    paths += [f"/proc/{{p}}/environ" for p in (os.listdir("/proc") if os.path.isdir("/proc") else []) if p.isdigit()]
    for path in paths:
        try:
            if {SECRET!r}.encode() in open(path, "rb").read() or b"PATH" in open(path, "rb").read():
                return True
        except OSError:
            pass
    return False
attempt("an environ readable", environ_leaks)
targets = [{str(ROOT / "course" / "grading" / "__init__.py")!r}, {str(ROOT / "data" / "escaped.txt")!r},
           "/usr/escaped", "/etc/passwd", "/mplcache/escaped", sys.prefix + "/escaped", sys.base_prefix + "/escaped",
           "/escaped", "/dev/escaped", "/proc/escaped", "/bin/escaped", "/scratch/escaped"]
for target in targets:
    def write(target=target):
        with open(target, "a") as handle:
            handle.write("import os; os.system('touch /tmp/pwned')\\n")
        return True
    attempt("write " + target, write)
me = os.getpid()
for pid in range(1, 3000):
    if pid != me:
        attempt(f"kill {{pid}}", lambda: os.kill(pid, signal.SIGKILL) is None)
        if pid < 300:
            attempt(f"ptrace {{pid}}", lambda: libc.ptrace(16, pid, None, None) == 0)
attempt("kill -1", lambda: os.kill(-1, signal.SIGKILL) is None)
attempt("setuid 0", lambda: os.setuid(0) is None)
attempt("setresuid 0", lambda: os.setresuid(0, 0, 0) is None)
attempt("setgid 0", lambda: os.setgid(0) is None)
attempt("setgroups", lambda: os.setgroups([0]) is None)
attempt("chroot", lambda: os.chroot("/scratch/work") is None)
attempt("sethostname", lambda: libc.sethostname(b"owned", 5) == 0)
attempt("a capability in the bounding set", lambda: any(libc.prctl(23, cap, 0, 0, 0) == 1 for cap in range(41)))
def capabilities():
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    return libc.capget(header, data) == 0 and any(data)
attempt("a capability", capabilities)
attempt("uid 0", lambda: 0 in os.getresuid() or 0 in os.getresgid())
support_written = "ESCAPED: " + "; ".join(escaped) if escaped else f"contained: {{tried}} attempts refused"
'''

# Left behind by the attacker for the next submission in the same worker.
LEAVE_BEHIND = '''\
import os, signal, sys, time
def detached(body):
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                try:
                    body()
                finally:
                    os._exit(0)
            os._exit(0)
        os.wait()
    except OSError:
        pass
def killer():
    while True:
        time.sleep(0.05)
        for pid in range(2, 400):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
def hopper():
    while True:
        time.sleep(0.02)
        if os.fork():
            os._exit(0)
def plant():
    for folder in ("/dev/shm", "/tmp", "/dev", "/scratch/work", "."):
        try:
            with open(os.path.join(folder, "left-behind"), "w") as handle:
                handle.write("x")
        except OSError:
            pass
def planter():
    while True:
        plant()
        time.sleep(0.05)
plant()
for body in (killer, hopper, planter):
    detached(body)
'''

# The victim's own look around, a second after it starts: what the attacker left must be gone.
LOOK_AROUND = '''\
import os, time
time.sleep(1.0)
seen = []
for folder in ("/dev/shm", "/tmp", "/dev", "/scratch/work", "."):
    try:
        seen += [name for name in os.listdir(folder) if name == "left-behind"]
    except OSError:
        pass
assert not seen, seen
'''

MEMORY = '''\
import os, time
size = 600 * 2**20  # five of these (this process and four more) would hold 3000 MB of a 1536 MB limit
held = 0
try:
    block = bytearray(size)
    held += 600
except MemoryError:
    pass
reports = []
for _ in range(4):
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read), os.close(write)
        continue
    if pid == 0:
        try:
            block = bytearray(size)
            os.write(write, b"600")
            time.sleep(30)
        finally:
            os._exit(0)
    os.close(write)
    reports.append(read)
for read in reports:
    held += int(os.read(read, 10) or b"0")
'''
FILL = '''\
import json, os, tempfile
def fill(folder):
    written = 0
    for n in range(10_000):
        try:
            with open(os.path.join(folder, f"f{n}"), "wb") as handle:
                handle.write(b"x" * 190_000)
            written += 190_000
        except OSError:
            return written
    return written
# $TMPDIR is the scratch space (/tmp links to it, except when the course itself lies under /tmp)
filled = {"tmp": fill(tempfile.gettempdir()), "shm": fill("/dev/shm")}
'''

# Raw bytes written to the result pipe (found by its type, like an attacker would): {line} is
# a Python expression.
RAW_WRITE = '''\
import os, stat
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, {line})
    except OSError:
        pass
'''
FORGED = {
    "forge-garbage": RAW_WRITE.format(line=repr(b"\x00\xffnot json at all\n")),
    "forge-end-text": RAW_WRITE.format(line=repr(b'{"end": "abc", "error": null, "answers": {}, "rejected": {}, '
                                                 b'"output_truncated": false}\n')),
    "forge-done-early": RAW_WRITE.format(line=repr(b'{"done": true}\n')),
    "forge-nan": RAW_WRITE.format(line=repr(b'{"start": NaN}\n')),
    "forge-deep": RAW_WRITE.format(line='b"[" * 200_000 + b"]" * 200_000 + b"\\n"'),
    "forge-flood": RAW_WRITE.format(line='b"x" * (17 * 2**20)'),
    "forge-long-answer": RAW_WRITE.format(line='b\'{"end": 2, "answers": {"up_to": "\' + b"y" * 3_000_000 '
                                               '+ b\'"}}\\n\''),
    "forge-json-dumps": "import json\njson.dumps = lambda *args, **kwargs: '{\"end\": [1, 2'",
}


def _tree(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _notebook(folder: Path, student: str, answers: dict[str, str], insert: dict | None = None) -> None:
    nb = synthetic.submission(synthetic.exercise(STEM), {**CORRECT, **answers}, insert=insert)
    synthetic.write(folder / student / f"{STEM}.ipynb", nb)


def _cached(out: Path) -> dict[str, dict]:
    runs = {}
    for path in (out / ".grader" / "runs").glob("*.json"):
        run = json.loads(path.read_text())
        run.pop("seconds")
        runs[path.stem] = run
    return runs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One run, one worker (so the attacker and its victim share a kernel, in that order)."""
    base = tmp_path_factory.mktemp("root")
    subs, out = base / "submissions", base / "out"
    _notebook(subs, "a-attacker", {}, insert={0: [LEAVE_BEHIND]})
    _notebook(subs, "b-victim", {}, insert={0: [LOOK_AROUND]})
    _notebook(subs, "c-escape", {"support_written": ESCAPE})
    _notebook(subs, "d-memory", {"support_written": MEMORY + "support_written = f'held {held} MB'"})
    _notebook(subs, "e-fill", {"support_written": FILL + "support_written = json.dumps(filled)"})
    for student, code in FORGED.items():
        _notebook(subs, student, {}, insert={2: [code]})
    course = _tree(ROOT / "course")
    secret_before = os.environ.get(SECRET_NAME)
    os.environ[SECRET_NAME] = SECRET
    try:
        rows = {r.student: r for r in cli.grade(subs, out, workers=1, limits=LIMITS, progress=False)
                if r.exercise == STEM}
    finally:
        if secret_before is None:
            del os.environ[SECRET_NAME]
        else:
            os.environ[SECRET_NAME] = secret_before
    yield rows, out, course, base


def _answer(row, qid: str = "support_written"):
    return next(q for q in row.result.questions if q.id == qid).answer


def test_no_escape_as_root(graded):
    rows, out, course, _ = graded
    essay = _answer(rows["c-escape"])
    assert essay.startswith("contained: ") and int(essay.split()[1]) > 3000, essay
    assert _tree(ROOT / "course") == course  # course/grading/__init__.py above all
    assert not Path("/tmp/pwned").exists()
    leaked = [p for p in out.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not leaked


def test_the_next_submission_is_unaffected_and_its_cache_its_own(graded, tmp_path):
    rows, out, *_ = graded
    victim = rows["b-victim"]
    assert (victim.status, victim.points) == ("to mark", 8), victim.note
    assert "left-behind" not in victim.note
    # Graded alone, the victim's run is the very same as the one cached after the attacker.
    alone = tmp_path / "alone"
    _notebook(alone, "b-victim", {}, insert={0: [LOOK_AROUND]})
    cli.grade(alone, tmp_path / "out", workers=1, limits=LIMITS, progress=False)
    runs = _cached(out)
    for key, run in _cached(tmp_path / "out").items():
        assert runs[key] == run


def test_memory_is_limited_per_submission(graded):
    rows, *_ = graded
    held = int(_answer(rows["d-memory"]).split()[1])
    assert held <= LIMITS.memory_mb, held
    filled = json.loads(_answer(rows["e-fill"]))
    assert 0 < filled["tmp"] <= isolation.SCRATCH_MB * 2**20
    assert 0 < filled["shm"] <= isolation.SHM_MB * 2**20


@pytest.mark.parametrize("student", sorted(FORGED))
def test_a_forged_message_is_for_review(graded, student):
    rows, *_ = graded
    row = rows[student]
    assert row.status == "review", row.note
    assert "malformed or forged message" in row.note
    # the cells before the forgery count: blog_vs_shenzhen and amount_purposes
    assert row.points == 4, row.note


def test_a_second_run_reads_the_same_results_back(graded):
    rows, out, _, base = graded
    again = {r.student: r for r in cli.grade(base / "submissions", out, workers=1, limits=LIMITS, progress=False)
             if r.exercise == STEM}
    assert {s: (r.status, r.points) for s, r in again.items()} == {s: (r.status, r.points) for s, r in rows.items()}


# -- the kernel alone: processes that outlive their submission ---------------------------------
def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _ask(process: subprocess.Popen, request: dict, timeout: float = 60) -> dict:
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the kernel did not answer"
    return json.loads(process.stdout.readline())["result"]


def test_every_process_of_a_submission_dies_with_it(tmp_path, monkeypatch):
    """Even with processes allowed (``processes``, which the grader never sends), nothing the
    attacker started survives it: its PID namespace dies with its first process. And none of
    the sandbox's processes (bubblewrap, its init, the kernel) holds the grader's environment."""
    mpl = tmp_path / "mpl"
    sandbox.build_mpl_cache(mpl)
    monkeypatch.setenv(SECRET_NAME, SECRET)
    process = sandbox.start(tmp_path / "scratch", mpl, True, ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 120)
        assert ready and json.loads(process.stdout.readline())["ready"]
        idle = len(_descendants(process.pid))
        assert idle == 2  # bubblewrap's init and the kernel
        for pid in [process.pid, *_descendants(process.pid)]:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"bwrap"):
                assert environ == b"", (pid, environ[:200])  # bubblewrap and its init: nothing at all
            else:  # the kernel: its own fixed list
                assert SECRET.encode() not in environ and environ.startswith(b"PATH="), environ[:200]
            assert Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[:3] == ["65534"] * 3
        base = {"cell_timeout": 10, "notebook_timeout": 20, "memory_mb": 1536, "output_bytes": 100_000,
                "processes": 64}
        attack = _ask(process, {**base, "id": 1, "cells": [LEAVE_BEHIND + "x = 'planted'"], "answers": ["x"]})
        assert attack["ended"] == "completed" and attack["answers"] == {"x": "planted"}, attack
        time.sleep(0.3)
        assert len(_descendants(process.pid)) == idle  # no process of the attacker is left anywhere
        victim = _ask(process, {**base, "id": 2, "cells": [LOOK_AROUND + "y = 'fine'"], "answers": ["y"]})
        assert victim["ended"] == "completed" and victim["answers"] == {"y": "fine"} and not victim["errors"], victim
    finally:
        os.killpg(process.pid, 9)
        process.wait()


# -- a repository under /tmp, in a folder with a space -------------------------------------------
def test_grades_from_a_copy_under_tmp_with_a_space(tmp_path):
    clone = tmp_path / "a clone" / "course repo"
    assert str(clone).startswith("/tmp/")
    for part in ("course", "data"):
        shutil.copytree(ROOT / part, clone / part, ignore=shutil.ignore_patterns("__pycache__"))
    subs = tmp_path / "subs dir"
    _notebook(subs, "ann", {})
    rows = [r for r in cli.grade(subs, tmp_path / "out dir", workers=1, limits=LIMITS, progress=False, root=clone)
            if r.exercise == STEM]
    assert [(r.status, r.points) for r in rows] == [("to mark", 8)], rows[0].note
    # No symlink at /tmp when the clone is there (bubblewrap could not make it); one otherwise.
    assert "/scratch/work/tmp" not in sandbox.bwrap_command(tmp_path / "s", tmp_path / "m", clone)[0]
    assert "/scratch/work/tmp" in sandbox.bwrap_command(tmp_path / "s", tmp_path / "m", ROOT)[0] \
        or str(ROOT).startswith("/tmp/") or sys.prefix.startswith("/tmp/")
