"""Time-integrated supernova neutrino fluence (the alpha fit).

For each species the number spectrum emitted is

    dN/dE = (E_tot / <E>) f(E),   f(E) = (a+1)^(a+1) / (Gamma(a+1) <E>) (E/<E>)^a exp(-(a+1) E/<E>),

with a = alpha the pinching parameter (a = 2 is a Maxwell-Boltzmann-like spectrum;
Fermi-Dirac with zero chemical potential is close to a = 2.3), normalised so that
integral f dE = 1 and integral E f dE = <E> (Keil, Raffelt & Janka, ApJ 590, 971 (2003),
Eq. (6)).  The fluence at distance d is dN/dE / (4 pi d^2).

Species: ``nu_e``, ``nubar_e`` and ``nu_x`` (each of nu_mu, nu_tau, nubar_mu, nubar_tau
separately).  Default parameters: ``data/supernova_alpha_fit.csv`` (benchmark values, see its
header) at d = 10 kpc.  Units: E in eV, fluences in eV^-1 per eV^-2 (number per energy
per area; divide by 1/(cm^2 MeV) to get cm^-2 MeV^-1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, require_choice, require_positive
from nuem.data import read_table
from nuem.units import MeV, erg, kpc

SPECIES = ("nu_e", "nubar_e", "nu_x")
#: the galactic-supernova distance conventionally used for detector forecasts
DEFAULT_DISTANCE = 10.0 * kpc


@dataclass(frozen=True)
class AlphaFit:
    """One species: total emitted energy [eV], mean energy [eV], pinching alpha (> -1)."""

    energy: float
    mean: float
    alpha: float

    def __post_init__(self):
        for name in ("energy", "mean"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise NuemValueError(f"{name}={v!r} must be a positive energy [eV]")
        if not (np.isfinite(self.alpha) and self.alpha > -1.0):
            raise NuemValueError(f"alpha={self.alpha!r} must be > -1")

    def shape(self, E) -> np.ndarray:
        """f(E) [eV^-1], unit integral (module docstring)."""
        a, m = self.alpha, self.mean
        x = np.asarray(E, dtype=float) / m
        logn = (a + 1.0) * math.log(a + 1.0) - math.lgamma(a + 1.0)
        return np.exp(logn + a * np.log(x) - (a + 1.0) * x) / m


@lru_cache(maxsize=1)
def benchmark() -> dict[str, AlphaFit]:
    """The default per-species parameters (``data/supernova_alpha_fit.csv``)."""
    out = {}
    for r in read_table("supernova_alpha_fit.csv"):
        out[r["species"]] = AlphaFit(float(r["energy_erg"]) * erg, float(r["mean_MeV"]) * MeV,
                                     float(r["alpha"]))
    if set(out) != set(SPECIES):
        raise NuemValueError(f"data/supernova_alpha_fit.csv must list {SPECIES}, got {tuple(out)}")
    return out


class SupernovaFluence:
    """Time-integrated fluence at Earth of a core-collapse supernova (no oscillations).

    ``params``: a dict species -> :class:`AlphaFit` (missing species take the benchmark);
    ``distance`` [eV^-1] (default 10 kpc).
    """

    def __init__(self, params: dict[str, AlphaFit] | None = None,
                 distance: float = DEFAULT_DISTANCE):
        citations.register("KeilRaffeltJanka2003")
        self.params = dict(benchmark())
        for k, v in (params or {}).items():
            require_choice("species", k, SPECIES)
            self.params[k] = v
        self.distance = float(require_positive("distance", distance, "eV^-1"))

    def fluence(self, E, species: str) -> np.ndarray:
        """dPhi/dE at Earth [eV^-1 eV^2 = eV] for ``species`` (one nu_x flavour for nu_x)."""
        require_choice("species", species, SPECIES)
        E = require_positive("E", E, "eV")
        p = self.params[species]
        return p.energy / p.mean * p.shape(E) / (4.0 * math.pi * self.distance**2)

    def state_fluences(self, E, flavours: int = 3) -> dict[str, np.ndarray]:
        """Produced fluences keyed by the state labels of a Majorana
        :class:`~nuem.propagation.System` with ``flavours`` flavours ("nu_e", "nu_mu", ...,
        "nubar_e", ...), ready for :meth:`~nuem.propagation.Propagation.apply`."""
        if flavours not in (1, 2, 3):
            raise NuemValueError(f"flavours={flavours!r} must be 1, 2 or 3")
        names = ("e", "mu", "tau")[:flavours]
        out = {}
        for f in names:
            out[f"nu_{f}"] = self.fluence(E, "nu_e" if f == "e" else "nu_x")
            out[f"nubar_{f}"] = self.fluence(E, "nubar_e" if f == "e" else "nu_x")
        return out
