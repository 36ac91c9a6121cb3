"""Dipole-portal electron-recoil rates and the XENONnT SR0 refit (nuem.portal.rates).

References: at m_N -> 0 the portal rate for flavour-universal d equals nuem's own
magnetic-moment rate (Vogel & Engel 1989 cross section, the same flux, binding and
response) with mu = 2 d (the seminar's mu_nu); the d limit there equals nuem's mu limit
(`nuem limit xenonnt-2022`, XENONnT PRL 129, 161805 (2022) data) translated as
d = mu mu_B / 2.
"""

from __future__ import annotations

import numpy as np
import pytest

from nuem import constants
from nuem.detectors import experiments
from nuem.portal import rates
from nuem.portal import upscatter as up
from nuem.stats import limits as lim
from nuem.units import GeV, keV, MeV


def test_free_electron_kernel_matches_upscatter():
    E, T, m = 5 * MeV, np.array([10.0, 100.0, 1000.0]) * keV, 0.5 * MeV
    a = rates.dsigma_dT_over_d2(E, T, m)
    b = up.dsigma_dT(E, T, m, 1.0, "electron", outside="zero")
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    # below threshold: zero, no error
    assert np.all(rates.dsigma_dT_over_d2(0.1 * MeV, T, m) == 0.0)


def test_massless_limit_equals_nuem_magnetic_moment_spectrum():
    det = experiments.load("xenonnt-sr0")
    E_rec = np.linspace(1.0, 29.0, 15)
    mu = 1e-11  # mu_B
    ref = det.expected(E_rec, mu=mu)["em"]
    got = rates.recoil_spectrum(det, 1e-3, np.full(3, mu * constants.mu_B / 2), E_rec,
                                nodes=96)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=0)


def test_heavy_N_gives_no_recoils_in_a_30_keV_window():
    # Q^2_min ~ m^4 / (4 E^2) > 2 m_e T_max for m_N = 5 MeV and E <= 18.8 MeV (hep endpoint)
    det = experiments.load("xenonnt-sr0")
    got = rates.recoil_spectrum(det, 5 * MeV, np.array([1e-9, 0, 0]), np.linspace(1, 29, 5))
    assert np.all(got == 0.0)


def test_small_mass_limit_equals_translated_mu_limit():
    mu_lim = lim.upper_limit("xenonnt-2022", "mu").limit
    res = rates.d_limit("xenonnt-2022", [1e-6], flavour="universal")
    expected = mu_lim * constants.mu_B / 2 * GeV  # GeV^-1
    assert res["d_GeV_inv"][0] == pytest.approx(expected, rel=0.02, abs=0)
    # d_e alone: solar nu_e arrive as nu_e with P_ee ~ 0.55: weaker by ~ 1/sqrt(P_ee)
    res_e = rates.d_limit("xenonnt-2022", [1e-6], flavour="e")
    assert 1.2 < res_e["d_GeV_inv"][0] / res["d_GeV_inv"][0] < 1.5
