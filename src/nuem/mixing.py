"""Lepton mixing (PMNS from NuFIT 6.0) and the solar nu_e survival probabilities.

Conventions: U in the PDG parametrisation, U = R23 U13(delta) R12, nu_alpha = sum_k U_ak nu_k;
Majorana phases are not needed for oscillations or incoherent effective moments.

Solar propagation: adiabatic MSW (Mikheyev-Smirnov 1985; Wolfenstein 1978) in the
three-flavour "1-3 decoupled" form (e.g. Gonzalez-Garcia & Nir, RMP 75, 345 (2003),
Sec. IV; NuFIT uses the same reduction): with V = sqrt(2) G_F n_e at the production
point and beta = 2 c13^2 V E / Delta m^2_21,

  cos 2 theta_m = (cos 2 theta12 - beta) / sqrt((cos 2 theta12 - beta)^2 + sin^2 2 theta12),
  P(nu_e -> nu_1) = c13^2 cos^2 theta_m,  P(nu_e -> nu_2) = c13^2 sin^2 theta_m,
  P(nu_e -> nu_3) = s13^2,

the arriving mass states being incoherent (Earth matter is neglected).  These are
averaged over the production-zone distribution of each flux component (BS05(OP), shipped
in ``data/solar_production_zones.csv``), and P_ee = sum_k |U_ek|^2 P(nu_e -> nu_k).

Electron density: n_e(r) = 245 N_A exp(-10.54 r/R_sun) cm^-3, Bahcall's fit to the
standard solar model (J. N. Bahcall, "Neutrino Astrophysics", CUP 1989, Sec. 6.2;
J. N. Bahcall et al., RMP 54, 767 (1982)).  It is accurate to a few per cent for
0.1 < r/R_sun < 0.9 and overestimates the very core, which matters only where the
resonance condition is met at the production point (8B, hep), and there P_ee is
already at its matter-dominated plateau c13^4 s12^2 + s13^4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nuem.data import read_table
from nuem import citations, constants
from nuem._errors import NuemValueError, require_choice, require_positive
from nuem.units import cm

ORDERINGS: tuple[str, ...] = ("NO", "IO")
#: Bahcall's exponential electron-density fit: n_e(0) / N_A [cm^-3] and slope in r/R_sun
SUN_NE0_PER_NA_CM3 = 245.0
SUN_NE_SLOPE = 10.54


@dataclass(frozen=True)
class OscillationParameters:
    """Three-flavour oscillation parameters (angles as sin^2, delta in rad, dm^2 in eV^2)."""

    s12sq: float
    s13sq: float
    s23sq: float
    delta: float
    dm2_21: float
    dm2_3l: float
    ordering: str = "NO"
    source: str = "NuFIT 6.0"

    def __post_init__(self) -> None:
        for name in ("s12sq", "s13sq", "s23sq"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise NuemValueError(f"{name}={v!r} must lie in [0, 1]")
        if self.dm2_21 <= 0:
            raise NuemValueError(f"dm2_21={self.dm2_21!r} eV^2 must be > 0")

    def pmns(self) -> np.ndarray:
        """The 3x3 PMNS matrix U[alpha, k] (rows e, mu, tau), PDG parametrisation."""
        s12, s13, s23 = (math.sqrt(x) for x in (self.s12sq, self.s13sq, self.s23sq))
        c12, c13, c23 = (math.sqrt(1 - x) for x in (self.s12sq, self.s13sq, self.s23sq))
        ed = np.exp(1j * self.delta)
        return np.array([
            [c12 * c13, s12 * c13, s13 / ed],
            [-s12 * c23 - c12 * s23 * s13 * ed, c12 * c23 - s12 * s23 * s13 * ed, s23 * c13],
            [s12 * s23 - c12 * c23 * s13 * ed, -c12 * s23 - s12 * c23 * s13 * ed, c23 * c13],
        ])

    def replace(self, **kw) -> "OscillationParameters":
        from dataclasses import replace

        return replace(self, **kw)


def nufit(ordering: str = "NO") -> OscillationParameters:
    """NuFIT 6.0 best fit (IC24 with SK atmospheric data) for ``ordering`` NO or IO."""
    require_choice("ordering", ordering, ORDERINGS)
    citations.register("NuFIT60")
    return _nufit(ordering)


@lru_cache(maxsize=2)
def _nufit(ordering: str) -> OscillationParameters:
    rows = read_table("nufit60.csv")
    p = {r["parameter"]: float(r["value"]) for r in rows
         if r["ordering"] == ordering}
    return OscillationParameters(p["s12sq"], p["s13sq"], p["s23sq"], math.radians(p["delta_cp"]),
                                 p["dm2_21"], p["dm2_3l"], ordering, "NuFIT 6.0 (arXiv:2410.05380)")


def solar_electron_density(x) -> np.ndarray:
    """n_e at radius x = r/R_sun [eV^3] (Bahcall's exponential fit; see module docstring)."""
    x = np.asarray(x, dtype=float)
    if np.any((x < 0) | (x > 1)):
        raise NuemValueError(f"x=r/R_sun must lie in [0, 1], got {x.min():g}..{x.max():g}")
    citations.register("Bahcall1989")
    return SUN_NE0_PER_NA_CM3 * constants.N_A / cm**3 * np.exp(-SUN_NE_SLOPE * x)


@lru_cache(maxsize=1)
def _zones() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows = read_table("solar_production_zones.csv")
    acc: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        acc.setdefault(r["component"], []).append((float(r["x"]), float(r["f"])))
    out = {}
    for k, v in acc.items():
        a = np.array(sorted(v))
        w = a[:, 1] / np.trapezoid(a[:, 1], a[:, 0])
        out[k] = (a[:, 0], w)
    return out


def production_zone(component: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, f(x)) with unit integral: where in the Sun ``component`` is produced (BS05(OP))."""
    key = "7Be" if component.startswith("7Be") else component
    require_choice("component", key, tuple(_zones()))
    citations.register("BS05")
    return _zones()[key]


def solar_mass_fractions(E, component: str, params: OscillationParameters | None = None
                         ) -> np.ndarray:
    """P(nu_e -> nu_k) at Earth, k = 1, 2, 3, for a nu_e of energy E [eV] produced with the
    radial distribution of ``component``; shape E.shape + (3,).  Adiabatic MSW (module doc)."""
    citations.register("Wolfenstein1978", "MSW")
    p = nufit() if params is None else params
    E = require_positive("E", E, "eV")
    if E.size > _MASS_FRACTIONS_LARGEST:
        return _solar_mass_fractions(E, component, p)
    key = (E.shape, E.tobytes(), component, p)
    hit = _MASS_FRACTIONS.get(key)
    if hit is None:
        hit = _solar_mass_fractions(E, component, p)
        if len(_MASS_FRACTIONS) >= _MASS_FRACTIONS_SIZE:
            _MASS_FRACTIONS.pop(next(iter(_MASS_FRACTIONS)))
        _MASS_FRACTIONS[key] = hit
    else:
        production_zone(component)  # registers the citation as the computation does
    return hit.copy()


#: solar_mass_fractions results by (energies, component, parameters): a detector's rate,
#: its binned counts and every likelihood model ask again for the same energy nodes
_MASS_FRACTIONS: dict = {}
_MASS_FRACTIONS_SIZE = 64
_MASS_FRACTIONS_LARGEST = 2 ** 20


def _solar_mass_fractions(E: np.ndarray, component: str, p: OscillationParameters
                          ) -> np.ndarray:
    """The computation of :func:`solar_mass_fractions` (E validated)."""
    x, w = production_zone(component)
    c13sq = 1.0 - p.s13sq
    cos2 = 1.0 - 2.0 * p.s12sq
    sin2sq = 1.0 - cos2**2
    V = math.sqrt(2.0) * constants.G_F * solar_electron_density(x)  # (nx,)
    beta = 2.0 * c13sq * E[..., None] * V / p.dm2_21
    cos2m = (cos2 - beta) / np.sqrt((cos2 - beta) ** 2 + sin2sq)
    cm2 = np.trapezoid(w * 0.5 * (1.0 + cos2m), x, axis=-1)  # <cos^2 theta_m>
    return np.stack([c13sq * cm2, c13sq * (1.0 - cm2), np.full_like(cm2, p.s13sq)], axis=-1)


def solar_pee(E, component: str, params: OscillationParameters | None = None) -> np.ndarray:
    """nu_e survival probability P_ee(E) for solar flux ``component`` (incoherent mass states)."""
    p = nufit() if params is None else params
    ue2 = np.abs(p.pmns()[0]) ** 2
    return solar_mass_fractions(E, component, p) @ ue2


def vacuum_probability(E, L, params: OscillationParameters | None = None, anti: bool = False
                       ) -> np.ndarray:
    """Vacuum P(nu_alpha -> nu_beta) [..., alpha, beta] at energy E [eV] and baseline L [eV^-1]
    (standard three-flavour formula; antineutrinos use U*)."""
    p = nufit() if params is None else params
    E = require_positive("E", E, "eV")
    L = np.asarray(L, dtype=float)
    U = p.pmns().conj() if anti else p.pmns()
    m2 = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])
    phase = np.exp(-1j * m2 * (L / (2.0 * E))[..., None])  # (..., 3)
    amp = np.einsum("ak,...k,bk->...ab", U.conj(), phase, U)
    return np.abs(amp) ** 2
