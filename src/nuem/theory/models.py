"""Named models of neutrino magnetic moments.  Each returns a :class:`nuem.moments.MomentMatrix`
(mass basis, Bohr magnetons), so every observable in nuem accepts its prediction.

Models
    ``standard-model``  the SM extended with neutrino masses: Fujikawa-Shrock diagonal Dirac
        moments and Pal-Wolfenstein transition moments (:func:`nuem.theory.sm.transition_moments`).
    ``left-right``  Dirac neutrinos in the SU(2)_L x SU(2)_R x U(1)_{B-L} model, where the
        charged-lepton mass enters through W_L-W_R mixing (:func:`left_right`).

    ``su2h``  the SU(2)_H horizontal-symmetry model of Babu, Jana & Lindner (JHEP 10 (2020)
        040): a Majorana e-mu transition moment from charged-scalar loops with the tau
        (:func:`su2h_transition_moment`), as printed in the seminar of S. Jana (FLASY 2024).
    ``rpv-susy``  the R-parity-violating SUSY estimate printed in the same seminar,
        mu ~ lambda'^2/(16 pi^2) m_l^2 A_l / M^4, as a Majorana transition moment
        (:func:`rpv_susy_moment`).

Also here, as plain functions: the spin-symmetry suppression of the mass
(:func:`spin_symmetry_mass`, Barr, Freire & Zee 1990) and the anomaly-free millicharges
Q + epsilon (L_i - L_j) (:func:`lepton_number_millicharges`) that feed the scattering code.

Every model takes keyword parameters with the units stated in :data:`MODELS` (eV for masses
at the Python level; the CLI converts GeV where it says so) and raises ``ValueError`` naming
any parameter outside its physical range.

Moment units.  The seminar's formulas for su2h and rpv-susy have dimension 1/mass with the
photon coupling e factored out (the moment is e times the printed expression), so
mu/mu_B = 2 m_e x (printed expression).  This reading is nuem's; the seminar does not state
it.  Not implemented: the muon g-2 correlation of Babu, Jana, Lindner & Vishnu (2021) and
the Majorana left-right transition moments of Czakon, Gluza & Zralek (their formulas are not
in the sources nuem could check).
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


def su2h_transition_moment(f, f_prime, alpha, m_h, m_H) -> np.ndarray:
    """SU(2)_H e-mu transition moment [mu_B], Babu, Jana & Lindner, JHEP 10 (2020) 040, as
    printed in S. Jana's seminar (FLASY 2024, "SU(2)_H symmetry for enhanced neutrino
    magnetic moment"):

        mu_{nu_e nu_mu} = (f f' / 8 pi^2) m_tau sin 2 alpha [ (ln(m_h^2/m_tau^2) - 1)/m_h^2
                                                          - (ln(m_H^2/m_tau^2) - 1)/m_H^2 ],

    with f, f' the Yukawa couplings of the charged scalars, alpha their mixing angle [rad]
    and m_h, m_H [eV] the two charged-scalar masses.  In Bohr magnetons (module docstring):
    2 m_e times the expression.  It vanishes for m_h = m_H (the two diagrams cancel) and
    changes sign when the masses are swapped.  Vectorised.
    """
    citations.register("BabuJanaLindner2020", "Jana2024")
    mt2 = constants.m_tau**2

    def term(m):
        m2 = np.asarray(m, dtype=float) ** 2
        return (np.log(m2 / mt2) - 1.0) / m2

    x = (np.asarray(f, dtype=float) * np.asarray(f_prime, dtype=float) / (8 * math.pi**2)
         * constants.m_tau * np.sin(2 * np.asarray(alpha, dtype=float)) * (term(m_h) - term(m_H)))
    return 2.0 * constants.m_e * x


def su2h(f: float = 0.04, f_prime: float = 0.04, alpha: float = math.pi / 4,
         m_h: float = 100e9, m_H: float = 1000e9) -> MomentMatrix:
    """The SU(2)_H model (:func:`su2h_transition_moment`) as a Majorana :class:`MomentMatrix`:
    in the flavour basis lambda_{e mu} = -lambda_{mu e} = mu, all else zero.  |f|, |f'| <= 4 pi
    (perturbative), |alpha| <= pi/2, m_h and m_H > m_tau [eV].  The defaults (f = f' = 0.04,
    alpha = pi/4, 100 GeV and 1 TeV) give 2.6e-11 mu_B, inside the XENON1T window
    1.65-3.42e-11 mu_B of Babu, Jana & Lindner (arXiv:2007.04291, abstract)."""
    f = require_in_range("f", f, -4 * math.pi, 4 * math.pi)
    f_prime = require_in_range("f_prime", f_prime, -4 * math.pi, 4 * math.pi)
    alpha = require_in_range("alpha", alpha, -math.pi / 2, math.pi / 2, "rad")
    m_h = require_in_range("m_h", m_h, constants.m_tau, None, "eV", lo_open=True)
    m_H = require_in_range("m_H", m_H, constants.m_tau, None, "eV", lo_open=True)
    mu = float(su2h_transition_moment(f, f_prime, alpha, m_h, m_H))
    lf = np.zeros((3, 3))
    lf[0, 1], lf[1, 0] = mu, -mu
    return MomentMatrix.from_flavour(lf, "majorana")


def rpv_susy_moment(lambda_prime, m_l, a_l, m_slepton) -> np.ndarray:
    """R-parity-violating SUSY estimate [mu_B] printed in S. Jana's seminar (FLASY 2024):

        mu_nu ~ lambda'^2 / (16 pi^2) m_l^2 A_l / M^4,

    lambda' the R-parity-violating coupling, m_l the mass of the fermion in the loop, A_l the
    trilinear soft term and M the scalar-partner mass [eV].  mu/mu_B = 2 m_e x (expression)
    (module docstring).  An order-of-magnitude estimate; the seminar quotes "at most about
    1e-15 mu_B" once the couplings are constrained.  Vectorised.
    """
    citations.register("Jana2024")
    lp = np.asarray(lambda_prime, dtype=float)
    return 2.0 * constants.m_e * lp**2 / (16 * math.pi**2) * (
        np.asarray(m_l, dtype=float) ** 2 * np.asarray(a_l, dtype=float)
        / np.asarray(m_slepton, dtype=float) ** 4)


def rpv_susy(lambda_prime: float = 0.01, m_l: float = constants.m_tau, a_l: float = 100e9,
             m_slepton: float = 100e9) -> MomentMatrix:
    """:func:`rpv_susy_moment` as a Majorana e-mu transition moment (flavour basis).
    0 <= lambda' <= 4 pi; m_l, A_l, M > 0 [eV].  The defaults (lambda' = 0.01, the tau
    mass, A = M = 100 GeV) give 2.0e-15 mu_B, the seminar's "at most about 1e-15"."""
    lp = require_in_range("lambda_prime", lambda_prime, 0.0, 4 * math.pi)
    m_l = require_in_range("m_l", m_l, 0.0, None, "eV", lo_open=True)
    a_l = require_in_range("a_l", a_l, 0.0, None, "eV", lo_open=True)
    m_s = require_in_range("m_slepton", m_slepton, 0.0, None, "eV", lo_open=True)
    mu = float(rpv_susy_moment(lp, m_l, a_l, m_s))
    lf = np.zeros((3, 3))
    lf[0, 1], lf[1, 0] = mu, -mu
    return MomentMatrix.from_flavour(lf, "majorana")


def spin_symmetry_mass(mu_nu_muB, scale, m_lepton) -> np.ndarray:
    """Neutrino mass [eV] a moment implies when a spin symmetry protects it (Barr, Freire &
    Zee, PRL 65, 2626 (1990); seminar of S. Jana, "spin symmetry mechanism"): only the
    longitudinal (Goldstone) W contributes once the photon is removed, which suppresses the
    naive estimate Lambda^2 mu/(2 m_e mu_B) (:func:`nuem.theory.naturalness.mass_moment_conundrum`)
    by m_l^2 / M_W^2.  ``scale`` and ``m_lepton`` in eV.
    """
    from nuem.theory.naturalness import mass_moment_conundrum

    citations.register("BarrFreireZee1990", "Jana2024")
    ml = np.asarray(m_lepton, dtype=float)
    if np.any(~np.isfinite(ml)) or np.any(ml <= 0):
        raise NuemValueError(f"m_lepton={m_lepton!r} must be > 0 (eV)")
    return mass_moment_conundrum(mu_nu_muB, scale) * ml**2 / constants.M_W**2


def lepton_number_millicharges(epsilon: float, pair: tuple[str, str] = ("e", "mu")
                               ) -> dict[str, float]:
    """Neutrino millicharges [e] of the anomaly-free assignment Q -> Q + epsilon (L_i - L_j)
    (Babu & Mohapatra, PRL 63, 938 (1989); seminar of S. Jana, "electric (milli-) charge"):
    nu_i gets +epsilon, nu_j gets -epsilon, the third flavour 0.  Pass ``q=`` of a flavour to
    :func:`nuem.interactions.electron.dsigma_dT`.  The charged leptons' charges shift by the
    same epsilon; that shift (relative size epsilon) is not propagated into the target.
    """
    citations.register("BabuMohapatra1989", "Jana2024")
    eps = float(require_in_range("epsilon", epsilon, -1.0, 1.0, "e"))
    names = ("e", "mu", "tau")
    i, j = pair
    require_choice("pair[0]", i, names)
    require_choice("pair[1]", j, names)
    if i == j:
        raise NuemValueError(f"pair={pair!r} must name two different flavours")
    return {f: (eps if f == i else -eps if f == j else 0.0) for f in names}


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its name, unit (the CLI's), default and scale to eV."""

    name: str
    unit: str
    default: float | str
    to_internal: float = 1.0
    help: str = ""
    lo: float | None = None  # valid range in the CLI's unit, checked before conversion
    hi: float | None = None
    lo_open: bool = False


@dataclass(frozen=True)
class Model:
    name: str
    function: Callable[..., MomentMatrix]
    parameters: tuple[Parameter, ...]
    summary: str


_M_TAU_GEV = constants.m_tau / 1e9

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
    "su2h": Model("su2h", su2h, (
        Parameter("f", "", 0.04, 1.0, "Yukawa coupling f", -4 * math.pi, 4 * math.pi),
        Parameter("f_prime", "", 0.04, 1.0, "Yukawa coupling f'", -4 * math.pi, 4 * math.pi),
        Parameter("alpha", "rad", math.pi / 4, 1.0, "charged-scalar mixing angle",
                  -math.pi / 2, math.pi / 2),
        Parameter("m_h", "GeV", 100.0, 1e9, "charged scalar h+ (> m_tau)", _M_TAU_GEV,
                  lo_open=True),
        Parameter("m_H", "GeV", 1000.0, 1e9, "charged scalar H+ (> m_tau)", _M_TAU_GEV,
                  lo_open=True)),
        "SU(2)_H horizontal symmetry, Majorana e-mu moment (Babu, Jana & Lindner 2020)"),
    "rpv-susy": Model("rpv-susy", rpv_susy, (
        Parameter("lambda_prime", "", 0.01, 1.0, "R-parity-violating coupling", 0.0,
                  4 * math.pi),
        Parameter("m_l", "GeV", _M_TAU_GEV, 1e9, "fermion mass in the loop", 0.0,
                  lo_open=True),
        Parameter("a_l", "GeV", 100.0, 1e9, "trilinear soft term A", 0.0, lo_open=True),
        Parameter("m_slepton", "GeV", 100.0, 1e9, "scalar-partner mass", 0.0, lo_open=True)),
        "R-parity-violating SUSY estimate, Majorana e-mu moment (seminar of S. Jana)"),
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
            kwargs[p.name] = require_in_range(p.name, v, p.lo, p.hi, p.unit,
                                              p.lo_open) * p.to_internal
    return model.function(**kwargs)
