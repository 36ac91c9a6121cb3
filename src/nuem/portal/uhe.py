"""Primakoff production of N by ultra-high-energy neutrinos in ice, and double bangs.

The idea and the observable follow Huang, Jana, Lindner & Rodejohann, arXiv:2204.10347
(2022): cosmogenic/astrophysical neutrinos of 1e6-1e11 GeV upscatter coherently on the
Coulomb field of nuclei in the ice into N, which travels a macroscopic distance before
N -> nu gamma.  Only that paper's abstract was available to us; every formula and
every choice below is ours (derived or taken from the references named), not theirs:

* the cross section is nuem's exact upscattering of :mod:`nuem.portal.upscatter`
  (coherent, Z^2 Helm, spin 0 for O-16; free-proton Dirac/Pauli form factors for the
  two H) times the atomic screening of the nuclear Coulomb field at small Q, which
  matters here because Q_min ~ m_N^2 / (2E) falls far below the inverse atomic radius:
  the elastic factor [a^2 Q^2 / (1 + a^2 Q^2)]^2 with a = 184.15 e^-1/2 Z^-1/3 / m_e
  (Tsai, Rev. Mod. Phys. 46, 815 (1974), Eq. (3.38); as used by Bjorken, Essig, Schuster
  & Toro, PRD 80, 075018 (2009), Eq. (A18)), applied to the nucleus and, with Z = 1, to
  the hydrogen; scattering on the atomic electrons is not included;
* the N decay length (:mod:`nuem.portal.decay`) with E_N = E_nu (the nucleus takes a
  negligible share at these energies: T <= Q_FF^2 / 2M ~ MeV);
* the "double bang": production and decay both inside an instrumented column of length
  L (along the neutrino direction) and transverse area A, separated by at least L_sep;
  per interacting neutrino at depth x the probability is exp(-L_sep/lambda) -
  exp(-(L - x)/lambda); integrated over x in [0, L - L_sep] in closed form:
      P_col = (L - L_sep) e^{-L_sep/lambda} - lambda (e^{-L_sep/lambda} - e^{-L/lambda}),
  and N = T_exp A Omega sum_alpha integral dE Phi_alpha(E) n_H2O sigma_alpha(E) P_col(E),
  with Phi_alpha the per-flavour flux the user gives: a power law (:class:`PowerLawFlux`)
  or a table of E^2 dPhi/dE interpolated log-log and never extrapolated
  (:class:`TableFlux`), integrated only over the energies where it is defined.
  The production vertex of coherent scattering deposits only the nuclear recoil; this
  counts the topology (two separated vertices) and leaves visibility to the user.

Units: eV inside; the public helpers take GeV, m and seconds where named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, require_positive
from nuem.data import read_xy_table
from nuem.interactions import materials
from nuem.portal import decay as pdec
from nuem.portal import upscatter as up
from nuem.portal.model import DipolePortal
from nuem.units import GeV, cm, meter, second, year

#: Tsai (1974) Eq. (3.38): screening radius a = TSAI_A Z^(-1/3) / m_e
TSAI_A: float = 184.15 * math.exp(-0.5)
#: density of ice Ih near 0 C [g/cm^3] (CRC Handbook of Chemistry and Physics); an input
ICE_DENSITY_G_CM3: float = 0.917
E_RANGE_GEV: tuple[float, float] = (1e6, 1e11)


def screening(Q2, Z: int) -> np.ndarray:
    """Elastic atomic screening factor [a^2 Q^2/(1 + a^2 Q^2)]^2, a = 184.15 e^-1/2
    Z^-1/3 / m_e (Tsai 1974, Eq. (3.38)); Q2 in eV^2."""
    citations.register("Tsai1974", "Bjorken2009")
    a = TSAI_A * Z ** (-1.0 / 3.0) / constants.m_e
    x = a**2 * np.asarray(Q2, float)
    return (x / (1.0 + x)) ** 2


def _screened(tgt: up.Target):
    if tgt.kind == "nucleus":
        from nuem.interactions.nucleus import helm_form_factor

        return lambda q2: helm_form_factor(np.sqrt(q2), tgt.A) * np.sqrt(screening(q2, tgt.Z))
    s = lambda q2: np.sqrt(screening(q2, 1))  # noqa: E731

    def ff(q2):
        f1, f2 = up.nucleon_form_factors(q2, tgt.name)
        return f1 * s(q2), f2 * s(q2)
    return ff


def _check_uhe_energy(E) -> np.ndarray:
    E = require_positive("E", E, "eV")
    lo, hi = E_RANGE_GEV
    if np.any(E < lo * GeV * (1 - 1e-12)) or np.any(E > hi * GeV * (1 + 1e-12)):
        raise NuemValueError(f"E={np.min(E) / GeV:g}..{np.max(E) / GeV:g} GeV outside the "
                             f"ultra-high-energy range [{lo:g}, {hi:g}] GeV")
    return E


def dsigma_dQ2_ice(E, Q2, m_N, d, part: str = "oxygen") -> np.ndarray:
    """dsigma/dQ^2 [eV^-4] on the oxygen nucleus or one hydrogen proton of a water
    molecule, screened (module docstring); zero outside the kinematic range."""
    citations.register("Huang2022")
    t = up.target({"oxygen": "oxygen", "hydrogen": "proton"}[part])
    return up.dsigma_dQ2(E, Q2, m_N, d, t, outside="zero", form_factor=_screened(t))


def sigma_h2o(E, m_N, d) -> np.ndarray:
    """Upscattering cross section per H2O molecule [eV^-2]: O-16 coherent + 2 protons,
    with atomic screening; E [eV] in 1e6-1e11 GeV, m_N [eV], d [eV^-1]; broadcasts in E."""
    citations.register("Huang2022")
    E = _check_uhe_energy(E)
    o, p = up.target("oxygen"), up.target("proton")
    return (up.sigma(E, m_N, d, o, form_factor=_screened(o))
            + 2.0 * up.sigma(E, m_N, d, p, form_factor=_screened(p)))


def column_probability(decay_len, length, separation) -> np.ndarray:
    """P_col of the module docstring: probability, integrated over the production depth x
    in [0, L - L_sep] (units of length), that N made at x decays inside at >= L_sep from
    x; divide by L for the per-neutrino-interaction average.  Same length unit for all."""
    lam = require_positive("decay_length", decay_len)
    L = float(require_positive("length", length))
    s = float(np.asarray(separation, float))
    if not 0 <= s < L:
        raise NuemValueError(f"separation={s:g} must lie in [0, length={L:g})")
    # (L - s) e^{-s/lambda} - lambda (e^{-s/lambda} - e^{-L/lambda}): the part of the column
    # beyond L_sep is a slab of length L - s reached with probability e^{-s/lambda}
    return np.exp(-s / lam) * (L - s) * pdec.probability_inside_slab(lam, L - s)


@dataclass(frozen=True)
class PowerLawFlux:
    """Per-flavour neutrino flux dPhi/dE = norm (E / e_ref)^-index [GeV^-1 cm^-2 s^-1
    sr^-1] between e_min and e_max [GeV] (inputs, all named).  Each of nu_e, nu_mu,
    nu_tau has this flux (antineutrinos included in it)."""

    norm: float
    index: float
    e_ref: float = 1e8
    e_min: float = E_RANGE_GEV[0]
    e_max: float = E_RANGE_GEV[1]

    def __call__(self, E_GeV) -> np.ndarray:
        E = np.asarray(E_GeV, float)
        return self.norm * (E / self.e_ref) ** (-self.index)

    @property
    def nodes_GeV(self) -> np.ndarray:
        """Energies [GeV] where dPhi/dE has a kink inside its range: none."""
        return np.empty(0)

    def describe(self) -> dict[str, float]:
        """The flux inputs, named with their units."""
        return {"flux_norm_per_GeV_cm2_s_sr": self.norm, "flux_index": self.index,
                "flux_e_ref_GeV": self.e_ref}


#: columns of a :class:`TableFlux` file, as error messages name them
TABLE_COLUMNS = "E [GeV] and E^2 dPhi/dE [GeV cm^-2 s^-1 sr^-1], both > 0, E increasing"


@dataclass(frozen=True)
class TableFlux:
    """Per-flavour neutrino flux given as a table, like :class:`PowerLawFlux` (each of
    nu_e, nu_mu, nu_tau has this flux): energies E [GeV] and E^2 dPhi/dE
    [GeV cm^-2 s^-1 sr^-1] at the nodes.  Between nodes ln(E^2 dPhi/dE) is linear in ln E
    (a power law on each segment, so a table sampled from a power law reproduces it);
    outside [e_min, e_max] (the first and last node) it raises, never extrapolates.

    Read one from a text file with :meth:`from_file`: two columns separated by blanks or a
    comma, one node a line, ``#`` starts a comment (header lines included)."""

    energies_GeV: tuple[float, ...]
    e2_flux: tuple[float, ...]
    source: str = ""

    def __post_init__(self) -> None:
        where = f"flux table {self.source}".strip()
        try:
            E = np.asarray(self.energies_GeV, float)
            v = np.asarray(self.e2_flux, float)
        except (TypeError, ValueError) as exc:
            raise NuemValueError(f"{where}: not numbers ({exc}); needs {TABLE_COLUMNS}"
                                 ) from None
        if E.ndim != 1 or v.shape != E.shape or E.size < 2:
            raise NuemValueError(f"{where}: needs at least two nodes, {TABLE_COLUMNS}")
        if not (np.all(np.isfinite(E)) and np.all(np.isfinite(v))):
            raise NuemValueError(f"{where}: NaN or infinity; needs {TABLE_COLUMNS}")
        if np.any(E <= 0) or np.any(v <= 0):
            raise NuemValueError(f"{where}: an energy or flux <= 0 (log-log interpolation); "
                                 f"needs {TABLE_COLUMNS}")
        if np.any(np.diff(E) <= 0):
            raise NuemValueError(f"{where}: energies must increase strictly")
        object.__setattr__(self, "energies_GeV", tuple(float(x) for x in E))
        object.__setattr__(self, "e2_flux", tuple(float(x) for x in v))

    @classmethod
    def from_file(cls, path) -> TableFlux:
        """Read a table (class docstring); a malformed line raises
        :class:`NuemValueError` naming the file and the line number."""
        name = str(path)
        E, v, _ = read_xy_table(path, "flux", TABLE_COLUMNS, x="E", x_unit="GeV",
                                y="E^2 dPhi/dE", y_positive=True, error=NuemValueError)
        return cls(tuple(E), tuple(v), name)

    @property
    def e_min(self) -> float:
        """Lowest tabulated energy [GeV]."""
        return float(self.energies_GeV[0])

    @property
    def e_max(self) -> float:
        """Highest tabulated energy [GeV]."""
        return float(self.energies_GeV[-1])

    @property
    def nodes_GeV(self) -> np.ndarray:
        """The tabulated energies [GeV] (kinks of the interpolated flux)."""
        return np.asarray(self.energies_GeV, float)

    def __call__(self, E_GeV) -> np.ndarray:
        """dPhi/dE [GeV^-1 cm^-2 s^-1 sr^-1] at E [GeV] in [e_min, e_max]."""
        E = require_positive("E", E_GeV, "GeV")
        lo, hi = self.e_min, self.e_max
        if np.any(E < lo * (1 - 1e-12)) or np.any(E > hi * (1 + 1e-12)):
            bad = E[(E < lo * (1 - 1e-12)) | (E > hi * (1 + 1e-12))]
            raise NuemValueError(f"E={bad.flat[0]:g} GeV outside the "
                                 f"{f'flux table {self.source}'.strip()} [{lo:g}, {hi:g}] GeV "
                                 "(no extrapolation)")
        lnE = np.log(np.clip(E, lo, hi))
        lnv = np.interp(lnE, np.log(self.nodes_GeV), np.log(np.asarray(self.e2_flux, float)))
        return np.exp(lnv) / E**2

    def describe(self) -> dict[str, float | str | int]:
        """The flux inputs, named with their units."""
        return {"flux_table": self.source or "(given in code)",
                "flux_table_nodes": len(self.energies_GeV),
                "flux_table_e_min_GeV": self.e_min, "flux_table_e_max_GeV": self.e_max}


def _energy_range(flux, e_range_GeV) -> tuple[float, float]:
    """The integration range [GeV]: ``e_range_GeV`` if given, else a power law's
    [e_min, e_max] or a table's range cut to :data:`E_RANGE_GEV`; it must lie inside
    both the flux's range and E_RANGE_GEV (never an extrapolation)."""
    lo_u, hi_u = E_RANGE_GEV
    if e_range_GeV is None and not isinstance(flux, TableFlux):
        e_range_GeV = (flux.e_min, flux.e_max)
    if e_range_GeV is None:
        lo, hi = max(flux.e_min, lo_u), min(flux.e_max, hi_u)
        if not lo < hi:
            raise NuemValueError(f"the flux is defined on [{flux.e_min:g}, {flux.e_max:g}] "
                                 f"GeV, outside the ultra-high-energy range "
                                 f"[{lo_u:g}, {hi_u:g}] GeV")
        return lo, hi
    rng = require_positive("e_range_GeV", e_range_GeV, "GeV")
    if rng.shape != (2,):
        raise NuemValueError(f"e_range_GeV={e_range_GeV!r} must be two energies (lo, hi) [GeV]")
    lo, hi = float(rng[0]), float(rng[1])
    if not lo < hi:
        raise NuemValueError(f"e_range_GeV=[{lo:g}, {hi:g}] GeV is empty")
    tol = 1e-12
    if lo < flux.e_min * (1 - tol) or hi > flux.e_max * (1 + tol):
        raise NuemValueError(f"energy range [{lo:g}, {hi:g}] GeV exceeds the flux's "
                             f"[{flux.e_min:g}, {flux.e_max:g}] GeV (no extrapolation)")
    if lo < lo_u * (1 - tol) or hi > hi_u * (1 + tol):
        raise NuemValueError(f"energy range [{lo:g}, {hi:g}] GeV exceeds the "
                             f"ultra-high-energy range [{lo_u:g}, {hi_u:g}] GeV")
    return lo, hi


def double_bang_count(portal: DipolePortal, flux: PowerLawFlux | TableFlux, *,
                      years: float = 10.0, length_m: float = 1000.0, area_km2: float = 1.0,
                      separation_m: float = 10.0, solid_angle_sr: float = 2 * math.pi,
                      density_g_cm3: float = ICE_DENSITY_G_CM3, n_energy: int = 64,
                      e_range_GeV: tuple[float, float] | None = None) -> dict[str, float]:
    """Expected double-bang events (module docstring) for ``portal`` and a per-flavour
    ``flux`` (:class:`PowerLawFlux` or :class:`TableFlux`) in an ice column of
    ``length_m`` x ``area_km2`` over ``years``, neutrinos from ``solid_angle_sr``
    (absorption in the Earth not included; each flavour couples with its own d_alpha).

    The energy integral runs over ``e_range_GeV`` [GeV] (default: a power law's
    [e_min, e_max], a table's range cut to 1e6-1e11 GeV), which must lie inside the
    flux's range (a table is never extrapolated) and inside 1e6-1e11 GeV; trapezoidal
    rule in ln E on ``n_energy`` equally spaced points plus, for a table, its nodes (where
    the interpolated flux has kinks).  Returns the count and the inputs used."""
    citations.register("Huang2022")
    for name, v in (("years", years), ("length_m", length_m), ("area_km2", area_km2),
                    ("solid_angle_sr", solid_angle_sr), ("density_g_cm3", density_g_cm3)):
        require_positive(name, v)
    if not isinstance(n_energy, (int, np.integer)) or n_energy < 2:
        raise NuemValueError(f"n_energy={n_energy!r} must be an integer >= 2")
    e_lo, e_hi = _energy_range(flux, e_range_GeV)
    el = materials.elements()
    m_h2o = 2 * el["H"].molar_mass + el["O"].molar_mass  # g/mol
    n_h2o = density_g_cm3 * constants.N_A / m_h2o / cm**3  # per eV^-3
    lnE = np.linspace(math.log(e_lo), math.log(e_hi), int(n_energy))
    nodes = flux.nodes_GeV
    inner = nodes[(nodes > e_lo) & (nodes < e_hi)]
    if inner.size:
        lnE = np.unique(np.concatenate([lnE, np.log(inner)]))
    E = np.exp(lnE) * GeV
    L = length_m * meter
    total = 0.0
    for d_a in portal.d:
        if d_a == 0:
            continue
        sig = sigma_h2o(E, portal.m_N, d_a)
        lam = pdec.decay_length(E, portal.m_N, portal.d2, portal.majorana)
        pcol = column_probability(lam, L, separation_m * meter)
        phi = flux(E / GeV) / (GeV * cm**2 * second)  # eV^2 per sr
        integrand = phi * n_h2o * sig * pcol * E  # d/dlnE
        total += float(np.trapezoid(integrand, lnE))
    area = area_km2 * 1e6 * meter**2
    count = total * area * solid_angle_sr * years * year
    return {"events": count, "m_N_GeV": portal.m_N / GeV,
            "d_GeV_inv": [x * GeV for x in portal.d], "majorana": portal.majorana,
            **flux.describe(), "e_min_GeV": e_lo, "e_max_GeV": e_hi,
            "years": years, "length_m": length_m, "area_km2": area_km2,
            "separation_m": separation_m, "solid_angle_sr": solid_angle_sr,
            "ice_density_g_cm3": density_g_cm3}
