"""Property tests of the naturalness bound (hypothesis) and input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nuem._errors import NuemValueError
from nuem.theory import naturalness as nat
from nuem.theory.eft import DiracEFT, evolution_matrix
from nuem.units import GeV

scales = st.floats(min_value=300.0, max_value=1e18)
masses = st.floats(min_value=1e-4, max_value=10.0)
rs = st.floats(min_value=-5.0, max_value=0.7)


@settings(max_examples=60, deadline=None)
@given(scale=scales, dm=masses, r=rs)
def test_bound_positive_and_linear_in_delta_m(scale, dm, r):
    b1 = float(nat.bound_eq4(scale * GeV, dm, r))
    b2 = float(nat.bound_eq4(scale * GeV, 2 * dm, r))
    assert b1 > 0 and b2 == pytest.approx(2 * b1, rel=1e-12, abs=0)


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(min_value=300.0, max_value=1e17), dm=masses)
def test_bound_tightens_with_scale(scale, dm):
    # leading log: the mixing grows with ln(Lambda/v), so the bound falls with Lambda
    assert float(nat.bound_eq4(2 * scale * GeV, dm)) < float(nat.bound_eq4(scale * GeV, dm))


@pytest.mark.parametrize("method", ["leading-log", "resummed", "running"])
def test_vectorised_equals_scalar(method):
    s = np.array([1e3, 3e4, 1e9, 1e15]) * GeV
    r = np.array([0.0, 1.0, -0.5, 0.2])
    vec = nat.bound(s, 1.0, r, method=method)
    scal = [float(nat.bound(a, 1.0, b, method=method)) for a, b in zip(s, r)]
    np.testing.assert_allclose(vec, scal, rtol=1e-12)


@pytest.mark.parametrize("method", ["leading-log", "resummed", "running"])
def test_evolution_is_identity_at_lambda(method):
    s = 5e3 * GeV
    np.testing.assert_allclose(evolution_matrix(s, s, method=method), np.eye(3), atol=1e-10)


@pytest.mark.parametrize("call, match", [
    (lambda: nat.bound(100 * GeV, 1.0), "scale Lambda=100 GeV must be > v"),
    (lambda: nat.bound(246 * GeV, 1.0), "scale"),
    (lambda: nat.bound(1e3 * GeV, 0.0), "delta_m=0 eV must be > 0"),
    (lambda: nat.bound(1e3 * GeV, -1.0), "delta_m"),
    (lambda: nat.bound(math.nan, 1.0), "scale=nan must be finite"),
    (lambda: nat.bound(1e3 * GeV, math.inf), "delta_m=inf must be finite"),
    (lambda: nat.bound(1e3 * GeV, 1.0, math.nan), "r=nan must be finite"),
    (lambda: nat.bound(1e3 * GeV, 1.0, method="nlo"), "method='nlo' is not one of"),
    (lambda: DiracEFT((1.0, 2.0), 1e3 * GeV), "three coefficients"),
    (lambda: DiracEFT((1.0, 2.0, 3.0), 1e3 * GeV).run(10e3 * GeV), "to="),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(NuemValueError, match=match):
        call()
