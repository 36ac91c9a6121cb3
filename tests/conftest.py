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
