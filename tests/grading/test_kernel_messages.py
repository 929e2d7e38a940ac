"""The kernel trusts nothing its submission's process says: the messages come over a pipe that
student code can write to (or after student code patched ``json``). A malformed or forged
message is refused with a reason; and a run in which no student code ran is the grader's
failure, never cached. And the seccomp filter that keeps a submission from making namespaces,
run by a small BPF interpreter. No sandbox needed: these run anywhere."""

from __future__ import annotations

import json

import pytest

from course.grading import isolation, messages, runner

NAMES = {"a", "b"}


def _state(cells: int = 2) -> dict:
    return {"cells_total": cells, "cells_run": 0, "answers": {}, "rejected": {}, "errors": [],
            "output_truncated": False, "ended": "completed", "cell": None, "open": False, "done": False}


def _end(index, **fields) -> dict:
    return {"end": index, "error": None, "answers": {}, "rejected": {}, "output_truncated": False, **fields}


def _feed(sent: list) -> tuple[dict, str | None]:
    state = _state()
    for message in sent:
        why = messages.accept(message, state, NAMES)
        if why:
            return state, why
    return state, None


def test_the_kernel_s_own_messages_are_accepted():
    state, why = _feed([{"start": 0}, _end(0, answers={"a": 1}, error="NameError: x"), {"start": 1},
                        _end(1, answers={"a": 1, "b": [1, {"c": "d"}]},
                             rejected={"*": {"type": "RecursionError", "review": True}}), {"done": True}])
    assert why is None
    assert state["done"] and state["cells_run"] == 2 and state["answers"] == {"a": 1, "b": [1, {"c": "d"}]}
    assert state["errors"] == [{"cell": 0, "error": "NameError: x"}]


@pytest.mark.parametrize("messages", [
    [["start", 0]],
    [{"start": "0"}],
    [{"start": 1}],
    [{"start": 0}, {"start": 0}],
    [{"start": 2}],
    [{"start": True}],
    [{"start": 0}, _end("abc")],
    [{"start": 0}, _end(1)],
    [_end(0)],
    [{"start": 0}, _end(0, answers=[1, 2])],
    [{"start": 0}, _end(0, answers={"not_a_question": 1})],
    [{"start": 0}, _end(0, error=["x"])],
    [{"start": 0}, _end(0, rejected={"a": "why"})],
    [{"start": 0}, _end(0, rejected={"a": {"type": 3, "review": True}})],
    [{"start": 0}, _end(0, rejected={"zz": {"type": "x", "review": False}})],
    [{"start": 0}, _end(0, output_truncated="yes")],
    [{"start": 0}, {**_end(0), "extra": 1}],
    [{"done": True}],
    [{"start": 0}, _end(0), {"done": True}],
    [{"start": 0}, _end(0), {"start": 1}, {"done": True}],
    [{"done": 1}],
    [{}],
    [None],
], ids=lambda messages: json.dumps(messages)[:60])
def test_a_malformed_or_forged_message_is_refused(messages):
    _, why = _feed(messages)
    assert why


@pytest.mark.parametrize("line", [b"\x00\xff", b'{"start": NaN}', b'{"start": Infinity}', b'{"start": 0', b"1" * 5000,
                                  b"[" * 100_000 + b"]" * 100_000], ids=lambda line: repr(line[:20]))
def test_what_is_not_json_is_refused_by_the_decoder(line):
    with pytest.raises(ValueError):
        messages.decode(line)


@pytest.mark.slow
def test_a_run_where_no_student_code_ran_is_the_grader_s_failure_and_not_cached(tmp_path):
    """A cell deadline of zero ends the run before the first cell starts: no student code ran,
    so the result is for review, and the cache keeps nothing (the next run retries)."""
    limits = runner.Limits(cell_timeout=0.0, notebook_timeout=5)
    job = runner.Job("k" * 32, ["x = 1"], ["x"])
    results = runner.run_all([job], tmp_path, 1, limits, sandboxed=False)
    result = results[job.key]
    assert result["kernel_failed"] and "before the first cell" in result["ended"], result
    assert result["rejected"]["*"]["review"] is True
    assert not list((tmp_path / ".grader" / "runs").glob("*.json"))


# -- the seccomp filter, run by a small classic-BPF interpreter ------------------------------------
X86_64, I386, AARCH64 = 0xC000003E, 0x40000003, 0xC00000B7
EPERM, ENOSYS, ALLOW = 0x00050001, 0x00050026, 0x7FFF0000


def _run_filter(arch: int, nr: int, flags: int = 0) -> int:
    """What the filter returns for a call: seccomp_data is nr (offset 0), arch (4), args (16...)."""
    data = {0: nr & 0xFFFFFFFF, 4: arch, 16: flags & 0xFFFFFFFF}
    program, pc, a = isolation.seccomp_program(), 0, 0
    while True:
        code, jt, jf, k = program[pc]
        if code == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            a = data[k]
        elif code == 0x06:  # BPF_RET | BPF_K
            return k
        else:
            test = {0x15: a == k, 0x35: a >= k, 0x45: bool(a & k)}[code]  # JEQ, JGE, JSET
            pc += jt if test else jf
        pc += 1


@pytest.mark.parametrize(("arch", "nr", "flags", "expected"), [
    (X86_64, 272, 0, EPERM),                  # unshare
    (X86_64, 56, 0x10000000, EPERM),          # clone(CLONE_NEWUSER)
    (X86_64, 56, 0x00020000 | 17, EPERM),     # clone(CLONE_NEWNS | SIGCHLD)
    (X86_64, 56, 0x01200011, ALLOW),          # clone as fork() makes it (no namespace flag)
    (X86_64, 435, 0, ENOSYS),                 # clone3
    (X86_64, 0x40000000 | 272, 0, EPERM),     # the x32 ABI
    (X86_64, 0, 0, ALLOW),                    # read
    (X86_64, 165, 0, ALLOW),                  # mount: no capability refuses it
    (I386, 310, 0, EPERM),
    (I386, 120, 0x10000000, EPERM),
    (I386, 3, 0, ALLOW),
    (AARCH64, 97, 0, EPERM),
    (AARCH64, 220, 0x20000000, EPERM),        # clone(CLONE_NEWPID)
    (AARCH64, 220, 17, ALLOW),
    (AARCH64, 435, 0, ENOSYS),
    (0x12345678, 272, 0, ALLOW),              # an architecture it does not know
])
def test_the_seccomp_filter(arch, nr, flags, expected):
    assert _run_filter(arch, nr, flags) == expected
