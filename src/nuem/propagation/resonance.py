"""Level crossings of spin and spin-flavour precession, their adiabaticity and Landau-Zener.

A spin(-flavour) resonance is where a level of the left-handed block crosses a level of
the right-handed block of H with the field switched off (B_perp = 0).  Examples: for one
Dirac flavour V_CC + V_NC - phi' = 0 (the twist resonance; see the sign convention in
:mod:`nuem.propagation.hamiltonian`); for Majorana nu_e -> nu-bar_mu,
sqrt(2) G_F (n_e - n_n) - phi' = Delta m^2 cos 2 theta / 2E (the RSFP condition,
Lim & Marciano 1988; Akhmedov 1988).

At a crossing x_r of levels a (left) and b (right) with coupling g = |<b| H_B |a>| and
slope beta = d(lambda_a - lambda_b)/dx, the adiabaticity parameter in the normalisation of
the nuem seminar is

    gamma = 2 (2 g)^2 / |beta|      (for one flavour: 2 (2 mu B)^2 / |V' - phi''|),

and the Landau-Zener probability to jump (stay on the diabatic level) is

    P_LZ = exp(-pi gamma / 4) = exp(-2 pi g^2 / |beta|)

(Landau 1932; Zener 1932; for neutrinos e.g. Akhmedov, Petcov & Smirnov 1993).
Units: x in eV^-1, g and lambda in eV, beta in eV^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nuem import citations
from nuem._errors import require_positive
from nuem.propagation.hamiltonian import System
from nuem.propagation.profiles import Profile


@dataclass(frozen=True)
class Crossing:
    """One left/right level crossing at energy ``energy`` [eV]."""

    energy: float
    x: float  # eV^-1
    left: int  # index of the left-handed level (ascending order within its block)
    right: int  # index of the right-handed level
    coupling: float  # g [eV]
    slope: float  # beta [eV^2]
    gamma: float
    p_jump: float


def landau_zener(gamma) -> np.ndarray:
    """Landau-Zener jump probability exp(-pi gamma / 4) for the adiabaticity gamma above."""
    citations.register("Landau1932")
    return np.exp(-0.25 * math.pi * np.asarray(gamma, dtype=float))


def adiabaticity(coupling, slope) -> np.ndarray:
    """gamma = 2 (2 g)^2 / |beta| for coupling g [eV] and level-slope difference beta [eV^2]."""
    g = np.asarray(coupling, dtype=float)
    return 8.0 * g**2 / np.abs(np.asarray(slope, dtype=float))


def _blocks(system: System, profile: Profile, E: float, x: np.ndarray):
    ne, nn, b, tw = profile.evaluate(x)
    K = system.k_matrix(ne, nn, np.zeros_like(b), tw, x=x)
    H0 = system.vacuum()[None] / E + K
    N = system.flavours
    wl, vl = np.linalg.eigh(H0[:, :N, :N])
    wr, vr = np.linalg.eigh(H0[:, N:, N:])
    # the field coupling <R|H_B|L> per unit B_perp, times B_perp(x)
    KB = system.k_matrix(ne * 0, nn * 0, b, tw * 0, x=x)[:, N:, :N]
    return wl, vl, wr, vr, KB


def crossings(system: System, profile: Profile, E, points: int = 4001) -> list[Crossing]:
    """All left/right level crossings along ``profile`` for each energy in E [eV].

    Levels are found on ``points`` grid points (log-spaced for paths spanning more than a
    factor 30 in x, else linear) and each sign change is refined by linear interpolation.
    """
    citations.register("AkhmedovPetcovSmirnov1993")
    E = require_positive("E", E, "eV").ravel()
    s, e = profile.start, profile.end
    x = np.geomspace(s, e, points) if (s > 0 and e / s > 30) else np.linspace(s, e, points)
    out: list[Crossing] = []
    N = system.flavours
    for En in E:
        wl, vl, wr, vr, KB = _blocks(system, profile, float(En), x)
        for i in range(N):
            for j in range(N):
                d = wl[:, i] - wr[:, j]
                idx = np.nonzero(((d[:-1] < 0) & (d[1:] >= 0)) | ((d[:-1] > 0) & (d[1:] <= 0)))[0]
                for k in idx:
                    t = d[k] / (d[k] - d[k + 1])  # d[k] != 0 here
                    xr = x[k] + t * (x[k + 1] - x[k])
                    xs = np.array([xr])
                    wl1, vl1, wr1, vr1, KB1 = _blocks(system, profile, float(En), xs)
                    g = float(np.abs(np.conj(vr1[0, :, j]) @ KB1[0] @ vl1[0, :, i]))
                    beta = (d[k + 1] - d[k]) / (x[k + 1] - x[k])
                    gam = float(adiabaticity(g, beta)) if beta != 0 else math.inf
                    out.append(Crossing(float(En), float(xr), i, j, g, float(beta), gam,
                                        float(landau_zener(gam))))
    return out
