"""Dimension-6 effective theory of a Dirac neutrino with a right-handed partner.

Reference: N. F. Bell, V. Cirigliano, M. J. Ramsey-Musolf, P. Vogel, M. B. Wise,
PRL 95, 151802 (2005), hep-ph/0504134 ("Bell et al. 2005" below).

Operators (Bell et al. 2005, Eqs. 7-9), with phi~ = i tau_2 phi^*:

* O1 = g1 Lbar phi~ sigma^{mu nu} nu_R B_{mu nu}
* O2 = g2 Lbar tau^a phi~ sigma^{mu nu} nu_R W^a_{mu nu}
* O3 = Lbar phi~ nu_R (phi^dag phi)

with ``L_eff = sum_j C_j(mu) O_j / Lambda^2 + h.c.``  The gauge couplings are part of
O1 and O2, so C1 and C2 are dimensionless numbers of order (loop factor) x (couplings
of the new physics).

Anomalous dimensions
--------------------
``mu dC/dmu = -gamma^T C`` (Bell et al. 2005, Eq. 22) with the one-loop matrix
``gamma(alpha1, alpha2, lambda)`` of Eq. (24).  nuem builds gamma from the published
one-loop gauge anomalous dimensions of the unit-normalised nu-SMEFT operators
O_NB, O_NW, O_LNH (Datta, Kumar, Liu, Marfatia, JHEP 02 (2021) 015, arXiv:2010.12109,
as implemented in the ``wilson`` package's nu-SMEFT runner) and the lambda dependence
of psi^2 phi^3 operators (Jenkins, Manohar, Trott, arXiv:1308.2627: 24 lambda), mapped
onto Bell et al.'s normalisation ``C_NB = g1 C1, C_NW = g2 C2, C_LNH = C3``.  The map
includes the running of the g_i that sit inside O1 and O2 (-beta_gi / g_i).  The result
reproduces the structural statement of Bell et al. that C+ = C1 + C2 (the photon
dipole) renormalises multiplicatively, and their coefficient 8e-15 in Eq. (27) (see
:mod:`nuem.theory.naturalness`).  In alpha_i = g_i^2 / 4 pi (g1 in SM normalisation):

====  ==========================================
g11   (9 a2 - 3 a1) / (16 pi)
g12   3 a1 / (8 pi)
g13   -3 a1 (a1 + a2)
g21   9 a2 / (8 pi)
g22   (3 a1 - 9 a2) / (16 pi)
g23   3 a2 (a1 + 3 a2)
g33   (9 a1 + 27 a2) / (16 pi) - 3 lambda / (2 pi^2)
====  ==========================================

(g31 = g32 = 0: O3 does not mix back into the dipoles.)  The mixing into O3 is of
order alpha^2 without a visible 1/16 pi^2 because O1 and O2 carry a gauge coupling.
Yukawa-coupling terms (Higgs wave-function renormalisation) are not included, as in
Bell et al. 2005.

Solutions (one API, :meth:`DiracEFT.run`):

* ``"leading-log"``: Bell et al. 2005 Eq. (25), C(mu) = (1 + gamma^T ln(Lambda/mu)) C(Lambda),
  with gamma at the frozen couplings.
* ``"resummed"``: C(mu) = exp(gamma^T ln(Lambda/mu)) C(Lambda), frozen couplings.
* ``"running"``: numerical solution of Eq. (22) with gamma evaluated on the one-loop SM
  running couplings of :mod:`nuem.theory.couplings` (g1, g2, lambda; lambda runs with y_t).

Frozen couplings default to the PDG 2024 MSbar values at M_Z.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Union

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice
from nuem.theory.couplings import MU_MAX, FrozenCouplings, SMCouplings, default_running

METHODS: tuple[str, ...] = ("leading-log", "resummed", "running")
Couplings = Union[FrozenCouplings, SMCouplings]


def anomalous_dimension(alpha1: object, alpha2: object, lam: object) -> np.ndarray:
    """One-loop anomalous-dimension matrix gamma of Bell et al. 2005, Eq. (24).

    Parameters
    ----------
    alpha1, alpha2 : array_like
        g1^2/4pi (SM normalisation) and g2^2/4pi at the scale of interest.
    lam : array_like
        Higgs quartic, V = lambda (phi^dag phi - v^2/2)^2.

    Returns
    -------
    ndarray, shape (..., 3, 3)
        gamma[..., i, j] in the convention mu dC_j/dmu = -sum_i gamma_ij C_i
        (i.e. mu dC/dmu = -gamma^T C).  Entries are listed in the module docstring.
    """
    citations.register("Bell2005", "Datta2021", "Jenkins2013")
    a1, a2, la = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (alpha1, alpha2, lam)))
    pi = math.pi
    g = np.zeros((*a1.shape, 3, 3))
    g[..., 0, 0] = (9 * a2 - 3 * a1) / (16 * pi)
    g[..., 0, 1] = 3 * a1 / (8 * pi)
    g[..., 0, 2] = -3 * a1 * (a1 + a2)
    g[..., 1, 0] = 9 * a2 / (8 * pi)
    g[..., 1, 1] = (3 * a1 - 9 * a2) / (16 * pi)
    g[..., 1, 2] = 3 * a2 * (a1 + 3 * a2)
    g[..., 2, 2] = (9 * a1 + 27 * a2) / (16 * pi) - 3 * la / (2 * pi**2)
    return g


def _alphas(couplings: Couplings, mu: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g1, g2, lam = couplings.at(mu)
    return g1**2 / (4 * math.pi), g2**2 / (4 * math.pi), lam


def gamma_at(couplings: Couplings, mu: object) -> np.ndarray:
    """gamma (Eq. 24) evaluated on a coupling set at scale ``mu`` [eV]."""
    return anomalous_dimension(*_alphas(couplings, mu))


def gamma_pm(alpha1: object, alpha2: object, lam: object = 0.0) -> dict[str, np.ndarray]:
    """The C+/C- combinations entering Bell et al. 2005 Eq. (25).

    With C+ = C1 + C2 and C- = C1 - C2 the one-loop equations read

    * mu dC+/dmu = -gamma~ C+   (the photon dipole evolves alone),
    * mu dC-/dmu = -gamma_mp C+ + gamma~ C-,
    * mu dC3/dmu = -(gamma_+ C+ + gamma_- C- + gamma_33 C3),

    so that at leading log C3(v) = C3(Lambda)(1 + gamma_33 L) + (gamma_+ C+ + gamma_- C-) L,
    L = ln(Lambda / v).  Returns ``tilde``, ``mp``, ``plus``, ``minus`` and ``33``:
    gamma~ = 3(a1 + 3 a2)/(16 pi), gamma_mp = (9 a2 - 3 a1)/(8 pi),
    gamma_+- = (gamma_13 +- gamma_23)/2, i.e. gamma_+ = 3/2 (3 a2^2 - a1^2) and
    gamma_- = -3/2 (a1^2 + 2 a1 a2 + 3 a2^2).
    """
    g = anomalous_dimension(alpha1, alpha2, lam)
    return {
        "tilde": g[..., 0, 0] + g[..., 0, 1],
        "mp": 0.5 * (g[..., 0, 0] - g[..., 0, 1] + g[..., 1, 0] - g[..., 1, 1]),
        "plus": 0.5 * (g[..., 0, 2] + g[..., 1, 2]),
        "minus": 0.5 * (g[..., 0, 2] - g[..., 1, 2]),
        "33": g[..., 2, 2],
    }


def check_scales(scale: object, mu: object | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Validate Lambda > v (and v <= mu <= Lambda); return both as arrays [eV]."""
    lam = as_finite_array("scale", scale)
    v = constants.v_higgs
    if np.any(lam <= v):
        raise NuemValueError(f"scale Lambda={lam.min() / 1e9:.6g} GeV must be > v = "
                             f"{v / 1e9:.6g} GeV (the EFT lives above electroweak breaking)")
    if np.any(lam > MU_MAX):
        raise NuemValueError(f"scale Lambda={lam.max() / 1e9:.6g} GeV must be <= 1e19 GeV")
    m = np.full_like(lam, v) if mu is None else as_finite_array("to", mu)
    if np.any(m < v * (1 - 1e-12)) or np.any(m > lam * (1 + 1e-12)):
        raise NuemValueError(f"to={np.min(m) / 1e9:.6g}..{np.max(m) / 1e9:.6g} GeV must lie "
                             f"between v = {v / 1e9:.6g} GeV and the scale Lambda")
    return lam, m


@lru_cache(maxsize=8)
def _propagator_W(couplings: SMCouplings):  # noqa: ANN202
    """Dense solution W(s), s = ln(mu), of dW/ds = W gamma^T(s), W(ln v) = 1.

    Then the evolution matrix is U(mu <- Lambda) = W(ln Lambda) W(ln mu)^-1, for every
    Lambda at once (one ODE solve serves a whole scan).
    """
    s0, s1 = math.log(constants.v_higgs), math.log(MU_MAX)

    def rhs(s: float, w: np.ndarray) -> np.ndarray:
        gT = gamma_at(couplings, math.exp(s)).T
        return (w.reshape(3, 3) @ gT).ravel()

    sol = solve_ivp(rhs, (s0, s1), np.eye(3).ravel(), method="DOP853", rtol=1e-12,
                    atol=1e-15, dense_output=True)
    if not sol.success:  # pragma: no cover
        raise RuntimeError(f"EFT running failed: {sol.message}")
    return sol.sol


def evolution_matrix(scale: object, mu: object | None = None, method: str = "resummed",
                     couplings: Couplings | None = None) -> np.ndarray:
    """U such that C(mu) = U C(Lambda); shape (..., 3, 3), broadcast over ``scale``/``mu``.

    Bell et al. 2005 Eqs. (22)-(25).  ``scale`` and ``mu`` in eV; ``mu`` defaults to v.
    ``couplings``: for "leading-log"/"resummed" the frozen set (default PDG 2024 at M_Z);
    for "running" an :class:`SMCouplings` (default PDG 2024) or a
    :class:`FrozenCouplings` (the frozen-coupling limit, solved numerically).
    """
    require_choice("method", method, METHODS)
    lam, m = check_scales(scale, mu)
    lam, m = np.broadcast_arrays(lam, m)
    L = np.log(lam / m)[..., None, None]
    if method == "running":
        c = default_running() if couplings is None else couplings
        if isinstance(c, SMCouplings):
            W = _propagator_W(c)
            wl = W(np.log(lam).ravel()).T.reshape((*lam.shape, 3, 3))
            wm = W(np.log(m).ravel()).T.reshape((*m.shape, 3, 3))
            return wl @ np.linalg.inv(wm)
    else:
        c = FrozenCouplings() if couplings is None else couplings
        if not isinstance(c, FrozenCouplings):
            raise NuemValueError(f"method={method!r} needs frozen couplings, "
                                 f"got {type(c).__name__}")
    gT = np.swapaxes(gamma_at(c, constants.M_Z), -1, -2)
    if method == "running":
        return _ode_constant(gT, L)
    if method == "leading-log":
        return np.eye(3) + gT * L
    return np.stack([expm(gT * x) for x in L.ravel()]).reshape((*L.shape[:-2], 3, 3))


def _ode_constant(gT: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Numerical solution of dC/dlnmu = -gamma^T C with constant gamma (frozen limit)."""
    Ls = L.ravel()
    sol = solve_ivp(lambda s, w: (w.reshape(3, 3) @ gT).ravel(), (0.0, float(Ls.max(initial=0))),
                    np.eye(3).ravel(), method="DOP853", rtol=1e-12, atol=1e-15,
                    dense_output=True)
    return sol.sol(Ls).T.reshape((*L.shape[:-2], 3, 3))


def mu_nu_over_muB(C1: object, C2: object, scale: object) -> np.ndarray:
    """Dirac magnetic moment in Bohr magnetons, Bell et al. 2005 Eq. (12).

    mu_nu / mu_B = -2 sqrt(2) m_e v [C1(v) + C2(v)] / Lambda^2, with v = 246.22 GeV
    (<phi^0> = v/sqrt2), the moment defined by L = -(mu/2) nubar sigma^{mu nu} nu F_{mu nu}
    and e = g1 cos(theta_W) = g2 sin(theta_W).  The overall sign is convention dependent;
    bounds use |mu_nu|.  Coefficients at v, ``scale`` in eV.
    """
    citations.register("Bell2005")
    lam = as_finite_array("scale", scale)
    return -2.0 * math.sqrt(2.0) * constants.m_e * constants.v_higgs * (
        np.asarray(C1) + np.asarray(C2)) / lam**2


def delta_m_nu(C3: object, scale: object) -> np.ndarray:
    """Neutrino mass contribution of O3, Bell et al. 2005 Eq. (13), in eV.

    delta m_nu = -C3(v) v^3 / (2 sqrt(2) Lambda^2)  (mass term -delta m nubar nu).
    """
    citations.register("Bell2005")
    lam = as_finite_array("scale", scale)
    return -np.asarray(C3) * constants.v_higgs**3 / (2.0 * math.sqrt(2.0) * lam**2)


@dataclass
class DiracEFT:
    """Wilson coefficients (C1, C2, C3) of Bell et al. 2005 at the scale ``scale`` [eV].

    Like ``wilson.Wilson``: the object holds coefficients at one scale and
    :meth:`run` returns them at another.  Physical outputs are plain functions of the
    coefficients at v (:func:`mu_nu_over_muB`, :func:`delta_m_nu`).

    Examples
    --------
    >>> from nuem.units import TeV
    >>> eft = DiracEFT(C=(1.0, 1.0, 0.0), scale=10 * TeV)
    >>> C_v = eft.run(method="resummed")
    """

    C: Sequence[float] | np.ndarray
    scale: float

    def __post_init__(self) -> None:
        c = as_finite_array("C", self.C)
        if c.shape[-1:] != (3,):
            raise NuemValueError(f"C={self.C!r} must hold three coefficients (C1, C2, C3)")
        self.C = c
        check_scales(self.scale)

    @classmethod
    def from_plus_minus(cls, c_plus: float, r: float, c3: float, scale: float) -> DiracEFT:
        """Build from C+ = C1 + C2, r = C-/C+ and C3 at Lambda."""
        return cls(C=(0.5 * c_plus * (1 + r), 0.5 * c_plus * (1 - r), c3), scale=scale)

    def run(self, mu: float | None = None, method: str = "resummed",
            couplings: Couplings | None = None) -> np.ndarray:
        """Coefficients at ``mu`` [eV] (default v), Bell et al. 2005 Eqs. (22)-(25)."""
        U = evolution_matrix(self.scale, mu, method, couplings)
        return np.einsum("...ij,...j->...i", U, self.C)

    def observables(self, method: str = "resummed", couplings: Couplings | None = None
                    ) -> dict[str, float]:
        """mu_nu/mu_B (Eq. 12) and delta m_nu [eV] (Eq. 13) from the coefficients at v."""
        c = self.run(None, method, couplings)
        return {"mu_nu_muB": float(mu_nu_over_muB(c[0], c[1], self.scale)),
                "delta_m_eV": float(delta_m_nu(c[2], self.scale))}
