"""hnlimits dipole curves and `nuem plot dipole` (optional extra nuem[sterile])."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("HNLimits")

from nuem.portal import published  # noqa: E402


def test_curves_read_with_units_and_sources():
    cs = {c.name: c for c in published.curves("mu")}
    # Borexino (Brdar et al. 2021, arXiv:2007.15563): first point 1.006 MeV, 2.43e-7 GeV^-1
    b = cs["Borexino_d"]
    assert b.arxiv == "2007.15563"
    assert b.m_GeV[0] == pytest.approx(1.006e-3, rel=1e-3, abs=0)
    assert b.d_GeV_inv[0] == pytest.approx(2.427e-7, rel=1e-3, abs=0)
    # a file tabulated in MeV (MINERvA) is converted to GeV
    assert cs["MINERvA_RHC_nominal_d_tauN_0"].m_GeV[0] == pytest.approx(0.01, rel=1e-9, abs=0)
    assert "CHARMII_dmu" in cs and "LSND_de" not in cs
    assert all(np.all(c.d_GeV_inv > 0) for c in cs.values())


def test_plot_dipole_cli(tmp_path):
    lim = tmp_path / "ours.json"
    lim.write_text(json.dumps({"dataset": "xenonnt-2022", "flavour": "mu", "cl": 0.9,
                               "m_N_GeV": [1e-6, 1e-3], "d_GeV_inv": [1.3e-9, None]}))
    out = tmp_path / "dipole.png"
    p = subprocess.run([sys.executable, "-m", "nuem", "plot", "dipole", "--flavour", "mu",
                        "--out", str(out), "--ours-json", str(lim), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "nuem", "plot", "dipole", "--flavour", "x"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
