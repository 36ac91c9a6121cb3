"""The ten cases issue 21 reported on c159a87, each as a named test.

Several run through the real entry point (``python -m nuem`` in a subprocess) so that the
one-line, no-traceback, no-RuntimeWarning behaviour is shown for the installed command,
not only for click's in-process runner.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nuem.cli import cli

from .test_hostile import DATASET, DETECTOR  # the same valid toy files as the suite


def nuem(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nuem", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_error(stderr: str, *names: str) -> str:
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr and "Warning" not in stderr, stderr
    for n in names:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def test_case1_limit_events_in_ev_all_outside_range(tmp_path):
    """Events 1500-12000 (eV by mistake) against range_keV [1, 29.8]: refused, not a limit
    from zero events; the binned form of the same mistake is refused too."""
    f = tmp_path / "ev.yaml"
    f.write_text(DATASET.replace("[2.0, 5.0, 9.5, 14.0, 22.0]", "[1500, 3000, 6000, 12000]"))
    r = invoke("limit", str(f), "--json")
    assert r.exit_code == 2 and r.stdout == ""
    line = one_line_error(r.stderr, str(f), "events", "range_keV")
    assert "keV" in line
    g = tmp_path / "binned.yaml"
    g.write_text(DATASET.replace("events: [2.0, 5.0, 9.5, 14.0, 22.0]",
                                 "bins: {edges_keV: [1500, 6000, 12000], counts: [3, 4]}"))
    r = invoke("limit", str(g))
    assert r.exit_code == 2
    one_line_error(r.stderr, str(g), "range_keV")


def test_case2_sfp_hundred_million_energies_refused_with_estimate():
    """Killed at 24 GB on c159a87; now refused before allocating, with the estimate and
    the limit (benchmarks/hostile_refusal.py measures the time and peak memory)."""
    p = nuem("sfp", "--energies", "1:10:100000000", "--json")
    assert p.returncode == 2 and p.stdout == ""
    line = one_line_error(p.stderr, "--energies", "GiB", "limit")
    est = float(line.split("needs about ")[1].split(" GiB")[0])
    assert est > 1000  # 1e8 energies x 6 states: far beyond any memory


def test_case3_bound_huge_r_is_an_error_not_zero():
    p = nuem("bound", "--scale", "1000", "--r", "1e300")
    assert p.returncode == 2 and p.stdout == ""
    one_line_error(p.stderr, "--r 1e+300")


@pytest.mark.parametrize("args, option", [
    (("eft", "run", "--scale", "1e4", "--c1", "1e300", "--method", "running"), "--c1"),
    (("eft", "run", "--scale", "1e4", "--c1", "1e300", "--method", "running", "--json"), "--c1"),
    (("xsec", "--flavour", "e", "--energy", "1", "--recoil", "0.1", "--mu", "1e300", "--json"),
     "--mu"),
    (("astro", "decay", "--mu", "1e300", "--m-heavy", "1", "--json"), "--mu"),
    (("astro", "plasmon", "--density", "1e6", "--temperature", "1e8", "--mu", "1e300",
      "--json"), "--mu"),
    (("astro", "red-giant", "--mu", "1e300", "--json"), "--mu"),
    (("spectrum", "--mu", "1e300", "--bins", "3", "--json"), "--mu"),
])
def test_case4_overflow_is_an_error_naming_the_input(args, option):
    """-inf/nan on the terminal and invalid JSON on c159a87: now one line naming the
    input; stdout stays empty (never half a JSON object)."""
    r = invoke(*args)
    assert r.exit_code == 2 and r.stdout == "", r.output
    one_line_error(r.stderr, option)


def test_case4_real_entry_point_json_overflow():
    p = nuem("eft", "run", "--scale", "1e4", "--c1", "1e300", "--method", "running", "--json")
    assert p.returncode == 2 and p.stdout == ""
    one_line_error(p.stderr, "--c1")


@pytest.mark.parametrize("args, option", [
    (("report", "--out", "/proc/x"), "--out"),
    (("spectrum", "--bins", "3", "--plot", "/proc/x.png"), "--plot"),
    (("limit", "xenonnt-2022", "--plot", "/proc/x.png"), "--plot"),
    (("sfp", "--profile", "constant", "--flavours", "1", "--energies", "1,7", "--plot",
      "/proc/x"), "--plot"),
    (("bound", "--scan", "--out", "/proc/x"), "--out"),
    (("plot", "global", "--out", "/proc/x.png"), "--out"),
])
def test_case5_unwritable_output_is_one_line(args, option):
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    one_line_error(r.stderr, option, "/proc")


def test_case6_spectrum_hundred_million_bins_refused_with_estimate():
    r = invoke("spectrum", "--target", "xenon", "--bins", "100000000")
    assert r.exit_code == 2
    one_line_error(r.stderr, "--bins 100000000", "GiB", "limit")


@pytest.mark.parametrize("old, new, field", [
    ("exposure_t_yr = 0.0015", "exposure_t_yr = nan", "exposure_t_yr"),
    ("exposure_t_yr = 0.0015", "exposure_t_yr = inf", "exposure_t_yr"),
    ("threshold_keV = 2.8", "threshold_keV = -5.0", "threshold_keV"),
])
def test_case7_detector_file_nan_inf_negative_threshold(tmp_path, old, new, field):
    f = tmp_path / "det.toml"
    f.write_text(DETECTOR.replace(old, new))
    r = invoke("spectrum", "--detector", str(f), "--bins", "3")
    assert r.exit_code == 2
    one_line_error(r.stderr, str(f), field)


@pytest.mark.parametrize("spec", ["", "1:10:0", ",", "1:10:-3"])
def test_case8_sfp_empty_energy_list(spec):
    p = nuem("sfp", "--profile", "constant", "--flavours", "1", "--energies", spec)
    assert p.returncode == 2
    one_line_error(p.stderr, "--energies")


@pytest.mark.parametrize("cmd", [("limit", "{f}"), ("spectrum", "--detector", "{f}")])
@pytest.mark.parametrize("payload", [bytes(range(256)) * 8, "caf\xe9: 1\n".encode("latin-1")])
def test_case9_binary_input_files(tmp_path, cmd, payload):
    f = tmp_path / "binary.yaml"
    f.write_bytes(payload)
    r = invoke(*[c.format(f=f) for c in cmd])
    assert r.exit_code == 2
    line = one_line_error(r.stderr, str(f))
    assert "binary" in line or "UTF-8" in line


def test_case10_empty_output_paths_write_nothing(tmp_path):
    for args in (("plot", "global", "--out", ""), ("report", "--out", ""),
                 ("bound", "--scan", "--out", ""), ("spectrum", "--bins", "3", "--plot", "")):
        p = nuem(*args, cwd=tmp_path)
        assert p.returncode == 2
        one_line_error(p.stderr, "--")
        assert list(tmp_path.iterdir()) == [], args


def test_case10_directory_output_means_write_inside(tmp_path, monkeypatch):
    """Documented meaning (--help): a directory given for a figure file gets the default
    file name inside it, not a sibling 'subdir.png'."""
    sub = tmp_path / "subdir"
    sub.mkdir()
    monkeypatch.chdir(tmp_path)
    r = invoke("plot", "global", "--out", "subdir", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["out"] == str(Path("subdir") / "global.png")
    assert (sub / "global.png").stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["subdir"]
