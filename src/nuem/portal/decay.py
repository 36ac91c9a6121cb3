"""Radiative decay N -> nu gamma through the dipole portal, and where N decays.

Width, in the internal (Magill) convention of :mod:`nuem.portal.model`:

    Gamma_Dirac    = sum_alpha d_alpha^2 m_N^3 / (4 pi)        (Magill et al. 2018, Eq. (3))
    Gamma_Majorana = 2 Gamma_Dirac                              (N -> nu gamma and nubar gamma)

Derivation (checked against the general transition-moment rate already in nuem,
:func:`nuem.astro.decay.decay_rate`, Giunti & Studenikin RMP 87, 531 (2015), Eq. (6.20)):
d nubar sigma P_R N = (1/2) nubar sigma (mu + eps gamma5) N with mu = eps = d, and
Gamma = (|mu|^2 + |eps|^2) m_N^3 / (8 pi) for a massless daughter.

Lab frame: a decay length lambda = beta gamma c tau = (p_N / m_N) / Gamma for N of energy
E_N; the probability to decay between distances L and L + Delta L is
exp(-L/lambda) (1 - exp(-Delta L/lambda)).

Units: masses and energies in eV, widths in eV, lengths in eV^-1 (convert with
:mod:`nuem.units`).
"""

from __future__ import annotations

import math

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, require_positive
from nuem.portal.model import DipolePortal, require_nonnegative


def width(m_N, d2, majorana: bool = False) -> np.ndarray:
    """Gamma(N -> nu gamma) [eV] for mass m_N [eV] and sum_alpha d_alpha^2 [eV^-2]
    (module docstring); broadcasts."""
    citations.register("Magill2018")
    m = require_positive("m_N", m_N, "eV")
    d2 = require_nonnegative("d2", d2, "eV^-2")
    g = d2 * m**3 / (4.0 * math.pi)
    return 2.0 * g if majorana else g


def portal_width(portal: DipolePortal) -> float:
    """Total width [eV] of a :class:`DipolePortal`."""
    return float(width(portal.m_N, portal.d2, portal.majorana))


def lifetime(m_N, d2, majorana: bool = False) -> np.ndarray:
    """Rest-frame lifetime tau = 1/Gamma [eV^-1]; infinite for d = 0."""
    g = width(m_N, d2, majorana)
    with np.errstate(divide="ignore"):
        return 1.0 / g


def decay_length(E_N, m_N, d2, majorana: bool = False) -> np.ndarray:
    """Lab decay length beta gamma c tau = sqrt(E_N^2 - m_N^2) / (m_N Gamma) [eV^-1]
    for an N of total energy E_N >= m_N [eV]."""
    E = require_positive("E_N", E_N, "eV")
    m = require_positive("m_N", m_N, "eV")
    if np.any(E < m):
        raise NuemValueError(f"E_N={np.min(E):g} eV must be >= m_N (the N total energy)")
    p = np.sqrt(np.clip(E**2 - m**2, 0.0, None))
    return p / m * lifetime(m, d2, majorana)


def probability_inside(decay_len, distance, length) -> np.ndarray:
    """Probability that N with lab decay length ``decay_len`` decays between ``distance``
    and ``distance + length`` from its production point (all lengths in the same unit):
    exp(-L/lambda) (1 - exp(-Delta L/lambda)); broadcasts."""
    lam = require_positive("decay_length", decay_len)
    L = require_nonnegative("distance", distance)
    dL = require_positive("length", length)
    return np.exp(-L / lam) * -np.expm1(-dL / lam)


def _decay_lengths(decay_len) -> np.ndarray:
    """Decay lengths > 0 (inf allowed: a stable N), else :class:`NuemValueError`."""
    lam = np.asarray(decay_len, float)
    if np.any(np.isnan(lam)) or np.any(lam <= 0):
        raise NuemValueError("decay_length must be > 0 (inf allowed)")
    return lam


def probability_inside_slab(decay_len, length) -> np.ndarray:
    """Probability that N produced uniformly along a slab of length L (along its direction)
    decays inside it: the average over the production point z of 1 - exp(-(L - z)/lambda),
    1 - (lambda/L)(1 - exp(-L/lambda)); lengths in one unit, lambda = inf gives 0.
    Written as 1 - (1 - e^-x)/x, x = L/lambda, with its series x/2 - x^2/6 + x^3/24 -
    x^4/120 below x = 1e-4 (no cancellation).  Limits: L/(2 lambda) for lambda >> L, 1 for
    lambda << L."""
    lam = _decay_lengths(decay_len)
    L = require_positive("length", length)
    x = L / lam
    small = x < 1e-4
    xs = np.where(small, 1.0, x)
    big = 1.0 + np.expm1(-xs) / xs
    series = x / 2.0 - x**2 / 6.0 + x**3 / 24.0 - x**4 / 120.0
    return np.where(small, series, big)

