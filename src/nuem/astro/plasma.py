"""Plasmons in a stellar electron plasma and their decay into neutrino pairs.

Electron gas
    Electrons and positrons in equilibrium at temperature T with net density n_e
    (from rho, Y_e): n_e = (1/pi^2) integral p^2 (f_- - f_+) dp, f_-+ = 1/(exp((E -+ mu)/T) + 1),
    E = sqrt(p^2 + m_e^2); the chemical potential mu (rest mass included) is solved for.
Plasma frequency and the Braaten-Segel parameters (Braaten & Segel, PRD 48, 1478 (1993),
Eqs. (7)-(9); nuem's units: natural, alpha = e^2/4pi):
    omega_p^2 = (4 alpha/pi) integral (p^2/E) (1 - v^2/3) (f_- + f_+) dp,
    omega_1^2 = (4 alpha/pi) integral (p^2/E) (5 v^2/3 - v^4) (f_- + f_+) dp,
    v_* = omega_1/omega_p (typical electron velocity; 0 non-relativistic, 1 relativistic).
    Limits: non-degenerate, non-relativistic omega_p^2 = 4 pi alpha n_e/m_e; degenerate,
    relativistic omega_p^2 = 4 alpha p_F^2/(3 pi).
Dispersion (Braaten & Segel 1993, Eqs. (11)-(12)), with L(w, k) = w/(2 v_* k) ln((w + v_* k)/(w - v_* k)):
    transverse   w^2 = k^2 + omega_p^2 (3 w^2/(2 v_*^2 k^2)) [1 - (w^2 - v_*^2 k^2)/w^2 L],
    longitudinal w^2 = omega_p^2 (3 w^2/(v_*^2 k^2)) [L - 1]  (exists for k < k_max).
    At k -> 0 both give w = omega_p; for v_* -> 1 the transverse mode tends to
    w^2 = k^2 + 3 omega_p^2/2 at large k.  Residues: the closed forms of Braaten & Segel
    (Eqs. (13)-(14)), equal to 1/(1 - dPi/dw^2) on each branch (Pi the self-energy on the
    right above, minus k^2 for the transverse mode).
Decay rates of a plasmon (w, k), K^2 = w^2 - k^2 (Haft, Raffelt & Weiss, ApJ 425, 222 (1994);
the issue's normalisation).  Transverse mode, residue Z_T:
    magnetic moment  Gamma_mu = mu^2 Z_T K^4 / (24 pi w)   (= mu^2 omega_p^3/(24 pi) at rest),
    Standard Model   Gamma_SM = (sum_l C_V,l^2) G_F^2 Z_T K^6 / (48 pi^2 alpha w),
    C_V,e = 1/2 + 2 s_W^2, C_V,mu = C_V,tau = -1/2 + 2 s_W^2;  summed over the flavours
    (for a flavour-universal mu, Gamma_mu counts each of the three final states nu_i nu_j
    once per unit mu^2 of the effective moment, Raffelt 1996 Eq. (6.84)).
Longitudinal mode: the same vertices with the covariant residue (w^2/K^2) Z_L, where Z_L is
    Braaten & Segel's residue of w^2 = Pi_L (their Eq. (14)), so
        Gamma_mu,L = mu^2 Z_L w K^2 / (24 pi),   Gamma_SM,L = (sum C_V^2) G_F^2 Z_L w K^4 / (48 pi^2 alpha),
    which with one polarisation gives Braaten & Segel's longitudinal emissivity
    Q_L = (sum C_V^2) G_F^2/(96 pi^4 alpha) integral_0^k_max dk k^2 Z_L w^2 K^4 n_B(w)
    (Braaten & Segel 1993; the mode decomposition as in Ratkovic, Dutta & Prakash,
    arXiv:astro-ph/0303501).
    For either mode Gamma_mu/Gamma_SM = 2 pi alpha mu^2 / (sum C_V^2 G_F^2 K^2).
    The branch ends where w_L = k:  k_max^2 = (3 omega_p^2/v_*^2) [ln((1+v_*)/(1-v_*))/(2 v_*) - 1]
    (-> omega_p^2 (1 + 3 v_*^2/5) as v_* -> 0).
Energy-loss rate (emissivity), summed over modes (2 transverse polarisations, 1 longitudinal):
    Q = sum_modes g_mode integral d^3k/(2 pi)^3 w Gamma(w, k) / (exp(w/T) - 1)   [eV^5].
    Classical plasma (T >> omega_p) the longitudinal share is ~ omega_p^2/(30 zeta(3) T^2)
    for the moment, negligible; in a degenerate plasma (T << omega_p) it is comparable to the
    transverse one (:func:`emissivities_by_mode`).
Trapping: a plasmon of invariant mass K decays into a neutrino pair only if
    K > 2 m_nu (in-medium masses); at rest K = omega_p, so decay is forbidden when
    m_nu > omega_p / 2 (:func:`decay_open`).

Units: eV throughout; densities in g/cm^3 and temperatures in K are accepted at the edges
(:func:`electron_gas`).  Validity: 1e-3 < T/K * 8.617e-5 eV ... see :func:`electron_gas`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice, require_positive
from nuem.units import cm

#: Boltzmann constant [eV/K] (exact in the 2019 SI: k_B = 1.380649e-23 J/K, e = 1.602176634e-19 C)
K_BOLTZMANN = 1.380649e-23 / constants.TABLE["e_SI"].value
#: accepted ranges at the edges (the formulas themselves hold beyond; these keep the
#: quadratures and the root finding well conditioned)
T_RANGE_K = (1e4, 1e12)
RHO_RANGE_GCC = (1e-6, 1e14)


@dataclass(frozen=True)
class ElectronGas:
    """An e-/e+ plasma: net density n_e [eV^3], temperature T [eV], chemical potential mu
    [eV] (rest mass included), omega_p and omega_1 [eV]."""

    n_e: float
    T: float
    mu: float
    omega_p: float
    omega_1: float

    @property
    def v_star(self) -> float:
        return self.omega_1 / self.omega_p

    @property
    def degeneracy(self) -> float:
        """(mu - m_e)/T: >> 1 degenerate, << 0 non-degenerate."""
        return (self.mu - constants.m_e) / self.T


def _fermi(x):
    return 0.5 * (1.0 - np.tanh(0.5 * x))  # 1/(e^x + 1) without overflow


def _pmax(mu, T):
    return max(mu, constants.m_e) + 60.0 * T + 10.0 * constants.m_e


def _occupation(E, mu, T, sign):
    """f_- + sign f_+ with f_-+ = 1/(exp((E -+ mu)/T) + 1).  The difference (sign = -1) is
    written as sinh(mu/T)/(cosh(E/T) + cosh(mu/T)), scaled, so it keeps its relative
    precision when electrons and positrons nearly cancel."""
    if sign > 0:
        return _fermi((E - mu) / T) + _fermi((E + mu) / T)
    e, m = E / T, mu / T
    top = max(e, abs(m))
    num = math.exp(m - top) - math.exp(-m - top)
    den = math.exp(e - top) + math.exp(-e - top) + math.exp(m - top) + math.exp(-m - top)
    return num / den


def _moment(fun, mu, T, sign):
    """integral_0^pmax fun(p) (f_- + sign f_+) dp, split at the Fermi momentum."""
    me = constants.m_e

    def g(p):
        E = math.hypot(p, me)
        return fun(p, E) * _occupation(E, mu, T, sign)

    pts = []
    if mu > me:
        pts.append(math.sqrt(mu * mu - me * me))
    top = _pmax(mu, T)
    val, _ = integrate.quad(g, 0.0, top, points=pts or None, limit=400, epsabs=0.0,
                            epsrel=1e-9)
    return val


def _net_density(mu, T):
    return _moment(lambda p, E: p * p, mu, T, -1.0) / math.pi**2


def electron_gas(density_gcc: float, temperature_K: float, ye: float = 0.5) -> ElectronGas:
    """The electron plasma at density rho [g/cm^3], temperature T [K] and electron fraction
    Y_e (module docstring).  Raises for rho, T or Y_e outside their ranges."""
    citations.register("BraatenSegel1993")
    if not (RHO_RANGE_GCC[0] <= density_gcc <= RHO_RANGE_GCC[1]):
        raise NuemValueError(f"density={density_gcc!r} g/cm^3 outside the valid range "
                             f"[{RHO_RANGE_GCC[0]:g}, {RHO_RANGE_GCC[1]:g}]")
    if not (T_RANGE_K[0] <= temperature_K <= T_RANGE_K[1]):
        raise NuemValueError(f"temperature={temperature_K!r} K outside the valid range "
                             f"[{T_RANGE_K[0]:g}, {T_RANGE_K[1]:g}]")
    if not (0.0 < ye <= 1.0):
        raise NuemValueError(f"ye={ye!r} must lie in (0, 1]")
    n_e = density_gcc * ye * constants.N_A / cm**3
    return electron_gas_natural(n_e, temperature_K * K_BOLTZMANN)


def electron_gas_natural(n_e: float, T: float) -> ElectronGas:
    """As :func:`electron_gas` with n_e [eV^3] and T [eV] given directly."""
    n_e = float(require_positive("n_e", n_e, "eV^3"))
    T = float(require_positive("T", T, "eV"))
    me = constants.m_e
    pF = (3.0 * math.pi**2 * n_e) ** (1.0 / 3.0)
    hi = math.hypot(pF, me) + 60.0 * T
    lo = -hi
    mu = optimize.brentq(lambda m: _net_density(m, T) - n_e, lo, hi, xtol=1e-12 * hi,
                         rtol=1e-13, maxiter=400)
    c = 4.0 * constants.alpha / math.pi
    wp2 = c * _moment(lambda p, E: p * p / E * (1.0 - (p / E) ** 2 / 3.0), mu, T, 1.0)
    w12 = c * _moment(lambda p, E: p * p / E * (5.0 / 3.0 * (p / E) ** 2 - (p / E) ** 4),
                      mu, T, 1.0)
    return ElectronGas(n_e, T, mu, math.sqrt(wp2), math.sqrt(w12))


def plasma_frequency(density_gcc: float, temperature_K: float, ye: float = 0.5) -> float:
    """omega_p [eV] (module docstring)."""
    return electron_gas(density_gcc, temperature_K, ye).omega_p


# --- dispersion ----------------------------------------------------------------------
def _L(w, k, v):
    y = v * k / w
    if y < 1e-4:
        return 1.0 + y * y / 3.0 + y**4 / 5.0
    return math.atanh(y) / y


def _pi_T(w, k, wp, v):
    """Transverse self-energy Pi_T(w, k) (so that w^2 = k^2 + Pi_T)."""
    y2 = (v * k / w) ** 2
    if y2 < 1e-6:
        return wp * wp * (1.0 + y2 / 5.0)
    return wp * wp * 1.5 / y2 * (1.0 - (1.0 - y2) * _L(w, k, v))


def _pi_L(w, k, wp, v):
    """Longitudinal: w^2 = Pi_L(w, k)."""
    y2 = (v * k / w) ** 2
    if y2 < 1e-6:
        return wp * wp * (1.0 + 0.6 * y2)
    return wp * wp * 3.0 / y2 * (_L(w, k, v) - 1.0)


def omega_transverse(k, gas: ElectronGas) -> np.ndarray:
    """Transverse plasmon energy w_T(k) [eV] for momenta k [eV] >= 0 (vectorised)."""
    k = as_finite_array("k", k)
    if np.any(k < 0):
        raise NuemValueError("k must be >= 0")
    wp, v = gas.omega_p, gas.v_star
    out = np.empty(k.shape)
    for idx, kk in np.ndenumerate(k):
        f = lambda w: w * w - kk * kk - _pi_T(w, kk, wp, v)  # noqa: E731
        lo = max(kk * (1.0 + 1e-15), wp * 0.999)
        hi = math.sqrt(kk * kk + 1.6 * wp * wp) + wp
        out[idx] = optimize.brentq(f, lo, hi, xtol=1e-14 * hi, rtol=1e-14)
    return out


def omega_longitudinal(k, gas: ElectronGas) -> np.ndarray:
    """Longitudinal plasmon energy w_L(k) [eV]; raises for k beyond the mode's end."""
    k = as_finite_array("k", k)
    wp, v = gas.omega_p, gas.v_star
    out = np.empty(k.shape)
    for idx, kk in np.ndenumerate(k):
        f = lambda w: w * w - _pi_L(w, kk, wp, v)  # noqa: E731
        lo = max(v * kk * (1.0 + 1e-12), kk * (1.0 + 1e-12), 1e-300)
        hi = max(wp * 3.0, kk * 2.0)
        if f(lo) * f(hi) > 0:
            raise NuemValueError(f"k={kk:g} eV is beyond the end of the longitudinal branch")
        out[idx] = optimize.brentq(f, lo, hi, xtol=1e-14 * hi, rtol=1e-14)
    return out


def _residue_T(w, k, wp2, v2):
    a = w**2 - v2 * k**2
    return 2 * w**2 * a / (3 * wp2 * w**2 + (w**2 + k**2) * a - 2 * w**2 * (w**2 - k**2))


def residue_transverse(k, gas: ElectronGas) -> np.ndarray:
    """Residue Z_T(k) of the transverse branch (Braaten & Segel 1993, Eq. (13)):
    Z_T = 2 w^2 (w^2 - v*^2 k^2) / (3 omega_p^2 w^2 + (w^2 + k^2)(w^2 - v*^2 k^2)
    - 2 w^2 (w^2 - k^2)), equal to 1/(1 - dPi_T/dw^2) on the branch (tested)."""
    k = as_finite_array("k", k)
    return _residue_T(omega_transverse(k, gas), k, gas.omega_p**2, gas.v_star**2)


def _residue_L(w, k, wp2, v2):
    a = w**2 - v2 * k**2
    return 2 * a / (3 * wp2 - a)


def residue_longitudinal(k, gas: ElectronGas) -> np.ndarray:
    """Residue Z_L(k) = 2 (w^2 - v*^2 k^2)/(3 omega_p^2 - (w^2 - v*^2 k^2)) of the
    longitudinal branch (Braaten & Segel 1993, Eq. (14)), normalised as 1/(1 - dPi_L/dw^2)
    with w^2 = Pi_L (tested); 1 at k = 0."""
    k = as_finite_array("k", k)
    return _residue_L(omega_longitudinal(k, gas), k, gas.omega_p**2, gas.v_star**2)


# --- decay rates ---------------------------------------------------------------------
def _cv2() -> float:
    s2 = constants.sin2w_MZ
    return (0.5 + 2 * s2) ** 2 + 2 * (-0.5 + 2 * s2) ** 2


def _invariant_mass2(w, k):
    w = require_positive("w", w, "eV")
    k = as_finite_array("k", k)
    K2 = w**2 - k**2
    if np.any(K2 <= 0):
        raise NuemValueError("the plasmon must be time-like (w > k)")
    return w, K2


def decay_rate_mu(mu, w, k, Z=1.0, mode: str = "T") -> np.ndarray:
    """Gamma(gamma* -> nu nu-bar) by a magnetic moment mu [mu_B] of a plasmon (w, k) [eV]
    with residue Z: mu^2 Z K^4/(24 pi w) for ``mode`` "T", mu^2 Z w K^2/(24 pi) for "L"
    (module docstring) [eV]."""
    citations.register("HaftRaffeltWeiss1994")
    require_choice("mode", mode, ("T", "L"))
    mu = as_finite_array("mu", mu) * constants.mu_B
    w, K2 = _invariant_mass2(w, k)
    if mode == "L":
        return mu**2 * Z * w * K2 / (24.0 * math.pi)
    return mu**2 * Z * K2**2 / (24.0 * math.pi * w)


def decay_rate_sm(w, k, Z=1.0, mode: str = "T") -> np.ndarray:
    """Standard-Model Gamma(gamma* -> nu nu-bar), three flavours:
    sum C_V^2 G_F^2 Z K^6/(48 pi^2 alpha w) for ``mode`` "T", sum C_V^2 G_F^2 Z w K^4/(48 pi^2
    alpha) for "L" [eV]."""
    citations.register("HaftRaffeltWeiss1994")
    require_choice("mode", mode, ("T", "L"))
    w, K2 = _invariant_mass2(w, k)
    pref = _cv2() * constants.G_F**2 * Z / (48.0 * math.pi**2 * constants.alpha)
    if mode == "L":
        return pref * w * K2**2
    return pref * K2**3 / w


def k_max_longitudinal(gas: ElectronGas) -> float:
    """End of the longitudinal branch [eV], where w_L(k) = k (module docstring;
    Braaten & Segel 1993, Eq. (12) at w = k)."""
    v = gas.v_star
    if v < 1e-4:
        return gas.omega_p * math.sqrt(1.0 + 0.6 * v * v + 3.0 / 7.0 * v**4)
    return gas.omega_p * math.sqrt(3.0 / v**2 * (math.atanh(v) / v - 1.0))


def decay_open(omega_pl, m_nu, k=0.0) -> np.ndarray:
    """Whether a plasmon (omega, k) can decay into a neutrino pair of in-medium mass m_nu:
    K = sqrt(omega^2 - k^2) > 2 m_nu (at rest: m_nu < omega_pl / 2)."""
    w = require_positive("omega_pl", omega_pl, "eV")
    m = as_finite_array("m_nu", m_nu)
    if np.any(m < 0):
        raise NuemValueError(f"m_nu={m!r} eV must be >= 0")
    K2 = w**2 - as_finite_array("k", k) ** 2
    return K2 > (2.0 * m) ** 2


def _mode_integral(gas: ElectronGas, mu: float, mode: str) -> np.ndarray:
    """[Q_mu, Q_SM] of one mode (module docstring), one quadrature over k."""
    T = gas.T
    wp2, v2 = gas.omega_p**2, gas.v_star**2
    if mode == "T":
        top, g = gas.omega_p + 60.0 * T, 2.0
    else:
        top, g = k_max_longitudinal(gas), 1.0

    def integrand(k):
        if mode == "T":
            w = float(omega_transverse(k, gas))
            Z = _residue_T(w, k, wp2, v2)
        else:
            if k >= top * (1.0 - 1e-12):
                return np.zeros(2)
            w = float(omega_longitudinal(k, gas))
            Z = _residue_L(w, k, wp2, v2)
        occ = 1.0 / math.expm1(w / T) if w / T < 700 else 0.0
        phase = g * k * k / (2.0 * math.pi**2) * w * occ
        return np.array([phase * float(decay_rate_mu(mu, w, k, Z, mode)),
                         phase * float(decay_rate_sm(w, k, Z, mode))])

    val, _ = integrate.quad_vec(integrand, 0.0, top, epsrel=1e-7, limit=200)
    return val


def emissivities_by_mode(gas: ElectronGas, mu: float) -> dict[str, tuple[float, float]]:
    """{"T": (Q_mu, Q_SM), "L": (Q_mu, Q_SM)} [eV^5]: the transverse (two polarisations)
    and longitudinal energy-loss rates of plasmon decay through the magnetic moment ``mu``
    [mu_B] and in the Standard Model (module docstring)."""
    out = {}
    for mode in ("T", "L"):
        q = _mode_integral(gas, mu, mode)
        out[mode] = (float(q[0]), float(q[1]))
    return out


def emissivities(gas: ElectronGas, mu: float) -> tuple[float, float]:
    """(Q_mu, Q_SM) [eV^5]: energy-loss rates of plasmon decay, transverse plus
    longitudinal, through the magnetic moment ``mu`` [mu_B] and in the Standard Model."""
    m = emissivities_by_mode(gas, mu)
    return m["T"][0] + m["L"][0], m["T"][1] + m["L"][1]


def emissivity(gas: ElectronGas, mu: float = 0.0, process: str = "mu") -> float:
    """Energy-loss rate [eV^5] of plasmon decay (both modes): ``process`` "mu" (magnetic
    moment ``mu`` [mu_B]) or "sm" (:func:`emissivities`)."""
    if process not in ("mu", "sm"):
        raise NuemValueError(f"process={process!r} must be 'mu' or 'sm'")
    q_mu, q_sm = emissivities(gas, mu)
    return q_mu if process == "mu" else q_sm


def emissivity_ratio(gas: ElectronGas, mu: float) -> float:
    """Q_mu / Q_SM, both modes, at this plasma (the magnetic-moment excess)."""
    q_mu, q_sm = emissivities(gas, mu)
    return q_mu / q_sm
