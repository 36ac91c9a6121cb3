"""Limits, intervals and contours from a :class:`~nuem.stats.likelihood.Model`.

Test statistic: the profile-likelihood ratio t(theta) = -2 ln [L(theta, b^^) / L(theta^, b^)],
backgrounds profiled with iminuit.  Conventions (G. Cowan, K. Cranmer, E. Gross, O. Vitells,
EPJC 71, 1554 (2011), "CCGV"):

* ``mu`` (the signal strength is mu^2 >= 0, the physical parameter): one-sided upper
  limit with the boundary handled by q~ (CCGV Eq. 16: the best fit mu^2^ is restricted to
  >= 0, and q = 0 when mu^2^ > mu^2).  Asymptotically q~ follows a half chi^2_1 plus a
  delta at zero, so the CL upper limit solves t = [Phi^-1(CL)]^2 (1.642 at 90% CL) above
  the best fit (CCGV Eqs. 64-66).
* ``q`` and ``r2`` (either sign is physical): the two-sided profile-likelihood interval
  t <= chi^2_1 quantile (2.706 at 90% CL, Wilks); ``limit`` is max(|lo|, |hi|).
* two parameters: the region t <= chi^2_2 quantile (4.605 at 90% CL).
* conventions by name (:data:`CONVENTIONS`): ``one-sided-qtilde`` is the above (default);
  ``delta-chi2`` uses the two-sided chi^2_1 quantile for mu as well (Delta chi^2 = 2.706 at
  90% CL, the threshold many phenomenological reanalyses quote; for mu it equals the
  one-sided q~ cut at CL' = 2 CL - 1, e.g. ``--cl 0.95`` with q~ gives 2.706).  q and r2
  are two-sided in both conventions.
* by toys, ``method="fc"``: Feldman & Cousins, PRD 57, 3873 (1998), likelihood-ratio
  ordering with the physically bounded best fit, nuisances at their profiled values for
  each tested point (the "profile construction"); ``method="cls"``: A. L. Read,
  J. Phys. G 28, 2693 (2002), CLs = p_{s+b} / (1 - p_b) with q~.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from nuem import citations
from nuem._errors import NuemValueError, require_choice
from nuem.stats import datasets as ds
from nuem.stats.likelihood import PARAMS, SCALE, UNITS, Combination, Model

METHODS = ("asymptotic", "fc", "cls")
#: names of the asymptotic threshold conventions (module docstring)
CONVENTIONS = ("one-sided-qtilde", "delta-chi2")
#: The fewest toys per point the toy methods (fc, cls) accept.
MIN_TOYS = 20


def to_physical(param: str, x) -> np.ndarray:
    """Internal fit value -> physical: mu [mu_B] from (mu/1e-12)^2, q [e], r2 [cm^2]."""
    x = np.asarray(x, float)
    if param == "mu":
        return SCALE["mu"] * np.sqrt(np.clip(x, 0, None))
    return SCALE[param] * x


def to_internal(param: str, v) -> np.ndarray:
    v = np.asarray(v, float)
    return (v / SCALE["mu"]) ** 2 if param == "mu" else v / SCALE[param]


@dataclass
class LimitResult:
    """A limit or interval in physical units (mu in mu_B, q in e, r2 in cm^2)."""

    param: str
    cl: float
    limit: float
    interval: tuple[float, float]
    best_fit: float
    method: str
    dataset: str
    critical_value: float | None
    statistic: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "cl": self.cl, "param": self.param,
                "unit": UNITS[self.param], "dataset": self.dataset, "method": self.method,
                "interval": list(self.interval), "best_fit": self.best_fit,
                "critical_value": self.critical_value, "statistic": self.statistic,
                **self.extra}


def _check_cl(cl: float) -> float:
    cl = float(cl)
    if not 0.5 <= cl < 1.0:
        raise NuemValueError(f"cl={cl} must lie in [0.5, 1)")
    return cl


def critical_value(param: str, cl: float, ndof: int = 1,
                   convention: str = "one-sided-qtilde") -> float:
    """Asymptotic threshold of t (see the module docstring): Phi^-1(cl)^2 for mu with
    ``one-sided-qtilde`` (CCGV Eq. 66), else the chi^2_ndof quantile at cl."""
    require_choice("convention", convention, CONVENTIONS)
    if ndof == 2:
        return float(stats.chi2.ppf(cl, 2))
    if param == "mu" and convention == "one-sided-qtilde":
        return float(stats.norm.ppf(cl) ** 2)
    return float(stats.chi2.ppf(cl, 1))


class Profile:
    """t(x) for one EM parameter of a model, with the global minimum cached."""

    def __init__(self, model: Model, param: str) -> None:
        if param not in model.params:
            raise NuemValueError(f"param={param!r} is not in the model's params {model.params}")
        self.model, self.param = model, param
        self.idx = model.param_index(param)
        self.fmin, self.xbest = self._global_min()

    def _global_min(self) -> tuple[float, np.ndarray]:
        f0, x0 = self.model.minimise()
        if self.param != "mu":  # quadratic rates can have two minima: scan for a better start
            for s in (-30.0, -10.0, -3.0, 3.0, 10.0, 30.0):
                f, x = self.model.minimise(start={self.param: s})
                if f < f0 - 1e-9:
                    f0, x0 = f, x
        return f0, x0

    @property
    def best(self) -> float:
        return float(self.xbest[self.idx])

    def __call__(self, x: float) -> float:
        f, _ = self.model.minimise(fixed={self.param: float(x)})
        return max(f - self.fmin, 0.0)

    def crossing(self, crit: float, direction: int) -> float:
        """x beyond the best fit (direction +1 or -1) where t(x) = crit."""
        x0 = max(self.best, 0.0) if self.param == "mu" else self.best
        step = 1.0
        lo = x0
        for _ in range(60):
            hi = x0 + direction * step
            if self.param == "mu" and hi < 0:
                return 0.0
            if self(hi) > crit:
                return float(optimize.brentq(lambda x: self(x) - crit, lo, hi,
                                             xtol=1e-6 * max(abs(hi), 1.0), rtol=1e-6))
            lo = hi
            step *= 2.0
        raise NuemValueError(f"no {param_word(self.param)} crossing found: the data do not "
                             "constrain it")


def param_word(p: str) -> str:
    return {"mu": "magnetic-moment", "q": "millicharge", "r2": "charge-radius"}[p]


def _model(data, param: str | tuple[str, ...], **kw) -> Model | Combination:
    if isinstance(data, (Model, Combination)):
        return data
    params = (param,) if isinstance(param, str) else tuple(param)
    if isinstance(data, (list, tuple)):
        return Combination(data, params, **kw)
    if not isinstance(data, ds.Dataset):
        data = ds.load(data)
    return Model(data, params, **kw)


def upper_limit(data, param: str = "mu", cl: float = 0.9, method: str = "asymptotic", *,
                n_toys: int = 300, seed: int = 0, grid: int = 12,
                cl_convention: str = "one-sided-qtilde", **model_kw) -> LimitResult:
    """Limit on ``param`` at confidence level ``cl`` from a dataset (name, path, Dataset),
    a list of them (a joint fit, :class:`Combination`) or a ready :class:`Model` or
    :class:`Combination`.  ``cl_convention`` names the asymptotic threshold
    (:data:`CONVENTIONS`); ``model_kw`` go to :class:`Model` (binding, convention of the
    charge radius).

    Returns a :class:`LimitResult`; ``limit`` is mu [mu_B], |q| [e] or |<r^2>| [cm^2];
    ``extra`` holds the convention, the threshold, every nuisance parameter at the best fit
    and at the limit (``nuisances``) and -2 ln L at both (``nll2``).
    """
    require_choice("param", param, PARAMS)
    require_choice("method", method, METHODS)
    require_choice("cl_convention", cl_convention, CONVENTIONS)
    cl = _check_cl(cl)
    citations.register("CowanCranmer2011")
    model = _model(data, param, **model_kw)
    prof = Profile(model, param)
    crit = critical_value(param, cl, convention=cl_convention)
    if param == "mu":
        hi = prof.crossing(crit, +1)
        lo = 0.0
        stat = ("q~ one-sided profile likelihood ratio, mu^2 >= 0 (CCGV Eq. 16)"
                if cl_convention == "one-sided-qtilde" else
                "Delta chi^2 = -2 Delta ln L profile likelihood ratio, mu^2 >= 0, chi^2_1 "
                "threshold")
    else:
        lo, hi = prof.crossing(crit, -1), prof.crossing(crit, +1)
        stat = "two-sided profile likelihood ratio (Wilks, 1 dof)"
    extra: dict[str, Any] = {}
    if method != "asymptotic":
        if n_toys < MIN_TOYS:
            raise NuemValueError(f"n_toys={n_toys} must be >= {MIN_TOYS}")
        if method == "cls" and param != "mu":
            raise NuemValueError("method='cls' is for the one-sided mu limit; use 'fc' for q or r2")
        rng = np.random.default_rng(seed)
        span = hi - lo
        xs = (np.linspace(0.0, 2.0 * hi, grid) if param == "mu"
              else np.linspace(lo - 0.5 * span, hi + 0.5 * span, grid))
        if method == "fc":
            citations.register("FeldmanCousins1998")
            lo, hi, table = _feldman_cousins(prof, xs, cl, n_toys, rng)
            stat = "Feldman-Cousins likelihood-ratio ordering, profile construction (toys)"
        else:
            citations.register("Read2002")
            hi, table = _cls(prof, xs, cl, n_toys, rng)
            stat = "CLs with q~ (toys)"
        extra = {"n_toys": n_toys, "toy_table": table}
        crit = None
    phys_lo, phys_hi = float(to_physical(param, lo)), float(to_physical(param, hi))
    limit = phys_hi if param == "mu" else max(abs(phys_lo), abs(phys_hi))
    x_edge = hi if (param == "mu" or abs(phys_hi) >= abs(phys_lo)) else lo
    f_lim, x_lim = model.minimise(fixed={param: float(x_edge)})
    extra = {"convention": cl_convention if method == "asymptotic" else None,
             "threshold": crit,
             "nuisances": {"best_fit": _nuisances(model, prof.xbest),
                           "at_limit": _nuisances(model, x_lim)},
             "nll2": {"best_fit": prof.fmin, "at_limit": f_lim}, **extra}
    return LimitResult(param, cl, limit, (phys_lo, phys_hi),
                       float(to_physical(param, prof.best)), method, model.name,
                       crit, stat, extra)


def _nuisances(model, x) -> dict[str, float]:
    """Every nuisance parameter (not the EM ones) by name."""
    v = model.values(x)
    return {n: v[n] for n in model.nuisance_names()}


def _toy_t(prof: Profile, x: float, n_toys: int, rng, one_sided: bool) -> np.ndarray:
    """t(x) on toys generated at (x, profiled nuisances)."""
    model = prof.model
    _, xn = model.minimise(fixed={prof.param: x})
    out = np.empty(n_toys)
    for i in range(n_toys):
        data = model.sample(xn, rng)
        toy = model.with_data(data)
        f_fix, _ = toy.minimise(fixed={prof.param: x})
        f_min, xb = toy.minimise(start={prof.param: x})
        t = max(f_fix - f_min, 0.0)
        if one_sided and xb[prof.idx] > x:
            t = 0.0
        out[i] = t
    return out


def _feldman_cousins(prof: Profile, xs, cl, n_toys, rng):
    acc = []
    table = []
    for x in xs:
        t_obs = prof(x)
        tc = float(np.quantile(_toy_t(prof, x, n_toys, rng, False), cl))
        acc.append(t_obs - tc)
        table.append({"x": float(to_physical(prof.param, x)), "t_obs": t_obs, "t_crit": tc})
    acc = np.array(acc)
    inside = np.nonzero(acc <= 0)[0]
    if len(inside) == 0:
        raise NuemValueError("no tested point is accepted: widen the grid")

    def edge(i, j):  # linear interpolation of the zero of acc between grid points i and j
        return float(xs[i] + (xs[j] - xs[i]) * acc[i] / (acc[i] - acc[j]))

    i0, i1 = inside[0], inside[-1]
    lo = xs[0] if i0 == 0 else edge(i0 - 1, i0)
    if i1 == len(xs) - 1:
        raise NuemValueError("the upper edge of the Feldman-Cousins belt is beyond the grid")
    return lo, edge(i1, i1 + 1), table


def _cls(prof: Profile, xs, cl, n_toys, rng):
    model = prof.model
    _, x_b = model.minimise(fixed={prof.param: 0.0})
    b_toys = [model.sample(x_b, rng) for _ in range(n_toys)]
    vals, table = [], []
    for x in xs[1:]:
        t_obs = prof(x) if prof.best <= x else 0.0
        t_sb = _toy_t(prof, x, n_toys, rng, True)
        t_b = []
        for data in b_toys:
            toy = model.with_data(data)
            f_fix, _ = toy.minimise(fixed={prof.param: x})
            f_min, xb = toy.minimise()
            t_b.append(0.0 if xb[prof.idx] > x else max(f_fix - f_min, 0.0))
        p_sb = np.mean(t_sb >= t_obs)
        one_minus_pb = np.mean(np.asarray(t_b) >= t_obs)
        cls = p_sb / one_minus_pb if one_minus_pb > 0 else 1.0
        vals.append(cls)
        table.append({"x": float(to_physical(prof.param, x)), "CLs": float(cls)})
    vals = np.array(vals)
    below = np.nonzero(vals < 1 - cl)[0]
    if len(below) == 0:
        raise NuemValueError("CLs never falls below 1 - cl on the grid: widen it")
    j = below[0]
    if j == 0:
        return float(xs[1]), table
    x0, x1, v0, v1 = xs[j], xs[j + 1], vals[j - 1], vals[j]
    return float(x0 + (x1 - x0) * (v0 - (1 - cl)) / (v0 - v1)), table


def contour(data, params: tuple[str, str] = ("q", "r2"), cl: float = 0.9, *, ranges=None,
            n: int = 21, **model_kw) -> dict[str, Any]:
    """Two-parameter region t <= chi^2_2(cl) on an n x n grid (physical units).

    ``ranges`` = ((lo1, hi1), (lo2, hi2)) in physical units; default: each parameter's 1-D
    interval with the other profiled, widened by half its width on each side.  Returns x, y (1-D), t (n x n, index [i_y, i_x]), crit and the best fit.
    """
    cl = _check_cl(cl)
    for p in params:
        require_choice("param", p, PARAMS)
    if len(set(params)) != 2:
        raise NuemValueError(f"params={params} must be two different parameters")
    model = _model(data, tuple(params), **model_kw)
    fmin, xbest = model.minimise()
    if ranges is None:
        ranges = []
        for p in params:
            lo, hi = upper_limit(model, p, cl).interval  # the other parameter profiled
            w = hi - lo
            ranges.append((max(lo - 0.5 * w, 0) if p == "mu" else lo - 0.5 * w, hi + 0.5 * w))
    axes = [np.linspace(*map(float, rg), n) for rg in ranges]
    t = np.empty((n, n))
    for iy, vy in enumerate(axes[1]):
        for ix, vx in enumerate(axes[0]):
            fixed = {params[0]: float(to_internal(params[0], vx)),
                     params[1]: float(to_internal(params[1], vy))}
            f, _ = model.minimise(fixed=fixed)
            t[iy, ix] = max(f - fmin, 0.0)
    best = {p: float(to_physical(p, xbest[model.param_index(p)])) for p in params}
    return {"params": list(params), "x": axes[0], "y": axes[1], "t": t,
            "crit": critical_value(params[0], cl, 2), "cl": cl, "best_fit": best}


def coverage(model, truth: float, param: str = "mu", cl: float = 0.9, *,
             n_toys: int = 200, seed: int = 1, by: str = "limit",
             cl_convention: str = "one-sided-qtilde") -> dict[str, float]:
    """Fraction of toys (generated at ``truth`` [physical units], the other EM parameters at
    0 and every nuisance at its nominal value) whose asymptotic limit/interval contains the
    truth, with its binomial standard error.  Each toy also redraws the global observables
    of the constraints (:meth:`Model.sample_aux`).

    ``by="limit"`` computes every toy's limit; ``by="test"`` only tests the truth (t at the
    truth against the threshold, with q~'s rule t = 0 when the fit exceeds the truth for
    mu): the same answer for a monotonic profile, at two fits per toy.
    """
    require_choice("by", by, ("limit", "test"))
    x_true = float(to_internal(param, truth))
    xs = model.start()
    for p in model.params:
        xs[model.param_index(p)] = 0.0
    ip = model.param_index(param)
    xs[ip] = x_true
    crit = critical_value(param, cl, convention=cl_convention)
    rng = np.random.default_rng(seed)
    hit = 0
    for _ in range(n_toys):
        data = model.sample(xs, rng)
        toy = model.with_data(data, aux=model.sample_aux(xs, rng))
        if by == "test":
            f_fix, _ = toy.minimise(fixed={param: x_true})
            f_min, xb = toy.minimise(start={param: x_true})
            t = max(f_fix - f_min, 0.0)
            if param == "mu" and xb[ip] > x_true:
                t = 0.0
            hit += int(t <= crit)
            continue
        r = upper_limit(toy, param, cl, cl_convention=cl_convention)
        lo, hi = (to_internal(param, v) for v in r.interval)
        hit += int(lo - 1e-9 <= x_true <= hi + 1e-9)
    frac = hit / n_toys
    return {"coverage": frac, "error": float(np.sqrt(frac * (1 - frac) / n_toys)),
            "n_toys": n_toys}


def fit_curves(model: Model, result: LimitResult, edges) -> dict[str, np.ndarray]:
    """Counts per bin ``edges`` [keV] for plots: ``observed``; ``background``, the
    background of the fit with the parameter fixed at the limit, and ``signal``, what the
    signal at the limit adds to it; ``background_best``, the background of the best fit
    (every parameter free)."""
    p = result.param
    x_lim = float(to_internal(p, result.interval[1] if p == "mu" else
                              (result.interval[1] if abs(result.interval[1]) >= abs(result.interval[0])
                               else result.interval[0])))
    _, x = model.minimise(fixed={p: x_lim})
    _, xb = model.minimise()
    sig = [model.param_index(q) for q in model.params]
    x_b, xb_b = x.copy(), xb.copy()
    x_b[sig] = 0.0
    xb_b[sig] = 0.0
    edges = np.asarray(edges, float)
    bkg = model.expected_counts(edges, x_b)
    return {"edges": edges, "observed": model.observed_binned(edges), "background": bkg,
            "signal": model.expected_counts(edges, x) - bkg,
            "background_best": model.expected_counts(edges, xb_b)}
