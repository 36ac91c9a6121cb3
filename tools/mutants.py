"""Physics mutation harness for nuem: does the test suite notice a realistic physics mistake?

Usage (from the repository root; not part of .ci/run: the full list took 38 min on 2 shared
cores at a load average of 7-10, and should take well under half that on an idle machine)::

    python tools/mutants.py                 # every mutation, a table and the kill rate
    python tools/mutants.py --list          # the mutations, and whether each still applies
    python tools/mutants.py --only nucleus  # those whose id, file or description contain it
    python tools/mutants.py --timeout 300   # per-mutant limit on its pytest run [s]

Each mutation is ``Mutation(id, file, original, replacement, tests, description)``: an exact
snippet of ``src/nuem/<file>`` (it must occur exactly once) and what to put in its place,
the test files or node ids that should notice, and the mistake it models (a sign, a factor,
a wrong index, a missing term).  Snippets rather than line numbers, so the list survives
edits that move lines; when a snippet is no longer in the file (the code changed) the
mutation is reported "n/a" (not applicable) instead of failing, and should be updated.

One mutation at a time: the file is rewritten, ``pytest -x -q`` runs on the listed tests
(with ``PYTHONPATH=src``, no bytecode written), and the file is restored in a ``finally``
(also on Ctrl-C), with its original modification time so that cached bytecode stays valid.
At the end every touched file is compared with its original bytes and ``git diff --stat``
is printed for them.  A mutant is "killed" when pytest fails (exit status 1, or errors),
"survived" when the tests pass, "timeout" when they run past the limit (counted as killed,
but shown: a mistake that makes a solver hang is noticed, though slowly).

Why a script and not mutmut or cosmic-ray: both generate mutants syntactically (swap an
operator, change a constant, anywhere), which for a physics code yields thousands of
mutants, most of them either trivially caught or physically meaningless, and a score that
says little about whether a wrong formula would be noticed.  The question here is
narrower: "would the tests catch the specific mistakes a physicist makes in these
formulas?", which needs a curated list with a physical description of each mistake and a
targeted test selection per mutant (the whole suite for every mutant would take hours).
A ~300-line script with no dependency does exactly that.

``pending`` marks mutations that wait on another change (Eq. (24) of Bell et al. 2005 in
theory/eft.py is being changed to the paper's printed values in issue 19; its snippets are
to be adjusted after that merge).  They are run when they apply, shown, and left out of
the kill rate.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nuem"


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str  # relative to src/nuem
    original: str
    replacement: str
    tests: tuple[str, ...]
    description: str
    pending: str = ""  # why it is left out of the score (see the module docstring)


def M(id, file, original, replacement, tests, description, pending=""):  # noqa: N802, A002
    return Mutation(id, file, original, replacement, tuple(tests.split()), description, pending)


T_EL = "tests/interactions tests/paper/test_published_scattering.py"
T_NUC = "tests/interactions/test_nucleus.py tests/interactions/test_electron_properties.py"
T_SM = "tests/theory/test_sm.py tests/astro/test_astro.py tests/theory/test_models.py"
T_BELL = ("tests/paper/test_bell2005.py tests/theory/test_naturalness_properties.py "
          "tests/theory/test_couplings.py")
T_MIX = "tests/test_moments_mixing.py"
T_SRC = "tests/test_sources.py tests/paper/test_published_scattering.py"
T_DET = "tests/detectors/test_response.py tests/detectors/test_rates.py tests/detectors/test_detectors.py"
_TS = "tests/detectors/test_sfp.py::"
T_SFP = " ".join(_TS + t for t in (  # cross sections (the propagation tests are long)
    "test_argon_table_interpolation_against_held_out_rows",
    "test_ibd_strumia_vissani_matches_vogel_beacom_near_threshold")) + " tests/interactions/test_ibd.py"
T_SN = " ".join(_TS + t for t in (  # supernova source, propagation without field, events
    "test_alpha_fit_is_normalised_to_number_and_mean_energy",
    "test_supernova_without_field_is_adiabatic_msw",
    "test_supernova_event_counts_are_targets_times_sigma_times_fluence"))
T_STATS = " ".join("tests/stats/test_stats.py::" + t for t in (
    "test_binned_nll_with_gaussian_constraint_closed_form",
    "test_counting_limit_matches_closed_form", "test_xenonnt_mu_limit_reproduces_published",
    "test_background_normalisation_fits_near_one", "test_signal_basis_reproduces_direct_rate",
    "test_millicharge_limit_same_order_as_reanalyses", "test_constrained_background_widens_limit")
    ) + " " + " ".join("tests/stats/test_binned_joint.py::" + t for t in (
        "test_counts_per_bin_equal_piecewise_linear_rate", "test_modifier_terms_match_their_closed_forms",
        "test_joint_likelihood_is_the_hand_sum"))
_TP = "tests/propagation/test_propagation.py::"
T_PROP = ("tests/propagation/test_matter_potentials.py "  # physics tests only (no kernel tests)
          + " ".join(_TP + t for t in (
              "test_rabi_formula_constant_field", "test_landau_zener_linear_crossing",
              "test_three_flavour_matter_without_field", "test_vacuum_limit_matches_mixing_module",
              "test_majorana_antineutrino_block_is_cp_conjugate",
              "test_all_solvers_agree_with_oracle_on_p6",
              "test_flux_transformation_conserves_number")))
T_PLASMA = "tests/astro/test_plasma.py tests/astro/test_astro.py tests/astro/test_redgiant.py"
T_DECAY = "tests/astro/test_decay.py tests/astro/test_astro.py"

MUTATIONS: list[Mutation] = [
    # --- interactions/electron.py -------------------------------------------------------
    M("el-millicharge-sign", "interactions/electron.py",
      "return -math.sqrt(2.0) * math.pi * constants.alpha * as_finite_array(\"q\", q)",
      "return math.sqrt(2.0) * math.pi * constants.alpha * as_finite_array(\"q\", q)", T_EL,
      "sign of the millicharge-weak interference flipped"),
    M("el-gv-sin2w", "interactions/electron.py", "g_v = -0.5 + 2.0 * s2 + cc",
      "g_v = -0.5 + s2 + cc", T_EL, "g_V = -1/2 + sin^2 theta_W (factor 2 lost)"),
    M("el-ga-sign", "interactions/electron.py", "g_a = -0.5 + cc", "g_a = 0.5 + cc", T_EL,
      "g_A = +1/2 + delta_le (sign of T3)"),
    M("el-anti-ga", "interactions/electron.py", "return g_v, (-g_a if anti else g_a)",
      "return g_v, g_a", T_EL, "antineutrino without g_A -> -g_A"),
    M("el-cr-conventions-swapped", "interactions/electron.py",
      "factor = 1.0 if convention == \"giunti-studenikin\" else 2.0",
      "factor = 2.0 if convention == \"giunti-studenikin\" else 1.0", T_EL,
      "charge-radius conventions swapped (factor 2)"),
    M("el-cr-sqrt2", "interactions/electron.py", "return factor * math.sqrt(2.0) * math.pi",
      "return factor * 2.0 * math.pi", T_EL, "charge-radius shift with 2 instead of sqrt 2"),
    M("el-weak-1-y", "interactions/electron.py", "(gv - g_a) ** 2 * (1.0 - y) ** 2",
      "(gv - g_a) ** 2 * (1.0 - y)", T_EL, "(1 - T/E) not squared in the weak cross section"),
    M("el-weak-mass-term", "interactions/electron.py",
      "- (gv**2 - g_a**2) * constants.m_e * T / E**2)",
      "+ (gv**2 - g_a**2) * constants.m_e * T / E**2)", T_EL,
      "sign of the m_e T/E^2 term"),
    M("el-magnetic-1/E", "interactions/electron.py",
      "val = MAGNETIC_PREFACTOR * (1.0 / T - 1.0 / E) * mu**2",
      "val = MAGNETIC_PREFACTOR * (1.0 / T) * mu**2", T_EL,
      "magnetic cross section without the -1/E term"),
    M("el-magnetic-prefactor", "interactions/electron.py",
      "MAGNETIC_PREFACTOR: float = math.pi * constants.alpha**2",
      "MAGNETIC_PREFACTOR: float = 2.0 * math.pi * constants.alpha**2", T_EL,
      "magnetic prefactor 2 pi alpha^2/m_e^2"),
    M("el-tmax", "interactions/electron.py", "return 2.0 * E**2 / (m_target + 2.0 * E)",
      "return 2.0 * E**2 / (m_target + E)", T_EL, "T_max = 2E^2/(m + E)"),
    M("el-emin", "interactions/electron.py", "np.sqrt(T**2 + 2.0 * m_target * T)",
      "np.sqrt(T**2 + m_target * T)", T_EL + " tests/detectors/test_detectors.py",
      "E_min(T) without the factor 2 m"),
    M("el-sigma-total-E/3", "interactions/electron.py",
      "(g_v - g_a) ** 2 * (E / 3.0)", "(g_v - g_a) ** 2 * (E / 2.0)", T_EL,
      "total cross section: integral of (1-y)^2 taken as 1/2"),
    M("el-bound-magnetic-unbound", "interactions/electron.py",
      "em_b = (weak - sm) * f_weak + mag * f_mag", "em_b = (weak - sm) * f_weak + mag", T_EL,
      "atomic binding not applied to the magnetic term"),
    # --- interactions/atomic.py, materials.py, nucleus.py, argon.py, ibd.py -------------
    M("atomic-thresholds-1.1", "interactions/atomic.py",
      "open_ = (T[..., None] > self.binding).astype(float)",
      "open_ = (T[..., None] > 1.1 * self.binding).astype(float)", "tests/interactions",
      "stepping thresholds at 1.1 x the binding energies"),
    M("atomic-magnetic-free", "interactions/atomic.py", "    return s, s",
      "    return s, np.ones_like(s)", T_EL + " tests/detectors/test_detectors.py",
      "binding applied to the weak term only"),
    M("materials-per-atom", "interactions/materials.py",
      "num = num + n * el[s].Z * atomic.shells(name).stepping(T)",
      "num = num + n * atomic.shells(name).stepping(T)", "tests/interactions",
      "compound stepping weighted by atoms instead of electrons"),
    M("nucleus-weak-charge-sign", "interactions/nucleus.py", "qw = N - (1.0 - 4.0 * s2) * Z",
      "qw = N + (1.0 - 4.0 * s2) * Z", T_NUC, "nuclear weak charge N + (1 - 4 s^2) Z"),
    M("nucleus-form-factor-not-squared", "interactions/nucleus.py",
      "1.0 - T / E - M * T / (2.0 * E**2)) * F**2", "1.0 - T / E - M * T / (2.0 * E**2)) * F",
      T_NUC, "CEvNS with F instead of F^2"),
    M("nucleus-helm-radius", "interactions/nucleus.py", "- 5.0 * HELM_S**2)",
      "- 3.0 * HELM_S**2)", T_NUC, "Helm R_n^2 = c^2 + 7/3 pi^2 a^2 - 3 s^2"),
    M("nucleus-magnetic-Z", "interactions/nucleus.py", "* Z**2 * F**2 * (1.0 / T - 1.0 / E)",
      "* Z * F**2 * (1.0 / T - 1.0 / E)", T_NUC, "magnetic CEvNS coherent as Z, not Z^2"),
    M("argon-units", "interactions/argon.py", "return val * 1e-38 * cm**2 / GeV * E",
      "return val * 1e-39 * cm**2 / GeV * E", T_SFP, "argon table read in 1e-39 cm^2"),
    M("ibd-sigma0", "interactions/ibd.py", "SIGMA0 = 0.0952e-42 * cm**2 / MeV**2",
      "SIGMA0 = 0.0952e-41 * cm**2 / MeV**2", T_SFP + " tests/paper/test_published_scattering.py",
      "IBD normalisation off by 10"),
    M("ibd-threshold", "interactions/ibd.py", "- constants.m_p**2) / (2.0 * constants.m_p)",
      "- constants.m_p**2) / (2.0 * constants.m_n)", T_SFP, "IBD threshold divided by 2 m_n"),
    # --- theory/sm.py, models.py ----------------------------------------------------------
    M("sm-majorana-2i", "theory/sm.py", "mu = 2j * np.imag(mu)", "mu = 1j * np.imag(mu)", T_SM,
      "Majorana transition moment i Im instead of 2 i Im"),
    M("sm-fujikawa-pi", "theory/sm.py",
      "return 3.0 * constants.G_F * constants.m_e * m / (4.0 * math.sqrt(2.0) * math.pi**2)",
      "return 3.0 * constants.G_F * constants.m_e * m / (4.0 * math.sqrt(2.0) * 3.14**2)", T_SM,
      "pi -> 3.14 in Fujikawa-Shrock (+0.1%)"),
    M("sm-charge-radius-log-sign", "theory/sm.py", "3.0 - 2.0 * math.log(ml**2 / constants.M_W**2)",
      "3.0 + 2.0 * math.log(ml**2 / constants.M_W**2)", T_SM, "sign of the log in <r^2>"),
    M("sm-transition-16", "theory/sm.py", "pref = -3.0 * constants.G_F * constants.m_e / (16.0",
      "pref = -3.0 * constants.G_F * constants.m_e / (8.0", T_SM,
      "transition-moment prefactor 3/(8 sqrt2 pi^2)"),
    M("sm-transition-conjugate", "theory/sm.py",
      "S = np.einsum(\"li,lj,l->ij\", U.conj(), U, _lepton", "S = np.einsum(\"li,lj,l->ij\", U, U.conj(), _lepton",
      T_SM, "U*_li U_lj -> U_li U*_lj (complex conjugate on the wrong factor)"),
    M("models-lr-3/4", "theory/models.py", "+ 0.75 * np.asarray(m_nu, dtype=float) * (1.0 + r))",
      "+ 0.5 * np.asarray(m_nu, dtype=float) * (1.0 + r))", "tests/theory/test_models.py",
      "left-right model: 1/2 instead of 3/4 on the m_nu term"),
    M("models-lr-sin-xi", "theory/models.py", "np.sin(2.0 * np.asarray(xi))",
      "np.sin(np.asarray(xi))", "tests/theory/test_models.py",
      "left-right model: sin xi instead of sin 2 xi"),
    # --- theory/couplings.py, naturalness.py, eft.py ---------------------------------------
    M("couplings-b1-gut", "theory/couplings.py", "41.0 / 6.0 * g1 * g1s", "41.0 / 10.0 * g1 * g1s",
      T_BELL, "b1 = 41/10 (GUT normalisation) with an SM-normalised g1"),
    M("couplings-b2-sign", "theory/couplings.py", "-19.0 / 6.0 * g2 * g2s", "19.0 / 6.0 * g2 * g2s",
      T_BELL, "sign of the SU(2) beta function"),
    M("couplings-yt-g3", "theory/couplings.py", "yt * (4.5 * yts - 8.0 * g3s",
      "yt * (4.5 * yts - 4.0 * g3s", T_BELL, "top Yukawa beta with -4 g3^2"),
    M("couplings-g1-g2-swapped", "theory/couplings.py",
      "return e / math.sqrt(1.0 - s2), e / math.sqrt(s2)",
      "return e / math.sqrt(s2), e / math.sqrt(1.0 - s2)", T_BELL, "g1 = e/sin, g2 = e/cos"),
    M("nat-eq4-32pi", "theory/naturalness.py",
      "out = pref * dm / (a * L) * 32 * math.pi * s2**2 / (9 * f)",
      "out = pref * dm / (a * L) * 16 * math.pi * s2**2 / (9 * f)", T_BELL,
      "Eq. (4) with 16 pi instead of 32 pi"),
    M("nat-eq4-prefactor", "theory/naturalness.py",
      "return constants.G_F * constants.m_e / (math.sqrt(2.0) * math.pi * constants.alpha)",
      "return constants.G_F * constants.m_e / math.sqrt(2.0 * math.pi * constants.alpha)", T_BELL,
      "Eqs. (1), (2): the G_F m_e/sqrt(2 pi alpha) reading of the prefactor"),
    M("nat-f-tan2", "theory/naturalness.py", "(2.0 / 3.0) * rr * t2", "(1.0 / 3.0) * rr * t2",
      T_BELL, "Eq. (5): (1/3) r tan^2 instead of (2/3)"),
    M("nat-f-tan4", "theory/naturalness.py", "(1.0 / 3.0) * (1.0 + rr) * t2**2",
      "(1.0 / 3.0) * (1.0 - rr) * t2**2", T_BELL, "Eq. (5): (1 - r) tan^4 instead of (1 + r)"),
    M("nat-crossover-weak", "theory/naturalness.py", "weak = (gv + ga) ** 2 + (gv - ga) ** 2",
      "weak = (gv + ga) ** 2", T_BELL, "Eq. (1) crossover without the (g_V - g_A)^2 term"),
    M("nat-plasmon-2pi", "theory/naturalness.py",
      "return 2 * math.pi * constants.alpha * mu**2 / (constants.G_F**2 * w**2 * cv2)",
      "return math.pi * constants.alpha * mu**2 / (constants.G_F**2 * w**2 * cv2)", T_BELL,
      "Eq. (2) plasmon ratio without the factor 2"),
    M("nat-eq3-32pi", "theory/naturalness.py", "return constants.alpha / (32 * math.pi) * lam**2",
      "return constants.alpha / (16 * math.pi) * lam**2", T_BELL, "Eq. (3) with alpha/(16 pi)"),
    M("eft-eq12-4sqrt2", "theory/eft.py",
      '"bell2005": (1.0, 5.0 / 4.0, 4.0 * math.sqrt(2.0), ("Bell2005",)),',
      '"bell2005": (1.0, 5.0 / 4.0, 2.0 * math.sqrt(2.0), ("Bell2005",)),', T_BELL,
      "Eq. (12) with -2 sqrt2 instead of -4 sqrt2"),
    M("eft-eq13-sqrt2", "theory/eft.py", "(2.0 * math.sqrt(2.0) * lam**2)", "(2.0 * lam**2)",
      T_BELL, "Eq. (13) without sqrt 2"),
    M("eft-n4-sqrt2", "theory/eft.py", "* constants.v_higgs / math.sqrt(2.0)",
      "* constants.v_higgs / 2.0", T_BELL, "m_nu = -C1^(4) v/2 instead of v/sqrt2"),
    M("eft-leading-log-sign", "theory/eft.py", "return np.eye(3) + gT * L",
      "return np.eye(3) - gT * L", T_BELL, "Eq. (25) leading log with the wrong sign"),
    M("eft-alpha2", "theory/eft.py", "g2**2 / (4 * math.pi), lam", "g2**2 / (2 * math.pi), lam",
      T_BELL, "alpha_2 = g2^2/(2 pi)"),
    M("eft-gamma-tilde", "theory/eft.py", "\"tilde\": g[..., 0, 0] + g[..., 0, 1]",
      "\"tilde\": g[..., 0, 0] - g[..., 0, 1]", T_BELL, "gamma~ = gamma_11 - gamma_12"),
    M("eft-running-order", "theory/eft.py", "return np.linalg.solve(wm, wl)",
      "return wl @ np.linalg.inv(wm)", T_BELL,
      "running: W(Lambda) W(mu)^-1 (the bug fixed in issue 19)"),
    # Eq. (24) entries as printed (issue 19)
    M("eft-g11", "theory/eft.py", "g[..., 0, 0] = -3.0 / (16 * pi) * (a1 - 3 * a2)",
      "g[..., 0, 0] = -3.0 / (16 * pi) * (a1 + 3 * a2)", T_BELL, "Eq. (24) gamma_11 sign of a2"),
    M("eft-g12", "theory/eft.py", "g[..., 0, 1] = 3.0 / (8 * pi) * a1",
      "g[..., 0, 1] = 3.0 / (16 * pi) * a1", T_BELL, "Eq. (24) gamma_12 / 2"),
    M("eft-g13", "theory/eft.py", "g[..., 0, 2] = -6.0 * mix * a1 * (a1 + a2)",
      "g[..., 0, 2] = -6.0 * mix * a1 * (a1 - a2)", T_BELL, "Eq. (24) gamma_13 a1 - a2"),
    M("eft-g13-half", "theory/eft.py", "g[..., 0, 2] = -6.0 * mix * a1 * (a1 + a2)",
      "g[..., 0, 2] = -3.0 * mix * a1 * (a1 + a2)", T_BELL,
      "Eq. (24) gamma_13 halved (the pre-issue-19 value)"),
    M("eft-g21", "theory/eft.py", "g[..., 1, 0] = 9.0 / (8 * pi) * a2",
      "g[..., 1, 0] = 9.0 / (16 * pi) * a2", T_BELL, "Eq. (24) gamma_21 / 2"),
    M("eft-g22", "theory/eft.py", "g[..., 1, 1] = 3.0 / (16 * pi) * (a1 - 3 * a2)",
      "g[..., 1, 1] = 3.0 / (16 * pi) * (a1 + 3 * a2)", T_BELL, "Eq. (24) gamma_22 sign of a2"),
    M("eft-g23", "theory/eft.py", "g[..., 1, 2] = 6.0 * mix * a2 * (a1 + 3 * a2)",
      "g[..., 1, 2] = 6.0 * mix * a2 * (a1 + a2)", T_BELL, "Eq. (24) gamma_23 a1 + a2"),
    M("eft-g33", "theory/eft.py",
      "g[..., 2, 2] = 9.0 / (16 * pi) * (a1 + 3 * a2) - lam_coef * la / pi**2",
      "g[..., 2, 2] = 1.1 * (9.0 / (16 * pi) * (a1 + 3 * a2) - lam_coef * la / pi**2)", T_BELL,
      "Eq. (24) gamma_33 x 1.1"),
    M("eft-g33-lambda", "theory/eft.py", '"bell2005": (1.0, 5.0 / 4.0,',
      '"bell2005": (1.0, 3.0 / 2.0,', T_BELL,
      "Eq. (24) lambda term -3 lambda/2 pi^2 (JMT) in place of the printed -5 lambda/4 pi^2"),
    M("models-su2h-log", "theory/models.py", "return (np.log(m2 / mt2) - 1.0) / m2",
      "return (np.log(m2 / mt2) + 1.0) / m2", "tests/theory/test_seminar_models.py",
      "SU(2)_H: ln(m^2/m_tau^2) + 1 instead of - 1"),
    M("sm-electric-minus", "theory/sm.py", "eps = (m[:, None] - m[None, :]) * PS",
      "eps = (m[:, None] + m[None, :]) * PS", "tests/theory/test_seminar_models.py",
      "SM electric transition moments with (m_i + m_j)"),
    # --- mixing.py, moments.py -----------------------------------------------------------
    M("mix-delta-sign", "mixing.py", "ed = np.exp(1j * self.delta)", "ed = np.exp(-1j * self.delta)",
      T_MIX, "delta_CP -> -delta_CP in the PMNS matrix"),
    M("mix-msw-c13", "mixing.py", "beta = 2.0 * c13sq * E[..., None] * V / p.dm2_21",
      "beta = 2.0 * E[..., None] * V / p.dm2_21", T_MIX, "MSW beta without c13^2"),
    M("mix-msw-sign", "mixing.py", "cos2m = (cos2 - beta) / np.sqrt((cos2 - beta) ** 2 + sin2sq)",
      "cos2m = (cos2 + beta) / np.sqrt((cos2 + beta) ** 2 + sin2sq)", T_MIX,
      "matter potential with the antineutrino sign"),
    M("mix-vcc-sqrt2", "mixing.py", "V = math.sqrt(2.0) * constants.G_F * solar_electron_density(x)",
      "V = constants.G_F * solar_electron_density(x)", T_MIX, "V_CC without sqrt 2"),
    M("mix-vacuum-phase", "mixing.py", "phase = np.exp(-1j * m2 * (L / (2.0 * E))[..., None])",
      "phase = np.exp(-1j * m2 * (L / (4.0 * E))[..., None])", T_MIX,
      "oscillation phase dm^2 L/(4E) for the amplitude (twice too slow)"),
    M("mix-vacuum-io", "mixing.py",
      "    m2 = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])\n"
      "    phase", "    m2 = np.array([0.0, p.dm2_21, p.dm2_3l])\n    phase", T_MIX,
      "inverted ordering: m3^2 - m1^2 = dm32 (dm21 dropped)"),
    M("mix-bahcall-slope", "mixing.py", "SUN_NE_SLOPE = 10.54", "SUN_NE_SLOPE = 10.0", T_MIX,
      "solar n_e(r) slope 10 instead of 10.54"),
    M("moments-solar-index", "moments.py", "col = np.sum(np.abs(self.matrix) ** 2, axis=0)",
      "col = np.sum(np.abs(self.matrix) ** 2, axis=1)", T_MIX,
      "solar mu^2 summed over the wrong index"),
    M("moments-coherent-conj", "moments.py", "c0 = row if anti else row.conj()",
      "c0 = row.conj() if anti else row", T_MIX + " tests/test_sources.py",
      "nu and nubar amplitudes swapped (U vs U*)"),
    M("moments-anti-transpose", "moments.py", "lam = self.matrix.T if anti else self.matrix",
      "lam = self.matrix", T_MIX, "antineutrino without lambda -> lambda^T"),
    M("moments-borexino-s23", "moments.py",
      "(1.0 - s23sq) * mu_mu**2 + s23sq * mu_tau**2", "s23sq * mu_mu**2 + (1.0 - s23sq) * mu_tau**2",
      T_MIX, "Borexino form with c23 and s23 swapped"),
    M("moments-from-flavour", "moments.py", "m = (U.conj().T if kind == \"dirac\" else U.T) @ lf @ U",
      "m = (U.T if kind == \"dirac\" else U.T) @ lf @ U", T_MIX,
      "Dirac flavour -> mass basis with U^T instead of U^dagger"),
    # --- sources/ ----------------------------------------------------------------------------
    M("solar-shape-norm", "sources/solar.py", "out[k] = (e, s / np.trapezoid(s, e))",
      "out[k] = (e, s)", T_SRC, "solar spectral shapes not normalised"),
    M("solar-arrival-UT", "sources/solar.py", "flav = frac @ (np.abs(U.T) ** 2)",
      "flav = frac @ (np.abs(U) ** 2)", T_SRC, "P(e -> beta) with |U_k beta|^2 (transposed)"),
    M("reactor-geometry", "sources/reactor.py", "geo = 1.0 / (4.0 * math.pi * self.distance**2)",
      "geo = 1.0 / (math.pi * self.distance**2)", T_SRC, "reactor flux 1/(pi L^2)"),
    M("reactor-join", "sources/reactor.py", "low = ve(x) * hm_join / ve(xj)", "low = ve(x)", T_SRC,
      "low-energy reactor spectrum not matched at 2 MeV"),
    M("reactor-fission-energy", "sources/reactor.py",
      "return self.power / sum(f * energy_per_fission(i)",
      "return self.power / sum(energy_per_fission(i)", T_SRC,
      "fission rate with unweighted energies per fission"),
    M("sn-number-fluence", "sources/supernova.py",
      "return p.energy / p.mean * p.shape(E) / (4.0 * math.pi * self.distance**2)",
      "return p.energy * p.shape(E) / (4.0 * math.pi * self.distance**2)", T_SN,
      "supernova fluence in energy, not number"),
    M("sn-alpha-norm", "sources/supernova.py", "- math.lgamma(a + 1.0)", "- math.lgamma(a + 2.0)",
      T_SN, "alpha-fit normalisation Gamma(a + 2)"),
    # --- detectors/ -------------------------------------------------------------------------
    M("response-quadrature", "detectors/response.py",
      "return self.a * np.sqrt(np.clip(T, 0, None)) + self.b * T",
      "return np.sqrt(self.a**2 * np.clip(T, 0, None) + (self.b * T) ** 2)", T_DET,
      "resolution a sqrt(T) + b T added in quadrature"),
    M("response-gauss-norm", "detectors/response.py", "np.sqrt(2 * np.pi) * s[None, :])",
      "np.sqrt(np.pi) * s[None, :])", T_DET, "Gaussian normalised with sqrt(pi)"),
    M("experiments-exposure", "detectors/experiments.py",
      "out[k] = np.diff(cum[idx]) * self.exposure_t_yr", "out[k] = np.diff(cum[idx])", T_DET,
      "exposure dropped from Detector.binned"),
    M("rates-mu-not-squared", "detectors/rates.py",
      "mu2 = mu_scalar**2 if mm is None else source.mu2(E, c, mm)",
      "mu2 = mu_scalar if mm is None else source.mu2(E, c, mm)", T_DET,
      "magnetic rate linear in mu"),
    M("rates-magnetic-unbound", "detectors/rates.py", "em_b = tot_em * f_weak + tot_mag * f_mag",
      "em_b = tot_em * f_weak + tot_mag", T_DET + " tests/paper/test_published_scattering.py",
      "rate: binding not applied to the magnetic term"),
    M("rates-electrons-per-tonne", "detectors/rates.py",
      "return materials.material(target).electrons_per_tonne * year * keV",
      "return materials.material(target).units_per_tonne * year * keV",
      T_DET + " tests/paper/test_published_scattering.py", "rate per atom, not per electron"),
    M("rates-gauss-span", "detectors/rates.py", "w = c.flux * c.shape(E) * span[:, None] * wg[None, :]",
      "w = c.flux * c.shape(E) * wg[None, :]", T_DET, "Gauss-Legendre weights without the Jacobian"),
    M("sfp-targets", "detectors/sfp.py", "events[d] = targets(d) * sigma * arrival[state]",
      "events[d] = sigma * arrival[state]", T_SN, "supernova events without the target count"),
    M("sfp-free-protons", "detectors/sfp.py", "return 2.0 * mat.units_per_tonne * d[\"mass_tonne\"]",
      "return mat.units_per_tonne * d[\"mass_tonne\"]", T_SN, "one free proton per H2O"),
    M("sfp-amplitude-not-squared", "detectors/sfp.py", "Pk = np.abs(A) ** 2", "Pk = np.abs(A)", T_SN,
      "mass-state probabilities |A| instead of |A|^2"),
    M("sfp-decoherence-UT", "detectors/sfp.py",
      "return np.swapaxes(Pk, 1, 2) @ (np.abs(W.T) ** 2)[None]",
      "return np.swapaxes(Pk, 1, 2) @ (np.abs(W) ** 2)[None]", T_SN,
      "decoherent mass states projected with |W|^2 transposed"),
    # --- stats/ ------------------------------------------------------------------------------
    M("stats-critical-two-sided", "stats/limits.py", "return float(stats.norm.ppf(cl) ** 2)",
      "return float(stats.chi2.ppf(cl, 1))", T_STATS,
      "two-sided critical value (2.71) for the one-sided mu limit (1.64)"),
    M("stats-poisson-factor2", "stats/likelihood.py",
      "return float(2.0 * np.sum(nu - n + log_term))",
      "return float(np.sum(nu - n + log_term))", T_STATS,
      "binned -2 ln L without the factor 2"),
    M("stats-unbinned-log", "stats/likelihood.py",
      "return float(2.0 * (tot - np.sum(np.log(dens))))",
      "return float(2.0 * (tot - 0.5 * np.sum(np.log(dens))))", T_STATS,
      "unbinned extended likelihood with half the event term"),
    M("stats-exposure", "stats/likelihood.py", "self._sig_ev = sig_rows * X",
      "self._sig_ev = sig_rows", T_STATS,
      "likelihood templates without the exposure"),
    # (likelihood._physical("mu", x) is only ever called at x = 1, where sqrt(x) = x: a
    # mutation there is equivalent, so the internal -> physical map of the limit is mutated)
    M("stats-mu-param", "stats/limits.py", "return SCALE[\"mu\"] * np.sqrt(np.clip(x, 0, None))",
      "return SCALE[\"mu\"] * np.clip(x, 0, None)", T_STATS,
      "limit reported as the fit parameter mu^2, not mu"),
    M("stats-penalty", "stats/likelihood.py", "tot += ((v - a) / s.width) ** 2",
      "tot += 0.5 * ((v - a) / s.width) ** 2", T_STATS,
      "Gaussian background constraint with half weight in -2 ln L"),
    # --- propagation/ ------------------------------------------------------------------------
    M("ham-nuR-neutral-current", "propagation/hamiltonian.py",
      "        if self.majorana:\n            v[..., N:] = -v[..., :N]",
      "        if self.majorana:\n            v[..., N:] = -v[..., :N]\n        else:\n"
      "            v[..., N:] = vnc[..., None]", T_PROP,
      "Dirac nu_R given the neutral-current potential"),
    M("ham-vcc-sqrt2", "propagation/hamiltonian.py", "vcc = math.sqrt(2.0) * constants.G_F * n_e",
      "vcc = constants.G_F * n_e", T_PROP, "V_CC without sqrt 2"),
    M("ham-vnc-sign", "propagation/hamiltonian.py", "vnc = -constants.G_F * n_n / math.sqrt(2.0)",
      "vnc = constants.G_F * n_n / math.sqrt(2.0)", T_PROP, "sign of V_NC"),
    M("ham-majorana-potential", "propagation/hamiltonian.py", "v[..., N:] = -v[..., :N]",
      "v[..., N:] = v[..., :N]", T_PROP, "Majorana nu-bar with the neutrino's potential"),
    M("ham-twist-half", "propagation/hamiltonian.py", "K[..., idx[:N], idx[:N]] -= 0.5 * tw[..., None]",
      "K[..., idx[:N], idx[:N]] -= tw[..., None]", T_PROP, "field twist phi' instead of phi'/2"),
    M("ham-vacuum-m2/2", "propagation/hamiltonian.py", "m = U @ np.diag(m2 / 2.0) @ U.conj().T",
      "m = U @ np.diag(m2) @ U.conj().T", T_PROP, "vacuum Hamiltonian m^2/E instead of m^2/2E"),
    M("ham-majorana-vacuum-conj", "propagation/hamiltonian.py",
      "out[N:, N:] = m.conj() if self.majorana else m", "out[N:, N:] = m", T_PROP,
      "Majorana nu-bar vacuum block without complex conjugation"),
    M("ham-coupling-dagger", "propagation/hamiltonian.py",
      "K[..., :N, N:] += np.conj(np.swapaxes(off, -1, -2))", "K[..., :N, N:] += off", T_PROP,
      "upper field block lambda instead of lambda^dagger"),
    M("resonance-lz-exponent", "propagation/resonance.py",
      "return np.exp(-0.25 * math.pi * np.asarray(gamma, dtype=float))",
      "return np.exp(-0.5 * math.pi * np.asarray(gamma, dtype=float))", T_PROP,
      "Landau-Zener exp(-pi gamma/2)"),
    M("resonance-adiabaticity", "propagation/resonance.py", "return 8.0 * g**2 / np.abs(",
      "return 4.0 * g**2 / np.abs(", T_PROP, "adiabaticity gamma = (2g)^2/|beta|"),
    M("solvers-exact-sign", "propagation/solvers.py", "ph = np.exp(-1j * w * profile.length)",
      "ph = np.exp(1j * w * profile.length)", T_PROP, "exact-constant evolves with e^{+iHL}"),
    M("profiles-constant-nn", "propagation/profiles.py",
      "nn = float(electron_density(density_gcc, 1.0 - ye))",
      "nn = float(electron_density(density_gcc, ye))", T_PROP, "constant slab n_n from Y_e"),
    M("profiles-ye-dropped", "propagation/profiles.py",
      "return np.asarray(rho_gcc, dtype=float) * np.asarray(ye, dtype=float) * constants.N_A / cm**3",
      "return np.asarray(rho_gcc, dtype=float) * constants.N_A / cm**3", T_PROP,
      "n_e = rho N_A (Y_e forgotten)"),
    M("profiles-sun-composition", "propagation/profiles.py",
      "ratio = (1.0 - x_hydrogen) / (1.0 + x_hydrogen)",
      "ratio = (1.0 - x_hydrogen) / (2.0 * x_hydrogen)", T_PROP, "solar n_n/n_e = (1-X)/(2X)"),
    M("profiles-sn-r3", "propagation/profiles.py",
      "return rho0_gcc * (r0 / np.asarray(r, dtype=float)) ** 3",
      "return rho0_gcc * (r0 / np.asarray(r, dtype=float)) ** 2", T_PROP + " " + T_SN,
      "pre-explosion supernova density as r^-2"),
    # --- astro/ ----------------------------------------------------------------------------
    M("decay-io-dm21", "astro/decay.py",
      "rel = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])",
      "rel = np.array([0.0, p.dm2_21, p.dm2_3l])", T_DECAY,
      "inverted ordering without Delta m^2_21"),
    M("decay-rate-8pi", "astro/decay.py", "** 2 / (8.0 * math.pi) * ((mi**2 - mj**2) / mi) ** 3",
      "** 2 / (16.0 * math.pi) * ((mi**2 - mj**2) / mi) ** 3", T_DECAY,
      "radiative decay rate / 16 pi"),
    M("decay-photon-energy", "astro/decay.py", "return (mi**2 - mj**2) / (2.0 * mi)",
      "return (mi**2 - mj**2) / mi", T_DECAY, "photon energy (m_i^2 - m_j^2)/m_i"),
    M("plasma-wp-prefactor", "astro/plasma.py", "c = 4.0 * constants.alpha / math.pi",
      "c = 4.0 * constants.alpha / math.pi**2", T_PLASMA, "omega_p^2 with 4 alpha/pi^2"),
    M("plasma-wp-velocity", "astro/plasma.py", "(1.0 - (p / E) ** 2 / 3.0)", "(1.0 - (p / E) ** 2)",
      T_PLASMA, "omega_p integrand 1 - v^2 instead of 1 - v^2/3"),
    M("plasma-ye", "astro/plasma.py", "n_e = density_gcc * ye * constants.N_A / cm**3",
      "n_e = density_gcc * constants.N_A / cm**3", T_PLASMA, "plasma n_e without Y_e"),
    M("plasma-gamma-mu-24pi", "astro/plasma.py", "return mu**2 * Z * K2**2 / (24.0 * math.pi * w)",
      "return mu**2 * Z * K2**2 / (12.0 * math.pi * w)", T_PLASMA,
      "transverse plasmon decay by mu / 12 pi"),
    M("plasma-cv2", "astro/plasma.py", "return (0.5 + 2 * s2) ** 2 + 2 * (-0.5 + 2 * s2) ** 2",
      "return (0.5 + 2 * s2) ** 2 + (-0.5 + 2 * s2) ** 2", T_PLASMA,
      "SM plasmon decay with one nu_mu,tau flavour"),
    M("plasma-kmax", "astro/plasma.py", "(math.atanh(v) / v - 1.0))", "(math.atanh(v) - 1.0))",
      T_PLASMA, "longitudinal branch end without the 1/v"),
    M("plasma-phase-space", "astro/plasma.py", "phase = g * k * k / (2.0 * math.pi**2) * w * occ",
      "phase = g * k * k / (4.0 * math.pi**2) * w * occ", T_PLASMA,
      "emissivity phase space 1/(4 pi^2)"),
    M("redgiant-mu-squared", "astro/redgiant.py", "q_mu = q_unit * m ** 2", "q_mu = q_unit * m",
      "tests/astro/test_redgiant.py", "red-giant excess linear in mu"),
    # --- the sterile dipole portal (issue 20)
    M("portal-width-8pi", "portal/decay.py", "g = d2 * m**3 / (4.0 * math.pi)",
      "g = d2 * m**3 / (8.0 * math.pi)", "tests/portal/test_model_decay.py",
      "N -> nu gamma width halved (DarkNews 0.4.8's normalisation)"),
    M("portal-seminar-factor", "portal/model.py", '"seminar": 2.0, "brdar": 2.0',
      '"seminar": 1.0, "brdar": 2.0', "tests/portal/test_model_decay.py",
      "seminar mu_nu = d instead of 2 d"),
    M("portal-contraction-m2-sign", "portal/upscatter.py",
      "base = 4.0 * Q2 * nu**2 - m2 * (m2 + Q2) * (4.0 * M**2 + Q2)",
      "base = 4.0 * Q2 * nu**2 + m2 * (m2 + Q2) * (4.0 * M**2 + Q2)",
      "tests/portal/test_upscatter.py", "sign of the m_N^2 term of the upscattering contraction"),
    M("portal-q2min", "portal/upscatter.py", "qmin = m**4 * M**2 / (s * qmax)",
      "qmin = m**2 * M**2 / (s * qmax)", "tests/portal/test_upscatter.py",
      "Q^2_min with m_N^2 instead of m_N^4"),
    M("portal-threshold", "portal/upscatter.py", "return m + m**2 / (2.0 * np.asarray(M, float))",
      "return m + m**2 / np.asarray(M, float)", "tests/portal/test_upscatter.py",
      "threshold m + m^2/M instead of m + m^2/(2M)"),
    M("portal-pauli-ff", "portal/upscatter.py", "(gm - ge) / (1.0 + tau)", "(gm - ge)",
      "tests/portal/test_darknews.py tests/portal/test_upscatter.py",
      "Pauli form factor without 1/(1 + tau)"),
    M("portal-slab-probability", "portal/decay.py", "big = 1.0 + np.expm1(-xs) / xs",
      "big = -np.expm1(-xs)", "tests/portal/test_rates_more.py",
      "slab decay probability without the average over the production point"),
    M("portal-uhe-screening", "portal/uhe.py", "return (x / (1.0 + x)) ** 2",
      "return x / (1.0 + x)", "tests/portal/test_uhe.py", "Tsai screening factor not squared"),
]


def _select(only: str | None) -> list[Mutation]:
    if not only:
        return list(MUTATIONS)
    pats = [o.strip().lower() for o in only.split(",") if o.strip()]
    return [m for m in MUTATIONS if any(o in m.id.lower() or o in m.file.lower()
                                        or o in m.description.lower() for o in pats)]


def _applicable(m: Mutation) -> str:
    path = SRC / m.file
    if not path.is_file():
        return "n/a (file missing)"
    n = path.read_text().count(m.original)
    if n == 0:
        return "n/a (snippet not found)"
    if n > 1:
        return f"n/a (snippet occurs {n} times)"
    return ""


def _run_one(m: Mutation, timeout: float) -> tuple[str, float, str]:
    path = SRC / m.file
    original = path.read_bytes()
    st = path.stat()
    text = original.decode()
    mutated = text.replace(m.original, m.replacement, 1)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONDONTWRITEBYTECODE="1")
    # --run-slow: a mutation's tests run whatever their layer (tests/conftest.py)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--run-slow",
           *m.tests]
    t0 = time.monotonic()
    try:
        path.write_text(mutated)
        # a modification time unlike the original's, so no cached bytecode is used
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 7_000_000_000))
        try:
            r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - t0, ""
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    dt = time.monotonic() - t0
    tail = (r.stdout.strip().splitlines() or [""])[-1]
    if r.returncode == 0:
        return "SURVIVED", dt, tail
    if r.returncode in (1, 2, 3):
        failed = next((ln.split(" ")[1] for ln in r.stdout.splitlines()
                       if ln.startswith(("FAILED ", "ERROR "))), tail)
        return "killed", dt, failed
    return f"error (pytest rc={r.returncode})", dt, tail


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", metavar="PATTERN", help="mutations whose id/file/description "
                    "contains PATTERN (case-insensitive; several patterns: comma-separated)")
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-mutant pytest limit [s]")
    args = ap.parse_args(argv)
    # Ctrl-C and kill (SIGTERM) both unwind through the finally blocks that restore the
    # source; a shell that starts us in the background may have SIGINT ignored, undo that
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    muts = _select(args.only)
    if args.list:
        for m in muts:
            status = _applicable(m) or "applies"
            pend = f"  [pending: {m.pending}]" if m.pending else ""
            print(f"{m.id:32s} {m.file:28s} {status:24s} {m.description}{pend}")
        print(f"{len(muts)} mutations")
        return 0
    originals = {m.file: (SRC / m.file).read_bytes() for m in muts if (SRC / m.file).is_file()}
    rows = []
    t_all = time.monotonic()
    try:
        for i, m in enumerate(muts, 1):
            na = _applicable(m)
            if na:
                res, dt, info = na, 0.0, ""
            else:
                res, dt, info = _run_one(m, args.timeout)
            rows.append((m, res, dt, info))
            print(f"[{i:3d}/{len(muts)}] {m.id:32s} {res:10s} {dt:6.1f}s  {info}", flush=True)
    finally:
        bad = [f for f, b in originals.items() if (SRC / f).read_bytes() != b]
        for f in bad:  # should never happen: _run_one restores in a finally
            (SRC / f).write_bytes(originals[f])
        diff = subprocess.run(["git", "diff", "--stat", "--", *[f"src/nuem/{f}" for f in originals]],
                              cwd=ROOT, capture_output=True, text=True).stdout.strip()
        print(f"\nrestored: {'all files byte-identical' if not bad else 'REPAIRED ' + ', '.join(bad)}"
              f"; git diff --stat on the mutated files: {diff or '(empty)'}")
    print(f"\n{'mutation':32s} {'file':28s} {'result':10s} {'time':>7s}  description")
    for m, res, dt, _ in rows:
        pend = f" [pending: {m.pending}]" if m.pending else ""
        print(f"{m.id:32s} {m.file:28s} {res:10s} {dt:6.1f}s  {m.description}{pend}")
    scored = [(m, r) for m, r, _, _ in rows if not m.pending and not r.startswith("n/a")]
    killed = sum(r in ("killed", "timeout") for _, r in scored)
    survived = [m.id for m, r in scored if r == "SURVIVED"]
    errors = [m.id for m, r in scored if r.startswith("error")]
    na = [m.id for m, r, _, _ in rows if r.startswith("n/a")]
    pending = [f"{m.id}={r}" for m, r, _, _ in rows if m.pending and not r.startswith("n/a")]
    rate = killed / len(scored) if scored else float("nan")
    print(f"\n{len(rows)} mutations: {len(scored)} scored, {killed} killed, {len(survived)} survived"
          f", {len(errors)} errors, {len(na)} not applicable, {len(pending)} pending run; "
          f"kill rate {100 * rate:.1f}% ({time.monotonic() - t_all:.0f} s)")
    for label, ids in (("survived", survived), ("errors", errors), ("not applicable", na),
                       ("pending (not scored)", pending)):
        if ids:
            print(f"{label}: {', '.join(ids)}")
    return 0 if not survived and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
