"""Upscattering nu_alpha(k1) + X(k2) -> N(k3) + X(k4) by photon exchange, full m_N kinematics.

Derivation (ours; formulas checked against the references below).  With the internal
vertex of :mod:`nuem.portal.model`, the leptonic current is
2 d ubar(k3) sigma^{mu nu} q_nu P_L u(k1), q = k1 - k3, Q^2 = -q^2 > 0.  Using
sigma^{mu nu} q_nu = i (gamma^mu qslash - q^mu), kslash_1 u(k1) = 0 and current
conservation on the target side, it equals
2 i d ubar(k3) [m_N gamma^mu - (k1 + k3)^mu] P_L u(k1), whose spin sum is

    L^{mu a} = 2 m^2 (k3^mu k1^a + k1^mu k3^a - g^{mu a} k1.k3) + 2 (k1.k3) P^mu P^a
               - 2 m^2 (k1^mu P^a + P^mu k1^a),   P = k1 + k3,  m = m_N

(times (2d)^2; the gamma5 part is antisymmetric and drops against an unpolarised target).
The incoming neutrino is left-handed: no average over its spin.  Target currents
(K = k2 + k4, tau = Q^2 / (4 M^2)):

* spin 1/2 with Dirac and Pauli form factors F1, F2 (electron: F1 = 1, F2 = 0; nucleons:
  Sachs dipole form factors), spin-averaged:
  W^{mu a} = -G_M^2 Q^2 g^{mu a} + (F1^2 + tau F2^2) K^mu K^a,  G_M = F1 + F2;
* a spin-0 nucleus (C-12, O-16, Ar-40 and, as an approximation, the xenon mixture),
  coherent: W^{mu a} = Z^2 F(Q)^2 K^mu K^a with the Helm form factor of
  :func:`nuem.interactions.nucleus.helm_form_factor` (Lewin & Smith 1996).

The contraction, with s = M^2 + 2 E M, u = 2M^2 + m^2 - s + Q^2, nu = (s - u)/2:

    L.W = -G_M^2 Q^2 (m^2 + Q^2)(Q^2 - 2 m^2) + C^2 [4 Q^2 nu^2 - m^2 (m^2 + Q^2)(4 M^2 + Q^2)]

(C^2 = F1^2 + tau F2^2, or Z^2 F^2 and no G_M term for spin 0), and

    dsigma/dQ^2 = alpha d^2 L.W / (Q^4 (s - M^2)^2),      dsigma/dT = 2 M dsigma/dQ^2,

T = Q^2 / (2M) the target recoil.  Checks: for m_N -> 0 on an electron this is
4 alpha d^2 (1/T - 1/E) = alpha mu^2 (1/T - 1/E) with mu = 2 d, the Vogel & Engel (1989)
magnetic-moment cross section (tests/portal/test_upscatter.py); the coherent nuclear
form agrees with Magill et al. 2018 (arXiv:1803.03262, Appendix, Primakoff
upscattering), Brdar et al. 2021 (arXiv:2007.15563, electron and nuclear
upscattering) and Plestid 2021 (arXiv:2010.04193) in their limits, and with the
DarkNews 0.4.8 amplitudes numerically (tests/portal/test_darknews.py).

Kinematics (two-body, massless projectile, target at rest; all exact):
  threshold E_th = m + m^2 / (2M);
  Q^2_max = 2 p (E3 + p3) - m^2 in the centre-of-mass frame (p, p3 the initial and final
  momenta, E3 the N energy), Q^2_min = m^4 M^2 / (s Q^2_max) (the product identity
  Q^2_min Q^2_max = m^4 M^2 / s, free of cancellation);
  smallest E for a recoil T: E_min(T) = (2 M T + m^2)(p_T + T) / (4 M T), p_T =
  sqrt(T^2 + 2 M T).

Units: eV inside (E, m_N, T, M in eV; d in eV^-1; Q^2 in eV^2; cross sections in eV^-2
and eV^-3).  Cross sections are per target particle (per nucleus, nucleon or electron).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, require_choice, require_positive
from nuem.interactions import materials
from nuem.interactions.nucleus import helm_form_factor
from nuem.portal.model import require_nonnegative
from nuem.units import GeV

#: dipole mass of the nucleon Sachs form factors, M_V^2 = 0.71 GeV^2 (Perdrisat,
#: Punjabi & Vanderhaeghen, Prog. Part. Nucl. Phys. 59, 694 (2007), Eq. (9))
DIPOLE_MV2: float = 0.71 * GeV**2

TARGETS: tuple[str, ...] = ("electron", "proton", "neutron", "carbon", "oxygen", "argon",
                            "xenon")
_NUCLEI = {"carbon": ("C", 12), "oxygen": ("O", 16), "argon": ("Ar", 40), "xenon": ("Xe", None)}

#: Gauss-Legendre panels x nodes in ln Q^2 for the total cross section
_PANELS, _NODES = 48, 16


@dataclass(frozen=True)
class Target:
    """A scattering centre: mass M [eV], charge Z, mass number A, and its kind
    ("electron", "nucleon" or "nucleus")."""

    name: str
    M: float
    Z: int
    A: int
    kind: str


@lru_cache(maxsize=None)
def target(name: str) -> Target:
    """The :class:`Target` called ``name`` (one of :data:`TARGETS`).  Nuclear masses are
    A m_u with A the isotope (C-12, O-16, Ar-40) or, for xenon, the CIAAW atomic weight
    (as :mod:`nuem.interactions.nucleus` does)."""
    require_choice("target", name, TARGETS)
    if name == "electron":
        return Target(name, constants.m_e, 1, 0, "electron")
    if name == "proton":
        return Target(name, constants.m_p, 1, 1, "nucleon")
    if name == "neutron":
        return Target(name, constants.m_n, 0, 1, "nucleon")
    sym, A = _NUCLEI[name]
    el = materials.elements()[sym]
    A = el.A if A is None else A
    mass = el.molar_mass * constants.m_u if name == "xenon" else A * constants.m_u
    return Target(name, mass, el.Z, A, "nucleus")


def _as_target(t) -> Target:
    return t if isinstance(t, Target) else target(t)


def nucleon_form_factors(Q2, which: str) -> tuple[np.ndarray, np.ndarray]:
    """Dirac and Pauli form factors (F1, F2) of the proton or neutron from the Sachs
    dipole fit G_E^p = G_D, G_M^{p,n} = mu_{p,n} G_D, G_E^n = 0, G_D = (1 + Q^2/M_V^2)^-2
    (Perdrisat et al. 2007, Eqs. (9), (3)): F1 = (G_E + tau G_M)/(1 + tau),
    F2 = (G_M - G_E)/(1 + tau), tau = Q^2/(4 M^2).  Q^2 in eV^2."""
    require_choice("nucleon", which, ("proton", "neutron"))
    citations.register("Perdrisat2007")
    Q2 = np.asarray(Q2, float)
    gd = (1.0 + Q2 / DIPOLE_MV2) ** -2
    M = constants.m_p if which == "proton" else constants.m_n
    tau = Q2 / (4.0 * M**2)
    if which == "proton":
        ge, gm = gd, constants.mu_p_nuclear * gd
    else:
        ge, gm = 0.0 * gd, constants.mu_n_nuclear * gd
    return (ge + tau * gm) / (1.0 + tau), (gm - ge) / (1.0 + tau)


# ----------------------------------------------------------------------------- kinematics
def e_threshold(m_N, M) -> np.ndarray:
    """Threshold neutrino energy E_th = m_N + m_N^2 / (2 M) [eV] (module docstring)."""
    m = require_positive("m_N", m_N, "eV")
    return m + m**2 / (2.0 * np.asarray(M, float))


def _check_energy(E, m, M) -> np.ndarray:
    """E [eV] as an array if every element is at or above the threshold of the m_N [eV]
    it broadcasts with, else :class:`NuemValueError` naming the first element below."""
    E = require_positive("E", E, "eV")
    th = e_threshold(m, M)
    if np.any(E < th * (1.0 - 1e-12)):
        Eb, thb, mb = np.broadcast_arrays(E, th, np.asarray(m, float))
        i = np.flatnonzero((Eb < thb * (1.0 - 1e-12)).ravel())[0]
        raise NuemValueError(f"E={Eb.ravel()[i]:g} eV is below the threshold "
                             f"E_th = m_N + m_N^2/(2M) = {thb.ravel()[i]:g} eV of "
                             f"m_N={mb.ravel()[i]:g} eV")
    return E


def q2_range(E, m_N, tgt) -> tuple[np.ndarray, np.ndarray]:
    """(Q^2_min, Q^2_max) [eV^2] at neutrino energy E >= E_th [eV]; broadcasts."""
    M = _as_target(tgt).M
    m = require_positive("m_N", m_N, "eV")
    E = _check_energy(E, m, M)
    s = M**2 + 2.0 * E * M
    rs = np.sqrt(s)
    p = (s - M**2) / (2.0 * rs)
    e3 = (s + m**2 - M**2) / (2.0 * rs)
    lam = np.clip((s - m**2 - M**2) ** 2 - 4.0 * m**2 * M**2, 0.0, None)
    p3 = np.sqrt(lam) / (2.0 * rs)
    qmax = 2.0 * p * (e3 + p3) - m**2
    qmin = m**4 * M**2 / (s * qmax)
    return qmin, qmax


def t_range(E, m_N, tgt) -> tuple[np.ndarray, np.ndarray]:
    """(T_min, T_max) of the target recoil kinetic energy [eV], T = Q^2 / (2M)."""
    M = _as_target(tgt).M
    lo, hi = q2_range(E, m_N, tgt)
    return lo / (2.0 * M), hi / (2.0 * M)


def e_min(T, m_N, tgt) -> np.ndarray:
    """Smallest neutrino energy [eV] that gives recoil T [eV] (module docstring)."""
    M = _as_target(tgt).M
    T = require_positive("T", T, "eV")
    m = require_positive("m_N", m_N, "eV")
    pT = np.sqrt(T**2 + 2.0 * M * T)
    return (2.0 * M * T + m**2) * (pT + T) / (4.0 * M * T)


# ----------------------------------------------------------------------------- cross sections
def contraction(E, Q2, m_N, tgt, form_factor=None) -> np.ndarray:
    """L_{mu a} W^{mu a} [eV^6] of the module docstring, form factors included; no
    kinematic check.  ``form_factor`` replaces the default form factors: for a nucleus a
    callable F(Q^2 [eV^2]) (default Helm), for a nucleon a callable returning (F1, F2)
    (default :func:`nucleon_form_factors`); ignored for the electron."""
    t = _as_target(tgt)
    M = t.M
    E, Q2 = np.asarray(E, float), np.asarray(Q2, float)
    m2 = float(m_N) ** 2 if np.ndim(m_N) == 0 else np.asarray(m_N, float) ** 2
    s = M**2 + 2.0 * E * M
    u = 2.0 * M**2 + m2 - s + Q2
    nu = 0.5 * (s - u)
    base = 4.0 * Q2 * nu**2 - m2 * (m2 + Q2) * (4.0 * M**2 + Q2)
    if t.kind == "nucleus":
        F = helm_form_factor(np.sqrt(Q2), t.A) if form_factor is None else form_factor(Q2)
        return t.Z**2 * F**2 * base
    if t.kind == "electron":
        f1, f2 = np.ones_like(Q2), np.zeros_like(Q2)
    elif form_factor is None:
        f1, f2 = nucleon_form_factors(Q2, t.name)
    else:
        f1, f2 = form_factor(Q2)
    tau = Q2 / (4.0 * M**2)
    gm = f1 + f2
    return -gm**2 * Q2 * (m2 + Q2) * (Q2 - 2.0 * m2) + (f1**2 + tau * f2**2) * base


def _cite(t: Target) -> None:
    citations.register("Magill2018", "Brdar2021", "Plestid2021")
    if t.kind == "nucleus":
        citations.register("LewinSmith1996")


def _checked_inputs(tgt, m_N, d) -> tuple[Target, np.ndarray, np.ndarray]:
    """The target (cited), m_N > 0 [eV] and d >= 0 [eV^-1] (arrays) of a cross-section
    call."""
    t = _as_target(tgt)
    _cite(t)
    return t, require_positive("m_N", m_N, "eV"), require_nonnegative("d", d, "eV^-1")


def dsigma_dQ2(E, Q2, m_N, d, tgt, *, outside: str = "raise", form_factor=None
               ) -> np.ndarray:
    """dsigma/dQ^2 [eV^-4] for nu_alpha X -> N X with coupling d_alpha [eV^-1] (module
    docstring).  Outside [Q^2_min, Q^2_max] ``outside="raise"`` raises and ``"zero"``
    returns 0.  Broadcasts over E, Q2, m_N, d."""
    require_choice("outside", outside, ("raise", "zero"))
    t, m, d = _checked_inputs(tgt, m_N, d)
    Q2 = require_positive("Q2", Q2, "eV^2")
    lo, hi = q2_range(E, m, t)
    E, Q2, m, lo, hi = np.broadcast_arrays(np.asarray(E, float), Q2, m, lo, hi)
    ok = (Q2 >= lo * (1 - 1e-12)) & (Q2 <= hi * (1 + 1e-12))
    if outside == "raise" and not np.all(ok):
        i = np.flatnonzero(~ok.ravel())[0]
        raise NuemValueError(f"Q2={Q2.ravel()[i]:g} eV^2 outside the kinematic range "
                             f"[{lo.ravel()[i]:g}, {hi.ravel()[i]:g}] eV^2 at "
                             f"E={E.ravel()[i]:g} eV, m_N={m.ravel()[i]:g} eV")
    s = t.M**2 + 2.0 * E * t.M
    val = constants.alpha * d**2 * contraction(E, Q2, m, t, form_factor) / (Q2**2 * (s - t.M**2) ** 2)
    return np.where(ok, np.maximum(val, 0.0), 0.0)


def dsigma_dT(E, T, m_N, d, tgt, *, outside: str = "raise", form_factor=None) -> np.ndarray:
    """dsigma/dT [eV^-3] in the target recoil T [eV]: 2 M dsigma/dQ^2 at Q^2 = 2 M T."""
    t = _as_target(tgt)
    T = require_positive("T", T, "eV")
    return 2.0 * t.M * dsigma_dQ2(E, 2.0 * t.M * T, m_N, d, t, outside=outside,
                                       form_factor=form_factor)


def dsigma_dT_over_d2(E, T, m_N: float, tgt: Target) -> np.ndarray:
    """dsigma/dT / d^2 [eV^-1] on ``tgt`` (:func:`dsigma_dT` with d = 1), but zero below
    threshold and outside [T_min, T_max] instead of an error: the kernel of the rate
    integrals (:mod:`nuem.portal.rates`, :mod:`nuem.portal.signals`); E, T [eV] broadcast,
    m_N [eV] a scalar."""
    E, T = np.broadcast_arrays(np.asarray(E, float), np.asarray(T, float))
    M, m = tgt.M, float(m_N)
    th = float(e_threshold(m, M))
    ok = E > th * (1.0 + 1e-12)
    Ec = np.where(ok, E, 2.0 * th)
    lo, hi = q2_range(Ec, m, tgt)
    Q2 = 2.0 * M * T
    ok = ok & (Q2 >= lo) & (Q2 <= hi) & (T > 0)
    Q2 = np.where(ok, Q2, 1.0)
    s = M**2 + 2.0 * Ec * M
    val = 2.0 * M * constants.alpha * contraction(Ec, Q2, m, tgt) / (Q2**2 * (s - M**2) ** 2)
    return np.where(ok, np.maximum(val, 0.0), 0.0)


@lru_cache(maxsize=4)
def _panel_nodes(panels: int, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.linspace(0.0, 1.0, panels + 1)
    h = np.diff(edges)
    xs = (edges[:-1, None] + 0.5 * h[:, None] * (x[None, :] + 1.0)).ravel()
    ws = (0.5 * h[:, None] * w[None, :]).ravel()
    return xs, ws


def sigma(E, m_N, d, tgt, *, below_threshold: str = "raise", form_factor=None) -> np.ndarray:
    """Total cross section [eV^-2] per target particle: dsigma/dQ^2 integrated over
    [Q^2_min, Q^2_max] by composite Gauss-Legendre quadrature in ln Q^2 (48 panels x 16
    nodes; converged to < 1e-8 for the targets here).  ``form_factor`` as in
    :func:`contraction`.  E [eV], m_N [eV] and d [eV^-1] broadcast together; each element
    is the scalar call's value.  Where E is below the threshold of its m_N,
    ``below_threshold="raise"`` raises naming the first such element, ``"zero"`` returns
    0 there."""
    require_choice("below_threshold", below_threshold, ("raise", "zero"))
    t, m, d = _checked_inputs(tgt, m_N, d)
    E = require_positive("E", E, "eV")
    if below_threshold == "raise":
        _check_energy(E, m, t.M)
    E, m = np.broadcast_arrays(E, m)
    th = e_threshold(m, t.M)
    above = E > th
    Ec = np.where(above, E, 2.0 * th)  # placeholder energies, masked below
    lo, hi = q2_range(Ec, m, t)
    a, b = np.log(lo), np.log(hi)
    xs, ws = _panel_nodes(_PANELS, _NODES)
    lnq = a[..., None] + (b - a)[..., None] * xs
    Q2 = np.exp(lnq)
    Eb = Ec[..., None]
    s = t.M**2 + 2.0 * Eb * t.M
    # Q^2 dsigma/dQ^2 / (alpha d^2)
    f = contraction(Eb, Q2, m[..., None], t, form_factor) / (Q2 * (s - t.M**2) ** 2)
    integral = np.sum(np.maximum(f, 0.0) * ws, axis=-1) * (b - a)
    return np.where(above, constants.alpha * d**2 * integral, 0.0)


def check_target(name: str) -> str:
    """``name`` if it is a known target, else :class:`NuemValueError` naming the choices."""
    return require_choice("target", name, TARGETS)


def sigma_over_d2(E, m_N, tgt) -> np.ndarray:
    """sigma / d^2 [dimensionless in natural units: eV^-2 / eV^-2]; see :func:`sigma`.
    E and m_N [eV] broadcast; 0 below threshold."""
    return sigma(E, m_N, 1.0, tgt, below_threshold="zero")


__all__ = ["TARGETS", "Target", "target", "nucleon_form_factors", "e_threshold", "q2_range",
           "t_range", "e_min", "contraction", "dsigma_dQ2", "dsigma_dT", "dsigma_dT_over_d2", "sigma",
           "check_target", "sigma_over_d2"]
