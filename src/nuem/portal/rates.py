"""Electron-recoil rates from dipole-portal upscattering, and the XENONnT SR0 refit.

dR/dT = N_e f_mag(T) sum_c integral_{E_min(T; m_N)}^{E_max} dE Phi_c(E)
                     sum_beta P_{e beta}(E) d_beta^2 sigma-hat(E, T; m_N)

per tonne-year-keV (the structure of :mod:`nuem.detectors.rates`): Phi_c the solar (or
reactor) components of a nuem :class:`~nuem.sources.base.Source`, P the arrival flavour
probabilities of the source, sigma-hat = dsigma/dT / d^2 of
:func:`nuem.portal.upscatter.dsigma_dT` on a free electron, and f_mag the atomic
(stepping) factor nuem applies to the magnetic-moment term (Chen et al. 2017; the
portal term is the same photon exchange and gets the same factor).  E_min(T; m_N) is
the exact kinematic minimum (:func:`nuem.portal.upscatter.e_min`), so the lower limit of
the energy integral carries the whole m_N dependence of the threshold; Gauss-Legendre
nodes run on exactly [E_min, E_max].  At m_N -> 0 this is nuem's magnetic-moment rate for
a flavour-universal mu = 2 d (tests/portal/test_rates.py).

The limit: the detector of a dataset is replaced by :class:`PortalDetector`, whose
``expected(E, mu=...)`` returns the portal signal for d = mu mu_B / 2 in the flavour
pattern asked for; nuem's likelihood (:class:`nuem.stats.likelihood.Model`) and its
one-sided profile-likelihood limit (:func:`nuem.stats.limits.upper_limit`, CCGV q~, 90%
CL) are then used unchanged (the fit is started at several mu^2, see
:func:`d_limit`), and the mu limit is translated back into d.  For
flavour-universal d and m_N -> 0 the d limit is therefore exactly nuem's mu limit / 2
in mu_B.  For d_e alone the solar nu_e arrive as nu_e with probability P_ee(E) only
(nuem's MSW survival probability), which weakens the limit by about 1/sqrt(<P_ee>).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from typing import Any

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, require_choice
from nuem.detectors import rates as det_rates
from nuem.interactions import atomic
from nuem.portal import model as pm
from nuem.portal import upscatter as up
from nuem.sources.base import Source
from nuem.units import GeV, keV

DEFAULT_NODES = 64
_ELECTRON = up.target("electron")


def dsigma_dT_over_d2(E, T, m_N) -> np.ndarray:
    """dsigma/dT / d^2 on a free electron [eV^-1], zero outside the kinematic range
    (also below threshold); E, T [eV] broadcast
    (:func:`nuem.portal.upscatter.dsigma_dT_over_d2` on the electron)."""
    return up.dsigma_dT_over_d2(E, T, m_N, _ELECTRON)


def electron_recoil_rate(source: Source, T, m_N: float, d, *, target: str = "free",
                         binding: str = "stepping", nodes: int = DEFAULT_NODES,
                         arrival_cache: dict | None = None) -> np.ndarray:
    """dR/dT per target electron [natural units] at recoils T [eV] for N of mass m_N [eV]
    and d = (d_e, d_mu, d_tau) [eV^-1] (module docstring).  ``arrival_cache`` (a dict)
    memoises the arrival probabilities on a fixed fine energy grid per component and
    interpolates them (they are smooth in E): the mass-independent part of a scan."""
    from nuem.portal import signals

    citations.register("Magill2018", "Brdar2021")
    d2 = np.square(pm.flavour_vector(d))
    T = np.atleast_1d(np.asarray(T, float))
    total = signals.rates_per_target(
        source, T, float(m_N), d2, _ELECTRON, nodes,
        arrival=lambda c, E: _arrival(source, c, E, arrival_cache))[0]
    f_weak, f_mag = atomic.binding_factors(T, target, binding)
    return total * f_mag


def _arrival(source: Source, c, E: np.ndarray, cache: dict | None) -> np.ndarray:
    if cache is None:
        return source.arrival(E, c)["flavour"]
    key = c.name
    if key not in cache:
        if c.is_line:
            grid = np.array([c.line_energy])
        else:
            grid = np.geomspace(1e-3 * c.e_max, c.e_max, 400)
        cache[key] = (grid, source.arrival(grid, c)["flavour"])
    grid, P = cache[key]
    if len(grid) == 1:
        return np.broadcast_to(P[0], E.shape + (3,))
    Ec = np.clip(E, grid[0], grid[-1])
    return np.stack([np.interp(Ec, grid, P[:, b]) for b in range(3)], axis=-1)


def recoil_spectrum(detector, m_N: float, d, E_rec, *, binding: str = "stepping",
                    nodes: int = DEFAULT_NODES, arrival_cache: dict | None = None
                    ) -> np.ndarray:
    """Observed dR/dE_rec [events/(tonne year keV)] at E_rec [keV] in a nuem
    :class:`~nuem.detectors.experiments.Detector` (its source, target, efficiency and
    resolution)."""
    T = detector.response.true_grid()
    r = electron_recoil_rate(detector.source(), T * keV, m_N, d, target=detector.target,
                             binding=binding, nodes=nodes, arrival_cache=arrival_cache)
    r = r * det_rates.per_tonne_year_keV(detector.target)
    return detector.response.smear(T, r, np.asarray(E_rec, float))


@dataclasses.dataclass
class PortalDetector:
    """A detector whose electromagnetic signal is dipole-portal upscattering.

    ``expected(E_rec, mu=...)`` answers like :meth:`Detector.expected`, with ``em`` the
    portal rate for d = (mu mu_B / 2) x ``pattern`` (mu in mu_B: the moment that equals the
    magnetic moment as m_N -> 0); ``sm`` is the base detector's Standard-Model rate."""

    base: Any
    m_N: float
    pattern: np.ndarray
    nodes: int = DEFAULT_NODES
    arrival_cache: dict | None = None
    sm_cache: dict | None = None

    def __getattr__(self, name: str):
        if name in ("base", "m_N", "pattern", "nodes", "arrival_cache", "sm_cache"):
            raise AttributeError(name)
        return getattr(self.base, name)

    def _sm(self, E_rec, binding: str) -> np.ndarray:
        E_rec = np.asarray(E_rec, float)
        if self.sm_cache is None:
            return self.base.expected(E_rec, binding=binding)["sm"]
        key = (binding, E_rec.shape, E_rec.tobytes())
        if key not in self.sm_cache:
            self.sm_cache[key] = self.base.expected(E_rec, binding=binding)["sm"]
        return self.sm_cache[key]

    def expected(self, E_rec, source=None, *, mu=0.0, binding: str = "stepping", **kw
                 ) -> dict[str, np.ndarray]:
        if kw.get("q", 0.0) or kw.get("r2", 0.0):
            raise NuemValueError("the dipole-portal detector takes only mu (no q or r2)")
        sm = self._sm(E_rec, binding)
        d = float(mu) * constants.mu_B / 2.0 * self.pattern
        em = recoil_spectrum(self.base, self.m_N, d, E_rec, binding=binding, nodes=self.nodes,
                             arrival_cache=self.arrival_cache)
        return {"sm": sm, "em": em, "total": sm + em}


@contextlib.contextmanager
def _quiet_minuit():
    """Keep Minuit2's C++ messages off stdout for the duration (they are written straight
    to file descriptor 1 whatever ``print_level`` says, e.g. "Initial matrix not pos.def."
    from far starting points, and would corrupt ``--json`` output); stderr is untouched."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdout (captured): nothing to do
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)


def _multistart_model():
    from nuem.stats import likelihood

    class MultiStartModel(likelihood.Model):
        """nuem's Model with the unconstrained fit started also at mu^2 = 1e2..1e10
        (internal units) and the lowest minimum kept: for heavy N the portal spectrum can
        resemble the free background, the -2 ln L surface in mu^2 is then shallow, and a
        single MIGRAD start from mu^2 = 1 can stop short of the global minimum."""

        def minimise(self, fixed=None, start=None):
            best = super().minimise(fixed, start)
            if fixed and "mu" in fixed:
                return best
            with _quiet_minuit():
                for k in range(2, 11, 2):
                    f, x = super().minimise(fixed, {"mu": 10.0**k})
                    if f < best[0] - 1e-9:
                        best = (f, x)
            return best

    return MultiStartModel


def d_limit(dataset: str = "xenonnt-2022", masses_GeV=None, flavour: str = "e",
            cl: float = 0.9, *, binding: str = "stepping", nodes: int = DEFAULT_NODES,
            cache: bool = True) -> dict[str, Any]:
    """Upper limit on d_flavour [GeV^-1] (Magill convention) at each m_N in
    ``masses_GeV`` (default 50 log-spaced from 1 keV to 10 MeV) from a nuem dataset,
    with nuem's profile-likelihood machinery (module docstring).  ``flavour`` is e, mu,
    tau or universal.  ``cache=False`` recomputes every piece at every mass (the
    benchmark's reference; the cached scan keeps the Standard-Model spectrum and the
    arrival probabilities, interpolated from a 400-point grid per component).  Masses whose signal vanishes in the window (N too heavy
    for the solar flux) get ``None``."""
    from nuem.stats import datasets
    from nuem.stats import limits as lim

    Model = _multistart_model()
    pattern = pm.flavour_vector(1.0, flavour)
    require_choice("binding", binding, ("stepping", "free"))
    masses = (np.geomspace(1e-6, 1e-2, 50) if masses_GeV is None
              else np.atleast_1d(np.asarray(masses_GeV, float)))
    if np.any(~np.isfinite(masses)) or np.any(masses <= 0):
        raise NuemValueError(f"masses_GeV={masses.tolist()} must be finite and > 0")
    ds = datasets.load(dataset)
    base = ds.detector
    arrival_cache: dict | None = {} if cache else None
    sm_cache: dict | None = {} if cache else None
    d_lim: list[float | None] = []
    mu_lim: list[float | None] = []
    for m in masses:
        det = PortalDetector(base, float(m) * GeV, pattern, nodes, arrival_cache, sm_cache)
        probe = recoil_spectrum(base, float(m) * GeV, pattern, np.linspace(*ds.range_keV, 30),
                                binding=binding, nodes=nodes, arrival_cache=arrival_cache)
        if not np.any(probe > 0):
            d_lim.append(None)
            mu_lim.append(None)
            continue
        model = Model(dataclasses.replace(ds, detector=det), ("mu",), binding=binding)
        with _quiet_minuit():
            res = lim.upper_limit(model, "mu", cl)
        mu_lim.append(res.limit)
        d_lim.append(res.limit * constants.mu_B / 2.0 * GeV)
    citations.register("Magill2018", "CowanCranmer2011")
    return {"dataset": ds.name, "flavour": flavour, "cl": cl, "m_N_GeV": masses.tolist(),
            "d_GeV_inv": d_lim, "mu_equivalent_muB": mu_lim, "convention": "magill",
            "statistic": "q~ one-sided profile likelihood ratio (CCGV Eq. 16), asymptotic"}
