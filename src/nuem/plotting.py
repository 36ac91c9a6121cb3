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
    ax.legend(fontsize=8.5, ncol=2, loc="upper right")
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
#: font sizes [pt] of figures meant to be read on a slide
_LABEL_PT = 9.5


def _place_labels(ax, items, placed=None, pad_pt: float = 5.0, max_shift: int = 14,
                  sides=(1, -1)):
    """Put each label beside its anchor without overlapping the labels already placed.

    ``items``: (x, y, text, colour) in data coordinates.  For each, offsets of ``pad_pt``
    to the right (then left) of the anchor, shifted up and down in steps of a line height,
    are tried in order of distance (``sides``: 1 right, -1 left); the first whose box lies inside the axes and clear of
    every placed box wins, and a thin leader line joins a shifted label to its anchor.
    ``placed``: display-space boxes to keep clear of (extended in place).  Returns them.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed = [] if placed is None else placed
    frame = ax.get_window_extent(renderer)
    for x, y, text, colour in items:
        t = ax.annotate(text, (x, y), xytext=(pad_pt, 0), textcoords="offset points",
                        fontsize=_LABEL_PT, color=colour, va="center", ha="left")
        line = _LABEL_PT * 1.25
        best = None
        for k in range(max_shift + 1):
            for sign in ((0,) if k == 0 else (1, -1)):
                for side in sides:
                    t.set_position((side * pad_pt, sign * k * line))
                    t.set_ha("left" if side > 0 else "right")
                    bb = t.get_window_extent(renderer).expanded(1.04, 1.1)
                    inside = (bb.x0 >= frame.x0 and bb.x1 <= frame.x1 and bb.y0 >= frame.y0
                              and bb.y1 <= frame.y1)
                    if inside and not any(bb.overlaps(o) for o in placed):
                        best = (side, sign * k * line, bb)
                        break
                if best:
                    break
            if best:
                break
        if best is None:  # nowhere free: keep it right of the anchor, inside the axes
            side, dy = 1, 0.0
            t.set_position((pad_pt, 0.0))
            bb = t.get_window_extent(renderer)
        else:
            side, dy, bb = best
        t.set_position((side * pad_pt, dy))
        t.set_ha("left" if side > 0 else "right")
        if dy != 0:
            t.arrow_patch = None
            t.set_annotation_clip(False)
            ax.annotate("", (x, y), xytext=(side * pad_pt, dy), textcoords="offset points",
                        arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6,
                                    "alpha": 0.7, "shrinkA": 0, "shrinkB": 2})
        placed.append(Bbox(bb.get_points()))
    return placed


def global_picture(path, entries, theory: dict, title: str = "") -> Path:
    """The global picture of magnetic-moment bounds (mu_B, log scale).

    Left panel, against year: laboratory limits ``entries`` of kind ``experiment`` as
    points (filled edge: value checked against the abstract), reported signal intervals as
    bars, each labelled beside its marker; theory expectations ``theory`` (from
    :func:`nuem.limits.theory_expectations`, computed, not tabulated) as labelled bands
    across the years.  Right panel, sharing the moment axis: the astrophysical,
    cosmological and theoretical entries as labelled bands from their value upward (the
    region they exclude; theory entries are expectations, drawn as short bands), one
    column per kind.  A legend names the kinds.  Writes ``path`` (PNG or PDF by suffix)
    and returns it.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = Path(path)
    fig = plt.figure(figsize=(13.0, 7.3))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.75, 1.75], wspace=0.04, left=0.07,
                          right=0.985, top=0.90, bottom=0.15)
    ax = fig.add_subplot(gs[0])
    axr = fig.add_subplot(gs[1], sharey=ax)
    ylo, yhi = 1e-21, 1e-5
    exp = [e for e in entries if e.kind == "experiment"]
    years = [e.year for e in exp] or [2000]
    x0, x1 = min(years) - 4, max(years) + 7
    ax.set_yscale("log")
    ax.set_xlim(x0, x1)
    ax.set_ylim(ylo, yhi)
    # theory bands across the years (computed by nuem.theory)
    sm = theory["sm"]
    ax.axhspan(*sm["range"], color="C4", alpha=0.22, lw=0)
    nat = theory["naturalness"]
    ax.axhspan(nat["value"] / 1.25, nat["value"] * 1.25, color="C4", alpha=0.45, lw=0)
    fig.canvas.draw()
    placed = []
    mk, col = _KIND_STYLE["experiment"]
    items = []
    for e in exp:
        if e.interval is not None:
            ax.plot([e.year, e.year], e.interval, color="C1", lw=5, alpha=0.8,
                    solid_capstyle="butt")
            items.append((e.year, e.interval[1], f"{e.experiment} {e.year} (signal)", "C1"))
            continue
        ax.scatter([e.year], [e.value], marker=mk, s=36, color=col, zorder=3,
                   edgecolor="k" if e.checked == "abstract" else "none")
        items.append((e.year, e.value, f"{e.experiment} {e.year}", "k"))
    # markers are obstacles for the labels too
    renderer = fig.canvas.get_renderer()
    from matplotlib.transforms import Bbox
    for x, y, _, _ in items:
        px, py = ax.transData.transform((x, y))
        placed.append(Bbox([[px - 4, py - 4], [px + 4, py + 4]]))
    # the theory band labels first, at the left edge
    for y, text in ((sm["range"][1], sm["label"] + " (nuem.theory.sm)"),
                    (nat["value"], nat["label"] + " (nuem.theory.naturalness)")):
        t = ax.text(x0 + 0.6, y * 2.0, text, fontsize=_LABEL_PT, color="C4", va="bottom")
        placed.append(t.get_window_extent(renderer))
    # labels sorted from the top so the crowded recent years fill downward in order
    items.sort(key=lambda it: (-it[1], it[0]))
    _place_labels(ax, items, placed)
    ax.set_xlabel("year of publication", fontsize=_LABEL_PT + 1)
    ax.set_ylabel(r"$|\mu_\nu| / \mu_B$", fontsize=_LABEL_PT + 2)
    ax.tick_params(labelsize=_LABEL_PT)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title("laboratory (90% CL) and theory", fontsize=_LABEL_PT + 1)
    # right panel: one column per kind, each bound a band from its value upward, its label
    # in a common column to the right (dotted guide from the band)
    cols = [k for k in ("astrophysics", "cosmology", "theory")
            if any(e.kind == k for e in entries)]
    width, label_x = 0.3, 0.4 * len(cols) + 0.05
    axr.set_xlim(-0.05, label_x + 3.3)
    axr.set_xticks([0.4 * k + width / 2 for k in range(len(cols))],
                   [c[:5] + "." if len(c) > 6 else c for c in cols], fontsize=_LABEL_PT - 1)
    axr.tick_params(axis="y", labelleft=False)
    axr.grid(True, which="major", axis="y", alpha=0.3)
    axr.set_title("astrophysics, cosmology (CL where stated) and theory", fontsize=_LABEL_PT + 1)
    fig.canvas.draw()
    ritems = []
    for k, kind in enumerate(cols):
        mk, colour = _KIND_STYLE[kind]
        rows = sorted((e for e in entries if e.kind == kind), key=lambda e: -e.value)
        for j, e in enumerate(rows):
            xa = 0.4 * k + (width - 0.08) * j / max(1, len(rows) - 1)
            top = e.value * (3.0 if kind == "theory" else 1e6)
            axr.fill_between([xa, xa + 0.08], e.value, min(top, yhi), color=colour,
                             alpha=0.12 if kind != "theory" else 0.3, lw=0)
            axr.plot([xa, xa + 0.08], [e.value, e.value], color=colour, lw=2)
            axr.plot([xa + 0.08, label_x], [e.value, e.value], color=colour, lw=0.6, ls=":",
                     alpha=0.8)
            cl = f" ({e.cl:.0%})" if e.cl is not None else ""
            ritems.append((label_x, e.value, f"{e.experiment} {e.year}{cl}", colour))
    ritems.sort(key=lambda it: -it[1])
    _place_labels(axr, ritems, [], pad_pt=3.0, max_shift=30, sides=(1,))
    handles = [
        Line2D([], [], marker="o", ls="", color="C0", markeredgecolor="k",
               label="experiment (edge: checked against abstract)"),
        Line2D([], [], color="C1", lw=5, label="reported signal interval"),
        Patch(color="C3", alpha=0.35, label="astrophysics (excluded above)"),
        Patch(color="C2", alpha=0.35, label="cosmology (excluded above)"),
        Patch(color="C4", alpha=0.45, label="theory expectation"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=_LABEL_PT - 0.5,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(title or "Neutrino magnetic moment: limits and expectations",
                 fontsize=_LABEL_PT + 3)
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
    ax.set_title(title, fontsize=10.5)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def _state_tex(label: str) -> str:
    """A state label of :class:`nuem.propagation.System` in mathtext: nu_e -> nu_e,
    nubar_mu -> nu-bar_mu, nu_e_R / nu_1 etc. keep their subscripts."""
    bar = label.startswith("nubar")
    sub = label.split("_", 1)[1] if "_" in label else ""
    sub = {"mu": r"\mu", "tau": r"\tau"}.get(sub, sub.replace("_", ","))
    core = r"\bar\nu" if bar else r"\nu"
    return f"${core}_{{{sub}}}$" if sub else f"${core}$"


def sfp_probabilities(path, E_MeV, P, states: list[str], initial: int = 0,
                      title: str = "") -> list[Path]:
    """P(states[initial] -> each state) against E [MeV]; writes ``path`` (PNG, and a PDF
    next to it).  P has shape (energies, initial states, final states)."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(7.2, 5.0))
    for j, s in enumerate(states):
        ax.plot(E_MeV, P[:, initial, j],
                label=rf"{_state_tex(states[initial])} $\to$ {_state_tex(s)}",
                ls="-" if j < len(states) // 2 else "--")
    ax.set_xscale("log")
    ax.set_xlabel("neutrino energy [MeV]")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=10.5)
    ax.legend(fontsize=9, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.16))
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
        ax.set_title(d, fontsize=10.5)
        ax.legend(fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return _save_png_pdf(fig, path)
