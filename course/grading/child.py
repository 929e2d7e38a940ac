"""The submission's process: runs its cells in a fresh IPython shell and reports each cell.

The grading kernel (``course.grading.kernel``) forks this process once per submission. It caps
its own memory, CPU time, output and open files, and (inside bubblewrap) seals itself into a
world of its own (``course.grading.isolation``) before any student code runs. Its time limits
are kept by the kernel, not here (student code could catch a signal).

Answers leave as JSON text only (``snapshot``). What cannot be JSON without running student
code (an object with its own ``__eq__``, a str subclass, a pandas Series) is not sent: it is
named and rejected. The messages it writes are checked by ``course.grading.messages``.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from typing import Any

from course.grading.isolation import SANDBOXED, WORK, seal
from course.questions import plain


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
    answers, rejected = {}, {}
    for name in names:
        if name not in namespace:
            continue
        value = namespace[name]
        try:
            answers[name] = json.loads(plain.dumps(value))
        except TypeError as problem:  # plain.NotPlain: dumps turns every other failure into one
            rejected[name] = {"type": str(problem), "review": _suspicious_type(value)}
    return answers, rejected

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
    """One message, one line of JSON, written whole."""
    data = (json.dumps(message) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]



def run(request: dict, fd: int) -> None:
    """The submission's process, from its fork to its exit: limits, shell, every cell."""
    _limit(request)
    shell = _shell()
    shared: list[Any] = [0, False]
    sys.stdout = CappedWriter(int(request.get("output_bytes", 2**20)), shared)
    sys.stderr = sys.stdout
    names = list(request["answers"])
    for index, source in enumerate(request["cells"]):
        _send(fd, {"start": index})
        error = _run_cell(shell, source)
        try:
            answers, rejected = snapshot(shell.user_ns, names)
        except BaseException as failure:  # the namespace itself was made hostile
            answers, rejected = {}, {"*": {"type": f"{type(failure).__name__}", "review": True}}
        _send(fd, {"end": index, "error": error, "answers": answers, "rejected": rejected,
                   "output_truncated": shared[1]})
    _send(fd, {"done": True})
    os._exit(0)


def _limit(request: dict) -> None:
    """Output to the log, nothing in; sealed (inside bubblewrap); memory, output, CPU time,
    core files and open files capped."""
    limit_mb = int(request.get("memory_mb", 1024))
    out = os.open(os.path.join(WORK, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    if SANDBOXED:
        seal(max(1, int(request.get("processes", 1))))
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full output file fails a write, no more
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(request.get("output_bytes", 2**20)),) * 2)
    cpu = int(request.get("notebook_timeout", 60)) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    os.chdir(WORK)


def _shell() -> Any:
    """A fresh IPython shell without history or colours. The self-check is not the grader's
    business: a stand-in keeps a student's own call to ``check`` from failing."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    shell.user_ns["check"] = lambda *args, **kwargs: None
    return shell


def _run_cell(shell: Any, source: str) -> str | None:
    """Run one cell; its error as short text, or None."""
    try:
        result = shell.run_cell(source, store_history=False, silent=False)
        failure = result.error_before_exec or result.error_in_exec
        if failure is not None:
            return f"{type(failure).__name__}: {str(failure)[:300]}"
    except BaseException as failure:  # SystemExit raised past IPython, KeyboardInterrupt
        return f"{type(failure).__name__}: {str(failure)[:300]}"
    return None
