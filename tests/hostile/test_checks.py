"""The edge checks of nuem._checks on their own (issue 21)."""

from __future__ import annotations

import math
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nuem._checks import (NonFiniteResult, OutPath, Real, ResourceError, check_finite_result,
                          memory_limit_bytes, read_user_text, refuse_if_too_big)
from nuem.cli import cli
from nuem.data import InputFileError


def test_real_states_the_range_and_unit_typed():
    t = Real(0.0, lo_open=True, unit="GW")
    assert t.convert("3", None, None) == 3.0
    with pytest.raises(click.BadParameter, match=r"-3 must be > 0 \[GW\]"):
        t.convert("-3", None, None)
    with pytest.raises(click.BadParameter, match="not a finite number"):
        t.convert("nan", None, None)
    with pytest.raises(click.BadParameter, match=r"must be >= 0 and <= 1"):
        Real(0.0, 1.0).convert("1.5", None, None)


def test_outpath_directory_means_inside_and_stems_lose_the_suffix(tmp_path):
    (tmp_path / "d").mkdir()
    assert OutPath("file", "global.png").convert(str(tmp_path / "d"), None, None) == \
        tmp_path / "d" / "global.png"
    assert OutPath("file", "x.png").convert(str(tmp_path / "fig"), None, None) == \
        tmp_path / "fig.png"
    assert OutPath("stem", "scan").convert(str(tmp_path / "s.pdf"), None, None) == tmp_path / "s"
    assert OutPath("dir").convert(str(tmp_path / "new"), None, None) == tmp_path / "new"
    assert not (tmp_path / "new").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["d"]
    for bad in ("", "  ", str(tmp_path / "nope" / "x.png"), "/proc/x.png"):
        with pytest.raises(click.BadParameter):
            OutPath("file", "x.png").convert(bad, None, None)


def test_unreadable_file_is_one_line(tmp_path, monkeypatch):
    """As root chmod cannot make a file unreadable: make the read fail instead."""
    f = tmp_path / "locked.yaml"
    f.write_text("name: x\n")

    original = Path.read_bytes

    def deny(self):
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(InputFileError, match="cannot be read .Permission denied"):
        read_user_text(f, "dataset")
    res = CliRunner().invoke(cli, ["limit", str(f)])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "locked.yaml" in res.stderr and "Permission denied" in res.stderr


def test_memory_limit_from_environment(monkeypatch):
    monkeypatch.setenv("NUEM_MEMORY_GB", "0.5")
    assert memory_limit_bytes() == 0.5 * 1024**3
    with pytest.raises(ResourceError, match=r"--x 7 needs about 1 GiB .* limit of 0.5 GiB"):
        refuse_if_too_big(1024**3, "--x 7", "test")
    res = CliRunner().invoke(cli, ["sfp", "--profile", "constant", "--flavours", "1",
                                   "--energies", "1:10:10000000"])
    assert res.exit_code == 2 and "--energies 1:10:10000000 needs about" in res.stderr
    monkeypatch.setenv("NUEM_MEMORY_GB", "lots")
    res = CliRunner().invoke(cli, ["spectrum", "--bins", "3"])
    assert res.exit_code == 2 and "NUEM_MEMORY_GB" in res.stderr


def test_nonfinite_results_are_refused():
    check_finite_result({"a": [1.0, {"b": 2}], "c": None, "d": "x"})
    with pytest.raises(NonFiniteResult, match=r"a\[1\]\.b"):
        check_finite_result({"a": [1.0, {"b": math.inf}]})
    with pytest.raises(NonFiniteResult, match="x"):
        check_finite_result({"x": float("nan")})


def test_bare_group_prints_its_help():
    res = CliRunner().invoke(cli, ["astro"])
    assert res.exit_code == 0 and "plasmon" in res.stdout


def test_cli_toy_range_matches_the_library():
    from nuem import cli as cli_module
    from nuem.stats import limits

    assert cli_module.MIN_TOYS == limits.MIN_TOYS
