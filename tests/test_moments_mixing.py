"""Moment matrices, effective moments and solar MSW probabilities: limits and identities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem import mixing, moments
from nuem._errors import NuemValueError
from nuem.units import MeV, keV, km


def test_pmns_unitary_and_nufit_values():
    p = mixing.nufit("NO")
    U = p.pmns()
    assert np.allclose(U @ U.conj().T, np.eye(3), atol=1e-14)
    assert abs(U[0, 2]) ** 2 == pytest.approx(0.02215)  # NuFIT 6.0 sin^2 theta13 (NO)
    assert mixing.nufit("IO").dm2_3l < 0


def test_solar_pee_vacuum_and_matter_limits():
    """Low energy (beta -> 0): P_ee -> c13^4 (1 - sin^2 2theta12 / 2) + s13^4 (vacuum average).
    High energy (beta >> 1, adiabatic): P_ee -> c13^4 s12^2 + s13^4."""
    p = mixing.nufit()
    c13, s13, s12 = 1 - p.s13sq, p.s13sq, p.s12sq
    vac = c13**2 * (1 - 0.5 * 4 * s12 * (1 - s12)) + s13**2
    assert mixing.solar_pee(1 * keV, "pp") == pytest.approx(vac, rel=1e-4)
    big = p.replace(dm2_21=1e-9)  # push deep into the matter-dominated regime
    assert mixing.solar_pee(10 * MeV, "8B", big) == pytest.approx(c13**2 * s12 + s13**2, rel=1e-3)


def test_vacuum_probability_limits():
    P0 = mixing.vacuum_probability(3 * MeV, 0.0, anti=True)
    assert np.allclose(P0, np.eye(3))
    P = mixing.vacuum_probability(np.array([2, 4, 6]) * MeV, 52.5 * km, anti=True)
    assert np.allclose(P.sum(axis=-1), 1) and np.allclose(P.sum(axis=-2), 1)


def test_borexino_form_is_special_case_theta13_zero():
    """With theta13 = 0 the general incoherent formula equals the Borexino flavour form
    (Borexino PRD 96, 091103 (2017), Eq. 2) exactly."""
    p = mixing.nufit().replace(s13sq=0.0)
    M = moments.MomentMatrix.flavour_diagonal(1.0, 2.5, -0.7, params=p)
    E = np.geomspace(0.05, 15, 25) * MeV
    for comp in ("pp", "7Be", "8B"):
        got = M.mu2_solar(E, comp, p)
        ref = moments.borexino_form(mixing.solar_pee(E, comp, p), 1.0, 2.5, -0.7, p.s23sq)
        assert np.allclose(got, ref, rtol=1e-12)


def test_borexino_form_approximate_with_theta13():
    """With the measured theta13 the two differ at O(s13) ~ 0.15 times the mu_tau - mu_mu
    interference; for these moments within 10%."""
    M = moments.MomentMatrix.flavour_diagonal(1.0, 2.5, -0.7)
    E = np.array([0.3, 0.86, 8.0]) * MeV
    ref = moments.borexino_form(mixing.solar_pee(E, "pp"), 1.0, 2.5, -0.7, mixing.nufit().s23sq)
    assert np.allclose(M.mu2_solar(E, "pp"), ref, rtol=0.10)


def test_universal_and_reactor_limits():
    M = moments.MomentMatrix.universal(3e-11)
    assert M.mu2_solar(np.array([0.3e6]), "pp") == pytest.approx(9e-22, rel=1e-12, abs=0)
    D = moments.MomentMatrix.flavour_diagonal(2.0, 5.0, 7.0)
    assert D.mu2_reactor() == pytest.approx(4.0, rel=1e-12)  # short baseline sees mu_e only
    assert D.mu2_coherent("mu") == pytest.approx(25.0, rel=1e-12)
    assert np.allclose(D.flavour_basis(), np.diag([2.0, 5.0, 7.0]), atol=1e-12)


def test_majorana_must_be_antisymmetric_and_roundtrip():
    with pytest.raises(NuemValueError, match="antisymmetric"):
        moments.MomentMatrix(np.eye(3), "majorana")
    lf = np.array([[0, 1, 2j], [-1, 0, 3], [-2j, -3, 0]], dtype=complex)
    M = moments.MomentMatrix.from_flavour(lf, "majorana")
    assert np.allclose(M.matrix, -M.matrix.T)
    assert np.allclose(M.flavour_basis(), lf, atol=1e-12)


def test_bad_inputs():
    with pytest.raises(NuemValueError, match="3x3"):
        moments.MomentMatrix(np.eye(2))
    with pytest.raises(NuemValueError, match="ordering='XO'"):
        mixing.nufit("XO")
    with pytest.raises(NuemValueError, match="component='9Li'"):
        mixing.solar_pee(1e6, "9Li")
    with pytest.raises(NuemValueError, match="x=r/R_sun"):
        mixing.solar_electron_density(1.5)
    assert math.isfinite(float(mixing.solar_electron_density(0.5)))


# --- the sign of delta_CP and the index structure of the solar effective moment -------
def _pdg_pmns_by_rotations(p):
    """PDG parametrisation U = R23 U13(delta) R12 built as a product of rotations (PDG
    Review "Neutrino masses, mixing and oscillations", Eq. (14.33)); U_e3 = s13 e^{-i delta}."""
    s12, s13, s23 = (math.sqrt(x) for x in (p.s12sq, p.s13sq, p.s23sq))
    c12, c13, c23 = (math.sqrt(1 - x) for x in (p.s12sq, p.s13sq, p.s23sq))
    R23 = np.array([[1, 0, 0], [0, c23, s23], [0, -s23, c23]], dtype=complex)
    U13 = np.array([[c13, 0, s13 * np.exp(-1j * p.delta)], [0, 1, 0],
                    [-s13 * np.exp(1j * p.delta), 0, c13]])
    R12 = np.array([[c12, s12, 0], [-s12, c12, 0], [0, 0, 1]], dtype=complex)
    return R23 @ U13 @ R12


@pytest.mark.parametrize("ordering", ["NO", "IO"])
def test_pmns_jarlskog_has_the_sign_of_sin_delta(ordering):
    """J = Im(U_mu3 U*_e3 U_e2 U*_mu2) = c12 s12 c23 s23 c13^2 s13 sin(delta) (PDG), written
    from the angles by hand.  NuFIT 6.0 delta = 212 deg (NO), 274 deg (IO): J < 0."""
    p = mixing.nufit(ordering)
    U = p.pmns()
    s12, s13, s23 = (math.sqrt(x) for x in (p.s12sq, p.s13sq, p.s23sq))
    c12, c13, c23 = (math.sqrt(1 - x) for x in (p.s12sq, p.s13sq, p.s23sq))
    J_ref = c12 * s12 * c23 * s23 * c13**2 * s13 * math.sin(p.delta)
    J = (U[1, 2] * U[0, 2].conj() * U[0, 1] * U[1, 1].conj()).imag
    assert J_ref < -0.015  # |J| ~ 0.033 |sin delta|; sizable for both orderings
    assert J == pytest.approx(J_ref, rel=1e-12)
    # and the whole matrix equals the product of rotations (entries of order 0.1-0.8)
    np.testing.assert_allclose(U, _pdg_pmns_by_rotations(p), rtol=0, atol=1e-14)


@pytest.mark.parametrize("ordering", ["NO", "IO"])
def test_appearance_probability_and_cp_asymmetry_written_out(ordering):
    """P(nu_mu -> nu_e) in vacuum at L = 1300 km, E = 2.5 GeV (DUNE) from the standard formula
    P = -4 sum_{i>j} Re(X_ij) sin^2(D_ij) + 2 sum_{i>j} Im(X_ij) sin(2 D_ij),
    X_ij = U*_mu i U_e i U_mu j U*_e j, D_ij = dm^2_ij L/(4E), with U from the rotations above;
    the antineutrino has U -> U*.  With sin(delta) < 0 (NuFIT NO and IO) P(nu) > P(nubar).
    Squared masses relative to m1: NuFIT's dm2_3l is dm31 (NO) or dm32 < 0 (IO), so
    m3^2 - m1^2 = dm31 (NO) or dm32 + dm21 (IO)."""
    from nuem.units import GeV

    p = mixing.nufit(ordering)
    U = _pdg_pmns_by_rotations(p)
    m2 = [0.0, p.dm2_21, p.dm2_3l if ordering == "NO" else p.dm2_3l + p.dm2_21]
    E, L = 2.5 * GeV, 1300 * km

    def prob(V):
        P = 0.0
        for i in range(3):
            for j in range(i):
                X = V[1, i].conj() * V[0, i] * V[1, j] * V[0, j].conj()
                D = (m2[i] - m2[j]) * L / (4 * E)
                P += -4 * X.real * math.sin(D) ** 2 + 2 * X.imag * math.sin(2 * D)
        return P

    P_nu, P_nubar = prob(U), prob(U.conj())
    assert P_nu > 1.2 * P_nubar  # delta = 212 (274) deg: a large CP asymmetry at this point
    got = mixing.vacuum_probability(E, L, p)[1, 0]
    got_bar = mixing.vacuum_probability(E, L, p, anti=True)[1, 0]
    assert float(got) == pytest.approx(P_nu, rel=1e-9)
    assert float(got_bar) == pytest.approx(P_nubar, rel=1e-9)


def test_solar_mu2_of_a_non_hermitian_dirac_matrix():
    """lambda_{jk} is the amplitude nu_k -> nu_j: a matrix whose only entry is lambda_{12} = 2
    (nu_2 -> nu_1) is seen only by the nu_2 fraction of the solar flux, mu^2 = 4 P_e2(E);
    its transpose (lambda_{21}: nu_1 -> nu_2) only by the nu_1 fraction, 4 P_e1(E)
    (Giunti & Studenikin, RMP 87, 531 (2015): mu_eff^2 = sum_k P_ek sum_j |lambda_jk|^2)."""
    lam = np.zeros((3, 3), dtype=complex)
    lam[0, 1] = 2.0
    E = np.array([0.3, 3.0, 8.0]) * MeV
    P = mixing.solar_mass_fractions(E, "8B")
    assert np.all(np.abs(P[:, 0] - P[:, 1]) > 0.1)  # the two answers differ by > 10%
    got = moments.MomentMatrix(lam).mu2_solar(E, "8B")
    np.testing.assert_allclose(got, 4.0 * P[:, 1], rtol=1e-12, atol=0)
    got_t = moments.MomentMatrix(lam.T).mu2_solar(E, "8B")
    np.testing.assert_allclose(got_t, 4.0 * P[:, 0], rtol=1e-12, atol=0)
    # a general non-Hermitian matrix: the column sums, written out
    rng = np.random.default_rng(7)
    lam = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    ref = sum(P[:, k] * sum(abs(lam[j, k]) ** 2 for j in range(3)) for k in range(3))
    np.testing.assert_allclose(moments.MomentMatrix(lam).mu2_solar(E, "8B"), ref, rtol=1e-12,
                               atol=0)


def test_bahcall_solar_electron_density():
    """n_e(r) = 245 N_A exp(-10.54 r/R_sun) cm^-3 (Bahcall, Neutrino Astrophysics (1989),
    Sec. 6.2), written out at the centre and at r = 0.5 R_sun."""
    from nuem import constants
    from nuem.units import cm

    x = np.array([0.0, 0.5])
    ref = 245.0 * constants.N_A * np.exp(-10.54 * x) / cm**3
    np.testing.assert_allclose(mixing.solar_electron_density(x), ref, rtol=1e-13, atol=0)


def test_solar_msw_mass_fractions_written_out():
    """Adiabatic MSW in the 1-3 decoupled form (Gonzalez-Garcia & Nir, RMP 75, 345 (2003),
    Sec. IV): beta = 2 c13^2 E sqrt2 G_F n_e / dm21, cos 2theta_m = (cos 2theta12 - beta) /
    sqrt((cos 2theta12 - beta)^2 + sin^2 2theta12), P_e1 = c13^2 <cos^2 theta_m>,
    P_e2 = c13^2 <sin^2 theta_m>, P_e3 = s13^2, averaged over the BS05(OP) 8B production zone
    (the shipped table, read through mixing.production_zone) with Bahcall's n_e written out.
    The energies span the MSW transition, where c13^2 in beta moves P_e1 by ~1%."""
    from nuem import constants
    from nuem.units import cm

    p = mixing.nufit()
    x, w = mixing.production_zone("8B")
    ne = 245.0 * constants.N_A * np.exp(-10.54 * x) / cm**3
    c13sq, c2 = 1 - p.s13sq, 1 - 2 * p.s12sq
    for E in np.array([1.0, 2.5, 5.0, 10.0]) * MeV:
        beta = 2 * c13sq * E * math.sqrt(2) * constants.G_F * ne / p.dm2_21
        cos2m = (c2 - beta) / np.sqrt((c2 - beta) ** 2 + 1 - c2**2)
        cm2 = np.trapezoid(w * 0.5 * (1 + cos2m), x)
        ref = [c13sq * cm2, c13sq * (1 - cm2), p.s13sq]
        got = mixing.solar_mass_fractions(np.array([E]), "8B")[0]
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)


def test_solar_mass_fractions_cache_returns_independent_equal_arrays():
    """A repeated call (served from the cache) equals the first and is a fresh array."""
    E = np.geomspace(0.1e6, 15e6, 7)
    a = mixing.solar_mass_fractions(E, "8B")
    b = mixing.solar_mass_fractions(E.copy(), "8B")
    np.testing.assert_array_equal(a, b)
    b[:] = -1.0
    np.testing.assert_array_equal(mixing.solar_mass_fractions(E, "8B"), a)
    assert not np.array_equal(mixing.solar_mass_fractions(E * 1.1, "8B"), a)
