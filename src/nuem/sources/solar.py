"""Solar neutrinos: the B16 standard solar models with every flux component.

Fluxes: Vinyoles et al., ApJ 835, 202 (2017), Table 6 (``data/solar_fluxes_b16.csv``),
for the GS98 (high-metallicity) and AGSS09met (low-metallicity) compositions.
Spectral shapes: Bahcall's standard tables (``data/solar_spectra.csv``; pp from Bahcall,
PRC 56, 3391 (1997); 8B from Bahcall et al., PRC 54, 411 (1996); hep, 13N, 15O, 17F
allowed beta spectra from Bahcall 1989).  Lines: pep at 1.442 MeV and 7Be at 0.8613
(89.7%) and 0.3843 MeV (10.3%) (Bahcall 1989, Table 6.5), integrated exactly.

At Earth the nu_e arrive as an incoherent mixture of mass states (adiabatic MSW,
:func:`nuem.mixing.solar_mass_fractions`), averaged over each component's production zone.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from nuem.data import read_table
from nuem import citations, mixing
from nuem._errors import require_choice
from nuem.sources.base import Component, Source
from nuem.units import MeV, cm, second

MODELS: tuple[str, ...] = ("B16-GS98", "B16-AGSS09met")
COMPONENTS: tuple[str, ...] = ("pp", "pep", "hep", "7Be-384", "7Be-861", "8B", "13N", "15O", "17F")
#: line energies [MeV] and the 7Be branching to the 384 keV line (Bahcall 1989)
LINE_MEV = {"pep": 1.442, "7Be-384": 0.3843, "7Be-861": 0.8613}
BE7_BRANCH_384 = 0.103


@lru_cache(maxsize=1)
def _shapes() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    acc: dict[str, list[tuple[float, float]]] = {}
    for r in read_table("solar_spectra.csv"):
        acc.setdefault(r["component"], []).append((float(r["E_MeV"]), float(r["dN_dE_per_MeV"])))
    out = {}
    for k, v in acc.items():
        a = np.array(v)
        e = a[:, 0] * MeV
        s = a[:, 1] / MeV
        out[k] = (e, s / np.trapezoid(s, e))
    return out


@lru_cache(maxsize=1)
def _fluxes() -> dict[str, dict[str, tuple[float, float]]]:
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for r in read_table("solar_fluxes_b16.csv"):
        out.setdefault(r["model"], {})[r["component"]] = (float(r["flux_cm2_s"]),
                                                          float(r["rel_unc"]))
    return out


def flux_table(model: str = "B16-GS98") -> dict[str, tuple[float, float]]:
    """{component: (flux [cm^-2 s^-1], relative uncertainty)} as published (7Be: both lines)."""
    require_choice("model", model, MODELS)
    return dict(_fluxes()[model])


def _interp(e: np.ndarray, s: np.ndarray):
    def shape(E):
        return np.interp(np.asarray(E, dtype=float), e, s, left=0.0, right=0.0)
    return shape


class SolarSource(Source):
    """Solar nu_e flux at Earth from a B16 model; ``components`` may select a subset."""

    flavour = "e"
    anti = False

    def __init__(self, model: str = "B16-GS98", components: tuple[str, ...] | None = None,
                 params: mixing.OscillationParameters | None = None) -> None:
        require_choice("model", model, MODELS)
        for c in components or ():
            require_choice("component", c, COMPONENTS)
        self.model = model
        self.name = f"solar ({model})"
        self.params = params
        self._selected = tuple(components) if components else COMPONENTS

    def components(self) -> list[Component]:
        citations.register("Vinyoles2017", "BahcallSpectra", "Bahcall1989")
        flux = _fluxes()[self.model]
        shapes = _shapes()
        unit = 1.0 / (cm**2 * second)
        out = []
        for name in self._selected:
            if name in LINE_MEV:
                e = LINE_MEV[name] * MeV
                if name.startswith("7Be"):
                    frac = BE7_BRANCH_384 if name == "7Be-384" else 1.0 - BE7_BRANCH_384
                    phi = flux["7Be"][0] * frac
                else:
                    phi = flux[name][0]
                out.append(Component(name, phi * unit, e, line_energy=e))
            else:
                e, s = shapes[name]
                out.append(Component(name, flux[name][0] * unit, float(e[-1]), _interp(e, s),
                                     nodes=e))
        return out

    def arrival(self, E, component: Component) -> dict[str, np.ndarray]:
        zone = "7Be" if component.name.startswith("7Be") else component.name
        p = mixing.nufit() if self.params is None else self.params
        frac = mixing.solar_mass_fractions(E, zone, p)
        U = p.pmns()
        flav = frac @ (np.abs(U.T) ** 2)  # P(e -> beta) = sum_k P_ek |U_beta k|^2
        return {"flavour": flav, "mass_fractions": frac}

    def mu2(self, E, component: Component, moments) -> np.ndarray:
        """Effective mu^2 [mu_B^2] at energy E for a :class:`~nuem.moments.MomentMatrix`:
        incoherent mass states, sum_k P_ek(E) sum_j |lambda_jk|^2."""
        zone = "7Be" if component.name.startswith("7Be") else component.name
        return moments.mu2_solar(E, zone, self.params)
