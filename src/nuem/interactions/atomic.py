"""Atomic binding for neutrino-electron scattering on bound electrons.

The stepping approximation (Kopeikin, Mikaelyan, Sinev, Phys. At. Nucl. 60, 1859
(1997); Chen et al., PLB 774, 656 (2017), Eq. (5) and the discussion around it):
an electron of shell i contributes the free-electron cross section only when the
energy deposit T exceeds its binding energy B_i,

    dsigma/dT |_atom = sum_i n_i theta(T - B_i) dsigma/dT |_free ,

so per target electron the factor is S(T) = sum_i n_i theta(T - B_i) / Z.

The weak and magnetic terms are returned as two separate factors.  In the stepping
approximation they coincide; ab initio (RRPA) calculations show they do not (the
magnetic term, which grows as 1/T, is suppressed more at low T), which is why callers
always apply them separately.  No RRPA table is shipped yet (see the issue notes).

Compound targets (organic scintillator) are handled by :mod:`nuem.interactions.materials`,
which weights the element factors by electron count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nuem.data import read_table
from nuem import citations
from nuem._errors import NuemValueError, require_choice, require_positive

BINDING_MODELS: tuple[str, ...] = ("stepping", "free")


@dataclass(frozen=True)
class ShellTable:
    """Shells of one element: binding energies [eV] and occupancies."""

    element: str
    Z: int
    shells: tuple[str, ...]
    binding: np.ndarray
    occupancy: np.ndarray

    def stepping(self, T) -> np.ndarray:
        """Fraction of the Z electrons with B_i < T (stepping approximation)."""
        T = np.asarray(T, dtype=float)
        open_ = (T[..., None] > self.binding).astype(float)
        return open_ @ self.occupancy / self.Z


@lru_cache(maxsize=1)
def _tables() -> dict[str, ShellTable]:
    rows = read_table("atomic_shells.csv")
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["target"], []).append(row)
    out = {}
    for name, rs in grouped.items():
        z = int(rs[0]["Z"])
        occ = np.array([float(r["occupancy"]) for r in rs])
        if occ.sum() != z:
            raise NuemValueError(f"atomic_shells.csv: occupancies of {name} sum to {occ.sum()}, not Z={z}")
        out[name] = ShellTable(name, z, tuple(r["shell"] for r in rs),
                               np.array([float(r["binding_eV"]) for r in rs]), occ)
    return out


ELEMENTS: tuple[str, ...] = tuple(_tables())


def shells(element: str) -> ShellTable:
    """Shell table of ``element`` (one of :data:`ELEMENTS`)."""
    require_choice("element", element, ELEMENTS)
    return _tables()[element]


def binding_factors(T, target: str = "free", model: str = "stepping"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per-electron factors (weak, magnetic) multiplying the free cross sections at recoil T.

    ``target`` is ``"free"`` or an element or material name known to
    :mod:`nuem.interactions.materials`; ``model`` is ``"stepping"`` or ``"free"``.
    """
    from nuem.interactions import materials

    require_choice("binding", model, BINDING_MODELS)
    T = require_positive("T", T, "eV")
    if target == "free" or model == "free":
        if target != "free":
            materials.material(target)  # validates the name
        one = np.ones_like(T)
        return one, one
    citations.register("Chen2017", "KopeikinStepping1997")
    s = materials.material(target).stepping(T)
    return s, s
