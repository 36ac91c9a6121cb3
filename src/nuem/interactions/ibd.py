"""Inverse beta decay nu-bar_e p -> e+ n.

Two forms, both total cross sections [eV^-2] of the antineutrino energy E [eV]:

``vogel-beacom`` (zeroth order in 1/M; Vogel & Beacom, PRD 60, 053003 (1999), Eqs. (11)-(12)):
    sigma = 0.0952e-42 cm^2 (E_e p_e / MeV^2), E_e = E - (m_n - m_p), p_e = sqrt(E_e^2 - m_e^2);
    the 0.0952 prefactor corresponds to the neutron lifetime used there.  Good to a few per
    cent at reactor energies; it overestimates the cross section at supernova energies.
``strumia-vissani`` (Strumia & Vissani, PLB 564, 42 (2003), Eq. (25)): the approximation to
    their full calculation (recoil, weak magnetism, radiative corrections),
    sigma = 1e-43 cm^2 p_e E_e (E/MeV)^(-0.07056 + 0.02018 ln(E/MeV) - 0.001953 ln^3(E/MeV)),
    with E_e = E - Delta, Delta = m_n - m_p; quoted there as accurate to a few per mille
    below 300 MeV.

Both vanish below the threshold E_th = ((m_n + m_e)^2 - m_p^2) / (2 m_p) = 1.806 MeV.
"""

from __future__ import annotations

import numpy as np

from nuem import citations, constants
from nuem._errors import require_choice, require_positive
from nuem.units import MeV, cm

SIGMA0 = 0.0952e-42 * cm**2 / MeV**2  # Vogel & Beacom 1999, Eq. (12)
SIGMA_SV = 1e-43 * cm**2 / MeV**2  # Strumia & Vissani 2003, Eq. (25)
MODELS = ("vogel-beacom", "strumia-vissani")


def threshold() -> float:
    """IBD threshold neutrino energy [eV]."""
    return ((constants.m_n + constants.m_e) ** 2 - constants.m_p**2) / (2.0 * constants.m_p)


def sigma_ibd(E, model: str = "vogel-beacom") -> np.ndarray:
    """IBD cross section [eV^-2] at antineutrino energy E [eV] (module docstring)."""
    require_choice("model", model, MODELS)
    E = require_positive("E", E, "eV")
    ee = E - (constants.m_n - constants.m_p)
    pe = np.sqrt(np.clip(ee**2 - constants.m_e**2, 0.0, None))
    if model == "vogel-beacom":
        citations.register("VogelBeacom1999")
        sig = SIGMA0 * ee * pe
    else:
        citations.register("StrumiaVissani2003")
        lnE = np.log(E / MeV)
        sig = SIGMA_SV * ee * pe * (E / MeV) ** (-0.07056 + 0.02018 * lnE - 0.001953 * lnE**3)
    return np.where(E >= threshold(), sig, 0.0)
