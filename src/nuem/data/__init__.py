"""Shipped, cited data tables (each file's header names its source and units).

:func:`read_table` is the one reader for the package's comment-headed CSV files.
"""

from __future__ import annotations

import csv
import io
from importlib import resources


def csv_rows(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text whose comment lines start with '#' (blank lines ignored)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def read_text(name: str) -> str:
    """Text of the shipped file ``name`` (a path relative to ``nuem/data``)."""
    return resources.files("nuem.data").joinpath(name).read_text(encoding="utf-8")


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of the shipped comment-headed CSV ``name``."""
    return csv_rows(read_text(name))
