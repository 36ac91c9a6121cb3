"""Exception types and input checks shared by the whole package."""

from __future__ import annotations

from typing import Any

import numpy as np


class NuemValueError(ValueError):
    """Bad input: names the parameter, the offending value and the valid range."""


def as_finite_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array, raising if any element is NaN or infinite."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NuemValueError(f"{name}={value!r} is not a number") from exc
    if not np.all(np.isfinite(arr)):
        raise NuemValueError(f"{name}={value!r} must be finite (got NaN or infinity)")
    return arr


def require_positive(name: str, value: Any, unit: str = "") -> np.ndarray:
    """Finite and strictly positive, else :class:`NuemValueError`."""
    arr = as_finite_array(name, value)
    if np.any(arr <= 0):
        bad = arr[arr <= 0].flat[0] if arr.ndim else float(arr)
        raise NuemValueError(f"{name}={bad:g}{(' ' + unit) if unit else ''} must be > 0")
    return arr


def require_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` must be one of ``choices``."""
    if value not in choices:
        raise NuemValueError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def require_in_range(name: str, value: Any, lo: float | None = None, hi: float | None = None,
                     unit: str = "", lo_open: bool = False) -> float:
    """A finite scalar in [lo, hi] (or (lo, hi] with ``lo_open``), else
    :class:`NuemValueError` naming the parameter, the value and the range."""
    x = float(as_finite_array(name, value))
    if (lo is not None and (x <= lo if lo_open else x < lo)) or (hi is not None and x > hi):
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise NuemValueError(f"{name}={x:g}{(' ' + unit) if unit else ''} outside the valid "
                             f"range {'(' if lo_open else '['}{lo_s}, {hi_s}]")
    return x
