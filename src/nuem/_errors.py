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
