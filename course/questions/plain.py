"""An answer as plain data: the one conversion that the self-check and the grader share.

The grader runs a submission in a sandboxed kernel and takes its answers out as JSON text;
the self-check ``check("ID", ID)`` runs in the learner's own kernel. Both judge the same
thing, ``decode(json.loads(dumps(value)))``, so they cannot disagree: whatever the
self-check accepts the grader accepts with the same points, and whatever cannot leave a kernel
as data is refused in both places with the same message.

JSON alone would lose what the question kinds read: integer keys (``{1: "wsj"}`` becomes
``{"1": "wsj"}``), sets, tuples, NaN. So those travel tagged, as a one-key object whose key
is a tag: ``{"__dict__": [[1, "wsj"]]}``, ``{"__set__": [...]}``, ``{"__frozenset__": [...]}``,
``{"__tuple__": [...]}``, ``{"__float__": "nan"}`` and ``{"__placeholder__": "..."}`` (the
exercise's ``...``). numpy scalars and arrays of numbers or text become the Python numbers,
strings and lists they hold.

Types are compared exactly, never with ``isinstance``: a subclass of ``str``, ``int`` or ``dict``
(or any object) may override ``__eq__`` or ``__str__`` to lie, and converting it would run the
student's code. Such a value is refused (``NotPlain``), and nothing it defines is called.
Pure Python: numpy is used only when the learner's kernel has imported it already.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

#: Nesting deeper than this is refused (no answer needs it; a self-containing list would loop).
MAX_DEPTH = 20
#: An answer longer than this as JSON text is refused (no answer needs it).
MAX_CHARS = 64_000
#: A numpy array with more values than this is refused before it is converted.
MAX_ARRAY = 10_000
#: The encoding of ``...``, the exercise's "not answered yet".
PLACEHOLDER: dict[str, str] = {"__placeholder__": "..."}
_SCALARS = (str, int, float, bool, type(None))
_TAGS = ("__dict__", "__set__", "__frozenset__", "__tuple__", "__float__", "__placeholder__")


class NotPlain(TypeError):
    """A value that cannot leave a kernel as data; the text names what it is."""


def message(what: str) -> str:
    """What the learner reads, in the self-check and in the gradebook, for a value that is not data."""
    return (
        f"not plain data ({what}): give a number, text, list, set or dict "
        "(for a pandas or numpy result, e.g. float(x) or x.tolist())."
    )


def type_name(value: object) -> str:
    """The qualified name of ``value``'s type, read without calling anything it defines."""
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    return f"{module}.{kind.__qualname__}" if module not in ("builtins", "") else kind.__qualname__


def numpy_scalar(value: object) -> tuple[bool, Any]:
    """(True, the Python value) for a value of an exact numpy scalar type (int64, float32,
    bool, str_ ...); (False, None) otherwise. Complex numbers and dates are not answers."""
    numpy = sys.modules.get("numpy")
    if numpy is None or type(value) not in set(numpy.sctypeDict.values()):
        return False, None
    for base, convert in ((numpy.bool_, bool), (numpy.integer, int), (numpy.floating, float), (numpy.str_, str)):
        if isinstance(value, base):
            return True, convert(value)
    return False, None


def _array(value: Any, depth: int) -> tuple[bool, Any]:
    """(True, encoded) for an exact numpy array of booleans, numbers or text: its values as
    a list (a 0-d array: its one value); (False, None) for anything else."""
    numpy = sys.modules.get("numpy")
    if numpy is None or type(value) is not numpy.ndarray:
        return False, None
    if value.dtype.kind not in "biufU":
        raise NotPlain(f"a numpy array of {value.dtype}")
    if value.size > MAX_ARRAY:
        raise NotPlain(f"a numpy array of {value.size} values")
    return True, encode(value.tolist(), depth + 1)


def _key(key: object) -> object:
    """A dict key as plain data: a str, number, bool, None or tuple of those."""
    if type(key) in _SCALARS:
        return key
    ok, converted = numpy_scalar(key)
    if ok:
        return converted
    if type(key) is tuple:
        return tuple(_key(part) for part in key)
    raise NotPlain(f"a dict key of type {type_name(key)}")


def _sorted(items: list[Any]) -> list[Any]:
    """Encoded members of a set in a stable order (a set's own order changes between runs)."""
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-safe data (see the module docstring), or ``NotPlain`` naming what is not."""
    if depth > MAX_DEPTH:
        raise NotPlain(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if kind is float and not math.isfinite(value):
        return {"__float__": repr(value)}
    if kind in _SCALARS:
        return value
    if value is Ellipsis:
        return dict(PLACEHOLDER)
    ok, converted = numpy_scalar(value)
    if ok:
        return encode(converted, depth + 1)
    ok, converted = _array(value, depth)
    return converted if ok else _container(value, depth)


def _container(value: Any, depth: int) -> Any:
    """A list as a list; a tuple, set or frozenset tagged; a dict as an object when its keys
    are text, else tagged as a list of pairs."""
    kind = type(value)
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind in (tuple, set, frozenset):
        items = [encode(item, depth + 1) for item in value]
        return {"__tuple__": items} if kind is tuple else {f"__{kind.__name__}__": _sorted(items)}
    if kind is dict:
        pairs = [(_key(key), encode(item, depth + 1)) for key, item in dict.items(value)]
        if all(type(key) is str for key, _ in pairs) and not (len(pairs) == 1 and pairs[0][0] in _TAGS):
            return dict(pairs)
        return {"__dict__": [[encode(key, depth + 1), item] for key, item in pairs]}
    raise NotPlain(type_name(value))


def decode(data: Any) -> Any:
    """The value that ``encode`` was given (numpy values come back as Python ones). Data that
    no ``encode`` wrote — a tag with the wrong contents — is a ``ValueError``."""
    if type(data) is list:
        return [decode(item) for item in data]
    if type(data) is not dict:
        return data
    if len(data) != 1 or next(iter(data)) not in _TAGS:
        return {key: decode(item) for key, item in data.items()}
    (tag, inner), = data.items()
    try:
        return _untag(tag, inner)
    except (TypeError, ValueError) as problem:
        raise ValueError(f"malformed {tag} in an answer: {problem}") from None


def _untag(tag: str, inner: Any) -> Any:
    if tag == "__placeholder__":
        return ...
    if tag == "__float__":
        number = float(inner)
        if math.isfinite(number):
            raise ValueError(f"{inner!r} is an ordinary number")
        return number
    if type(inner) is not list:
        raise ValueError("not a list")
    items = [decode(item) for item in inner]
    if tag == "__dict__":
        return {_hashable(key): item for key, item in items}
    if tag == "__tuple__":
        return tuple(items)
    return (set if tag == "__set__" else frozenset)(_hashable(item) for item in items)


def _hashable(value: Any) -> Any:
    hash(value)
    return value


def dumps(value: object) -> str:
    """``value`` as the JSON text a kernel sends; ``NotPlain`` when it is not data or too long."""
    try:
        text = json.dumps(encode(value), ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise NotPlain(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as problem:  # an int of thousands of digits
        raise NotPlain(f"a value JSON cannot hold: {problem}") from None
    if len(text) > MAX_CHARS:
        raise NotPlain(f"an answer of {len(text)} characters")
    return text


def round_trip(value: object) -> Any:
    """What the grader will judge for ``value``: encoded, sent as JSON text, decoded."""
    return decode(json.loads(dumps(value)))
