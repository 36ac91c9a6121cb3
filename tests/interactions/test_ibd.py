"""Inverse beta decay threshold, written out and against the published number.

E_th = ((m_n + m_e)^2 - m_p^2) / (2 m_p) = 1.806 MeV (Vogel & Beacom, PRD 60, 053003 (1999);
Strumia & Vissani, PLB 564, 42 (2003)); masses from nuem.constants (PDG 2024 / CODATA).
"""

from __future__ import annotations

import pytest

from nuem import constants
from nuem.interactions import ibd
from nuem.units import MeV


def test_ibd_threshold():
    ref = ((constants.m_n + constants.m_e) ** 2 - constants.m_p**2) / (2 * constants.m_p)
    assert float(ibd.threshold()) == pytest.approx(ref, rel=1e-13)
    # the published 1.806 MeV to its last digit (+-0.0005 MeV); 2 m_n in the denominator
    # would give 1.8036 MeV
    assert float(ibd.threshold()) / MeV == pytest.approx(1.806, rel=0, abs=5e-4)


def test_ibd_vanishes_below_threshold_and_not_above():
    th = float(ibd.threshold())
    for model in ("vogel-beacom", "strumia-vissani"):
        assert float(ibd.sigma_ibd(th * (1 - 1e-6), model=model)) == 0
        assert float(ibd.sigma_ibd(th * 1.01, model=model)) > 0
