"""The only language the grader and a learner's process share: plain data as tagged JSON.

The grader never unpickles or executes anything the learner's process sends; it decodes a
strict JSON shape into builtin values (and numpy arrays of plain numbers), so a forged reply
can at most claim an answer the learner could have written anyway. Decoding is bounded: in
items, depth, digits of an integer, and in hashing, since a set or dict whose keys all hash
alike (integers k * (2**61 - 1), say) costs quadratic time to build and is refused.
Standard library only: the runner imports this before any learner code runs.
"""

from __future__ import annotations

import json
import math

MAX_DEPTH = 32
MAX_ITEMS = 200_000
MAX_SAME_HASH = 32  # keys of one set or dict that may share a hash
_NUMPY_KINDS = "biuf"  # bool, int, unsigned, float


class WireError(ValueError):
    """A value that is not plain data, or a message that breaks the protocol."""


class Budget:
    def __init__(self, items: int = MAX_ITEMS):
        self.left = items

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise WireError(f"value has more than {MAX_ITEMS} items")


def encode(value, register=None, depth: int = 0, budget: Budget | None = None):
    """Plain data -> JSON-able tags. `register(callable) -> ref` lets callables cross as refs."""
    budget = budget or Budget()
    budget.spend()
    if depth > MAX_DEPTH:
        raise WireError(f"value is nested more than {MAX_DEPTH} levels deep")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**53 else {"$": "int", "v": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if t in (list, tuple, set, frozenset):
        items = sorted(value, key=repr) if t in (set, frozenset) else value
        enc = [encode(v, register, depth + 1, budget) for v in items]
        return enc if t is list else {"$": t.__name__, "v": enc}
    if t is dict:
        pairs = [
            [encode(k, register, depth + 1, budget), encode(v, register, depth + 1, budget)]
            for k, v in value.items()
        ]
        return {"$": "dict", "v": pairs}
    numpy_value = _encode_numpy(value)
    if numpy_value is not None:
        return numpy_value
    if callable(value) and register is not None:
        return {"$": "fn", "ref": register(value), "name": str(getattr(value, "__name__", "?"))}
    raise WireError(f"a {t.__name__} is not plain data")


def _encode_numpy(value):
    t = type(value)
    if t.__module__ != "numpy" or not hasattr(value, "dtype"):
        return None
    if value.dtype.kind not in _NUMPY_KINDS:
        raise WireError(f"a numpy {value.dtype} value is not plain data")
    if value.ndim == 0 and t.__name__ != "ndarray":
        return {"$": "np", "dtype": value.dtype.str, "v": encode(value.item())}
    if value.size > MAX_ITEMS:
        raise WireError(f"array has more than {MAX_ITEMS} items")
    return {"$": "ndarray", "dtype": value.dtype.str, "v": value.tolist()}


def decode(obj, make_function=None, depth: int = 0, budget: Budget | None = None):
    """Tags -> builtin values; anything unexpected is a WireError. The inverse of encode."""
    budget = budget or Budget()
    budget.spend()
    if depth > MAX_DEPTH + 2:
        raise WireError("value nested too deeply")
    t = type(obj)
    if obj is None or t in (bool, str, int):
        return obj
    if t is float:
        return obj
    if t is list:
        return [decode(v, make_function, depth + 1, budget) for v in obj]
    if t is not dict or not isinstance(obj.get("$"), str):
        raise WireError(f"unexpected {t.__name__} in a value")
    tag, v = obj["$"], obj.get("v")
    if tag == "int" and isinstance(v, str) and len(v) < 5000:
        return int(v)
    if tag == "float" and v in ("inf", "-inf", "nan"):
        return float(v)
    if tag in ("tuple", "set", "frozenset") and isinstance(v, list):
        items = [decode(x, make_function, depth + 1, budget) for x in v]
        if tag != "tuple":
            _check_hashes(items)
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict" and isinstance(v, list):
        pairs = []
        for pair in v:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise WireError("malformed dict item")
            key = decode(pair[0], make_function, depth + 1, budget)
            pairs.append((key, decode(pair[1], make_function, depth + 1, budget)))
        _check_hashes([key for key, _ in pairs])
        return dict(pairs)
    if tag in ("np", "ndarray"):
        return _decode_numpy(tag, obj.get("dtype"), v, budget)
    if tag == "fn" and make_function is not None and isinstance(obj.get("ref"), int):
        return make_function(obj["ref"], str(obj.get("name", "?"))[:80])
    raise WireError(f"unexpected tag {tag!r}")


def _check_hashes(keys: list) -> None:
    """Refuse keys that would make a set or dict slow to build: many sharing one hash. The
    hashes are sorted, not counted in a dict, which would itself be open to collisions."""
    try:
        hashes = sorted(hash(k) for k in keys)
    except TypeError as err:
        raise WireError(f"unhashable key ({err})") from None
    run = 1
    for before, after in zip(hashes, hashes[1:]):
        run = run + 1 if before == after else 1
        if run > MAX_SAME_HASH:
            raise WireError(f"more than {MAX_SAME_HASH} keys of one set or dict hash alike")


def _decode_numpy(tag, dtype, v, budget):
    import numpy as np

    if not isinstance(dtype, str) or len(dtype) > 8:
        raise WireError("malformed numpy dtype")
    kind = np.dtype(dtype)
    if kind.kind not in _NUMPY_KINDS:
        raise WireError(f"numpy dtype {dtype!r} is not plain data")
    if tag == "np":
        if type(v) not in (bool, int, float) and not isinstance(v, dict):
            raise WireError("malformed numpy scalar")
        return kind.type(decode(v, budget=budget))
    _check_nested_numbers(v, budget, 0)
    return np.array(v, dtype=kind)


def _check_nested_numbers(v, budget, depth):
    budget.spend()
    if depth > MAX_DEPTH:
        raise WireError("array nested too deeply")
    if isinstance(v, list):
        for x in v:
            _check_nested_numbers(x, budget, depth + 1)
    elif type(v) not in (bool, int, float):
        raise WireError("array holds something other than numbers")


def dumps(message: dict) -> bytes:
    """One message as one line of JSON."""
    return json.dumps(message, allow_nan=True, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as err:
        raise WireError(f"unreadable message ({err.__class__.__name__})") from None
    if not isinstance(message, dict):
        raise WireError("message is not an object")
    return message
