"""Charged-current nu_e + 40Ar -> e- + 40K*, the main supernova channel of liquid argon.

The total cross section is interpolated (sigma/E linear in log E) in the table shipped as
``data/xs_nue_ar40.csv``, a subset of the default SNOwGLoBES table xs_nue_Ar40.dat (its
header names the source and units).  It is zero below the table's threshold (3.0 MeV) and
raises above 100 MeV, where the table ends (no silent extrapolation).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, require_positive
from nuem.data import read_table
from nuem.units import GeV, cm


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, np.ndarray]:
    rows = read_table("xs_nue_ar40.csv")
    logE = np.array([float(r["log10_E_GeV"]) for r in rows])
    s_over_e = np.array([float(r["sigma_over_E_1e38cm2_per_GeV"]) for r in rows])
    if np.any(np.diff(logE) <= 0) or np.any(s_over_e < 0):
        raise NuemValueError("data/xs_nue_ar40.csv: energies must increase and sigma/E be >= 0")
    return logE, s_over_e


def max_energy() -> float:
    """Upper end of the tabulated range [eV]."""
    return float(10 ** _table()[0][-1] * GeV)


def sigma_nue_ar40(E) -> np.ndarray:
    """sigma(nu_e 40Ar -> e- 40K*) [eV^-2] at neutrino energy E [eV] (0 < E <= 100 MeV)."""
    citations.register("SNOwGLoBES")
    E = require_positive("E", E, "eV")
    if np.any(E > max_energy() * (1 + 1e-12)):
        raise NuemValueError(f"E={float(np.max(E)):g} eV is above the nu_e-40Ar table's end "
                             f"({max_energy():g} eV); valid range (0, {max_energy():g}] eV")
    logE, s_over_e = _table()
    lg = np.log10(E / GeV)
    val = np.interp(lg, logE, s_over_e, left=0.0)
    return val * 1e-38 * cm**2 / GeV * E
