"""Dipole-portal rates in nuem's detectors: electron and nuclear recoils from any nuem
source (solar, reactor, a user's flux table), window totals, and the decay signatures.

Recoil spectra (per tonne of target, per year, per keV of recoil energy T):

    dR/dT = sum_X n_X f_X(T) sum_c integral_{max(E_min(T; m_N, M_X), e_min,c)}^{E_max,c} dE
            Phi_c shape_c(E) sum_beta P_{alpha beta}(E) d_beta^2 sigma-hat_X(E, T; m_N)
            (+ the line components, evaluated at their energy),

with sigma-hat_X = dsigma/dT / d^2 of nu X -> N X by photon exchange on target X
(:mod:`nuem.portal.upscatter`: electron; a nucleus coherently with Z^2 and the Helm form
factor of Lewin & Smith 1996, spin 0, mass = the CIAAW mean atomic mass of the element
(no isotope averaging: nuem's ``data/elements.csv`` has no abundances), A its rounded
value; hydrogen as a free proton with its Dirac and Pauli form factors), n_X the
electrons or nuclei per tonne (:mod:`nuem.interactions.materials`), f_X(T) the atomic
stepping factor for electrons (Chen et al. 2017, as nuem's magnetic-moment rate applies
to its photon-exchange term) and 1 for nuclei.  E_min(T; m_N, M) is the exact kinematic
minimum (:func:`nuem.portal.upscatter.e_min`), so the threshold behaviour in m_N is
exact.  Antineutrinos upscatter to anti-N with the same cross section (photon exchange
on an unpolarised target: the CP conjugate amplitude).  At m_N -> 0 the electron rate is
nuem's magnetic-moment rate with mu = 2 d (Vogel & Engel 1989) and the nuclear one the
coherent magnetic-moment rate alpha mu^2 Z^2 F^2 (1/T - 1/E + T/(4 E^2))
(tests/portal/test_rates_more.py).

Visible energy.  nuem's detector windows are electron-equivalent (keVee).  Nuclear recoils
are converted with Lindhard's quenching factor (Lindhard et al. 1963)
Y(T) = k g(eps) / (1 + k g(eps)), k = 0.133 Z^(2/3) A^(-1/2), eps = 11.5 (T/keV) Z^(-7/3),
g = 3 eps^0.15 + 0.7 eps^0.6 + eps (the usual fit to Lindhard's electronic-stopping
curve); a recoil is in the window when Y(T) T is.  Window totals integrate the true
spectrum times the detector efficiency at the visible energy (the electron-recoil
efficiency curve is used for nuclear recoils too); the energy resolution is not applied.

Decay signatures (the geometry is the user's; approximations stated):

* N is produced with lab energy E_N = E - T (target at rest) and travels along the
  neutrino direction (its angle is neglected).  Its lab decay length is
  lambda(E_N) = :func:`nuem.portal.decay.decay_length`.
* Produced uniformly along a detector of length L (a slab along the beam), it decays
  inside with P_in = 1 - (lambda/L)(1 - exp(-L/lambda)) (the average over the production
  point of 1 - exp(-(L - z)/lambda)); P_in -> L/(2 lambda) for lambda >> L and -> 1 for
  lambda << L.  Recoils then split into "escape" (weight 1 - P_in: a recoil alone) and
  "double bang" (weight P_in: the recoil and the decay photon, both inside).
* Produced uniformly in an upstream slab of thickness D whose downstream face is at
  distance s from the detector's front face, it decays inside the detector with
  P_up = (lambda/D)(1 - exp(-D/lambda)) exp(-s/lambda)(1 - exp(-L/lambda)), i.e.
  :func:`nuem.portal.decay.probability_inside` (lambda, s, L) averaged over the production
  depth; the recoil is outside, so every recoil energy contributes: "single photon".
* The photon of N -> nu gamma is isotropic in the N rest frame for an unpolarised N, so
  its lab energy is flat on [E_N (1 - beta)/2, E_N (1 + beta)/2] (two-body kinematics; a
  polarised N has the (1 + a cos theta) distribution of Balantekin, de Gouvea & Kayser
  2019, which tilts this box; upscattered N are polarised, so the box is an approximation).

Units: natural inside (eV); the public rates are events/(tonne year keV) for spectra and
events/(tonne year) for totals; lengths in eV^-1 (convert with :mod:`nuem.units`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import brentq

from nuem import citations
from nuem._errors import NuemValueError, require_choice, require_positive
from nuem.interactions import atomic, materials
from nuem.portal import decay as pdec
from nuem.portal import model as pm
from nuem.portal import upscatter as up
from nuem.portal.upscatter import dsigma_dT_over_d2
from nuem.sources.base import Source
from nuem.units import keV, year

DEFAULT_NODES = 64
RECOILS: tuple[str, ...] = ("electron", "nuclear")
#: Lindhard's k = LINDHARD_K Z^(2/3) A^(-1/2) and eps = LINDHARD_EPS (T/keV) Z^(-7/3)
#: (Lindhard et al. 1963); the fit g(eps) = 3 eps^0.15 + 0.7 eps^0.6 + eps
LINDHARD_K = 0.133
LINDHARD_EPS = 11.5
#: points of the recoil-energy grid of a window total (log-spaced, trapezoid rule)
WINDOW_POINTS = 400
#: Gauss-Legendre panels x nodes in ln T for the production rate (all recoil energies)
_T_PANELS, _T_NODES = 8, 16

Weight = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------- targets
@lru_cache(maxsize=None)
def nuclear_target(symbol: str) -> up.Target:
    """The upscattering target for the nuclei of element ``symbol`` (module docstring):
    H -> the proton; C, O, Ar, Xe -> :func:`nuem.portal.upscatter.target`; any other
    element of ``data/elements.csv`` -> a spin-0 nucleus of the mean atomic mass."""
    els = materials.elements()
    if symbol not in els:
        raise NuemValueError(f"element={symbol!r} is not one of {', '.join(els)}")
    if symbol == "H":
        return up.target("proton")
    el = els[symbol]
    if el.name in up.TARGETS:
        return up.target(el.name)
    return up.Target(el.name, el.mass, el.Z, el.A, "nucleus")


def _targets(material: str, recoil: str) -> list[tuple[up.Target, float, str | None]]:
    """(target, count per tonne, element symbol or None) for ``material``."""
    require_choice("recoil", recoil, RECOILS)
    mat = materials.material(material)
    if recoil == "electron":
        return [(up.target("electron"), mat.electrons_per_tonne, None)]
    return [(nuclear_target(s), n, s) for s, n in mat.nuclei_per_tonne().items()]


# ----------------------------------------------------------------------------- integrals
def _gl(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(nodes)
    return 0.5 * (x + 1.0), 0.5 * w


def rates_per_target(source: Source, T: np.ndarray, m: float, d2: np.ndarray,
                     tgt: up.Target, nodes: int = DEFAULT_NODES,
                     weights: Sequence[Weight | None] = (None,),
                     arrival: Callable | None = None) -> np.ndarray:
    """dR/dT per target particle ``tgt`` [natural units, 1/(time energy)]: sum_c integral
    dE Phi P.d^2 dsigma/dT w(E_N) for each weight (None = 1), at the recoils T [eV]
    (1-D array), m = m_N [eV], d2 = (d_e^2, d_mu^2, d_tau^2) [eV^-2]; shape
    (len(weights), len(T)).  No atomic factor (see :func:`recoil_spectra`).
    ``arrival(component, E)`` gives the arrival flavour probabilities (default: the
    source's own, ``source.arrival(E, component)["flavour"]``)."""
    xg, wg = _gl(nodes)
    lo = up.e_min(T, m, tgt)
    out = np.zeros((len(weights), len(T)))
    for c in source.components():
        if c.is_line:
            E = np.full((len(T), 1), float(c.line_energy))
            w = np.full((len(T), 1), c.flux)
        else:
            lo_c = np.maximum(lo, c.e_min)
            span = np.clip(c.e_max - lo_c, 0.0, None)
            if not np.any(span > 0):
                continue
            E = lo_c[:, None] + span[:, None] * xg[None, :]
            E = np.where(span[:, None] > 0, E, c.e_max)
            w = c.flux * c.shape(E) * span[:, None] * wg[None, :]
        P = source.arrival(E, c)["flavour"] if arrival is None else arrival(c, E)
        pd2 = P @ d2
        base = w * pd2 * dsigma_dT_over_d2(E, T[:, None], m, tgt)
        for i, wt in enumerate(weights):
            out[i] += np.sum(base if wt is None else base * wt(E - T[:, None]), axis=1)
    return out


def _check(m_N, d) -> tuple[float, np.ndarray]:
    m = float(require_positive("m_N", m_N, "eV"))
    return m, np.square(pm.flavour_vector(d))


def recoil_spectra(source: Source, T, m_N, d, material: str, recoil: str = "electron", *,
                   binding: str = "stepping", nodes: int = DEFAULT_NODES,
                   weights: Sequence[Weight | None] = (None,)) -> np.ndarray:
    """dR/dT [events/(tonne year keV)] at recoil energies T [eV] in ``material`` for N of
    mass m_N [eV] and d = (d_e, d_mu, d_tau) [eV^-1] (module docstring); one row per
    entry of ``weights`` (functions of the N lab energy E_N [eV]; None = 1), shape
    (len(weights),) + T.shape.  ``recoil`` is "electron" or "nuclear"."""
    citations.register("Magill2018", "Brdar2021")
    m, d2 = _check(m_N, d)
    T = require_positive("T", T, "eV")
    Tf = np.atleast_1d(T).astype(float)
    total = np.zeros((len(weights), len(Tf)))
    for tgt, n, _ in _targets(material, recoil):
        r = rates_per_target(source, Tf, m, d2, tgt, nodes, weights) * n
        if recoil == "electron":
            r = r * atomic.binding_factors(Tf, material, binding)[1]
        else:
            citations.register("LewinSmith1996")
        total += r
    return (total * year * keV).reshape((len(weights),) + np.shape(T))


def recoil_spectrum(source: Source, T, m_N, d, material: str, recoil: str = "electron", *,
                    binding: str = "stepping", nodes: int = DEFAULT_NODES) -> np.ndarray:
    """dR/dT [events/(tonne year keV)] at T [eV]: :func:`recoil_spectra` without weights."""
    return recoil_spectra(source, T, m_N, d, material, recoil, binding=binding,
                          nodes=nodes)[0]


# ----------------------------------------------------------------------------- quenching
def lindhard_yield(T, Z: int, A: int) -> np.ndarray:
    """Lindhard quenching factor Y(T) (visible/true energy) of a nuclear recoil T [eV] in
    a medium of nuclei (Z, A) (module docstring; Lindhard et al. 1963)."""
    citations.register("Lindhard1963")
    T = require_positive("T", T, "eV")
    eps = LINDHARD_EPS * (T / keV) * Z ** (-7.0 / 3.0)
    g = 3.0 * eps**0.15 + 0.7 * eps**0.6 + eps
    k = LINDHARD_K * Z ** (2.0 / 3.0) / np.sqrt(A)
    return k * g / (1.0 + k * g)


def nuclear_recoil_for_visible(E_vis, Z: int, A: int) -> np.ndarray:
    """The nuclear recoil T [eV] whose visible energy Y(T) T equals E_vis [eV] (Y T
    increases with T, so the root is unique)."""
    E_vis = require_positive("E_vis", E_vis, "eV")
    out = []
    for e in np.ravel(E_vis):
        f = lambda t: float(lindhard_yield(t, Z, A)) * t - e  # noqa: E731
        hi = e
        while f(hi) < 0:
            hi *= 2.0
        out.append(brentq(f, e * 1e-6, hi, xtol=e * 1e-15, rtol=1e-13))
    return np.array(out).reshape(np.shape(E_vis))


# ----------------------------------------------------------------------------- geometry
#: the slab probability of the module docstring (defined with the other decay geometry)
p_inside_slab = pdec.probability_inside_slab


def p_from_upstream(decay_len, thickness, gap, length) -> np.ndarray:
    """Probability that N produced uniformly in an upstream slab of ``thickness`` D,
    ``gap`` s before a detector of ``length`` L, decays inside the detector:
    (lambda/D)(1 - e^{-D/lambda}) x probability_inside(lambda, s, L) (module docstring)."""
    lam = pdec._decay_lengths(decay_len)
    D = require_positive("thickness", thickness)
    fin = np.isfinite(lam)
    lamf = np.where(fin, lam, 1.0)
    x = D / lamf
    xs = np.where(x > 1e-12, x, 1.0)
    avg = np.where(x > 1e-12, -np.expm1(-xs) / xs, 1.0 - 0.5 * x)  # (lambda/D)(1 - e^{-D/lambda})
    inside = pdec.probability_inside(lamf, gap, length)
    return np.where(fin, avg * inside, 0.0)


def photon_energy_range(E_N, m_N) -> tuple[np.ndarray, np.ndarray]:
    """(E_min, E_max) [eV] of the photon of N -> nu gamma in the lab for N of energy E_N
    >= m_N [eV]: E_N (1 -+ beta)/2; the spectrum is flat in between for an unpolarised N
    (module docstring; Balantekin et al. 2019)."""
    citations.register("Balantekin2019")
    m = require_positive("m_N", m_N, "eV")
    E = require_positive("E_N", E_N, "eV")
    if np.any(E < m):
        raise NuemValueError(f"E_N={float(np.min(E)):g} eV must be >= m_N")
    p = np.sqrt(np.clip(E**2 - m**2, 0.0, None))
    return 0.5 * (E - p), 0.5 * (E + p)


def decay_length_fn(m_N: float, d2: float, majorana: bool) -> Weight:
    """lambda(E_N) [eV^-1] for this N; E_N below m_N (outside the kinematics, where the
    cross section vanishes) is clipped to just above m_N."""
    m = float(m_N)

    def lam(E_N):
        return pdec.decay_length(np.maximum(E_N, m * (1.0 + 1e-9)), m, d2, majorana)

    return lam


# ----------------------------------------------------------------------------- totals
def visible_window(detector, window=None) -> tuple[float, float]:
    """The visible-energy window [keV(ee)]: ``window`` (lo, hi) if given, else the
    detector's analysis window above its threshold."""
    resp = detector.response
    if window is None:
        return max(resp.threshold, resp.window[0]), resp.window[1]
    lo, hi = (float(x) for x in np.asarray(require_positive("window", window, "keV")))
    if not lo < hi:
        raise NuemValueError(f"window=({lo:g}, {hi:g}) keV must have lo < hi")
    return lo, hi


def _window_grid(detector, material: str, recoil: str, window=None):
    """Per target element: (T grid [eV], visible energy [keV] on it)."""
    lo, hi = visible_window(detector, window)
    vis = np.geomspace(lo, hi, WINDOW_POINTS)  # keV(ee)
    if recoil == "electron":
        return {None: (vis * keV, vis)}
    out = {}
    for s in materials.material(material).nuclei_per_tonne():
        tgt = nuclear_target(s)
        A = tgt.A if tgt.kind == "nucleus" else 1
        Z = max(tgt.Z, 1)
        a, b = nuclear_recoil_for_visible(np.array([lo, hi]) * keV, Z, A)
        T = np.geomspace(a, b, WINDOW_POINTS)
        out[s] = (T, lindhard_yield(T, Z, A) * T / keV)
    return out


def window_rates(detector, m_N, d, recoil: str = "electron", *, source: Source | None = None,
                 majorana: bool = False, length=None, window=None,
                 binding: str = "stepping", nodes: int = DEFAULT_NODES) -> dict:
    """Events per tonne-year with visible energy in the window of a nuem detector
    (:class:`nuem.detectors.experiments.Detector`: its target, threshold, window and
    efficiency; ``source`` defaults to the detector's; ``window`` (lo, hi) [keV(ee)]
    replaces its window, inside its efficiency table), for N of mass m_N [eV] and
    d (three values, eV^-1).  With ``length`` [eV^-1] (the detector's extent along the
    beam) also the split ``escape`` + ``double_bang`` = ``total`` (module docstring).
    Returns a dict: ``total``, ``escape``, ``double_bang`` (None without length) and the
    true recoil range ``T_range_keV`` per target element."""
    src = detector.source() if source is None else source
    material = detector.target
    m, d2 = _check(m_N, d)
    weights: list[Weight | None] = [None]
    if length is not None:
        L = float(require_positive("length", length, "eV^-1"))
        lam = decay_length_fn(m, float(np.sum(d2)), majorana)
        weights += [lambda En: p_inside_slab(lam(En), L),
                    lambda En: 1.0 - p_inside_slab(lam(En), L)]
    sums = np.zeros(len(weights))
    ranges = {}
    for key, (T, vis) in _window_grid(detector, material, recoil, window).items():
        if recoil == "electron":
            spec = recoil_spectra(src, T, m, np.sqrt(d2), material, recoil, binding=binding,
                                  nodes=nodes, weights=weights)
        else:
            spec = _element_spectra(src, T, m, d2, material, key, nodes, weights)
        f = spec * detector.response.eff(vis)[None, :]
        sums += np.trapezoid(f, T / keV, axis=1)
        ranges["electron" if key is None else key] = [float(T[0] / keV), float(T[-1] / keV)]
    return {"total": float(sums[0]),
            "double_bang": float(sums[1]) if length is not None else None,
            "escape": float(sums[2]) if length is not None else None,
            "T_range_keV": ranges}


def _element_spectra(src, T, m, d2, material, symbol, nodes, weights) -> np.ndarray:
    """Nuclear-recoil spectra [events/(tonne year keV)] of one element of ``material``."""
    citations.register("Magill2018", "Brdar2021", "LewinSmith1996")
    n = materials.material(material).nuclei_per_tonne()[symbol]
    r = rates_per_target(src, T, m, d2, nuclear_target(symbol), nodes, weights)
    return r * n * year * keV


def production_rate(source: Source, m_N, d, material: str, recoil: str = "electron", *,
                    weight: Weight | None = None, binding: str = "stepping",
                    nodes: int = DEFAULT_NODES) -> float:
    """N produced per tonne-year of ``material`` by upscattering on its electrons or
    nuclei, over every recoil energy (no window), each weighted by ``weight(E_N)``
    (None = 1): integral dE Phi P.d^2 integral dT dsigma/dT f(T) w(E - T), with the T
    integral by Gauss-Legendre in ln T over [T_min(E), T_max(E)] (8 panels x 16 nodes)."""
    citations.register("Magill2018", "Brdar2021")
    m, d2 = _check(m_N, d)
    xg, wg = _gl(nodes)
    xt, wt = _gl(_T_NODES)
    edges = np.linspace(0.0, 1.0, _T_PANELS + 1)
    h = np.diff(edges)
    ut = (edges[:-1, None] + h[:, None] * xt[None, :]).ravel()
    vt = (h[:, None] * wt[None, :]).ravel()
    total = 0.0
    for tgt, n, _ in _targets(material, recoil):
        if recoil == "nuclear":
            citations.register("LewinSmith1996")
        th = float(up.e_threshold(m, tgt.M))
        for c in source.components():
            if c.is_line:
                if c.line_energy <= th:
                    continue
                E = np.array([float(c.line_energy)])
                wE = np.array([c.flux])
            else:
                a = max(th, c.e_min)
                if a >= c.e_max:
                    continue
                E = a + (c.e_max - a) * xg
                wE = c.flux * c.shape(E) * (c.e_max - a) * wg
            pd2 = source.arrival(E, c)["flavour"] @ d2
            tlo, thi = up.t_range(np.maximum(E, th * (1 + 1e-12)), m, tgt)
            la, lb = np.log(tlo), np.log(thi)
            T = np.exp(la[:, None] + (lb - la)[:, None] * ut[None, :])
            jac = T * (lb - la)[:, None] * vt[None, :]
            k = dsigma_dT_over_d2(E[:, None], T, m, tgt)
            if recoil == "electron":
                k = k * atomic.binding_factors(T, material, binding)[1]
            if weight is not None:
                k = k * weight(E[:, None] - T)
            total += n * float(np.sum(wE * pd2 * np.sum(k * jac, axis=1)))
    return total * year


def single_photon_rate(source: Source, m_N, d, material: str, recoil: str = "electron", *,
                       thickness, gap, length, majorana: bool = False,
                       binding: str = "stepping", nodes: int = DEFAULT_NODES) -> float:
    """Single photons per tonne-year of *upstream* ``material``: N produced in an upstream
    slab (``thickness`` D, ``gap`` s to the detector, detector ``length`` L; all eV^-1)
    that decay inside the detector (module docstring), every recoil energy counted."""
    m, d2 = _check(m_N, d)
    lam = decay_length_fn(m, float(np.sum(d2)), majorana)
    s = float(np.asarray(gap, float))
    if not (np.isfinite(s) and s >= 0):
        raise NuemValueError(f"gap={s!r} must be >= 0")
    return production_rate(source, m, np.sqrt(d2), material, recoil, binding=binding,
                           nodes=nodes,
                           weight=lambda En: p_from_upstream(lam(En), thickness, s, length))


__all__ = ["RECOILS", "nuclear_target", "dsigma_dT_over_d2", "rates_per_target", "recoil_spectra",
           "recoil_spectrum", "lindhard_yield", "nuclear_recoil_for_visible", "p_inside_slab",
           "p_from_upstream", "photon_energy_range", "decay_length_fn", "visible_window",
           "window_rates",
           "production_rate", "single_photon_rate"]
