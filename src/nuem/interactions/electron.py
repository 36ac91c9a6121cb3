"""Elastic neutrino-electron scattering with electromagnetic terms.

All energies are in eV and cross sections in natural units (eV^-3 for dsigma/dT);
convert at the edges with :mod:`nuem.units`, e.g. ``x / (units.cm**2 / units.MeV)``.

Conventions
-----------
* Standard Model couplings in the convention of Giunti & Studenikin, Rev. Mod. Phys.
  87, 531 (2015), section on neutrino-electron elastic scattering [GiuntiStudenikin2015]:
  g_V = -1/2 + 2 sin^2 theta_W + delta_{l e},  g_A = -1/2 + delta_{l e};
  the Kronecker delta is the charged-current (W-exchange) part for nu_e.  For
  antineutrinos g_A -> -g_A.  sin^2 theta_W defaults to the low-energy MSbar value
  ``constants.sin2w_0`` (PDG 2024), appropriate at keV-MeV momentum transfer.
* Charge radius <r^2> enters as a shift of g_V ("giunti-studenikin" convention,
  GiuntiStudenikin2015, section on the neutrino charge radius):
  g_V -> g_V + (2/3) M_W^2 sin^2 theta_W <r^2> = g_V + sqrt(2) pi alpha <r^2> / (3 G_F).
  The "vogel-engel" convention (Vogel & Engel, PRD 39, 3378 (1989))
  defines <r^2> so that the same physical shift reads g_V + 2 sqrt(2) pi alpha <r^2>/(3 G_F):
  a factor 2 apart.  <r^2> is in eV^-2 (pass ``r2 * units.cm**2``); it is the same
  for a neutrino and its antineutrino in these formulas (crossing is done by g_A -> -g_A).
* Millicharge q (in units of the elementary charge e > 0) adds photon exchange with
  q^2 = -2 m_e T, which interferes with the weak amplitude as a T-dependent shift
  g_V -> g_V - sqrt(2) pi alpha q / (G_F m_e T) (GiuntiStudenikin2015, section on millicharged neutrinos).
  Together with the charge radius this is the expansion F(q^2) = q + q^2 <r^2>/6 of
  the neutrino charge form factor.
* The magnetic moment mu (in Bohr magnetons, an effective moment for the flux at
  hand) adds incoherently (helicity flip, no interference for m_nu -> 0):
  dsigma/dT = (pi alpha^2 / m_e^2) (1/T - 1/E) mu^2   (Vogel & Engel 1989; GiuntiStudenikin2015).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice, require_positive

FLAVOURS: tuple[str, ...] = ("e", "mu", "tau")
CR_CONVENTIONS: tuple[str, ...] = ("giunti-studenikin", "vogel-engel")
KinematicsPolicy = Literal["raise", "zero"]

#: pi alpha^2 / m_e^2 in eV^-2: the magnetic-moment cross-section scale.
MAGNETIC_PREFACTOR: float = math.pi * constants.alpha**2 / constants.m_e**2


def check_flavour(flavour: str) -> str:
    """Return ``flavour`` if it is one of e, mu, tau, else raise naming the choices."""
    return require_choice("flavour", flavour, FLAVOURS)


def t_max(E, m_target: float = constants.m_e) -> np.ndarray:
    """Kinematic maximum recoil T_max = 2 E^2 / (m + 2 E) for a target of mass m at rest.

    E [eV] > 0.  Elastic two-body kinematics (e.g. Giunti & Studenikin 2015).
    """
    E = require_positive("E", E, "eV")
    return 2.0 * E**2 / (m_target + 2.0 * E)


def e_min(T, m_target: float = constants.m_e) -> np.ndarray:
    """Smallest neutrino energy that can give recoil T: E_min = (T + sqrt(T^2 + 2 m T)) / 2."""
    T = require_positive("T", T, "eV")
    return 0.5 * (T + np.sqrt(T**2 + 2.0 * m_target * T))


def sm_couplings(flavour: str, anti: bool = False, sin2w: float | None = None
                 ) -> tuple[float, float]:
    """Tree-level (g_V, g_A) for nu_l e -> nu_l e (GiuntiStudenikin2015)."""
    check_flavour(flavour)
    s2 = constants.sin2w_0 if sin2w is None else float(sin2w)
    if not 0.0 < s2 < 1.0:
        raise NuemValueError(f"sin2w={s2!r} must lie in (0, 1)")
    cc = 1.0 if flavour == "e" else 0.0
    g_v = -0.5 + 2.0 * s2 + cc
    g_a = -0.5 + cc
    return g_v, (-g_a if anti else g_a)


def charge_radius_shift(r2, convention: str = "giunti-studenikin") -> np.ndarray:
    """Shift of g_V from a charge radius <r^2> [eV^-2] (see module docstring)."""
    require_choice("convention", convention, CR_CONVENTIONS)
    citations.register("GiuntiStudenikin2015")
    if convention == "vogel-engel":
        citations.register("VogelEngel1989")
    factor = 1.0 if convention == "giunti-studenikin" else 2.0
    return factor * math.sqrt(2.0) * math.pi * constants.alpha * as_finite_array("r2", r2) / (
        3.0 * constants.G_F)


def millicharge_shift(q, T) -> np.ndarray:
    """T-dependent shift of g_V from a millicharge q [e]: -sqrt(2) pi alpha q / (G_F m_e T)."""
    citations.register("GiuntiStudenikin2015")
    return -math.sqrt(2.0) * math.pi * constants.alpha * as_finite_array("q", q) / (
        constants.G_F * constants.m_e * np.asarray(T, dtype=float))


def _kinematics(E, T, policy: KinematicsPolicy, m_target: float = constants.m_e
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    require_choice("above_tmax", policy, ("raise", "zero"))
    E = require_positive("E", E, "eV")
    T = require_positive("T", T, "eV")
    E, T = np.broadcast_arrays(E, T)
    allowed = T <= t_max(E, m_target) * (1.0 + 1e-12)
    if policy == "raise" and not np.all(allowed):
        i = np.flatnonzero(~allowed.ravel())[0]
        e_i, t_i = E.ravel()[i], T.ravel()[i]
        raise NuemValueError(
            f"recoil T={t_i:g} eV is above the kinematic limit T_max={float(t_max(e_i, m_target)):g}"
            f" eV for E={e_i:g} eV (valid: 0 < T <= 2E^2/(m + 2E))")
    return E, T, allowed


def dsigma_dT_weak(E, T, flavour: str = "e", anti: bool = False, *, r2=0.0, q=0.0,
                   sin2w: float | None = None, convention: str = "giunti-studenikin",
                   above_tmax: KinematicsPolicy = "raise") -> np.ndarray:
    """Weak (+ charge radius + millicharge) part of dsigma/dT on a free electron [eV^-3].

    dsigma/dT = G_F^2 m_e / (2 pi) [ (g_V + g_A)^2 + (g_V - g_A)^2 (1 - T/E)^2
                                     - (g_V^2 - g_A^2) m_e T / E^2 ]
    (GiuntiStudenikin2015; Vogel & Engel 1989), with g_V shifted by
    :func:`charge_radius_shift` and :func:`millicharge_shift`.  E, T in eV, broadcast.
    Above T_max: ``above_tmax="raise"`` raises, ``"zero"`` returns 0 there.
    """
    citations.register("GiuntiStudenikin2015", "VogelEngel1989")
    E, T, allowed = _kinematics(E, T, above_tmax)
    g_v, g_a = sm_couplings(flavour, anti, sin2w)
    gv = g_v + charge_radius_shift(r2, convention) + millicharge_shift(q, T)
    y = T / E
    val = (constants.G_F**2 * constants.m_e / (2.0 * math.pi)) * (
        (gv + g_a) ** 2 + (gv - g_a) ** 2 * (1.0 - y) ** 2
        - (gv**2 - g_a**2) * constants.m_e * T / E**2)
    return np.where(allowed, val, 0.0)


def dsigma_dT_magnetic(E, T, mu=1.0, *, above_tmax: KinematicsPolicy = "raise") -> np.ndarray:
    """Magnetic-moment dsigma/dT on a free electron [eV^-3] for moment mu [mu_B].

    (pi alpha^2 / m_e^2)(1/T - 1/E) mu^2 (Vogel & Engel 1989); no interference
    with the weak amplitude.  mu is the effective moment of the incoming state.
    """
    citations.register("VogelEngel1989")
    E, T, allowed = _kinematics(E, T, above_tmax)
    mu = as_finite_array("mu", mu)
    val = MAGNETIC_PREFACTOR * (1.0 / T - 1.0 / E) * mu**2
    return np.where(allowed, val, 0.0)


def dsigma_dT(E, T, flavour: str = "e", anti: bool = False, *, mu=0.0, r2=0.0, q=0.0,
              target: str = "free", binding: str = "stepping", sin2w: float | None = None,
              convention: str = "giunti-studenikin",
              above_tmax: KinematicsPolicy = "raise") -> dict[str, np.ndarray]:
    """Total dsigma/dT per target electron [eV^-3], split into ``sm``, ``em`` and ``total``.

    ``sm`` is the pure Standard-Model weak term; ``em`` is everything the
    electromagnetic properties add (magnetic term plus the change of the weak term from
    <r^2> and q, which includes their interference).  For a bound ``target`` the free
    cross section is multiplied by the atomic factors of :mod:`nuem.interactions.atomic`
    (separately for the weak and the magnetic parts).
    """
    from nuem.interactions import atomic

    sm = dsigma_dT_weak(E, T, flavour, anti, sin2w=sin2w, above_tmax=above_tmax)
    if np.any(np.asarray(r2) != 0) or np.any(np.asarray(q) != 0):
        weak = dsigma_dT_weak(E, T, flavour, anti, r2=r2, q=q, sin2w=sin2w,
                              convention=convention, above_tmax=above_tmax)
    else:
        weak = sm
    mag = dsigma_dT_magnetic(E, T, mu, above_tmax=above_tmax)
    f_weak, f_mag = atomic.binding_factors(T, target, binding)
    sm_b = sm * f_weak
    em_b = (weak - sm) * f_weak + mag * f_mag
    return {"sm": sm_b, "em": em_b, "total": sm_b + em_b}


def sigma_total_free(E, flavour: str = "e", anti: bool = False, sin2w: float | None = None
                     ) -> np.ndarray:
    """Standard-Model total cross section on a free electron [eV^-2], integrating
    :func:`dsigma_dT_weak` in closed form from T = 0 to T_max (the weak term above)."""
    E = require_positive("E", E, "eV")
    g_v, g_a = sm_couplings(flavour, anti, sin2w)
    tm = t_max(E)
    m = constants.m_e
    return (constants.G_F**2 * m / (2.0 * math.pi)) * (
        (g_v + g_a) ** 2 * tm
        + (g_v - g_a) ** 2 * (E / 3.0) * (1.0 - (1.0 - tm / E) ** 3)
        - (g_v**2 - g_a**2) * m * tm**2 / (2.0 * E**2))
