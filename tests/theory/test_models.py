"""Named-model calculators (nuem.theory.models) against closed-form limits and hand values.

* Left-right symmetric model, Dirac (Kim 1976; Beg, Marciano & Ruderman 1978; Giunti &
  Studenikin RMP 87, 531 (2015)): mu = e G_F/(2 sqrt2 pi^2)[m_l (1 - r) sin 2xi + (3/4) m_nu (1 + r)],
  r = M_W^2/M_W2^2.  With xi = 0 and M_W2 -> inf it must be the Fujikawa-Shrock moment
  3.20e-19 mu_B (m_nu/eV) (PRL 45, 963 (1980)), an independent formula in nuem.theory.sm.
* Hand value: xi = 1e-3, M_W2 = 5 TeV, tau: G_F m_e/(sqrt2 pi^2) = 4.27014e-19 /eV (PDG 2024
  G_F, m_e), times m_tau sin(2e-3) = 3.55372e6 eV, times 1 - (80.3692/5000)^2 = 0.999742:
  1.5171e-12 mu_B.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nuem import constants
from nuem.theory import models, sm
from tests.test_cli import run


def test_left_right_reduces_to_fujikawa_shrock():
    M = models.predict("left-right", m_nu=0.1, xi=0.0, m_w2=1e15)
    flav = M.flavour_basis()
    assert np.allclose(np.diag(flav).real, 3.20e-20, rtol=2e-3, atol=0)
    assert np.allclose(np.diag(flav).real, float(sm.dirac_magnetic_moment(0.1)), rtol=1e-9, atol=0)
    assert np.abs(flav - np.diag(np.diag(flav))).max() < 1e-12 * np.abs(flav).max()


def test_left_right_mixing_term_hand_value():
    M = models.predict("left-right", m_nu=0.0, xi=1e-3, m_w2=5000.0)
    d = np.diag(M.flavour_basis()).real
    assert d[2] == pytest.approx(1.5171e-12, rel=1e-4, abs=0)
    # linear in the charged-lepton mass
    assert d[1] / d[2] == pytest.approx(constants.m_mu / constants.m_tau, rel=1e-9)
    assert d[0] / d[2] == pytest.approx(constants.m_e / constants.m_tau, rel=1e-9)
    # odd in xi, and the m_l term vanishes as M_W2 -> M_W
    assert models.left_right_moment(constants.m_tau, 0.0, -1e-3, 5e12) == pytest.approx(-d[2], rel=1e-9, abs=0)
    assert abs(float(models.left_right_moment(constants.m_tau, 0.0, 1e-3, constants.M_W))) < 1e-30


def test_standard_model_model_structure():
    D = models.predict("standard-model", m_lightest=0.01, kind="dirac")
    # NuFIT 6.0 (NO): Delta m^2_21 = 7.49e-5, Delta m^2_31 = 2.513e-3 eV^2; 3.2026e-19 mu_B/eV
    masses = np.array([0.01, np.sqrt(0.01**2 + 7.49e-5), np.sqrt(0.01**2 + 2.513e-3)])
    assert np.allclose(np.diag(D.matrix).real, 3.2026e-19 * masses, rtol=2e-2, atol=0)
    Mj = models.predict("standard-model", kind="majorana")
    assert Mj.kind == "majorana"
    # entries ~1e-25 mu_B: purely relative (atol=0); the diagonal is exactly zero
    assert np.allclose(Mj.matrix, -Mj.matrix.T, rtol=1e-12, atol=0)
    assert np.all(np.diag(Mj.matrix) == 0)


@pytest.mark.parametrize("name,params,needle", [
    ("left-right", {"m_w2": 50.0}, "m_w2"),
    ("left-right", {"xi": 1.0}, "xi"),
    ("left-right", {"m_nu": -0.1}, "m_nu"),
    ("left-right", {"bogus": 1.0}, "bogus"),
    ("standard-model", {"ordering": "XO"}, "ordering"),
    ("standard-model", {"kind": "weyl"}, "kind"),
    ("susy", {}, "model"),
])
def test_bad_model_inputs(name, params, needle):
    with pytest.raises(ValueError, match=needle):
        models.predict(name, **params)


@pytest.mark.slow
def test_cli_predict_model():
    p = run("predict", "model", "left-right", "--param", "xi=1e-3", "--param", "m_w2=5000",
            "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["moment_matrix_flavour_basis_abs_muB"][2][2] == pytest.approx(1.5171e-12, rel=1e-4,
                                                                           abs=0)
    assert d["mu_eff_reactor_muB"] > 0 and d["mu_eff_solar_pp_300keV_muB"] > d["mu_eff_reactor_muB"]
    p = run("predict", "model", "left-right", "--param", "m_w2=50")
    assert p.returncode != 0 and "m_w2" in p.stderr
    p = run("predict", "model", "--list")
    assert p.returncode == 0 and "left-right" in p.stdout
