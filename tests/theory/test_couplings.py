"""One-loop SM running against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem import constants
from nuem._errors import NuemValueError
from nuem.theory.couplings import SMCouplings, default_running
from nuem.units import GeV


@pytest.mark.parametrize("mu_gev", [246.0, 1e4, 1e10, 1e18])
def test_gauge_couplings_match_one_loop_closed_form(mu_gev):
    # One loop: 1/alpha_i(mu) = 1/alpha_i(M_Z) - b_i/(2 pi) ln(mu/M_Z), b = (41/6, -19/6, -7)
    # (Machacek & Vaughn 1983; e.g. PDG 2024 "Grand Unified Theories" review).
    sm = default_running()
    g1, g2, g3, _, _ = sm.state(mu_gev * GeV)
    L = math.log(mu_gev * GeV / constants.M_Z)
    for g, g0, b in zip((g1, g2, g3), sm.g0, (41 / 6, -19 / 6, -7.0)):
        inv0 = 4 * math.pi / g0**2
        assert 4 * math.pi / float(g) ** 2 == pytest.approx(inv0 - b / (2 * math.pi) * L, rel=1e-9)


def test_top_yukawa_matches_msbar_mass():
    sm = default_running()
    yt = float(sm.state(constants.m_t_msbar)[3])
    assert yt == pytest.approx(math.sqrt(2) * constants.m_t_msbar / constants.v_higgs, rel=1e-9)


def test_higgs_quartic_turns_negative_at_high_scale():
    # SM vacuum metastability: lambda turns negative far below the Planck scale (Buttazzo et
    # al. 2013, Fig. 1: near 1e10 GeV at NNLO; pure one-loop running crosses earlier, ~1e7 GeV).
    lam = SMCouplings().state(np.array([1e4, 1e12]) * GeV)[4]
    assert lam[0] > 0 > lam[1]


def test_running_refuses_to_extrapolate():
    with pytest.raises(NuemValueError, match="outside the running range"):
        default_running().state(10 * GeV)


def test_one_loop_beta_functions_written_out():
    """16 pi^2 dX/dln mu at an arbitrary point, term by term (Machacek & Vaughn 1983-85, in the
    SM normalisation of Buttazzo et al., arXiv:1307.3536, App. A, one-loop terms):
    g1: 41/6 g1^3; g2: -19/6 g2^3; g3: -7 g3^3;
    y_t: y_t (9/2 y_t^2 - 8 g3^2 - 9/4 g2^2 - 17/12 g1^2);
    lambda: 24 l^2 - 6 y_t^4 + 12 l y_t^2 - 3 l (3 g2^2 + g1^2) + 3/8 (2 g2^4 + (g2^2 + g1^2)^2)."""
    from nuem.theory.couplings import beta_one_loop

    g1, g2, g3, yt, la = 0.36, 0.65, 1.2, 0.95, 0.13
    ref = np.array([
        41 / 6 * g1**3,
        -19 / 6 * g2**3,
        -7 * g3**3,
        yt * (9 / 2 * yt**2 - 8 * g3**2 - 9 / 4 * g2**2 - 17 / 12 * g1**2),
        24 * la**2 - 6 * yt**4 + 12 * la * yt**2 - 3 * la * (3 * g2**2 + g1**2)
        + 3 / 8 * (2 * g2**4 + (g2**2 + g1**2) ** 2),
    ]) / (16 * math.pi**2)
    got = beta_one_loop(np.array([g1, g2, g3, yt, la]))
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0)
