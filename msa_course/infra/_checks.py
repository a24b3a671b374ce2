"""Parameter checks shared by the infra models: one clear ValueError per bad value."""

from __future__ import annotations

import math
import numbers


def check_number(name: str, value, low: float, high: float, *, low_open: bool = False) -> float:
    """`value` as a float in [low, high] (or (low, high] with `low_open`); else a ValueError
    that names the parameter, the allowed range and the value given."""
    lower = f"greater than {low:g}" if low_open else f"at least {low:g}"
    allowed = f"{name} must be a number {lower} and at most {high:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{allowed}, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise ValueError(f"{allowed}, got {value:g}")
    return value


def check_int(name: str, value, low: int, high: int) -> int:
    """`value` as an int in [low, high]; else a ValueError naming the parameter and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number between {low} and {high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be a whole number between {low} and {high}, got {value}")
    return int(value)
