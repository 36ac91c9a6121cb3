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


def test_solar_mass_fractions_cache_returns_independent_equal_arrays():
    """A repeated call (served from the cache) equals the first and is a fresh array."""
    E = np.geomspace(0.1e6, 15e6, 7)
    a = mixing.solar_mass_fractions(E, "8B")
    b = mixing.solar_mass_fractions(E.copy(), "8B")
    np.testing.assert_array_equal(a, b)
    b[:] = -1.0
    np.testing.assert_array_equal(mixing.solar_mass_fractions(E, "8B"), a)
    assert not np.array_equal(mixing.solar_mass_fractions(E * 1.1, "8B"), a)
