"""The validation layer at the command-line edge.

Everything a user types or points ``nuem`` at is checked here, in the units the user
typed, before any work starts; the library below keeps raising
:class:`~nuem._errors.NuemValueError` subclasses in internal units as a second line.

* :class:`Real` and :class:`Count` are click parameter types: finite numbers (and
  integers) with a declared range and unit, so ``--power -3`` fails as
  ``Invalid value for '--power': -3 must be > 0 [GW]``.
* :class:`OutPath` checks an output path before the computation: not empty, its folder
  exists and is writable (probed with a temporary file that is removed at once), the
  suffix is one the writer understands.  An existing directory given for a file means
  "write the default file name inside it".
* :func:`read_user_text` reads an input file (dataset YAML, detector TOML, profile CSV,
  efficiency or event tables) with one-line errors for missing, a directory, unreadable,
  empty, binary or non-UTF-8 files.
* :func:`refuse_if_too_big` refuses a request whose memory estimate exceeds the limit
  (``NUEM_MEMORY_GB``, default :data:`DEFAULT_MEMORY_GB`), before allocating.
* :func:`check_finite_result` walks a result before it is printed: a NaN or an infinity
  is an error, never output.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from nuem._errors import NuemValueError
from nuem.data import InputFileError, read_user_text  # noqa: F401  (re-exported)

#: Memory a single command may plan to use unless NUEM_MEMORY_GB says otherwise [GiB].
DEFAULT_MEMORY_GB = 4.0
GIB = 1024.0**3


class ResourceError(NuemValueError):
    """A request that would need more memory than the limit allows."""


class NonFiniteResult(NuemValueError):
    """A computed result is NaN or infinite (overflow for the inputs given)."""


# --------------------------------------------------------------------------- numbers
def _fmt(x: float) -> str:
    return f"{x:g}"


class Real(click.ParamType):
    """A finite float in a declared range, in the unit the user types.

    ``lo``/``hi`` are the bounds (``None``: unbounded), ``lo_open``/``hi_open`` make them
    strict.  ``unit`` is shown in messages and help (e.g. ``"GW"``).  ``example`` is a
    valid value (used by the tests that build a valid invocation of every command).
    """

    name = "float"

    def __init__(self, lo: float | None = None, hi: float | None = None, *,
                 lo_open: bool = False, hi_open: bool = False, unit: str = "",
                 example: float | None = None) -> None:
        self.lo, self.hi, self.lo_open, self.hi_open, self.unit = lo, hi, lo_open, hi_open, unit
        if example is None:
            if lo is not None and hi is not None:
                example = 0.5 * (lo + hi)
            elif lo is not None:
                example = 2.0 * lo if lo > 0 else lo + 1.0
            elif hi is not None:
                example = 0.5 * hi if hi > 0 else hi - 1.0
            else:
                example = 1.0
        self.example = example

    def _u(self) -> str:
        return f" [{self.unit}]" if self.unit else ""

    def range_text(self) -> str:
        parts = []
        if self.lo is not None:
            parts.append(f"{'>' if self.lo_open else '>='} {_fmt(self.lo)}")
        if self.hi is not None:
            parts.append(f"{'<' if self.hi_open else '<='} {_fmt(self.hi)}")
        return " and ".join(parts)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "FLOAT"

    def convert(self, value: Any, param, ctx) -> float:
        if isinstance(value, float) and math.isfinite(value) and self._ok(value):
            return value
        text = str(value).strip()
        try:
            x = float(text)
        except ValueError:
            self.fail(f"{text!r} is not a number{self._u()}", param, ctx)
        if not math.isfinite(x):
            self.fail(f"{text} is not a finite number{self._u()}", param, ctx)
        if not self._ok(x):
            self.fail(f"{text} must be {self.range_text()}{self._u()}", param, ctx)
        return x

    def _ok(self, x: float) -> bool:
        if self.lo is not None and (x <= self.lo if self.lo_open else x < self.lo):
            return False
        if self.hi is not None and (x >= self.hi if self.hi_open else x > self.hi):
            return False
        return True


class Count(click.ParamType):
    """An integer in [lo, hi] (``hi`` None: unbounded)."""

    name = "integer"

    def __init__(self, lo: int, hi: int | None = None, what: str = "") -> None:
        self.lo, self.hi, self.what = lo, hi, what
        self.example = lo if hi is None else min(max(lo, 4), hi)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "INTEGER"

    def convert(self, value: Any, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            n = value
        else:
            text = str(value).strip()
            try:
                n = int(text)
            except ValueError:
                self.fail(f"{text!r} is not an integer", param, ctx)
        if n < self.lo or (self.hi is not None and n > self.hi):
            rng = f">= {self.lo}" if self.hi is None else f"between {self.lo} and {self.hi}"
            self.fail(f"{n} must be {rng}{(' ' + self.what) if self.what else ''}", param, ctx)
        return n


# --------------------------------------------------------------------------- output paths
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def _probe_writable(folder: Path) -> str | None:
    """None if a file can be created in ``folder`` (tried, then removed), else the reason."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


class OutPath(click.ParamType):
    """An output path checked before any work.

    kind ``"file"``: one figure file (suffix in :data:`FIGURE_SUFFIXES`; none: ``.png``).
    kind ``"stem"``: a file stem to which the writer adds ``.png`` and ``.pdf``.
    kind ``"dir"``: a directory, created if needed (its parent must exist).
    For ``file`` and ``stem`` an existing directory means "write ``default_name`` inside
    it".  The empty string is an error (it would write hidden files into the current
    directory).
    """

    name = "path"

    def __init__(self, kind: str, default_name: str = "") -> None:
        self.kind, self.default_name = kind, default_name

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DIR" if self.kind == "dir" else ("STEM" if self.kind == "stem" else "FILE")

    def convert(self, value: Any, param, ctx) -> Path:
        if isinstance(value, Path) and getattr(value, "_nuem_checked", False):
            return value
        text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
        if not text.strip():
            self.fail("the path is empty; give a file or directory name", param, ctx)
        if "\x00" in text:
            self.fail("the path contains a NUL character", param, ctx)
        p = Path(text)
        if self.kind == "dir":
            if p.exists() and not p.is_dir():
                self.fail(f"{text} exists and is not a directory", param, ctx)
            parent = p if p.is_dir() else p.parent
            if not parent.is_dir():
                self.fail(f"{text}: the folder {parent} does not exist (only the last "
                          "level is created)", param, ctx)
        else:
            if p.is_dir():
                p = p / self.default_name
            elif text.endswith(("/", os.sep)):
                self.fail(f"{text} is not an existing directory", param, ctx)
            if self.kind == "file":
                if p.suffix == "":
                    p = p.with_name(p.name + ".png")
                elif p.suffix.lower() not in FIGURE_SUFFIXES:
                    self.fail(f"{text}: the figure must end in "
                              f"{', '.join(FIGURE_SUFFIXES)}", param, ctx)
            elif p.suffix.lower() in FIGURE_SUFFIXES:
                p = p.with_suffix("")
            if p.exists() and p.is_dir():
                self.fail(f"{p} is a directory", param, ctx)
            parent = p.parent
            if not parent.is_dir():
                self.fail(f"{text}: the folder {parent} does not exist", param, ctx)
            if not p.name:
                self.fail(f"{text} has no file name", param, ctx)
        reason = _probe_writable(parent)
        if reason is not None:
            self.fail(f"{text}: cannot write in {parent} ({reason})", param, ctx)
        return p


# --------------------------------------------------------------------------- resources
def memory_limit_bytes() -> float:
    """The memory a command may plan to use: NUEM_MEMORY_GB [GiB], default 4 GiB."""
    env = os.environ.get("NUEM_MEMORY_GB", "").strip()
    if env:
        try:
            gb = float(env)
        except ValueError:
            raise NuemValueError(f"NUEM_MEMORY_GB={env!r} is not a number [GiB]") from None
        if not math.isfinite(gb) or gb <= 0:
            raise NuemValueError(f"NUEM_MEMORY_GB={env!r} must be > 0 [GiB]")
        return gb * GIB
    return DEFAULT_MEMORY_GB * GIB


def refuse_if_too_big(estimate_bytes: float, request: str, detail: str) -> None:
    """Raise :class:`ResourceError` if ``estimate_bytes`` exceeds the memory limit.

    ``request`` names what the user asked for (``"--bins 100000000"``) and ``detail``
    how the estimate was made (``"bins x 96 nodes x 8 bytes x 4 arrays"``).
    """
    limit = memory_limit_bytes()
    if estimate_bytes > limit:
        raise ResourceError(f"{request} needs about {estimate_bytes / GIB:.3g} GiB ({detail}), "
                            f"above the limit of {limit / GIB:.3g} GiB (NUEM_MEMORY_GB); "
                            "ask for fewer")


# --------------------------------------------------------------------------- results
_TINY = 2.2250738585072014e-308  # the smallest normal double: below it precision is lost


def _bad_float(x: float) -> bool:
    return not math.isfinite(x) or (x != 0.0 and abs(x) < _TINY)


def nonfinite_path(obj: Any, path: str = "") -> str | None:
    """The key path of the first NaN, infinity or subnormal (underflowed) number in a
    JSON-like result, or None."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return None
    if isinstance(obj, (int,)):
        return None
    if isinstance(obj, float):
        return (path or "result") if _bad_float(obj) else None
    if isinstance(obj, dict):
        for k, v in obj.items():
            bad = nonfinite_path(v, f"{path}.{k}" if path else str(k))
            if bad:
                return bad
        return None
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            bad = nonfinite_path(v, f"{path}[{i}]")
            if bad:
                return bad
        return None
    try:
        import numpy as np

        arr = np.asarray(obj, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.size and (not np.all(np.isfinite(arr))
                     or np.any((arr != 0) & (np.abs(arr) < _TINY))):
        return path or "result"
    return None


def check_finite_result(obj: Any) -> None:
    """:class:`NonFiniteResult` naming the first non-finite entry of ``obj``."""
    bad = nonfinite_path(obj)
    if bad is not None:
        raise NonFiniteResult(f"the result {bad} is not finite (NaN, infinity or below "
                              "1e-308): the inputs overflow or underflow the computation")
