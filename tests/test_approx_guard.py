"""The conftest guard against pytest.approx comparisons that cannot fail (see conftest)."""

from __future__ import annotations

import pytest


def test_approx_of_a_tiny_number_without_abs_is_an_error():
    with pytest.raises(AssertionError, match="pass abs= explicitly"):
        pytest.approx(1e-45, rel=1e-3)
    with pytest.raises(AssertionError, match="pass abs= explicitly"):
        pytest.approx([1.0, 3e-19])
    with pytest.raises(AssertionError, match="pass abs= explicitly"):
        pytest.approx({"sigma": 1e-45})


def test_explicit_abs_and_ordinary_magnitudes_pass_through():
    # abs=0: a purely relative comparison, which now fails for a value off by 2x
    assert 2e-45 != pytest.approx(1e-45, rel=1e-3, abs=0)
    assert 1.0005e-45 == pytest.approx(1e-45, rel=1e-3, abs=0)
    assert 1.0 + 1e-9 == pytest.approx(1.0)
    assert {"a": 1.0, "b": 2.0} == pytest.approx({"a": 1.0, "b": 2.0})


# --- numpy's closeness tests (conftest guard) ---------------------------------------------
import numpy as np  # noqa: E402


def test_allclose_with_default_atol_on_tiny_values_is_an_error():
    # the three comparisons the issue-25 audit found that cannot fail: a Majorana moment
    # x0.5 (1e-25 mu_B), the Dirac moments (1e-21 mu_B), a solar line rate (1e-56)
    with pytest.raises(AssertionError, match="cannot fail"):
        np.allclose(np.array([1e-25, 2e-25]), np.array([0.5e-25, 1e-25]))
    with pytest.raises(AssertionError, match="cannot fail"):
        np.allclose(np.array([3.2e-21]), 3.2e-21 * 1.5)
    with pytest.raises(AssertionError, match="cannot fail"):
        np.isclose(1e-56, 3e-56)
    with pytest.raises(AssertionError, match="cannot fail"):
        np.testing.assert_allclose([1e-30], [2e-30], atol=1e-20)


def test_numpy_comparisons_with_a_sensible_atol_pass_through():
    assert not np.allclose(np.array([1e-25]), np.array([0.5e-25]), atol=0)
    assert np.allclose(np.array([1e-25]), np.array([1e-25 * (1 + 1e-9)]), atol=0)
    assert np.allclose(np.eye(3), np.eye(3) + 1e-12)  # O(1) values: the default atol is fine
    assert np.isclose(0.0, 0.0)  # exact zeros: nothing to hide
    np.testing.assert_allclose([1.0, 2.0], [1.0, 2.0 + 1e-9], atol=1e-6)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose([1e-30], [2e-30], atol=0)
