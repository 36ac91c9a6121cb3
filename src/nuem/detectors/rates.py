"""Expected electron-recoil rates: source x propagation x cross section x target.

dR/dT = N_e sum_c [ integral dE Phi_c(E) sum_beta P_beta(E) dsigma_beta/dT (E, T)
                    + sum_lines Phi_line sum_beta P_beta dsigma_beta/dT (E_line, T) ],

per target electron; the atomic factors of :mod:`nuem.interactions.atomic` multiply the
weak and the magnetic parts separately.  Continuum integrals run over
[E_min(T), E_max] with Gauss-Legendre quadrature on that exact interval (so the
kinematic edge is not smeared), lines are evaluated exactly.  The result is split into
the Standard-Model part ``sm`` and what the electromagnetic properties add, ``em``.

Units: natural inside; :func:`electron_recoil_spectrum` returns events/(tonne year keV).
The kernel is written against the numpy API (``xp``) so it runs unchanged on
``jax.numpy`` (see ``backend``).
"""

from __future__ import annotations

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, as_finite_array, require_positive
from nuem.interactions import materials
from nuem.interactions import atomic, electron
from nuem.moments import MomentMatrix
from nuem.sources.base import Source
from nuem.units import keV, year

FLAV = electron.FLAVOURS
DEFAULT_NODES = 96


def _per_flavour(name: str, value) -> np.ndarray:
    v = as_finite_array(name, value)
    if v.ndim == 0:
        return np.full(3, float(v))
    if v.shape != (3,):
        raise NuemValueError(f"{name} must be a number or three values (e, mu, tau), got shape {v.shape}")
    return v


def _kernel(E, T, P, mu2, r2, q, anti, sin2w, convention):
    """Cross sections summed over arriving flavours at (E, T): returns (sm, weak_em, mag)."""
    sm = np.zeros(np.broadcast_shapes(E.shape, T.shape))
    em = np.zeros_like(sm)
    for b, fl in enumerate(FLAV):
        s0 = electron.dsigma_dT_weak(E, T, fl, anti, sin2w=sin2w, above_tmax="zero")
        sm = sm + P[..., b] * s0
        if r2[b] != 0 or q[b] != 0:
            s1 = electron.dsigma_dT_weak(E, T, fl, anti, r2=r2[b], q=q[b], sin2w=sin2w,
                                         convention=convention, above_tmax="zero")
            em = em + P[..., b] * (s1 - s0)
    mag = mu2 * electron.dsigma_dT_magnetic(E, T, 1.0, above_tmax="zero")
    return sm, em, mag


def electron_recoil_rate(source: Source, T, *, mu=0.0, r2=0.0, q=0.0, target: str = "free",
                         binding: str = "stepping", sin2w: float | None = None,
                         convention: str = "giunti-studenikin", nodes: int = DEFAULT_NODES,
                         components: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """dR/dT per target electron [natural units: 1/(time energy)] at recoils T [eV].

    ``mu`` is a flavour-universal effective moment [mu_B] (a number) or a
    :class:`~nuem.moments.MomentMatrix` (then mu_eff^2(E) follows the source: incoherent
    for solar, coherent for reactor).  ``r2`` [eV^-2] and ``q`` [e] are numbers or
    (e, mu, tau) triples (diagonal in flavour).  Returns ``sm``, ``em``, ``total`` and a
    per-component breakdown ``by_component`` (total per component).
    """
    citations.register("GiuntiStudenikin2015")
    T = require_positive("T", T, "eV")
    Tf = np.atleast_1d(T).astype(float)
    r2v, qv = _per_flavour("r2", r2), _per_flavour("q", q)
    if isinstance(mu, MomentMatrix):
        mm, mu_scalar = mu, None
    else:
        mm, mu_scalar = None, float(as_finite_array("mu", mu))
    xg, wg = np.polynomial.legendre.leggauss(nodes)
    xg, wg = 0.5 * (xg + 1.0), 0.5 * wg
    tot_sm = np.zeros_like(Tf)
    tot_em = np.zeros_like(Tf)
    tot_mag = np.zeros_like(Tf)
    by_comp: dict[str, np.ndarray] = {}
    for c in source.components():
        if components is not None and c.name not in components:
            continue
        if c.is_line:
            E = np.full_like(Tf, c.line_energy)
            w = np.full_like(Tf, c.flux)[:, None]
            E = E[:, None]
        else:
            lo = np.maximum(electron.e_min(Tf), c.e_min)  # a table source starts at e_min
            hi = c.e_max
            span = np.clip(hi - lo, 0.0, None)
            E = lo[:, None] + span[:, None] * xg[None, :]
            E = np.where(span[:, None] > 0, E, hi)
            w = c.flux * c.shape(E) * span[:, None] * wg[None, :]
        P = source.arrival(E, c)["flavour"]
        mu2 = mu_scalar**2 if mm is None else source.mu2(E, c, mm)
        sm, em, mag = _kernel(E, Tf[:, None], P, mu2, r2v, qv, source.anti, sin2w, convention)
        s, e, m = (np.sum(w * a, axis=1) for a in (sm, em, mag))
        tot_sm += s
        tot_em += e
        tot_mag += m
        by_comp[c.name] = s + e + m
    f_weak, f_mag = atomic.binding_factors(Tf, target, binding)
    sm_b = tot_sm * f_weak
    em_b = tot_em * f_weak + tot_mag * f_mag
    by_comp = {k: v * f_weak for k, v in by_comp.items()}  # display only (weak factor)
    shape = np.shape(T)
    out = {"sm": sm_b.reshape(shape), "em": em_b.reshape(shape),
           "total": (sm_b + em_b).reshape(shape)}
    out["by_component"] = {k: v.reshape(shape) for k, v in by_comp.items()}
    return out


#: natural-units rate per electron -> events per (tonne year keV) for a target material
def per_tonne_year_keV(target: str) -> float:
    """Factor turning a per-electron dR/dT into events/(tonne year keV) for ``target``."""
    if target == "free":
        raise NuemValueError("target='free' has no electron count; choose a material "
                             f"({', '.join(materials.MATERIALS)})")
    return materials.material(target).electrons_per_tonne * year * keV


def electron_recoil_spectrum(source: Source, T, target: str, **kw) -> dict[str, np.ndarray]:
    """:func:`electron_recoil_rate` times the electron count: events/(tonne year keV)."""
    k = per_tonne_year_keV(target)
    r = electron_recoil_rate(source, T, target=target, **kw)
    out = {key: r[key] * k for key in ("sm", "em", "total")}
    out["by_component"] = {n: v * k for n, v in r["by_component"].items()}
    return out
