"""Standard-Model predictions for neutrino electromagnetic properties.

Dirac magnetic moment of a neutrino of mass m in the SM extended with right-handed
neutrinos, at one loop (K. Fujikawa, R. E. Shrock, PRL 45, 963 (1980); the formula as
quoted in Eq. (1) of A. G. Beda et al. (GEMMA), arXiv:0705.4576):

    mu = 3 e G_F m / (8 sqrt(2) pi^2) = [3 G_F m_e m / (4 sqrt(2) pi^2)] mu_B,

using mu_B = e / (2 m_e).  Masses in eV (natural units), result in Bohr magnetons.
"""

from __future__ import annotations

import math

import numpy as np

from nuem import citations, constants
from nuem._errors import require_positive


def dirac_magnetic_moment(m_nu) -> np.ndarray:
    """|mu_nu| / mu_B for a Dirac neutrino of mass ``m_nu`` [eV] (> 0), vectorised."""
    citations.register("FujikawaShrock1980")
    m = require_positive("m_nu", m_nu, "eV")
    return 3.0 * constants.G_F * constants.m_e * m / (4.0 * math.sqrt(2.0) * math.pi**2)
