"""Standard Model couplings and their one-loop running between M_Z and 10^19 GeV.

Conventions
-----------
* ``g1`` is the hypercharge coupling in **SM normalisation** (g1 = g' with
  e = g' cos(theta_W)); the GUT-normalised coupling is ``sqrt(5/3) g1`` and is
  available as :meth:`SMCouplings.g1_gut`.  ``alpha_i = g_i^2 / (4 pi)``.
* The Higgs potential is ``V = lambda (phi^dag phi - v^2/2)^2`` so that
  ``m_h^2 = 2 lambda v^2`` (Jenkins, Manohar, Trott, arXiv:1308.2627, Eq. 2.1).
* Renormalisation scale ``t = ln(mu)``; all scales in eV.

One-loop beta functions, 16 pi^2 dX/dt (Machacek & Vaughn 1983-85; written in this
normalisation in Buttazzo et al., arXiv:1307.3536, App. A, one-loop terms):

* g1: +41/6 g1^3,  g2: -19/6 g2^3,  g3: -7 g3^3
* y_t: y_t (9/2 y_t^2 - 8 g3^2 - 9/4 g2^2 - 17/12 g1^2)
* lambda: 24 lambda^2 - 6 y_t^4 + 12 lambda y_t^2 - 3 lambda (3 g2^2 + g1^2)
  + 3/8 (2 g2^4 + (g2^2 + g1^2)^2)

Only the top Yukawa is kept among the Yukawas.  Two-loop terms are not included:
the quantity nuem needs (the operator mixing of Bell et al. 2005) is a one-loop
leading-log effect, so one-loop running of its couplings is the consistent order.

Initial values (PDG 2024, via :mod:`nuem.constants`): alpha-hat(M_Z) and
sin^2 theta-hat(M_Z) in MSbar give g1 and g2 at M_Z; alpha_s(M_Z) gives g3; the top
Yukawa is fixed by y_t(mbar_t) = sqrt(2) mbar_t / v with the MSbar mass mbar_t(mbar_t);
lambda(M_Z) = m_h^2 / (2 v^2) (tree-level matching, an O(1%) approximation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array
from nuem.units import GeV

#: upper end of the tabulated running [eV]
MU_MAX: float = 1e19 * GeV
_LOOP = 16.0 * math.pi**2


def beta_one_loop(y: np.ndarray) -> np.ndarray:
    """One-loop SM beta functions dX/d ln(mu) for X = (g1, g2, g3, y_t, lambda).

    See the module docstring for the equations, conventions and references.
    """
    g1, g2, g3, yt, lam = y
    g1s, g2s, g3s, yts = g1 * g1, g2 * g2, g3 * g3, yt * yt
    return np.array([
        41.0 / 6.0 * g1 * g1s,
        -19.0 / 6.0 * g2 * g2s,
        -7.0 * g3 * g3s,
        yt * (4.5 * yts - 8.0 * g3s - 2.25 * g2s - 17.0 / 12.0 * g1s),
        24.0 * lam * lam - 6.0 * yts * yts + 12.0 * lam * yts - 3.0 * lam * (3.0 * g2s + g1s)
        + 0.375 * (2.0 * g2s * g2s + (g2s + g1s) ** 2),
    ]) / _LOOP


def pdg_gauge_couplings(alpha_em: float | None = None, sin2w: float | None = None,
                        alpha_s: float | None = None) -> tuple[float, float, float]:
    """(g1, g2, g3) at M_Z from alpha, sin^2 theta_W and alpha_s (defaults: PDG 2024 MSbar).

    g2 = e / sin(theta_W), g1 = e / cos(theta_W), e = sqrt(4 pi alpha), g3 = sqrt(4 pi alpha_s).
    """
    a = constants.alpha_MZ if alpha_em is None else alpha_em
    s2 = constants.sin2w_MZ if sin2w is None else sin2w
    als = constants.alpha_s_MZ if alpha_s is None else alpha_s
    if not 0.0 < s2 < 1.0:
        raise NuemValueError(f"sin2w={s2!r} must lie in (0, 1)")
    if a <= 0 or als <= 0:
        raise NuemValueError(f"couplings must be > 0 (alpha={a!r}, alpha_s={als!r})")
    e = math.sqrt(4.0 * math.pi * a)
    return e / math.sqrt(1.0 - s2), e / math.sqrt(s2), math.sqrt(4.0 * math.pi * als)


@dataclass(frozen=True)
class FrozenCouplings:
    """Couplings held fixed at every scale (the "frozen-coupling" limit).

    Default values are the PDG 2024 MSbar values at M_Z and lambda = m_h^2/(2 v^2).
    """

    g1: float = field(default_factory=lambda: pdg_gauge_couplings()[0])
    g2: float = field(default_factory=lambda: pdg_gauge_couplings()[1])
    lam: float = field(default_factory=lambda: constants.m_h**2 / (2.0 * constants.v_higgs**2))

    @classmethod
    def from_inputs(cls, alpha_em: float, sin2w: float, lam: float | None = None
                    ) -> FrozenCouplings:
        """Frozen couplings from alpha and sin^2 theta_W (for comparing with papers' inputs)."""
        g1, g2, _ = pdg_gauge_couplings(alpha_em, sin2w)
        return cls(g1, g2, cls().lam if lam is None else lam)

    def at(self, mu: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(g1, g2, lambda) broadcast to the shape of ``mu`` [eV]."""
        shape = np.shape(as_finite_array("mu", mu))
        return (np.full(shape, self.g1), np.full(shape, self.g2), np.full(shape, self.lam))


class SMCouplings:
    """One-loop running SM couplings between M_Z and :data:`MU_MAX` (PDG 2024 inputs).

    ``at(mu)`` returns (g1, g2, lambda) at scale ``mu`` [eV] (SM normalisation of g1),
    vectorised over ``mu``; ``state(mu)`` returns all five couplings.
    Asking outside [M_Z, MU_MAX] raises :class:`NuemValueError` (no extrapolation).
    """

    def __init__(self, alpha_em: float | None = None, sin2w: float | None = None,
                 alpha_s: float | None = None, m_t_msbar: float | None = None,
                 m_h: float | None = None) -> None:
        self.g0 = pdg_gauge_couplings(alpha_em, sin2w, alpha_s)
        self.m_t = constants.m_t_msbar if m_t_msbar is None else m_t_msbar
        mh = constants.m_h if m_h is None else m_h
        self.lam0 = mh**2 / (2.0 * constants.v_higgs**2)
        self.t0 = math.log(constants.M_Z)
        self.t1 = math.log(MU_MAX)

    def _solve(self, yt0: float, t_end: float, dense: bool = False):  # noqa: ANN202
        y0 = np.array([*self.g0, yt0, self.lam0])
        from scipy.integrate import solve_ivp  # lazy: keeps the CLI's start-up fast

        return solve_ivp(lambda t, y: beta_one_loop(y), (self.t0, t_end), y0, method="DOP853",
                         rtol=1e-11, atol=1e-13, dense_output=dense)

    @cached_property
    def yt_MZ(self) -> float:
        """y_t(M_Z) such that one-loop running gives y_t(mbar_t) = sqrt(2) mbar_t / v."""
        target = math.sqrt(2.0) * self.m_t / constants.v_higgs
        t_mt = math.log(self.m_t)
        from scipy.optimize import brentq

        return brentq(lambda y: self._solve(y, t_mt).y[3, -1] - target, 0.5, 1.5, xtol=1e-13)

    @cached_property
    def _dense(self):  # noqa: ANN202
        citations.register("MachacekVaughn", "Buttazzo2013", "PDG2024")
        sol = self._solve(self.yt_MZ, self.t1, dense=True)
        if not sol.success:  # pragma: no cover - DOP853 on a smooth 5-dim system
            raise RuntimeError(f"SM running failed: {sol.message}")
        return sol.sol

    def state(self, mu: object) -> np.ndarray:
        """(g1, g2, g3, y_t, lambda) at ``mu`` [eV]; shape (5, *mu.shape)."""
        m = as_finite_array("mu", mu)
        lo, hi = constants.M_Z, MU_MAX
        if np.any((m < lo * (1 - 1e-12)) | (m > hi * (1 + 1e-12))):
            raise NuemValueError(f"mu={m.min():.4g}..{m.max():.4g} eV is outside the running "
                                 f"range [M_Z, 1e19 GeV] = [{lo:.4g}, {hi:.4g}] eV")
        t = np.clip(np.log(m), self.t0, self.t1)
        return self._dense(t.ravel()).reshape((5, *m.shape))

    def at(self, mu: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self.state(mu)
        return s[0], s[1], s[4]

    def g1_gut(self, mu: object) -> np.ndarray:
        """GUT-normalised hypercharge coupling sqrt(5/3) g1 at ``mu``."""
        return math.sqrt(5.0 / 3.0) * self.state(mu)[0]


_DEFAULT: SMCouplings | None = None


def default_running() -> SMCouplings:
    """Shared PDG 2024 running-coupling instance (solved once, lazily)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SMCouplings()
    return _DEFAULT
