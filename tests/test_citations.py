"""Every citation key used in the source exists in the shipped bibliography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nuem import citations
from nuem._errors import NuemValueError

SRC = Path(__file__).resolve().parents[1] / "src" / "nuem"


def test_all_registered_keys_exist():
    keys = set()
    for path in SRC.rglob("*.py"):
        for call in re.findall(r"citations\.register\(([^)]*)\)", path.read_text()):
            keys.update(re.findall(r'"([^"]+)"', call))
    assert keys, "no citation keys found"
    missing = keys - set(citations.bibliography())
    assert not missing, f"keys missing from references.toml: {missing}"


def test_unknown_key_is_an_error():
    with pytest.raises(NuemValueError, match="not in references.toml"):
        citations.register("NoSuchPaper2099")


def test_computation_registers_its_papers():
    from nuem.theory.naturalness import bound_eq4

    citations.reset()
    bound_eq4(1e12, 1.0)
    assert "Bell2005" in citations.used()
