"""Physical constants: the one source of truth (PDG 2024 / CODATA 2018).

Values are read from the shipped table ``data/constants_pdg2024.csv``; each row carries
its uncertainty, unit and source, and a row without a source is rejected at import.
The module attributes are plain floats in natural units (eV = 1), e.g.
``constants.m_e`` is the electron mass in eV and ``constants.G_F`` is in eV^-2.

``TABLE[name]`` gives the full :class:`Constant` record in its published unit.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources

from nuem._errors import NuemValueError

TABLE_FILE = "constants_pdg2024.csv"

# Conversion of each published unit to eV-based natural units.  These are unit
# prefixes, not physics; physics conversions (cm, s, tesla) live in units.py.
_UNIT_TO_EV = {"1": 1.0, "eV": 1.0, "MeV": 1e6, "GeV": 1e9, "GeV^-2": 1e-18}


@dataclass(frozen=True)
class Constant:
    """A measured or defined constant with its reference."""

    name: str
    value: float
    uncertainty: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise NuemValueError(f"constant {self.name!r} has no source; every constant needs one")
        if not math.isfinite(self.value):
            raise NuemValueError(f"constant {self.name!r} has non-finite value {self.value!r}")


def parse_table(text: str, filename: str = "<table>") -> dict[str, Constant]:
    """Parse a constants CSV (comment lines start with '#'); malformed rows raise."""
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    table: dict[str, Constant] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows))):
        try:
            fields = (row["name"], float(row["value"]), float(row["uncertainty"]),
                      row["unit"], row["source"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise NuemValueError(f"malformed row in {filename}: {row!r}") from exc
        c = Constant(*fields)
        table[c.name] = c
    return table


def _load(filename: str) -> dict[str, Constant]:
    text = resources.files("nuem.data").joinpath(filename).read_text(encoding="utf-8")
    return parse_table(text, filename)


TABLE: dict[str, Constant] = _load(TABLE_FILE)


def _nat(name: str) -> float:
    c = TABLE[name]
    return c.value * _UNIT_TO_EV[c.unit] if c.unit in _UNIT_TO_EV else c.value


#: fine-structure constant at q^2 = 0 (CODATA 2018)
alpha: float = TABLE["alpha"].value
#: elementary charge in Heaviside-Lorentz natural units, e = sqrt(4 pi alpha)
e_charge: float = math.sqrt(4.0 * math.pi * alpha)
#: charged-lepton masses [eV]
m_e: float = _nat("m_e")
m_mu: float = _nat("m_mu")
m_tau: float = _nat("m_tau")
#: Fermi constant [eV^-2]
G_F: float = _nat("G_F")
#: electroweak boson and Higgs masses [eV]
M_Z: float = _nat("M_Z")
M_W: float = _nat("M_W")
m_h: float = _nat("m_h")
m_t_pole: float = _nat("m_t_pole")
m_t_msbar: float = _nat("m_t_msbar")
#: MSbar couplings at M_Z (PDG 2024)
alpha_s_MZ: float = TABLE["alpha_s_MZ"].value
alpha_MZ: float = 1.0 / TABLE["alpha_inv_MZ_msbar"].value
sin2w_MZ: float = TABLE["sin2w_MZ_msbar"].value
#: Higgs vacuum expectation value v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV [eV]
#: (convention <phi^0> = v / sqrt(2)).
v_higgs: float = (math.sqrt(2.0) * G_F) ** -0.5
#: Bohr magneton e / (2 m_e) [eV^-1]
mu_B: float = e_charge / (2.0 * m_e)
#: Avogadro constant [mol^-1]
N_A: float = TABLE["N_A"].value
#: atomic mass constant m_u c^2 [eV] (nuclear masses M = A m_u in the CEvNS kinematics)
m_u: float = _nat("m_u")
#: low-energy (q^2 -> 0) MSbar weak mixing sin^2 theta-hat_W(0): the value that enters
#: neutrino-electron scattering at keV-MeV momentum transfer (PDG 2024 EW review).
sin2w_0: float = TABLE["sin2w_0_msbar"].value
#: nucleon masses [eV] (inverse-beta-decay kinematics)
m_p: float = _nat("m_p")
m_n: float = _nat("m_n")
#: nucleon magnetic moments in nuclear magnetons (CODATA 2018); the anomalous parts
#: kappa_p = mu_p - 1 and kappa_n = mu_n are the Pauli form factors at Q^2 = 0
mu_p_nuclear: float = TABLE["mu_p_over_mu_N"].value
mu_n_nuclear: float = TABLE["mu_n_over_mu_N"].value
