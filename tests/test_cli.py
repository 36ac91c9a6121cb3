"""The CLI as a user runs it: a subprocess, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nuem", *args], capture_output=True, text=True,
                          timeout=300)


def test_bound_json_keys_and_value():
    p = run("bound", "--scale", "1000", "--delta-m", "1", "--r", "0", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("mu_max_muB", "f", "scale_GeV", "delta_m_eV", "r", "method"):
        assert key in d
    assert 1e-15 < d["mu_max_muB"] < 1e-13  # "of order 1e-14" (issue 2, must show 2)
    assert d["f"] == pytest.approx(1.0)


def test_bound_at_f_zero_reports_no_bound():
    from nuem.theory.naturalness import r_zero

    p = run("bound", "--scale", "1000", "--r", repr(r_zero()), "--json")
    d = json.loads(p.stdout)
    assert d["no_bound"] is True and d["mu_max_muB"] is None


def test_eft_run_json():
    p = run("eft", "run", "--scale", "1e4", "--c1", "1", "--c2", "1", "--c3", "0",
            "--method", "running", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert len(d["C"]) == 3 and "mu_nu_muB" in d and "delta_m_eV" in d
    assert d["C"][2] != 0.0  # O3 is induced radiatively


@pytest.mark.parametrize("args, word", [
    (("bound", "--scale", "100"), "scale"),
    (("bound", "--scale", "1000", "--delta-m", "0"), "delta_m"),
    (("bound", "--scale", "nan"), "scale"),
    (("bound", "--scale", "1000", "--method", "nlo"), "--method"),
    (("bound", "--scale", "abc"), "--scale"),
    (("eft", "run", "--scale", "1000", "--to", "5000"), "to="),
])
def test_bad_input_exits_nonzero_without_traceback(args, word):
    p = run(*args)
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert word in p.stderr
    assert p.stderr.strip().splitlines()[-1].startswith("Error:")


def test_scan_writes_png_and_pdf(tmp_path):
    p = run("bound", "--scan", "--out", str(tmp_path / "scan"))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "scan.png").stat().st_size > 10_000
    assert (tmp_path / "scan.pdf").stat().st_size > 5_000


def test_report_writes_self_contained_page(tmp_path):
    p = run("report", "--out", str(tmp_path / "rep"))
    assert p.returncode == 0, p.stderr
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "data:image/png;base64," in html
    assert "Bell" in html and "<table>" in html
    for scale in ("<td>1</td>", "<td>10</td>", "<td>100</td>"):
        assert scale in html
