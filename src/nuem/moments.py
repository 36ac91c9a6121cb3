"""Neutrino magnetic-moment matrices and the effective moment an experiment sees.

A :class:`MomentMatrix` holds lambda_{jk} in the mass basis, in Bohr magnetons:
the amplitude for nu_k -> nu_j (Dirac: nu_kL -> nu_jR) with an electromagnetic
field.  Dirac moments are any complex 3x3 matrix; Majorana moments are antisymmetric
(lambda^T = -lambda), so there are no diagonal Majorana moments.  Conventions follow
Giunti & Studenikin, RMP 87, 531 (2015) [GiuntiStudenikin2015], section on effective
magnetic moments in scattering experiments:

* a neutrino produced as nu_alpha, i.e. with mass amplitudes c_k = U*_{alpha k}
  e^{-i m_k^2 L / 2E} at the detector, scatters with
  mu_eff^2 = sum_j | sum_k lambda_{jk} c_k |^2 ;
* an antineutrino nu-bar_alpha has c_k = U_{alpha k} e^{-i m_k^2 L / 2E} and the
  CPT-conjugate moment matrix -lambda^T, so mu_eff^2 = sum_j | sum_k lambda_{kj} c_k |^2.
  (For a reactor at short baseline this is the formula sum_j |sum_k U_ek mu_jk|^2.)
* for solar neutrinos the mass states arrive incoherently with probabilities
  P_ek(E) (:func:`nuem.mixing.solar_mass_fractions`), so
  mu_eff^2(E) = sum_k P_ek(E) sum_j |lambda_{jk}|^2 .
  For a flavour-diagonal Dirac matrix diag(mu_e, mu_mu, mu_tau) this reduces to
  sum_alpha mu_alpha^2 sum_k P_ek |U_alpha k|^2, and with theta13 = 0 exactly to
  the Borexino form P_ee mu_e^2 + (1 - P_ee)(c23^2 mu_mu^2 + s23^2 mu_tau^2)
  (Borexino Collaboration, PRD 96, 091103 (2017), Eq. (2)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nuem import citations, mixing
from nuem._errors import NuemValueError, as_finite_array, require_choice

KINDS: tuple[str, ...] = ("dirac", "majorana")
FLAVOUR_INDEX = {"e": 0, "mu": 1, "tau": 2}


@dataclass(frozen=True, eq=False)
class MomentMatrix:
    """Moment matrix lambda_{jk} in the mass basis [mu_B]; ``kind`` is dirac or majorana."""

    matrix: np.ndarray
    kind: str = "dirac"

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, KINDS)
        m = np.asarray(self.matrix, dtype=complex)
        if m.shape != (3, 3):
            raise NuemValueError(f"moment matrix must be 3x3, got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise NuemValueError("moment matrix has NaN or infinite entries")
        if self.kind == "majorana":
            scale = max(np.abs(m).max(), 1e-300)
            if np.abs(m + m.T).max() > 1e-12 * scale:
                raise NuemValueError("a Majorana moment matrix must be antisymmetric "
                                     "(lambda^T = -lambda); got a symmetric part")
        object.__setattr__(self, "matrix", m)

    # -- construction -------------------------------------------------------
    @classmethod
    def universal(cls, mu: float) -> "MomentMatrix":
        """Dirac, flavour-universal diagonal moment mu (the same in any basis)."""
        return cls(np.eye(3) * float(as_finite_array("mu", mu)), "dirac")

    @classmethod
    def from_flavour(cls, matrix_flavour, kind: str = "dirac",
                     params: mixing.OscillationParameters | None = None) -> "MomentMatrix":
        """From the flavour basis: lambda = U^dagger lambda_f U (Dirac) or U^T lambda_f U
        (Majorana, which keeps antisymmetry)."""
        require_choice("kind", kind, KINDS)
        U = (mixing.nufit() if params is None else params).pmns()
        lf = np.asarray(matrix_flavour, dtype=complex)
        m = (U.conj().T if kind == "dirac" else U.T) @ lf @ U
        return cls(m, kind)

    @classmethod
    def flavour_diagonal(cls, mu_e: float, mu_mu: float, mu_tau: float,
                         params: mixing.OscillationParameters | None = None) -> "MomentMatrix":
        """Dirac moments diagonal in flavour, diag(mu_e, mu_mu, mu_tau)."""
        return cls.from_flavour(np.diag([mu_e, mu_mu, mu_tau]), "dirac", params)

    def flavour_basis(self, params: mixing.OscillationParameters | None = None) -> np.ndarray:
        """lambda in the flavour basis (inverse of :meth:`from_flavour`)."""
        U = (mixing.nufit() if params is None else params).pmns()
        if self.kind == "dirac":
            return U @ self.matrix @ U.conj().T
        return U.conj() @ self.matrix @ U.conj().T

    # -- effective moments ----------------------------------------------------
    def mu2_coherent(self, flavour: str = "e", anti: bool = False, E=None, L=0.0,
                     params: mixing.OscillationParameters | None = None) -> np.ndarray:
        """mu_eff^2 [mu_B^2] for a beam produced as (anti)nu_flavour, after vacuum
        propagation over L [eV^-1] at energy E [eV] (L = 0: no phases; E then unused)."""
        citations.register("GiuntiStudenikin2015")
        require_choice("flavour", flavour, tuple(FLAVOUR_INDEX))
        p = mixing.nufit() if params is None else params
        U = p.pmns()
        row = U[FLAVOUR_INDEX[flavour]]
        c0 = row if anti else row.conj()
        L = np.asarray(L, dtype=float)
        if np.all(L == 0):
            c = c0
        else:
            if E is None:
                raise NuemValueError("E is required when L > 0")
            E = np.asarray(E, dtype=float)
            m2 = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])
            c = c0 * np.exp(-1j * m2 * (L / (2.0 * E))[..., None])
        lam = self.matrix.T if anti else self.matrix
        amp = np.einsum("jk,...k->...j", lam, c)
        return np.sum(np.abs(amp) ** 2, axis=-1)

    def mu2_reactor(self, params: mixing.OscillationParameters | None = None) -> float:
        """Short-baseline reactor nu-bar_e: sum_j |sum_k U_ek lambda_kj|^2 [mu_B^2]."""
        return float(self.mu2_coherent("e", anti=True, params=params))

    def mu2_solar(self, E, component: str, params: mixing.OscillationParameters | None = None
                  ) -> np.ndarray:
        """Solar nu_e of energy E [eV] from ``component``: sum_k P_ek(E) sum_j |lambda_jk|^2."""
        citations.register("GiuntiStudenikin2015")
        col = np.sum(np.abs(self.matrix) ** 2, axis=0)  # sum_j |lambda_jk|^2, per k
        return mixing.solar_mass_fractions(E, component, params) @ col


def borexino_form(pee, mu_e: float, mu_mu: float, mu_tau: float, s23sq: float) -> np.ndarray:
    """P_ee mu_e^2 + (1 - P_ee)(c23^2 mu_mu^2 + s23^2 mu_tau^2) (Borexino, PRD 96 091103, Eq. 2)."""
    pee = np.asarray(pee, dtype=float)
    return pee * mu_e**2 + (1.0 - pee) * ((1.0 - s23sq) * mu_mu**2 + s23sq * mu_tau**2)
