"""CEvNS: the nuclear weak charge and the normalisation at zero momentum transfer.

Reference, written out here: dsigma/dT = G_F^2 M / (4 pi) Q_W^2 (1 - T/E - M T/(2 E^2)) F^2
with the tree-level weak charge Q_W = N - (1 - 4 sin^2 theta_W) Z (Freedman, PRD 9, 1389
(1974); Kosmas et al., PRD 92, 013011 (2015), Eq. (1)); sin^2 theta_W = 0.23863(5) is the PDG
2024 low-energy MSbar value (Electroweak review, Sec. 10; ``constants.sin2w_0``).  At T = 1 meV the momentum transfer is
q R_n ~ 4e-4 for xenon, so F^2 = 1 - (q R)^2/5 + ... = 1 within 1e-7.
"""

from __future__ import annotations

import math

import pytest

from nuem import constants
from nuem.interactions import nucleus
from nuem.units import MeV


@pytest.mark.parametrize("Z,N", [(54, 77), (32, 40), (18, 22), (55, 78)])
def test_cevns_weak_charge_at_zero_recoil(Z, N):
    E, T = 10.0 * MeV, 1e-3  # eV
    M = (Z + N) * constants.m_u
    qw = N - (1.0 - 4.0 * constants.sin2w_0) * Z
    ref = constants.G_F**2 * M / (4 * math.pi) * qw**2 * (1 - T / E - M * T / (2 * E**2))
    # F^2 = 1 to 1e-7 at this recoil (module docstring); a sign error in Q_W is +13.6% (Xe)
    assert float(nucleus.dsigma_dT_cevns(E, T, Z, N)) == pytest.approx(ref, rel=1e-6, abs=0)


def test_xenon_weak_charge_number():
    """Q_W(131Xe) = 77 - (1 - 4 x 0.23863) x 54 = 74.544: the cross section relative to a
    nucleus of the same mass with sin^2 theta_W = 1/4 (Q_W = N) is (Q_W/N)^2."""
    s2 = 0.23863  # PDG 2024, sin^2 theta_W(0) MSbar, +-0.00005
    assert constants.sin2w_0 == pytest.approx(s2, rel=0, abs=5e-5)
    qw = 77 - (1 - 4 * s2) * 54
    E, T = 10.0 * MeV, 1e-3
    xe = float(nucleus.dsigma_dT_cevns(E, T, 54, 77))
    # the same nucleus with sin^2 theta_W = 1/4 has Q_W = N exactly
    n_only = float(nucleus.dsigma_dT_cevns(E, T, 54, 77, sin2w=0.25))
    assert qw == pytest.approx(74.544, rel=0, abs=1e-3)
    # rel 1e-5: the 5e-5 PDG uncertainty of sin^2 theta_W moves (Q_W/N)^2 by 1e-5 at most
    assert xe / n_only == pytest.approx((qw / 77) ** 2, rel=1e-5, abs=0)


def test_helm_form_factor_written_out():
    """Lewin & Smith 1996, Eqs. (4.7)-(4.11): F(q) = 3 j1(q R_n)/(q R_n) exp(-(q s)^2/2),
    R_n^2 = c^2 + (7/3) pi^2 a^2 - 5 s^2, c = 1.23 A^(1/3) - 0.60 fm, a = 0.52 fm, s = 0.9 fm;
    j1 from scipy.special.spherical_jn.  At q = 0.2-0.6 fm^-1 (xenon) F^2 falls to ~0.05."""
    from scipy.special import spherical_jn

    from nuem.units import fm

    A = 131
    c = 1.23 * A ** (1 / 3) - 0.60
    rn = math.sqrt(c**2 + 7 / 3 * math.pi**2 * 0.52**2 - 5 * 0.9**2)  # fm
    for q_fm in (0.2, 0.4, 0.6):
        x = q_fm * rn
        ref = 3 * spherical_jn(1, x) / x * math.exp(-0.5 * (q_fm * 0.9) ** 2)
        got = float(nucleus.helm_form_factor(q_fm / fm, A))
        assert got == pytest.approx(ref, rel=1e-10)


def test_magnetic_scattering_on_a_nucleus_is_coherent_in_Z_squared():
    """Vogel & Engel 1989; Kosmas et al. 2015, Eq. (5): (pi alpha^2/m_e^2) mu^2 Z^2 F^2 (1/T - 1/E),
    at a recoil where F = 1 to 1e-7."""
    E, T, mu = 10.0 * MeV, 1e-3, 1e-10
    ref = math.pi * constants.alpha**2 / constants.m_e**2 * mu**2 * 54**2 * (1 / T - 1 / E)
    got = float(nucleus.dsigma_dT_magnetic_nucleus(E, T, 54, 77, mu))
    assert got == pytest.approx(ref, rel=1e-6, abs=0)


def test_cevns_recoil_spectrum_carries_the_form_factor_squared():
    """At T = 10 keV on xenon (q = sqrt(2 M T) ~ 0.25 fm^-1, F^2 ~ 0.5) the cross section is
    the zero-recoil normalisation times (1 - T/E - M T/2E^2) F(q)^2, with F written out
    (Lewin & Smith 1996, as in test_helm_form_factor_written_out)."""
    from scipy.special import spherical_jn

    from nuem.units import fm, keV

    Z, N, E, T = 54, 77, 30.0 * MeV, 10.0 * keV
    A = Z + N
    M = A * constants.m_u
    q_fm = math.sqrt(2 * M * T) * fm
    c = 1.23 * A ** (1 / 3) - 0.60
    x = q_fm * math.sqrt(c**2 + 7 / 3 * math.pi**2 * 0.52**2 - 5 * 0.9**2)
    F = 3 * spherical_jn(1, x) / x * math.exp(-0.5 * (q_fm * 0.9) ** 2)
    assert 0.3 < F**2 < 0.8
    qw = N - (1.0 - 4.0 * constants.sin2w_0) * Z
    ref = constants.G_F**2 * M / (4 * math.pi) * qw**2 * (1 - T / E - M * T / (2 * E**2)) * F**2
    assert float(nucleus.dsigma_dT_cevns(E, T, Z, N)) == pytest.approx(ref, rel=1e-10, abs=0)
