"""Benchmarks for nuem.  Run all with:  python benchmarks/run.py

Each benchmark prints its time and the ratio to a straightforward baseline measured in
the same run, plus the largest disagreement between the two.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from nuem import constants
from nuem.theory import naturalness as nat
from nuem.theory.couplings import default_running
from nuem.theory.eft import _propagator_W, gamma_at
from nuem.units import GeV, TeV


def _baseline_running_bound(scales: np.ndarray) -> np.ndarray:
    """One solve_ivp per Lambda of dC/dlnmu = -gamma^T C from Lambda down to v (r = 0)."""
    sm = default_running()
    out = []
    for s in scales:
        sol = solve_ivp(lambda t, c: -gamma_at(sm, math.exp(t)).T @ c,
                        (math.log(s), math.log(constants.v_higgs)), [0.5, 0.5, 0.0],
                        method="DOP853", rtol=1e-10, atol=1e-14)
        c = sol.y[:, -1]
        out.append(8 * constants.m_e * abs((c[0] + c[1]) / c[2]) / constants.v_higgs**2)
    return np.array(out)


def bench_running_scan(n: int = 200) -> None:
    scales = np.geomspace(1 * TeV, 1e16 * GeV, n)
    default_running()._dense  # coupling table built once in both cases
    t0 = time.perf_counter()
    base = _baseline_running_bound(scales)
    t_base = time.perf_counter() - t0
    _propagator_W.cache_clear()  # include the one propagator solve in nuem's time
    t0 = time.perf_counter()
    fast = nat.bound(scales, 1.0, 0.0, method="running")
    t_fast = time.perf_counter() - t0
    err = np.max(np.abs(fast / base - 1))
    print(f"running-method scan, {n} scales 1 TeV-1e16 GeV: baseline (one ODE per scale) "
          f"{t_base:.3f} s, nuem (one propagator ODE) {t_fast:.3f} s, "
          f"speed-up x{t_base / t_fast:.1f}, max rel. difference {err:.1e}")


def bench_resummed_vectorised(n: int = 20000) -> None:
    scales = np.geomspace(1 * TeV, 1e16 * GeV, n)
    r = np.linspace(-2, 0.7, n)
    t0 = time.perf_counter()
    base = np.array([float(nat.bound_eq4(s, 1.0, x)) for s, x in zip(scales[:2000], r[:2000])])
    t_base = (time.perf_counter() - t0) * n / 2000
    t0 = time.perf_counter()
    fast = nat.bound_eq4(scales, 1.0, r)
    t_fast = time.perf_counter() - t0
    err = np.max(np.abs(fast[:2000] / base - 1))
    print(f"leading-log bound, {n} (Lambda, r) points: python loop {t_base:.3f} s "
          f"(extrapolated from 2000), vectorised {t_fast:.4f} s, speed-up x{t_base / t_fast:.0f}, "
          f"max rel. difference {err:.1e}")


if __name__ == "__main__":
    bench_running_scan()
    bench_resummed_vectorised()
