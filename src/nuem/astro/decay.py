"""Radiative neutrino decay nu_i -> nu_j gamma through a transition moment.

Rate (Raffelt, "Stars as Laboratories for Fundamental Physics" (1996), Eq. (7.5); Giunti &
Studenikin, RMP 87, 531 (2015), Eq. (6.20)) for an effective transition moment
mu_eff^2 = |mu_ij|^2 + |eps_ij|^2:

    Gamma = mu_eff^2 / (8 pi) ((m_i^2 - m_j^2) / m_i)^3,

isotropic in the rest frame of nu_i, with the photon energy E_gamma = (m_i^2 - m_j^2)/(2 m_i).
For m_j = 0 the lifetime is tau = 0.19 s (mu_B/mu_eff)^2 (eV/m_i)^3.

Units: masses in eV, moments in Bohr magnetons, rates in eV, lifetimes in seconds.
"""

from __future__ import annotations

import math

import numpy as np

from nuem import citations, constants, mixing
from nuem._errors import NuemValueError, as_finite_array, require_choice, require_positive
from nuem.units import second


def _masses(m_heavy, m_light) -> tuple[np.ndarray, np.ndarray]:
    mi = require_positive("m_heavy", m_heavy, "eV")
    mj = as_finite_array("m_light", m_light)
    if np.any(mj < 0):
        raise NuemValueError(f"m_light={mj.tolist()} eV must be >= 0")
    if np.any(mj >= mi):
        raise NuemValueError(f"m_light must be below m_heavy (got m_light={mj.tolist()}, "
                             f"m_heavy={mi.tolist()} eV)")
    return mi, mj


def decay_rate(mu_eff, m_heavy, m_light=0.0) -> np.ndarray:
    """Gamma(nu_i -> nu_j gamma) [eV] (module docstring); broadcasts."""
    citations.register("Raffelt1996")
    mu = as_finite_array("mu_eff", mu_eff)
    if np.any(mu < 0):
        raise NuemValueError(f"mu_eff={mu.tolist()} must be >= 0 (Bohr magnetons)")
    mi, mj = _masses(m_heavy, m_light)
    return (mu * constants.mu_B) ** 2 / (8.0 * math.pi) * ((mi**2 - mj**2) / mi) ** 3


def lifetime(mu_eff, m_heavy, m_light=0.0) -> np.ndarray:
    """Rest-frame lifetime [s] = hbar / Gamma."""
    with np.errstate(divide="ignore"):
        return 1.0 / (decay_rate(mu_eff, m_heavy, m_light) * second)


def photon_energy(m_heavy, m_light=0.0) -> np.ndarray:
    """E_gamma = (m_i^2 - m_j^2) / (2 m_i) [eV] in the rest frame of nu_i."""
    mi, mj = _masses(m_heavy, m_light)
    return (mi**2 - mj**2) / (2.0 * mi)


def masses(lightest: float, ordering: str = "NO",
           params: mixing.OscillationParameters | None = None) -> np.ndarray:
    """(m1, m2, m3) [eV] from the lightest mass and the NuFIT splittings (NO: m1 lightest,
    IO: m3 lightest; Delta m^2_3l as defined by NuFIT)."""
    require_choice("ordering", ordering, ("NO", "IO"))
    if not (np.isfinite(lightest) and lightest >= 0):
        raise NuemValueError(f"lightest={lightest!r} eV must be >= 0")
    p = mixing.nufit(ordering) if params is None else params
    if (p.dm2_3l > 0) != (ordering == "NO"):
        raise NuemValueError(f"params have dm2_3l={p.dm2_3l:g} eV^2, inconsistent with "
                             f"ordering={ordering!r}")
    # squared masses relative to m1^2 (NuFIT: dm2_3l = dm2_31 in NO, dm2_32 in IO)
    rel = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])
    rel = rel - rel.min()  # relative to the lightest state
    return np.sqrt(lightest**2 + rel)


def cnb_lines(mu_eff, lightest: float = 0.0, ordering: str = "NO",
              params: mixing.OscillationParameters | None = None) -> list[dict]:
    """Radiative decay lines of the cosmic neutrino background today: for each pair i > j
    (by mass) the photon energy [eV] and the lifetime [s] with one transition moment
    ``mu_eff`` [mu_B].  The relic neutrinos are non-relativistic for masses above ~1 meV
    (T_nu = 0.17 meV), so each decay gives a line at E_gamma (redshifted by the decay
    epoch); a line from a massless lightest state is not a rest-frame line and is flagged."""
    m = masses(lightest, ordering, params)
    order = np.argsort(m)
    out = []
    for a in range(3):
        for b in range(a):
            hi, lo = order[a], order[b]
            mi, mj = float(m[hi]), float(m[lo])
            out.append({"decay": f"nu{hi + 1} -> nu{lo + 1} gamma", "m_heavy_eV": mi,
                        "m_light_eV": mj, "photon_energy_eV": float(photon_energy(mi, mj)),
                        "lifetime_s": float(lifetime(mu_eff, mi, mj))})
    return out
