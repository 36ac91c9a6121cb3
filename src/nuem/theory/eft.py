"""Dimension-6 effective theory of a Dirac neutrino with a right-handed partner.

Reference: N. F. Bell, V. Cirigliano, M. J. Ramsey-Musolf, P. Vogel, M. B. Wise,
PRL 95, 151802 (2005), hep-ph/0504134 ("Bell et al. 2005" below).  Equation numbers
are the paper's; every default below is the equation as printed there.

Operators (Bell et al. 2005, Eq. 8), with phi~ = i tau_2 phi^*:

* O1 = g1 Lbar phi~ sigma^{mu nu} nu_R B_{mu nu}
* O2 = g2 Lbar tau^a phi~ sigma^{mu nu} nu_R W^a_{mu nu}
* O3 = Lbar phi~ nu_R (phi^dag phi)

with ``L_eff = sum_j C_j(mu) O_j / Lambda^2 + h.c.`` (Eq. 6).  The gauge couplings are
part of O1 and O2.  After symmetry breaking phi -> (0, v/sqrt2) (Eq. 7, v = 246.22 GeV).

Anomalous dimensions (Eqs. 22-24)
---------------------------------
``mu dC_j/dmu + sum_k C_k gamma_kj = 0`` (Eq. 22), i.e. ``mu dC/dmu = -gamma^T C``, with
the one-loop matrix of Eq. (24) as printed, alpha_i = g_i^2/4pi:

====  ==========================================
g11   -3 (a1 - 3 a2) / (16 pi)
g12   3 a1 / (8 pi)
g13   -6 a1 (a1 + a2)
g21   9 a2 / (8 pi)
g22   3 (a1 - 3 a2) / (16 pi)
g23   6 a2 (a1 + 3 a2)
g33   9 (a1 + 3 a2) / (16 pi) - 5 lambda / (4 pi^2)
====  ==========================================

(g31 = g32 = 0.)  Two later conventions are options (``convention=``), each with its
own citation:

* ``"jmt2013"``: Eq. (24) with the lambda term of g33 replaced by the psi^2 phi^3
  value of Jenkins, Manohar & Trott, JHEP 10 (2013) 087, arXiv:1308.2627
  (mu dC/dmu = 24 lambda C / 16 pi^2, i.e. g33 lambda term -3 lambda/(2 pi^2)).
* ``"nusmeft"``: the unit-normalised nu-SMEFT operators O_NB, O_NW, O_LNH of Datta,
  Kumar, Liu & Marfatia, JHEP 02 (2021) 015, arXiv:2010.12109, mapped onto Bell et
  al.'s operators (C_NB = g1 C1, C_NW = g2 C2, C_LNH = C3): g13 and g23 are half the
  printed values, the lambda term is the JMT one, and the moment normalisation is
  mu/mu_B = -2 sqrt2 m_e v C+/Lambda^2.  The naturalness bound (Eq. 4) is the same in
  both (the factors of 2 cancel); per-coefficient outputs differ by exactly 2.  This
  mapping was carried over from earlier nuem versions and has not been re-derived from
  the Datta et al. text, which nuem's authors could not read in full.

Solutions (one API, :meth:`DiracEFT.run`):

* ``"leading-log"``: Eq. (25), C(mu) = (1 + gamma^T ln(Lambda/mu)) C(Lambda), frozen gamma.
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

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice
from nuem.theory.couplings import MU_MAX, FrozenCouplings, SMCouplings, default_running

METHODS: tuple[str, ...] = ("leading-log", "resummed", "running")
#: Conventions for gamma and the moment normalisation (see the module docstring).
CONVENTIONS: tuple[str, ...] = ("bell2005", "jmt2013", "nusmeft")
Couplings = Union[FrozenCouplings, SMCouplings]

# (mixing factor on g13/g23, lambda coefficient of g33 in units of lambda/pi^2,
#  |mu/mu_B| per (m_e v C+/Lambda^2), citation keys)
_CONV = {
    "bell2005": (1.0, 5.0 / 4.0, 4.0 * math.sqrt(2.0), ("Bell2005",)),
    "jmt2013": (1.0, 3.0 / 2.0, 4.0 * math.sqrt(2.0), ("Bell2005", "Jenkins2013")),
    "nusmeft": (0.5, 3.0 / 2.0, 2.0 * math.sqrt(2.0), ("Bell2005", "Datta2021", "Jenkins2013")),
}


def _convention(convention: str) -> tuple[float, float, float, tuple[str, ...]]:
    require_choice("convention", convention, CONVENTIONS)
    return _CONV[convention]


def anomalous_dimension(alpha1: object, alpha2: object, lam: object,
                        convention: str = "bell2005") -> np.ndarray:
    """One-loop anomalous-dimension matrix gamma_jk of Bell et al. 2005, Eq. (24).

    Parameters
    ----------
    alpha1, alpha2 : array_like
        alpha_i = g_i^2/4pi (g1 in SM normalisation) at the scale of interest.
    lam : array_like
        Higgs quartic, V(phi) = lambda [(phi^dag phi) - v^2/2]^2 (Eq. 24 caption).
    convention : {"bell2005", "jmt2013", "nusmeft"}
        "bell2005" (default): Eq. (24) exactly as printed.  The others are the later
        conventions listed in the module docstring.

    Returns
    -------
    ndarray, shape (..., 3, 3)
        gamma[..., j, k], row j and column k as printed in Eq. (24); the RGE is
        mu dC_k/dmu = -sum_j C_j gamma_jk (Eq. 22).
    """
    mix, lam_coef, _, keys = _convention(convention)
    citations.register(*keys)
    a1, a2, la = np.broadcast_arrays(*(as_finite_array(n, x) for n, x in
                                       (("alpha1", alpha1), ("alpha2", alpha2), ("lam", lam))))
    pi = math.pi
    g = np.zeros((*a1.shape, 3, 3))
    g[..., 0, 0] = -3.0 / (16 * pi) * (a1 - 3 * a2)
    g[..., 0, 1] = 3.0 / (8 * pi) * a1
    g[..., 0, 2] = -6.0 * mix * a1 * (a1 + a2)
    g[..., 1, 0] = 9.0 / (8 * pi) * a2
    g[..., 1, 1] = 3.0 / (16 * pi) * (a1 - 3 * a2)
    g[..., 1, 2] = 6.0 * mix * a2 * (a1 + 3 * a2)
    g[..., 2, 2] = 9.0 / (16 * pi) * (a1 + 3 * a2) - lam_coef * la / pi**2
    return g


def _alphas(couplings: Couplings, mu: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g1, g2, lam = couplings.at(mu)
    return g1**2 / (4 * math.pi), g2**2 / (4 * math.pi), lam


def gamma_at(couplings: Couplings, mu: object, convention: str = "bell2005") -> np.ndarray:
    """gamma (Eq. 24) evaluated on a coupling set at scale ``mu`` [eV]."""
    return anomalous_dimension(*_alphas(couplings, mu), convention=convention)


def gamma_pm(alpha1: object, alpha2: object, lam: object = 0.0,
             convention: str = "bell2005") -> dict[str, np.ndarray]:
    """The combinations of Bell et al. 2005 Eq. (25).

    With C+ = C1 + C2 and C- = C1 - C2, Eq. (22) with the matrix of Eq. (24) reads

    * mu dC+/dmu = -gamma~ C+   (the photon dipole evolves alone),
    * mu dC-/dmu = -gamma_mp C+ + gamma~ C-,
    * mu dC3/dmu = -(gamma_+ C+ + gamma_- C- + gamma_33 C3),

    so that at leading log (Eq. 25) C3(mu) = C3(Lambda)[1 - gamma_33 ln(mu/Lambda)]
    - [C+ gamma_+ + C- gamma_-] ln(mu/Lambda).  Returns ``tilde`` (gamma~ = 3(a1 + 3 a2)/16 pi),
    ``mp`` (gamma_mp = (9 a2 - 3 a1)/8 pi), ``plus`` and ``minus``
    (gamma_+- = (gamma_13 +- gamma_23)/2) and ``33``.
    """
    g = anomalous_dimension(alpha1, alpha2, lam, convention)
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
def _propagator_W(couplings: SMCouplings, convention: str):  # noqa: ANN202
    """Dense solution W(s), s = ln(mu), of dW/ds = W gamma^T(s), W(ln v) = 1.

    W(s)^-1 obeys the coefficient equation dC/ds = -gamma^T C with W^-1(ln v) = 1, so it
    is the evolution v -> mu, and the evolution Lambda -> mu is
    U(mu <- Lambda) = W(ln mu)^-1 W(ln Lambda), for every Lambda at once (one ODE solve
    serves a whole scan).
    """
    from scipy.integrate import solve_ivp  # lazy: keeps the CLI's start-up fast

    s0, s1 = math.log(constants.v_higgs), math.log(MU_MAX)

    def rhs(s: float, w: np.ndarray) -> np.ndarray:
        gT = gamma_at(couplings, math.exp(s), convention).T
        return (w.reshape(3, 3) @ gT).ravel()

    sol = solve_ivp(rhs, (s0, s1), np.eye(3).ravel(), method="DOP853", rtol=1e-12,
                    atol=1e-15, dense_output=True)
    if not sol.success:  # pragma: no cover
        raise RuntimeError(f"EFT running failed: {sol.message}")
    return sol.sol


def evolution_matrix(scale: object, mu: object | None = None, method: str = "resummed",
                     couplings: Couplings | None = None, convention: str = "bell2005"
                     ) -> np.ndarray:
    """U such that C(mu) = U C(Lambda); shape (..., 3, 3), broadcast over ``scale``/``mu``.

    Bell et al. 2005 Eqs. (22)-(25).  ``scale`` and ``mu`` in eV; ``mu`` defaults to v.
    ``couplings``: for "leading-log"/"resummed" the frozen set (default PDG 2024 at M_Z);
    for "running" an :class:`SMCouplings` (default PDG 2024) or a
    :class:`FrozenCouplings` (the frozen-coupling limit, solved numerically).
    """
    require_choice("method", method, METHODS)
    _convention(convention)
    lam, m = check_scales(scale, mu)
    lam, m = np.broadcast_arrays(lam, m)
    L = np.log(lam / m)[..., None, None]
    if method == "running":
        c = default_running() if couplings is None else couplings
        if isinstance(c, SMCouplings):
            W = _propagator_W(c, convention)
            wl = W(np.log(lam).ravel()).T.reshape((*lam.shape, 3, 3))
            wm = W(np.log(m).ravel()).T.reshape((*m.shape, 3, 3))
            return np.linalg.solve(wm, wl)
    else:
        c = FrozenCouplings() if couplings is None else couplings
        if not isinstance(c, FrozenCouplings):
            raise NuemValueError(f"method={method!r} needs frozen couplings, "
                                 f"got {type(c).__name__}")
    gT = np.swapaxes(gamma_at(c, constants.M_Z, convention), -1, -2)
    if method == "running":
        return _ode_constant(gT, L)
    if method == "leading-log":
        return np.eye(3) + gT * L
    from scipy.linalg import expm

    return np.stack([expm(gT * x) for x in L.ravel()]).reshape((*L.shape[:-2], 3, 3))


def _ode_constant(gT: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Numerical solution of dC/dlnmu = -gamma^T C with constant gamma (frozen limit)."""
    from scipy.integrate import solve_ivp

    Ls = L.ravel()
    sol = solve_ivp(lambda s, w: (w.reshape(3, 3) @ gT).ravel(), (0.0, float(Ls.max(initial=0))),
                    np.eye(3).ravel(), method="DOP853", rtol=1e-12, atol=1e-15,
                    dense_output=True)
    return sol.sol(Ls).T.reshape((*L.shape[:-2], 3, 3))


def mu_nu_over_muB(C1: object, C2: object, scale: object, convention: str = "bell2005"
                   ) -> np.ndarray:
    """Dirac magnetic moment in Bohr magnetons, Bell et al. 2005 Eq. (12), as printed.

    mu_nu / mu_B = -4 sqrt(2) (m_e v / Lambda^2) [C1(v) + C2(v)], v = 246.22 GeV
    (<phi> = v/sqrt2, Eq. 7), the moment defined by the operator -(mu_nu/4) nubar
    sigma^{mu nu} nu F_{mu nu} (Eq. 11) and e = g1 cos(theta_W) = g2 sin(theta_W).
    ``convention="nusmeft"`` gives the -2 sqrt(2) of that normalisation (module
    docstring).  Coefficients at v, ``scale`` in eV.
    """
    _, _, k, keys = _convention(convention)
    citations.register(*keys)
    lam = as_finite_array("scale", scale)
    return -k * constants.m_e * constants.v_higgs * (
        as_finite_array("C1", C1) + as_finite_array("C2", C2)) / lam**2


def delta_m_nu(C3: object, scale: object) -> np.ndarray:
    """Neutrino mass contribution of O3, Bell et al. 2005 Eq. (13), in eV.

    delta m_nu = -C3(v) v^3 / (2 sqrt(2) Lambda^2)  (mass term -delta m nubar_L nu_R).
    """
    citations.register("Bell2005")
    lam = as_finite_array("scale", scale)
    return -as_finite_array("C3", C3) * constants.v_higgs**3 / (2.0 * math.sqrt(2.0) * lam**2)


def mass_from_c4(C4: object) -> np.ndarray:
    """Dirac mass from the n = 4 operator O1^(4) = Lbar phi~ nu_R, Bell et al. 2005 (below Eq. 7).

    m_nu = -C1^(4) v / sqrt(2) in eV (v = 246.22 GeV).  The paper's |C1^(4)| <~ 5e-12 is
    the value that keeps m_nu below about 1 eV (5e-12 gives 0.87 eV).
    """
    citations.register("Bell2005")
    return -as_finite_array("C4", C4) * constants.v_higgs / math.sqrt(2.0)


def c4_from_mass(m_nu: object) -> np.ndarray:
    """Inverse of :func:`mass_from_c4`: C1^(4) = -sqrt(2) m_nu / v (m_nu in eV)."""
    citations.register("Bell2005")
    return -math.sqrt(2.0) * as_finite_array("m_nu", m_nu) / constants.v_higgs


@dataclass
class DiracEFT:
    """Wilson coefficients (C1, C2, C3) of Bell et al. 2005 at the scale ``scale`` [eV].

    Like ``wilson.Wilson``: the object holds coefficients at one scale and
    :meth:`run` returns them at another.  Physical outputs are plain functions of the
    coefficients at v (:func:`mu_nu_over_muB`, :func:`delta_m_nu`).  ``convention``
    selects gamma and the moment normalisation (default: Bell et al. 2005 as printed).

    Examples
    --------
    >>> from nuem.units import TeV
    >>> eft = DiracEFT(C=(1.0, 1.0, 0.0), scale=10 * TeV)
    >>> C_v = eft.run(method="resummed")
    """

    C: Sequence[float] | np.ndarray
    scale: float
    convention: str = "bell2005"

    def __post_init__(self) -> None:
        c = as_finite_array("C", self.C)
        if c.shape[-1:] != (3,):
            raise NuemValueError(f"C={self.C!r} must hold three coefficients (C1, C2, C3)")
        self.C = c
        check_scales(self.scale)
        _convention(self.convention)

    @classmethod
    def from_plus_minus(cls, c_plus: float, r: float, c3: float, scale: float,
                        convention: str = "bell2005") -> DiracEFT:
        """Build from C+ = C1 + C2, r = C-/C+ and C3 at Lambda."""
        return cls(C=(0.5 * c_plus * (1 + r), 0.5 * c_plus * (1 - r), c3), scale=scale,
                   convention=convention)

    def run(self, mu: float | None = None, method: str = "resummed",
            couplings: Couplings | None = None) -> np.ndarray:
        """Coefficients at ``mu`` [eV] (default v), Bell et al. 2005 Eqs. (22)-(25)."""
        U = evolution_matrix(self.scale, mu, method, couplings, self.convention)
        return np.einsum("...ij,...j->...i", U, self.C)

    def observables(self, method: str = "resummed", couplings: Couplings | None = None
                    ) -> dict[str, float]:
        """mu_nu/mu_B (Eq. 12) and delta m_nu [eV] (Eq. 13) from the coefficients at v."""
        c = self.run(None, method, couplings)
        return {"mu_nu_muB": float(mu_nu_over_muB(c[0], c[1], self.scale, self.convention)),
                "delta_m_eV": float(delta_m_nu(c[2], self.scale))}
