"""The messages from a submission's process to the grading kernel, read and checked.

The submission's process (``course.grading.child``) runs student code, which can patch
``json`` or write to the pipe itself. So its messages are checked field by field and in order
(``accept``): a forged one ends the run for review, never the kernel. One JSON object per line:
``{"start": i}``, then ``{"end": i, "error", "answers", "rejected", "output_truncated"}`` for
each cell, then ``{"done": true}``. The time limits are kept here, by the reader: a deadline per
cell (from the process's own "cell started") and per notebook.
"""

from __future__ import annotations

import json
import os
import select
import time
from typing import Any


def new_state(cells: int) -> dict[str, Any]:
    """What is known of a run before its first message."""
    return {"cells_total": cells, "cells_run": 0, "answers": {}, "rejected": {}, "errors": [],
            "output_truncated": False, "ended": "completed", "cell": None, "open": False, "done": False}


def read(read_fd: int, state: dict, names: set[str], started: float, cell_timeout: float,
         notebook_timeout: float) -> bool:
    """Read the process's messages into ``state`` until it is done, a deadline passes, a
    message is refused or the pipe closes (``started``: when the process was forked). True when
    the pipe closed (the process is exiting)."""
    from course.questions.plain import MAX_CHARS

    longest = 4 * MAX_CHARS * (len(names) + 1) + 65_536  # UTF-8 of every answer at its longest, and more
    buffer = bytearray()
    cell_deadline, notebook_deadline = started + cell_timeout, started + notebook_timeout
    while True:
        now = time.monotonic()
        deadline = min(cell_deadline, notebook_deadline)
        if now >= deadline:
            state["ended"] = "notebook timeout" if notebook_deadline <= cell_deadline else "cell timeout"
            return False
        ready, _, _ = select.select([read_fd], [], [], deadline - now)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            return True
        buffer += chunk
        if b"\n" not in chunk:  # (a flood is not searched again and again)
            if len(buffer) > longest:
                forged(state, f"more than {longest} bytes without a line end")
                return False
            continue
        *lines, rest = bytes(buffer).split(b"\n")
        buffer = bytearray(rest)
        go_on, opened = _take(lines, state, names, longest)
        if opened:
            cell_deadline = time.monotonic() + cell_timeout
        if not go_on:
            return False


def _take(lines: list[bytes], state: dict, names: set[str], longest: int) -> tuple[bool, bool]:
    """Take whole lines into ``state``: (go on, a line left a cell open). The run is over once
    it is done or a message is refused. A cell's deadline restarts with each line taken while
    a cell is open."""
    opened = False
    for line in lines:
        why: str | None
        if len(line) > longest:
            why = f"a message of {len(line)} bytes, longer than all the answers can be"
        else:
            try:
                why = accept(decode(line), state, names)
            except ValueError as error:
                why = f"not JSON: {str(error)[:100]}"
        if why:
            forged(state, why)
            return False, opened
        opened = opened or state["open"]
        if state["done"]:
            return False, opened
    return True, opened


def decode(line: bytes) -> Any:
    """One message as JSON data, or raise ValueError (NaN, Infinity, nesting deep enough to
    overflow the parser, numbers too long: all refused)."""
    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(line, parse_constant=constant)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def accept(message: Any, state: dict, names: set[str]) -> str | None:
    """Take one message from the submission's process into ``state``, or say why it is refused.
    That process runs student code (which can patch ``json`` or write to the pipe itself):
    every field is checked, in order, and nothing in it is trusted."""
    if type(message) is not dict:
        return "a message that is not an object"
    keys = set(message)
    if keys == {"start"}:
        return _start(message, state)
    if keys == {"end", "error", "answers", "rejected", "output_truncated"}:
        return _end(message, state, names)
    if keys == {"done"} and message["done"] is True:
        if state["open"] or state["cells_run"] != state["cells_total"]:
            return "'done' before every cell ran"
        state["done"] = True
        return None
    return "a message of unknown form"


def _start(message: dict, state: dict) -> str | None:
    index = message["start"]
    if type(index) is not int or state["open"] or index != state["cells_run"] or index >= state["cells_total"]:
        return "a cell started out of order"
    state["cell"], state["open"] = index, True
    return None


def _end(message: dict, state: dict, names: set[str]) -> str | None:
    index = message["end"]
    if type(index) is not int or not state["open"] or index != state["cell"]:
        return "a cell ended out of order"
    why = _malformed_end(message, names)
    if why:
        return why
    error, rejected = message["error"], message["rejected"]
    state["open"] = False
    state["cells_run"] = index + 1
    state["answers"], state["rejected"] = message["answers"], {k: {**v, "type": v["type"][:300]}
                                                               for k, v in rejected.items()}
    state["output_truncated"] = message["output_truncated"]
    if error:
        state["errors"].append({"cell": index, "error": error[:400]})
    return None


def _malformed_end(message: dict, names: set[str]) -> str | None:
    """Why the fields of an "end" message are refused, or None."""
    error, answers, rejected = message["error"], message["answers"], message["rejected"]
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
    return None


def forged(state: dict, why: str) -> None:
    """The run ends for review: the submission's process said something it never says."""
    state["ended"] = f"the submission's process sent a malformed or forged message ({why})"
    state["rejected"] = {**state["rejected"], "*": {"type": "a malformed or forged message to the grader",
                                                    "review": True}}
