"""Dipole-portal conventions and N -> nu gamma.

References: Magill, Plestid, Pospelov, Tsai, PRD 98, 115015 (2018) [arXiv:1803.03262]
(Gamma = d^2 m_N^3 / (4 pi), Dirac N); Giunti & Studenikin, RMP 87, 531 (2015), Eq. (6.20)
(Gamma = (|mu|^2 + |eps|^2) m^3 / (8 pi)); the seminar (seeds/003) and Brdar et al.,
JCAP 01 (2021) 039 [arXiv:2007.15563]: L = (mu/2) nubar_L sigma N_R F.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem import constants
from nuem._errors import NuemValueError
from nuem.astro import decay as astro_decay
from nuem.portal import decay, model
from nuem.units import GeV, cm, meter

MASSES_GEV = [1e-6, 1e-3, 0.01, 0.1, 1.0]


def test_magill_width_formula_printed_in_the_paper():
    # Magill et al. 2018 print Gamma = d^2 m_N^3 / (4 pi) for Dirac N, d in GeV^-1
    for m in MASSES_GEV:
        d = 3e-7  # GeV^-1
        p = model.DipolePortal.from_gev(m, d, flavour="mu")
        expected_gev = d**2 * m**3 / (4.0 * math.pi)
        assert decay.portal_width(p) / GeV == pytest.approx(expected_gev, rel=1e-12, abs=0)


def test_seminar_and_brdar_convention_width_is_mu2_m3_over_16pi():
    # L = (1/2) mu nubar_L sigma N_R F: with mu = eps = mu/2 in Giunti-Studenikin's
    # general vertex (1/2) nubar sigma (mu + eps gamma5) N F, Gamma = 2 (mu/2)^2 m^3 / (8 pi)
    mu = 2e-9 * constants.mu_B  # 2e-9 mu_B in eV^-1
    for conv in ("seminar", "brdar"):
        d = model.to_internal(mu, conv)
        for m_gev in MASSES_GEV:
            m = m_gev * GeV
            assert float(decay.width(m, d**2)) == pytest.approx(mu**2 * m**3 / (16 * math.pi),
                                                                rel=1e-12, abs=0)


def test_width_equals_general_transition_moment_rate_in_nuem_astro():
    # nuem.astro.decay implements Gamma = mu_eff^2 m^3 / (8 pi) with mu_eff^2 = |mu|^2+|eps|^2
    # (Giunti-Studenikin Eq. 6.20); the chiral vertex d P_R has mu = eps = d.
    d = 1e-8 / GeV
    mu_eff_muB = math.sqrt(2.0) * d / constants.mu_B
    for m_gev in MASSES_GEV:
        m = m_gev * GeV
        ref = float(astro_decay.decay_rate(mu_eff_muB, m))
        assert float(decay.width(m, d**2)) == pytest.approx(ref, rel=1e-12, abs=0)
        assert float(decay.width(m, d**2, majorana=True)) == pytest.approx(2 * ref, rel=1e-12,
                                                                            abs=0)


@pytest.mark.parametrize("conv,factor", [("magill", 1.0), ("seminar", 2.0), ("brdar", 2.0),
                                         ("darknews-mu", 2.0), ("darknews-t", 1.0)])
def test_converters_factors_and_round_trip(conv, factor):
    d = np.array([1e-7, 0.0, 3e-6])  # GeV^-1 internal
    v = model.from_internal(d / GeV, conv, "GeV^-1")
    np.testing.assert_allclose(v, factor * d, rtol=1e-14, atol=0)
    np.testing.assert_allclose(model.to_internal(v, conv, "GeV^-1") * GeV, d, rtol=1e-14, atol=0)


def test_mu_B_unit_is_e_over_2_me():
    # 1 mu_B = e / (2 m_e) = sqrt(4 pi alpha) / (2 m_e) eV^-1 (Heaviside-Lorentz)
    mu_b = math.sqrt(4 * math.pi * constants.alpha) / (2 * constants.m_e)
    assert float(model.to_internal(1.0, "magill", "mu_B")) == pytest.approx(mu_b, rel=1e-12,
                                                                             abs=0)
    # 1 mu_B = 2.9e-7 GeV^-1... in d (Magill) a seminar mu of 1 mu_B is half of that
    assert float(model.to_internal(1.0, "seminar", "mu_B")) * GeV == pytest.approx(
        0.5 * mu_b * GeV, rel=1e-12, abs=0)


def test_decay_length_and_probability_closed_forms():
    m, E, d = 0.1 * GeV, 2.0 * GeV, 1e-6 / GeV
    gam = d**2 * m**3 / (4 * math.pi)
    lam = math.sqrt(E**2 - m**2) / m / gam
    assert float(decay.decay_length(E, m, d**2)) == pytest.approx(lam, rel=1e-12, abs=0)
    L, dL = 500 * meter, 20 * meter
    p = float(decay.probability_inside(lam, L, dL))
    assert p == pytest.approx(math.exp(-L / lam) - math.exp(-(L + dL) / lam), rel=1e-9, abs=0)
    # long-lived limit: probability -> dL / lambda
    assert float(decay.probability_inside(1e9 * lam, L, dL)) == pytest.approx(
        dL / (1e9 * lam), rel=1e-6, abs=0)
    # N at rest does not move
    assert float(decay.decay_length(m, m, d**2)) == 0.0
    assert lam / cm > 0


@pytest.mark.parametrize("bad", [dict(m=0.0), dict(m=-1.0), dict(m=float("nan")),
                                 dict(d=-1e-6), dict(d=float("nan"))])
def test_bad_input_raises(bad):
    with pytest.raises(NuemValueError):
        model.DipolePortal.from_gev(bad.get("m", 0.1), bad.get("d", 1e-6), flavour="e")


def test_unknown_flavour_and_convention_raise():
    with pytest.raises(NuemValueError, match="flavour"):
        model.flavour_vector(1.0, "sterile")
    with pytest.raises(NuemValueError, match="convention"):
        model.to_internal(1.0, "pdg")
    with pytest.raises(NuemValueError, match="E_N"):
        decay.decay_length(0.05 * GeV, 0.1 * GeV, 1.0)


def _dirac_matrices():
    """Chiral-basis gamma matrices, gamma5 and sigma^{mu nu} = (i/2)[g^mu, g^nu]."""
    s = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    z, one = np.zeros((2, 2)), np.eye(2)
    g = [np.block([[z, one], [one, z]]).astype(complex)]
    g += [np.block([[z, si], [-si, z]]).astype(complex) for si in s]
    g5 = 1j * g[0] @ g[1] @ g[2] @ g[3]
    sig = [[0.5j * (g[a] @ g[b] - g[b] @ g[a]) for b in range(4)] for a in range(4)]
    return g, g5, sig


@pytest.mark.parametrize("majorana", [False, True])
def test_width_from_explicit_dirac_traces(majorana):
    """N(p) -> nu(k') gamma(k) from L = d nubar_L sigma^{mu nu} N_R F_{mu nu} + h.c.,
    computed here from scratch: vertex 2 d sigma^{mu nu} k_mu P_R (F_{mu nu} of an outgoing
    photon gives i(k_mu eps*_nu - k_nu eps*_mu)), |M|^2 summed over the nu and photon
    polarisations (sum eps eps* -> -g, the vertex is transverse), averaged over N's spin,
    Gamma = |p_f| |M|^2 / (8 pi m^2).  A Majorana N decays also to the CP conjugate
    (nubar gamma) through the h.c. term, with the same rate.  This fixes the width
    independently of any paper or of DarkNews."""
    g, g5, sig = _dirac_matrices()
    eta = np.diag([1.0, -1.0, -1.0, -1.0])
    PR = (np.eye(4) + g5) / 2

    def slash(p):
        return sum(eta[a, a] * p[a] * g[a] for a in range(4))

    d = 2.5e-7 / GeV
    for m_gev in MASSES_GEV:
        m = m_gev * GeV
        e = m / 2
        p, k, kp = np.array([m, 0, 0, 0]), np.array([e, 0, 0, e]), np.array([e, 0, 0, -e])
        k_low = eta @ k
        V = [2 * d * sum(sig[a][nu] * k_low[a] for a in range(4)) @ PR for nu in range(4)]
        Vbar = [g[0] @ v.conj().T @ g[0] for v in V]
        msq = sum(-eta[nu, nu] * np.trace(slash(kp) @ V[nu] @ (slash(p) + m * np.eye(4))
                                          @ Vbar[nu]).real for nu in range(4))
        gamma = e / (8 * math.pi * m**2) * msq / 2
        gamma *= 2 if majorana else 1
        assert float(decay.width(m, d**2, majorana=majorana)) == pytest.approx(
            gamma, rel=1e-10, abs=0)
