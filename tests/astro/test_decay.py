"""Neutrino masses from the lightest one and the NuFIT 6.0 splittings, written out.

NuFIT 6.0 (Esteban et al., JHEP 12 (2024) 216, arXiv:2410.05380) quotes Delta m^2_3l =
Delta m^2_31 > 0 for normal ordering (m1 lightest) and Delta m^2_32 < 0 for inverted ordering
(m3 lightest), together with Delta m^2_21.  Hence, by hand:
  NO: m2 = sqrt(m1^2 + dm21),            m3 = sqrt(m1^2 + dm31);
  IO: m2 = sqrt(m3^2 + |dm32|),          m1 = sqrt(m2^2 - dm21) = sqrt(m3^2 + |dm31|),
      with |dm31| = |dm32| - dm21.
"""

from __future__ import annotations

import math

import pytest

from nuem import mixing
from nuem.astro import decay


@pytest.mark.parametrize("lightest", [0.0, 0.01, 0.05])
def test_inverted_ordering_masses_written_out(lightest):
    p = mixing.nufit("IO")
    dm21, dm32 = p.dm2_21, p.dm2_3l
    assert dm32 < 0
    m3 = lightest
    m2 = math.sqrt(m3**2 + abs(dm32))
    m1 = math.sqrt(m2**2 - dm21)
    assert m1 == pytest.approx(math.sqrt(m3**2 + abs(dm32) - dm21), rel=1e-14)
    got = decay.masses(lightest, "IO")
    # m1 and m2 differ by dm21/(2 m) ~ 1.5%: a tolerance of 1e-12 resolves that by far
    assert got.tolist() == pytest.approx([m1, m2, m3], rel=1e-12, abs=0 if lightest else 1e-15)
    assert got[1] ** 2 - got[0] ** 2 == pytest.approx(dm21, rel=1e-9)


@pytest.mark.parametrize("lightest", [0.0, 0.01])
def test_normal_ordering_masses_written_out(lightest):
    p = mixing.nufit("NO")
    m1 = lightest
    ref = [m1, math.sqrt(m1**2 + p.dm2_21), math.sqrt(m1**2 + p.dm2_3l)]
    assert decay.masses(lightest, "NO").tolist() == pytest.approx(
        ref, rel=1e-12, abs=0 if lightest else 1e-15)


def test_inverted_ordering_lifetime_of_nu2_to_nu1():
    """The nu2 -> nu1 line at m3 = 0: m2 = sqrt|dm32|, m1 = sqrt(|dm32| - dm21), photon energy
    (m2^2 - m1^2)/(2 m2) = dm21/(2 m2) (the lifetime then follows from decay_rate)."""
    p = mixing.nufit("IO")
    m2 = math.sqrt(abs(p.dm2_3l))
    m1 = math.sqrt(abs(p.dm2_3l) - p.dm2_21)
    line = {ln["decay"]: ln for ln in decay.cnb_lines(1e-12, 0.0, "IO")}["nu2 -> nu1 gamma"]
    assert line["m_heavy_eV"] == pytest.approx(m2, rel=1e-12)
    assert line["m_light_eV"] == pytest.approx(m1, rel=1e-12)
    assert line["photon_energy_eV"] == pytest.approx(p.dm2_21 / (2 * m2), rel=1e-9)
    assert line["lifetime_s"] == pytest.approx(float(decay.lifetime(1e-12, m2, m1)), rel=1e-12)
