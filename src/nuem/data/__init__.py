"""Shipped, cited data tables (each file's header names its source and units).

:func:`read_table` is the one reader for the package's comment-headed CSV files;
:func:`read_user_text` and :func:`read_xy_table` read a user's input files.
"""

from __future__ import annotations

import csv
import io
import math
from importlib import resources
from pathlib import Path

from nuem._errors import NuemValueError


class InputFileError(NuemValueError):
    """An input file cannot be read as text (missing, directory, binary, empty, ...)."""


def csv_rows(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text whose comment lines start with '#' (blank lines ignored)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def read_text(name: str) -> str:
    """Text of the shipped file ``name`` (a path relative to ``nuem/data``)."""
    return resources.files("nuem.data").joinpath(name).read_text(encoding="utf-8")


def read_user_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of a user's input file, or :class:`InputFileError` in one line."""
    p = Path(path)
    where = f"{what} file {str(path)!r}"
    if str(path).strip() == "":
        raise InputFileError(f"{what}: empty file name")
    if p.is_dir():
        raise InputFileError(f"{where} is a directory, not a file")
    if not p.exists():
        raise InputFileError(f"{where} does not exist")
    if not p.is_file():
        raise InputFileError(f"{where} is not a regular file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{where} cannot be read ({exc.strerror})") from exc
    if not raw.strip():
        raise InputFileError(f"{where} is empty")
    if b"\x00" in raw:
        raise InputFileError(f"{where} is binary (contains NUL bytes), not a text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{where} is not UTF-8 text (byte {exc.start}: "
                             f"{raw[exc.start:exc.start + 1]!r}); binary file?") from exc


def read_xy_table(path: str | Path, what: str, columns: str, *, x: str = "E",
                  x_unit: str = "", y: str = "y", y_positive: bool = False,
                  error: type[NuemValueError] = InputFileError
                  ) -> tuple[list[float], list[float], list[str]]:
    """A user's two-column text table: (x values, y values, '#' comment lines).

    One row a line, the two numbers separated by blanks or a comma; '#' starts a comment
    (a whole line or the rest of one).  x must be finite, > 0 and strictly increasing; y
    finite and > 0 (``y_positive``) or >= 0; at least two rows.  Anything else raises
    ``error`` in one line naming the file, the line and ``columns`` (a description of
    the two columns), with ``x``/``y`` the names and ``x_unit`` the unit used in messages.
    """
    try:
        text = read_user_text(path, what)
    except InputFileError as exc:
        raise error(str(exc)) from None
    where = f"{what} file {str(path)!r}"
    xs: list[float] = []
    ys: list[float] = []
    comments: list[str] = []
    unit = f" {x_unit}" if x_unit else ""
    for n, raw in enumerate(text.splitlines(), start=1):
        body, sep, note = raw.partition("#")
        if sep and not body.strip():
            comments.append("#" + note)
        parts = body.replace(",", " ").split()
        if not parts:
            continue
        at = f"{where}, line {n}"
        if len(parts) != 2:
            raise error(f"{at}: {len(parts)} columns, expected 2: {columns}")
        try:
            a, b = float(parts[0]), float(parts[1])
        except ValueError:
            raise error(f"{at}: {body.strip()[:60]!r} is not two numbers: {columns}") from None
        y_ok = b > 0 if y_positive else b >= 0
        if not (math.isfinite(a) and math.isfinite(b) and a > 0 and y_ok):
            raise error(f"{at}: {x}={a:g}, {y}={b:g}; {x} must be finite and > 0, {y} finite "
                        f"and {'> 0' if y_positive else '>= 0'}")
        if xs and a <= xs[-1]:
            raise error(f"{at}: {x}={a:g}{unit} does not exceed the previous "
                        f"{x}={xs[-1]:g}{unit}; {x} must increase strictly")
        xs.append(a)
        ys.append(b)
    if not xs:
        raise error(f"{where} is empty (no data lines); needs at least 2 lines of {columns}")
    if len(xs) < 2:
        raise error(f"{where}: 1 data line, needs at least 2 ({columns})")
    return xs, ys, comments


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of the shipped comment-headed CSV ``name``."""
    return csv_rows(read_text(name))


def builtin_names(folder: str, suffix: str) -> tuple[str, ...]:
    """Names (without ``suffix``) of the shipped files in ``nuem/data/<folder>``."""
    d = resources.files("nuem.data").joinpath(folder)
    return tuple(sorted(p.name[: -len(suffix)] for p in d.iterdir() if p.name.endswith(suffix)))


def open_named(name_or_path, folder: str, suffix: str, what: str, error=ValueError):
    """Resolve a built-in name in ``nuem/data/<folder>`` or a file path.

    Returns ``(text, where, read, directory)``: the file's text, a label for messages, a
    function reading a file named inside it (next to it, or beside the built-in) and the
    file's directory (None for a built-in).  ``error`` is raised for a missing side file.
    """
    s = str(name_or_path)
    names = builtin_names(folder, suffix)
    if s in names:
        base = resources.files("nuem.data").joinpath(folder)

        def read_builtin(fname: str) -> str:
            return base.joinpath(fname).read_text("utf-8")

        return read_builtin(s + suffix), f"built-in {what} {s!r}", read_builtin, None
    path = Path(s)
    if not path.exists():
        raise NuemValueError(f"{what}={s!r} is neither a built-in {what} ({', '.join(names)}) "
                             "nor an existing file")
    where = str(path)

    def read_file(fname: str) -> str:
        p = path.parent / str(fname)
        if not p.exists():
            raise error(f"{where}: file {fname!r} not found next to the {what} file")
        try:
            return read_user_text(p, f"{where}: {what} side")
        except InputFileError as exc:
            raise error(str(exc)) from exc

    try:
        text = read_user_text(path, what)
    except InputFileError as exc:
        raise error(str(exc)) from exc
    return text, where, read_file, path.parent
