"""Inverse beta decay nu-bar_e p -> e+ n, for reactor flux normalisation checks.

Zeroth order in 1/M (Vogel & Beacom, PRD 60, 053003 (1999), Eq. (11)-(12)):
sigma = 0.0952e-42 cm^2 (E_e p_e / MeV^2), E_e = E - (m_n - m_p), p_e = sqrt(E_e^2 - m_e^2);
the 0.0952 prefactor corresponds to the neutron lifetime used there.  Zero below threshold
E_th = ((m_n + m_e)^2 - m_p^2) / (2 m_p) = 1.806 MeV.
"""

from __future__ import annotations

import numpy as np

from nuem import citations, constants
from nuem._errors import require_positive
from nuem.units import MeV, cm

SIGMA0 = 0.0952e-42 * cm**2 / MeV**2  # Vogel & Beacom 1999, Eq. (12)


def threshold() -> float:
    """IBD threshold neutrino energy [eV]."""
    return ((constants.m_n + constants.m_e) ** 2 - constants.m_p**2) / (2.0 * constants.m_p)


def sigma_ibd(E) -> np.ndarray:
    """IBD cross section [eV^-2] at antineutrino energy E [eV] (zeroth order)."""
    citations.register("VogelBeacom1999")
    E = require_positive("E", E, "eV")
    ee = E - (constants.m_n - constants.m_p)
    pe = np.sqrt(np.clip(ee**2 - constants.m_e**2, 0.0, None))
    return np.where(E >= threshold(), SIGMA0 * ee * pe, 0.0)
