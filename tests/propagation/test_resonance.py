"""Landau-Zener jump probability in nuem's normalisation, against the textbook form.

Landau (1932), Zener (1932): two levels with coupling g whose diagonal difference changes
at the constant rate beta cross with the jump probability P = exp(-2 pi g^2 / |beta|).
nuem writes it as exp(-pi gamma / 4) with the adiabaticity gamma = 2 (2 g)^2 / |beta|
(module docstring of nuem.propagation.resonance); the product must be the textbook form.
"""

from __future__ import annotations

import math

import numpy as np

from nuem.propagation import resonance


def test_landau_zener_textbook_form():
    g = np.array([1e-12, 2e-12, 4e-12])  # eV
    beta = 2e-23  # eV^2
    ref = np.exp(-2 * math.pi * g**2 / beta)
    assert np.all((ref > 1e-3) & (ref < 0.999))
    got = resonance.landau_zener(resonance.adiabaticity(g, beta))
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0)
    # adiabaticity alone, in the normalisation of the module docstring
    np.testing.assert_allclose(resonance.adiabaticity(g, -beta), 8 * g**2 / beta, rtol=1e-14,
                               atol=0)
