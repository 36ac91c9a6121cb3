"""Matter potentials with neutrons present, against closed forms written out here.

* Wolfenstein potentials in neutral matter (Wolfenstein, PRD 17, 2369 (1978); Lim &
  Marciano, PRD 37, 1368 (1988), Eq. (3)): V_CC = sqrt2 G_F n_e for nu_e,
  V_NC = -G_F n_n / sqrt2 for every active flavour; a Dirac nu_R is sterile (no potential).
* One Dirac flavour in constant matter and field (two levels, Rabi):
  P(L -> R) = (2 mu B)^2 / ((2 mu B)^2 + D^2) sin^2(sqrt((2 mu B)^2 + D^2) L / 2),
  D = H_LL - H_RR = V_CC + V_NC (Akhmedov, PLB 213, 64 (1988)).
* Hydrogen (mass fraction X) plus helium-4 (1 - X): per nucleon mass, n_e ~ X + (1-X)/2,
  n_n ~ (1-X)/2, so n_n/n_e = (1 - X)/(1 + X); X = 0.7381 (Asplund et al., ARA&A 47, 481
  (2009), Table 4, present-day photosphere).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem import constants, mixing
from nuem.propagation import System, profiles, propagate
from nuem.units import MeV, cm, km, tesla


def test_dirac_right_handed_states_have_no_potential():
    ne, nn = 1e9, 0.7e9  # eV^3
    vcc = math.sqrt(2) * constants.G_F * ne
    vnc = -constants.G_F * nn / math.sqrt(2)
    v = System(3).potential(ne, nn)
    np.testing.assert_allclose(v[:3], [vcc + vnc, vnc, vnc], rtol=1e-14, atol=0)
    np.testing.assert_array_equal(v[3:], 0.0)
    vm = System(3, majorana=True).potential(ne, nn)  # nu-bar: opposite sign
    np.testing.assert_allclose(vm[3:], [-(vcc + vnc), -vnc, -vnc], rtol=1e-14, atol=0)


@pytest.mark.parametrize("method,kw", [("exact-constant", {}), ("magnus", dict(steps=200))])
def test_rabi_formula_with_neutrons(method, kw):
    """Y_e = 0.5 (n_n = n_e): D = V_CC + V_NC = V_CC / 2.  Giving nu_R the neutral-current
    potential too would make D = V_CC and change P from about 0.60 to 0.82 at 1 MeV."""
    rho, B, mu, L = 300.0, 3e4 * tesla, 1e-11, 800 * km
    sysm = System(1, moments=mu)
    prof = profiles.constant(L, rho, 0.5, b_perp=B)
    ne = rho * 0.5 * constants.N_A / cm**3  # n_e = rho Y_e N_A
    nn = ne
    D = math.sqrt(2) * constants.G_F * ne - constants.G_F * nn / math.sqrt(2)
    g2 = (2 * mu * constants.mu_B * B) ** 2
    p = g2 / (g2 + D**2) * math.sin(math.sqrt(g2 + D**2) * L / 2) ** 2
    assert 0.05 < p < 0.95
    r = propagate(sysm, prof, np.array([1.0 * MeV]), method, **kw)
    # measured |error| 6e-15 (exact-constant) and 9e-16 (magnus: H is constant, so each
    # step is exact); 1e-10 leaves room for other BLAS/LAPACK builds
    np.testing.assert_allclose(r.probability("nu_e_L", "nu_e_R"), p, rtol=1e-10, atol=0)


def test_sun_neutron_to_electron_ratio():
    X = 0.7381  # Asplund et al. 2009
    ratio = (1 - X) / (1 + X)  # = 0.15068
    assert ratio == pytest.approx(0.15068, rel=0, abs=1e-5)
    prof = profiles.sun()
    x = np.linspace(prof.start, prof.end, 7)
    ne, nn, _, _ = prof.evaluate(x)
    np.testing.assert_allclose(nn / ne, ratio, rtol=1e-13, atol=0)
    np.testing.assert_allclose(ne, mixing.solar_electron_density(x / prof.end), rtol=1e-13, atol=0)


def test_supernova_pre_explosion_density_profile():
    """Dighe & Smirnov (2000), Sec. II: rho = rho0 (r0/r)^3, here rho0 = 1e10 g/cm^3 at 100 km;
    Y_e = 0.46 in the core and 0.5 outside, joined by 0.5 (1 + tanh((r - 1500 km)/20 km))."""
    from nuem.units import km

    prof = profiles.supernova("pre-explosion")
    r_km = np.array([200.0, 1500.0, 5000.0])
    ye = 0.46 + 0.04 * 0.5 * (1 + np.tanh((r_km - 1500.0) / 20.0))
    rho = 1e10 * (100.0 / r_km) ** 3
    ne, nn, _, _ = prof.evaluate(r_km * km)
    np.testing.assert_allclose(ne, rho * ye * constants.N_A / cm**3, rtol=1e-12, atol=0)
    np.testing.assert_allclose(nn, rho * (1 - ye) * constants.N_A / cm**3, rtol=1e-12, atol=0)


@pytest.mark.parametrize("majorana", [False, True])
def test_field_coupling_blocks_are_lambda_and_its_adjoint(majorana):
    """<R_b|H|L_a> = lambda_ba mu_B B_perp and, H being Hermitian, <L_a|H|R_b> = its complex
    conjugate (Lim & Marciano 1988; Akhmedov 1988), for a complex moment matrix (Dirac: any;
    Majorana: antisymmetric)."""
    lam = np.array([[0.3, 1.0 + 0.5j, -0.2j], [0.7, -0.4, 2.0], [0.1j, 0.9, 1.1]])
    if majorana:
        lam = lam - lam.T
    B = 1e4 * tesla
    K = System(3, majorana=majorana, moments=lam).k_matrix(1e9, 5e8, B, 0.0)
    np.testing.assert_allclose(K[3:, :3], lam * constants.mu_B * B, rtol=1e-14, atol=0)
    np.testing.assert_allclose(K[:3, 3:], np.conj(lam.T) * constants.mu_B * B, rtol=1e-14,
                               atol=0)
    np.testing.assert_allclose(K, np.conj(K.T), rtol=1e-14, atol=0)
