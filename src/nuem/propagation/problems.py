"""The reference problems of the propagation benchmarks and accuracy tests.

``p6``: Dirac, three flavours (6x6), a 1000 km path with rho = 1e4 exp(-x/200 km) g/cm^3
and Y_e = 0.5, a transition field with mu B_perp = 5e-11 eV exp(-x/300 km) for a
flavour-universal moment, a twist of 0.02 rad/km, delta_CP = 1.2 pi (other parameters
NuFIT 6.0 NO), energies 5-50 MeV, starting in nu_e,L (issue 5 of nuem).

``sn``: a supernova envelope rho = 1e10 (100 km / r)^3 g/cm^3 from 1e2 to 1e5 km, Y_e
from 0.46 in the iron core to 0.5 outside (edge at 1500 km), Majorana three flavours with
transition moments mu = 1e-12 mu_B on every flavour pair, B_perp = 1e12 G (100 km / r)^2
and a twist of 1e-3 rad/km, energies 1-60 MeV.
"""

from __future__ import annotations

import math

import numpy as np

from nuem import constants, mixing
from nuem.propagation import profiles
from nuem.propagation.hamiltonian import System
from nuem.units import MeV, gauss, km


def p6(n_energies: int = 1000) -> tuple[System, profiles.Profile, np.ndarray, str]:
    """(system, profile, energies [eV], initial state) of problem P6."""
    params = mixing.nufit("NO").replace(delta=1.2 * math.pi)
    mu = 5e-11 / constants.mu_B  # mu B_perp = 5e-11 eV at x = 0 with B_perp = 1 eV^2
    system = System(3, majorana=False, moments=mu, params=params)

    def rho(x):
        return 1e4 * np.exp(-np.asarray(x) / (200 * km))

    prof = profiles.Profile(
        0.0, 1000 * km,
        n_e=lambda x: profiles.electron_density(rho(x), 0.5),
        n_n=lambda x: profiles.electron_density(rho(x), 0.5),
        b_perp=lambda x: np.exp(-np.asarray(x) / (300 * km)),
        twist=0.02 / km, name="P6")
    E = np.linspace(5.0, 50.0, n_energies) * MeV
    return system, prof, E, "nu_e_L"


def sn(n_energies: int = 10_000) -> tuple[System, profiles.Profile, np.ndarray, str]:
    """(system, profile, energies [eV], initial state) of problem SN."""
    system = System(3, majorana=True, moments=1e-12)
    r0 = 100 * km
    prof = profiles.supernova("pre-explosion", r_start_km=100.0, r_end_km=1e5, rho0_gcc=1e10,
                              r0_km=100.0, ye_core=0.46, ye_envelope=0.5, r_fe_km=1500.0,
                              b_perp=profiles.power_law_field(1e12 * gauss, r0, 2.0),
                              twist=1e-3 / km)
    E = np.geomspace(1.0, 60.0, n_energies) * MeV
    return system, prof, E, "nu_e"
