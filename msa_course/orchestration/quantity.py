"""Kubernetes resource quantities ("100m", "0.5", "256Mi", "1G", "1e3"), parsed exactly.

The grammar is apimachinery's `resource.Quantity` (k8s.io/apimachinery/pkg/api/resource/
quantity.go): a signed decimal number, then one suffix: binary SI (Ki Mi Gi Ti Pi Ei), decimal
SI (m "" k M G T P E) or a decimal exponent (e3, E-2). Arithmetic uses `Fraction`, never a
float, so "0.1" CPU is exactly 100 millicores. Conversions round *up*, as `Quantity.Value()`
and `Quantity.MilliValue()` do: "0.0001" CPU is 1 millicore, "0.5" bytes is 1 byte.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"m": Fraction(1, 1000), "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_DECIMAL |= {"P": 10**15, "E": 10**18}
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$")
_EXPONENT = re.compile(r"^[eE]([+-]?\d+)$")

HINT = 'write a number with an optional suffix, e.g. "250m", "0.5", "2", "128Mi", "1G", "1e3"'


def parse_quantity(value: str | int | float) -> Fraction:
    """The exact value of a Kubernetes quantity (cores for CPU, bytes for memory).

    Raises ValueError naming the text and the accepted forms for anything Kubernetes rejects,
    such as "2 cores", "1.5.0", "10mi" (suffixes are case-sensitive) or "".
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a valid quantity: {HINT}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a valid quantity: {HINT}")
        return Fraction(str(value))
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a valid quantity: {HINT}")
    match = _NUMBER.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a valid quantity: {HINT}")
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    exponent = _EXPONENT.match(suffix)
    if exponent is not None:
        return number * Fraction(10) ** int(exponent.group(1))
    raise ValueError(f"{value!r} is not a valid quantity: {HINT}")


def to_milli(value: str | int | float) -> int:
    """A CPU quantity in millicores, rounded up like `Quantity.MilliValue()`: "250m" -> 250."""
    return math.ceil(parse_quantity(value) * 1000)


def to_int(value: str | int | float) -> int:
    """A quantity as a whole number (bytes, pods, GPUs), rounded up like `Quantity.Value()`."""
    return math.ceil(parse_quantity(value))


def resource_amount(name: str, value: str | int | float) -> int:
    """One resource's amount in the simulator's unit: millicores for "cpu", else a count/bytes."""
    return to_milli(value) if name == "cpu" else to_int(value)


def format_cpu(milli: int) -> str:
    """Millicores as kubectl prints them: 1500 -> "1500m", 2000 -> "2"."""
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def format_bytes(count: int) -> str:
    """Bytes in the largest binary unit that divides them exactly: 268435456 -> "256Mi"."""
    for suffix, size in reversed(_BINARY.items()):
        if count and count % size == 0:
            return f"{count // size}{suffix}"
    return str(count)
