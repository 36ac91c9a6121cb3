"""Reactor electron antineutrinos: Huber-Mueller spectra, fission fractions, power, distance.

Per fission of isotope i, dN_i/dE = exp(sum_k a_ik E^k) for 2 <= E <= 8 MeV (Huber,
PRC 84, 024617 (2011), Table III for 235U, 239Pu, 241Pu; Mueller et al., PRC 83, 054615
(2011), Table VI for 238U).  Below 2 MeV, where keV-threshold germanium detectors (GEMMA,
TEXONO) take most of their magnetic-moment signal, the spectrum follows the
Vogel-Engel parametrisation exp(b0 + b1 E + b2 E^2) (PRD 39, 3378 (1989)), scaled to join
Huber-Mueller continuously at 2 MeV.  Neutron-capture antineutrinos (239U, 239Np decays,
E < 1.3 MeV) are *not* included (see the issue notes).

The flux at distance L from a reactor of thermal power P is
  Phi(E) = P / (4 pi L^2 sum_i f_i e_i) sum_i f_i dN_i/dE,
with fission fractions f_i and energies per fission e_i (Kopeikin et al., Phys. At. Nucl.
67, 1892 (2004)).  Above 8 MeV there is no table: asking for it raises.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from nuem.data import read_table
from nuem import citations, mixing
from nuem._errors import NuemValueError, require_positive
from nuem.sources.base import Component, Source
from nuem.units import MeV, meter, watt

ISOTOPES: tuple[str, ...] = ("U235", "U238", "Pu239", "Pu241")
E_JOIN = 2.0 * MeV
E_MAX = 8.0 * MeV
#: typical mid-cycle fission fractions of a pressurised-water reactor (Daya Bay,
#: PRL 118, 251801 (2017): effective fractions 0.564, 0.076, 0.304, 0.056)
DEFAULT_FRACTIONS = {"U235": 0.564, "U238": 0.076, "Pu239": 0.304, "Pu241": 0.056}


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, float]]:
    rows = read_table("reactor_spectra.csv")
    return {r["isotope"]: {k: float(v) for k, v in r.items() if k != "isotope"}
            for r in rows}


def energy_per_fission(isotope: str) -> float:
    """Thermal energy release per fission [eV] (Kopeikin et al. 2004)."""
    if isotope not in ISOTOPES:
        raise NuemValueError(f"isotope={isotope!r} is not one of {', '.join(ISOTOPES)}")
    return _table()[isotope]["energy_per_fission_MeV"] * MeV


def isotope_spectrum(E, isotope: str) -> np.ndarray:
    """dN/dE per fission [eV^-1] for ``isotope`` at E [eV], 0 < E <= 8 MeV."""
    if isotope not in ISOTOPES:
        raise NuemValueError(f"isotope={isotope!r} is not one of {', '.join(ISOTOPES)}")
    citations.register("Huber2011", "Mueller2011", "VogelEngel1989")
    E = require_positive("E", E, "eV")
    if np.any(E > E_MAX * (1 + 1e-12)):
        raise NuemValueError(f"E={float(E.max()) / MeV:g} MeV is above the Huber-Mueller table "
                             f"(valid 0 < E <= {E_MAX / MeV:g} MeV)")
    t = _table()[isotope]
    x = E / MeV
    hm = np.exp(sum(t[f"a{k}"] * x**k for k in range(6)))
    ve = lambda y: np.exp(t["b0"] + t["b1"] * y + t["b2"] * y**2)  # noqa: E731
    xj = E_JOIN / MeV
    hm_join = math.exp(sum(t[f"a{k}"] * xj**k for k in range(6)))
    low = ve(x) * hm_join / ve(xj)
    return np.where(E >= E_JOIN, hm, low) / MeV


class ReactorSource(Source):
    """Antineutrinos from one reactor core of thermal ``power`` [eV^2, i.e. eV per eV^-1 time]
    at ``distance`` [eV^-1].  Use ``ReactorSource.from_si(power_GW=, distance_m=)``."""

    flavour = "e"
    anti = True

    def __init__(self, power: float, distance: float, fractions: dict[str, float] | None = None,
                 params: mixing.OscillationParameters | None = None) -> None:
        require_positive("power", power)
        require_positive("distance", distance)
        fr = dict(DEFAULT_FRACTIONS if fractions is None else fractions)
        bad = set(fr) - set(ISOTOPES)
        if bad:
            raise NuemValueError(f"fractions: unknown isotope(s) {sorted(bad)}; use {ISOTOPES}")
        if any(v < 0 for v in fr.values()) or not math.isclose(sum(fr.values()), 1.0, abs_tol=1e-3):
            raise NuemValueError(f"fractions={fr} must be >= 0 and sum to 1")
        self.power, self.distance, self.fractions, self.params = power, distance, fr, params
        self.name = "reactor"

    @classmethod
    def from_si(cls, power_GW: float, distance_m: float, fractions: dict[str, float] | None = None,
                params: mixing.OscillationParameters | None = None) -> "ReactorSource":
        return cls(power_GW * 1e9 * watt, distance_m * meter, fractions, params)

    @property
    def fission_rate(self) -> float:
        """Fissions per unit time [eV]."""
        return self.power / sum(f * energy_per_fission(i) for i, f in self.fractions.items())

    def components(self) -> list[Component]:
        citations.register("Huber2011", "Mueller2011", "Kopeikin2004")
        rate = self.fission_rate
        geo = 1.0 / (4.0 * math.pi * self.distance**2)
        grid = np.linspace(1e-3 * MeV, E_MAX, 2001)
        per_fission = sum(f * isotope_spectrum(grid, i) for i, f in self.fractions.items())
        n_per_fission = float(np.trapezoid(per_fission, grid))

        def shape(E):
            E = np.asarray(E, dtype=float)
            return sum(f * isotope_spectrum(E, i) for i, f in self.fractions.items()) / n_per_fission

        return [Component("reactor", rate * geo * n_per_fission, E_MAX, shape, nodes=grid)]

    def arrival(self, E, component: Component) -> dict[str, np.ndarray]:
        P = mixing.vacuum_probability(E, self.distance, self.params, anti=True)
        return {"flavour": P[..., 0, :], "baseline": np.asarray(self.distance)}

    def mu2(self, E, component: Component, moments) -> np.ndarray:
        """Effective mu^2 [mu_B^2] of the nu-bar_e beam at the detector (coherent, vacuum)."""
        return moments.mu2_coherent("e", anti=True, E=E, L=self.distance, params=self.params)
