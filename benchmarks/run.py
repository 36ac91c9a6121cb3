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
    """One solve_ivp per Lambda of dC/dlnmu = -gamma^T C from Lambda down to v (r = 0),
    then Bell et al. 2005 Eq. (26) as printed: |mu|/mu_B = (16 m_e / v^2) delta m |C+/C3|
    at delta m = 1 eV."""
    sm = default_running()
    out = []
    for s in scales:
        sol = solve_ivp(lambda t, c: -gamma_at(sm, math.exp(t)).T @ c,
                        (math.log(s), math.log(constants.v_higgs)), [0.5, 0.5, 0.0],
                        method="DOP853", rtol=1e-10, atol=1e-14)
        c = sol.y[:, -1]
        out.append(16 * constants.m_e * abs((c[0] + c[1]) / c[2]) / constants.v_higgs**2)
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


def _baseline_solar_xenon(T_keV: np.ndarray) -> np.ndarray:
    """Straightforward reference: scipy.integrate.quad over E for every recoil bin and every
    continuum component (lines added exactly), stepping factor applied per bin."""
    from scipy import integrate

    from nuem.detectors import rates
    from nuem.interactions import atomic
    from nuem.interactions import electron as el
    from nuem.sources.solar import SolarSource
    from nuem.units import keV

    src = SolarSource()
    out = np.zeros_like(T_keV)
    for i, tk in enumerate(T_keV):
        T = tk * keV
        lo = float(el.e_min(T))
        tot = 0.0
        for c in src.components():
            def f(E, c=c):
                P = src.arrival(np.array([E]), c)["flavour"][0]
                return sum(P[b] * float(el.dsigma_dT_weak(E, T, fl, above_tmax="zero"))
                           for b, fl in enumerate(el.FLAVOURS))
            if c.is_line:
                tot += c.flux * f(c.line_energy)
            elif lo < c.e_max:
                tot += integrate.quad(lambda E, c=c, f=f: c.flux * float(c.shape(E)) * f(E),
                                      lo, c.e_max, limit=200, epsrel=1e-6)[0]
        out[i] = tot * float(atomic.binding_factors(np.array([T]), "xenon")[0][0])
    return out * rates.per_tonne_year_keV("xenon")


def bench_solar_xenon(n: int = 300) -> None:
    """Full solar spectrum in xenon: all B16 components, stepping, n recoil bins 1-300 keV."""
    from nuem.detectors import rates
    from nuem.sources.solar import SolarSource
    from nuem.units import keV

    T = np.linspace(1.0, 300.0, n)
    n_base = 30  # quad is slow: time 30 bins, scale to n
    t0 = time.perf_counter()
    base = _baseline_solar_xenon(T[:: n // n_base])
    t_base = (time.perf_counter() - t0) * n / len(T[:: n // n_base])
    t0 = time.perf_counter()
    fast = rates.electron_recoil_spectrum(SolarSource(), T * keV, "xenon")["total"]
    t_fast = time.perf_counter() - t0
    err = np.max(np.abs(fast[:: n // n_base] / base - 1))
    print(f"solar spectrum in xenon, {n} recoil bins, all components, stepping: scipy.quad "
          f"{t_base:.2f} s (extrapolated from {len(base)} bins), nuem numpy {t_fast:.3f} s, "
          f"speed-up x{t_base / t_fast:.0f}, max rel. difference {err:.1e}")


def bench_likelihood_scan(n: int = 12) -> None:
    """XENONnT SR0 likelihood scan in mu: nuem's quadratic signal basis (the rate model is
    evaluated once, then every point is a dot product) against recomputing the detector
    spectrum at each point, the straightforward way.  Both give -2 ln L at fixed B0 norm."""
    from nuem.stats import datasets, likelihood

    ds = datasets.load("xenonnt-2022")
    mus = np.linspace(0.0, 1.2e-11, n)
    X = ds.exposure_t_yr
    t0 = time.perf_counter()
    base = []
    grid = np.linspace(*ds.range_keV, 1441)
    b_grid, b_ev = ds.background[0](grid), ds.background[0](ds.events)
    for mu in mus:
        em_grid = ds.detector.expected(grid, mu=mu)["em"]
        em_ev = ds.detector.expected(ds.events, mu=mu)["em"]
        total = X * np.trapezoid(b_grid + em_grid, grid)
        base.append(2 * (total - np.sum(np.log(X * (b_ev + em_ev)))))
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = likelihood.Model(ds, ("mu",))
    fast = [m.nll2(np.array([1.0, (mu / likelihood.SCALE["mu"]) ** 2])) for mu in mus]
    t_fast = time.perf_counter() - t0
    d_base = np.array(base) - base[0]
    d_fast = np.array(fast) - fast[0]
    print(f"XENONnT likelihood scan, {n} values of mu: recompute spectrum each point "
          f"{t_base:.2f} s, quadratic basis (build included) {t_fast:.2f} s, "
          f"ratio x{t_base / t_fast:.1f}; max |Delta(-2lnL)| difference "
          f"{np.max(np.abs(d_base - d_fast)):.2e}")


if __name__ == "__main__":
    bench_likelihood_scan()
    bench_running_scan()
    bench_resummed_vectorised()
    bench_solar_xenon()
