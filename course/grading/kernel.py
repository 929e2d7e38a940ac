"""The grading kernel: runs *inside* the sandbox, one per worker (``python -m course.grading.kernel``).

It imports the heavy libraries once (pandas, matplotlib, IPython, the course helpers), says
``ready``, then serves one submission at a time from its stdin: for each, it wipes the scratch
folder, **forks a fresh process** that runs the submission's cells in a new IPython shell, and
reports to stdout. Nothing of one submission survives into the next: the child is a fresh
fork of the clean parent, its scratch folder and temporary folders are wiped, and every other
process in the sandbox's PID namespace is killed after it.

Time limits are kept by this parent, not by the child (whose code could catch a signal):
a deadline per cell and per notebook, measured from the child's own "cell started" messages.
Memory, CPU time, file size (output) and open files are capped with rlimits in the child.

Answers leave the child as JSON text only. What cannot be JSON without running student code
(an object with its own ``__eq__``, a str subclass, a pandas Series) is not sent: it is named
and rejected. The grader judges the JSON in its own process. Protocol: one JSON object per
line; request ``{"id", "cells", "answers", "cell_timeout", "notebook_timeout", "memory_mb",
"output_bytes"}``; reply ``{"id", "result": {...}}``.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import sys
import time

WORK = os.environ.get("COURSE_GRADING_WORK", "/scratch/work")
_GRADER_FDS: list[int] = []  # this kernel's own ends of the grader's pipes


def _preload() -> None:
    """Import what every exercise uses, once, before any fork."""
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    for name in ("course", "course.evidence", "course.texts", "course.plots", "course.questions",
                 "course.questions.kinds", "course.questions.finder", "course.questions.written",
                 "course.questions.learner", "course.questions.seal"):
        try:
            __import__(name)
        except Exception:  # a helper that fails to import fails in the student's cell instead
            pass


# -- plain data ---------------------------------------------------------------------------
def plain(value):
    """``value`` as plain JSON data, by the one conversion the self-check uses too
    (``course.questions.plain``), or ``TypeError`` naming what is not plain. Types are compared
    exactly (a subclass of str or dict may override ``__eq__``)."""
    from course.questions import plain as conversion

    return conversion.encode(value)


def _suspicious_type(value) -> bool:
    """True when the value's class was written by the student (or overrides comparison)."""
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    if module == "__main__" or module.startswith("__"):
        return True
    for name in ("__eq__", "__ne__", "__hash__", "__str__", "__float__", "__len__", "__iter__"):
        for base in kind.__mro__:
            if name in vars(base):
                if getattr(base, "__module__", "") == "__main__":
                    return True
                break
    return False


def snapshot(namespace: dict, names: list[str]) -> tuple[dict, dict]:
    """(answers, rejected): the plain data of every answer variable that exists, as the JSON
    text of ``course.questions.plain.dumps`` holds it, and for each one that is not plain data,
    why (with ``review`` when the type is the student's own)."""
    from course.questions import plain as conversion

    answers, rejected = {}, {}
    for name in names:
        if name not in namespace:
            continue
        value = namespace[name]
        try:
            answers[name] = json.loads(conversion.dumps(value))
        except (TypeError, ValueError, RecursionError) as problem:
            rejected[name] = {"type": str(problem) if isinstance(problem, TypeError) else type(problem).__name__,
                              "review": _suspicious_type(value)}
    return answers, rejected


# -- the child -----------------------------------------------------------------------------
class CappedWriter:
    """sys.stdout/sys.stderr for the student's cells: keeps at most ``limit`` characters in all
    and drops the rest (an output flood costs time, not memory or disk)."""

    def __init__(self, limit: int, shared: list):
        self.limit, self.shared = limit, shared  # shared = [characters written, truncated?]
        self.encoding = "utf-8"

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.shared[0]
        if room > 0:
            self.shared[0] += len(text[:room])
        if len(text) > max(room, 0):
            self.shared[1] = True
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _send(fd: int, message: dict) -> None:
    data = (json.dumps(message, ensure_ascii=False) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _child(request: dict, fd: int) -> None:
    os.setsid()
    limit_mb = int(request.get("memory_mb", 1024))
    out = os.open(os.path.join(WORK, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full output file fails a write, no more
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(request.get("output_bytes", 2**20)),) * 2)
    cpu = int(request.get("notebook_timeout", 60)) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    os.chdir(WORK)

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    shared = [0, False]
    sys.stdout = CappedWriter(int(request.get("output_bytes", 2**20)), shared)
    sys.stderr = sys.stdout
    names = list(request["answers"])
    # The self-check is not the grader's business; cells that only call it are skipped, and
    # a stand-in keeps a student's own call to it from failing.
    shell.user_ns["check"] = lambda *args, **kwargs: None
    for index, source in enumerate(request["cells"]):
        _send(fd, {"start": index})
        error = None
        try:
            result = shell.run_cell(source, store_history=False, silent=False)
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                error = f"{type(failure).__name__}: {str(failure)[:300]}"
        except BaseException as failure:  # SystemExit raised past IPython, KeyboardInterrupt
            error = f"{type(failure).__name__}: {str(failure)[:300]}"
        try:
            answers, rejected = snapshot(shell.user_ns, names)
        except BaseException as failure:  # the namespace itself was made hostile
            answers, rejected = {}, {"*": {"type": f"{type(failure).__name__}", "review": True}}
        _send(fd, {"end": index, "error": error, "answers": answers, "rejected": rejected,
                   "output_truncated": shared[1]})
    _send(fd, {"done": True})
    os._exit(0)


# -- the parent (the warm zygote) ----------------------------------------------------------
def _wipe() -> None:
    # /dev/shm is the sandbox's own only inside bubblewrap: never wipe the machine's.
    sandboxed = os.environ.get("COURSE_GRADING_PIDNS") == "1"
    for folder in (WORK, "/dev/shm") if sandboxed else (WORK,):
        if not os.path.isdir(folder):
            continue
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
            except OSError:
                pass
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)


def _kill_others(child: int) -> None:
    """Kill the child's group and, when this kernel owns a PID namespace (bubblewrap), every
    process in it but bubblewrap's init and this one: nothing a submission started lives on."""
    try:
        os.killpg(child, signal.SIGKILL)
    except OSError:
        pass
    if os.environ.get("COURSE_GRADING_PIDNS") == "1":
        me = os.getpid()
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in (1, me):
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass


def _run(request: dict) -> dict:
    _wipe()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_fd)
            for fd in (0, 1, *_GRADER_FDS):  # the grader's pipes: never the child's
                try:
                    os.close(fd)
                except OSError:
                    pass
            _child(request, write_fd)
        finally:
            os._exit(70)
    os.close(write_fd)
    cell_timeout = float(request.get("cell_timeout", 30))
    notebook_deadline = started + float(request.get("notebook_timeout", 120))
    state = {"cells_total": len(request["cells"]), "cells_run": 0, "answers": {}, "rejected": {},
             "errors": [], "output_truncated": False, "ended": "completed", "cell": None}
    buffer = b""
    cell_deadline = started + cell_timeout
    done = False
    while not done:
        now = time.monotonic()
        deadline = min(cell_deadline, notebook_deadline)
        if now >= deadline:
            state["ended"] = "notebook timeout" if notebook_deadline <= cell_deadline else "cell timeout"
            break
        ready, _, _ = select.select([read_fd], [], [], deadline - now)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > 16 * 2**20:
            state["ended"] = "protocol flood"
            break
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                state["ended"] = "protocol garbage"
                done = True
                break
            if not isinstance(message, dict):
                continue
            if "start" in message:
                state["cell"] = message["start"]
                cell_deadline = time.monotonic() + cell_timeout
            elif "end" in message:
                state["cells_run"] = int(message["end"]) + 1
                state["answers"] = message.get("answers") or {}
                state["rejected"] = message.get("rejected") or {}
                state["output_truncated"] = bool(message.get("output_truncated"))
                if message.get("error"):
                    state["errors"].append({"cell": message["end"], "error": str(message["error"])[:400]})
            elif message.get("done"):
                done = True
                break
    os.close(read_fd)
    _kill_others(child)
    try:
        _, status = os.waitpid(child, 0)
    except ChildProcessError:
        status = 0
    if not done and state["ended"] == "completed":
        if os.WIFSIGNALED(status):
            state["ended"] = f"killed by signal {os.WTERMSIG(status)}"
        else:
            state["ended"] = f"exited with code {os.WEXITSTATUS(status)}"
    try:
        with open(os.path.join(WORK, "output.log"), "rb") as handle:
            handle.seek(0, 2)
            if handle.tell() >= int(request.get("output_bytes", 2**20)):
                state["output_truncated"] = True
    except OSError:
        pass
    state["seconds"] = round(time.monotonic() - started, 3)
    _wipe()
    return state


def main() -> None:
    os.makedirs(WORK, exist_ok=True)
    _preload()
    try:  # no ptrace or /proc/<pid>/mem from the students' processes into this one
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    _GRADER_FDS.extend([reply.fileno(), requests.fileno()])
    reply.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in requests:
        request = json.loads(line)
        result = _run(request)
        reply.write(json.dumps({"id": request.get("id"), "result": result}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
