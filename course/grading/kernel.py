"""The grading kernel: runs *inside* the sandbox, one per worker (``sandbox.py`` starts it with
``python -I -c "... from course.grading.kernel import main; main()"``).

It imports the heavy libraries once (pandas, matplotlib, IPython, the course helpers), says
``ready``, then serves one submission at a time from its stdin: for each, it **forks a fresh
process** (``course.grading.child``) that runs the submission's cells in a new IPython shell,
and reports to stdout.

Inside bubblewrap each submission gets a world of its own (``course.grading.isolation``): its
own namespaces, scratch space and ``/dev/shm``, one process only, no new namespaces, no
capabilities. When the kernel kills the submission's first process, every process it started
dies with it. Nothing of one submission can reach the next or this kernel.

Time limits are kept by this parent, not by the child (whose code could catch a signal): a
deadline per cell and per notebook, measured from the child's own "cell started" messages,
which are checked field by field (``course.grading.messages``): a forged one ends the run for
review, never the kernel. Memory, CPU time, file size (output) and open files are capped with
rlimits in the child. The grader judges the answers' JSON in its own process. Protocol: one
JSON object per line; request ``{"id", "cells", "answers", "cell_timeout", "notebook_timeout",
"memory_mb", "output_bytes"}``; reply ``{"id", "result": {...}}``.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import sys
import time
from typing import Any

from course.grading import child, messages
from course.grading.isolation import PR_SET_DUMPABLE, SANDBOXED, WORK, own_world, seal

_GRADER_FDS: list[int] = []  # this kernel's own ends of the grader's pipes
#: The course's helpers, imported once before any fork (a student's cell imports them again).
PRELOADED = ("course", "course.evidence", "course.texts", "course.plots", "course.questions",
             "course.questions.kinds", "course.questions.question",
             "course.questions.learner", "course.questions.seal")


def _preload() -> None:
    """Import what every exercise uses, once, before any fork."""
    cache = os.environ.get("MPLCONFIGDIR", "")
    if SANDBOXED and cache and not os.access(cache, os.W_OK):
        # Matplotlib wants its cache folder writable: the kernel's copy of the read-only one.
        copy = os.path.join(WORK, ".matplotlib")
        shutil.copytree(cache, copy, dirs_exist_ok=True)
        os.environ["MPLCONFIGDIR"] = copy
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:  # optional: IPython's inline backend, absent in a minimal install
        pass
    for name in PRELOADED:
        try:
            __import__(name)
        except Exception as error:  # noqa: BLE001 - any failure of the course's own import code
            # Not fatal: a cell that imports the helper fails there, and the student sees why.
            print(f"grading kernel: not preloaded {name} ({type(error).__name__}: {error})",
                  file=sys.stderr, flush=True)


def _wipe() -> None:
    """Empty the worker's scratch folder (the submissions' own scratch spaces vanish with them;
    without bubblewrap this is where they wrote)."""
    if os.path.isdir(WORK):
        for entry in os.listdir(WORK):
            path = os.path.join(WORK, entry)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
            except OSError:  # gone already, or not ours to remove: the next run starts anyway
                pass
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)


def _fork(request: dict, read_fd: int, write_fd: int) -> int:
    """Fork the submission's process (``child.run``); its pid, in the parent."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.close(read_fd)
        null = os.open(os.devnull, os.O_RDWR)  # on 0 and 1 (the grader's pipes), so they are never free
        os.dup2(null, 0)
        os.dup2(null, 1)
        for fd in (null, *_GRADER_FDS):  # the grader's pipes: never the child's
            try:
                os.close(fd)
            except OSError:  # closed already
                pass
        os.setsid()
        if SANDBOXED:
            own_world()
        child.run(request, write_fd)
    except BaseException as failure:  # noqa: BLE001 - reported on the output log, then exit 70
        try:
            os.write(2, f"grading kernel child: {type(failure).__name__}: {failure}\n".encode())
        finally:
            os._exit(70)
    finally:
        os._exit(70)


def _reap(pid: int, eof: bool) -> int:
    """Kill the submission's process (inside bubblewrap its init dies with it, and the whole
    PID namespace) and return its wait status. When its pipe closed (``eof``), an exiting
    process gets a moment to say how it ended."""
    status = None
    if eof:
        grace = time.monotonic() + 0.5
        while status is None and time.monotonic() < grace:
            done, code = os.waitpid(pid, os.WNOHANG)
            status = code if done else None
            if status is None:
                time.sleep(0.002)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # the group is gone already
        pass
    if status is None:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = 0
    return status


def _conclude(state: dict[str, Any], status: int, request: dict) -> None:
    """Say how the run ended, when its process did not say it was done."""
    if not state["done"] and state["ended"] == "completed":
        if os.WIFSIGNALED(status):
            state["ended"] = f"killed by signal {os.WTERMSIG(status)}"
        else:
            state["ended"] = f"exited with code {os.WEXITSTATUS(status)}"
    if state["cell"] is None and not state["done"]:
        # No student code ran (it runs only after the first "start"): the failure is the
        # grader's (its sandbox, its imports, a busy machine), for review and never cached.
        state["ended"] = f"the grader failed before the first cell ran ({state['ended']})"
        state["rejected"] = {"*": {"type": "the grading kernel failed", "review": True}}
        state["kernel_failed"] = True
    try:
        with open(os.path.join(WORK, "output.log"), "rb") as handle:
            handle.seek(0, 2)
            if handle.tell() >= int(request.get("output_bytes", 2**20)):
                state["output_truncated"] = True
    except OSError:  # no output log: the process never opened it, so it wrote nothing
        pass


def _run(request: dict) -> dict:
    """One submission, from a clean scratch folder to its result."""
    _wipe()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = _fork(request, read_fd, write_fd)
    os.close(write_fd)
    state = messages.new_state(len(request["cells"]))
    eof = messages.read(read_fd, state, set(request["answers"]), started,
                        float(request.get("cell_timeout", 30)), float(request.get("notebook_timeout", 120)))
    os.close(read_fd)
    _conclude(state, _reap(pid, eof), request)
    state["seconds"] = round(time.monotonic() - started, 3)
    del state["open"], state["done"]
    _wipe()
    return state


def main() -> None:
    """Serve requests from stdin until it closes, one reply line each."""
    os.makedirs(WORK, exist_ok=True)
    _preload()
    try:  # no ptrace or /proc/<pid>/mem from the students' processes into this one
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError) as error:
        print(f"grading kernel: could not make itself undumpable ({error})", file=sys.stderr)
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    _GRADER_FDS.extend([reply.fileno(), requests.fileno()])
    reply.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in requests:
        request = json.loads(line)
        result = _run(request)
        reply.write(json.dumps({"id": request.get("id"), "result": result}) + "\n")


def probe() -> None:
    """``sandbox.available``'s check, run inside bubblewrap: a submission's own world can be
    built here (namespaces, mounts, seccomp filter, no capabilities)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            own_world()
            os.open(os.path.join(WORK, "probe"), os.O_WRONLY | os.O_CREAT, 0o600)
            seal()
            os._exit(0)
        except BaseException as failure:  # noqa: BLE001 - the reason goes to the grader
            print(f"{type(failure).__name__}: {failure}", file=sys.stderr, flush=True)
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"a submission's own namespaces cannot be built here (status {status})")
    print("isolated", flush=True)


if __name__ == "__main__":
    main()
