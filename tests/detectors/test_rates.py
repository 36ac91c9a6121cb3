"""Event rates on bound electrons: the stepping factor multiplies the magnetic rate too.

Stepping approximation (Kopeikin et al. 1997; Chen et al., PLB 774, 656 (2017), Eq. (5)):
dR/dT on an atom = S(T) x the free-electron rate, for the weak and the magnetic terms alike.
Xenon at T = 5.3 keV: S = 50/54 (2p open at 4835.6/5161.5 eV, 2s at 5509.8 eV closed).
"""

from __future__ import annotations

import numpy as np

from nuem.detectors import rates
from nuem.sources.solar import SolarSource
from nuem.units import keV


def test_bound_rate_is_stepping_times_free_rate_for_the_magnetic_term():
    src = SolarSource(components=("pp", "7Be-861"))
    T = np.array([5.3 * keV, 40.0 * keV])
    S = np.array([50 / 54, 1.0])  # 34.76 keV (K) is below 40 keV: all 54 open
    free = rates.electron_recoil_rate(src, T, mu=1e-11, target="xenon", binding="free")
    bound = rates.electron_recoil_rate(src, T, mu=1e-11, target="xenon", binding="stepping")
    assert np.all(free["em"] > 0)
    np.testing.assert_allclose(bound["em"], S * free["em"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(bound["sm"], S * free["sm"], rtol=1e-12, atol=0)
