"""Standard-Model predictions, radiative decay and plasmons against published numbers and
closed-form limits (issue 6).

* Fujikawa & Shrock, PRL 45, 963 (1980): mu = 3.20e-19 mu_B (m/eV).
* Raffelt, Stars as Laboratories (1996), Eq. (7.5) and the numerical form quoted in the
  issue: tau = 0.19 s (mu_B/mu)^2 (eV/m)^3.
* Bernabeu, Papavassiliou & Vidal, PRL 89, 101802 (2002): <r^2> = 4.1, 2.4, 1.5 x 1e-33 cm^2.
* Plasma frequency limits: 4 pi alpha n_e/m_e (non-degenerate, non-relativistic) and
  4 alpha p_F^2/(3 pi) (degenerate, relativistic); plasmon emissivity in the classical
  (T >> omega_p) and the degenerate (T << omega_p) limits, written out here.
* Haft, Raffelt & Weiss, ApJ 425, 222 (1994): Q_mu/Q_SM ~ 0.318 (10 keV/omega_p)^2 mu_12^2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import zeta

from nuem import constants
from nuem.astro import decay, plasma
from nuem.theory import sm
from nuem.units import cm, keV


def test_fujikawa_shrock_at_one_ev():
    assert sm.dirac_magnetic_moment(1.0) == pytest.approx(3.20e-19, rel=2e-3, abs=0)


def test_radiative_lifetime_normalisation():
    """0.19 s for mu = mu_B and m = 1 eV, scaling as mu^-2 m^-3."""
    assert decay.lifetime(1.0, 1.0) == pytest.approx(0.19, rel=0.01)
    assert decay.lifetime(1e-10, 0.1) == pytest.approx(0.19 * 1e20 * 1e3, rel=0.01)
    # with a light final state the phase space shrinks as ((m_i^2 - m_j^2)/m_i)^3
    r = decay.lifetime(1.0, 1.0, 0.5) / decay.lifetime(1.0, 1.0)
    assert r == pytest.approx(1.0 / 0.75**3, rel=1e-12)
    assert decay.photon_energy(1.0, 0.5) == pytest.approx(0.375)


def test_cnb_lines_follow_the_mass_splittings():
    lines = decay.cnb_lines(1e-12, lightest=0.05, ordering="NO")
    assert len(lines) == 3
    for ln in lines:
        mi, mj = ln["m_heavy_eV"], ln["m_light_eV"]
        assert ln["photon_energy_eV"] == pytest.approx((mi**2 - mj**2) / (2 * mi))
    io = decay.cnb_lines(1e-12, lightest=0.0, ordering="IO")
    assert {ln["decay"] for ln in io} == {"nu2 -> nu3 gamma", "nu1 -> nu3 gamma",
                                         "nu2 -> nu1 gamma"}


def test_sm_charge_radii_published_values():
    r2 = {f: v / cm**2 for f, v in sm.charge_radius().items()}
    assert r2["e"] == pytest.approx(4.1e-33, rel=0.02, abs=0)
    assert r2["mu"] == pytest.approx(2.4e-33, rel=0.02, abs=0)
    assert r2["tau"] == pytest.approx(1.5e-33, rel=0.02, abs=0)


def test_transition_moments_gim_and_majorana_structure():
    m = np.array([0.01, 0.015, 0.05])
    D = sm.transition_moments(m)
    M = sm.transition_moments(m, majorana=True)
    # diagonal: Fujikawa-Shrock; off-diagonal GIM-suppressed by m_tau^2/M_W^2
    # entries ~1e-21 mu_B: purely relative comparisons (atol=0)
    assert np.allclose(np.diag(D).real, sm.dirac_magnetic_moment(m), rtol=1e-12, atol=0)
    off = np.abs(D[~np.eye(3, dtype=bool)])
    assert np.all(off < (constants.m_tau / constants.M_W) ** 2 * D[2, 2].real)
    assert np.allclose(M, -M.T, rtol=1e-12, atol=0) and np.all(np.diag(M) == 0)
    with pytest.raises(ValueError, match="unitary"):
        sm.transition_moments(m, U=np.ones((3, 3)))
    with pytest.raises(ValueError, match="masses"):
        sm.transition_moments([-1.0, 0.0, 0.1])


def test_plasma_frequency_limits():
    T = 1e5  # K: non-relativistic electrons
    g = plasma.electron_gas(1e-3, T, 0.5)
    nr = 4 * math.pi * constants.alpha * g.n_e / constants.m_e
    assert g.omega_p**2 == pytest.approx(nr, rel=1e-4)
    assert g.degeneracy < -5
    g = plasma.electron_gas(1e12, 1e7, 0.5)
    pF = (3 * math.pi**2 * g.n_e) ** (1 / 3)
    assert g.omega_p**2 == pytest.approx(4 * constants.alpha * pF**2 / (3 * math.pi), rel=1e-3)
    assert g.v_star == pytest.approx(1.0, abs=1e-3)


def test_dispersion_limits():
    g = plasma.electron_gas(1e6, 1e8, 0.5)
    assert plasma.omega_transverse(0.0, g) == pytest.approx(g.omega_p, rel=1e-10)
    assert plasma.omega_longitudinal(0.0, g) == pytest.approx(g.omega_p, rel=1e-10)
    # relativistic plasma: asymptotic transverse mass^2 = 3/2 omega_p^2
    r = plasma.electron_gas(1e12, 1e7, 0.5)
    k = 300 * r.omega_p
    w = plasma.omega_transverse(k, r)
    assert (w**2 - k**2) / r.omega_p**2 == pytest.approx(1.5, rel=1e-2)


def test_residues_match_the_dispersion_relations():
    """The closed-form residues equal 1/(1 - dPi/dw^2) from the dispersion functions."""
    g = plasma.electron_gas(1e6, 1e8, 0.5)
    wp, v = g.omega_p, g.v_star
    for k in (0.3 * wp, wp, 3 * wp):
        w = float(plasma.omega_transverse(k, g))
        h = 1e-5 * w
        d = (plasma._pi_T(w + h, k, wp, v) - plasma._pi_T(w - h, k, wp, v)) / (4 * w * h)
        assert float(plasma.residue_transverse(k, g)) == pytest.approx(1 / (1 - d), rel=1e-7)
    for k in (0.3 * wp, 0.6 * wp):
        w = float(plasma.omega_longitudinal(k, g))
        h = 1e-5 * w
        d = (plasma._pi_L(w + h, k, wp, v) - plasma._pi_L(w - h, k, wp, v)) / (4 * w * h)
        assert float(plasma.residue_longitudinal(k, g)) == pytest.approx(1 / (1 - d), rel=1e-7)
    assert float(plasma.residue_transverse(0.0, g)) == pytest.approx(1.0)
    assert float(plasma.residue_longitudinal(0.0, g)) == pytest.approx(1.0)


def test_emissivity_classical_limit():
    """T >> omega_p, non-relativistic plasma (v_* -> 0).  Transverse: w^2 = k^2 + omega_p^2,
    Z = 1, so Q_T = mu^2 omega_p^4 zeta(3) T^3/(12 pi^3).  Longitudinal: w = omega_p for
    k < k_max = omega_p, Z = 1, K^2 = omega_p^2 - k^2, so
    Q_L(mu) = mu^2 omega_p^7 n_B(omega_p)/(360 pi^3) and
    Q_L(SM) = sum C_V^2 G_F^2 8 omega_p^9 n_B(omega_p)/(105 * 96 pi^4 alpha)."""
    g = plasma.electron_gas(1e-4, 1e7, 1.0)
    assert g.T / g.omega_p > 100 and g.v_star < 0.1
    mu = 1e-12
    m = plasma.emissivities_by_mode(g, mu)
    wp, mub = g.omega_p, mu * constants.mu_B
    assert m["T"][0] == pytest.approx(mub**2 * wp**4 * zeta(3) * g.T**3 / (12 * math.pi**3),
                                      rel=3e-2, abs=0)
    nb = 1.0 / math.expm1(wp / g.T)
    # the corrections are O(v_*^2) ~ 1e-2 (k_max, w_L(k) and Z_L all move by ~ v_*^2)
    assert m["L"][0] == pytest.approx(mub**2 * wp**7 * nb / (360 * math.pi**3), rel=2e-2, abs=0)
    cg = plasma._cv2() * constants.G_F**2
    assert m["L"][1] == pytest.approx(cg * 8 * wp**9 * nb / (105 * 96 * math.pi**4 * constants.alpha),
                                      rel=2e-2, abs=0)
    assert plasma.k_max_longitudinal(g) == pytest.approx(wp * (1 + 0.3 * g.v_star**2), rel=1e-4)
    assert plasma.emissivity(g, mu) == pytest.approx(m["T"][0] + m["L"][0], rel=1e-12, abs=0)


def test_emissivity_degenerate_limit():
    """T << omega_p: only k << omega_p contributes.  Transverse: w = omega_p + a_T k^2/(2 omega_p),
    a_T = 1 + v*^2/5, Q_T = mu^2 omega_p^4/(24 pi^3) sqrt(pi/2) (omega_p T/a_T)^(3/2) exp(-omega_p/T).
    Longitudinal: w^2 = omega_p^2 + (3/5) v*^2 k^2, so a_L = 3 v*^2/5 and one polarisation:
    Q_L = mu^2 omega_p^4/(48 pi^3) sqrt(pi/2) (omega_p T/a_L)^(3/2) exp(-omega_p/T)."""
    g = plasma.electron_gas(1e9, 1e7, 0.5)
    assert g.T / g.omega_p < 0.005 and g.degeneracy > 10
    mu = 1e-12
    m = plasma.emissivities_by_mode(g, mu)
    wp, mub = g.omega_p, mu * constants.mu_B
    common = mub**2 * wp**4 / math.pi**3 * math.sqrt(math.pi / 2) * math.exp(-wp / g.T)
    a_T, a_L = 1 + g.v_star**2 / 5, 0.6 * g.v_star**2
    # next order: relative corrections ~ 3 T/(a omega_p) ~ 2e-2
    assert m["T"][0] == pytest.approx(common / 24 * (wp * g.T / a_T) ** 1.5, rel=3e-2, abs=0)
    assert m["L"][0] == pytest.approx(common / 48 * (wp * g.T / a_L) ** 1.5, rel=3e-2, abs=0)


def test_longitudinal_branch_end():
    """w_L(k) -> k at k_max (Braaten & Segel's closed form), and the rate ratio
    Gamma_mu/Gamma_SM = 2 pi alpha mu^2/(sum C_V^2 G_F^2 K^2) holds for both modes."""
    g = plasma.electron_gas(1e6, 1e8, 0.5)
    kmax = plasma.k_max_longitudinal(g)
    k = kmax * (1 - 1e-7)
    assert float(plasma.omega_longitudinal(k, g)) == pytest.approx(k, rel=1e-6)
    with pytest.raises(ValueError, match="beyond the end"):
        plasma.omega_longitudinal(1.01 * kmax, g)
    mu = 1e-12
    for mode, kk in (("T", 2.0 * g.omega_p), ("L", 0.5 * kmax)):
        w = float(plasma.omega_transverse(kk, g) if mode == "T" else plasma.omega_longitudinal(kk, g))
        ratio = float(plasma.decay_rate_mu(mu, w, kk, 0.7, mode) / plasma.decay_rate_sm(w, kk, 0.7, mode))
        expect = (2 * math.pi * constants.alpha * (mu * constants.mu_B) ** 2
                  / (plasma._cv2() * constants.G_F**2 * (w * w - kk * kk)))
        assert ratio == pytest.approx(expect, rel=1e-12)
    with pytest.raises(ValueError, match="mode"):
        plasma.decay_rate_mu(mu, 1.0, 0.5, 1.0, "X")


def test_mu_over_sm_ratio_haft_raffelt_weiss():
    g = plasma.electron_gas(1e6, 1e8, 0.5)  # red-giant core near helium ignition
    assert g.omega_p / keV == pytest.approx(18.0, rel=0.05)
    r = plasma.emissivity_ratio(g, 1e-12)
    assert r == pytest.approx(0.318 * (10 * keV / g.omega_p) ** 2, rel=0.1)
    # at rest the rate is mu^2 omega_p^3/(24 pi)
    w = g.omega_p
    assert plasma.decay_rate_mu(1e-12, w, 0.0) == pytest.approx(
        (1e-12 * constants.mu_B) ** 2 * w**3 / (24 * math.pi), rel=1e-12, abs=0)


def test_trapping():
    assert plasma.decay_open(10e3, 4.9e3)
    assert not plasma.decay_open(10e3, 5.1e3)


def test_bad_inputs():
    with pytest.raises(ValueError, match="m_heavy"):
        decay.lifetime(1.0, -1.0)
    with pytest.raises(ValueError, match="below m_heavy"):
        decay.lifetime(1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="temperature"):
        plasma.electron_gas(1.0, 1e15)
    with pytest.raises(ValueError, match="density"):
        plasma.electron_gas(-1.0, 1e8)
    with pytest.raises(ValueError, match="ye"):
        plasma.electron_gas(1.0, 1e8, 1.5)
    with pytest.raises(ValueError, match="flavour"):
        sm.charge_radius("sterile")
    with pytest.raises(ValueError, match="ordering"):
        decay.masses(0.0, "XO")
