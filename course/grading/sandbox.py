"""The sandbox a submission runs in: bubblewrap, or — where it is missing — the limits that
remain, said loudly.

Inside bubblewrap a grading kernel (``course.grading.kernel``) sees:

* no network (its own empty network namespace), its own PID, IPC and UTS namespaces;
* the system (``/usr``), Python and the virtual environment, ``course/`` and ``data/`` of the
  repository — all **read-only**, at their usual paths;
* **not** ``solutions/``, ``questions/``, ``.git``, ``exercises/``, other worktrees, the home
  folder, the submissions folder or the grader's output: they are simply not mounted;
* one writable folder, its own scratch folder (``/scratch/work``), which the kernel wipes before and
  after every submission; ``/tmp`` points into it.

Each submission then runs in a fresh process forked by the kernel, with rlimits on memory
(address space), CPU time, file size (so output) and open files, and with wall-clock limits
per cell and per notebook kept by the kernel's parent process.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course import paths

BWRAP = "bwrap"
#: Files of /etc a Python process may read (never the whole /etc: no shadow, no keys).
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "fonts", "mime.types", "nsswitch.conf", "passwd", "group")

MISSING_WARNING = """\
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! WARNING: bubblewrap (bwrap) is {why}.
!! Submissions run WITHOUT a sandbox: student code can read and write your files (including
!! solutions/ and questions/) and use the network. Only the time, memory, CPU, output and
!! open-file limits remain. Install it (Debian/Ubuntu: sudo apt-get install bubblewrap) or
!! grade only submissions you trust.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


@functools.cache
def available() -> tuple[bool, str]:
    """(usable, why not): bubblewrap is installed and can create its namespaces here."""
    path = shutil.which(BWRAP)
    if not path:
        return False, "not installed"
    probe = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
             "--proc", "/proc", "--dev", "/dev", "/usr/bin/true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"installed but cannot run ({error})"
    if result.returncode != 0:
        return False, f"installed but cannot create its namespaces here ({result.stderr.strip()[:200]})"
    return True, ""


def _ro(path: Path | str) -> list[str]:
    return ["--ro-bind", str(path), str(path)]


def bwrap_command(scratch: Path, mpl_cache: Path, root: Path = paths.ROOT) -> list[str]:
    """The bubblewrap command line that starts one grading kernel with ``scratch`` as its
    only writable folder."""
    args = [shutil.which(BWRAP) or BWRAP, "--unshare-all", "--die-with-parent", "--new-session",
            "--hostname", "grading", "--clearenv"]
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
    # Python itself, the environment and, if elsewhere, the real locations of their links.
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).absolute()}
    prefixes.add(Path(sys.executable).resolve().parent.parent)
    for prefix in sorted(prefixes):
        if not str(prefix).startswith("/usr"):
            args += _ro(prefix)
    root = Path(root).resolve()
    for part in ("course", "data"):
        args += _ro(root / part)
    args += ["--proc", "/proc", "--dev", "/dev",
             "--bind", str(scratch / "work"), "/scratch/work",
             "--ro-bind", str(mpl_cache), "/mplcache",
             "--symlink", "/scratch/work/tmp", "/tmp",
             "--remount-ro", "/",  # the sandbox's own root too: only /scratch/work is writable
             "--chdir", "/scratch/work"]
    return args


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
        env["COURSE_GRADING_PIDNS"] = "1"
    return env


def command(scratch: Path, mpl_cache: Path, sandboxed: bool,
            root: Path = paths.ROOT) -> tuple[list[str], dict[str, str], Path]:
    """(argv, environment, cwd) to start one grading kernel."""
    python = str(Path(sys.executable).absolute())
    kernel = [python, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
              "from course.grading.kernel import main; main()", str(Path(root).resolve())]
    if sandboxed:
        work = Path("/scratch/work")
        env = kernel_environment(root, True, work)
        argv = bwrap_command(scratch, mpl_cache, root)
        for key, value in env.items():
            argv += ["--setenv", key, value]
        return argv + ["--"] + kernel, {}, scratch
    work = scratch / "work"
    env = kernel_environment(root, False, work)
    env["MPLCONFIGDIR"] = str(mpl_cache)
    return kernel, env, scratch


def build_mpl_cache(folder: Path) -> None:
    """Matplotlib's font cache for the kernels, mounted read-only in the sandbox (otherwise
    every kernel would rebuild it): copied from this machine's cache, built only if it has none."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("fontlist*.json")):
        return
    try:
        import matplotlib

        for cached in Path(matplotlib.get_cachedir()).glob("fontlist*.json"):
            shutil.copy(cached, folder / cached.name)
    except Exception:
        pass
    if any(folder.glob("fontlist*.json")):
        return
    env = {**os.environ, "MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=False,
                   capture_output=True, timeout=300)
