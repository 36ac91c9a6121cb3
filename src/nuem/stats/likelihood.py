"""Likelihoods for a :class:`~nuem.stats.datasets.Dataset`, minimised with iminuit.

Expected observed spectrum, events per keV of reconstructed energy:

    dN/dE = X [ sum_k b_k B_k(E) + (S_SM(E) if the background lacks it) + S_EM(E; theta) ],

X the exposure [t yr], B_k the background templates with normalisations b_k (free, fixed or
Gaussian-constrained), S_SM the Standard-Model solar/reactor nu-e rate and S_EM what the
electromagnetic parameters theta = (mu^2, q, <r^2>) add (``em`` of
:meth:`nuem.detectors.experiments.Detector.expected`: efficiency and resolution applied).

S_EM is *exactly* a quadratic polynomial in the parameters: the magnetic term is linear in
mu^2 and does not interfere; the charge radius and the millicharge shift g_V (Giunti &
Studenikin, RMP 87, 531 (2015), Eqs. 6.9, 6.21), so the weak rate is quadratic in
(q, <r^2>) jointly.  :class:`SignalBasis` extracts the coefficient spectra from a few
evaluations of the full rate (finite differences are exact for a quadratic), so a fit
never recomputes a cross section.

Test statistic: ``nll2`` is -2 ln L up to a constant,
  unbinned (extended):  2 [ N(theta) - sum_i ln dN/dE(E_i; theta) ],
  binned (Poisson):     2 sum_i [ nu_i - n_i + n_i ln(n_i / nu_i) ],
plus sum_k ((b_k - 1)/sigma_k)^2 for constrained backgrounds.

Fit units (internal): mu^2 in (1e-12 mu_B)^2, q in 1e-13 e, <r^2> in 1e-32 cm^2
(:data:`SCALE`); the public functions of :mod:`nuem.stats.limits` convert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from iminuit import Minuit

from nuem import citations
from nuem._errors import NuemValueError, require_choice
from nuem.stats.datasets import Dataset
from nuem.units import cm

PARAMS = ("mu", "q", "r2")
#: physical value of one internal fit unit: mu [mu_B] (the fit parameter is (mu/1e-12)^2),
#: q [e], <r^2> [cm^2]
SCALE = {"mu": 1e-12, "q": 1e-13, "r2": 1e-32}
UNITS = {"mu": "mu_B", "q": "e", "r2": "cm^2"}
#: step of the finite differences, in internal units (any nonzero value is exact)
_STEP = {"q": 10.0, "r2": 10.0}


def _physical(p: str, x: float) -> dict[str, float]:
    if p == "mu":
        return {"mu": SCALE["mu"] * np.sqrt(x)}
    if p == "q":
        return {"q": SCALE["q"] * x}
    return {"r2": SCALE["r2"] * x * cm**2}


@dataclass(frozen=True)
class SignalBasis:
    """Coefficient spectra of S_EM on some energies: S_EM = sum_m terms[m] * monomial_m.

    Monomials: ``mu`` -> mu^2; ``q``, ``q^2``, ``r2``, ``r2^2``, ``q*r2`` (internal units).
    ``sm`` is the Standard-Model rate on the same energies.
    """

    terms: dict[str, np.ndarray]
    sm: np.ndarray

    @staticmethod
    def compute(dataset: Dataset, E, params: tuple[str, ...], **kw) -> "SignalBasis":
        """Evaluate the detector model at E [keV]; ``kw`` go to Detector.expected
        (binding, convention, ...)."""
        det = dataset.detector

        sm: list[np.ndarray] = []

        def em(**theta) -> np.ndarray:
            r = det.expected(E, **theta, **kw)
            sm.append(r["sm"])  # the SM part does not depend on theta: keep the first
            return r["em"]

        terms: dict[str, np.ndarray] = {}
        if "mu" in params:
            terms["mu"] = em(**_physical("mu", 1.0))
        for p in ("q", "r2"):
            if p in params:
                h = _STEP[p]
                fp, fm = em(**_physical(p, h)), em(**_physical(p, -h))
                terms[p] = (fp - fm) / (2 * h)
                terms[f"{p}^2"] = (fp + fm) / (2 * h * h)
        if "q" in params and "r2" in params:
            hq, hr = _STEP["q"], _STEP["r2"]
            both = em(**_physical("q", hq), **_physical("r2", hr))
            single = (terms["q"] * hq + terms["q^2"] * hq**2 + terms["r2"] * hr
                      + terms["r2^2"] * hr**2)
            terms["q*r2"] = (both - single) / (hq * hr)
        return SignalBasis(terms, sm[0])

    def take(self, idx) -> "SignalBasis":
        return SignalBasis({k: v[..., idx] for k, v in self.terms.items()}, self.sm[..., idx])


def _monomials(theta: dict[str, float]) -> dict[str, float]:
    q, r = theta.get("q", 0.0), theta.get("r2", 0.0)
    return {"mu": theta.get("mu", 0.0), "q": q, "q^2": q * q, "r2": r, "r2^2": r * r,
            "q*r2": q * r}


class Model:
    """A dataset's likelihood for the electromagnetic parameters ``params``.

    ``binding`` ("stepping" or "free") and ``convention`` (charge radius) choose the
    signal model; ``grid_step`` [keV] is the integration step of the rate over the range
    (efficiency, background and bin-edge nodes are added to the grid, so piecewise-linear
    tables are integrated exactly).
    """

    def __init__(self, dataset: Dataset, params: tuple[str, ...] = ("mu",), *,
                 binding: str = "stepping", convention: str = "giunti-studenikin",
                 grid_step: float = 0.02, mu2_nonnegative: bool = True) -> None:
        for p in params:
            require_choice("param", p, PARAMS)
        if dataset.references:
            citations.register(*dataset.references)
        self.dataset = dataset
        self.params = tuple(params)
        self.mu2_nonnegative = mu2_nonnegative
        lo, hi = dataset.range_keV
        nodes = [np.linspace(lo, hi, int(np.ceil((hi - lo) / grid_step)) + 1)]
        resp = dataset.detector.response
        if resp.efficiency_E is not None:
            nodes.append(resp.efficiency_E)
        nodes += [b.E_keV for b in dataset.background]
        if dataset.edges is not None:
            nodes.append(dataset.edges)
        g = np.unique(np.concatenate(nodes))
        self.grid = g[(g >= lo) & (g <= hi)]
        ev = dataset.events if dataset.events is not None else np.empty(0)
        basis = SignalBasis.compute(dataset, np.concatenate([self.grid, ev]), self.params,
                                    binding=binding, convention=convention)
        n = len(self.grid)
        self._grid_basis = basis.take(slice(0, n))
        self._grid_bkg = np.array([b(self.grid) for b in dataset.background])
        self._set_data(dataset.events, dataset.counts, basis.take(slice(n, None)),
                       np.array([b(ev) for b in dataset.background]).reshape(len(dataset.background), -1))
        self.sigmas = [b.sigma for b in dataset.background]
        self.names = [f"b_{b.name}" for b in dataset.background] + list(self.params)

    # ---------------------------------------------------------------- templates
    def _templates_grid(self) -> tuple[list[str], np.ndarray]:
        """Names and rates [events/(t yr keV)] on the grid of every template."""
        names = [f"b{k}" for k in range(len(self._grid_bkg))]
        rows = list(self._grid_bkg)
        if not self.dataset.solar_sm_included:
            names.append("sm")
            rows.append(self._grid_basis.sm)
        for m, v in self._grid_basis.terms.items():
            names.append(m)
            rows.append(v)
        return names, np.array(rows)

    def _set_data(self, events, counts, ev_basis: SignalBasis, ev_bkg: np.ndarray) -> None:
        names, grid_rows = self._templates_grid()
        self._tnames = names
        X = self.dataset.exposure_t_yr
        cum = np.concatenate([np.zeros((len(grid_rows), 1)), np.cumsum(
            0.5 * (grid_rows[:, 1:] + grid_rows[:, :-1]) * np.diff(self.grid), axis=1)], axis=1)
        self._cum = cum * X
        if events is not None:
            rows = list(ev_bkg)
            if not self.dataset.solar_sm_included:
                rows.append(ev_basis.sm)
            rows += [ev_basis.terms[m] for m in self._grid_basis.terms]
            self._ev = np.array(rows).reshape(len(names), -1) * X  # per-event densities
            self._tot = self._cum[:, -1]
            self.events, self.counts = np.asarray(events), None
        else:
            self._bin_idx = np.searchsorted(self.grid, self.dataset.edges - 1e-12)
            self._bins = np.diff(self._cum[:, self._bin_idx], axis=1)  # per bin, per template
            self.events, self.counts = None, np.asarray(counts, float)

    # ---------------------------------------------------------------- evaluation
    def _coef(self, x: np.ndarray) -> np.ndarray:
        K = len(self.dataset.background)
        theta = dict(zip(self.params, x[K:]))
        mono = _monomials(theta)
        c = list(x[:K])
        if not self.dataset.solar_sm_included:
            c.append(1.0)
        c += [mono[m] for m in self._grid_basis.terms]
        return np.asarray(c, float)

    def nll2(self, x) -> float:
        """-2 ln L (up to a constant) at x = (b_1..b_K, params...) in internal units."""
        x = np.asarray(x, float)
        c = self._coef(x)
        pen = sum(((x[k] - 1.0) / s) ** 2 for k, s in enumerate(self.sigmas) if s)
        if self.counts is None:
            dens = c @ self._ev
            if np.any(dens <= 0):
                return 1e30
            return float(2.0 * (c @ self._tot - np.sum(np.log(dens))) + pen)
        nu = c @ self._bins
        if np.any(nu < 0) or np.any((nu == 0) & (self.counts > 0)):
            return 1e30
        n = self.counts
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0) / np.maximum(nu, 1e-300)),
                                0.0)
        return float(2.0 * np.sum(nu - n + log_term) + pen)

    def expected_counts(self, edges, x) -> np.ndarray:
        """Expected events in bins ``edges`` [keV] for parameters x."""
        cum = self._coef(np.asarray(x, float)) @ self._cum
        return np.diff(np.interp(edges, self.grid, cum))

    # ---------------------------------------------------------------- fitting
    def minimise(self, fixed: dict[str, float] | None = None,
                 start: dict[str, float] | None = None) -> tuple[float, np.ndarray]:
        """Minimum of -2 ln L (iminuit MIGRAD, strategy 1).  ``fixed`` pins some of the
        EM parameters (internal units); the others in ``params`` and the background
        normalisations float.  Returns (min, x) with x = (b_1..b_K, params...)."""
        fixed = fixed or {}
        K = len(self.dataset.background)
        x0 = np.ones(K + len(self.params))
        for i, p in enumerate(self.params):
            x0[K + i] = fixed.get(p, (start or {}).get(p, 0.0 if p != "mu" else 1.0))
        m = Minuit(self.nll2, x0, name=self.names)
        m.errordef = Minuit.LEAST_SQUARES
        m.print_level = 0
        for k, s in enumerate(self.sigmas):
            m.limits[k] = (0.0, None)
            if s == 0.0:
                m.fixed[k] = True
        for i, p in enumerate(self.params):
            if p == "mu" and self.mu2_nonnegative:
                m.limits[K + i] = (0.0, None)
            if p in fixed:
                m.fixed[K + i] = True
        m.strategy = 1
        m.migrad()
        if not m.valid:
            m.migrad()
        return float(m.fval), np.array(m.values)

    def with_data(self, data) -> "Model":
        """The same model with other observed data of its own kind (e.g. from :meth:`sample`):
        counts in its bins for a binned model, event energies [keV] for an unbinned one."""
        new = object.__new__(Model)
        new.__dict__.update(self.__dict__)
        if self.counts is not None:
            new.counts = np.asarray(data, float)
            return new
        ev = np.asarray(data, float)
        _, rows = self._templates_grid()
        new._ev = np.array([np.interp(ev, self.grid, r) for r in rows]).reshape(
            len(rows), -1) * self.dataset.exposure_t_yr
        new.events = ev
        return new

    def sample(self, x, rng: np.random.Generator) -> Any:
        """A toy data set drawn from the model at x: events (unbinned) or counts (binned)."""
        cum = self._coef(np.asarray(x, float)) @ self._cum
        if self.counts is not None:
            return rng.poisson(np.clip(np.diff(cum[self._bin_idx]), 0, None)).astype(float)
        n = rng.poisson(cum[-1])
        return np.interp(rng.uniform(0, cum[-1], n), cum, self.grid)

    def observed_binned(self, edges) -> np.ndarray:
        """Observed counts in ``edges`` (histogram of the events, or the counts)."""
        if self.events is not None:
            return np.histogram(self.events, bins=edges)[0].astype(float)
        if not np.array_equal(np.asarray(edges), self.dataset.edges):
            raise NuemValueError("a binned dataset can only be shown in its own bins")
        return self.counts

