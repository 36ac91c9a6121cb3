"""Command-line interface.  Thin: parses, calls the library, prints.

Every leaf command accepts ``--json`` (one JSON object on stdout, independent of the
terminal).  Bad input exits with status 2 and a one-line message on stderr, no traceback:
option values are checked at the edge by :mod:`nuem._checks` (in the units typed),
library errors (:class:`~nuem._errors.NuemValueError`) are printed as they are, and a
floating-point overflow, division by zero or invalid operation inside a command (numpy
runs with ``over``, ``divide`` and ``invalid`` raising there; RuntimeWarnings are
errors) becomes an error naming the inputs given.  A result that is NaN or infinite is
never printed.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from nuem import __version__, citations, constants
from nuem._checks import Count, OutPath, Real, check_finite_result, refuse_if_too_big
from nuem._errors import NuemValueError
from nuem.theory import naturalness as nat
from nuem.theory.eft import CONVENTIONS, METHODS, DiracEFT
from nuem.units import GeV

_METHOD = click.Choice(METHODS)
_CONVENTION = click.Choice(CONVENTIONS)
_CONVENTION_HELP = ("Anomalous dimensions and moment normalisation: bell2005 = Eq. (24) and "
                    "Eq. (12) as printed; jmt2013 = lambda term of gamma_33 from Jenkins-Manohar-"
                    "Trott; nusmeft = Datta et al. 2021 normalisation.")


def _emit(obj: dict[str, Any], as_json: bool, table: Table | None = None) -> None:
    check_finite_result(obj)
    if as_json:
        click.echo(json.dumps(obj, allow_nan=False))
    elif table is not None:
        Console(width=100, force_terminal=False).print(table)


def _cite_lines() -> list[str]:
    return [f"[{k}] {citations.format_reference(k)}" for k in citations.used()]


def _given(ctx: click.Context) -> str:
    """The options the user typed, as typed (for messages about a failed computation)."""
    parts = []
    for p in ctx.command.params:
        src = ctx.get_parameter_source(p.name)
        if src not in (click.core.ParameterSource.COMMANDLINE,
                       click.core.ParameterSource.ENVIRONMENT):
            continue
        v = ctx.params.get(p.name)
        if isinstance(p, click.Option) and p.is_flag:
            continue
        name = p.opts[0] if isinstance(p, click.Option) else p.name.upper()
        parts.append(f"{name} {v:g}" if isinstance(v, float) else f"{name} {v}")
    return ", ".join(parts) if parts else "the defaults"


class NuemCommand(click.Command):
    """A leaf command: numpy floating-point errors raise and RuntimeWarnings are errors
    while it runs; both (and non-finite results) become a NuemValueError naming the
    inputs."""

    def invoke(self, ctx: click.Context) -> Any:
        from nuem._checks import NonFiniteResult

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                    return super().invoke(ctx)
        except NonFiniteResult as exc:
            raise NuemValueError(f"{exc} (inputs: {_given(ctx)})") from exc
        except NuemValueError as exc:
            # a library check speaks in the library's parameter names and units: say which
            # of the user's options (as typed) led there
            if "--" in str(exc) or _given(ctx) == "the defaults":
                raise
            raise NuemValueError(f"{exc} (inputs: {_given(ctx)})") from exc
        except (FloatingPointError, OverflowError, ZeroDivisionError, RuntimeWarning) as exc:
            raise NuemValueError(f"the computation is not finite for the inputs {_given(ctx)} "
                                 f"({type(exc).__name__}: {exc}); use smaller or saner "
                                 "values") from exc


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class NuemGroup(click.Group):
    """The command tree: leaf commands are :class:`NuemCommand`, subgroups NuemGroup, and
    every failure the user can cause ends as one line on stderr with exit status 2."""

    command_class = NuemCommand
    group_class = type

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:  # pragma: no cover - click returns it
            rv = exc.exit_code
        except click.Abort:
            if not standalone_mode:
                raise
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help
                click.echo(exc.format_message())
                sys.exit(0)
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
        except NuemValueError as exc:
            if not standalone_mode:
                raise
            click.echo(f"Error: {_one_line(str(exc))}", err=True)
            sys.exit(2)
        except OSError as exc:
            if not standalone_mode:
                raise
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(f"Error: {where}{_one_line(exc.strerror or str(exc))}", err=True)
            sys.exit(2)
        except MemoryError:
            if not standalone_mode:
                raise
            click.echo("Error: out of memory; ask for a smaller computation", err=True)
            sys.exit(2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


_JSON_HELP = "Print one JSON object on stdout instead of the table."
_CITE_HELP = "Also list the papers this computation used (bibliography keys and references)."


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)(f)


def _cite_option(f):
    return click.option("--cite", is_flag=True, help=_CITE_HELP)(f)


@click.group(cls=NuemGroup, context_settings={"show_default": True})
@click.version_option(__version__, prog_name="nuem")
def cli() -> None:
    """nuem: electromagnetic properties of neutrinos."""


@cli.command()
@click.option("--scale", type=Real(constants.v_higgs / GeV, lo_open=True, unit="GeV",
                                   example=1000.0),
              help="New-physics scale Lambda [GeV] (> v = 246.2 GeV); required unless --scan.")
@click.option("--delta-m", "delta_m", type=Real(0.0, lo_open=True, unit="eV"), default=1.0,
              help="Neutrino mass scale the induced mass may not exceed [eV] (> 0).")
@click.option("--r", "r", type=Real(), default=0.0,
              help="r = C-(Lambda)/C+(Lambda), dimensionless.")
@click.option("--method", type=_METHOD, default="leading-log",
              help="Solution of the renormalisation-group equations: leading-log = Eq. (4); "
                   "resummed/running = Eq. (26) with evolved coefficients.")
@click.option("--convention", type=_CONVENTION, default="bell2005", help=_CONVENTION_HELP)
@click.option("--scan", is_flag=True, help="Write the bound-vs-Lambda figure (PNG and PDF).")
@click.option("--out", type=OutPath("stem", "naturalness_scan"), default=None,
              help="File stem for --scan (.png and .pdf are added; a directory: write "
                   "naturalness_scan.* inside it).  [default: naturalness_scan]")
@_json_option
@_cite_option
def bound(scale: float | None, delta_m: float, r: float, method: str, convention: str,
          scan: bool, out: Path, as_json: bool, cite: bool) -> None:
    """Naturalness bound on |mu_nu|/mu_B (Bell et al. PRL 95 151802, Eqs. 4, 26, 27)."""
    citations.reset()
    if scan:
        from nuem import plotting

        if out is None:
            out = OutPath("stem", "naturalness_scan").convert("naturalness_scan", None, None)
        paths = plotting.naturalness_scan(out, delta_m=delta_m)
        result: dict[str, Any] = {"figures": [str(p) for p in paths]}
        if not as_json:
            click.echo("wrote " + ", ".join(result["figures"]))
        else:
            _emit(result, True)
        return
    if scale is None:
        raise NuemValueError("scale is required (use --scale GEV, or --scan)")
    mu_max = float(nat.bound(scale * GeV, delta_m, r, method=method, convention=convention))
    f = float(nat.f_of_r(r))
    no_bound = math.isinf(mu_max)
    result = {"mu_max_muB": None if no_bound else mu_max, "no_bound": no_bound, "f": f,
              "scale_GeV": scale, "delta_m_eV": delta_m, "r": r, "method": method,
              "convention": convention, "references": citations.used()}
    if as_json:
        _emit(result, True)
    else:
        t = Table(title="Dirac naturalness bound (Bell et al. 2005)")
        for col in ("Lambda [GeV]", "delta m [eV]", "r", "f(r) (Eq. 5)", "method",
                    "|mu_nu|/mu_B <"):
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
@click.option("--scale", type=Real(0.0, lo_open=True, unit="GeV", example=1e4), required=True,
              help="Lambda [GeV] (> 0), where C is given.")
@click.option("--c1", type=Real(), default=0.0, help="Wilson coefficient C1 at Lambda, Eq. (8).")
@click.option("--c2", type=Real(), default=0.0, help="Wilson coefficient C2 at Lambda, Eq. (8).")
@click.option("--c3", type=Real(), default=0.0, help="Wilson coefficient C3 at Lambda, Eq. (8).")
@click.option("--to", "to", type=Real(0.0, lo_open=True, unit="GeV", example=246.22),
              default=None, help="Target scale [GeV] (> 0, at most --scale).  "
                                 "[default: v = 246.22 GeV]")
@click.option("--method", type=_METHOD, default="resummed",
              help="Solution of the renormalisation-group equations: leading-log = Eq. (25); "
                   "resummed = matrix exponential; running = ODE with SM couplings.")
@click.option("--convention", type=_CONVENTION, default="bell2005", help=_CONVENTION_HELP)
@_json_option
def eft_run(scale: float, c1: float, c2: float, c3: float, to: float | None, method: str,
            convention: str, as_json: bool) -> None:
    """Run (C1, C2, C3) from Lambda to --to; print mu_nu (Eq. 12) and delta m_nu (Eq. 13)."""
    citations.reset()
    to_gev = constants.v_higgs / GeV if to is None else to
    model = DiracEFT(C=(c1, c2, c3), scale=scale * GeV, convention=convention)
    c_to = model.run(to_gev * GeV, method=method)
    res = nat.naturalness_general(c1 + c2, c1 - c2, c3, scale * GeV, method=method,
                                  convention=convention)
    c_plus = float(c_to[0] + c_to[1])
    out = {"C": [float(x) for x in c_to], "C_plus": c_plus,
           "C3_over_C_plus": None if c_plus == 0.0 else float(c_to[2]) / c_plus,
           "to_GeV": to_gev, "scale_GeV": scale, "method": method, "convention": convention,
           "mu_nu_muB": res.mu_nu_muB,
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


@eft.command("gamma")
@click.option("--alpha1", type=Real(0.0, 1.0, lo_open=True, hi_open=True, example=0.0102),
              default=None, help="alpha_1 = g1^2/4pi (SM normalisation), in (0, 1).")
@click.option("--alpha2", type=Real(0.0, 1.0, lo_open=True, hi_open=True, example=0.0338),
              default=None, help="alpha_2 = g2^2/4pi, in (0, 1).")
@click.option("--lam", type=Real(-4 * math.pi, 4 * math.pi, lo_open=True, hi_open=True,
                                 example=0.13),
              default=None, help="Higgs quartic lambda, V = lambda[(phi^dag phi) - v^2/2]^2, "
                                 "|lambda| < 4 pi.")
@click.option("--scale", type=Real(constants.M_Z / GeV, 1e19, unit="GeV", example=1e4),
              default=None,
              help="Instead of the couplings: a scale [GeV] (M_Z..1e19) at which the one-loop "
                   "SM running couplings give alpha_1, alpha_2, lambda.")
@click.option("--convention", type=_CONVENTION, default="bell2005", help=_CONVENTION_HELP)
@_json_option
@_cite_option
def eft_gamma(alpha1: float | None, alpha2: float | None, lam: float | None,
              scale: float | None, convention: str, as_json: bool, cite: bool) -> None:
    """The anomalous-dimension matrix gamma_jk of Bell et al. 2005, Eq. (24): row j, column k."""
    from nuem.theory.couplings import default_running
    from nuem.theory.eft import anomalous_dimension

    citations.reset()
    given = [x is not None for x in (alpha1, alpha2, lam)]
    if scale is not None:
        if any(given):
            raise NuemValueError("give either --scale or all of --alpha1/--alpha2/--lam, "
                                 "not both")
        g1, g2, la = (float(x) for x in default_running().at(scale * GeV))
        a1, a2 = g1**2 / (4 * math.pi), g2**2 / (4 * math.pi)
    elif all(given):
        a1, a2, la = alpha1, alpha2, lam  # type: ignore[assignment]
    else:
        raise NuemValueError("give --alpha1, --alpha2 and --lam together, or --scale GEV")
    g = anomalous_dimension(a1, a2, la, convention)
    out = {"gamma": g.tolist(), "alpha1": a1, "alpha2": a2, "lam": la, "scale_GeV": scale,
           "convention": convention, "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"gamma_jk, Eq. (24) ({convention}): alpha1={a1:.5g}, alpha2={a2:.5g}, "
                        f"lambda={la:.4g}")
        t.add_column("j \\ k")
        for k in range(1, 4):
            t.add_column(str(k), justify="right")
        for j, row in enumerate(g, start=1):
            t.add_row(str(j), *(f"{x:.6e}" for x in row))
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@cli.command()
@click.option("--flavour", type=click.Choice(["e", "mu", "tau"]), required=True,
              help="Neutrino flavour.")
@click.option("--anti", is_flag=True, help="Antineutrino.")
@click.option("--energy", type=Real(0.0, lo_open=True, unit="MeV", example=1.0), required=True,
              help="Neutrino energy E [MeV] (> 0).")
@click.option("--recoil", type=Real(0.0, lo_open=True, unit="MeV", example=0.1), required=True,
              help="Recoil energy T [MeV], 0 < T <= T_max(E).")
@click.option("--mu", type=Real(0.0, unit="mu_B"), default=0.0,
              help="Magnetic moment [mu_B] (>= 0).")
@click.option("--r2", type=Real(unit="cm^2"), default=0.0, help="Charge radius <r^2> [cm^2].")
@click.option("--q", type=Real(unit="e"), default=0.0, help="Millicharge [e].")
@click.option("--convention", type=click.Choice(["giunti-studenikin", "vogel-engel"]),
              default="giunti-studenikin", help="Charge-radius convention.")
@click.option("--target", default="free",
              help="free, xenon, germanium, argon or scintillator (stepping approximation).")
@_json_option
@_cite_option
def xsec(flavour: str, anti: bool, energy: float, recoil: float, mu: float, r2: float, q: float,
         convention: str, target: str, as_json: bool, cite: bool) -> None:
    """dsigma/dT for nu-e scattering with magnetic moment, charge radius and millicharge."""
    from nuem.interactions import electron
    from nuem.units import MeV, cm

    citations.reset()
    t_max_mev = float(electron.t_max(energy * MeV)) / MeV
    if recoil > t_max_mev * (1.0 + 1e-12):
        raise NuemValueError(f"--recoil {recoil:g} MeV is above the kinematic limit "
                             f"T_max = {t_max_mev:.6g} MeV for --energy {energy:g} MeV")
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
              help="Flux.  [default: the detector's, else solar]")
@click.option("--target", default=None,
              help="xenon, germanium, argon or scintillator.  [default: the detector's, else "
                   "xenon (solar) or germanium (reactor)]")
@click.option("--detector", default=None,
              help="Named set-up (xenonnt-sr0, lz-2022, pandax-4t, borexino-phase2, gemma, "
                   "texono) or a detector TOML file: applies efficiency and resolution.")
@click.option("--mu", type=Real(0.0, unit="mu_B"), default=0.0,
              help="Effective moment [mu_B] (>= 0).")
@click.option("--model", type=click.Choice(["B16-GS98", "B16-AGSS09met"]), default="B16-GS98",
              help="Solar model.")
@click.option("--power", type=Real(0.0, lo_open=True, unit="GW"), default=3.0,
              help="Reactor thermal power [GW] (> 0).")
@click.option("--distance", type=Real(0.0, lo_open=True, unit="m"), default=20.0,
              help="Reactor distance [m] (> 0).")
@click.option("--tmin", type=Real(0.0, lo_open=True, unit="keV", example=2.0), default=None,
              help="Lowest energy [keV] (> 0).  [default: the detector window, else 1 keV]")
@click.option("--tmax", type=Real(0.0, lo_open=True, unit="keV", example=20.0), default=None,
              help="Highest energy [keV] (> tmin).  [default: the detector window, else 30 keV]")
@click.option("--bins", type=Count(2), default=30,
              help="Number of energy points (>= 2; memory-checked).")
@_json_option
@click.option("--plot", type=OutPath("file", "spectrum.png"), default=None,
              help="Write a figure (.png, .pdf or .svg; a directory: spectrum.png inside it).")
@_cite_option
def spectrum(source_name: str | None, target: str | None, detector: str | None, mu: float,
             model: str, power: float, distance: float, tmin: float | None, tmax: float | None,
             bins: int, as_json: bool, plot: Path | None, cite: bool) -> None:
    """Expected electron-recoil spectrum dR/dT in events/(tonne year keV)."""
    import numpy as np

    from nuem.detectors import experiments, rates
    from nuem.sources.reactor import ReactorSource
    from nuem.sources.solar import SolarSource
    from nuem.units import keV

    from nuem.detectors.rates import DEFAULT_NODES
    from nuem.detectors.response import TRUE_GRID_POINTS

    citations.reset()
    # rates: bins x nodes doubles in ~6 arrays; a detector adds bins x true-grid doubles in
    # ~4 arrays (the smearing kernel); measured 71.5 GiB for one array at 1e8 bins x 96
    per_bin = 8 * (6 * DEFAULT_NODES + (4 * TRUE_GRID_POINTS if detector else 0))
    refuse_if_too_big(bins * per_bin, f"--bins {bins}",
                      f"{per_bin} bytes per energy point: {DEFAULT_NODES} integration nodes"
                      + (f" and {TRUE_GRID_POINTS} smearing points" if detector else ""))
    from nuem.interactions import materials

    if detector is not None and not detector.strip():
        raise NuemValueError("--detector '' is empty: give a built-in name or a TOML file")
    if target is not None and target not in materials.MATERIALS:
        raise NuemValueError(f"--target {target!r} is not one of {', '.join(materials.MATERIALS)}")
    det = experiments.load(detector) if detector is not None else None
    if source_name is None:
        src = det.source() if det else SolarSource(model)
    elif source_name == "solar":
        src = SolarSource(model)
    else:
        src = ReactorSource.from_si(power, distance)
    tgt = target if target is not None else (
        det.target if det else ("xenon" if source_name != "reactor" else "germanium"))
    if det and tgt != det.target:
        raise NuemValueError(f"target={tgt!r} differs from the detector's target {det.target!r}")
    if bins < 2:
        raise NuemValueError(f"--bins {bins} must be >= 2")
    lo = tmin if tmin is not None else (det.response.window[0] if det else 1.0)
    hi = tmax if tmax is not None else (det.response.window[1] if det else 30.0)
    if not 0 < lo < hi:
        raise NuemValueError(f"--tmin {lo:g} keV and --tmax {hi:g} keV must satisfy "
                             "0 < tmin < tmax")
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
#: The toys per point ``nuem limit`` accepts: at least nuem.stats.limits.MIN_TOYS (not
#: imported here to keep the CLI's start fast; tests/hostile/test_checks.py compares
#: them), at most 1e5 (each toy is a full fit).
MIN_TOYS, MAX_TOYS = 20, 100_000


@cli.command()
@click.argument("datasets", nargs=-1, required=True, metavar="DATASET...")
@click.option("--param", type=_PARAM, default="mu",
              help="mu (magnetic moment [mu_B]), q (millicharge [e]) or r2 (charge radius "
                   "[cm^2]).")
@click.option("--cl", type=Real(0.0, 1.0, lo_open=True, hi_open=True, example=0.9), default=0.9,
              help="Confidence level, between 0 and 1 (exclusive).")
@click.option("--convention", type=click.Choice(["one-sided-qtilde", "delta-chi2"]),
              default="one-sided-qtilde",
              help="Asymptotic threshold: one-sided q~ (1.64 for mu at 90% CL) or Delta chi^2 "
                   "(2.71 at 90% CL, as many reanalyses quote).")
@click.option("--method", type=click.Choice(["asymptotic", "fc", "cls"]), default="asymptotic",
              help="Asymptotic profile likelihood, Feldman-Cousins or CLs (toys).")
@click.option("--toys", type=Count(MIN_TOYS, MAX_TOYS), default=300,
              help=f"Toys per point (fc, cls), {MIN_TOYS} to {MAX_TOYS}.")
@click.option("--binding", type=click.Choice(["stepping", "free"]), default="stepping",
              help="Atomic treatment of the signal.")
@click.option("--plot", type=OutPath("file", "limit.png"), default=None,
              help="Write the data, background and signal at the limit (.png, .pdf or .svg; "
                   "a directory: limit.png inside it; one file per dataset in a joint fit: "
                   "NAME-<i>.png).")
@_json_option
@_cite_option
def limit(datasets: tuple[str, ...], param: str, cl: float, convention: str, method: str,
          toys: int, binding: str, plot: Path | None, as_json: bool, cite: bool) -> None:
    """Fit DATASET (a built-in name such as xenonnt-2022, or a YAML file) and print a limit.
    Several datasets are fitted jointly: shared EM parameter, separate nuisances except
    those named explicitly in the files (see docs/datasets.md)."""
    from nuem.stats import datasets as dsm
    from nuem.stats import likelihood
    from nuem.stats import limits as lim

    citations.reset()
    dss = [dsm.load(d) for d in datasets]
    models = [likelihood.Model(d, (param,), binding=binding) for d in dss]
    model = models[0] if len(models) == 1 else likelihood.Combination(models, (param,))
    res = lim.upper_limit(model, param, cl, method, n_toys=toys, cl_convention=convention)
    out = res.to_dict()
    out.pop("toy_table", None)
    out.update(binding=binding, datasets=[d.name for d in dss])
    if len(dss) == 1:
        ds = dss[0]
        out.update(n_events=ds.n_observed, exposure_t_yr=ds.exposure_t_yr,
                   range_keV=list(ds.range_keV))
        if "mu" in ds.published and param == "mu":
            out["published_limit"] = ds.published["mu"].get("limit")
    else:
        out.update(n_events=[d.n_observed for d in dss],
                   exposure_t_yr=[d.exposure_t_yr for d in dss],
                   range_keV=[list(d.range_keV) for d in dss])
    if plot is not None:
        from nuem import plotting

        paths = []
        for i, (d, m) in enumerate(zip(dss, models)):
            lo, hi = d.range_keV
            edges = d.edges if d.edges is not None else np.linspace(lo, hi, 30)
            c = lim.fit_curves(model if len(models) == 1 else _JointView(model, i), res, edges)
            p = plot if len(dss) == 1 else plot.with_name(f"{plot.stem}-{i}{plot.suffix or '.png'}")
            plotting.dataset_fit(p, c["edges"], c["observed"], c["background"], c["signal"],
                                 f"background + signal, fit with {param} fixed at the limit "
                                 f"{res.limit:.3g} {out['unit']}",
                                 f"{d.name}: {100 * cl:g}% CL {method} limit"
                                 + ("" if len(dss) == 1 else f" (joint fit of {len(dss)})"),
                                 background_label=f"background, fit with {param} fixed at the "
                                                  "limit",
                                 background_best=c["background_best"],
                                 best_label=f"background, best fit ({param} free)")
            paths.append(str(p))
        out["plot"] = paths[0] if len(paths) == 1 else paths
    if cite:
        out["citations"] = _cite_lines()
    check_finite_result(out)
    if as_json:
        _emit(out, True)
        return
    t = Table(title=f"{res.dataset}: {100 * cl:g}% CL limit on {param} ({method})")
    t.add_column("quantity")
    t.add_column("value")
    for k in ("limit", "interval", "best_fit", "unit", "statistic", "convention", "threshold",
              "binding", "n_events", "exposure_t_yr", "published_limit"):
        if k in out and out[k] is not None:
            v = out[k]
            t.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    for where in ("best_fit", "at_limit"):
        for name, v in out["nuisances"][where].items():
            t.add_row(f"{name} ({where.replace('_', ' ')})", f"{v:.6g}")
    _emit(out, False, t)
    if cite:
        click.echo("\n".join(out["citations"]))


class _JointView:
    """One dataset of a joint fit, seen with the combination's parameters (for plots)."""

    def __init__(self, comb: Any, i: int) -> None:
        self.comb, self.i = comb, i
        self.model = comb.models[i]
        self.params = comb.params

    def minimise(self, **kw):
        f, x = self.comb.minimise(**kw)
        return f, self.comb.split(x)[self.i]

    def param_index(self, p: str) -> int:
        return self.model.param_index(p)

    def expected_counts(self, edges, x):
        return self.model.expected_counts(edges, x)

    def observed_binned(self, edges):
        return self.model.observed_binned(edges)


@cli.command("limits")
@click.option("--type", "quantity", type=click.Choice(["mu", "charge-radius", "millicharge"]),
              default=None, help="Only this quantity.  [default: all]")
@_json_option
def limits_cmd(quantity: str | None, as_json: bool) -> None:
    """Print the published-limits database (every entry cited)."""
    from nuem import limits as db

    rows = db.select(quantity)
    if as_json:
        _emit({"limits": [r.to_dict() for r in rows]}, True)
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
@click.option("--out", type=OutPath("file", "global.png"), default="global.png",
              help="Output file (.png, .pdf or .svg; a directory: global.png inside it).")
@_json_option
def plot_global(out: Path, as_json: bool) -> None:
    """The global picture of magnetic-moment bounds: experiments, astrophysics, theory."""
    from nuem import limits as db
    from nuem import plotting

    path = plotting.global_picture(out, db.select("mu"), db.theory_expectations())
    if as_json:
        _emit({"out": str(path)}, True)
    else:
        click.echo(f"wrote {path}")


@plot_group.command("dipole")
@click.option("--flavour", type=click.Choice(["e", "mu", "tau"]), default="mu",
              help="Flavour of the transition moment d_flavour whose curves are drawn.")
@click.option("--out", type=OutPath("file", "dipole.png"), default="dipole.png",
              help="Output file (.png, .pdf or .svg; a directory: dipole.png inside it).")
@click.option("--ours-json", "ours_json", default=None,
              help="Overlay this `nuem portal limit --json` output (a JSON file) instead of "
                   "refitting.  [default: refit XENONnT SR0]")
@click.option("--n-masses", "n_masses", type=Count(2, 500), default=25,
              help="Log-spaced masses (2 to 500, from 1e-6 to 1e-2 GeV) of the XENONnT refit "
                   "drawn when --ours-json is not given.")
@_json_option
def plot_dipole(flavour: str, out: Path, ours_json: Path | None, n_masses: int,
                as_json: bool) -> None:
    """hnlimits dipole-portal curves (m_N, d_flavour) with nuem's XENONnT SR0 refit."""
    from nuem.portal import model as pm
    from nuem.portal import published
    from nuem.portal import rates as prates

    from nuem._checks import read_user_text

    pm.require_choice("flavour", flavour, pm.FLAVOURS)
    if ours_json is not None:
        text = read_user_text(ours_json, "--ours-json")
        try:
            ours = json.loads(text)
            ours["m_N_GeV"], ours["d_GeV_inv"]
        except (ValueError, KeyError, TypeError) as exc:
            raise NuemValueError(f"--ours-json={ours_json}: not a `nuem portal limit --json` "
                                 f"output ({exc})") from exc
    published.curves(flavour)  # fails early, in one line, without hnlimits
    if ours_json is None:
        ours = prates.d_limit("xenonnt-2022", np.geomspace(1e-6, 1e-2, n_masses), flavour)
    path = published.figure(out, flavour, ours)
    if as_json:
        _emit({"out": str(path), "flavour": flavour}, True)
    else:
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--out", type=OutPath("dir"), default="nuem-report",
              help="Output directory (created if missing; its parent must exist).")
@_json_option
def report(out: Path, as_json: bool) -> None:
    """Write the nuem report: OUT/index.html with its figures."""
    from nuem.report import write_report

    index = write_report(out)
    if as_json:
        _emit({"index": str(index), "files": sorted(str(p) for p in index.parent.iterdir())},
              True)
    else:
        click.echo(f"wrote {index}")


#: The strongest field ``nuem sfp`` accepts [T]: ten times the strongest inferred magnetar
#: surface fields (~1e11 T = 1e15 G); far beyond it the adiabatic step control runs for
#: minutes per energy (measured: > 2 min for one energy at 1e30 T).
B_MAX_TESLA = 1e12

#: Bytes per propagation step and energy the memory estimate of ``nuem sfp`` assumes
#: (the adiabatic solver keeps one double per step pair and energy; ~2^15 steps for the
#: supernova profile at tol 1e-4; measured ~3e5 bytes per energy at 2000 energies).
SFP_STEPS_GUESS = 2**15


def _sfp_bytes_per_energy(n_states: int, method: str) -> int:
    """Memory one energy of ``nuem sfp`` needs: the propagator (complex), the
    probabilities and their JSON text (n^2 each), plus the solver's per-step work."""
    out = n_states**2 * (16 + 8 + 24)
    return out + (0 if method == "exact-constant" else 4 * SFP_STEPS_GUESS)


def _count_energies(spec: str) -> int:
    """How many energies ``--energies`` asks for, without building them."""
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise NuemValueError(f"--energies {spec!r}: start:stop:count needs three fields")
        try:
            n = int(parts[2])
        except ValueError as exc:
            raise NuemValueError(f"--energies {spec!r}: the count {parts[2]!r} is not an "
                                 "integer") from exc
        if n < 1:
            raise NuemValueError(f"--energies {spec!r}: the count {n} must be >= 1")
        return n
    return len([v for v in spec.split(",") if v.strip()])


def _energies_mev(spec: str) -> np.ndarray:
    """'5,10,20' (a list) or '1:60:50' (start:stop:count, log-spaced) in MeV; each finite
    and > 0."""
    n = _count_energies(spec)
    if n == 0:
        raise NuemValueError(f"--energies {spec!r} is empty: give a list '5,10,20' or "
                             "start:stop:count in MeV")
    try:
        if ":" in spec:
            a, b, _ = spec.split(":")
            ends = np.array([float(a), float(b)])
        else:
            ends = np.array([float(v) for v in spec.split(",") if v.strip()])
    except ValueError as exc:
        raise NuemValueError(f"--energies {spec!r}: give a list '5,10,20' or start:stop:count "
                             "in MeV") from exc
    if not np.all(np.isfinite(ends)) or np.any(ends <= 0):
        bad = ends[~np.isfinite(ends) | (ends <= 0)][0]
        raise NuemValueError(f"--energies {spec!r}: the energy {bad:g} MeV must be finite "
                             "and > 0")
    return np.geomspace(ends[0], ends[1], n) if ":" in spec else ends


def _profile_from_csv(path: Path, twist: float):
    """CSV with header r_km,density_gcc,ye,b_tesla[,twist_rad_km] (comment lines start #)."""
    from nuem.propagation import profiles
    from nuem.units import km, tesla

    from nuem._checks import read_user_text
    from nuem.data import csv_rows

    rows = csv_rows(read_user_text(path, "profile"))
    need = {"r_km", "density_gcc", "ye", "b_tesla"}
    if not rows or not need <= set(rows[0]):
        raise NuemValueError(f"profile file {path}: needs columns {', '.join(sorted(need))} "
                             "(optional twist_rad_km) and at least one row")
    col = {}
    for k in rows[0]:
        if not k:
            continue
        try:
            col[k] = np.array([float(r[k]) for r in rows])
        except (TypeError, ValueError) as exc:
            raise NuemValueError(f"profile file {path}: column {k}: non-numeric value "
                                 f"({exc})") from exc
        if not np.all(np.isfinite(col[k])):
            raise NuemValueError(f"profile file {path}: column {k} contains NaN or infinity")
    if len(rows) < 2 or np.any(np.diff(col["r_km"]) <= 0):
        raise NuemValueError(f"profile file {path}: column r_km must increase strictly over "
                             "at least two rows")
    if np.any(col["density_gcc"] < 0):
        raise NuemValueError(f"profile file {path}: column density_gcc must be >= 0 [g/cm^3]")
    if np.any((col["ye"] < 0) | (col["ye"] > 1)):
        raise NuemValueError(f"profile file {path}: column ye must lie in [0, 1]")
    x = col["r_km"] * km
    tw = col["twist_rad_km"] / km if "twist_rad_km" in col else twist
    return profiles.tabulated(x, profiles.electron_density(col["density_gcc"], col["ye"]),
                              profiles.electron_density(col["density_gcc"], 1 - col["ye"]),
                              col["b_tesla"] * tesla, tw, name=str(path))


@cli.command()
@click.option("--profile", "profile_name", default="supernova",
              help="supernova, sun, constant or a CSV file (r_km,density_gcc,ye,b_tesla"
                   "[,twist_rad_km]).")
@click.option("--mu", type=Real(0.0, unit="mu_B"), default=1e-12,
              help="Moment [mu_B] (>= 0): Dirac diagonal, or Majorana on every flavour pair.")
@click.option("--b0", type=Real(0.0, B_MAX_TESLA, lo_open=True, unit="T", example=1e8),
              default=None,
              help=f"Field scale [T] (> 0, <= {B_MAX_TESLA:g}): supernova B at 100 km (falls as "
                   "r^-2); sun: peak of the convective-zone field.  [default: 1e8 T "
                   "(supernova), 10 T (sun)]")
@click.option("--energies", default="5,10,20,40",
              help="Neutrino energies [MeV]: a list '5,10' or start:stop:count (log-spaced); "
                   "memory-checked.")
@click.option("--density", type=Real(0.0, unit="g/cm^3"), default=0.0,
              help="constant: density [g/cm^3] (>= 0).")
@click.option("--ye", type=Real(0.0, 1.0), default=0.5,
              help="constant: electron fraction Y_e, in [0, 1].")
@click.option("--b-tesla", "b_tesla", type=Real(0.0, B_MAX_TESLA, unit="T"), default=0.0,
              help=f"constant: transverse field B_perp [T] (>= 0, <= {B_MAX_TESLA:g}).")
@click.option("--length-km", "length_km", type=Real(0.0, lo_open=True, unit="km"),
              default=1000.0, help="constant: path length [km] (> 0).")
@click.option("--twist", type=Real(unit="rad/km"), default=0.0,
              help="Twist rate phi' [rad/km].")
@click.option("--flavours", type=click.IntRange(1, 3), default=3,
              help="Number of flavours (1 to 3).")
@click.option("--majorana", is_flag=True, help="Majorana (nu <-> nubar) instead of Dirac.")
@click.option("--method", type=click.Choice(["auto", "exact-constant", "layers", "magnus",
                                             "adiabatic", "ode"]), default="auto",
              help="Solver (auto: exact-constant for --profile constant, else adiabatic).")
@click.option("--backend", type=click.Choice(["numpy", "numba", "jax"]), default="numpy",
              help="Array kernel.")
@click.option("--tol", type=Real(0.0, 0.5, lo_open=True, example=1e-3), default=1e-4,
              help="Target accuracy of the probabilities (> 0, <= 0.5).")
@_json_option
@click.option("--plot", type=OutPath("stem", "sfp"), default=None,
              help="Write P(initial -> each state) against energy (STEM.png and STEM.pdf; a "
                   "directory: sfp.* inside it).")
@click.option("--signal", is_flag=True,
              help="Majorana only. supernova: events in the DUNE-like and HK-like detectors "
                   "(energies must increase); sun: the nu-bar_e fraction at Earth against the "
                   "KamLAND, SK and Borexino limits.")
@_cite_option
def sfp(profile_name: str, mu: float, b0: float | None, energies: str, density: float, ye: float,
        b_tesla: float, length_km: float, twist: float, flavours: int, majorana: bool,
        method: str, backend: str, tol: float, as_json: bool, plot: Path | None,
        signal: bool, cite: bool) -> None:
    """Spin and spin-flavour precession: P(i -> j) from each initial state i to final j."""
    from nuem.propagation import System, profiles, propagate
    from nuem.units import MeV, km, tesla

    n_e = _count_energies(energies)
    method_est = ("exact-constant" if profile_name == "constant" else "adiabatic") \
        if method == "auto" else method
    per = _sfp_bytes_per_energy(2 * flavours, method_est)
    refuse_if_too_big(n_e * per, f"--energies {energies}",
                      f"{n_e:g} energies x {per} bytes: {2 * flavours} states, "
                      f"{SFP_STEPS_GUESS} steps assumed")
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
        if not profile_name.strip() or not path.exists():
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
@_json_option
def cite(as_json: bool) -> None:
    """List the full bibliography nuem ships."""
    refs = {key: citations.format_reference(key) for key in citations.bibliography()}
    if as_json:
        _emit({"references": refs}, True)
        return
    for key, text in refs.items():
        click.echo(f"[{key}] {text}")


# --- predictions and astrophysics (issue 6) ------------------------------------------
@cli.group()
def predict() -> None:
    """Predictions of models for the electromagnetic properties."""


@predict.command("sm")
@click.option("--mass", type=Real(0.0, lo_open=True, unit="eV", example=0.05), required=True,
              help="Neutrino mass m [eV] (> 0).")
@_json_option
@_cite_option
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
@_json_option
@_cite_option
def predict_model(name: str | None, params: tuple[str, ...], list_models: bool, as_json: bool,
                  cite: bool) -> None:
    """Moment matrix of a named model (nuem.theory.models) and the effective moments a
    reactor and a solar pp experiment would see."""
    from nuem.theory import models

    if list_models or name is None:
        if as_json:
            _emit({"models": {m.name: {"summary": m.summary,
                                       "parameters": [{"name": p.name, "unit": p.unit,
                                                       "default": p.default, "help": p.help}
                                                      for p in m.parameters]}
                              for m in models.MODELS.values()}}, True)
            return
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
    if M.kind == "majorana":  # the flavour-basis transition moments, signed where real
        for (i, j), key in (((0, 1), "mu_emu_muB"), ((0, 2), "mu_etau_muB"),
                            ((1, 2), "mu_mutau_muB")):
            z = complex(flav[i, j])
            out[key] = z.real if abs(z.imag) <= 1e-9 * abs(z) else abs(z)
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


# the red-giant core defaults live in nuem.astro.redgiant; shown in --help as values
from nuem.astro.redgiant import CORE_DENSITY_GCC as _RG_DENSITY  # noqa: E402
from nuem.astro.redgiant import CORE_TEMPERATURE_K as _RG_TEMPERATURE  # noqa: E402


@cli.group()
def astro() -> None:
    """Astrophysics: plasmon decay, red giants and radiative decay."""


@astro.command("decay")
@click.option("--mu", type=Real(0.0, unit="mu_B", example=1e-12), required=True,
              help="Effective transition moment [mu_B] (>= 0).")
@click.option("--m-heavy", "m_heavy", type=Real(0.0, lo_open=True, unit="eV", example=0.05),
              required=True, help="Decaying mass [eV] (> 0).")
@click.option("--m-light", "m_light", type=Real(0.0, unit="eV"), default=0.0,
              help="Final mass [eV] (>= 0), below --m-heavy.")
@_json_option
@_cite_option
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
@click.option("--density", type=Real(0.0, lo_open=True, unit="g/cm^3", example=1e6),
              required=True, help="Mass density [g/cm^3] (> 0).")
@click.option("--temperature", type=Real(0.0, lo_open=True, unit="K", example=1e8),
              required=True, help="Temperature [K] (> 0).")
@click.option("--ye", type=Real(0.0, 1.0, lo_open=True), default=0.5,
              help="Electron fraction Y_e, in (0, 1].")
@click.option("--mu", type=Real(0.0, unit="mu_B"), default=1e-12,
              help="Magnetic moment [mu_B] (>= 0).")
@click.option("--m-nu", "m_nu", type=Real(0.0, unit="eV"), default=0.0,
              help="In-medium neutrino mass [eV] (>= 0) for the trapping test.")
@_json_option
@_cite_option
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
@click.option("--mu", type=Real(0.0, unit="mu_B"), default=1e-12,
              help="Magnetic moment [mu_B] (>= 0).")
@click.option("--density", type=Real(0.0, lo_open=True, unit="g/cm^3", example=1e6),
              default=None,
              help=f"Core density [g/cm^3] (> 0).  [default: {_RG_DENSITY:g}]")
@click.option("--temperature", type=Real(0.0, lo_open=True, unit="K", example=1e8),
              default=None,
              help=f"Core temperature [K] (> 0).  [default: {_RG_TEMPERATURE:g}]")
@_json_option
@_cite_option
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


# ----------------------------------------------------------------------------- portal
@cli.group()
def portal() -> None:
    """Heavy sterile N with transition moments d_alpha (Magill convention, GeV^-1)."""


def _portal_from(m_n: float, d: float, flavour: str, majorana: bool, convention: str):
    from nuem.portal import model as pm

    pm.require_choice("convention", convention, pm.CONVENTIONS)
    return pm.DipolePortal.from_gev(m_n, d, flavour=flavour, majorana=majorana,
                                    convention=convention)


_PORTAL_CONV_HELP = ("Convention of --d: magill (internal), seminar, brdar, darknews-mu, "
                     "darknews-t.")
_PORTAL_FLAVOURS = click.Choice(["e", "mu", "tau", "universal"])
_PORTAL_CONVENTION = click.Choice(["magill", "seminar", "brdar", "darknews-mu", "darknews-t"])
_PORTAL_TARGETS = click.Choice(["electron", "proton", "neutron", "carbon", "oxygen", "argon",
                                "xenon"])


def _m_n_option(f):
    return click.option("--m-n", "m_n", type=Real(0.0, lo_open=True, unit="GeV", example=0.1),
                        required=True, help="N mass m_N [GeV] (> 0).")(f)


def _d_option(f):
    return click.option("--d", "d", type=Real(0.0, unit="GeV^-1", example=1e-6),
                        required=True,
                        help="Transition moment d [GeV^-1] (>= 0), in --convention.")(f)


@portal.command("decay")
@_m_n_option
@_d_option
@click.option("--flavour", type=_PORTAL_FLAVOURS, default="e",
              help="Flavour carrying d: e, mu, tau or universal (d in all three).")
@click.option("--majorana", is_flag=True, help="Majorana N (N -> nu gamma and nubar gamma).")
@click.option("--convention", type=_PORTAL_CONVENTION, default="magill", help=_PORTAL_CONV_HELP)
@click.option("--energy", type=Real(0.0, lo_open=True, unit="GeV", example=2.0), default=None,
              help="N energy [GeV] (> 0, at least --m-n) for the lab decay length.")
@click.option("--distance", type=Real(0.0, unit="m", example=1.0), default=None,
              help="Distance to the detector [m] (>= 0; with --energy and --length).")
@click.option("--length", type=Real(0.0, lo_open=True, unit="m", example=2.0), default=None,
              help="Detector length [m] (> 0; with --energy and --distance).")
@_json_option
@_cite_option
def portal_decay(m_n: float, d: float, flavour: str, majorana: bool, convention: str,
                 energy: float | None, distance: float | None, length: float | None,
                 as_json: bool, cite: bool) -> None:
    """Gamma(N -> nu gamma), lifetime, lab decay length and probability to decay inside."""
    from nuem.portal import decay as pdec
    from nuem.units import meter, second

    citations.reset()
    p = _portal_from(m_n, d, flavour, majorana, convention)
    g = pdec.portal_width(p)
    ctau = (1.0 / g) / meter if g > 0 else None
    out: dict[str, Any] = {"m_N_GeV": m_n, "d_GeV_inv": d, "flavour": flavour,
                           "convention": convention, "majorana": majorana,
                           "width_GeV": g / GeV, "ctau_m": ctau,
                           "lifetime_s": (1.0 / g) / second if g > 0 else None}
    if energy is not None:
        lam = float(pdec.decay_length(energy * GeV, p.m_N, p.d2, majorana))
        out["energy_GeV"] = energy
        out["decay_length_m"] = lam / meter if math.isfinite(lam) else None
        if distance is not None or length is not None:
            if distance is None or length is None:
                raise NuemValueError("--distance and --length go together (both in m)")
            out.update(distance_m=distance, length_m=length,
                       probability_inside=float(pdec.probability_inside(
                           lam, distance * meter, length * meter)) if math.isfinite(lam) else 0.0)
    elif distance is not None or length is not None:
        raise NuemValueError("--distance/--length need --energy (the N energy in GeV)")
    out["references"] = citations.used()
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"N ({m_n:g} GeV) -> nu gamma, d = {d:g} GeV^-1 ({convention})")
        for k in ("width_GeV", "ctau_m", "lifetime_s", "decay_length_m", "probability_inside"):
            if out.get(k) is not None:
                t.add_row(k, f"{out[k]:.4e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@portal.command("xsec")
@click.option("--target", "target_name", type=_PORTAL_TARGETS, required=True,
              help="xenon, argon, carbon, oxygen (coherent, per nucleus), proton, neutron, "
                   "electron (per particle).")
@click.option("--energy", type=Real(0.0, lo_open=True, unit="GeV", example=1.0), required=True,
              help="Neutrino energy E [GeV] (> 0, above the threshold of --m-n).")
@_m_n_option
@_d_option
@click.option("--convention", type=_PORTAL_CONVENTION, default="magill", help=_PORTAL_CONV_HELP)
@_json_option
@_cite_option
def portal_xsec(target_name: str, energy: float, m_n: float, d: float, convention: str,
                as_json: bool, cite: bool) -> None:
    """Total upscattering cross section nu X -> N X by photon exchange."""
    from nuem.portal import upscatter as up
    from nuem.units import cm

    citations.reset()
    up.check_target(target_name)
    p = _portal_from(m_n, d, "e", False, convention)
    dd = p.d[0]
    E = float(np.asarray(energy, float)) * GeV
    sig = float(up.sigma(E, p.m_N, dd, target_name))
    tgt = up.target(target_name)
    tmin, tmax = up.t_range(E, p.m_N, tgt)
    out = {"target": target_name, "energy_GeV": energy, "m_N_GeV": m_n, "d_GeV_inv": d,
           "convention": convention, "sigma_cm2": sig / cm**2,
           "threshold_GeV": float(up.e_threshold(p.m_N, tgt.M)) / GeV,
           "T_min_GeV": float(tmin) / GeV, "T_max_GeV": float(tmax) / GeV,
           "references": citations.used()}
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"nu {target_name} -> N {target_name}, E = {energy:g} GeV, "
                        f"m_N = {m_n:g} GeV")
        for k in ("sigma_cm2", "threshold_GeV", "T_min_GeV", "T_max_GeV"):
            t.add_row(k, f"{out[k]:.4e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@portal.command("limit")
@click.argument("dataset")
@click.option("--flavour", type=_PORTAL_FLAVOURS, default="e",
              help="Flavour of d: e, mu, tau or universal.")
@click.option("--m-min", "m_min", type=Real(0.0, lo_open=True, unit="GeV", example=1e-6),
              default=1e-6, help="Lightest N mass [GeV] (> 0, below --m-max).")
@click.option("--m-max", "m_max", type=Real(0.0, lo_open=True, unit="GeV", example=1e-2),
              default=1e-2, help="Heaviest N mass [GeV] (> 0, above --m-min).")
@click.option("--n-masses", "n_masses", type=Count(2, 500), default=50,
              help="Log-spaced masses from --m-min to --m-max (2 to 500).")
@click.option("--cl", type=Real(0.0, 1.0, lo_open=True, hi_open=True, example=0.9), default=0.9,
              help="Confidence level, between 0 and 1 (exclusive).")
@_json_option
@_cite_option
def portal_limit(dataset: str, flavour: str, m_min: float, m_max: float, n_masses: int,
                 cl: float, as_json: bool, cite: bool) -> None:
    """Refit DATASET (e.g. xenonnt-2022) for d_flavour(m_N) [GeV^-1, Magill convention]."""
    from nuem.portal import model as pm
    from nuem.portal import rates as prates

    citations.reset()
    pm.flavour_vector(1.0, flavour)
    if not m_min < m_max:
        raise NuemValueError(f"--m-min {m_min:g} GeV must be below --m-max {m_max:g} GeV")
    out = prates.d_limit(dataset, np.geomspace(m_min, m_max, n_masses), flavour, cl)
    out["references"] = citations.used()
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"{out['dataset']}: {100 * cl:g}% CL limit on d_{flavour} (Magill)")
        t.add_column("m_N [GeV]", justify="right")
        t.add_column("d [GeV^-1]", justify="right")
        for m, d in zip(out["m_N_GeV"], out["d_GeV_inv"]):
            t.add_row(f"{m:.3e}", "no sensitivity" if d is None else f"{d:.3e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


@portal.command("uhe")
@_m_n_option
@click.option("--d", "d", type=Real(0.0, unit="GeV^-1", example=1e-6), required=True,
              help="Transition moment d [GeV^-1] (>= 0, Magill convention).")
@click.option("--flavour", type=_PORTAL_FLAVOURS, default="universal",
              help="Flavour of d: e, mu, tau or universal.")
@click.option("--majorana", is_flag=True, help="Majorana N (N -> nu gamma and nubar gamma).")
@click.option("--flux-norm", "flux_norm",
              type=Real(0.0, lo_open=True, unit="GeV^-1 cm^-2 s^-1 sr^-1", example=1e-24),
              default=1e-24,
              help="Per-flavour dPhi/dE at --flux-eref [GeV^-1 cm^-2 s^-1 sr^-1] (> 0).")
@click.option("--flux-index", "flux_index", type=Real(0.0, 10.0, example=2.0), default=2.0,
              help="Power-law index gamma of dPhi/dE ~ E^-gamma (dimensionless, 0 to 10).")
@click.option("--flux-eref", "flux_eref", type=Real(0.0, lo_open=True, unit="GeV", example=1e8),
              default=1e8, help="Reference energy of --flux-norm [GeV] (> 0).")
@click.option("--flux-file", "flux_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="Per-flavour flux table instead of the power law: columns E [GeV] and "
                   "E^2 dPhi/dE [GeV cm^-2 s^-1 sr^-1], '#' comments; log-log "
                   "interpolated, integrated only where tabulated (within 1e6-1e11 GeV).  "
                   "Excludes --flux-norm, --flux-index, --flux-eref.")
@click.option("--years", type=Real(0.0, lo_open=True, unit="yr", example=10.0), default=10.0,
              help="Exposure time [yr] (> 0).")
@click.option("--length", "length_m", type=Real(0.0, lo_open=True, unit="m", example=1000.0),
              default=1000.0, help="Instrumented length along the neutrino [m] (> 0).")
@click.option("--area", "area_km2", type=Real(0.0, lo_open=True, unit="km^2", example=1.0),
              default=1.0, help="Transverse area [km^2] (> 0).")
@click.option("--separation", "separation_m", type=Real(0.0, unit="m", example=10.0),
              default=10.0, help="Smallest resolvable vertex separation [m] (>= 0).")
@_json_option
@_cite_option
def portal_uhe(m_n: float, d: float, flavour: str, majorana: bool, flux_norm: float,
               flux_index: float, flux_eref: float, flux_file: Path | None, years: float,
               length_m: float, area_km2: float, separation_m: float, as_json: bool,
               cite: bool) -> None:
    """Primakoff N production in ice at 1e6-1e11 GeV: cross section, decay length and
    expected double bangs for a power-law flux or a flux table (--flux-file)."""
    from nuem.portal import decay as pdec
    from nuem.portal import uhe
    from nuem.units import cm, meter

    citations.reset()
    p = _portal_from(m_n, d, flavour, majorana, "magill")
    if flux_file is not None:
        ctx = click.get_current_context()
        clash = [o for o, n in (("--flux-norm", "flux_norm"), ("--flux-index", "flux_index"),
                                ("--flux-eref", "flux_eref"))
                 if ctx.get_parameter_source(n) in (click.core.ParameterSource.COMMANDLINE,
                                                    click.core.ParameterSource.ENVIRONMENT)]
        if clash:
            raise NuemValueError(f"--flux-file {flux_file} excludes {', '.join(clash)} (the "
                                 "table gives the flux)")
        flux = uhe.TableFlux.from_file(flux_file)
    else:
        flux = uhe.PowerLawFlux(flux_norm, flux_index, flux_eref)
    out = uhe.double_bang_count(p, flux, years=years, length_m=length_m, area_km2=area_km2,
                                separation_m=separation_m)
    dmax = max(p.d)
    E = np.array([1e6, 1e8, 1e11]) * GeV
    out["energies_GeV"] = (E / GeV).tolist()
    out["sigma_h2o_cm2"] = (uhe.sigma_h2o(E, p.m_N, dmax) / cm**2).tolist()
    out["decay_length_m"] = (pdec.decay_length(E, p.m_N, p.d2, majorana) / meter).tolist()
    out["references"] = citations.used()
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"UHE Primakoff in ice: m_N = {m_n:g} GeV, d = {d:g} GeV^-1")
        t.add_column("E [GeV]", justify="right")
        t.add_column("sigma / H2O [cm^2]", justify="right")
        t.add_column("decay length [m]", justify="right")
        for e, s_, l_ in zip(out["energies_GeV"], out["sigma_h2o_cm2"], out["decay_length_m"]):
            t.add_row(f"{e:.0e}", f"{s_:.3e}", f"{l_:.3e}")
        _emit(out, False, t)
        click.echo(f"expected double bangs: {out['events']:.4g}")
    if cite:
        click.echo("\n".join(_cite_lines()))


@portal.command("rate")
@_m_n_option
@_d_option
@click.option("--flavour", type=_PORTAL_FLAVOURS, default="e", show_default=True,
              help="Flavour carrying d: e, mu, tau or universal (d in all three), as in the "
                   "other portal commands.")
@click.option("--majorana", is_flag=True, help="Majorana N (N -> nu gamma and nubar gamma).")
@click.option("--convention", type=_PORTAL_CONVENTION, default="magill", help=_PORTAL_CONV_HELP)
@click.option("--detector", default="xenonnt-sr0", show_default=True,
              help="Named set-up (xenonnt-sr0, lz-2022, pandax-4t, borexino-phase2, gemma, "
                   "texono) or a detector TOML file: target, threshold, window, efficiency.")
@click.option("--source", "source_spec", default=None,
              help="solar, reactor (the detector's reactor) or a flux FILE of two columns "
                   "E [MeV], dPhi/dE [cm^-2 s^-1 MeV^-1]; default: the detector's source.")
@click.option("--flux-flavour", "flux_flavour", type=click.Choice(["e", "mu", "tau"]),
              default=None, help="Flavour of a flux FILE (default: its '# flavour:' header, "
                                 "else e).")
@click.option("--anti", is_flag=True, help="A flux FILE of antineutrinos (else its "
                                            "'# anti:' header, else neutrinos).")
@click.option("--recoil", type=click.Choice(["electron", "nuclear"]), default="electron",
              help="Electron recoils (atomic stepping) or coherent nuclear recoils (Lindhard "
                   "quenching to the keVee window).")
@click.option("--e-min-kev", "e_min_kev", type=Real(0.0, lo_open=True, unit="keV", example=1.0),
              default=None, help="Lower end of the visible (electron-equivalent) window "
                                 "[keV] (> 0); default: the detector's threshold.")
@click.option("--e-max-kev", "e_max_kev", type=Real(0.0, lo_open=True, unit="keV", example=20.0),
              default=None, help="Upper end of the visible window [keV] (> 0); default: the "
                                 "detector's.")
@click.option("--length-m", "length_m", type=Real(0.0, lo_open=True, unit="m", example=1.0),
              default=None, help="Detector length along the beam [m] (> 0): split the rate "
                                 "into recoil-only and double bang.")
@click.option("--upstream-m", "upstream_m", type=Real(0.0, lo_open=True, unit="m", example=1.0),
              default=None, help="Thickness [m] (> 0) of an upstream slab of the detector's "
                                 "material: single photons from N made there (with --length-m).")
@click.option("--gap-m", "gap_m", type=Real(0.0, unit="m", example=0.5), default=0.0,
              help="Distance [m] (>= 0) from the upstream slab to the detector.")
@_json_option
@_cite_option
def portal_rate(m_n: float, d: float, flavour: str, majorana: bool, convention: str,
                detector: str, source_spec: str | None, flux_flavour: str | None, anti: bool,
                recoil: str, e_min_kev: float | None, e_max_kev: float | None,
                length_m: float | None, upstream_m: float | None, gap_m: float,
                as_json: bool, cite: bool) -> None:
    """Dipole-portal recoil rate in a detector's window [events per tonne-year], with the
    decay signatures (recoil only, double bang, single photon) when the geometry is given."""
    from nuem.detectors import experiments
    from nuem.portal import signals
    from nuem.sources.solar import SolarSource
    from nuem.sources.table import TableSource
    from nuem.units import day, meter, year

    citations.reset()
    if not detector.strip():
        raise NuemValueError("--detector '' is empty: give a built-in name or a TOML file")
    p = _portal_from(m_n, d, flavour, majorana, convention)
    det = experiments.load(detector)
    is_file = source_spec not in (None, "solar", "reactor")
    if not is_file and (flux_flavour is not None or anti):
        raise NuemValueError("--flux-flavour and --anti describe a flux FILE given to --source")
    if upstream_m is not None and length_m is None:
        raise NuemValueError("--upstream-m needs --length-m (the detector length the photon "
                             "must reach)")
    if source_spec is None:
        src, src_name = det.source(), f"{det.name} ({det.source_spec.get('type')})"
    elif source_spec == "solar":
        src, src_name = SolarSource(), "solar (B16-GS98)"
    elif source_spec == "reactor":
        if det.source_spec.get("type") != "reactor":
            raise NuemValueError(f"--source reactor: detector {det.name!r} has no reactor "
                                 "(use gemma or texono, or a flux FILE)")
        src, src_name = det.source(), f"reactor of {det.name}"
    else:
        src = TableSource.from_file(source_spec, flux_flavour, True if anti else None)
        src_name = f"file {source_spec} (nu{'bar' if src.anti else ''}_{src.flavour}, "\
                   "no oscillation)"
    length = None if length_m is None else length_m * meter
    lo, hi = signals.visible_window(det)
    lo = lo if e_min_kev is None else e_min_kev
    hi = hi if e_max_kev is None else e_max_kev
    if not lo < hi:
        raise NuemValueError(f"--e-min-kev {lo:g} must be below --e-max-kev {hi:g} (keV; "
                             f"{det.name}'s window is {det.response.window[0]:g} to "
                             f"{det.response.window[1]:g})")
    r = signals.window_rates(det, p.m_N, np.asarray(p.d), recoil, source=src,
                             majorana=majorana, length=length, window=(lo, hi))
    out: dict[str, Any] = {
        "m_N_GeV": m_n, "d_GeV_inv": d, "flavour": flavour, "convention": convention,
        "majorana": majorana, "detector": det.name, "target": det.target, "recoil": recoil,
        "source": src_name, "window_keVee": [lo, hi],
        "T_range_keV": r["T_range_keV"],
        "rate_per_tonne_year": r["total"], "rate_per_tonne_day": r["total"] * day / year,
        "exposure_t_yr": det.exposure_t_yr, "events_in_exposure": r["total"] * det.exposure_t_yr}
    if length is not None:
        out.update(length_m=length_m, recoil_only_per_tonne_year=r["escape"],
                   double_bang_per_tonne_year=r["double_bang"])
    if upstream_m is not None:
        out.update(upstream_m=upstream_m, gap_m=gap_m,
                   single_photon_per_tonne_year_upstream=signals.single_photon_rate(
                       src, p.m_N, np.asarray(p.d), det.target, recoil,
                       thickness=upstream_m * meter, gap=gap_m * meter, length=length,
                       majorana=majorana))
    out["references"] = citations.used()
    if as_json:
        _emit(out, True)
    else:
        t = Table(title=f"{det.name}: {recoil} recoils from N ({m_n:g} GeV), d = {d:g} GeV^-1 "
                        f"({flavour}, {convention})")
        for k in ("rate_per_tonne_year", "rate_per_tonne_day", "events_in_exposure",
                  "recoil_only_per_tonne_year", "double_bang_per_tonne_year",
                  "single_photon_per_tonne_year_upstream"):
            if out.get(k) is not None:
                t.add_row(k, f"{out[k]:.4e}")
        _emit(out, False, t)
    if cite:
        click.echo("\n".join(_cite_lines()))


# --- scans on Dask (issue 23) ------------------------------------------------------------
def _scheduler_address(ctx: click.Context, param: click.Parameter, value: str | None):
    """--scheduler: an address like tcp://HOST:PORT, checked before anything starts."""
    from nuem.scan.engine import _ADDRESS

    if value is not None and not _ADDRESS.match(value):
        raise click.BadParameter(f"{value!r} is not an address like tcp://HOST:PORT",
                                 ctx=ctx, param=param)
    return value


#: The most local worker processes (or cluster jobs) ``nuem scan --workers`` starts.
MAX_SCAN_WORKERS = 4096


@cli.command("scan")
@click.argument("spec_path", metavar="SPEC.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out", type=OutPath("dir"), default=None,
              help="Zarr store (a directory) to write; its parent must exist.  "
                   "[default: the spec's store:, else SPEC.zarr]")
@click.option("--resume", "resume", type=OutPath("dir"), default=None, metavar="STORE",
              help="Continue STORE (same spec): only unfinished chunks run.")
@click.option("--overwrite", is_flag=True, help="Replace an existing store.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              callback=_scheduler_address,
              help="Connect to a running Dask scheduler at tcp://HOST:PORT.  "
                   "[default: a local cluster]")
@click.option("--cluster", type=click.Choice(["slurm", "pbs"]), default=None,
              help="Start a dask-jobqueue cluster (options from the spec's cluster: mapping).  "
                   "[default: a local cluster]")
@click.option("--workers", type=Count(1, MAX_SCAN_WORKERS), default=None,
              help=f"Local worker processes (1 to {MAX_SCAN_WORKERS}), or jobs with --cluster.  "
                   "[default: one per core]")
@click.option("--plot", is_flag=True, help="Draw the store's figures (STORE_<output>.png).")
@_json_option
def scan_cmd(spec_path: Path, out: Path | None, resume: Path | None, overwrite: bool,
             scheduler: str | None, cluster: str | None, workers: int | None, plot: bool,
             as_json: bool) -> None:
    """Run a parameter scan or toy ensemble (nuem.scan) on Dask into a Zarr store."""
    from nuem import scan

    spec = scan.load(spec_path)
    if resume is not None and out is not None and Path(out) != Path(resume):
        raise NuemValueError(f"--out {out} and --resume {resume} name different stores")
    store = resume or out or (Path(spec.store) if spec.store else spec_path.with_suffix(".zarr"))
    res = scan.run(spec, store, resume=resume is not None, overwrite=overwrite,
                   scheduler=scheduler, cluster=cluster, workers=workers)
    obj = res.to_dict()
    obj["summary"] = scan.summary(store)
    if plot:
        obj["figures"] = [str(p) for p in scan.plot(store)]
    if as_json:
        _emit(obj, True)
    else:
        click.echo(f"{res.store}: {res.n_chunks} chunks, {res.computed} computed, "
                   f"{res.skipped} already done, {len(res.failed)} failed, "
                   f"{res.seconds:.1f} s on {res.workers} workers")
        for k, v in obj["summary"].items():
            click.echo(f"  {k}: {v}")
        for i, err in res.failed.items():
            click.echo(f"  chunk {i} failed: {err}")
        if plot:
            click.echo("wrote " + ", ".join(obj["figures"]))
    if res.failed:
        click.echo(f"Error: {len(res.failed)} of {res.n_chunks} chunks failed (chunk_error in "
                   f"the store); run again with --resume {res.store} to retry them", err=True)
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; bad input ends as one line on stderr, exit status 2
    (see :class:`NuemGroup`)."""
    cli.main(args=argv, prog_name="nuem")


if __name__ == "__main__":  # pragma: no cover
    main()
