"""Learner copies of questions: packed out of sight, explanations sealed by the right answer.

A learner's notebook holds each question as one ``pack``-ed string (JSON, compressed, base64):
prompt, options, salted hashes of the answer — never the answer. Inside it:

* the explanation and the evidence ids are ``seal``-ed with a key derived from the right answer
  (``lock_key``), so that answering right is what opens them;
* in a lesson, the reveal ("Show answer" after a few tries) is sealed with a key derived from
  the question's salt (``reveal_key``). That key is in the file: this is obfuscation, not
  secrecy, and it is documented as such. The course is open; the plain source is in
  ``questions/``. Graded exercises carry no reveal at all.

The cipher is SHA-256 in counter mode (a keystream XORed with the text), from the standard
library: enough to keep a text from being read at a glance or found by ``grep``, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from typing import Any

_MAGIC = b"course-sealed\x1f"


class WrongKey(ValueError):
    """A sealed text did not open with the key given (not the right answer)."""


def pack(data: dict[str, Any]) -> str:
    """JSON → zlib → base64: one line, stable for the same data (keys sorted)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack(blob: str) -> dict[str, Any]:
    """The data of a ``pack``-ed string; a clear ``ValueError`` for a damaged one."""
    try:
        data = json.loads(zlib.decompress(base64.b64decode(blob.encode("ascii"), validate=True)))
    except (ValueError, zlib.error, UnicodeError) as error:
        raise ValueError(
            "This question's data is damaged (the long string in the cell was changed). "
            "Restore the cell from the course, e.g. by downloading the notebook again."
        ) from error
    if not isinstance(data, dict):
        raise ValueError("This question's data is not a question.")
    return data


def _keystream(key: str, length: int) -> bytes:
    seed = hashlib.sha256(key.encode("utf-8")).digest()
    blocks = (hashlib.sha256(seed + n.to_bytes(8, "big")).digest() for n in range((length + 31) // 32))
    return b"".join(blocks)[:length]


def seal(payload: Any, key: str) -> str:
    """``payload`` (JSON-friendly) encrypted with ``key``, as base64."""
    plain = _MAGIC + zlib.compress(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8"), 9)
    return base64.b64encode(bytes(a ^ b for a, b in zip(plain, _keystream(key, len(plain)), strict=False))).decode(
        "ascii"
    )


def open_seal(cipher: str, key: str) -> Any:
    """The payload of ``seal(payload, key)``; ``WrongKey`` if ``key`` is not the one."""
    data = base64.b64decode(cipher.encode("ascii"))
    plain = bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)), strict=False))
    if not plain.startswith(_MAGIC):
        raise WrongKey("This key does not open the sealed text.")
    return json.loads(zlib.decompress(plain[len(_MAGIC) :]))


def lock_key(salt: str, canonical: str) -> str:
    """The key that the right answer, in its canonical form, opens."""
    return f"{salt}\x1fopen\x1f{canonical}"


def reveal_key(salt: str) -> str:
    """The key of a lesson's reveal: derived from the salt, which the file holds (not secret)."""
    return f"{salt}\x1freveal"
