"""Invariants of the nu-e cross sections (hypothesis) and bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nuem._errors import NuemValueError
from nuem.interactions import atomic, electron as el, nucleus
from nuem.units import MeV, cm, keV

energies = st.floats(min_value=1e3, max_value=5e7)  # 1 keV .. 50 MeV
fractions = st.floats(min_value=1e-6, max_value=1.5)
flavours = st.sampled_from(el.FLAVOURS)


@settings(max_examples=200, deadline=None)
@given(E=energies, x=fractions, fl=flavours, anti=st.booleans(),
       mu=st.floats(0, 1e-9), r2=st.floats(-1e-31, 1e-31), q=st.floats(-1e-12, 1e-12))
def test_nonnegative_and_zero_above_tmax(E, x, fl, anti, mu, r2, q):
    T = x * float(el.t_max(E))
    r = el.dsigma_dT(E, T, fl, anti, mu=mu, r2=r2 * cm**2, q=q, above_tmax="zero")
    assert r["total"] >= 0 and r["sm"] >= 0
    if x > 1 + 1e-9:
        assert r["total"] == 0 and r["sm"] == 0 and r["em"] == 0


@settings(max_examples=50, deadline=None)
@given(E=energies, x=st.floats(1e-4, 1.0), perm=st.permutations(list(el.FLAVOURS)))
def test_flavour_label_order_irrelevant(E, x, perm):
    """Evaluating the flavours in any order gives the same per-flavour values."""
    T = x * float(el.t_max(E))
    ref = {f: float(el.dsigma_dT_weak(E, T, f)) for f in el.FLAVOURS}
    got = {f: float(el.dsigma_dT_weak(E, T, f)) for f in perm}
    assert got == ref
    assert ref["mu"] == ref["tau"]  # no charged current for mu, tau


@settings(max_examples=50, deadline=None)
@given(E=st.floats(1e5, 1e8), x=st.floats(1e-4, 1.5))
def test_cevns_nonnegative_zero_above_tmax(E, x):
    M = 131 * 931.494e6
    T = x * float(el.t_max(E, M))
    v = nucleus.dsigma_dT_cevns(E, T, 54, 77, above_tmax="zero")
    assert v >= 0
    if x > 1 + 1e-9:
        assert v == 0


def test_stepping_limits():
    """S(T) = 0 below the outermost shell, 1 above the K shell, and monotone."""
    T = np.geomspace(1, 1e5, 400)
    s = atomic.shells("xenon").stepping(T)
    assert s[0] == 0 and s[-1] == 1 and np.all(np.diff(s) >= 0)
    # 52 of 54 xenon electrons are open between the L1 edge (5.51 keV) and K (34.76 keV)
    assert atomic.shells("xenon").stepping(10e3) == pytest.approx(52 / 54)


def test_helm_form_factor_limits():
    """F(0) = 1 and the first zero sits where j1(q R_n) = 0, q R_n = 4.4934 (Lewin-Smith R_n)."""
    import math

    from nuem.units import fm

    assert nucleus.helm_form_factor(0.0, 131) == pytest.approx(1.0)
    c = 1.23 * 131 ** (1 / 3) - 0.60
    rn = math.sqrt(c**2 + 7 / 3 * math.pi**2 * 0.52**2 - 5 * 0.9**2) * fm
    assert abs(float(nucleus.helm_form_factor(4.493409 / rn, 131))) < 1e-6


@pytest.mark.parametrize("kwargs,match", [
    (dict(E=-1 * MeV, T=0.1 * MeV), "E=-1e\\+06 eV must be > 0"),
    (dict(E=1 * MeV, T=-1 * keV), "T=-1000 eV must be > 0"),
    (dict(E=1 * MeV, T=0.9 * MeV), "above the kinematic limit"),
    (dict(E=1 * MeV, T=0.1 * MeV, flavour="sterile"), "flavour='sterile' is not one of"),
    (dict(E=1 * MeV, T=0.1 * MeV, target="unobtainium"), "target='unobtainium' is not one of"),
    (dict(E=np.nan, T=0.1 * MeV), "must be finite"),
])
def test_bad_input_raises_clear_error(kwargs, match):
    kwargs.setdefault("flavour", "e")
    with pytest.raises(NuemValueError, match=match):
        el.dsigma_dT(**kwargs)


def test_csi_has_no_shell_table_error():
    with pytest.raises(NuemValueError, match="no atomic shell table"):
        el.dsigma_dT(1 * MeV, 10 * keV, "e", target="csi")
