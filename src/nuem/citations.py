"""Citations collected at run time (the flavio pattern).

Each physics function calls :func:`register` with its bibliography key; a CLI run
then lists exactly the papers its computation used (``nuem ... --cite``).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from nuem._errors import NuemValueError

_used: set[str] = set()


@lru_cache(maxsize=1)
def bibliography() -> dict[str, dict[str, str]]:
    """All references shipped in ``data/references.toml``."""
    text = resources.files("nuem.data").joinpath("references.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def register(*keys: str) -> None:
    """Record that the running computation uses these references."""
    bib = bibliography()
    for key in keys:
        if key not in bib:
            raise NuemValueError(f"citation key {key!r} is not in references.toml")
        _used.add(key)


def used() -> list[str]:
    """Keys registered since the last :func:`reset`, sorted."""
    return sorted(_used)


def reset() -> None:
    _used.clear()


def format_reference(key: str) -> str:
    e = bibliography()[key]
    arx = f", arXiv:{e['arxiv']}" if e.get("arxiv") else ""
    return f"{e['authors']}, \"{e['title']}\", {e['journal']}{arx}"
