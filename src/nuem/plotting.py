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
              label=r"Eq. (3) estimate $(\alpha/16\pi)\Lambda^2\mu/m_e\mu_B$")
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
    paths = [out_stem.with_suffix(".png"), out_stem.with_suffix(".pdf")]
    for p in paths:
        fig.savefig(p, dpi=150)
    plt.close(fig)
    return paths


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
