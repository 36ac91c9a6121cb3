"""Plasmon decay rates written out (Haft, Raffelt & Weiss, ApJ 425, 222 (1994), Eqs. (4), (7)):

    Gamma_SM,T = (sum_l C_V,l^2) G_F^2 Z K^6 / (48 pi^2 alpha w),
    Gamma_mu,T = mu^2 Z K^4 / (24 pi w),

with C_V,e = 1/2 + 2 s_W^2 and C_V,mu = C_V,tau = -1/2 + 2 s_W^2 (three flavours), mu in
Bohr magnetons times mu_B = e/(2 m_e), K^2 = w^2 - k^2.
"""

from __future__ import annotations

import math

import pytest

from nuem import constants
from nuem.astro import plasma


def test_plasmon_decay_rates_written_out():
    w, k, Z = 20e3, 8e3, 0.9  # eV
    K2 = w**2 - k**2
    s2 = constants.sin2w_MZ
    cv2 = (0.5 + 2 * s2) ** 2 + 2 * (-0.5 + 2 * s2) ** 2
    sm = cv2 * constants.G_F**2 * Z * K2**3 / (48 * math.pi**2 * constants.alpha * w)
    assert float(plasma.decay_rate_sm(w, k, Z)) == pytest.approx(sm, rel=1e-13, abs=0)
    mu = 1e-12
    mag = (mu * constants.mu_B) ** 2 * Z * K2**2 / (24 * math.pi * w)
    assert float(plasma.decay_rate_mu(mu, w, k, Z)) == pytest.approx(mag, rel=1e-13, abs=0)
