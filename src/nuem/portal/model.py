"""The active-to-sterile dipole portal: a heavy neutral lepton N with transition moments.

The one convention used inside nuem (stated here, and only here)
--------------------------------------------------------------------
    L  ⊃  sum_alpha  d_alpha  nubar_L^alpha  sigma^{mu nu}  N_R  F_{mu nu}  +  h.c.,

the convention of Magill, Plestid, Pospelov & Tsai, PRD 98, 115015 (2018)
[arXiv:1803.03262], Eq. (1) ("Magill convention"), used also by Plestid, PRD 104,
075027 (2021).  ``d_alpha`` is real and >= 0 (a phase is unobservable in the rates nuem
computes), in natural units eV^-1 inside nuem; the public constructors take GeV^-1
(:meth:`DipolePortal.from_gev`) or Bohr magnetons.  N has mass m_N and is Dirac or
Majorana.  In this convention (derived in :mod:`nuem.portal.decay`)

    Gamma(N -> nu gamma) = sum_alpha d_alpha^2 m_N^3 / (4 pi)     (Dirac N;
                                                                     Magill et al. Eq. (3))
    Gamma(N -> nu gamma) + Gamma(N -> nubar gamma) = 2 x that     (Majorana N),

and the upscattering nu_L e -> N e tends, for m_N -> 0, to the magnetic-moment cross
section alpha mu^2 (1/T - 1/E) with mu = 2 d (:mod:`nuem.portal.upscatter`).

Other conventions (converters :func:`to_internal` / :func:`from_internal`)
---------------------------------------------------------------------------
``"magill"``      d of Magill et al. 2018 (identity).
``"seminar"``     mu_nu^alpha of the seminar (seeds/003, "Active to sterile transition
                  magnetic moments"): L ⊃ (1/2) mu_nu^alpha nubar_L^alpha sigma N_R F,
                  so mu_nu = 2 d; this is the moment that plays the role of the ordinary
                  magnetic moment as m_N -> 0.  Gamma_Dirac = mu_nu^2 m_N^3 / (16 pi).
``"brdar"``       mu_nu of Brdar, Greljo, Kopp & Opferkuch, JCAP 01 (2021) 039
                  [arXiv:2007.15563], L ⊃ (mu_nu/2) nubar_L sigma N_R F + h.c., the same
                  normalisation as the seminar (mu_nu = 2 d), usually quoted in mu_B.
``"darknews-mu"`` DarkNews's ``mu_tr_alpha4`` (Abdullahi et al., arXiv:2207.04137;
                  DarkNews 0.4.8 ``model.py``: "dipole = t_aj = mu_tr / 2"), mu_tr = 2 d.
``"darknews-t"``  DarkNews's vertex ``t_aj`` = d.  With this mapping DarkNews's
                  upscattering cross sections equal ours (tests/portal/test_darknews.py),
                  but its width ``decay_rates.gamma_Ni_to_Nj_gamma`` is |t|^2 m^3/(8 pi)
                  (Dirac) and 2 |t|^2 m^3/(8 pi) (Majorana): exactly half of ours and of
                  Magill's printed d^2 m_N^3/(4 pi).  The two DarkNews routines are thus
                  normalised a factor sqrt(2) apart in t, and DarkNews's own angular
                  distribution ``diff_gamma_Ni_to_Nj_gamma`` integrates to its Dirac total
                  but to half its Majorana total.  nuem follows the Lagrangian (width and
                  cross section from one vertex, checked by explicit Dirac traces in
                  tests/portal/test_model_decay.py and against nuem.astro.decay).

A number in mu_B is converted with the Bohr magneton of :mod:`nuem.constants`
(mu_B = e / (2 m_e) in eV^-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, as_finite_array, require_choice
from nuem.units import GeV

CONVENTIONS: tuple[str, ...] = ("magill", "seminar", "brdar", "darknews-mu", "darknews-t")
FLAVOURS: tuple[str, ...] = ("e", "mu", "tau")

#: value in a convention = _FACTOR[convention] * d (Magill)
_FACTOR = {"magill": 1.0, "seminar": 2.0, "brdar": 2.0, "darknews-mu": 2.0, "darknews-t": 1.0}
_CITE = {"magill": ("Magill2018",), "seminar": (), "brdar": ("Brdar2021",),
         "darknews-mu": ("DarkNews2024",), "darknews-t": ("DarkNews2024",)}


def require_nonnegative(name: str, value, unit: str = "") -> np.ndarray:
    """Finite and >= 0, else :class:`NuemValueError` naming the value."""
    arr = as_finite_array(name, value)
    if np.any(arr < 0):
        bad = arr[arr < 0].flat[0] if arr.ndim else float(arr)
        raise NuemValueError(f"{name}={bad:g}{(' ' + unit) if unit else ''} must be >= 0")
    return arr


def to_internal(value, convention: str, unit: str = "eV^-1") -> np.ndarray:
    """A dipole coupling given in ``convention`` (see the module docstring) -> internal d
    [eV^-1].  ``unit`` is "eV^-1", "GeV^-1" or "mu_B"; broadcasts."""
    require_choice("convention", convention, CONVENTIONS)
    require_choice("unit", unit, ("eV^-1", "GeV^-1", "mu_B"))
    citations.register(*_CITE[convention], "Magill2018")
    v = require_nonnegative("d", value, unit)
    scale = {"eV^-1": 1.0, "GeV^-1": 1.0 / GeV, "mu_B": constants.mu_B}[unit]
    return v * scale / _FACTOR[convention]


def from_internal(d, convention: str, unit: str = "eV^-1") -> np.ndarray:
    """Internal d [eV^-1] -> the coupling of ``convention`` in ``unit``; inverse of
    :func:`to_internal`."""
    require_choice("convention", convention, CONVENTIONS)
    require_choice("unit", unit, ("eV^-1", "GeV^-1", "mu_B"))
    citations.register(*_CITE[convention], "Magill2018")
    v = require_nonnegative("d", d, "eV^-1")
    scale = {"eV^-1": 1.0, "GeV^-1": 1.0 / GeV, "mu_B": constants.mu_B}[unit]
    return v * _FACTOR[convention] / scale


def flavour_vector(d, flavour: str | None = None) -> np.ndarray:
    """(d_e, d_mu, d_tau) from three values, or from one value and ``flavour``
    ("e", "mu", "tau" or "universal")."""
    if flavour is None:
        v = require_nonnegative("d", d)
        if v.shape != (3,):
            raise NuemValueError(f"d must be three values (d_e, d_mu, d_tau) without a flavour, "
                                 f"got shape {v.shape}")
        return v
    require_choice("flavour", flavour, FLAVOURS + ("universal",))
    x = float(require_nonnegative("d", d))
    if flavour == "universal":
        return np.full(3, x)
    out = np.zeros(3)
    out[FLAVOURS.index(flavour)] = x
    return out


@dataclass(frozen=True)
class DipolePortal:
    """A heavy neutral lepton N: mass ``m_N`` [eV], transition moments ``d`` =
    (d_e, d_mu, d_tau) [eV^-1] in the internal (Magill) convention, Dirac or Majorana."""

    m_N: float
    d: tuple[float, float, float]
    majorana: bool = False

    def __post_init__(self) -> None:
        m = float(as_finite_array("m_N", self.m_N))
        if m <= 0:
            raise NuemValueError(f"m_N={m:g} eV must be > 0")
        v = flavour_vector(self.d)
        object.__setattr__(self, "m_N", m)
        object.__setattr__(self, "d", tuple(float(x) for x in v))

    @classmethod
    def from_gev(cls, m_N_GeV: float, d_GeV_inv, flavour: str | None = None,
                 majorana: bool = False, convention: str = "magill") -> "DipolePortal":
        """m_N in GeV and d in GeV^-1 (in ``convention``); ``flavour`` as in
        :func:`flavour_vector`."""
        m = float(as_finite_array("m_N", m_N_GeV))
        if m <= 0:
            raise NuemValueError(f"m_N={m:g} GeV must be > 0")
        d = to_internal(flavour_vector(d_GeV_inv, flavour), convention, "GeV^-1")
        return cls(m * GeV, tuple(d), majorana)

    @property
    def d2(self) -> float:
        """sum_alpha d_alpha^2 [eV^-2]: what the total width depends on."""
        return float(np.sum(np.square(self.d)))

    def d_in(self, convention: str, unit: str = "GeV^-1") -> np.ndarray:
        """The three couplings in another convention and unit."""
        return from_internal(np.asarray(self.d), convention, unit)
