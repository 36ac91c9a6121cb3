"""Named models of neutrino magnetic moments.  Each returns a :class:`nuem.moments.MomentMatrix`
(mass basis, Bohr magnetons), so every observable in nuem accepts its prediction.

Models
    ``standard-model``  the SM extended with neutrino masses: Fujikawa-Shrock diagonal Dirac
        moments and Pal-Wolfenstein transition moments (:func:`nuem.theory.sm.transition_moments`).
    ``left-right``  Dirac neutrinos in the SU(2)_L x SU(2)_R x U(1)_{B-L} model, where the
        charged-lepton mass enters through W_L-W_R mixing (:func:`left_right`).

Every model takes keyword parameters with the units stated in :data:`MODELS` (eV for masses
at the Python level; the CLI converts GeV where it says so) and raises ``ValueError`` naming
any parameter outside its physical range.

Not implemented (the formulas are not in the sources this package could check): the
R-parity-violating SUSY and Barr-Freire-Zee spin-symmetry estimates, the SU(2)_H model of
Babu, Jana & Lindner (JHEP 10 (2020) 040) and its muon g-2 correlation, and the Majorana
left-right transition moments of Czakon, Gluza & Zralek.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nuem import citations, constants
from nuem._errors import NuemValueError, require_choice, require_in_range
from nuem.moments import MomentMatrix


def left_right_moment(m_l, m_nu, xi, m_w2) -> np.ndarray:
    """Diagonal Dirac moment [mu_B] of the neutrino partnered with a charged lepton of mass
    ``m_l`` [eV] in the left-right symmetric model (one loop, W_1 = W_L cos xi - W_R sin xi
    light, W_2 heavy):

        mu = e G_F / (2 sqrt2 pi^2) [ m_l (1 - M_1^2/M_2^2) sin 2 xi + (3/4) m_nu (1 + M_1^2/M_2^2) ]

    (Kim, PRD 14, 3000 (1976); Beg, Marciano & Ruderman, PRD 17, 1395 (1978); as reviewed in
    Giunti & Studenikin, RMP 87, 531 (2015), Sec. IV on beyond-SM Dirac moments).  In Bohr
    magnetons e/(2 m_e) the prefactor is G_F m_e/(sqrt2 pi^2).  For xi -> 0 and M_2 -> inf it
    is the Fujikawa-Shrock moment 3 G_F m_e m_nu/(4 sqrt2 pi^2) (tested); the first term,
    linear in the charged-lepton mass, is the chirality flip on the internal lepton line
    that W_L-W_R mixing allows.  M_1 = M_W (PDG 2024).  Vectorised in all arguments.
    """
    citations.register("GiuntiStudenikin2015")
    r = constants.M_W**2 / np.asarray(m_w2, dtype=float) ** 2
    pref = constants.G_F * constants.m_e / (math.sqrt(2.0) * math.pi**2)
    return pref * (np.asarray(m_l, dtype=float) * (1.0 - r) * np.sin(2.0 * np.asarray(xi))
                   + 0.75 * np.asarray(m_nu, dtype=float) * (1.0 + r))


def left_right(m_nu: float = 0.05, xi: float = 0.0, m_w2: float = 5e12) -> MomentMatrix:
    """Left-right symmetric model, Dirac neutrinos (:func:`left_right_moment`), as a
    :class:`MomentMatrix`: diagonal in flavour, diag(mu_e, mu_mu, mu_tau) with each flavour's
    charged-lepton mass, rotated to the mass basis with the default PMNS matrix.  The flavour
    states are given the common mass ``m_nu`` [eV] >= 0 (the m_nu term is ~1e-19 mu_B and
    only matters at xi = 0).  ``xi`` [rad] the W_L-W_R mixing angle, |xi| <= pi/4;
    ``m_w2`` [eV] the heavy W mass, > M_W.
    """
    m_nu = require_in_range("m_nu", m_nu, 0.0, None, "eV")
    xi = require_in_range("xi", xi, -math.pi / 4, math.pi / 4, "rad")
    m_w2 = require_in_range("m_w2", m_w2, constants.M_W, None, "eV", lo_open=True)
    ml = np.array([constants.m_e, constants.m_mu, constants.m_tau])
    mu = left_right_moment(ml, m_nu, xi, m_w2)
    return MomentMatrix.flavour_diagonal(*[float(x) for x in mu])


def standard_model(m_lightest: float = 0.0, ordering: str = "NO",
                   kind: str = "dirac") -> MomentMatrix:
    """The Standard Model with massive neutrinos: masses from the lightest mass ``m_lightest``
    [eV] >= 0 and the NuFIT 6.0 splittings of ``ordering`` (NO or IO), moments from
    :func:`nuem.theory.sm.transition_moments` (Fujikawa-Shrock diagonal, Pal-Wolfenstein
    off-diagonal; ``kind`` dirac or majorana)."""
    from nuem.astro import decay
    from nuem.theory import sm

    require_choice("kind", kind, ("dirac", "majorana"))
    m_lightest = require_in_range("m_lightest", m_lightest, 0.0, None, "eV")
    masses = decay.masses(m_lightest, ordering)
    return MomentMatrix(sm.transition_moments(masses, majorana=(kind == "majorana")), kind)


#: neutrino energy [MeV] at which :func:`effective_moments` quotes the solar pp moment
SOLAR_PP_ENERGY_MEV = 0.3


def effective_moments(M: MomentMatrix) -> dict[str, float]:
    """The effective moments [mu_B] a short-baseline reactor experiment and a solar pp
    experiment (at :data:`SOLAR_PP_ENERGY_MEV`) see for the moment matrix ``M``
    (:meth:`MomentMatrix.mu2_reactor`, :meth:`MomentMatrix.mu2_solar`)."""
    from nuem.units import MeV

    solar = M.mu2_solar(np.array([SOLAR_PP_ENERGY_MEV * MeV]), "pp")[0]
    return {"reactor": float(np.sqrt(M.mu2_reactor())), "solar_pp": float(np.sqrt(solar))}


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its name, unit (the CLI's), default and scale to eV."""

    name: str
    unit: str
    default: float | str
    to_internal: float = 1.0
    help: str = ""


@dataclass(frozen=True)
class Model:
    name: str
    function: Callable[..., MomentMatrix]
    parameters: tuple[Parameter, ...]
    summary: str


MODELS: dict[str, Model] = {
    "left-right": Model("left-right", left_right, (
        Parameter("m_nu", "eV", 0.05, 1.0, "common neutrino mass"),
        Parameter("xi", "rad", 0.0, 1.0, "W_L-W_R mixing angle"),
        Parameter("m_w2", "GeV", 5000.0, 1e9, "heavy W mass")),
        "Left-right symmetric model, Dirac (Kim 1976; Beg, Marciano & Ruderman 1978)"),
    "standard-model": Model("standard-model", standard_model, (
        Parameter("m_lightest", "eV", 0.0, 1.0, "lightest neutrino mass"),
        Parameter("ordering", "", "NO", 1.0, "NO or IO"),
        Parameter("kind", "", "dirac", 1.0, "dirac or majorana")),
        "SM with massive neutrinos (Fujikawa-Shrock; Pal-Wolfenstein)"),
}


def predict(name: str, **params) -> MomentMatrix:
    """The :class:`MomentMatrix` of model ``name`` (a key of :data:`MODELS`) with parameters
    in the units :data:`MODELS` lists (the CLI's units: GeV where it says so).  Unknown
    parameters raise ``ValueError``."""
    require_choice("model", name, tuple(MODELS))
    model = MODELS[name]
    known = {p.name: p for p in model.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise NuemValueError(f"model {name!r} has no parameter(s) {', '.join(unknown)}; "
                             f"it takes {', '.join(known)}")
    kwargs = {}
    for p in model.parameters:
        v = params.get(p.name, p.default)
        if isinstance(p.default, str):
            kwargs[p.name] = str(v)
        else:
            kwargs[p.name] = require_in_range(p.name, v, unit=p.unit) * p.to_internal
    return model.function(**kwargs)
