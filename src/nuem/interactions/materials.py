"""Target materials: electrons and nuclei per tonne, and their atomic binding.

This sits in ``interactions`` (not ``detectors``) because the bound-electron cross
section needs the target composition; detectors import it from here.

Molar masses are CIAAW 2021 standard atomic weights (``data/elements.csv``).  Counts
per tonne are N_A x 10^6 g / M x (electrons or atoms per formula unit).  The organic
scintillator is pseudocumene, C9H12 (1,2,4-trimethylbenzene), the Borexino solvent
(Borexino Collaboration, NIM A 600, 568 (2009)); its PPO fluor (1.5 g/l) is neglected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nuem.data import read_table
from nuem import constants
from nuem._errors import NuemValueError, require_choice

GRAMS_PER_TONNE = 1.0e6


@dataclass(frozen=True)
class Element:
    symbol: str
    name: str
    Z: int
    molar_mass: float  # g/mol

    @property
    def A(self) -> int:
        """Mass number of the average nucleus, round(M / (g/mol))."""
        return int(round(self.molar_mass))

    @property
    def N(self) -> int:
        return self.A - self.Z

    @property
    def mass(self) -> float:
        """Average nuclear mass A m_u [eV] (CEvNS kinematics)."""
        return self.molar_mass * constants.m_u


@lru_cache(maxsize=1)
def elements() -> dict[str, Element]:
    rows = read_table("elements.csv")
    return {r["symbol"]: Element(r["symbol"], r["name"], int(r["Z"]),
                                 float(r["molar_mass_g_per_mol"]))
            for r in rows}


@dataclass(frozen=True)
class Material:
    """A target: formula units made of (element symbol, atoms per unit)."""

    name: str
    formula: tuple[tuple[str, int], ...]
    description: str

    @property
    def molar_mass(self) -> float:
        el = elements()
        return sum(el[s].molar_mass * n for s, n in self.formula)

    @property
    def units_per_tonne(self) -> float:
        return constants.N_A * GRAMS_PER_TONNE / self.molar_mass

    @property
    def electrons_per_tonne(self) -> float:
        el = elements()
        return self.units_per_tonne * sum(el[s].Z * n for s, n in self.formula)

    def nuclei_per_tonne(self) -> dict[str, float]:
        """Atoms (nuclei) per tonne, per element."""
        return {s: self.units_per_tonne * n for s, n in self.formula}

    def stepping(self, T) -> np.ndarray:
        """Electron-weighted stepping factor sum_el n_el Z_el S_el(T) / sum n_el Z_el."""
        from nuem.interactions import atomic

        el = elements()
        num = 0.0
        den = 0.0
        for s, n in self.formula:
            name = el[s].name
            if name not in atomic.ELEMENTS:
                raise NuemValueError(
                    f"target={self.name!r}: no atomic shell table for {name}; use binding='free'"
                    f" or one of the targets {', '.join(electron_targets())}")
            num = num + n * el[s].Z * atomic.shells(name).stepping(T)
            den += n * el[s].Z
        return np.asarray(num / den)


MATERIALS: dict[str, Material] = {
    "xenon": Material("xenon", (("Xe", 1),), "natural xenon"),
    "germanium": Material("germanium", (("Ge", 1),), "natural germanium (HPGe)"),
    "argon": Material("argon", (("Ar", 1),), "natural argon"),
    "csi": Material("csi", (("Cs", 1), ("I", 1)), "caesium iodide"),
    "scintillator": Material("scintillator", (("C", 9), ("H", 12)),
                             "organic scintillator, pseudocumene C9H12 (Borexino)"),
    "water": Material("water", (("H", 2), ("O", 1)), "water (Cherenkov detectors)"),
}


def material(name: str) -> Material:
    """The :class:`Material` called ``name`` (one of :data:`MATERIALS`)."""
    require_choice("target", name, tuple(MATERIALS))
    return MATERIALS[name]


def electron_targets() -> tuple[str, ...]:
    """Materials with atomic shell tables for every element (stepping available)."""
    from nuem.interactions import atomic

    el = elements()
    return tuple(m for m, mat in MATERIALS.items()
                 if all(el[s].name in atomic.ELEMENTS for s, _ in mat.formula))
