"""Figures.  Composes library results only; no physics is computed here."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nuem.theory import naturalness as nat  # noqa: E402
from nuem.theory.eft import METHODS  # noqa: E402
from nuem.units import GeV, TeV  # noqa: E402

_STYLE = {"leading-log": ":", "resummed": "--", "running": "-"}


def _save_png_pdf(fig, stem: Path, dpi: int = 120) -> list[Path]:
    """Write ``fig`` as stem.png and stem.pdf, close it, return both paths."""
    out = [Path(stem).with_suffix(".png"), Path(stem).with_suffix(".pdf")]
    for p in out:
        fig.savefig(p, dpi=dpi)
    plt.close(fig)
    return out


def naturalness_scan(out_stem: Path, delta_m: float = 1.0, r_values=(0.0, 0.5, 1.0),
                     n: int = 120) -> list[Path]:
    """Bound on |mu_nu| vs Lambda (1 TeV - 1e16 GeV) for several r and all methods.

    The Eq. (3) quadratic-divergence estimate is drawn for comparison.  Writes
    ``out_stem.png`` and ``out_stem.pdf``; returns the paths.
    """
    scales = np.geomspace(1 * TeV, 1e16 * GeV, n)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(7.0, 6.4), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1.3]})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, r in enumerate(r_values):
        ll = nat.bound(scales, delta_m, r, method="leading-log")
        for m in METHODS:
            b = ll if m == "leading-log" else nat.bound(scales, delta_m, r, method=m)
            ax.loglog(scales / GeV, b, _STYLE[m], color=colours[k % len(colours)],
                      label=f"r = {r:g}, {m}")
            axr.semilogx(scales / GeV, b / ll, _STYLE[m], color=colours[k % len(colours)])
    # Eq. (3): mu such that the quadratic estimate equals delta_m (falls as Lambda^-2)
    eq3 = delta_m / nat.delta_m_quadratic_estimate(1.0, scales)
    ax.loglog(scales / GeV, eq3, color="0.4", lw=2.5, alpha=0.6,
              label=r"Eq. (3) estimate $(\alpha/32\pi)\Lambda^2\mu/m_e\mu_B$")
    ax.set_ylim(3e-17, 1e-12)
    ax.set_ylabel(r"naturalness bound on $|\mu_\nu|/\mu_B$")
    ax.set_title(rf"Dirac $\nu$, Bell et al. PRL 95 151802; $\delta m_\nu$ = {delta_m:g} eV")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    axr.set_xlabel(r"$\Lambda$ [GeV]")
    axr.set_ylabel("ratio to\nleading-log")
    axr.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    return _save_png_pdf(fig, out_stem, dpi=150)


def recoil_spectrum(path, E_keV, spectra: dict, title: str = "") -> Path:
    """Plot total, SM and EM parts of a recoil spectrum [events/(t yr keV)] against E [keV]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(E_keV, spectra["total"], label="total", color="k")
    ax.plot(E_keV, spectra["sm"], label="Standard Model", ls="--")
    if np.any(np.asarray(spectra["em"]) != 0):
        ax.plot(E_keV, spectra["em"], label="electromagnetic", ls=":")
    ax.set_xlabel("energy [keV]")
    ax.set_ylabel("events / (t yr keV)")
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


_KIND_STYLE = {"experiment": ("o", "C0"), "astrophysics": ("s", "C3"), "cosmology": ("D", "C2"),
               "theory": ("*", "C4")}


def global_picture(path, entries, theory: dict, title: str = "") -> Path:
    """The global picture of magnetic-moment bounds (mu_B, log scale) against year.

    ``entries``: :class:`nuem.limits.Limit` objects with quantity ``mu`` (experiments as
    points with the CL in the label, reported signal intervals as bars); astrophysical and
    cosmological bounds as horizontal bands from their value upward (excluded above);
    ``theory`` from :func:`nuem.limits.theory_expectations` (computed, not tabulated).
    Writes ``path`` (PNG or PDF by suffix) and returns it.
    """
    path = Path(path)
    fig, ax = plt.subplots(figsize=(12.0, 6.4))
    exp = [e for e in entries if e.kind == "experiment"]
    years = [e.year for e in exp] or [2000]
    x0, x1 = min(years) - 3, max(years) + 6
    for e in exp:
        mk, col = _KIND_STYLE["experiment"]
        if e.interval is not None:
            ax.plot([e.year, e.year], e.interval, color="C1", lw=4, alpha=0.8)
            ax.annotate(f"{e.experiment} (signal)", (e.year, e.interval[1]), fontsize=7,
                        xytext=(4, 2), textcoords="offset points", color="C1")
            continue
        ax.scatter([e.year], [e.value], marker=mk, color=col, zorder=3,
                   edgecolor="k" if e.checked == "abstract" else "none")
        ax.annotate(f"{e.experiment}", (e.year, e.value), fontsize=7, xytext=(4, -3),
                    textcoords="offset points")
    band = [e for e in entries if e.kind in ("astrophysics", "cosmology")]
    band = sorted(band, key=lambda x: x.value)
    ylo, yhi = np.log10(1e-21), np.log10(1e-6)
    for k, e in enumerate(band):  # labels stacked in the right margin, joined to their lines
        mk, col = _KIND_STYLE[e.kind]
        ax.axhline(e.value, color=col, lw=1.0, alpha=0.7, ls="--" if e.kind == "cosmology" else "-")
        yfrac = 0.42 + 0.045 * k
        ax.annotate(f"{e.experiment} ({e.year})", xy=(1.0, (np.log10(e.value) - ylo) / (yhi - ylo)),
                    xycoords="axes fraction", xytext=(1.02, yfrac), textcoords="axes fraction",
                    fontsize=7, color=col, va="center",
                    arrowprops={"arrowstyle": "-", "color": col, "lw": 0.6, "alpha": 0.7})
    if band:
        lo = min(e.value for e in band)
        ax.axhspan(lo, 1e-6, color="C3", alpha=0.06, lw=0)
    sm = theory["sm"]
    ax.axhspan(*sm["range"], color="C4", alpha=0.25, lw=0)
    ax.text(x0 + 0.5, sm["range"][1] * 1.3, sm["label"] + " (nuem.theory.sm)", fontsize=8,
            color="C4")
    nat = theory["naturalness"]
    ax.axhline(nat["value"], color="C4", lw=2)
    ax.text(x0 + 0.5, nat["value"] * 1.3, nat["label"] + " (nuem.theory.naturalness)",
            fontsize=8, color="C4")
    ax.set_yscale("log")
    ax.set_xlim(x0, x1)
    ax.set_ylim(1e-21, 1e-6)
    ax.set_xlabel("year")
    ax.set_ylabel(r"$|\mu_\nu| / \mu_B$")
    ax.set_title(title or "Neutrino magnetic moment: laboratory limits (points), astrophysics "
                 "and cosmology (lines, excluded above), theory (purple)", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    fig.subplots_adjust(left=0.07, right=0.70, top=0.93, bottom=0.09)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def dataset_fit(path, edges, observed, background, signal, label: str, title: str = "", *,
                background_label: str = "background (best fit)", background_best=None,
                best_label: str = "background, best fit") -> Path:
    """Observed counts per bin with Poisson errors, a fitted background (labelled
    ``background_label``: say which fit), that background plus the signal (``label``), and
    optionally the best-fit background ``background_best`` (all counts per bin, keV)."""
    path = Path(path)
    edges = np.asarray(edges, float)
    centres = 0.5 * (edges[1:] + edges[:-1])
    width = np.diff(edges)
    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    ax.errorbar(centres, observed / width, yerr=np.sqrt(np.maximum(observed, 1)) / width,
                xerr=width / 2, fmt="o", color="k", ms=3, label="data")
    if background_best is not None:
        ax.stairs(np.asarray(background_best) / width, edges, color="C2", lw=1.2, ls=":",
                  label=best_label)
    ax.stairs(background / width, edges, color="C0", lw=1.5, label=background_label)
    ax.stairs((background + signal) / width, edges, color="C3", lw=1.5, ls="--", label=label)
    ax.set_xlabel("reconstructed energy [keV]")
    ax.set_ylabel("events / keV")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def sfp_probabilities(path, E_MeV, P, states: list[str], initial: int = 0,
                      title: str = "") -> list[Path]:
    """P(states[initial] -> each state) against E [MeV]; writes ``path`` (PNG, and a PDF
    next to it).  P has shape (energies, initial states, final states)."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for j, s in enumerate(states):
        ax.plot(E_MeV, P[:, initial, j], label=f"{states[initial]} -> {s}",
                ls="-" if j < len(states) // 2 else "--")
    ax.set_xscale("log")
    ax.set_xlabel("neutrino energy [MeV]")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return _save_png_pdf(fig, path)


def supernova_event_spectra(path, E_MeV, spectra: dict[str, dict[str, np.ndarray]],
                            title: str = "") -> list[Path]:
    """Interaction spectra dN/dE [events/MeV] per detector, one panel each, one line per
    case (``spectra[case][detector]``); writes ``path`` (PNG and PDF)."""
    path = Path(path)
    detectors = list(next(iter(spectra.values())))
    fig, axes = plt.subplots(1, len(detectors), figsize=(4.2 * len(detectors), 3.8))
    axes = np.atleast_1d(axes)
    for ax, d in zip(axes, detectors):
        for case, spec in spectra.items():
            ax.plot(E_MeV, spec[d], label=case)
        ax.set_xlabel("neutrino energy [MeV]")
        ax.set_ylabel("events / MeV")
        ax.set_title(d, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return _save_png_pdf(fig, path)
