"""UHE Primakoff production in ice (nuem.portal.uhe).

Independent checks: scipy.quad of the differential cross section (written with the
Tsai 1974 Eq. (3.38) screening factor again here) against the module's Gauss-Legendre
total at three energies; the double-bang column probability against direct numerical
integration over the production depth; the event count against a quad over energy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from nuem._errors import NuemValueError
from nuem.portal import decay, model, uhe
from nuem.portal import upscatter as up
from nuem.units import GeV, cm, meter, second, year


@pytest.mark.parametrize("E_GeV", [1e6, 1e8, 1e11])
def test_cross_section_against_numerical_integration_of_the_differential(E_GeV):
    E, m, d = E_GeV * GeV, 0.5 * GeV, 1e-6 / GeV
    total = 0.0
    for part, mult, name in (("oxygen", 1, "oxygen"), ("hydrogen", 2, "proton")):
        lo, hi = up.q2_range(E, m, name)

        # Simpson's rule on 200001 points in ln Q^2 (a different rule and grid from the
        # module's composite Gauss-Legendre)
        x = np.linspace(math.log(lo), math.log(hi), 200_001)
        q2 = np.exp(x)
        total += mult * integrate.simpson(uhe.dsigma_dQ2_ice(E, q2, m, d, part) * q2, x=x)
    assert float(uhe.sigma_h2o(E, m, d)) == pytest.approx(total, rel=1e-6, abs=0)


def test_screening_factor_is_tsai_and_saturates_the_log():
    # Tsai 1974 Eq. (3.38): a = 184.15 exp(-1/2) Z^-1/3 / m_e
    me = 0.51099895e6  # eV
    a = 184.15 * math.exp(-0.5) * 8 ** (-1 / 3) / me
    q2 = 1.0 / a**2
    assert float(uhe.screening(q2, 8)) == pytest.approx(0.25, rel=1e-9, abs=0)
    # complete screening: sigma independent of E once Q_min << 1/a
    s6, s11 = (float(uhe.sigma_h2o(x * GeV, 0.01 * GeV, 1e-6 / GeV)) for x in (1e6, 1e11))
    assert s6 == pytest.approx(s11, rel=1e-6, abs=0)
    # screening only removes cross section
    assert float(up.sigma(1e6 * GeV, 0.01 * GeV, 1e-6 / GeV, "oxygen")) > s6 / 1.0 - 2 * float(
        up.sigma(1e6 * GeV, 0.01 * GeV, 1e-6 / GeV, "proton"))


@pytest.mark.parametrize("lam", [3.0, 300.0, 3e5])
def test_column_probability_closed_form(lam):
    L, s = 1000.0, 10.0
    ref = integrate.quad(lambda x: math.exp(-s / lam) - math.exp(-(L - x) / lam), 0, L - s,
                         epsrel=1e-12)[0]
    assert float(uhe.column_probability(lam, L, s)) == pytest.approx(ref, rel=1e-8, abs=0)


def test_double_bang_count_against_quad_over_energy():
    p = model.DipolePortal.from_gev(1.0, 1e-5, flavour="mu")
    flux = uhe.PowerLawFlux(norm=1e-24, index=2.0, e_ref=1e8)
    got = uhe.double_bang_count(p, flux, n_energy=257)["events"]
    n_h2o = 0.917 * 6.02214076e23 / (2 * 1.008 + 15.999)  # per cm^3

    def f(lnE):
        E = math.exp(lnE) * GeV
        sig = float(uhe.sigma_h2o(E, p.m_N, p.d[1])) / cm**2
        lam = float(decay.decay_length(E, p.m_N, p.d2)) / meter
        return 1e-24 * (math.exp(lnE) / 1e8) ** -2 * math.exp(lnE) * n_h2o * sig * float(
            uhe.column_probability(lam, 1000.0, 10.0)) * 100.0  # m -> cm
    ref = integrate.quad(f, math.log(1e6), math.log(1e11), epsrel=1e-8, limit=200)[0]
    ref *= 1e10 * 2 * math.pi * 10 * year / second  # area cm^2, sr, 10 years in s
    assert got == pytest.approx(ref, rel=2e-3, abs=0)


def test_bad_energy_raises():
    with pytest.raises(NuemValueError, match="ultra-high-energy"):
        uhe.sigma_h2o(1e3 * GeV, 0.1 * GeV, 1e-6 / GeV)
