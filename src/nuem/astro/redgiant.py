"""Red giants: the magnetic-moment excess of plasmon decay in the degenerate helium core,
set against the published tip-of-the-red-giant-branch (TRGB) bounds.

A moment mu adds plasmon decay gamma* -> nu nu-bar to the Standard-Model neutrino losses
of the core, delays helium ignition, raises the core mass at the flash and brightens the
TRGB (Raffelt, PRL 64, 2856 (1990); Viaux et al., A&A 558, A12 (2013); Capozzi & Raffelt,
PRD 102, 083007 (2020)).  This module

* **computes** Q_mu/Q_SM, the plasmon-decay emissivity through the moment over the
  Standard-Model one, both plasmon modes, with :mod:`nuem.astro.plasma` (Braaten-Segel
  dispersion, Haft-Raffelt-Weiss rates) at the core conditions below;
* **looks up** the TRGB bounds in the cited database :mod:`nuem.limits` (with their CL as
  published) and says which of them exclude mu.

It does not derive a bound itself: that needs the relation between mu and the TRGB
I-band brightness fitted to stellar-evolution sequences (Viaux et al. 2013; Capozzi &
Raffelt 2020, Sec. IV), whose coefficients could not be checked against the papers here.

Core conditions: rho = 1e6 g/cm^3 and T = 1e8 K, Y_e = 0.5 (helium), the degenerate core
near helium ignition at which Haft, Raffelt & Weiss, ApJ 425, 222 (1994) quote
Q_mu/Q_SM ~ 0.318 mu_12^2 (10 keV/omega_p)^2; both can be overridden.

Units: mu in Bohr magnetons, density in g/cm^3, temperature in K.
"""

from __future__ import annotations

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, as_finite_array

#: core density near helium ignition [g/cm^3] (see the module docstring)
CORE_DENSITY_GCC = 1e6
#: core temperature near helium ignition [K]
CORE_TEMPERATURE_K = 1e8
#: helium: two electrons per four nucleons
CORE_YE = 0.5


def trgb_bounds() -> list[dict]:
    """The red-giant-tip bounds on mu in :mod:`nuem.limits` (value [mu_B], CL as published,
    reference), newest first."""
    from nuem import limits

    return [e.to_dict() for e in limits.select(quantity="mu", kind="astrophysics")
            if "red-giant" in e.experiment]


def core_excess(mu, density_gcc: float | None = None, temperature_K: float | None = None,
                ye: float = CORE_YE) -> dict:
    """The plasmon-decay excess of a moment mu [mu_B] (scalar or array, >= 0) in the core
    and the published TRGB bounds that exclude it.

    Returns the density and temperature used, omega_p [eV], the emissivities Q_mu and
    Q_SM [eV^5] (both plasmon modes; Q_mu for each mu), ratio = Q_mu/Q_SM, and
    ``bounds``: each TRGB entry of :func:`trgb_bounds` with ``excludes`` (mu above its
    value, per mu).  Density and
    temperature default (None) to :data:`CORE_DENSITY_GCC` and :data:`CORE_TEMPERATURE_K`.
    """
    m = as_finite_array("mu", mu)
    if np.any(m < 0):
        raise NuemValueError(f"mu={m.min():g} mu_B must be >= 0")
    rho = CORE_DENSITY_GCC if density_gcc is None else density_gcc
    temp = CORE_TEMPERATURE_K if temperature_K is None else temperature_K
    from nuem.astro import plasma  # lazy: the CLI imports this module for its defaults

    gas = plasma.electron_gas(rho, temp, ye)
    # every moment rate is mu^2 times a plasma integral (nuem.astro.plasma): one integral
    q_unit, q_sm = plasma.emissivities(gas, 1.0)
    q_mu = q_unit * m ** 2
    citations.register("CapozziRaffelt2020")
    bounds = [b | {"excludes": (m > b["value"]).tolist()} for b in trgb_bounds()]
    return {"density_gcc": rho, "temperature_K": temp, "omega_p_eV": gas.omega_p,
            "degeneracy": gas.degeneracy, "emissivity_mu_eV5": q_mu, "emissivity_sm_eV5": q_sm,
            "ratio": q_mu / q_sm, "bounds": bounds}
