"""Detector response: efficiency table, Gaussian resolution, threshold, analysis window.

The observed spectrum is
  dR/dE_rec = eff(E_rec) * integral dT dR/dT(T) G(E_rec - T; sigma(T)),
  sigma(T) = a sqrt(T) + b T   (the form used by XENONnT, PRL 129, 161805 (2022)),
with a in sqrt(keV) and b dimensionless; T and E_rec in keV at this edge.  The
efficiency is interpolated linearly in its table and is an error outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nuem._errors import NuemValueError, as_finite_array


#: Points of the true-recoil grid the smearing integrates over (see :meth:`Response.true_grid`).
TRUE_GRID_POINTS = 400


@dataclass(frozen=True)
class Response:
    """Energy response.  Energies in keV (this is an I/O-edge object)."""

    a: float = 0.0  # sqrt(keV)
    b: float = 0.0
    threshold: float = 0.0  # keV
    window: tuple[float, float] = (1.0, 30.0)  # keV
    efficiency_E: np.ndarray | None = field(default=None, repr=False)
    efficiency: np.ndarray | float = 1.0

    def __post_init__(self) -> None:
        for name, v in (("a_sqrt_keV", self.a), ("b", self.b), ("threshold_keV", self.threshold),
                        ("window_keV", self.window)):
            as_finite_array(name, v)
        if self.a < 0 or self.b < 0:
            raise NuemValueError(f"resolution a={self.a}, b={self.b} must be >= 0")
        if self.threshold < 0:
            raise NuemValueError(f"threshold_keV={self.threshold:g} must be >= 0 [keV]")
        lo, hi = self.window
        if not 0 <= lo < hi:
            raise NuemValueError(f"window={self.window} must satisfy 0 <= lo < hi [keV]")
        if self.efficiency_E is not None:
            e = as_finite_array("efficiency energies", self.efficiency_E)
            f = as_finite_array("efficiency", self.efficiency)
            if e.shape != f.shape or e.ndim != 1 or len(e) < 2:
                raise NuemValueError("efficiency table needs two equal-length columns (>= 2 rows)")
            if np.any(np.diff(e) <= 0):
                raise NuemValueError("efficiency table energies must increase strictly")
            if np.any((f < 0) | (f > 1)):
                raise NuemValueError(f"efficiency values must lie in [0, 1]; got {f.min():g}..{f.max():g}")
            if lo < e[0] or hi > e[-1]:
                raise NuemValueError(f"window={self.window} keV lies outside the efficiency table "
                                     f"[{e[0]:g}, {e[-1]:g}] keV")
        else:
            f = float(as_finite_array("efficiency", self.efficiency))
            if not 0 <= f <= 1:
                raise NuemValueError(f"efficiency={f} must lie in [0, 1]")

    def sigma(self, T) -> np.ndarray:
        """Resolution sigma(T) = a sqrt(T) + b T [keV]."""
        T = np.asarray(T, dtype=float)
        return self.a * np.sqrt(np.clip(T, 0, None)) + self.b * T

    def eff(self, E) -> np.ndarray:
        """Efficiency at reconstructed energy E [keV], zero below threshold."""
        E = np.asarray(E, dtype=float)
        if self.efficiency_E is None:
            f = np.full_like(E, float(self.efficiency))
        else:
            e = np.asarray(self.efficiency_E)
            if np.any(E < e[0] - 1e-9) or np.any(E > e[-1] + 1e-9):
                raise NuemValueError(f"energy {E.min():g}..{E.max():g} keV outside the efficiency "
                                     f"table [{e[0]:g}, {e[-1]:g}] keV")
            f = np.interp(E, e, np.asarray(self.efficiency, float))
        return np.where(E >= self.threshold, f, 0.0)

    def true_grid(self, n: int = TRUE_GRID_POINTS) -> np.ndarray:
        """True-recoil grid [keV] covering the window plus 5 sigma on either side."""
        lo, hi = self.window
        t_lo = max(lo - 5 * float(self.sigma(lo)), 0.05 * lo, 1e-3)
        t_hi = hi + 5 * float(self.sigma(hi))
        return np.linspace(t_lo, t_hi, n)

    def smear(self, T, dRdT, E_rec) -> np.ndarray:
        """Observed dR/dE_rec at E_rec [keV] from dR/dT on the true grid T [keV]."""
        T = np.asarray(T, float)
        E_rec = np.asarray(E_rec, float)
        s = self.sigma(T)
        if np.all(s == 0):
            return np.interp(E_rec, T, dRdT) * self.eff(E_rec)
        s = np.where(s > 0, s, 1e-12)
        g = np.exp(-0.5 * ((E_rec[:, None] - T[None, :]) / s[None, :]) ** 2) / (
            np.sqrt(2 * np.pi) * s[None, :])
        return np.trapezoid(g * np.asarray(dRdT)[None, :], T, axis=1) * self.eff(E_rec)
