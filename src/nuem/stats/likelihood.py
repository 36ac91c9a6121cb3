"""Likelihoods for a :class:`~nuem.stats.datasets.Dataset`, minimised with iminuit.

Expected observed spectrum, events per keV of reconstructed energy:

    dN/dE = X [ sum_k b_k B_k(E; alpha, gamma) + (S_SM(E) if the background lacks it)
                + S_EM(E; theta) ],

X the exposure [t yr], B_k the background templates (continuous rates interpolated
linearly, or binned templates uniform inside each bin) with normalisations b_k, S_SM the
Standard-Model solar/reactor nu-e rate and S_EM what the electromagnetic parameters
theta = (mu^2, q, <r^2>) add (``em`` of :meth:`nuem.detectors.experiments.Detector.expected`:
efficiency and resolution applied).  Shape nuisances act on a template's tabulated values
v (pyhf / HistFactory modifiers, Cranmer et al. CERN-OPEN-2012-016):
v -> (v + sum_h Delta_h(alpha_h)) * prod_s gamma_s, with Delta_h the piecewise-linear
morphing to the up/down variation (histosys) and gamma_s per-bin factors (staterror,
shapesys).  Every template is linear in v, so its integrals over bins are precomputed
exactly (binned templates) or on a grid containing its nodes (continuous ones).

S_EM is *exactly* a quadratic polynomial in the parameters: the magnetic term is linear in
mu^2 and does not interfere; the charge radius and the millicharge shift g_V (Giunti &
Studenikin, RMP 87, 531 (2015), Eqs. 6.9, 6.21), so the weak rate is quadratic in
(q, <r^2>) jointly.  :class:`SignalBasis` extracts the coefficient spectra from a few
evaluations of the full rate (finite differences are exact for a quadratic), so a fit
never recomputes a cross section.

Test statistic: ``nll2`` is -2 ln L up to a constant,
  unbinned (extended):  2 [ N(theta) - sum_i ln dN/dE(E_i; theta) ],
  binned (Poisson):     2 sum_i [ nu_i - n_i + n_i ln(n_i / nu_i) ],
plus one constraint term per constrained nuisance, each zero at its nominal value:
  gaussian (b, staterror gamma, histosys alpha):  ((x - a)/sigma)^2   (a = 1, 1, 0),
  lognormal (b):  (ln(x/a) / ln kappa)^2, kappa = 1 + sigma  (the "lnN" of the LHC Higgs
      combination, ATL-PHYS-PUB-2011-011 / CMS NOTE-2011/005),
  poisson (shapesys gamma):  2 [tau x - m + m ln(m / (tau x))], tau = 1/rel^2, m = tau,
the auxiliary values a, m being the "global observables" that toys resample.
A :class:`Combination` sums the data terms of several models and counts each constraint
once; signal parameters and nuisances named explicitly are shared, others stay separate.

Fit units (internal): mu^2 in (1e-12 mu_B)^2, q in 1e-13 e, <r^2> in 1e-32 cm^2
(:data:`SCALE`); the public functions of :mod:`nuem.stats.limits` convert.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from iminuit import Minuit

from nuem import citations
from nuem._errors import NuemValueError, require_choice
from nuem.stats import datasets as _ds
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


# ----------------------------------------------------------------------------- parameters
CONSTRAINTS = ("none", "gaussian", "lognormal", "poisson")


@dataclass(frozen=True)
class ParamSpec:
    """One fit parameter: its name, start value, lower bound, whether it is fixed, and its
    constraint (``width`` is sigma for gaussian, ln kappa for lognormal, tau for poisson;
    ``aux`` the nominal auxiliary value).  ``shared``: the name is global (signal
    parameters and explicitly named nuisances), so a :class:`Combination` merges it."""

    name: str
    init: float
    lower: float | None = None
    fixed: bool = False
    constraint: str = "none"
    width: float = 0.0
    aux: float = 0.0
    shared: bool = False
    signal: bool = False

    def same_as(self, other: "ParamSpec") -> bool:
        return (self.constraint, self.width, self.aux, self.lower, self.fixed, self.signal) == (
            other.constraint, other.width, other.aux, other.lower, other.fixed, other.signal)


def _constraint_terms(specs, x: np.ndarray, aux: np.ndarray) -> float:
    """Sum of the constraint terms (module docstring) of the constrained parameters."""
    tot = 0.0
    for i, s in enumerate(specs):
        c = s.constraint
        if c == "none" or s.fixed:
            continue
        v, a = x[i], aux[i]
        if c == "gaussian":
            tot += ((v - a) / s.width) ** 2
        elif c == "lognormal":
            if v <= 0:
                return 1e30
            tot += (np.log(v / a) / s.width) ** 2
        else:  # poisson, auxiliary count a = m
            tau = s.width
            if v <= 0:
                return 1e30
            tot += 2.0 * (tau * v - a + (a * np.log(a / (tau * v)) if a > 0 else 0.0))
    return float(tot)


def _sample_aux(specs, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Global observables drawn around the parameters x (for toys)."""
    out = np.array([s.aux for s in specs], float)
    for i, s in enumerate(specs):
        if s.fixed or s.constraint == "none":
            continue
        if s.constraint == "gaussian":
            out[i] = rng.normal(x[i], s.width)
        elif s.constraint == "lognormal":
            out[i] = x[i] * np.exp(rng.normal(0.0, s.width))
        else:
            out[i] = float(rng.poisson(s.width * max(x[i], 0.0)))
    return out


class _Fit:
    """Minimisation shared by :class:`Model` and :class:`Combination` (iminuit MIGRAD)."""

    specs: list[ParamSpec]
    params: tuple[str, ...]
    _aux: np.ndarray

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    def index(self, name: str) -> int:
        """Position of the parameter ``name`` in x."""
        try:
            return self.names.index(name)
        except ValueError:
            raise NuemValueError(f"parameter {name!r} is not one of {', '.join(self.names)}") from None

    def param_index(self, param: str) -> int:
        if param not in self.params:
            raise NuemValueError(f"param={param!r} is not in the model's params {self.params}")
        return self.index(param)

    def nuisance_names(self) -> list[str]:
        return [s.name for s in self.specs if not s.signal]

    def start(self) -> np.ndarray:
        return np.array([s.init for s in self.specs], float)

    def minimise(self, fixed: dict[str, float] | None = None,
                 start: dict[str, float] | None = None) -> tuple[float, np.ndarray]:
        """Minimum of -2 ln L (iminuit MIGRAD, strategy 1).  ``fixed`` pins parameters by
        name (EM parameters in internal units, or nuisances); the others float from their
        start values (``start`` overrides some).  Returns (min, x)."""
        fixed, start = fixed or {}, start or {}
        names = self.names
        for k in list(fixed) + list(start):
            self.index(k)
        x0 = self.start()
        for k, v in {**start, **fixed}.items():
            x0[names.index(k)] = v
        m = Minuit(self.nll2, x0, name=names)
        m.errordef = Minuit.LEAST_SQUARES
        m.print_level = 0
        for i, s in enumerate(self.specs):
            if s.lower is not None:
                m.limits[i] = (s.lower, None)
            if s.fixed or s.name in fixed:
                m.fixed[i] = True
        m.strategy = 1
        m.migrad()
        if not m.valid:
            m.migrad()
        return float(m.fval), np.array(m.values)

    def values(self, x) -> dict[str, float]:
        """{parameter name: value} for a parameter vector x (internal units)."""
        return {n: float(v) for n, v in zip(self.names, np.asarray(x, float))}


def _add_spec(specs: list[ParamSpec], spec: ParamSpec, where: str) -> int:
    """Append ``spec`` or return the index of the same-named one (which must agree)."""
    for i, s in enumerate(specs):
        if s.name == spec.name:
            if not s.same_as(spec):
                raise NuemValueError(f"{where}: nuisance {spec.name!r} is declared twice with "
                                     "different priors")
            return i
    specs.append(spec)
    return len(specs) - 1


def _norm_spec(b: "_ds.BackgroundComponent") -> ParamSpec:
    name = b.nuisance or f"b_{b.name}"
    shared = b.nuisance is not None
    if b.prior == "fixed":
        return ParamSpec(name, 1.0, 0.0, True, shared=shared)
    if b.prior == "gaussian":
        return ParamSpec(name, 1.0, 0.0, constraint="gaussian", width=float(b.sigma), aux=1.0,
                         shared=shared)
    if b.prior == "lognormal":
        return ParamSpec(name, 1.0, 0.0, constraint="lognormal",
                         width=float(np.log1p(b.sigma)), aux=1.0, shared=shared)
    return ParamSpec(name, 1.0, 0.0, shared=shared)


@dataclass
class _Template:
    """A background component prepared for a model: normalisation index, nominal values,
    modifiers with their parameter indices, and its linear maps values -> observables."""

    norm: int
    nominal: np.ndarray
    histosys: list[tuple[int, np.ndarray, np.ndarray]]  # (alpha index, up - nom, nom - down)
    gammas: list[tuple[np.ndarray, np.ndarray]]  # (bins carrying a factor, parameter indices)
    cum: np.ndarray  # (grid, values): integral from the range's start, per t yr
    comp: Any = None

    def values(self, x: np.ndarray) -> np.ndarray:
        if not self.histosys and not self.gammas:
            return self.nominal
        v = self.nominal.copy()
        for i, dup, ddn in self.histosys:
            a = x[i]
            v = v + (a * dup if a >= 0 else a * ddn)
        for bins, idx in self.gammas:
            v[bins] = v[bins] * x[idx]
        return v


class Model(_Fit):
    """A dataset's likelihood for the electromagnetic parameters ``params``.

    ``binding`` ("stepping" or "free") and ``convention`` (charge radius) choose the
    signal model; ``grid_step`` [keV] is the integration step of the rate over the range
    (efficiency, background and bin-edge nodes are added to the grid, so piecewise-linear
    tables are integrated exactly).  Parameters x = (b_1..b_K, params..., shape nuisances...)
    (``names`` lists them; without shape modifiers x = (b_1..b_K, params...)).
    """

    def __init__(self, dataset: Dataset, params: tuple[str, ...] = ("mu",), *,
                 binding: str = "stepping", convention: str = "giunti-studenikin",
                 grid_step: float = 0.02, mu2_nonnegative: bool = True) -> None:
        for p in params:
            require_choice("param", p, PARAMS)
        if dataset.references:
            citations.register(*dataset.references)
        self.dataset = dataset
        self.name = dataset.name
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
        # parameters: normalisations, EM parameters, shape nuisances
        specs: list[ParamSpec] = []
        where = f"dataset {dataset.name!r}"
        norm_idx = [_add_spec(specs, _norm_spec(b), where) for b in dataset.background]
        for p in self.params:
            specs.append(ParamSpec(p, 1.0 if p == "mu" else 0.0,
                                   0.0 if (p == "mu" and mu2_nonnegative) else None,
                                   shared=True, signal=True))
        self._templates: list[_Template] = []
        for b, k in zip(dataset.background, norm_idx):
            hs, gs = [], []
            for m in b.modifiers:
                if m.kind == "histosys":
                    i = _add_spec(specs, ParamSpec(m.name, 0.0, None, constraint="gaussian",
                                                   width=1.0, aux=0.0, shared=m.explicit), where)
                    hs.append((i, m.up - b.rate, b.rate - m.down))
                else:
                    bins = np.nonzero(m.rel > 0)[0]
                    idx = []
                    for j in bins:
                        r = float(m.rel[j])
                        spec = (ParamSpec(f"{m.name}[{j}]", 1.0, 0.0, constraint="gaussian",
                                          width=r, aux=1.0, shared=m.explicit)
                                if m.kind == "staterror" else
                                ParamSpec(f"{m.name}[{j}]", 1.0, 0.0, constraint="poisson",
                                          width=1.0 / r**2, aux=1.0 / r**2, shared=m.explicit))
                        idx.append(_add_spec(specs, spec, where))
                    gs.append((bins, np.array(idx, int)))
            self._templates.append(_Template(k, b.rate, hs, gs, b.integral_matrix(self.grid), b))
        self.specs = specs
        self._aux = np.array([s.aux for s in specs], float)
        self._pidx = [self.index(p) for p in self.params]
        self._plain = not any(t.histosys or t.gammas for t in self._templates)
        self.sigmas = [b.sigma for b in dataset.background]
        ev = dataset.events if dataset.events is not None else np.empty(0)
        basis = SignalBasis.compute(dataset, np.concatenate([self.grid, ev]), self.params,
                                    binding=binding, convention=convention)
        n = len(self.grid)
        self._grid_basis = basis.take(slice(0, n))
        X = dataset.exposure_t_yr
        rows = self._signal_rows(self._grid_basis)
        self._sig_cum = X * np.concatenate([np.zeros((len(rows), 1)), np.cumsum(
            0.5 * (rows[:, 1:] + rows[:, :-1]) * np.diff(self.grid), axis=1)], axis=1)
        if dataset.events is not None:
            self._set_events(dataset.events, self._signal_rows(basis.take(slice(n, None))))
        else:
            self._bin_idx = np.searchsorted(self.grid, dataset.edges - 1e-12)
            self._sig_bins = np.diff(self._sig_cum[:, self._bin_idx], axis=1)
            for t in self._templates:
                t.bins = X * np.diff(t.cum[self._bin_idx], axis=0)
                t.bins_nom = t.bins @ t.nominal
            self.events, self.counts = None, np.asarray(dataset.counts, float)

    # ---------------------------------------------------------------- templates
    def _signal_rows(self, basis: SignalBasis) -> np.ndarray:
        """SM (if the background lacks it) and EM coefficient spectra [events/(t yr keV)]."""
        rows = [] if self.dataset.solar_sm_included else [basis.sm]
        rows += [basis.terms[m] for m in self._grid_basis.terms]
        return np.array(rows).reshape(len(rows), -1)

    def _set_events(self, ev: np.ndarray, sig_rows: np.ndarray) -> None:
        X = self.dataset.exposure_t_yr
        self._sig_ev = sig_rows * X
        self._sig_tot = self._sig_cum[:, -1]
        for t in self._templates:
            t.dens = X * t.comp.density_matrix(ev)
            t.tot = X * t.cum[-1]
            t.dens_nom, t.tot_nom = t.dens @ t.nominal, t.tot @ t.nominal
        self.events, self.counts = np.asarray(ev, float), None

    def _sig_coef(self, x: np.ndarray) -> np.ndarray:
        theta = {p: x[i] for p, i in zip(self.params, self._pidx)}
        mono = _monomials(theta)
        c = [] if self.dataset.solar_sm_included else [1.0]
        c += [mono[m] for m in self._grid_basis.terms]
        return np.asarray(c, float)

    def _cumulative(self, x: np.ndarray) -> np.ndarray:
        """Expected events from the range's start to each grid node."""
        cum = self._sig_coef(x) @ self._sig_cum
        for t in self._templates:
            cum = cum + x[t.norm] * self.dataset.exposure_t_yr * (t.cum @ t.values(x))
        return cum

    # ---------------------------------------------------------------- evaluation
    def data_nll2(self, x) -> float:
        """-2 ln L of the data alone (no constraint terms)."""
        x = np.asarray(x, float)
        c = self._sig_coef(x)
        plain = self._plain
        if self.counts is None:
            dens = c @ self._sig_ev
            tot = c @ self._sig_tot
            for t in self._templates:
                if plain:
                    dens = dens + x[t.norm] * t.dens_nom
                    tot = tot + x[t.norm] * t.tot_nom
                else:
                    v = t.values(x)
                    dens = dens + x[t.norm] * (t.dens @ v)
                    tot = tot + x[t.norm] * (t.tot @ v)
            if np.any(dens <= 0):
                return 1e30
            return float(2.0 * (tot - np.sum(np.log(dens))))
        nu = c @ self._sig_bins
        for t in self._templates:
            nu = nu + x[t.norm] * (t.bins_nom if plain else t.bins @ t.values(x))
        if np.any(nu < 0) or np.any((nu == 0) & (self.counts > 0)):
            return 1e30
        n = self.counts
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0) / np.maximum(nu, 1e-300)),
                                0.0)
        return float(2.0 * np.sum(nu - n + log_term))

    def nll2(self, x) -> float:
        """-2 ln L (up to a constant) at x (see ``names``), constraint terms included."""
        x = np.asarray(x, float)
        return self.data_nll2(x) + _constraint_terms(self.specs, x, self._aux)

    def expected_counts(self, edges, x) -> np.ndarray:
        """Expected events in bins ``edges`` [keV] for parameters x."""
        cum = self._cumulative(np.asarray(x, float))
        return np.diff(np.interp(edges, self.grid, cum))

    def expected_binned(self, x) -> np.ndarray:
        """Expected counts in the dataset's own bins (binned data only), exact."""
        if self.counts is None:
            raise NuemValueError(f"dataset {self.name!r} is unbinned")
        x = np.asarray(x, float)
        nu = self._sig_coef(x) @ self._sig_bins
        for t in self._templates:
            nu = nu + x[t.norm] * (t.bins @ t.values(x))
        return nu

    # ---------------------------------------------------------------- toys
    def with_data(self, data, aux=None) -> "Model":
        """The same model with other observed data of its own kind (e.g. from :meth:`sample`):
        counts in its bins for a binned model, event energies [keV] for an unbinned one;
        ``aux``: other global observables (from :meth:`sample_aux`)."""
        new = object.__new__(Model)
        new.__dict__.update(self.__dict__)
        if aux is not None:
            new._aux = np.asarray(aux, float)
        if self.counts is not None:
            new.counts = np.asarray(data, float)
            return new
        ev = np.asarray(data, float)
        rows = self._signal_rows(self._grid_basis)
        sig = np.array([np.interp(ev, self.grid, r) for r in rows]).reshape(len(rows), -1)
        new._templates = [dataclasses.replace(t) for t in self._templates]
        new._set_events(ev, sig)
        return new

    def sample(self, x, rng: np.random.Generator) -> Any:
        """A toy data set drawn from the model at x: events (unbinned) or counts (binned)."""
        x = np.asarray(x, float)
        if self.counts is not None:
            return rng.poisson(np.clip(self.expected_binned(x), 0, None)).astype(float)
        cum = self._cumulative(x)
        n = rng.poisson(cum[-1])
        return np.interp(rng.uniform(0, cum[-1], n), cum, self.grid)

    def sample_aux(self, x, rng: np.random.Generator) -> np.ndarray:
        """Global observables of the constraints drawn around x (toys)."""
        return _sample_aux(self.specs, np.asarray(x, float), rng)

    def observed_binned(self, edges) -> np.ndarray:
        """Observed counts in ``edges`` (histogram of the events, or the counts)."""
        if self.events is not None:
            return np.histogram(self.events, bins=edges)[0].astype(float)
        if not np.array_equal(np.asarray(edges), self.dataset.edges):
            raise NuemValueError("a binned dataset can only be shown in its own bins")
        return self.counts


def _as_model(part, params, model_kw) -> Model:
    if isinstance(part, Model):
        if part.params != tuple(params):
            raise NuemValueError(f"model {part.name!r} has params {part.params}; the "
                                 f"combination needs {tuple(params)}")
        return part
    if not isinstance(part, Dataset):
        part = _ds.load(part)
    return Model(part, tuple(params), **model_kw)


class Combination(_Fit):
    """A joint fit of several datasets (or models): -2 ln L is the sum of their data terms,
    plus each constraint once.

    The EM parameters ``params`` are shared.  Each dataset's nuisances are its own
    (named ``<dataset>/<nuisance>``) unless they were named explicitly in the dataset file
    (``nuisance:`` of a normalisation, ``name:`` of a modifier) or are listed in
    ``correlated``: those are one parameter for every dataset that has them (their priors
    must agree).  ``model_kw`` go to :class:`Model` for parts given as datasets.
    """

    def __init__(self, parts, params: tuple[str, ...] = ("mu",), *,
                 correlated: tuple[str, ...] = (), **model_kw) -> None:
        parts = list(parts)
        if len(parts) < 1:
            raise NuemValueError("a Combination needs at least one dataset")
        if isinstance(params, str):
            params = (params,)
        self.models = [_as_model(p, params, model_kw) for p in parts]
        self.params = tuple(params)
        names = [m.name for m in self.models]
        labels = [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names)]
        self.name = " + ".join(labels)
        specs: list[ParamSpec] = []
        self._maps = []
        for m, lab in zip(self.models, labels):
            idx = []
            for s in m.specs:
                glob = s.shared or s.name in correlated
                g = s if glob else dataclasses.replace(s, name=f"{lab}/{s.name}")
                idx.append(_add_spec(specs, g, f"combination {self.name!r}"))
            self._maps.append(np.array(idx, int))
        self.specs = specs
        self._aux = np.array([s.aux for s in specs], float)

    @property
    def dataset(self):
        """The first dataset (for code written for one :class:`Model`)."""
        return self.models[0].dataset

    def split(self, x) -> list[np.ndarray]:
        """Each model's own parameter vector from a combination vector x."""
        x = np.asarray(x, float)
        return [x[mp] for mp in self._maps]

    def nll2(self, x) -> float:
        x = np.asarray(x, float)
        return (sum(m.data_nll2(x[mp]) for m, mp in zip(self.models, self._maps))
                + _constraint_terms(self.specs, x, self._aux))

    def with_data(self, data, aux=None) -> "Combination":
        """The combination with other data: one entry per model (from :meth:`sample`)."""
        new = object.__new__(Combination)
        new.__dict__.update(self.__dict__)
        new.models = [m.with_data(d) for m, d in zip(self.models, data)]
        if aux is not None:
            new._aux = np.asarray(aux, float)
        return new

    def sample(self, x, rng: np.random.Generator) -> list:
        return [m.sample(xm, rng) for m, xm in zip(self.models, self.split(x))]

    def sample_aux(self, x, rng: np.random.Generator) -> np.ndarray:
        return _sample_aux(self.specs, np.asarray(x, float), rng)
