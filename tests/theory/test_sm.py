"""Standard-Model moments written out term by term (not taken from nuem.theory.sm).

* Fujikawa & Shrock, PRL 45, 963 (1980): mu = 3 e G_F m / (8 sqrt2 pi^2)
  = 3 G_F m_e m / (4 sqrt2 pi^2) mu_B, i.e. 3.20e-19 mu_B (m / 1 eV).
* Pal & Wolfenstein, PRD 25, 766 (1982); Giunti & Studenikin, RMP 87, 531 (2015),
  Eqs. (4.16)-(4.19): Dirac transition moments
  mu_ij = -3 G_F m_e (m_i + m_j)/(16 sqrt2 pi^2) sum_l U*_li U_lj m_l^2/M_W^2, and for
  Majorana neutrinos mu_ij^M = 2 i Im(mu_ij^D) (the real part cancels between the two
  charge-conjugate diagrams; the factor 2 is their sum).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem import constants, mixing
from nuem.theory import sm


def test_fujikawa_shrock_closed_form():
    m = np.array([0.01, 0.1, 1.0])
    ref = 3 * constants.G_F * constants.m_e * m / (4 * math.sqrt(2) * math.pi**2)
    np.testing.assert_allclose(sm.dirac_magnetic_moment(m), ref, rtol=1e-13, atol=0)
    # the often-quoted 3.2e-19 mu_B per eV (GS2015 Eq. (4.5)); 2 digits published
    assert float(sm.dirac_magnetic_moment(1.0)) == pytest.approx(3.2e-19, rel=0.016, abs=0)


def _dirac_sum(m, U):
    pref = -3 * constants.G_F * constants.m_e / (16 * math.sqrt(2) * math.pi**2)
    ml2 = [constants.m_e**2, constants.m_mu**2, constants.m_tau**2]
    out = np.zeros((3, 3), dtype=complex)
    for i in range(3):
        for j in range(3):
            s = sum(np.conj(U[l, i]) * U[l, j] * ml2[l] / constants.M_W**2 for l in range(3))
            out[i, j] = pref * (m[i] + m[j]) * s
    return out


def test_transition_moments_written_out_dirac_and_majorana():
    """Off-diagonal entries, term by term, for NuFIT 6.0 NO mixing (delta = 212 deg, so the
    imaginary parts are nonzero).  Entries are ~1e-30 mu_B: the comparison is purely
    relative (atol=0)."""
    m = np.array([0.01, 0.015, 0.05])
    U = mixing.nufit("NO").pmns()
    ref = _dirac_sum(m, U)
    off = ~np.eye(3, dtype=bool)
    D = sm.transition_moments(m, U)
    M = sm.transition_moments(m, U, majorana=True)
    np.testing.assert_allclose(D[off], ref[off], rtol=1e-10, atol=0)
    maj_ref = 2j * ref.imag
    assert np.all(np.abs(maj_ref[off]) > 0)
    np.testing.assert_allclose(M[off], maj_ref[off], rtol=1e-10, atol=0)
    np.testing.assert_array_equal(np.diag(M), 0)
    # Majorana = 2 i Im(Dirac), entry by entry, whatever the prefactor
    np.testing.assert_allclose(M[off], 2j * D[off].imag, rtol=1e-12, atol=0)


def test_majorana_transition_moments_vanish_for_real_mixing():
    """With CP-conserving (real) U the sum is real, so the Majorana moments vanish exactly."""
    U = mixing.nufit("NO").replace(delta=0.0).pmns()
    M = sm.transition_moments([0.01, 0.015, 0.05], U, majorana=True)
    D = sm.transition_moments([0.01, 0.015, 0.05], U)
    assert np.abs(D[0, 1]) > 0
    np.testing.assert_array_equal(M, 0)
