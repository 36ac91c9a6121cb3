"""Command-line interface.  Thin: parses, calls the library, prints.

Every command accepts ``--json`` (one JSON object on stdout, independent of the
terminal).  Bad input exits with status 2 and a one-line message, no traceback.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from nuem import __version__, citations, constants
from nuem._errors import NuemValueError
from nuem.theory import naturalness as nat
from nuem.theory.eft import METHODS, DiracEFT
from nuem.units import GeV

_METHOD = click.Choice(METHODS)


def _emit(obj: dict[str, Any], as_json: bool, table: Table | None = None) -> None:
    if as_json:
        click.echo(json.dumps(obj, allow_nan=False))
    elif table is not None:
        Console(width=100, force_terminal=False).print(table)


def _cite_lines() -> list[str]:
    return [f"[{k}] {citations.format_reference(k)}" for k in citations.used()]


@click.group()
@click.version_option(__version__, prog_name="nuem")
def cli() -> None:
    """nuem: electromagnetic properties of neutrinos."""


@cli.command()
@click.option("--scale", type=float, help="New-physics scale Lambda [GeV] (> v = 246.2 GeV).")
@click.option("--delta-m", "delta_m", type=float, default=1.0, show_default=True,
              help="Neutrino mass scale the induced mass may not exceed [eV].")
@click.option("--r", "r", type=float, default=0.0, show_default=True,
              help="r = C-(Lambda)/C+(Lambda).")
@click.option("--method", type=_METHOD, default="leading-log", show_default=True)
@click.option("--scan", is_flag=True, help="Write the bound-vs-Lambda figure (PNG and PDF).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("naturalness_scan"),
              show_default=True, help="File stem for --scan.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--cite", is_flag=True, help="List the papers this computation used.")
def bound(scale: float | None, delta_m: float, r: float, method: str, scan: bool, out: Path,
          as_json: bool, cite: bool) -> None:
    """Naturalness bound on |mu_nu|/mu_B (Bell et al. PRL 95 151802, Eqs. 4, 26, 27)."""
    citations.reset()
    if scan:
        from nuem import plotting

        paths = plotting.naturalness_scan(out, delta_m=delta_m)
        result: dict[str, Any] = {"figures": [str(p) for p in paths]}
        if not as_json:
            click.echo("wrote " + ", ".join(result["figures"]))
        else:
            _emit(result, True)
        return
    if scale is None:
        raise NuemValueError("scale is required (use --scale GEV, or --scan)")
    mu_max = float(nat.bound(scale * GeV, delta_m, r, method=method))
    f = float(nat.f_of_r(r))
    no_bound = math.isinf(mu_max)
    result = {"mu_max_muB": None if no_bound else mu_max, "no_bound": no_bound, "f": f,
              "scale_GeV": scale, "delta_m_eV": delta_m, "r": r, "method": method,
              "references": citations.used()}
    if as_json:
        _emit(result, True)
    else:
        t = Table(title="Dirac naturalness bound (Bell et al. 2005)")
        for col in ("Lambda [GeV]", "delta m [eV]", "r", "f(r)", "method", "|mu_nu|/mu_B <"):
            t.add_column(col, justify="right")
        t.add_row(f"{scale:g}", f"{delta_m:g}", f"{r:g}", f"{f:.4f}", method,
                  "no bound (f(r) = 0)" if no_bound else f"{mu_max:.3e}")
        _emit(result, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@cli.group()
def eft() -> None:
    """Dimension-6 Dirac-neutrino effective theory."""


@eft.command("run")
@click.option("--scale", type=float, required=True, help="Lambda [GeV], where C is given.")
@click.option("--c1", type=float, default=0.0, show_default=True)
@click.option("--c2", type=float, default=0.0, show_default=True)
@click.option("--c3", type=float, default=0.0, show_default=True)
@click.option("--to", "to", type=float, default=None, help="Target scale [GeV] (default v).")
@click.option("--method", type=_METHOD, default="resummed", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eft_run(scale: float, c1: float, c2: float, c3: float, to: float | None, method: str,
            as_json: bool) -> None:
    """Run (C1, C2, C3) from Lambda to --to; print mu_nu (Eq. 12) and delta m_nu (Eq. 13)."""
    citations.reset()
    to_gev = constants.v_higgs / GeV if to is None else to
    model = DiracEFT(C=(c1, c2, c3), scale=scale * GeV)
    c_to = model.run(to_gev * GeV, method=method)
    res = nat.naturalness_general(c1 + c2, c1 - c2, c3, scale * GeV, method=method)
    out = {"C": [float(x) for x in c_to], "to_GeV": to_gev,
           "scale_GeV": scale, "method": method, "mu_nu_muB": res.mu_nu_muB,
           "delta_m_eV": res.delta_m_eV, "delta_m_radiative_eV": res.delta_m_rad_eV,
           "fine_tuning": None if math.isinf(res.fine_tuning) else res.fine_tuning}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"EFT run {scale:g} GeV -> {out['to_GeV']:.6g} GeV ({method})")
        for col in ("C1", "C2", "C3", "mu_nu/mu_B", "delta m [eV]", "fine tuning"):
            t.add_column(col, justify="right")
        ft = out["fine_tuning"]
        t.add_row(*(f"{x:.6e}" for x in out["C"]), f"{res.mu_nu_muB:.3e}",
                  f"{res.delta_m_eV:.3e}", "n/a" if ft is None else f"{ft:.3g}")
        _emit(out, False, t)


@cli.command()
@click.option("--flavour", required=True, help="Neutrino flavour: e, mu or tau.")
@click.option("--anti", is_flag=True, help="Antineutrino.")
@click.option("--energy", type=float, required=True, help="Neutrino energy E [MeV] (> 0).")
@click.option("--recoil", type=float, required=True, help="Recoil energy T [MeV], 0 < T <= T_max(E).")
@click.option("--mu", type=float, default=0.0, show_default=True, help="Magnetic moment [mu_B].")
@click.option("--r2", type=float, default=0.0, show_default=True, help="Charge radius <r^2> [cm^2].")
@click.option("--q", type=float, default=0.0, show_default=True, help="Millicharge [e].")
@click.option("--convention", type=click.Choice(["giunti-studenikin", "vogel-engel"]),
              default="giunti-studenikin", show_default=True, help="Charge-radius convention.")
@click.option("--target", default="free", show_default=True,
              help="free, xenon, germanium, argon or scintillator (stepping approximation).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def xsec(flavour: str, anti: bool, energy: float, recoil: float, mu: float, r2: float, q: float,
         convention: str, target: str, as_json: bool, cite: bool) -> None:
    """dsigma/dT for nu-e scattering with magnetic moment, charge radius and millicharge."""
    from nuem.interactions import electron
    from nuem.units import MeV, cm

    citations.reset()
    r = electron.dsigma_dT(energy * MeV, recoil * MeV, flavour, anti, mu=mu, r2=r2 * cm**2, q=q,
                           target=target, convention=convention)
    unit = cm**2 / MeV
    out = {"dsigma_dT_cm2_per_MeV": float(r["total"]) / unit, "sm": float(r["sm"]) / unit,
           "em": float(r["em"]) / unit, "flavour": flavour, "anti": anti, "energy_MeV": energy,
           "recoil_MeV": recoil, "T_max_MeV": float(electron.t_max(energy * MeV)) / MeV,
           "mu_muB": mu, "r2_cm2": r2, "q_e": q, "target": target, "convention": convention,
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"dsigma/dT, {'anti-' if anti else ''}nu_{flavour} e, E = {energy:g} MeV, "
                  f"T = {recoil:g} MeV ({target})")
        for col in ("total [cm^2/MeV]", "SM", "EM"):
            t.add_column(col, justify="right")
        t.add_row(f"{out['dsigma_dT_cm2_per_MeV']:.4e}", f"{out['sm']:.4e}", f"{out['em']:.4e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@cli.command()
@click.option("--source", "source_name", type=click.Choice(["solar", "reactor"]), default=None,
              help="Flux (default: the detector's, else solar).")
@click.option("--target", default=None, help="xenon, germanium, argon or scintillator.")
@click.option("--detector", default=None,
              help="Named set-up (xenonnt-sr0, lz-2022, pandax-4t, borexino-phase2, gemma, "
                   "texono) or a detector TOML file: applies efficiency and resolution.")
@click.option("--mu", type=float, default=0.0, show_default=True, help="Effective moment [mu_B].")
@click.option("--model", default="B16-GS98", show_default=True, help="Solar model.")
@click.option("--power", type=float, default=3.0, show_default=True, help="Reactor power [GW].")
@click.option("--distance", type=float, default=20.0, show_default=True, help="Reactor distance [m].")
@click.option("--tmin", type=float, default=None, help="Lowest energy [keV].")
@click.option("--tmax", type=float, default=None, help="Highest energy [keV].")
@click.option("--bins", type=int, default=30, show_default=True, help="Number of points.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--plot", type=click.Path(path_type=Path), default=None, help="Write a figure.")
@click.option("--cite", is_flag=True)
def spectrum(source_name: str | None, target: str | None, detector: str | None, mu: float,
             model: str, power: float, distance: float, tmin: float | None, tmax: float | None,
             bins: int, as_json: bool, plot: Path | None, cite: bool) -> None:
    """Expected electron-recoil spectrum dR/dT in events/(tonne year keV)."""
    import numpy as np

    from nuem.detectors import experiments, rates
    from nuem.sources.reactor import ReactorSource
    from nuem.sources.solar import SolarSource
    from nuem.units import keV

    citations.reset()
    det = experiments.load(detector) if detector else None
    if source_name is None:
        src = det.source() if det else SolarSource(model)
    elif source_name == "solar":
        src = SolarSource(model)
    else:
        src = ReactorSource.from_si(power, distance)
    tgt = target or (det.target if det else ("xenon" if source_name != "reactor" else "germanium"))
    if det and tgt != det.target:
        raise NuemValueError(f"target={tgt!r} differs from the detector's target {det.target!r}")
    if bins < 2:
        raise NuemValueError(f"bins={bins} must be >= 2")
    lo = tmin if tmin is not None else (det.response.window[0] if det else 1.0)
    hi = tmax if tmax is not None else (det.response.window[1] if det else 30.0)
    if not 0 < lo < hi:
        raise NuemValueError(f"energy range tmin={lo}, tmax={hi} keV must satisfy 0 < tmin < tmax")
    E = np.linspace(lo, hi, bins)
    if det:
        r = det.expected(E, source=src, mu=mu)
        label = f"observed, {det.name}"
    else:
        r = rates.electron_recoil_spectrum(src, E * keV, tgt, mu=mu)
        label = "true recoil"
    out = {"energy_keV": E.tolist(), "total": r["total"].tolist(), "sm": r["sm"].tolist(),
           "em": r["em"].tolist(), "unit": "events/(tonne year keV)", "source": src.name,
           "target": tgt, "detector": det.name if det else None, "mu_muB": mu, "kind": label,
           "references": citations.used()}
    if det and not det.verified:
        out["warning"] = f"detector {det.name}: {det.notes}"
    if plot is not None:
        from nuem import plotting

        out["figure"] = str(plotting.recoil_spectrum(plot, E, r, title=f"{src.name}, {tgt} ({label})"))
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"{src.name} in {tgt} ({label}), mu = {mu:g} mu_B  [events/(t yr keV)]")
        for col in ("E [keV]", "total", "SM", "EM"):
            t.add_column(col, justify="right")
        for i in range(len(E)):
            t.add_row(f"{E[i]:.3g}", f"{r['total'][i]:.4g}", f"{r['sm'][i]:.4g}", f"{r['em'][i]:.4g}")
        _emit(out, False, t)
        if "warning" in out:
            click.echo("warning: " + out["warning"])
        if plot is not None:
            click.echo(f"wrote {out['figure']}")
    if cite:
        click.echo("\n".join(_cite_lines()))



_PARAM = click.Choice(["mu", "q", "r2"])


@cli.command()
@click.argument("dataset")
@click.option("--param", type=_PARAM, default="mu", show_default=True,
              help="mu (magnetic moment), q (millicharge) or r2 (charge radius).")
@click.option("--cl", type=float, default=0.9, show_default=True, help="Confidence level.")
@click.option("--method", type=click.Choice(["asymptotic", "fc", "cls"]), default="asymptotic",
              show_default=True, help="Asymptotic profile likelihood, Feldman-Cousins or CLs (toys).")
@click.option("--toys", type=int, default=300, show_default=True, help="Toys per point (fc, cls).")
@click.option("--binding", type=click.Choice(["stepping", "free"]), default="stepping",
              show_default=True, help="Atomic treatment of the signal.")
@click.option("--plot", type=click.Path(path_type=Path), default=None,
              help="Write the data, background and signal at the limit.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def limit(dataset: str, param: str, cl: float, method: str, toys: int, binding: str,
          plot: Path | None, as_json: bool, cite: bool) -> None:
    """Fit DATASET (a built-in name such as xenonnt-2022, or a YAML file) and print a limit."""
    from nuem.stats import datasets, likelihood
    from nuem.stats import limits as lim

    citations.reset()
    ds = datasets.load(dataset)
    model = likelihood.Model(ds, (param,), binding=binding)
    res = lim.upper_limit(model, param, cl, method, n_toys=toys)
    out = res.to_dict()
    out.pop("toy_table", None)
    out.update(binding=binding, n_events=ds.n_observed, exposure_t_yr=ds.exposure_t_yr,
               range_keV=list(ds.range_keV))
    if "mu" in ds.published and param == "mu":
        out["published_limit"] = ds.published["mu"].get("limit")
    if plot is not None:
        from nuem import plotting

        lo, hi = ds.range_keV
        edges = ds.edges if ds.edges is not None else np.linspace(lo, hi, 30)
        c = lim.fit_curves(model, res, edges)
        plotting.dataset_fit(plot, c["edges"], c["observed"], c["background"], c["signal"],
                             f"signal at {param} = {res.limit:.3g} {out['unit']}",
                             f"{ds.name}: {100 * cl:g}% CL {method} limit")
        out["plot"] = str(plot)
    if cite:
        out["citations"] = _cite_lines()
    if as_json:
        click.echo(json.dumps(out, allow_nan=False))
        return
    t = Table(title=f"{ds.name}: {100 * cl:g}% CL limit on {param} ({method})")
    t.add_column("quantity")
    t.add_column("value")
    for k in ("limit", "interval", "best_fit", "unit", "statistic", "critical_value", "binding",
              "n_events", "exposure_t_yr", "published_limit"):
        if k in out and out[k] is not None:
            v = out[k]
            t.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    _emit(out, False, t)
    if cite:
        click.echo("\n".join(out["citations"]))


@cli.command("limits")
@click.option("--type", "quantity", type=click.Choice(["mu", "charge-radius", "millicharge"]),
              default=None, help="Only this quantity.")
@click.option("--json", "as_json", is_flag=True)
def limits_cmd(quantity: str | None, as_json: bool) -> None:
    """Print the published-limits database (every entry cited)."""
    from nuem import limits as db

    rows = db.select(quantity)
    if as_json:
        click.echo(json.dumps({"limits": [r.to_dict() for r in rows]}, allow_nan=False))
        return
    t = Table(title="Published limits (nuem/limits/published.yaml)")
    for col in ("quantity", "experiment", "kind", "moment", "bound", "CL", "year", "arXiv"):
        t.add_column(col)
    for r in rows:
        bound = (f"[{r.interval[0]:.2g}, {r.interval[1]:.2g}]" if r.interval
                 else f"< {r.value:.2g}") + f" {r.unit}"
        t.add_row(r.quantity, r.experiment, r.kind, r.moment, bound,
                  "-" if r.cl is None else f"{100 * r.cl:g}%", str(r.year), r.arxiv or "-")
    _emit({}, False, t)


@cli.group("plot")
def plot_group() -> None:
    """Figures."""


@plot_group.command("global")
@click.option("--out", type=click.Path(path_type=Path), default=Path("global.png"),
              show_default=True, help="Output file (.png or .pdf).")
@click.option("--json", "as_json", is_flag=True)
def plot_global(out: Path, as_json: bool) -> None:
    """The global picture of magnetic-moment bounds: experiments, astrophysics, theory."""
    from nuem import limits as db
    from nuem import plotting

    path = plotting.global_picture(out, db.select("mu"), db.theory_expectations())
    if as_json:
        click.echo(json.dumps({"out": str(path)}))
    else:
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("nuem-report"),
              show_default=True, help="Output directory.")
def report(out: Path) -> None:
    """Write the nuem report: OUT/index.html with its figures."""
    from nuem.report import write_report

    index = write_report(out)
    click.echo(f"wrote {index}")


def _energies_mev(spec: str) -> np.ndarray:
    """'5,10,20' (a list) or '1:60:50' (start:stop:count, log-spaced) in MeV."""
    try:
        if ":" in spec:
            a, b, n = spec.split(":")
            return np.geomspace(float(a), float(b), int(n))
        return np.array([float(v) for v in spec.split(",") if v.strip()])
    except ValueError as exc:
        raise NuemValueError(f"--energies={spec!r}: give a list '5,10,20' or start:stop:count "
                             "in MeV") from exc


def _profile_from_csv(path: Path, twist: float):
    """CSV with header r_km,density_gcc,ye,b_tesla[,twist_rad_km] (comment lines start #)."""
    from nuem.propagation import profiles
    from nuem.units import km, tesla

    import csv

    with open(path, newline="") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    need = {"r_km", "density_gcc", "ye", "b_tesla"}
    if not rows or not need <= set(rows[0]):
        raise NuemValueError(f"profile file {path}: needs columns {', '.join(sorted(need))} "
                             "(optional twist_rad_km)")
    try:
        col = {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k}
    except ValueError as exc:
        raise NuemValueError(f"profile file {path}: non-numeric value ({exc})") from exc
    if np.any((col["ye"] < 0) | (col["ye"] > 1)):
        raise NuemValueError(f"profile file {path}: ye must lie in [0, 1]")
    x = col["r_km"] * km
    tw = col["twist_rad_km"] / km if "twist_rad_km" in col else twist
    return profiles.tabulated(x, profiles.electron_density(col["density_gcc"], col["ye"]),
                              profiles.electron_density(col["density_gcc"], 1 - col["ye"]),
                              col["b_tesla"] * tesla, tw, name=str(path))


@cli.command()
@click.option("--profile", "profile_name", default="supernova", show_default=True,
              help="supernova, sun, constant or a CSV file (r_km,density_gcc,ye,b_tesla"
                   "[,twist_rad_km]).")
@click.option("--mu", type=float, default=1e-12, show_default=True,
              help="Moment [mu_B]: Dirac diagonal, or Majorana on every flavour pair.")
@click.option("--b0", type=float, default=None,
              help="Field scale [T]: supernova B at 100 km (falls as r^-2); sun: peak of the "
                   "convective-zone field.  Default 1e8 T (SN), 10 T (sun).")
@click.option("--energies", default="5,10,20,40", show_default=True,
              help="MeV: a list '5,10' or start:stop:count (log-spaced).")
@click.option("--density", type=float, default=0.0, help="constant: density [g/cm^3].")
@click.option("--ye", type=float, default=0.5, show_default=True, help="constant: Y_e.")
@click.option("--b-tesla", "b_tesla", type=float, default=0.0, help="constant: B_perp [T].")
@click.option("--length-km", "length_km", type=float, default=1000.0, show_default=True,
              help="constant: path length [km].")
@click.option("--twist", type=float, default=0.0, show_default=True,
              help="Twist rate phi' [rad/km].")
@click.option("--flavours", type=click.IntRange(1, 3), default=3, show_default=True)
@click.option("--majorana", is_flag=True, help="Majorana (nu <-> nubar) instead of Dirac.")
@click.option("--method", type=click.Choice(["auto", "exact-constant", "layers", "magnus",
                                             "adiabatic", "ode"]), default="auto",
              show_default=True)
@click.option("--backend", type=click.Choice(["numpy", "numba", "jax"]), default="numpy",
              show_default=True)
@click.option("--tol", type=float, default=1e-4, show_default=True, help="Target accuracy.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--plot", type=click.Path(path_type=Path), default=None,
              help="Write P(initial -> each state) against energy.")
@click.option("--signal", is_flag=True,
              help="Majorana only. supernova: events in the DUNE-like and HK-like detectors "
                   "(energies must increase); sun: the nu-bar_e fraction at Earth against the "
                   "KamLAND, SK and Borexino limits.")
@click.option("--cite", is_flag=True)
def sfp(profile_name: str, mu: float, b0: float | None, energies: str, density: float, ye: float,
        b_tesla: float, length_km: float, twist: float, flavours: int, majorana: bool,
        method: str, backend: str, tol: float, as_json: bool, plot: Path | None,
        signal: bool, cite: bool) -> None:
    """Spin and spin-flavour precession: P(i -> j) from each initial state i to final j."""
    from nuem.propagation import System, profiles, propagate
    from nuem.units import MeV, km, tesla

    E = _energies_mev(energies)
    tw = twist / km
    if profile_name == "constant":
        prof = profiles.constant(length_km * km, density, ye, b_tesla * tesla, tw)
    elif profile_name == "supernova":
        b = (1e8 if b0 is None else b0) * tesla
        prof = profiles.supernova(b_perp=profiles.power_law_field(b, 100 * km, 2.0), twist=tw)
    elif profile_name == "sun":
        b = (10.0 if b0 is None else b0) * tesla
        prof = profiles.sun(b_perp=profiles.convective_zone_field(b), twist=tw)
    else:
        path = Path(profile_name)
        if not path.is_file():
            raise NuemValueError(f"--profile={profile_name!r} is not supernova, sun, constant "
                                 "or an existing CSV file")
        prof = _profile_from_csv(path, tw)
    system = System(flavours, majorana=majorana, moments=mu)
    if method == "auto":
        method = "exact-constant" if profile_name == "constant" else "adiabatic"
    res = propagate(system, prof, E * MeV, method=method, backend=backend, tol=tol)
    P = res.probabilities
    obj = {"states": res.states, "energies_MeV": E.tolist(), "profile": prof.name,
           "method": method, "backend": backend, "steps": int(res.steps),
           "probabilities": P.tolist(), "unitarity_defect": res.unitarity_defect(),
           "convention": "probabilities[e][i][j] = P(state i -> state j) at energies_MeV[e]"}
    if signal:
        obj.update(_sfp_signal(profile_name, system, prof, E * MeV, mu, b0, twist, method,
                               backend, tol))
    if cite:
        obj["citations"] = _cite_lines()
    if plot is not None:
        from nuem.plotting import sfp_probabilities

        obj["plot"] = [str(p) for p in sfp_probabilities(plot, E, P, res.states)]
    if as_json:
        _emit(obj, True)
        return
    t = Table(title=f"P(i -> j), {prof.name}, {method}")
    t.add_column("E [MeV]")
    t.add_column("initial")
    for s in res.states:
        t.add_column(s)
    for k, e in enumerate(E):
        for i, s in enumerate(res.states):
            t.add_row(f"{e:.4g}", s, *[f"{P[k, i, j]:.4f}" for j in range(len(res.states))])
    _emit(obj, False, t)
    if cite:
        for line in obj["citations"]:
            click.echo(line)


def _sfp_signal(profile_name, system, prof, E, mu, b0, twist, method, backend, tol) -> dict:
    """The observables of ``nuem sfp --signal`` (see :mod:`nuem.detectors.sfp`)."""
    from nuem.detectors import sfp as obs
    from nuem.units import tesla

    if not system.majorana:
        raise NuemValueError("--signal needs --majorana (nu <-> nu-bar precession)")
    if profile_name == "supernova":
        sig = obs.supernova_signal(system, prof, E, method=method, backend=backend, tol=tol)
        return {"events": sig.totals,
                "events_note": "interaction counts in the neutrino-energy range given, no "
                               "resolution; benchmark alpha-fit source at 10 kpc"}
    if profile_name == "sun":
        if twist != 0.0:
            raise NuemValueError("--signal with --profile sun needs --twist 0")
        b = (10.0 if b0 is None else b0) * tesla
        sol = obs.solar_antineutrinos(mu, b, E=E, flavours=system.flavours, tol=tol,
                                      backend=backend)
        return {"solar_nuebar": [{k: w[k] for k in ("experiment", "fraction", "limit", "cl",
                                                    "allowed", "checked")}
                                 for w in sol.windows]}
    raise NuemValueError("--signal is available for --profile supernova or sun")


@cli.command()
def cite() -> None:
    """List the full bibliography nuem ships."""
    for key in citations.bibliography():
        click.echo(f"[{key}] {citations.format_reference(key)}")


# --- predictions and astrophysics (issue 6) ------------------------------------------
@cli.group()
def predict() -> None:
    """Predictions of models for the electromagnetic properties."""


@predict.command("sm")
@click.option("--mass", type=float, required=True, help="Neutrino mass m [eV] (> 0).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def predict_sm(mass: float, as_json: bool, cite: bool) -> None:
    """Standard Model: Dirac moment of a neutrino of mass m and the charge radii."""
    from nuem.theory import sm
    from nuem.units import cm

    citations.reset()
    mu = float(sm.dirac_magnetic_moment(mass))
    r2 = {f: v / cm**2 for f, v in sm.charge_radius().items()}
    out = {"mass_eV": mass, "mu_dirac_muB": mu, "charge_radius_cm2": r2,
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"Standard Model, m = {mass:g} eV")
        t.add_column("quantity")
        t.add_column("value", justify="right")
        t.add_row("Dirac mu [mu_B]", f"{mu:.4e}")
        for f, v in r2.items():
            t.add_row(f"<r^2>_{f} [cm^2]", f"{v:.3e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


def _parse_params(items: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for it in items:
        if "=" not in it:
            raise click.BadParameter(f"{it!r} is not of the form k=v", param_hint="--param")
        k, v = it.split("=", 1)
        out[k.strip()] = v.strip()
    return out


@predict.command("model")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="K=V",
              help="Model parameter, repeatable (units as listed by --list).")
@click.option("--list", "list_models", is_flag=True, help="List the models and parameters.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def predict_model(name: str | None, params: tuple[str, ...], list_models: bool, as_json: bool,
                  cite: bool) -> None:
    """Moment matrix of a named model (nuem.theory.models) and the effective moments a
    reactor and a solar pp experiment would see."""
    from nuem.theory import models

    if list_models or name is None:
        for m in models.MODELS.values():
            click.echo(f"{m.name}: {m.summary}")
            for p in m.parameters:
                unit = f" [{p.unit}]" if p.unit else ""
                click.echo(f"    {p.name}{unit} = {p.default}  ({p.help})")
        return
    citations.reset()
    kv = _parse_params(params)
    M = models.predict(name, **kv)
    eff = models.effective_moments(M)
    mu_reactor, mu_solar = eff["reactor"], eff["solar_pp"]
    flav = M.flavour_basis()
    out = {"model": name, "kind": M.kind, "parameters": kv,
           "moment_matrix_mass_basis_muB": [[[z.real, z.imag] for z in row] for row in M.matrix],
           "moment_matrix_flavour_basis_abs_muB": np.abs(flav).tolist(),
           "mu_eff_reactor_muB": mu_reactor, "mu_eff_solar_pp_300keV_muB": mu_solar,
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"{name} ({M.kind}): |lambda| in the flavour basis [mu_B]")
        t.add_column("")
        for f in ("e", "mu", "tau"):
            t.add_column(f, justify="right")
        for f, row in zip(("e", "mu", "tau"), np.abs(flav)):
            t.add_row(f, *[f"{x:.3e}" for x in row])
        _emit(out, False, t)
        click.echo(f"mu_eff reactor {mu_reactor:.3e} mu_B, solar pp (300 keV) {mu_solar:.3e} mu_B")
    if cite:
        click.echo("\n".join(_cite_lines()))


@cli.group()
def astro() -> None:
    """Astrophysics: plasmon decay, red giants and radiative decay."""


@astro.command("decay")
@click.option("--mu", type=float, required=True, help="Effective transition moment [mu_B] (>= 0).")
@click.option("--m-heavy", "m_heavy", type=float, required=True, help="Decaying mass [eV] (> 0).")
@click.option("--m-light", "m_light", type=float, default=0.0, show_default=True,
              help="Final mass [eV], below m-heavy.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def astro_decay(mu: float, m_heavy: float, m_light: float, as_json: bool, cite: bool) -> None:
    """Radiative decay nu_i -> nu_j gamma: lifetime and photon energy."""
    from nuem.astro import decay
    from nuem.units import second

    citations.reset()
    tau = float(decay.lifetime(mu, m_heavy, m_light))
    out = {"mu_muB": mu, "m_heavy_eV": m_heavy, "m_light_eV": m_light,
           "lifetime_s": tau if math.isfinite(tau) else None,
           "rate_per_s": float(decay.decay_rate(mu, m_heavy, m_light) * second),
           "photon_energy_eV": float(decay.photon_energy(m_heavy, m_light)),
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"nu ({m_heavy:g} eV) -> nu ({m_light:g} eV) gamma, mu = {mu:g} mu_B")
        t.add_column("lifetime [s]", justify="right")
        t.add_column("E_gamma [eV]", justify="right")
        t.add_row("inf" if out["lifetime_s"] is None else f"{tau:.4e}",
                  f"{out['photon_energy_eV']:.4e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@astro.command("plasmon")
@click.option("--density", type=float, required=True, help="Mass density [g/cm^3].")
@click.option("--temperature", type=float, required=True, help="Temperature [K].")
@click.option("--ye", type=float, default=0.5, show_default=True, help="Electron fraction.")
@click.option("--mu", type=float, default=1e-12, show_default=True, help="Magnetic moment [mu_B].")
@click.option("--m-nu", "m_nu", type=float, default=0.0, show_default=True,
              help="In-medium neutrino mass [eV] for the trapping test.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def astro_plasmon(density: float, temperature: float, ye: float, mu: float, m_nu: float,
                  as_json: bool, cite: bool) -> None:
    """Plasma frequency, plasmon decay rates at rest and plasmon-decay emissivities
    (transverse plus longitudinal; the longitudinal share is given separately)."""
    from nuem.astro import plasma
    from nuem.units import cm, erg, second

    citations.reset()
    gas = plasma.electron_gas(density, temperature, ye)
    wp = gas.omega_p
    by_mode = plasma.emissivities_by_mode(gas, mu)
    q_mu = by_mode["T"][0] + by_mode["L"][0]
    q_sm = by_mode["T"][1] + by_mode["L"][1]
    unit = erg / (cm**3 * second)
    out = {"density_gcc": density, "temperature_K": temperature, "ye": ye, "mu_muB": mu,
           "omega_p_eV": wp, "v_star": gas.v_star, "degeneracy": gas.degeneracy,
           "gamma_mu_at_rest_eV": float(plasma.decay_rate_mu(mu, wp, 0.0)),
           "gamma_sm_at_rest_eV": float(plasma.decay_rate_sm(wp, 0.0)),
           "emissivity_mu_erg_cm3_s": q_mu / unit, "emissivity_sm_erg_cm3_s": q_sm / unit,
           "ratio_mu_over_sm": q_mu / q_sm,
           "longitudinal_fraction_mu": by_mode["L"][0] / q_mu,
           "longitudinal_fraction_sm": by_mode["L"][1] / q_sm,
           "decay_open": bool(plasma.decay_open(wp, m_nu)),
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"Plasma rho = {density:g} g/cm^3, T = {temperature:g} K, Y_e = {ye:g}")
        t.add_column("quantity")
        t.add_column("value", justify="right")
        for key in ("omega_p_eV", "v_star", "degeneracy", "emissivity_mu_erg_cm3_s",
                    "emissivity_sm_erg_cm3_s", "ratio_mu_over_sm", "longitudinal_fraction_mu",
                    "longitudinal_fraction_sm", "decay_open"):
            t.add_row(key, f"{out[key]:.4g}" if not isinstance(out[key], bool) else str(out[key]))
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@astro.command("red-giant")
@click.option("--mu", type=float, default=1e-12, show_default=True, help="Magnetic moment [mu_B].")
@click.option("--density", type=float, default=None,
              help="Core density [g/cm^3]; default nuem.astro.redgiant.CORE_DENSITY_GCC.")
@click.option("--temperature", type=float, default=None,
              help="Core temperature [K]; default nuem.astro.redgiant.CORE_TEMPERATURE_K.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--cite", is_flag=True)
def astro_red_giant(mu: float, density: float | None, temperature: float | None,
                    as_json: bool, cite: bool) -> None:
    """Plasmon-decay excess Q_mu/Q_SM in a red-giant core, and the published tip-of-the-
    red-giant-branch bounds (with their CL) that exclude mu.  The bounds are looked up in
    the cited limits database, not fitted here (see nuem.astro.redgiant)."""
    from nuem.astro import redgiant
    from nuem.units import cm, erg, second

    citations.reset()
    d = redgiant.core_excess(mu, density, temperature)
    density, temperature = d["density_gcc"], d["temperature_K"]
    unit = erg / (cm**3 * second)
    bounds = [{k: b[k] for k in ("id", "experiment", "value", "cl", "reference", "arxiv")}
              | {"excludes": b["excludes"]} for b in d["bounds"]]
    out = {"mu_muB": mu, "density_gcc": density, "temperature_K": temperature,
           "omega_p_eV": d["omega_p_eV"], "ratio_mu_over_sm": float(d["ratio"]),
           "emissivity_mu_erg_cm3_s": float(d["emissivity_mu_eV5"]) / unit,
           "emissivity_sm_erg_cm3_s": d["emissivity_sm_eV5"] / unit,
           "trgb_bounds": bounds, "excluded": any(b["excludes"] for b in bounds),
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"Red-giant core (rho = {density:g} g/cm^3, T = {temperature:g} K): "
                        f"Q_mu/Q_SM = {out['ratio_mu_over_sm']:.3g} at mu = {mu:g} mu_B")
        for col in ("bound", "mu < [mu_B]", "CL", f"excludes {mu:g}"):
            t.add_column(col)
        for b in bounds:
            t.add_row(b["experiment"], f"{b['value']:.2g}",
                      "-" if b["cl"] is None else f"{b['cl']:g}", str(b["excludes"]))
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning nuem input errors into one-line messages."""
    try:
        cli.main(args=argv, prog_name="nuem", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except NuemValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
