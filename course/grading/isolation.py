"""A submission's own world inside bubblewrap: namespaces, mounts, seccomp, capabilities.

The grading kernel (``course.grading.kernel``) forks one process per submission. Inside
bubblewrap that process calls ``own_world`` and then, once its output log is open, ``seal``:
a new user, PID, mount, IPC and UTS namespace; its own size-limited scratch space and
``/dev/shm`` (fresh tmpfs), ``/dev`` read-only and ``/proc`` hidden; one process only
(RLIMIT_NPROC in its user namespace), no new namespaces (seccomp), no capabilities. Its first
process is PID 1 of its namespace: when the kernel kills it, every process it started dies
with it, whatever session or PID it hopped to.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import select
import signal

#: The worker's scratch folder, the only writable place (set by ``sandbox.kernel_environment``).
WORK = os.environ.get("COURSE_GRADING_WORK", "/scratch/work")
#: Inside bubblewrap (set by ``sandbox.kernel_environment``): each submission gets its own world.
SANDBOXED = os.environ.get("COURSE_GRADING_SANDBOX") == "1"
SCRATCH_MB = 64  # a submission's scratch space (its working folder and /tmp), a tmpfs
SHM_MB = 16      # its /dev/shm, a tmpfs

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

#: One BPF instruction (code, jump if true, jump if false, constant), before its jumps are
#: resolved: a jump may name one of the three returns ("deny", "nosys", "allow").
_Step = tuple[int, int | str, int | str, int]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    def encode(text: str | None) -> bytes | None:
        return None if text is None else text.encode()

    _check(_libc().mount(encode(source), target.encode(), encode(kind), flags, encode(data)), f"mount {target}")


def _enter_own_namespaces() -> None:
    """A new user namespace that maps only this uid (so nothing in it is root, and RLIMIT_NPROC
    counts only its processes), owning new mount, PID, IPC and UTS namespaces. The next fork is
    the PID namespace's init: when it dies, every process of the submission dies."""
    libc = _libc()
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
    blocks: list[tuple[int, list[_Step]]] = []
    for arch, unshare, clone, clone3 in SYSCALLS.values():
        block: list[_Step] = [(0x20, 0, 0, 0)]  # A = syscall number
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
            code.append((op, _jump(jt, targets, here), _jump(jf, targets, here), k))
    code += [(0x06, 0, 0, deny), (0x06, 0, 0, nosys), (0x06, 0, 0, allow)]
    return code


def _jump(to: int | str, targets: dict[str, int], here: int) -> int:
    """A jump offset: as given, or to the named return (offsets count from the next step)."""
    return targets[to] - here - 1 if isinstance(to, str) else to


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _forbid_new_namespaces() -> None:
    """Install ``seccomp_program`` (after no_new_privs, which bubblewrap set already)."""
    libc = _libc()
    code = seccomp_program()
    filters = (_Filter * len(code))(*[_Filter(*item) for item in code])
    program = _Program(len(code), filters)
    ulong = ctypes.c_ulong
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)), "no new privileges")
    _check(libc.prctl(PR_SET_SECCOMP, ulong(2), ctypes.byref(program), ulong(0), ulong(0)), "seccomp filter")


def _drop_capabilities() -> None:
    """No capability left, none to regain: bounding and ambient sets emptied, then all three sets."""
    libc = _libc()
    ulong = ctypes.c_ulong
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, ulong(cap), ulong(0), ulong(0), ulong(0))  # EINVAL past the last: fine
    libc.prctl(PR_CAP_AMBIENT, ulong(4), ulong(0), ulong(0), ulong(0))  # PR_CAP_AMBIENT_CLEAR_ALL
    _check(libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "drop capabilities")


def own_world() -> None:
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
                except OSError:  # not open: nothing to close
                    pass
        _, status = os.waitpid(init, 0)
        if os.WIFSIGNALED(status):
            signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
            os.kill(os.getpid(), os.WTERMSIG(status))
        os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)
    ulong = ctypes.c_ulong
    _libc().prctl(PR_SET_PDEATHSIG, ulong(signal.SIGKILL), ulong(0), ulong(0), ulong(0))
    os.close(alive_write)
    if select.select([alive_read], [], [], 0)[0]:  # the first process died before the signal was set
        os._exit(71)
    os.close(alive_read)


def seal(processes: int = 1) -> None:
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
