"""Shipped, cited data tables (each file's header names its source and units).

:func:`read_table` is the one reader for the package's comment-headed CSV files.
"""

from __future__ import annotations

import csv
import io
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
