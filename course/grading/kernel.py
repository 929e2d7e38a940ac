"""The grading kernel: runs *inside* the sandbox, one per worker (``python -m course.grading.kernel``).

It imports the heavy libraries once (pandas, matplotlib, IPython, the course helpers), says
``ready``, then serves one submission at a time from its stdin: for each, it **forks a fresh
process** that runs the submission's cells in a new IPython shell, and reports to stdout.

Inside bubblewrap each submission gets a world of its own (``_own_world``, ``_seal``): a new
user, PID, mount, IPC and UTS namespace; its own size-limited scratch space and ``/dev/shm``
(fresh tmpfs), ``/dev`` read-only and ``/proc`` hidden; one process only (RLIMIT_NPROC in its
user namespace), no new namespaces (seccomp), no capabilities. Its first process is PID 1 of
its namespace: when the kernel kills it, every process it started dies with it, whatever
session or PID it hopped to. Nothing of one submission can reach the next or this kernel.

Time limits are kept by this parent, not by the child (whose code could catch a signal):
a deadline per cell and per notebook, measured from the child's own "cell started" messages.
Memory, CPU time, file size (output) and open files are capped with rlimits in the child.

Answers leave the child as JSON text only. What cannot be JSON without running student code
(an object with its own ``__eq__``, a str subclass, a pandas Series) is not sent: it is named
and rejected. The child's messages are checked field by field and in order (``_accept``):
student code can forge them, and a forged one ends the run for review, never the kernel. The
grader judges the JSON in its own process. Protocol: one JSON object per line; request
``{"id", "cells", "answers", "cell_timeout", "notebook_timeout", "memory_mb", "output_bytes"}``;
reply ``{"id", "result": {...}}``.
"""

from __future__ import annotations

import errno
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
#: Inside bubblewrap (set by ``sandbox.kernel_environment``): each submission gets its own world.
SANDBOXED = os.environ.get("COURSE_GRADING_SANDBOX") == "1"
SCRATCH_MB = 64  # a submission's scratch space (its working folder and /tmp), a tmpfs
SHM_MB = 16      # its /dev/shm, a tmpfs


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
    data = (json.dumps(message) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# -- the submission's own world (inside bubblewrap only) -----------------------------------
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP = 0x10000000, 0x20000000, 0x40000000, 0x02000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 0x1, 0x2, 0x4, 0x8, 0x20
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECCOMP = 1, 4, 24, 22
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 38, 47
#: (audit arch, unshare, clone, clone3) syscall numbers the seccomp filter knows.
SYSCALLS = {"x86_64": (0xC000003E, 272, 56, 435), "i386": (0x40000003, 310, 120, 435),
            "aarch64": (0xC00000B7, 97, 220, 435)}
NAMESPACE_FLAGS = (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
                   | CLONE_NEWCGROUP)


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    _, libc = _libc()
    def encode(text: str | None) -> bytes | None:
        return None if text is None else text.encode()

    _check(libc.mount(encode(source), target.encode(), encode(kind), flags, encode(data)), f"mount {target}")


def _enter_own_namespaces() -> None:
    """A new user namespace that maps only this uid (so nothing in it is root, and RLIMIT_NPROC
    counts only its processes), owning new mount, PID, IPC and UTS namespaces. The next fork is
    the PID namespace's init: when it dies, every process of the submission dies."""
    ctypes, libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    # The kernel is undumpable (so its /proc files are root's); this process writes its own maps.
    _check(libc.prctl(PR_SET_DUMPABLE, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)),
           "dumpable")
    _check(libc.unshare(CLONE_NEWUSER), "unshare a user namespace")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS), "unshare namespaces")


def _remount_read_only(path: str) -> None:
    flags = os.statvfs(path).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)  # ST_* equal MS_* for these
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)


def seccomp_program() -> list[tuple[int, int, int, int]]:
    """The seccomp filter, as classic BPF (code, jump if true, jump if false, constant):
    ``unshare`` and ``clone`` with a namespace flag fail with EPERM, and ``clone3`` (whose flags
    it cannot read) with ENOSYS, so libc falls back to ``clone``. A new user namespace would give
    the student capabilities over mounts of its own (an unlimited tmpfs). Other architectures'
    numbers are not known here: there the filter lets every call pass."""
    deny, nosys, allow = 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS, 0x7FFF0000
    code: list[tuple[int, int, int, int]] = [(0x20, 0, 0, 4)]  # A = arch
    blocks = []
    for arch, unshare, clone, clone3 in SYSCALLS.values():
        block = [(0x20, 0, 0, 0)]  # A = syscall number
        if arch == SYSCALLS["x86_64"][0]:
            block.append((0x35, "deny", 0, 0x40000000))  # the x32 ABI: refused whole
        block += [(0x15, "deny", 0, unshare), (0x15, "nosys", 0, clone3), (0x15, 0, "allow", clone),
                  (0x20, 0, 0, 16), (0x45, "deny", "allow", NAMESPACE_FLAGS)]  # A = flags
        blocks.append((arch, block))
    # Layout: the arch tests, then each arch's block, then the three returns.
    tests = len(blocks)
    starts, at = [], 1 + tests + 1  # + "ret allow" for an unknown arch
    for _, block in blocks:
        starts.append(at)
        at += len(block)
    targets = {"deny": at, "nosys": at + 1, "allow": at + 2}
    for n, (arch, _) in enumerate(blocks):
        here = 1 + n
        code.append((0x15, starts[n] - here - 1, 0, arch))
    code.append((0x06, 0, 0, allow))
    for start, (_, block) in zip(starts, blocks, strict=True):
        for offset, (op, jt, jf, k) in enumerate(block):
            here = start + offset
            jt = targets[jt] - here - 1 if isinstance(jt, str) else jt
            jf = targets[jf] - here - 1 if isinstance(jf, str) else jf
            code.append((op, jt, jf, k))
    code += [(0x06, 0, 0, deny), (0x06, 0, 0, nosys), (0x06, 0, 0, allow)]
    return code


def _forbid_new_namespaces() -> None:
    """Install ``seccomp_program`` (after no_new_privs, which bubblewrap set already)."""
    ctypes, libc = _libc()
    code = seccomp_program()

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(code))(*[Filter(*item) for item in code])
    program = Program(len(code), filters)
    ulong = ctypes.c_ulong
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)), "no new privileges")
    _check(libc.prctl(PR_SET_SECCOMP, ulong(2), ctypes.byref(program), ulong(0), ulong(0)), "seccomp filter")


def _drop_capabilities() -> None:
    """No capability left, none to regain: bounding and ambient sets emptied, then all three sets."""
    ctypes, libc = _libc()
    ulong = ctypes.c_ulong
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, ulong(cap), ulong(0), ulong(0), ulong(0))  # EINVAL past the last: fine
    libc.prctl(PR_CAP_AMBIENT, ulong(4), ulong(0), ulong(0), ulong(0))  # PR_CAP_AMBIENT_CLEAR_ALL

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _check(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "drop capabilities")


def _own_world() -> None:
    """Called in the submission's first process, inside bubblewrap; returns only in the
    submission's init (PID 1 of its own namespace). The first process stays outside that PID
    namespace, waits for the init and dies the way it died; if the kernel kills it, the init
    gets SIGKILL too (parent-death signal), and with it every process of the submission."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _enter_own_namespaces()
    alive_read, alive_write = os.pipe()
    init = os.fork()
    if init:
        os.close(alive_read)
        for fd in range(3, 256):
            if fd != alive_write:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _, status = os.waitpid(init, 0)
        if os.WIFSIGNALED(status):
            signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
            os.kill(os.getpid(), os.WTERMSIG(status))
        os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)
    ctypes, libc = _libc()
    libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0), ctypes.c_ulong(0),
               ctypes.c_ulong(0))
    os.close(alive_write)
    if select.select([alive_read], [], [], 0)[0]:  # the first process died before the signal was set
        os._exit(71)
    os.close(alive_read)


def _seal(processes: int = 1) -> None:
    """In the submission's init, after its output log is open and before any student code: its
    own size-limited scratch space (``/scratch/work``, ``/tmp`` points into it) and ``/dev/shm``,
    ``/dev`` read-only, ``/proc`` hidden (nothing of any other process is readable), one process
    only (``processes``: a test's knob, never sent by the grader), no new namespaces, no
    capabilities."""
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", WORK, "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_MB}m,mode=0700")
    os.makedirs(os.path.join(WORK, "tmp"))
    os.chdir(WORK)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, f"size={SHM_MB}m,mode=1777")
    _remount_read_only("/dev")
    _mount("tmpfs", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    _forbid_new_namespaces()
    _drop_capabilities()


# -- the child -----------------------------------------------------------------------------
def _child(request: dict, fd: int) -> None:
    limit_mb = int(request.get("memory_mb", 1024))
    out = os.open(os.path.join(WORK, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    if SANDBOXED:
        _seal(max(1, int(request.get("processes", 1))))
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
            except OSError:
                pass
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)


def _decode(line: bytes):
    """One message as JSON data, or raise ValueError (NaN, Infinity, nesting deep enough to
    overflow the parser, numbers too long: all refused)."""
    def constant(name: str):
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(line, parse_constant=constant)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def _accept(message, state: dict, names: set[str]) -> str | None:
    """Take one message from the submission's process into ``state``, or say why it is refused.
    That process runs student code (which can patch ``json`` or write to the pipe itself):
    every field is checked, in order, and nothing in it is trusted."""
    if type(message) is not dict:
        return "a message that is not an object"
    keys = set(message)
    if keys == {"start"}:
        index = message["start"]
        if type(index) is not int or state["open"] or index != state["cells_run"] or index >= state["cells_total"]:
            return "a cell started out of order"
        state["cell"], state["open"] = index, True
        return None
    if keys == {"end", "error", "answers", "rejected", "output_truncated"}:
        index, error = message["end"], message["error"]
        answers, rejected = message["answers"], message["rejected"]
        if type(index) is not int or not state["open"] or index != state["cell"]:
            return "a cell ended out of order"
        if error is not None and type(error) is not str:
            return "an error that is not text"
        if type(answers) is not dict or not set(answers) <= names:
            return "answers to questions the exercise does not have"
        if type(rejected) is not dict or not set(rejected) <= names | {"*"}:
            return "rejected answers to questions the exercise does not have"
        for why in rejected.values():
            if type(why) is not dict or set(why) != {"type", "review"} or type(why["type"]) is not str \
                    or type(why["review"]) is not bool:
                return "a malformed reason for a rejected answer"
        if type(message["output_truncated"]) is not bool:
            return "a malformed output flag"
        state["open"] = False
        state["cells_run"] = index + 1
        state["answers"], state["rejected"] = answers, {k: {**v, "type": v["type"][:300]} for k, v in rejected.items()}
        state["output_truncated"] = message["output_truncated"]
        if error:
            state["errors"].append({"cell": index, "error": error[:400]})
        return None
    if keys == {"done"} and message["done"] is True:
        if state["open"] or state["cells_run"] != state["cells_total"]:
            return "'done' before every cell ran"
        state["done"] = True
        return None
    return "a message of unknown form"


def _forged(state: dict, why: str) -> None:
    """The run ends for review: the submission's process said something it never says."""
    state["ended"] = f"the submission's process sent a malformed or forged message ({why})"
    state["rejected"] = {**state["rejected"], "*": {"type": "a malformed or forged message to the grader",
                                                    "review": True}}


def _run(request: dict) -> dict:
    _wipe()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_fd)
            null = os.open(os.devnull, os.O_RDWR)  # on 0 and 1 (the grader's pipes), so they are never free
            os.dup2(null, 0)
            os.dup2(null, 1)
            for fd in (null, *_GRADER_FDS):  # the grader's pipes: never the child's
                try:
                    os.close(fd)
                except OSError:
                    pass
            os.setsid()
            if SANDBOXED:
                _own_world()
            _child(request, write_fd)
        except BaseException as failure:  # noqa: BLE001 - reported on the output log, then exit 70
            try:
                os.write(2, f"grading kernel child: {type(failure).__name__}: {failure}\n".encode())
            finally:
                os._exit(70)
        finally:
            os._exit(70)
    os.close(write_fd)
    cell_timeout = float(request.get("cell_timeout", 30))
    notebook_deadline = started + float(request.get("notebook_timeout", 120))
    names = set(request["answers"])
    from course.questions.plain import MAX_CHARS

    longest = 4 * MAX_CHARS * (len(names) + 1) + 65_536  # UTF-8 of every answer at its longest, and more
    state = {"cells_total": len(request["cells"]), "cells_run": 0, "answers": {}, "rejected": {},
             "errors": [], "output_truncated": False, "ended": "completed", "cell": None,
             "open": False, "done": False}
    buffer = bytearray()
    cell_deadline = started + cell_timeout
    stop = eof = False
    while not stop:
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
            eof = True
            break
        buffer += chunk
        if b"\n" not in chunk:  # (a flood is not searched again and again)
            if len(buffer) > longest:
                _forged(state, f"more than {longest} bytes without a line end")
                break
            continue
        *lines, rest = bytes(buffer).split(b"\n")
        buffer = bytearray(rest)
        for line in lines:
            if len(line) > longest:
                why = f"a message of {len(line)} bytes, longer than all the answers can be"
            else:
                try:
                    why = _accept(_decode(line), state, names)
                except ValueError as error:
                    why = f"not JSON: {str(error)[:100]}"
            if why:
                _forged(state, why)
                stop = True
                break
            if state["open"]:
                cell_deadline = time.monotonic() + cell_timeout
            if state["done"]:
                stop = True
                break
    os.close(read_fd)
    status = None
    if eof:  # the pipe closed: give an exiting child a moment to say how it ended
        grace = time.monotonic() + 0.5
        while status is None and time.monotonic() < grace:
            pid, code = os.waitpid(child, os.WNOHANG)
            status = code if pid else None
            if status is None:
                time.sleep(0.002)
    try:  # SIGKILL: inside bubblewrap its init dies with it, and the whole PID namespace
        os.killpg(child, signal.SIGKILL)
    except OSError:
        pass
    if status is None:
        try:
            _, status = os.waitpid(child, 0)
        except ChildProcessError:
            status = 0
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
    except OSError:
        pass
    state["seconds"] = round(time.monotonic() - started, 3)
    del state["open"], state["done"]
    _wipe()
    return state


def main() -> None:
    os.makedirs(WORK, exist_ok=True)
    _preload()
    try:  # no ptrace or /proc/<pid>/mem from the students' processes into this one
        import ctypes

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
    child = os.fork()
    if child == 0:
        try:
            os.setsid()
            _own_world()
            os.open(os.path.join(WORK, "probe"), os.O_WRONLY | os.O_CREAT, 0o600)
            _seal()
            os._exit(0)
        except BaseException as failure:  # noqa: BLE001 - the reason goes to the grader
            print(f"{type(failure).__name__}: {failure}", file=sys.stderr, flush=True)
            os._exit(1)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"a submission's own namespaces cannot be built here (status {status})")
    print("isolated", flush=True)


if __name__ == "__main__":
    main()
