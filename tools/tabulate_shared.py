"""Developer tool: tabulate the compact, cited tables nuem ships from ../shared/data.

Run from the repository root:  python tools/tabulate_shared.py
The package never reads ../shared at run time; it reads the files this script writes
under src/nuem/data/.  tests/ cross-check the shipped tables against ../shared/data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "src" / "nuem" / "data"

SOLAR_FILES = {  # component: (file, subsample step)
    "pp": ("pp_neutrino.txt", 1),
    "hep": ("hep_neutrino.txt", 5),
    "8B": ("B8_neutrino_flux.txt", 5),
    "13N": ("N13_neutrino.txt", 2),
    "15O": ("15O_neutrino.txt", 3),
    "17F": ("17F_neutrino.txt", 3),
}
ZONES = ["pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F"]


def _load(path: Path) -> np.ndarray:
    rows = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return np.array([[float(v) for v in r[:2]] for r in rows])


def solar_spectra() -> None:
    lines = [
        "# Solar neutrino spectral shapes dN/dE [1/MeV], each normalised to unit integral.",
        "# Source: J. N. Bahcall's standard tables (http://www.sns.ias.edu/~jnb, 'SNdata'):",
        "#   pp: J. N. Bahcall, PRC 56, 3391 (1997);  8B: J. N. Bahcall et al., PRC 54, 411 (1996)",
        "#   (central shape);  hep, 13N, 15O, 17F: J. N. Bahcall, 'Neutrino Astrophysics' (CUP 1989)",
        "#   and Bahcall & Ulrich, RMP 60, 297 (1988) allowed beta spectra.",
        "# Tabulated by nuem from those tables on their original energy nodes (subsampled).",
        "# Lines (pep 1.442 MeV; 7Be 0.3843 and 0.8613 MeV) are not tabulated: they are lines.",
        "# Columns: component, E_MeV, dN_dE_per_MeV",
        "component,E_MeV,dN_dE_per_MeV",
    ]
    for comp, (fname, step) in SOLAR_FILES.items():
        tab = _load(SHARED / "solar" / fname)
        idx = np.unique(np.r_[np.arange(0, len(tab), step), len(tab) - 1])
        e, s = tab[idx, 0], np.clip(tab[idx, 1], 0.0, None)
        if e[0] > 0:
            e, s = np.r_[0.0, e], np.r_[0.0, s]
        s = s / np.trapezoid(s, e)
        lines += [f"{comp},{ei:.6g},{si:.6g}" for ei, si in zip(e, s)]
    (DATA / "solar_spectra.csv").write_text("\n".join(lines) + "\n")


def production_zones() -> None:
    lines = [
        "# Radial production distributions f(x) of the solar neutrino fluxes, x = r / R_sun,",
        "# from the BS05(OP) standard solar model (Bahcall, Serenelli, Basu, ApJS 165, 400 (2006)),",
        "# as tabulated in arXiv:1302.2791; copied by nuem on the original nodes (unnormalised).",
        "# Columns: component, x, f",
        "component,x,f",
    ]
    for comp in ZONES:
        tab = _load(SHARED / "solar" / "production-zones" / f"{comp}_dist.txt")
        lines += [f"{comp},{x:.6g},{f:.6g}" for x, f in tab]
    (DATA / "solar_production_zones.csv").write_text("\n".join(lines) + "\n")


def xenonnt_efficiency() -> None:
    tab = _load(SHARED / "xenonnt-2022-sr0" / "efficiency.txt")
    idx = np.arange(len(tab))  # all rows: the table has a step at 10 keV
    lines = [
        "# XENONnT SR0 total electronic-recoil detection efficiency vs reconstructed energy.",
        "# Source: E. Aprile et al. (XENON), PRL 129, 161805 (2022), arXiv:2207.11330, Fig. 1;",
        "# from the collaboration's data release (efficiency.txt), all rows (there is a step at 10 keV).",
        "# Columns: E_keV, efficiency",
        "E_keV,efficiency",
    ]
    lines += [f"{e:.6g},{f:.6g}" for e, f in tab[idx]]
    (DATA / "detectors" / "xenonnt_sr0_efficiency.csv").write_text("\n".join(lines) + "\n")


def xenonnt_dataset() -> None:
    """Events (all 433, full precision) and the best-fit background B0 (all rows)."""
    head = ["# Source: E. Aprile et al. (XENON), PRL 129, 161805 (2022), arXiv:2207.11330;",
            "# the collaboration's data release for Fig. 5 ({f})."]
    ev = np.sort(np.loadtxt(SHARED / "xenonnt-2022-sr0" / "data_unbinned_1to30kev.txt"))
    lines = ["# XENONnT SR0 electronic-recoil events below 30 keV, all cuts applied (433 events).",
             *[h.format(f="data_unbinned_1to30kev.txt") for h in head],
             "# Column: E_keV = reconstructed energy [keV], sorted.", "E_keV"]
    lines += [f"{e:.7f}" for e in ev]
    (DATA / "datasets" / "xenonnt-2022_events.csv").write_text("\n".join(lines) + "\n")
    b0 = _load(SHARED / "xenonnt-2022-sr0" / "bkg_model.txt")
    lines = ["# XENONnT SR0 best-fit background model B0 (all components, solar-neutrino ER included).",
             *[h.format(f="bkg_model.txt") for h in head],
             "# Columns: E_keV = reconstructed energy [keV] (0.1 keV steps),",
             "#          rate = observed rate [events/(tonne year keV)], efficiency included.",
             "E_keV,rate"]
    lines += [f"{e:.2f},{r:.7g}" for e, r in b0]
    (DATA / "datasets" / "xenonnt-2022_b0.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    (DATA / "detectors").mkdir(exist_ok=True)
    (DATA / "datasets").mkdir(exist_ok=True)
    xenonnt_dataset()
    solar_spectra()
    production_zones()
    xenonnt_efficiency()
