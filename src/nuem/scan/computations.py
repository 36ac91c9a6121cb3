"""The built-in scan computations: ``bound``, ``sfp``, ``limit`` and ``portal-limit``.

Each one is the library call behind the CLI command of the same name, evaluated at one
point; the physics, its papers and conventions are documented where it lives.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from nuem._errors import NuemValueError, require_choice, require_in_range
from nuem.scan.registry import Output, Parameter, register

# --- bound: Bell et al. PRL 95, 151802 (2005), Eqs. (4), (26), (27) ----------------------


def _check_bound(scanned: tuple[str, ...], options: dict[str, Any]) -> None:
    from nuem.theory.eft import METHODS

    require_choice("method", options["method"], METHODS)


@register("bound",
          parameters=[Parameter("scale", "GeV", "new-physics scale Lambda (> v)", lo=0.0,
                                lo_open=True),
                      Parameter("delta_m", "eV", "mass scale the induced mass may not exceed",
                                lo=0.0, lo_open=True, default=1.0),
                      Parameter("r", "", "r = C-(Lambda)/C+(Lambda)", default=0.0)],
          options={"method": "leading-log"},
          layout=lambda o: {"mu_max": Output((), "mu_B",
                                             "naturalness bound on |mu_nu| (inf: no bound)")},
          check=_check_bound)
def bound_point(point: dict[str, float], options: dict[str, Any], rng=None) -> dict[str, float]:
    """:func:`nuem.theory.naturalness.bound` at (scale [GeV], delta_m [eV], r)."""
    from nuem.theory import naturalness as nat
    from nuem.units import GeV

    return {"mu_max": float(nat.bound(point["scale"] * GeV, point["delta_m"], point["r"],
                                      method=options["method"]))}


# --- sfp: supernova spin-flavour precession, nuem.detectors.sfp.supernova_signal ---------
# The supernova field of ``nuem sfp --profile supernova``: B_perp = b0 (100 km / r)^2.
SN_FIELD_REFERENCE_KM = 100.0
SN_FIELD_POWER = 2.0
SN_DETECTORS = ("dune-like", "hk-like")


def _energies(options: dict[str, Any]) -> np.ndarray:
    e = options["energies"]
    if isinstance(e, (int, float)) or not hasattr(e, "__len__"):
        e = [e]
    try:
        arr = np.asarray([float(x) for x in e])
    except (TypeError, ValueError) as exc:
        raise NuemValueError(f"energies={e!r}: give a list of energies in MeV") from exc
    if (arr.size < 2 or not np.all(np.isfinite(arr)) or np.any(arr <= 0)
            or np.any(np.diff(arr) <= 0)):
        raise NuemValueError(f"energies={e!r} must be >= 2 finite, positive, increasing MeV")
    return arr


def _check_sfp(scanned: tuple[str, ...], options: dict[str, Any]) -> None:
    _energies(options)
    require_choice("method", options["method"], ("adiabatic", "layers", "magnus", "ode"))
    require_choice("backend", options["backend"], ("numpy", "numba", "jax"))
    require_in_range("tol", options["tol"], 0.0, 0.1, lo_open=True)
    if options["flavours"] not in (1, 2, 3):
        raise NuemValueError(f"flavours={options['flavours']!r} must be 1, 2 or 3")


@register("sfp",
          parameters=[Parameter("mu", "mu_B", "Majorana transition moment on every flavour pair",
                                lo=0.0, lo_open=True, default=1e-12),
                      Parameter("b0", "T", "supernova B_perp at 100 km (falls as r^-2)",
                                lo=0.0, default=1e8),
                      Parameter("twist", "rad/km", "twist rate phi'", default=0.0)],
          options={"energies": [5.0, 10.0, 20.0, 40.0], "flavours": 3, "method": "adiabatic",
                   "backend": "numpy", "tol": 1e-4},
          layout=lambda o: {"events": Output(("detector",), "events",
                                             "interactions in the energy range (trapezoid)"),
                            "dN_dE": Output(("detector", "energy"), "1/MeV",
                                            "interaction spectrum")},
          coords=lambda o: {"detector": np.array(SN_DETECTORS), "energy": _energies(o)},
          check=_check_sfp)
def sfp_point(point: dict[str, float], options: dict[str, Any], rng=None) -> dict[str, Any]:
    """:func:`nuem.detectors.sfp.supernova_signal` for a Majorana system with moment mu
    [mu_B] in the field b0 [T] (at 100 km, r^-2) with twist [rad/km]; energies [MeV]."""
    from nuem.detectors import sfp as obs
    from nuem.propagation import System, profiles
    from nuem.units import MeV, km, tesla

    system = System(int(options["flavours"]), majorana=True, moments=point["mu"])
    field = profiles.power_law_field(point["b0"] * tesla, SN_FIELD_REFERENCE_KM * km,
                                     SN_FIELD_POWER)
    prof = profiles.supernova(b_perp=field, twist=point["twist"] / km)
    sig = obs.supernova_signal(system, prof, _energies(options) * MeV, detectors=SN_DETECTORS,
                               method=options["method"], backend=options["backend"],
                               tol=float(options["tol"]))
    return {"events": np.array([sig.totals[d] for d in SN_DETECTORS]),
            "dN_dE": np.array([sig.events[d] * MeV for d in SN_DETECTORS])}


# --- limit: profile likelihood and Feldman-Cousins toys, nuem.stats.limits ---------------
LIMIT_PARAMS = ("mu", "q", "r2")
MIN_TOYS = 20


def _check_limit(scanned: tuple[str, ...], options: dict[str, Any]) -> None:
    if len(scanned) != 1 or scanned[0] not in LIMIT_PARAMS:
        raise NuemValueError(f"limit scans exactly one of {', '.join(LIMIT_PARAMS)} (the "
                             f"tested value), got {', '.join(scanned)}")
    fixed = [p for p in LIMIT_PARAMS if p in options]
    if fixed:
        raise NuemValueError(f"limit: {', '.join(fixed)} cannot be fixed in options (the "
                             "model has the scanned parameter only)")
    require_in_range("cl", options["cl"], 0.5, 1.0)
    if options["cl"] >= 1.0:
        raise NuemValueError(f"cl={options['cl']} must lie in [0.5, 1)")
    require_choice("binding", options["binding"], ("stepping", "free"))
    t = options["toys"]
    if isinstance(t, bool) or not isinstance(t, int) or (t != 0 and t < MIN_TOYS):
        raise NuemValueError(f"toys={t!r} must be 0 (no toys) or an integer >= {MIN_TOYS}")
    if not isinstance(options["dataset"], str):
        raise NuemValueError(f"dataset={options['dataset']!r} must be a name or a path")


@lru_cache(maxsize=4)
def _profile(dataset: str, param: str, binding: str):
    """The profile likelihood of ``param`` on ``dataset`` (one per worker process)."""
    from nuem.stats import datasets, likelihood
    from nuem.stats import limits as lim

    model = likelihood.Model(datasets.load(dataset), (param,), binding=binding)
    return lim.Profile(model, param)


def _limit_layout(options: dict[str, Any]) -> dict[str, Output]:
    out = {"t_obs": Output((), "", "profile-likelihood ratio t(x) on the data")}
    if options["toys"]:
        out.update(
            t_crit=Output((), "", "cl quantile of t on toys generated at x (FC threshold)"),
            accepted=Output((), "", "1 where t_obs <= t_crit (x inside the FC belt)"),
            coverage_fc=Output((), "", "held-out coverage of the toy threshold: second half "
                                       "of the toys against the quantile of the first"),
            coverage_asymptotic=Output((), "", "fraction of toys with t <= chi^2_1 quantile "
                                               "(coverage of the Wilks interval at x)"),
            t_toys=Output(("toy",), "", "t on each toy"))
    return out


@register("limit",
          parameters=[Parameter("mu", "mu_B", "tested magnetic moment", lo=0.0),
                      Parameter("q", "e", "tested millicharge"),
                      Parameter("r2", "cm^2", "tested charge radius")],
          options={"dataset": "xenonnt-2022", "cl": 0.9, "toys": 0, "binding": "stepping"},
          layout=_limit_layout,
          coords=lambda o: {"toy": np.arange(o["toys"])} if o["toys"] else {},
          stochastic=True, check=_check_limit,
          summary=lambda ds, o: limit_summary(ds, o))
def limit_point(point: dict[str, float], options: dict[str, Any], rng) -> dict[str, Any]:
    """t(x) of :class:`nuem.stats.limits.Profile` at the tested value x (mu [mu_B], q [e]
    or r2 [cm^2]) and, with ``toys``, the Feldman-Cousins construction at x (Feldman &
    Cousins, PRD 57, 3873 (1998); likelihood-ratio ordering with the physically bounded
    best fit, nuisances profiled at x: :func:`nuem.stats.limits._toy_t`)."""
    from scipy import stats

    from nuem.stats import limits as lim

    (param,) = [p for p in LIMIT_PARAMS if p in point]
    prof = _profile(options["dataset"], param, options["binding"])
    x = float(lim.to_internal(param, point[param]))
    out: dict[str, Any] = {"t_obs": prof(x)}
    n = options["toys"]
    if n:
        cl = float(options["cl"])
        t = lim._toy_t(prof, x, n, rng, False)
        t_crit = float(np.quantile(t, cl))
        half = n // 2
        out.update(t_crit=t_crit, accepted=float(out["t_obs"] <= t_crit),
                   coverage_fc=float(np.mean(t[half:] <= np.quantile(t[:half], cl))),
                   coverage_asymptotic=float(np.mean(t <= stats.chi2.ppf(cl, 1))),
                   t_toys=t)
    return out


def limit_summary(ds, options: dict[str, Any]) -> dict[str, Any]:
    """The Feldman-Cousins interval from a finished belt (linear interpolation of
    t_obs - t_crit between tested points), and the mean measured coverages."""
    if "t_crit" not in ds:
        return {}
    (param,) = [d for d in ds["t_obs"].dims]
    if param == "point":
        return {}
    x = np.asarray(ds[param].values, float)
    acc = np.asarray(ds["t_obs"].values - ds["t_crit"].values, float)
    out: dict[str, Any] = {
        "coverage_fc_mean": float(np.nanmean(ds["coverage_fc"].values)),
        "coverage_asymptotic_mean": float(np.nanmean(ds["coverage_asymptotic"].values)),
        "coverage_asymptotic_min": float(np.nanmin(ds["coverage_asymptotic"].values)),
        "cl": options["cl"], "toys_per_point": options["toys"]}
    order = np.argsort(x)
    x, acc = x[order], acc[order]
    if not np.all(np.isfinite(acc)):
        return out | {"fc_interval": None, "fc_note": "belt incomplete (failed chunks)"}
    inside = np.nonzero(acc <= 0)[0]
    if inside.size == 0:
        return out | {"fc_interval": None, "fc_note": "no tested point accepted"}
    i0, i1 = inside[0], inside[-1]

    def edge(i, j):
        return float(x[i] + (x[j] - x[i]) * acc[i] / (acc[i] - acc[j]))

    lo = float(x[0]) if i0 == 0 else edge(i0 - 1, i0)
    if i1 == len(x) - 1:
        return out | {"fc_interval": [lo, None], "fc_note": "upper edge beyond the grid"}
    return out | {"fc_interval": [lo, edge(i1, i1 + 1)]}


# --- portal-limit: the dipole-portal refit of nuem.portal.rates.d_limit -------------------
def _check_portal_limit(scanned: tuple[str, ...], options: dict[str, Any]) -> None:
    require_choice("flavour", options["flavour"], ("e", "mu", "tau", "universal"))
    require_in_range("cl", options["cl"], 0.0, 1.0, lo_open=True)


@register("portal-limit",
          parameters=[Parameter("m_N", "GeV", "sterile-neutrino mass", lo=0.0, lo_open=True)],
          options={"dataset": "xenonnt-2022", "flavour": "e", "cl": 0.9},
          layout=lambda o: {"d_max": Output((), "GeV^-1",
                                            "upper limit on d (Magill convention; NaN: the "
                                            "signal vanishes in the window)")},
          check=_check_portal_limit)
def portal_limit_point(point: dict[str, float], options: dict[str, Any], rng=None
                       ) -> dict[str, float]:
    """:func:`nuem.portal.rates.d_limit` at one mass m_N [GeV] (the XENONnT SR0 refit of the
    active-to-sterile dipole portal; its papers and conventions are documented there)."""
    from nuem.portal import rates

    d = rates.d_limit(options["dataset"], [point["m_N"]], options["flavour"],
                      options["cl"])["d_GeV_inv"][0]
    return {"d_max": float("nan") if d is None else float(d)}
