"""Millicharge in nu-e scattering: the sign of its interference with the weak amplitude.

Independent references (written out here, not taken from nuem):
* The neutrino charge form factor F(q^2) = e_nu + q^2 <r^2>/6 + ... (Giunti & Studenikin,
  RMP 87, 531 (2015), Sec. 3; Kouzakov & Studenikin, PRD 95, 055013 (2017)).  Photon
  exchange enters the amplitude as F(q^2)/q^2 with q^2 = -2 m_e T for a recoil T, so at a
  fixed T a millicharge e_nu acts exactly as a charge radius <r^2> = 6 e_nu / q^2 =
  -3 e_nu / (m_e T).  The charge-radius shift g_V -> g_V + sqrt(2) pi alpha <r^2>/(3 G_F)
  (GS2015) is pinned separately (tests/paper/test_published_scattering.py).
* The full cross section with g_V -> g_V - sqrt(2) pi alpha e_nu / (G_F m_e T), expanded
  into the SM term, the interference and the pure Coulomb term 2 pi alpha^2 e_nu^2 /
  (m_e T^2) [1 - T/E + T^2/(2E^2) - m_e T/(2E^2)] (GS2015, Sec. 7).
"""

from __future__ import annotations

import math

import pytest

from nuem import constants
from nuem.interactions import electron as el
from nuem.units import MeV, keV

GF, ME, ALPHA = constants.G_F, constants.m_e, constants.alpha


def _dsigma_written_out(E, T, q, g_v, g_a):
    """SM + interference + Coulomb terms of dsigma/dT for a millicharge q [e] (see module doc)."""
    y = T / E
    sm = GF**2 * ME / (2 * math.pi) * ((g_v + g_a) ** 2 + (g_v - g_a) ** 2 * (1 - y) ** 2
                                       - (g_v**2 - g_a**2) * ME * T / E**2)
    interference = -(math.sqrt(2) * ALPHA * GF * q / T) * (
        (g_v + g_a) + (g_v - g_a) * (1 - y) ** 2 - g_v * ME * T / E**2)
    coulomb = 2 * math.pi * ALPHA**2 * q**2 / (ME * T**2) * (
        1 - y + 0.5 * y**2 - ME * T / (2 * E**2))
    return sm + interference + coulomb


@pytest.mark.parametrize("q", [+1e-12, -1e-12])
@pytest.mark.parametrize("flavour", ["e", "mu"])
def test_millicharge_interference_sign_written_out(q, flavour):
    """At E = 1 MeV, T = 10 keV (q != 0, both signs) the cross section equals the expansion
    written out above; the interference is ~10% of the SM term, so a flipped sign is a
    ~20% error, far outside the 1e-12 rounding tolerance."""
    E, T = 1.0 * MeV, 10.0 * keV
    s2 = constants.sin2w_0
    g_a = -0.5 + (1.0 if flavour == "e" else 0.0)
    g_v = -0.5 + 2 * s2 + (1.0 if flavour == "e" else 0.0)
    ref = _dsigma_written_out(E, T, q, g_v, g_a)
    got = float(el.dsigma_dT_weak(E, T, flavour, q=q))
    sm = float(el.dsigma_dT_weak(E, T, flavour))
    assert abs(ref - sm) > 0.02 * sm  # the point is sensitive to the millicharge
    assert got == pytest.approx(ref, rel=1e-12, abs=0)


def test_millicharge_for_nu_e_at_positive_charge_lowers_the_rate():
    """For nu_e (g_V + g_A > 0) the interference is -sqrt2 alpha G_F q (...)/T: destructive for
    q > 0 at low T, constructive for q < 0 (with |q| small enough that the q^2 term is minor)."""
    E, T = 1.0 * MeV, 10.0 * keV
    sm = float(el.dsigma_dT_weak(E, T, "e"))
    assert float(el.dsigma_dT_weak(E, T, "e", q=1e-13)) < sm < float(el.dsigma_dT_weak(E, T, "e", q=-1e-13))


@pytest.mark.parametrize("T", [3.0 * keV, 30.0 * keV, 300.0 * keV])
def test_millicharge_equals_charge_radius_of_the_same_form_factor(T):
    """F(q^2) = e_nu + q^2 <r^2>/6: at a fixed T, e_nu is a charge radius -3 e_nu/(m_e T)."""
    E, q = 2.0 * MeV, 3e-13
    r2_equiv = -3.0 * q / (ME * T)
    for fl in ("e", "mu"):
        a = float(el.dsigma_dT_weak(E, T, fl, q=q))
        b = float(el.dsigma_dT_weak(E, T, fl, r2=r2_equiv))
        assert a == pytest.approx(b, rel=1e-12, abs=0)
