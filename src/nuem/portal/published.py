"""Published dipole-portal limits from the ``hnlimits`` package, and the (m_N, d) figure.

``hnlimits`` (HNLimits on PyPI, MIT licence; ``pip install nuem[sterile]``) ships the
digitised curves under ``HNLimits/include/data/dipole/``: flavour-universal files at the
top (e.g. ``Borexino_d.dat`` and ``Xenon1T_d.dat`` from Brdar et al., arXiv:2007.15563,
``LEPgz_d.dat`` from Magill et al., arXiv:1803.03262) and per-flavour folders ``e/``,
``mu/``, ``tau/``.  Each file is two columns, m_N [GeV] and d [GeV^-1], with the
experiment, CL and source arXiv id in its '#' header; nuem reads them where hnlimits
installed them and copies nothing.  The curves are used as hnlimits gives them, i.e. in
the d of its plots (the Magill convention of :mod:`nuem.portal.model`); files whose header
quotes mu_B (``*_muB*``) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from nuem._errors import NuemValueError, require_choice
from nuem.portal.model import FLAVOURS


@dataclass(frozen=True)
class Curve:
    name: str
    header: str
    arxiv: str | None
    m_GeV: np.ndarray
    d_GeV_inv: np.ndarray


def _root() -> Path:
    try:
        base = resources.files("HNLimits")
    except ModuleNotFoundError as exc:
        raise NuemValueError("the published dipole curves need hnlimits: "
                             "pip install 'nuem[sterile]' (or pip install hnlimits)") from exc
    return Path(str(base)) / "include" / "data" / "dipole"


def _read(path: Path) -> Curve | None:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    header = " ".join(ln.lstrip("#").strip() for ln in lines if ln.startswith("#"))
    rows = []
    for ln in lines:
        if ln.startswith("#") or not ln.strip():
            continue
        parts = ln.replace(",", " ").split()
        try:
            rows.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError):
            return None
    if len(rows) < 2:
        return None
    a = np.array(rows)
    m = re.search(r"Source arXiv:\s*([0-9.]+)", header)
    unit_mev = "(MeV)" in header or "[MeV]" in header
    return Curve(path.stem, header, m.group(1).rstrip(".") if m else None,
                 a[:, 0] * (1e-3 if unit_mev else 1.0), a[:, 1])


def curves(flavour: str = "mu") -> list[Curve]:
    """All hnlimits dipole curves that apply to ``flavour`` (e, mu, tau): the
    flavour-universal ones and that flavour's folder."""
    require_choice("flavour", flavour, FLAVOURS)
    root = _root()
    out = []
    for p in sorted(root.glob("*.dat")) + sorted((root / flavour).glob("*.dat")):
        if "muB" in p.stem:
            continue
        c = _read(p)
        if c is not None:
            out.append(c)
    return out


def figure(out: Path, flavour: str, ours: dict | None = None) -> Path:
    """Draw the hnlimits curves for ``flavour`` in the (m_N [GeV], d [GeV^-1]) plane with
    ``ours`` (the dict of :func:`nuem.portal.rates.d_limit`) overlaid; writes ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cs = curves(flavour)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    for c in cs:
        lab = c.name + (f" [{c.arxiv}]" if c.arxiv else "")
        ax.plot(c.m_GeV, c.d_GeV_inv, lw=1.2, label=lab)
    if ours is not None:
        m = np.array(ours["m_N_GeV"])
        d = np.array([np.nan if x is None else x for x in ours["d_GeV_inv"]])
        ax.plot(m, d, "k-", lw=2.5, label=f"nuem: {ours['dataset']} refit, d_{ours['flavour']} "
                                             f"({100 * ours['cl']:g}% CL)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("m_N [GeV]")
    ax.set_ylabel(f"d_{flavour} [GeV^-1] (Magill convention)")
    ax.set_title(f"Dipole portal, flavour {flavour}: hnlimits curves and nuem")
    ax.legend(fontsize=6, ncol=2, loc="upper left")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
