"""Neutrino-nucleus elastic scattering: Standard-Model CEvNS and the magnetic-moment term.

E (neutrino energy) and T (nuclear recoil kinetic energy) in eV; cross sections in eV^-3.

* CEvNS (Freedman, PRD 9, 1389 (1974); in the form of e.g. Kosmas, Miranda, Papoulias,
  Tortola, Valle, PRD 92, 013011 (2015), Eq. (1)):
  dsigma/dT = G_F^2 M / (4 pi) Q_W^2 [1 - T/E - M T / (2 E^2)] F(q)^2,
  Q_W = N - (1 - 4 sin^2 theta_W) Z (weak charge, tree level).
* Magnetic moment (Vogel & Engel, PRD 39, 3378 (1989); Kosmas et al. 2015, Eq. (5)):
  dsigma/dT = (pi alpha^2 / m_e^2) mu^2 Z^2 F(q)^2 (1/T - 1/E), mu in Bohr magnetons,
  coherent on the Z protons with the same form factor (proton and neutron
  distributions are taken equal, as in those references).
* F(q): Helm form factor with the Lewin & Smith parametrisation, Astropart. Phys. 6, 87
  (1996), Eqs. (4.7)-(4.11): s = 0.9 fm, a = 0.52 fm, c = 1.23 A^(1/3) - 0.60 fm,
  R_n^2 = c^2 + (7/3) pi^2 a^2 - 5 s^2; q = sqrt(2 M T).
"""

from __future__ import annotations

import math

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError
from nuem.interactions.electron import KinematicsPolicy, MAGNETIC_PREFACTOR, _kinematics
from nuem.units import fm

HELM_S = 0.9 * fm
HELM_A = 0.52 * fm
HELM_C1 = 1.23 * fm
HELM_C0 = 0.60 * fm


def helm_form_factor(q, A: int) -> np.ndarray:
    """Helm form factor F(q) (Lewin & Smith 1996), q in eV, F(0) = 1."""
    citations.register("LewinSmith1996")
    q = np.asarray(q, dtype=float)
    c = HELM_C1 * A ** (1.0 / 3.0) - HELM_C0
    rn = math.sqrt(c**2 + (7.0 / 3.0) * math.pi**2 * HELM_A**2 - 5.0 * HELM_S**2)
    x = q * rn
    with np.errstate(invalid="ignore", divide="ignore"):
        j1 = np.where(x > 1e-6, (np.sin(x) - x * np.cos(x)) / x**2, x / 3.0)
        f = np.where(x > 1e-6, 3.0 * j1 / x, 1.0)
    return f * np.exp(-0.5 * (q * HELM_S) ** 2)


def _nucleus(Z: int, N: int) -> float:
    if Z < 1 or N < 0:
        raise NuemValueError(f"nucleus (Z={Z}, N={N}) needs Z >= 1 and N >= 0")
    return (Z + N) * constants.m_u


def dsigma_dT_cevns(E, T, Z: int, N: int, *, sin2w: float | None = None,
                    above_tmax: KinematicsPolicy = "raise") -> np.ndarray:
    """Standard-Model CEvNS dsigma/dT per nucleus [eV^-3] (flavour independent at tree level)."""
    citations.register("Freedman1974", "Kosmas2015")
    M = _nucleus(Z, N)
    E, T, ok = _kinematics(E, T, above_tmax, m_target=M)
    s2 = constants.sin2w_0 if sin2w is None else sin2w
    qw = N - (1.0 - 4.0 * s2) * Z
    F = helm_form_factor(np.sqrt(2.0 * M * T), Z + N)
    val = constants.G_F**2 * M / (4.0 * math.pi) * qw**2 * (
        1.0 - T / E - M * T / (2.0 * E**2)) * F**2
    return np.where(ok, np.maximum(val, 0.0), 0.0)


def dsigma_dT_magnetic_nucleus(E, T, Z: int, N: int, mu=1.0, *,
                               above_tmax: KinematicsPolicy = "raise") -> np.ndarray:
    """Magnetic-moment scattering on a nucleus [eV^-3] for effective moment mu [mu_B]."""
    citations.register("VogelEngel1989", "Kosmas2015")
    M = _nucleus(Z, N)
    E, T, ok = _kinematics(E, T, above_tmax, m_target=M)
    F = helm_form_factor(np.sqrt(2.0 * M * T), Z + N)
    val = MAGNETIC_PREFACTOR * np.asarray(mu, float) ** 2 * Z**2 * F**2 * (1.0 / T - 1.0 / E)
    return np.where(ok, np.maximum(val, 0.0), 0.0)
