"""Standard-Model predictions for neutrino electromagnetic properties.

Dirac magnetic moment of a neutrino of mass m in the SM extended with right-handed
neutrinos, at one loop (K. Fujikawa, R. E. Shrock, PRL 45, 963 (1980); the formula as
quoted in Eq. (1) of A. G. Beda et al. (GEMMA), arXiv:0705.4576):

    mu = 3 e G_F m / (8 sqrt(2) pi^2) = [3 G_F m_e m / (4 sqrt(2) pi^2)] mu_B,

using mu_B = e / (2 m_e).  Masses in eV (natural units), result in Bohr magnetons.
"""

from __future__ import annotations

import math

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, require_choice, require_positive


def dirac_magnetic_moment(m_nu) -> np.ndarray:
    """|mu_nu| / mu_B for a Dirac neutrino of mass ``m_nu`` [eV] (> 0), vectorised."""
    citations.register("FujikawaShrock1980")
    m = require_positive("m_nu", m_nu, "eV")
    return 3.0 * constants.G_F * constants.m_e * m / (4.0 * math.sqrt(2.0) * math.pi**2)


def _lepton_masses() -> np.ndarray:
    return np.array([constants.m_e, constants.m_mu, constants.m_tau])


def charge_radius(flavour: str | None = None):
    """Standard-Model neutrino charge radius <r^2> [eV^-2] (convert with units.cm**2):

        <r^2>_l = G_F / (4 sqrt(2) pi^2) [3 - 2 ln(m_l^2 / M_W^2)]

    (Bernabeu, Papavassiliou & Vidal, PRL 89, 101802 (2002), Eq. (10); the gauge-independent
    definition from the pinch technique; 4.1, 2.4 and 1.5 x 10^-33 cm^2 for e, mu, tau).
    Convention: <r^2> enters the scattering as the shift of the vector coupling by
    (2/3) M_W^2 <r^2> sin^2 theta_W, as in :mod:`nuem.interactions.electron`.
    ``flavour`` e, mu or tau, or None for a dict of all three.
    """
    citations.register("BernabeuPapavassiliouVidal2002")
    names = ("e", "mu", "tau")
    if flavour is None:
        return {f: charge_radius(f) for f in names}
    require_choice("flavour", flavour, names)
    ml = _lepton_masses()[names.index(flavour)]
    return constants.G_F / (4.0 * math.sqrt(2.0) * math.pi**2) * (
        3.0 - 2.0 * math.log(ml**2 / constants.M_W**2))


def _pal_wolfenstein(masses, U) -> tuple[np.ndarray, np.ndarray]:
    """Checked masses [eV] and -3 G_F m_e/(16 sqrt2 pi^2) sum_l U*_li U_lj m_l^2/M_W^2 [mu_B/eV],
    the matrix shared by the magnetic (m_i + m_j) and electric (m_i - m_j) transition
    moments (Pal & Wolfenstein 1982).  ``U`` defaults to the NuFIT 6.0 NO PMNS matrix."""
    from nuem import mixing

    m = np.asarray(masses, dtype=float)
    if m.shape != (3,) or not np.all(np.isfinite(m)) or np.any(m < 0):
        raise NuemValueError(f"masses={masses!r} must be three finite masses >= 0 (eV)")
    U = mixing.nufit("NO").pmns() if U is None else np.asarray(U, dtype=complex)
    if U.shape != (3, 3) or np.abs(U.conj().T @ U - np.eye(3)).max() > 1e-8:
        raise NuemValueError("U must be a unitary 3x3 matrix (unphysical mixing)")
    S = np.einsum("li,lj,l->ij", U.conj(), U, _lepton_masses() ** 2 / constants.M_W**2)
    pref = -3.0 * constants.G_F * constants.m_e / (16.0 * math.sqrt(2.0) * math.pi**2)
    return m, pref * S


def transition_moments(masses, U=None, majorana: bool = False) -> np.ndarray:
    """Standard-Model transition magnetic moments mu_ij [mu_B] of massive neutrinos
    (one loop, leading order in m_l^2/M_W^2; Pal & Wolfenstein, PRD 25, 766 (1982);
    Giunti & Studenikin, RMP 87, 531 (2015), Eqs. (4.16)-(4.19)):

        Dirac     mu_ij = -3 G_F m_e (m_i + m_j) / (16 sqrt(2) pi^2) sum_l U*_li U_lj m_l^2/M_W^2,
        Majorana  mu_ij = 2 i Im of the same sum (the real part cancels: mu^M antisymmetric),

    in Bohr magnetons (mu_B = e/2m_e), i != j; the diagonal entries are the Dirac moments
    of :func:`dirac_magnetic_moment` (zero for Majorana).  ``masses`` (m1, m2, m3) [eV] >= 0,
    ``U`` the PMNS matrix (default NuFIT 6.0 NO).  Returns a complex (3, 3) array.
    """
    citations.register("PalWolfenstein1982", "GiuntiStudenikin2015")
    m, PS = _pal_wolfenstein(masses, U)
    mu = (m[:, None] + m[None, :]) * PS
    if majorana:
        mu = 2j * np.imag(mu)
        np.fill_diagonal(mu, 0.0)
    else:
        np.fill_diagonal(mu, np.where(m > 0, 3.0 * constants.G_F * constants.m_e * m
                                      / (4.0 * math.sqrt(2.0) * math.pi**2), 0.0))
    return mu


def electric_transition_moments(masses, U=None, majorana: bool = False) -> np.ndarray:
    """Standard-Model electric transition dipole moments eps_ij [mu_B] of massive neutrinos,
    as printed in the seminar of S. Jana (FLASY 2024, "Majorana scenario"; Pal & Wolfenstein,
    PRD 25, 766 (1982)):

        eps_ij = -3 e G_F (m_i - m_j) / (32 sqrt(2) pi^2) sum_l U*_li U_lj m_l^2/M_W^2,

    the "m_i - m_j" sign of the seminar's mu_ij formula (the magnetic moments, "m_i + m_j",
    are :func:`transition_moments`).  In Bohr magnetons the prefactor is
    3 G_F m_e/(16 sqrt2 pi^2).  For Majorana neutrinos only 2 Re of the Dirac expression
    survives (antisymmetric, real in this phase convention; some reviews carry a factor i).
    The diagonal vanishes; the moments vanish for degenerate masses.  ``masses`` (m1, m2, m3)
    [eV] >= 0, ``U`` the PMNS matrix (default NuFIT 6.0 NO).  Returns a complex (3, 3) array.
    """
    citations.register("PalWolfenstein1982", "Jana2024")
    m, PS = _pal_wolfenstein(masses, U)
    eps = (m[:, None] - m[None, :]) * PS
    return (2.0 * np.real(eps)).astype(complex) if majorana else eps
