"""Named models and estimates printed in the seminar of S. Jana, "Exploring Electromagnetic
Properties of Neutrinos" (FLASY 2024), each against the printed formula written out here.

Units: the seminar's model formulas have dimension 1/mass with the photon coupling factored
out, so mu/mu_B = 2 m_e x (printed expression) (nuem.theory.models docstring).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from nuem.interactions import electron
from nuem.theory import models, sm

ME = 0.51099895e6       # eV, CODATA 2018
MTAU = 1.77686e9        # eV, PDG 2024
MW = 80.3692e9          # eV, PDG 2024
GEV = 1e9


def printed_su2h(f, fp, alpha, mh, mH):
    """mu_{nu_e nu_mu} = f f'/(8 pi^2) m_tau sin 2alpha [(ln(m_h^2/m_tau^2) - 1)/m_h^2
    - (ln(m_H^2/m_tau^2) - 1)/m_H^2], in mu_B via 2 m_e."""
    br = ((math.log(mh**2 / MTAU**2) - 1) / mh**2 - (math.log(mH**2 / MTAU**2) - 1) / mH**2)
    return 2 * ME * f * fp / (8 * math.pi**2) * MTAU * math.sin(2 * alpha) * br


def run(*args):
    return subprocess.run([sys.executable, "-m", "nuem", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("f, fp, alpha, mh, mH", [
    (0.04, 0.04, math.pi / 4, 100.0, 1000.0),
    (0.5, 0.01, 0.3, 250.0, 600.0),
    (1e-3, 2.0, -0.7, 3000.0, 150.0),
])
def test_su2h_against_the_printed_formula(f, fp, alpha, mh, mH):
    got = float(models.su2h_transition_moment(f, fp, alpha, mh * GEV, mH * GEV))
    assert got == pytest.approx(printed_su2h(f, fp, alpha, mh * GEV, mH * GEV), rel=1e-5, abs=0)
    # the flavour-basis e-mu entry of the model's Majorana moment matrix is this moment
    M = models.predict("su2h", f=f, f_prime=fp, alpha=alpha, m_h=mh, m_H=mH)
    flav = M.flavour_basis()
    assert M.kind == "majorana"
    assert flav[0, 1].real == pytest.approx(got, rel=1e-9, abs=0)
    assert flav[1, 0].real == pytest.approx(-got, rel=1e-9, abs=0)


def test_su2h_limits():
    """Equal charged-scalar masses: the two diagrams cancel (SU(2)_H limit); swapping the
    masses flips the sign; alpha = 0 (no mixing) gives zero."""
    assert float(models.su2h_transition_moment(1.0, 1.0, 0.5, 300 * GEV, 300 * GEV)) == 0.0
    a = float(models.su2h_transition_moment(0.1, 0.1, 0.5, 100 * GEV, 900 * GEV))
    b = float(models.su2h_transition_moment(0.1, 0.1, 0.5, 900 * GEV, 100 * GEV))
    assert a > 0 and b == pytest.approx(-a, rel=1e-12, abs=0)
    assert float(models.su2h_transition_moment(0.1, 0.1, 0.0, 100 * GEV, 900 * GEV)) == 0.0


def test_su2h_cli_reaches_the_xenon1t_window():
    """Babu, Jana & Lindner, arXiv:2007.04291 (abstract): mu_{nu_e nu_mu} in (1.65-3.42)e-11
    mu_B explains the XENON1T excess.  At f = f' = 0.04, alpha = pi/4, m_h = 100 GeV,
    m_H = 1 TeV the model gives 2.56e-11 mu_B."""
    p = run("predict", "model", "su2h", "--param", "f=0.04", "--param", "f_prime=0.04",
            "--param", f"alpha={math.pi / 4!r}", "--param", "m_h=100", "--param", "m_H=1000",
            "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    mu = d["mu_emu_muB"]
    assert mu == pytest.approx(printed_su2h(0.04, 0.04, math.pi / 4, 100 * GEV, 1000 * GEV),
                               rel=1e-5, abs=0)
    assert 1.65e-11 < mu < 3.42e-11


@pytest.mark.parametrize("param, needle", [
    ("m_h=nan", "m_h"), ("m_H=-100", "m_H"), ("alpha=2", "alpha"), ("f=inf", "f"),
    ("sin2alpha=1.5", "sin2alpha"), ("m_h=1", "m_h"),
])
def test_su2h_bad_input_one_line_exit_2(param, needle):
    p = run("predict", "model", "su2h", "--param", param, "--json")
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in p.stderr


def test_rpv_susy_estimate_printed_form_and_the_1e15_scale():
    """mu ~ lambda'^2/(16 pi^2) m_l^2 A_l/M^4: the seminar's "at most about 1e-15 mu_B" at
    lambda' = 0.01, m_l = m_tau, A = M = 100 GeV (2.0e-15)."""
    lp, ml, A, M = 0.01, MTAU, 100 * GEV, 100 * GEV
    want = 2 * ME * lp**2 / (16 * math.pi**2) * ml**2 * A / M**4
    got = float(models.rpv_susy_moment(lp, ml, A, M))
    assert got == pytest.approx(want, rel=1e-5, abs=0)
    assert 1e-16 < got < 1e-14
    assert abs(models.predict("rpv-susy").flavour_basis()[0, 1]) == pytest.approx(got, rel=1e-5,
                                                                               abs=0)


def test_spin_symmetry_suppresses_the_mass_by_ml2_over_mw2():
    """Barr-Freire-Zee: the naive Lambda^2 mu/(2 m_e mu_B) times m_l^2/M_W^2 (4.9e-4 for tau)."""
    naive = 1e22 * 1e-12 / (2 * ME)  # 100 GeV, 1e-12 mu_B
    got = float(models.spin_symmetry_mass(1e-12, 100 * GEV, MTAU))
    assert got == pytest.approx(naive * MTAU**2 / MW**2, rel=1e-4, abs=0)
    assert MTAU**2 / MW**2 == pytest.approx(4.89e-4, rel=0.01)


def test_lepton_number_millicharges_are_anomaly_free_and_feed_the_scattering():
    """Q + eps (L_e - L_mu): nu_e +eps, nu_mu -eps, nu_tau 0 (sum zero); the nu_e charge enters
    dsigma/dT through g_V -> g_V - sqrt2 pi alpha q/(G_F m_e T)."""
    q = models.lepton_number_millicharges(1e-12, ("e", "mu"))
    assert q == {"e": 1e-12, "mu": -1e-12, "tau": 0.0}
    assert sum(q.values()) == 0.0
    # the assignment feeds dsigma/dT; for a small charge the weak-photon interference is
    # linear in q, so nu_e (+eps) and nu_mu (-eps) get opposite-sign shifts of their own g_V
    small = models.lepton_number_millicharges(1e-15, ("e", "mu"))
    E, T = 1e6, 1e4
    em_e = float(electron.dsigma_dT(E, T, "e", q=small["e"])["em"])
    em_e_flip = float(electron.dsigma_dT(E, T, "e", q=-small["e"])["em"])
    assert em_e != 0.0
    assert em_e_flip == pytest.approx(-em_e, rel=2e-3, abs=0)
    em_tau = float(electron.dsigma_dT(E, T, "tau", q=small["tau"])["em"])
    assert em_tau == 0.0
    with pytest.raises(ValueError, match="pair"):
        models.lepton_number_millicharges(1e-12, ("e", "e"))


def test_sm_majorana_electric_transition_moments_m_minus_m():
    """Seminar, "Majorana scenario": mu_ij = -3 e G_F/(32 sqrt2 pi^2) (m_i +- m_j)
    sum_l U*_li U_lj m_l^2/m_W^2; the electric moments carry (m_i - m_j): zero for degenerate
    masses, antisymmetric, and "at most of order 1e-23 mu_B"."""
    from nuem import mixing

    m = np.array([0.0, 0.0087, 0.0502])
    U = mixing.nufit("NO").pmns()
    eps = sm.electric_transition_moments(m, U)
    GF = 1.1663788e-23
    S = sum(np.conj(U[l, :])[:, None] * U[l, :][None, :] * (mlep / MW) ** 2
            for l, mlep in enumerate((ME, 105.6583755e6, MTAU)))
    want = -3 * GF * ME / (16 * math.sqrt(2) * math.pi**2) * (m[:, None] - m[None, :]) * S
    np.testing.assert_allclose(eps, want, rtol=1e-4, atol=0)
    maj = sm.electric_transition_moments(m, U, majorana=True)
    np.testing.assert_allclose(maj, -maj.T, rtol=0, atol=1e-40)
    assert np.all(np.diag(maj) == 0)
    assert 1e-27 < np.abs(maj).max() < 1e-23
    degenerate = sm.electric_transition_moments([0.1, 0.1, 0.1], U)
    assert np.abs(degenerate).max() == 0.0


def test_sm_magnetic_transition_moments_m_plus_m_printed():
    """Seminar, "Majorana scenario", the (m_i + m_j) sign: off-diagonal Dirac transition
    moments -3 e G_F (m_i + m_j)/(32 sqrt2 pi^2) sum_l U*_li U_lj m_l^2/m_W^2 (mu_B: 2 m_e/e),
    and the Majorana ones 2i Im of it."""
    from nuem import mixing

    m = np.array([0.001, 0.0087, 0.0502])
    U = mixing.nufit("NO").pmns()
    GF = 1.1663788e-23
    S = sum(np.conj(U[l, :])[:, None] * U[l, :][None, :] * (mlep / MW) ** 2
            for l, mlep in enumerate((ME, 105.6583755e6, MTAU)))
    want = -3 * GF * ME / (16 * math.sqrt(2) * math.pi**2) * (m[:, None] + m[None, :]) * S
    got = sm.transition_moments(m, U)
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(got[off], want[off], rtol=1e-4, atol=0)
    maj = sm.transition_moments(m, U, majorana=True)
    np.testing.assert_allclose(maj[off], 2j * np.imag(want[off]), rtol=1e-4, atol=0)
