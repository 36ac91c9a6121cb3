"""Dipole-portal limit scan benchmark (issue 20).  Run:  python benchmarks/portal.py [--n N]

SCAN  the XENONnT SR0 d_e(m_N) limit at N log-spaced masses (default 50, 1 keV-10 MeV)
      with nuem.portal.rates.d_limit(cache=True): the Standard-Model spectrum and the
      solar arrival probabilities (on a 400-point grid per flux component, interpolated)
      are computed once and only the portal cross section is redone per mass.
      Baseline, same run: cache=False, which recomputes the full spectrum (flux x
      oscillation x cross section x binding x response) and the SM part at every mass.
      Printed: both times, the ratio, and the largest relative difference of the limits.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nuem.portal import rates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50, help="number of masses")
    ap.add_argument("--flavour", default="e")
    a = ap.parse_args()
    masses = np.geomspace(1e-6, 1e-2, a.n)
    t0 = time.perf_counter()
    fast = rates.d_limit("xenonnt-2022", masses, a.flavour, cache=True)
    t1 = time.perf_counter()
    slow = rates.d_limit("xenonnt-2022", masses, a.flavour, cache=False)
    t2 = time.perf_counter()
    f = np.array([np.nan if x is None else x for x in fast["d_GeV_inv"]])
    s = np.array([np.nan if x is None else x for x in slow["d_GeV_inv"]])
    ok = np.isfinite(f) & np.isfinite(s)
    print(f"SCAN  {a.n} masses, d_{a.flavour}: cached {t1 - t0:.1f} s, "
          f"recompute-per-mass {t2 - t1:.1f} s, ratio {(t2 - t1) / (t1 - t0):.2f}x; "
          f"max |rel diff| of the limits {np.max(np.abs(f[ok] / s[ok] - 1)):.2e} "
          f"({ok.sum()} masses with sensitivity)")


if __name__ == "__main__":
    main()
