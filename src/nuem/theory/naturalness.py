"""Naturalness bound on a Dirac neutrino magnetic moment (Bell et al. 2005).

Reference: N. F. Bell et al., PRL 95, 151802 (2005), hep-ph/0504134.  Equation numbers
are the paper's, and each function implements its equation as printed.

The dipole operators O1, O2 mix at one loop into the mass operator O3
(:mod:`nuem.theory.eft`).  Eqs. (12)-(13) give

    delta m_nu = (v^2 / 16 m_e) (C3(v) / C+(v)) (mu_nu / mu_B)                    (Eq. 26)

and, with C3(Lambda) = 0 and leading logs (Eq. 25), solving for mu_nu,

    |mu_nu|/mu_B = G_F m_e/(sqrt2 pi alpha) [delta m_nu/(alpha ln(Lambda/v))] 32 pi s_W^4/(9|f|)   (Eq. 4)
    f = (1 - r) - (2/3) r tan^2 theta_W - (1/3)(1 + r) tan^4 theta_W,  r = C-/C+    (Eq. 5)

so f(0) = 1 - tan^4/3 = 0.970 and f(1) = -0.261 with PDG 2024 couplings at M_Z.

Reading of the prefactor of Eqs. (1), (2), (4)
----------------------------------------------
The transcription of the paper in nuem's source texts typesets the prefactor as
G_F m_e / sqrt(2 pi alpha).  The paper's own statements fix it as G_F m_e/(sqrt2 pi alpha):
with that reading Eq. (1) gives the printed "~1e-10 sqrt(T/m_e)" (9.4e-11) and Eq. (4)
follows from Eqs. (12), (13), (24)-(26) identically (G_F = 1/(sqrt2 v^2)), giving the
~1e-14 of the abstract; the other reading gives 1.4e-11 and 1.4e-15, contradicting both.
The tests check both statements.

Eq. (27)
--------
Eq. (4) at Lambda = 1 TeV, delta m = 1 eV, with PDG 2024 MSbar couplings at M_Z
(alpha = 1/127.93, sin^2 theta_W = 0.23129) and v = 246.22 GeV gives the coefficient
9.4e-15 (bound 9.65e-15 mu_B at r = 0, where |f| = 0.970).  The paper prints 8e-15 to one
digit and does not state its inputs; no standard input set of 2005 reproduces it
uniquely (ln(Lambda/250 GeV), alpha = 1/128, sin^2 = 0.23 give 9.4e-15), so nuem does not claim
to reconstruct the paper's inputs.  :func:`eq27_coefficient` computes the number for
any inputs.

How much running matters (the paper says "negligible"): at Lambda = 1 TeV the resummed
and running bounds lie within 10% of the leading-log one (tested); the spread grows
with Lambda, mostly from the fall of alpha_2 above M_Z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice, require_positive
from nuem.theory.eft import (
    CONVENTIONS,
    METHODS,
    Couplings,
    FrozenCouplings,
    check_scales,
    delta_m_nu,
    evolution_matrix,
    mu_nu_over_muB,
)
from nuem.units import GeV

#: |f| below this is treated as f = 0: the leading-log mixing vanishes and there is no bound.
F_ZERO = 1e-12


def _frozen(couplings: FrozenCouplings | None) -> tuple[float, float]:
    """(alpha, sin^2 theta_W) of a frozen coupling set: e^2 = g1^2 g2^2/(g1^2 + g2^2)."""
    c = FrozenCouplings() if couplings is None else couplings
    if not isinstance(c, FrozenCouplings):
        raise NuemValueError("couplings must be FrozenCouplings for a leading-log formula")
    g1s, g2s = c.g1**2, c.g2**2
    return g1s * g2s / (g1s + g2s) / (4 * math.pi), g1s / (g1s + g2s)


def f_of_r(r: object, couplings: FrozenCouplings | None = None) -> np.ndarray:
    """f(r) of Bell et al. 2005, Eq. (5), as printed.

    f = (1 - r) - (2/3) r tan^2 theta_W - (1/3)(1 + r) tan^4 theta_W, r = C-(Lambda)/C+(Lambda),
    with theta_W from the frozen couplings (default PDG 2024 MSbar at M_Z: f(0) = 0.970,
    f(1) = -0.261).  f vanishes at r = :func:`r_zero` (about 0.79), where the leading-log
    bound disappears.
    """
    citations.register("Bell2005")
    rr = as_finite_array("r", r)
    _, s2 = _frozen(couplings)
    t2 = s2 / (1.0 - s2)
    return (1.0 - rr) - (2.0 / 3.0) * rr * t2 - (1.0 / 3.0) * (1.0 + rr) * t2**2


def r_zero(couplings: FrozenCouplings | None = None) -> float:
    """The r = C-/C+ at which f(r) = 0 (no leading-log bound): f is linear in r."""
    f0, f1 = float(f_of_r(0.0, couplings)), float(f_of_r(1.0, couplings))
    return f0 / (f0 - f1)


def bound_eq4(scale: object, delta_m: object, r: object = 0.0,
              couplings: FrozenCouplings | None = None, v_log: float | None = None
              ) -> np.ndarray:
    """Leading-log naturalness bound on |mu_nu|/mu_B, Bell et al. 2005 Eqs. (4), (5), (27).

    |mu_nu|/mu_B = G_F m_e/(sqrt2 pi alpha) [delta m_nu/(alpha ln(Lambda/v))] 32 pi s_W^4/(9|f|)
    (see the module docstring for the reading of the prefactor).

    Parameters
    ----------
    scale : array_like
        Lambda in eV (> v).
    delta_m : array_like
        Neutrino mass scale delta m_nu in eV (> 0) that the induced mass may not exceed.
    r : array_like
        C-(Lambda) / C+(Lambda).
    couplings : FrozenCouplings, optional
        alpha and sin^2 theta_W (default PDG 2024 MSbar at M_Z).
    v_log : float, optional
        Lower scale in ln(Lambda / v_log) [eV]; default v = 246.22 GeV.

    Returns
    -------
    ndarray
        The bound in Bohr magnetons, broadcast over the inputs; ``inf`` where f(r) = 0.
    """
    citations.register("Bell2005")
    lam, _ = check_scales(scale)
    dm = require_positive("delta_m", delta_m, "eV")
    vl = constants.v_higgs if v_log is None else float(require_positive("v_log", v_log, "eV"))
    L = np.log(lam / vl)
    a, s2 = _frozen(couplings)
    f = np.abs(f_of_r(r, couplings))
    pref = constants.G_F * constants.m_e / (math.sqrt(2.0) * math.pi * a)
    with np.errstate(divide="ignore"):
        out = pref * dm / (a * L) * 32 * math.pi * s2**2 / (9 * f)
    return np.where(f <= F_ZERO, np.inf, out)


def eq27_coefficient(scale: float = 1e3 * GeV, couplings: FrozenCouplings | None = None,
                     v_log: float | None = None) -> float:
    """The number "8e-15" of Bell et al. 2005 Eq. (27): |f| x Eq. (4) at delta m = 1 eV.

    With PDG 2024 inputs it is 9.4e-15 (module docstring: the paper's inputs are not stated).
    """
    return float(bound_eq4(scale, 1.0, 0.0, couplings, v_log) * np.abs(f_of_r(0.0, couplings)))


def bound(scale: object, delta_m: object, r: object = 0.0, method: str = "leading-log",
          couplings: Couplings | None = None, convention: str = "bell2005") -> np.ndarray:
    """Naturalness bound on |mu_nu|/mu_B for any solution method (C3(Lambda) = 0).

    ``"leading-log"`` is Eq. (4) (strict leading-log ratio, C+ not run; the same in every
    ``convention``).  ``"resummed"`` and ``"running"`` use Eq. (26) with the evolved
    coefficients, |mu|/mu_B <= delta m |mu(C+(v)) / delta m(C3(v))| from Eqs. (12)-(13),
    which in the paper's normalisation is (16 m_e / v^2) delta m |C+(v) / C3(v)|, for
    C(Lambda) = (1+r, 1-r, 0)/2.  Returns ``inf`` where the induced mass vanishes (no bound).
    Broadcasts over inputs.
    """
    require_choice("method", method, METHODS)
    require_choice("convention", convention, CONVENTIONS)
    if method == "leading-log":
        return bound_eq4(scale, delta_m, r, couplings)  # type: ignore[arg-type]
    citations.register("Bell2005")
    lam, _ = check_scales(scale)
    dm = require_positive("delta_m", delta_m, "eV")
    rr = as_finite_array("r", r)
    lam, dm, rr = np.broadcast_arrays(lam, dm, rr)
    U = evolution_matrix(lam, None, method, couplings, convention)
    c_l = np.stack([0.5 * (1 + rr), 0.5 * (1 - rr), np.zeros_like(rr)], axis=-1)
    c_v = np.einsum("...ij,...j->...i", U, c_l)
    c_plus, c3 = c_v[..., 0] + c_v[..., 1], c_v[..., 2]
    mu = np.abs(mu_nu_over_muB(c_plus, 0.0, lam, convention))
    dm_rad = np.abs(delta_m_nu(c3, lam))
    with np.errstate(divide="ignore"):
        out = dm * mu / dm_rad
    return np.where(np.abs(c3) <= F_ZERO * np.abs(c_plus), np.inf, out)


@dataclass(frozen=True)
class NaturalnessResult:
    """Physical outputs for given coefficients at Lambda (Bell et al. 2005 Eq. 26)."""

    mu_nu_muB: float
    delta_m_eV: float
    delta_m_rad_eV: float
    fine_tuning: float  # |delta m_rad / delta m_total|; > 1 means a cancellation is needed


def naturalness_general(c_plus: float, c_minus: float, c3: float, scale: float,
                        method: str = "leading-log", couplings: Couplings | None = None,
                        convention: str = "bell2005") -> NaturalnessResult:
    """General case C3(Lambda) != 0, Bell et al. 2005 Eq. (26).

    Returns mu_nu (Eq. 12), the total delta m_nu (Eq. 13 with C3(v) = radiative part
    + evolved C3(Lambda)), the radiative part alone (C3(Lambda) set to 0) and the
    fine-tuning measure |delta m_rad / delta m_total|.  With ``"leading-log"`` the moment
    is taken from C+(Lambda) (the consistent leading-log order, as in Eq. 4); with the
    other methods from C+(v).  Coefficients in the normalisation of ``convention``
    (default: Bell et al. 2005 as printed).
    """
    require_choice("method", method, METHODS)
    check_scales(scale)
    cl = as_finite_array("C", [0.5 * (c_plus + c_minus), 0.5 * (c_plus - c_minus), c3])
    U = evolution_matrix(scale, None, method, couplings, convention)
    c_v = U @ cl
    c3_rad = (U @ np.array([cl[0], cl[1], 0.0]))[2]
    cp = c_plus if method == "leading-log" else c_v[0] + c_v[1]
    mu = float(mu_nu_over_muB(cp, 0.0, scale, convention))
    dm_tot = float(delta_m_nu(c_v[2], scale))
    dm_rad = float(delta_m_nu(c3_rad, scale))
    ft = math.inf if dm_tot == 0.0 else abs(dm_rad / dm_tot)
    return NaturalnessResult(mu, dm_tot, dm_rad, ft)


def delta_m_quadratic_estimate(mu_nu_muB: object, scale: object) -> np.ndarray:
    """Eq. (3) of Bell et al. 2005, as printed: the quadratic-divergence estimate.

    delta m_nu ~ (alpha / 32 pi) (Lambda^2 / m_e) (mu_nu / mu_B)  [eV], alpha = 1/137.036,
    an order-of-magnitude estimate (a quadratically divergent loop cut off at Lambda);
    for Lambda = 1 TeV and delta m_nu = 1 eV it allows mu_nu ~ 7e-15 mu_B (the paper:
    "|mu_nu| <~ 1e-14").  ``scale`` in eV.
    """
    citations.register("Bell2005")
    lam = require_positive("scale", scale, "eV")
    mu = as_finite_array("mu_nu_muB", mu_nu_muB)
    return constants.alpha / (32 * math.pi) * lam**2 / constants.m_e * np.abs(mu)


def mass_moment_conundrum(mu_nu_muB: object, scale: object) -> np.ndarray:
    """Seminar form of Eq. (3): m_nu ~ Lambda^2 mu_nu / (2 m_e mu_B) [eV], no loop factor.

    Dimensional analysis only: the diagram that makes mu ~ e X / Lambda makes
    m ~ X Lambda, so m ~ Lambda^2 mu / e = Lambda^2 (mu/mu_B) / (2 m_e).
    """
    citations.register("Bell2005")
    lam = require_positive("scale", scale, "eV")
    mu = as_finite_array("mu_nu_muB", mu_nu_muB)
    return lam**2 * np.abs(mu) / (2.0 * constants.m_e)


def _eq12_prefactor() -> float:
    """G_F m_e / (sqrt2 pi alpha) of Bell et al. 2005 Eqs. (1), (2), (4) [eV^-1]."""
    return constants.G_F * constants.m_e / (math.sqrt(2.0) * math.pi * constants.alpha)


def _weak_couplings(flavour: str) -> tuple[float, float]:
    """(g_V, g_A) of nu_l e scattering, with the charged current for l = e (Vogel-Engel 1989)."""
    require_choice("flavour", flavour, ("e", "mu", "tau"))
    s2 = constants.sin2w_MZ
    return (0.5 + 2 * s2, 0.5) if flavour == "e" else (-0.5 + 2 * s2, -0.5)


def mu_sensitivity_scattering(recoil: object, flavour: str | None = None) -> np.ndarray:
    """Bell et al. 2005 Eq. (1): |mu_exp|/mu_B ~ G_F m_e/(sqrt2 pi alpha) sqrt(m_e T).

    The moment at which the magnetic cross section equals the weak one at recoil T [eV].
    Printed form by default ("~1e-10 sqrt(T/m_e)").  ``flavour="e"|"mu"|"tau"`` folds in
    the weak couplings: the printed form times sqrt((g_V+g_A)^2 + (g_V-g_A)^2) (Vogel &
    Engel 1989, Eq. 2; the inverse of :func:`scattering_crossover_recoil`).
    """
    citations.register("Bell2005")
    T = require_positive("recoil", recoil, "eV")
    out = _eq12_prefactor() * np.sqrt(constants.m_e * T)
    if flavour is None:
        return out
    citations.register("VogelEngel1989")
    gv, ga = _weak_couplings(flavour)
    return out * math.sqrt((gv + ga) ** 2 + (gv - ga) ** 2)


def mu_sensitivity_plasmon(omega_pl: object, flavour_sum: bool = False) -> np.ndarray:
    """Bell et al. 2005 Eq. (2): |mu_astro|/mu_B ~ G_F m_e/(sqrt2 pi alpha) hbar omega_P.

    The moment at which plasmon decay through mu matches the weak decay (``omega_pl`` in eV).
    Printed form by default.  ``flavour_sum=True`` folds in the vector couplings summed over
    three flavours, sqrt(sum_l C_V,l^2) (Haft, Raffelt & Weiss 1994; the point where
    :func:`plasmon_rate_ratio` is 1).
    """
    citations.register("Bell2005")
    w = require_positive("omega_pl", omega_pl, "eV")
    out = _eq12_prefactor() * w
    if not flavour_sum:
        return out
    citations.register("HaftRaffeltWeiss1994")
    s2 = constants.sin2w_MZ
    return out * math.sqrt((0.5 + 2 * s2) ** 2 + 2 * (-0.5 + 2 * s2) ** 2)


def scattering_crossover_recoil(mu_nu_muB: object, flavour: str = "e") -> np.ndarray:
    """Sensitivity scaling of nu-e scattering (Bell et al. 2005 Eq. 1), as a recoil energy.

    The magnetic cross section (pi alpha^2/m_e^2)(1/T - 1/E)(mu/mu_B)^2 exceeds the weak one,
    (G_F^2 m_e / 2 pi)[(g_V+g_A)^2 + (g_V-g_A)^2] at T << E (Vogel & Engel 1989, Eq. 2),
    below T* = 2 pi^2 alpha^2 (mu/mu_B)^2 / (G_F^2 m_e^3 [(g_V+g_A)^2 + (g_V-g_A)^2]).
    So a search reaching recoil threshold T probes mu/mu_B ~ sqrt(T): the sensitivity
    improves only as the square root of the threshold.  Returns T* in eV.
    ``flavour``: "e" (nu_e or nubar_e, with charged current) or "mu"/"tau".
    """
    citations.register("Bell2005", "VogelEngel1989")
    mu = as_finite_array("mu_nu_muB", mu_nu_muB)
    gv, ga = _weak_couplings(flavour)
    weak = (gv + ga) ** 2 + (gv - ga) ** 2
    return (2 * math.pi**2 * constants.alpha**2 * mu**2
            / (constants.G_F**2 * constants.m_e**3 * weak))


def plasmon_rate_ratio(mu_nu_muB: object, omega_pl: object) -> np.ndarray:
    """Sensitivity scaling of plasmon decay (Bell et al. 2005 Eq. 2): Q_mu / Q_SM.

    Ratio of magnetic-moment to Standard-Model plasmon-decay emission for transverse
    plasmons with K^2 = omega_pl^2, summed over three flavours:
    Q_mu/Q_SM = 2 pi alpha mu^2 / (G_F^2 omega_pl^2 sum_l C_V,l^2),
    C_V,e = 1/2 + 2 s_W^2, C_V,mu = C_V,tau = -1/2 + 2 s_W^2 (Haft, Raffelt & Weiss 1994,
    whose numerical form is 0.318 (10 keV/omega_pl)^2 (mu/1e-12 mu_B)^2).  The bound on
    mu therefore scales linearly with the plasma frequency.  ``omega_pl`` in eV.
    """
    citations.register("Bell2005", "HaftRaffeltWeiss1994")
    mu = as_finite_array("mu_nu_muB", mu_nu_muB) * constants.mu_B
    w = require_positive("omega_pl", omega_pl, "eV")
    s2 = constants.sin2w_MZ
    cv2 = (0.5 + 2 * s2) ** 2 + 2 * (-0.5 + 2 * s2) ** 2
    return 2 * math.pi * constants.alpha * mu**2 / (constants.G_F**2 * w**2 * cv2)
