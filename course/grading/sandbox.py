"""The sandbox a submission runs in: bubblewrap, or — where it is missing — the limits that
remain, said loudly. What it guarantees is written in INSTRUCTORS.md ("What the sandbox
guarantees"); this is how.

One bubblewrap per worker holds the warm grading kernel (``course.grading.kernel``). In it:

* bubblewrap starts from an **empty environment** and the kernel gets only the variables of
  ``kernel_environment``: nothing of the instructor's environment is inside;
* its own user namespace, with **every capability dropped**, and as an unprivileged user outside
  too: the instructor's own uid, or — when the grader runs as root — ``nobody`` (65534). Root
  hands bubblewrap the folders it binds through a private mount namespace (``LAUNCHER``), so
  they need not be reachable by ``nobody``, only readable;
* no network, its own PID, IPC and UTS namespaces;
* the system (``/usr``), Python and the virtual environment, ``course/`` and ``data/`` of the
  repository — all **read-only**, at their usual paths; not ``solutions/``, ``questions/``,
  ``.git``, the home folder, the submissions or the grader's output;
* one writable folder, the worker's scratch folder (``/scratch/work``), where only the kernel
  writes (a submission's output log).

Each submission then gets a world of its own from the kernel (``isolation.own_world`` and ``isolation.seal``): a fresh
user, PID, mount and IPC namespace, a fresh size-limited tmpfs for ``/scratch/work`` (``/tmp``
points into it) and for ``/dev/shm``, ``/dev`` read-only, ``/proc`` hidden, no capabilities,
no new user namespaces, and one process only (RLIMIT_NPROC in its user namespace), so its
per-process memory limit is the submission's.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from course import paths

BWRAP = "bwrap"
#: Files of /etc a Python process may read (never the whole /etc: no shadow, no keys).
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "fonts", "mime.types", "nsswitch.conf", "passwd", "group")
#: The user bubblewrap runs as when the grader is root: never root inside or outside.
NOBODY = 65534
#: Where, in the root launcher's private mount namespace, the bound folders are staged.
STAGE = "/tmp"

MISSING_WARNING = """\
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! WARNING: bubblewrap (bwrap) is {why}.
!! Submissions run WITHOUT a sandbox: student code can read and write your files (including
!! solutions/ and questions/) and use the network. Only the time, memory, CPU, output and
!! open-file limits remain. Install it (Debian/Ubuntu: sudo apt-get install bubblewrap) or
!! grade only submissions you trust.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""

#: Run as root by ``start``: stage the bound folders in a private mount namespace (root can
#: reach them, ``nobody`` may not), become ``nobody`` and exec bubblewrap with an empty
#: environment. argv[1] is JSON: {"sources": [...], "uid", "gid", "argv"}.
LAUNCHER = r"""
import ctypes, json, os, sys
spec = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
def call(result, what):
    if result != 0:
        error = ctypes.get_errno()
        sys.exit(f"course sandbox launcher: {what}: {os.strerror(error)}")
call(libc.unshare(0x00020000), "unshare the mount namespace")
call(libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None), "make the mounts private")
fds = [os.open(source, os.O_PATH) for source in spec["sources"]]  # before the stage covers them
call(libc.mount(b"tmpfs", spec["stage"].encode(), b"tmpfs", 0x2 | 0x4 | 0x8, b"mode=0755,size=64k"), "stage")
for index, fd in enumerate(fds):
    target = os.path.join(spec["stage"], str(index))
    if os.path.isdir(f"/proc/self/fd/{fd}"):
        os.mkdir(target)
    else:
        open(target, "w").close()
    call(libc.mount(f"/proc/self/fd/{fd}".encode(), target.encode(), None, 0x1000 | 0x4000, None), "bind " + target)
    os.close(fd)
os.setgroups([])
os.setresgid(spec["gid"], spec["gid"], spec["gid"])
os.setresuid(spec["uid"], spec["uid"], spec["uid"])
os.execve(spec["argv"][0], spec["argv"], {})
"""


def _outer_ids() -> tuple[int, int] | None:
    """(uid, gid) bubblewrap must run as instead of the grader's: ``nobody`` when the grader is
    root (a student mapped onto root outside could use root's file permissions and escapes
    RLIMIT_NPROC); None when the grader is already an ordinary user."""
    return (NOBODY, NOBODY) if os.geteuid() == 0 else None


def _ro(path: Path | str) -> list[str]:
    return ["--ro-bind", str(path), str(path)]


def _binds(scratch: Path, mpl_cache: Path, root: Path) -> list[tuple[str, str, str]]:
    """(option, source, destination) of every folder bound beyond /usr and /etc."""
    binds = []
    # Python itself, the environment and, if elsewhere, the real locations of their links.
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).absolute()}
    prefixes.add(Path(sys.executable).resolve().parent.parent)
    for prefix in sorted(prefixes):
        if not str(prefix).startswith("/usr"):
            binds.append(("--ro-bind", str(prefix), str(prefix)))
    root = Path(root).resolve()
    for part in ("course", "data"):
        binds.append(("--ro-bind", str(root / part), str(root / part)))
    binds.append(("--bind", str(scratch / "work"), "/scratch/work"))
    binds.append(("--ro-bind", str(mpl_cache), "/mplcache"))
    return binds


def bwrap_command(scratch: Path, mpl_cache: Path, root: Path = paths.ROOT,
                  staged: bool = False) -> tuple[list[str], list[str]]:
    """(the bubblewrap command line that starts one grading kernel with ``scratch`` as its only
    writable folder, the bound sources). With ``staged`` the sources are named by their place
    in the root launcher's stage (``STAGE/<n>``) instead of their own paths."""
    ids = _outer_ids()
    args = [shutil.which(BWRAP) or BWRAP, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--hostname", "grading", "--clearenv", "--cap-drop", "ALL"]
    uid, gid = ids or (os.getuid(), os.getgid())
    args += ["--uid", str(uid), "--gid", str(gid)]
    args += _ro("/usr")
    for link in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        target = Path("/") / link
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            args += _ro(target)
    for name in ETC_FILES:
        if (Path("/etc") / name).exists():
            args += _ro(Path("/etc") / name)
    binds = _binds(scratch, mpl_cache, root)
    for index, (option, source, dest) in enumerate(binds):
        args += [option, f"{STAGE}/{index}" if staged else source, dest]
    args += ["--proc", "/proc", "--dev", "/dev", "--chdir", "/scratch/work"]
    # /tmp points into the submission's fresh scratch space, unless a bound folder lies under
    # /tmp (a clone or an environment there): then /tmp is the read-only folder holding it,
    # and TMPDIR still points into the scratch space.
    if not any(dest == "/tmp" or dest.startswith("/tmp/") for _, _, dest in binds):
        args += ["--symlink", "/scratch/work/tmp", "/tmp"]
    args += ["--remount-ro", "/"]  # the sandbox's own root too: only /scratch/work is writable
    return args, [source for _, source, _ in binds]


def kernel_environment(root: Path, sandboxed: bool, work: Path) -> dict[str, str]:
    """The kernel's whole environment (nothing of the instructor's is passed on)."""
    env = {
        "PATH": f"{Path(sys.prefix).absolute()}/bin:/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(Path(root).resolve()),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
        "COURSE_ROOT": str(Path(root).resolve()),
        "COURSE_GRADING_WORK": str(work),
        "HOME": str(work),
        "TMPDIR": str(work / "tmp"),
        "IPYTHONDIR": str(work / ".ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    if sandboxed:
        env["MPLCONFIGDIR"] = "/mplcache"
        env["COURSE_GRADING_SANDBOX"] = "1"
    return env


def _kernel_argv(root: Path, entry: str = "main") -> list[str]:
    python = str(Path(sys.executable).absolute())
    return [python, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
            f"from course.grading.kernel import {entry}; {entry}()", str(Path(root).resolve())]


def command(scratch: Path, mpl_cache: Path, sandboxed: bool, root: Path = paths.ROOT,
            entry: str = "main") -> tuple[list[str], dict[str, str], Path]:
    """(argv, environment, cwd) to start one grading kernel. The environment is the whole
    environment of the process started (bubblewrap's is empty: the kernel's is set inside)."""
    kernel = _kernel_argv(root, entry)
    if sandboxed:
        work = Path("/scratch/work")
        env = kernel_environment(root, True, work)
        ids = _outer_ids()
        argv, sources = bwrap_command(scratch, mpl_cache, root, staged=ids is not None)
        for key, value in env.items():
            argv += ["--setenv", key, value]
        argv += ["--"] + kernel
        if ids is not None:
            spec = {"sources": sources, "uid": ids[0], "gid": ids[1], "argv": argv, "stage": STAGE}
            argv = [sys.executable, "-I", "-S", "-c", LAUNCHER, json.dumps(spec)]
        return argv, {}, scratch
    work = scratch / "work"
    env = kernel_environment(root, False, work)
    env["MPLCONFIGDIR"] = str(mpl_cache)
    return kernel, env, scratch


def prepare(scratch: Path, sandboxed: bool) -> None:
    """The worker's scratch folder, writable by the user the kernel runs as."""
    work = scratch / "work"
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    ids = _outer_ids() if sandboxed else None
    if ids is not None:
        for folder in (work, work / "tmp"):
            os.chown(folder, *ids)


def start(scratch: Path, mpl_cache: Path, sandboxed: bool, root: Path = paths.ROOT,
          entry: str = "main", **popen: Any) -> subprocess.Popen:
    """Start one grading kernel (``popen``: the pipes and text settings the caller wants)."""
    prepare(scratch, sandboxed)
    argv, env, cwd = command(scratch, mpl_cache, sandboxed, root, entry)
    return subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True, **popen)


@functools.cache
def available() -> tuple[bool, str]:
    """(usable, why not): bubblewrap is installed and can build the whole sandbox here — the
    kernel's namespaces and each submission's own (the probe runs ``kernel.probe`` inside)."""
    path = shutil.which(BWRAP)
    if not path:
        return False, "not installed"
    with tempfile.TemporaryDirectory(prefix="course-sandbox-probe-") as folder:
        scratch, mpl_cache = Path(folder) / "scratch", Path(folder) / "mpl"
        mpl_cache.mkdir()
        try:
            process = start(scratch, mpl_cache, True, paths.ROOT, "probe", stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            out, err = process.communicate(timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, f"installed but cannot run ({error})"
    if process.returncode != 0 or "isolated" not in out:
        return False, f"installed but cannot build the sandbox here ({(err or out).strip()[-300:]})"
    return True, ""


def build_mpl_cache(folder: Path) -> None:
    """Matplotlib's font cache for the kernels, mounted read-only in the sandbox (otherwise
    every kernel would rebuild it): copied from this machine's cache, built only if it has none."""
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.glob("fontlist*.json")):
        try:
            import matplotlib

            for cached in Path(matplotlib.get_cachedir()).glob("fontlist*.json"):
                shutil.copy(cached, folder / cached.name)
        except (ImportError, OSError) as error:
            print(f"matplotlib's font cache not copied ({error}); building it", file=sys.stderr)
    if not any(folder.glob("fontlist*.json")):
        env = {**os.environ, "MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"}
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=False,
                       capture_output=True, timeout=300)
    for path in [folder, *folder.iterdir()]:  # readable by the sandbox's user (nobody, as root)
        path.chmod(0o755 if path.is_dir() else 0o644)
