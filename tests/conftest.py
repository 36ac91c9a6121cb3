from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip with a reason when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not found at {SHARED_DATA} (fresh clone without shared data)")
    return SHARED_DATA


# --- a guard against comparisons that cannot fail ---------------------------------------
# pytest.approx(x, rel=r) also accepts any value within abs=1e-12 of x.  For |x| far
# below 1e-12 (cross sections of 1e-45 cm^2, moments of 1e-19 mu_B, ...) the test passes
# whatever the code returns; 34 such comparisons were found in this suite once.  Every
# approx call in the tests goes through the check below, which makes an error of any
# call whose absolute slack, relative to its smallest nonzero expected value, exceeds both
# the stated rel and 1e-3 (|x| < 1e-9 at the defaults): pass abs= explicitly there
# (abs=0 for a purely relative comparison).
_APPROX = pytest.approx
_DEFAULT_ABS = 1e-12
_DEFAULT_REL = 1e-6
_LOOSEST = 1e-3


def _checked_approx(expected, rel=None, abs=None, nan_ok=False):
    if abs is None:
        values = list(expected.values()) if isinstance(expected, Mapping) else expected
        try:
            mags = np.abs(np.asarray(values, dtype=complex)).ravel()
        except (TypeError, ValueError):
            mags = np.array([])  # ragged or non-numeric containers: not checked
        mags = mags[(mags > 0) & np.isfinite(mags)]
        r = _DEFAULT_REL if rel is None else rel
        if mags.size and _DEFAULT_ABS / mags.min() > max(r, _LOOSEST):
            raise AssertionError(
                f"pytest.approx({mags.min():.3g}, rel={r:g}) with the default abs=1e-12 accepts "
                f"a relative error of {_DEFAULT_ABS / mags.min():.2g}; pass abs= explicitly "
                "(abs=0: purely relative)")
    return _APPROX(expected, rel=rel, abs=abs, nan_ok=nan_ok)


pytest.approx = _checked_approx


# --- the same guard for numpy's closeness tests ----------------------------------------
# np.allclose / np.isclose (default atol=1e-8) and np.testing.assert_allclose (atol=0 by
# default, but often given) accept |actual - desired| <= atol + rtol |desired|.  When atol
# is larger than every value compared (moments of 1e-25 mu_B, fluxes of 1e-56 eV^3, ...)
# that is true whatever the code returns.  A call from the tests whose atol exceeds the
# largest magnitude among both operands is therefore an error: pass atol=0 (purely
# relative) or an atol below the size of the values, with the reason.  Comparisons of
# exact zeros (both operands all zero) are allowed.  Calls from numpy itself and from the
# package pass through unchecked.
_TESTS_DIR = str(Path(__file__).resolve().parent)
_NP_ALLCLOSE, _NP_ISCLOSE = np.allclose, np.isclose
_NP_ASSERT_ALLCLOSE = np.testing.assert_allclose


def _check_atol(name: str, a, b, atol: float) -> None:
    import sys

    caller = sys._getframe(2).f_code.co_filename
    if not caller.startswith(_TESTS_DIR):
        return
    try:
        mags = np.concatenate([np.abs(np.asarray(a, dtype=complex)).ravel(),
                               np.abs(np.asarray(b, dtype=complex)).ravel()])
    except (TypeError, ValueError):
        return
    mags = mags[np.isfinite(mags)]
    scale = float(mags.max()) if mags.size else 0.0
    if atol > 0 and scale > 0 and atol >= scale:
        raise AssertionError(
            f"np.{name} with atol={atol:g} but the values compared are at most {scale:.3g}: "
            "the comparison cannot fail; pass atol=0 (purely relative) or an atol below the "
            "size of the values, with the reason")


def _checked_allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_atol("allclose", a, b, atol)
    return _NP_ALLCLOSE(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _checked_isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_atol("isclose", a, b, atol)
    return _NP_ISCLOSE(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _checked_assert_allclose(actual, desired, rtol=1e-07, atol=0, equal_nan=True, err_msg="",
                             verbose=True, **kw):
    _check_atol("testing.assert_allclose", actual, desired, atol)
    return _NP_ASSERT_ALLCLOSE(actual, desired, rtol=rtol, atol=atol, equal_nan=equal_nan,
                               err_msg=err_msg, verbose=verbose, **kw)


np.allclose = _checked_allclose
np.isclose = _checked_isclose
np.testing.assert_allclose = _checked_assert_allclose


# --- test layers ------------------------------------------------------------------------
# The default run is the fast layer: no numba or jax needed.  Tests marked ``slow`` (long
# physics checks, the report in a real browser, the slow tutorials) or ``kernels`` (the
# optional numba and jax kernels against numpy) run with --run-slow (or select them with
# -m, e.g. -m kernels).
def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow or kernels (the full suite)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow") or config.getoption("-m"):
        return
    skip = pytest.mark.skip(reason="slow or kernels layer: run with --run-slow")
    for item in items:
        if "slow" in item.keywords or "kernels" in item.keywords:
            item.add_marker(skip)
