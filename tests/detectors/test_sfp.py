"""Spin-flavour precession observables: supernova spectra in argon and water, solar nu-bar_e.

Independent numbers used here:
* the adiabatic MSW result for supernova neutrinos in the normal ordering (Dighe & Smirnov,
  PRD 62, 033007 (2000), Sec. IV): nu_e leaves as nu_3 and nu-bar_e as nu-bar_1, so at
  Earth F_e = |U_e3|^2 F_e0 + (1 - |U_e3|^2) F_x0 and
  F_ebar = |U_e1|^2 F_ebar0 + (1 - |U_e1|^2) F_x0, written out from the PMNS matrix only;
* held-out rows of the SNOwGLoBES nu_e-40Ar table (not among the shipped rows);
* the normalisation of the alpha-fit spectrum (number and mean energy by quadrature);
* first-order perturbation theory: a small transition moment gives P(nu_e -> nu-bar_e)
  proportional to mu^2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from nuem import mixing
from nuem.detectors import sfp
from nuem.interactions import argon, ibd
from nuem.propagation import System, problems
from nuem.sources.supernova import AlphaFit, SupernovaFluence
from nuem.units import GeV, MeV, cm, erg, gauss, kpc


def test_alpha_fit_is_normalised_to_number_and_mean_energy():
    p = AlphaFit(5e52 * erg, 15 * MeV, 2.3)
    n, _ = quad(p.shape, 0, 400 * MeV, points=[15 * MeV], limit=200)
    m, _ = quad(lambda e: e * p.shape(e), 0, 400 * MeV, points=[15 * MeV], limit=200)
    assert n == pytest.approx(1.0, rel=1e-8)
    assert m == pytest.approx(15 * MeV, rel=1e-8)
    f = SupernovaFluence({"nubar_e": p}, distance=10 * kpc)
    tot, _ = quad(lambda e: f.fluence(e, "nubar_e"), 1e3, 400 * MeV, limit=200)
    assert tot == pytest.approx(5e52 * erg / (15 * MeV) / (4 * math.pi * (10 * kpc) ** 2), rel=1e-6)


def test_argon_table_interpolation_against_held_out_rows():
    """SNOwGLoBES xs_nue_Ar40.dat rows that the shipped subset leaves out (log10 E/GeV,
    sigma/E in 1e-38 cm^2/GeV), reproduced by the interpolation to 1%."""
    for lg, s_over_e in [(-2.401327, 4.467878e-03), (-1.998647, 4.039911e-02),
                         (-1.699513, 2.452447e-01), (-1.301435, 1.455731e+00)]:
        E = 10**lg * GeV
        assert argon.sigma_nue_ar40(E) / (s_over_e * 1e-38 * cm**2 / GeV * E) == \
            pytest.approx(1.0, rel=1e-2)
    assert argon.sigma_nue_ar40(2.5 * MeV) == 0.0  # below the table's 3.0 MeV threshold
    with pytest.raises(ValueError, match="above"):
        argon.sigma_nue_ar40(150 * MeV)


def test_ibd_strumia_vissani_matches_vogel_beacom_near_threshold():
    """The two published forms agree where the 1/M corrections are small (2-4 MeV) and
    Strumia-Vissani falls below the zeroth order at supernova energies (recoil)."""
    E = np.linspace(2.0, 4.0, 5) * MeV
    r = ibd.sigma_ibd(E, "strumia-vissani") / ibd.sigma_ibd(E, "vogel-beacom")
    assert np.all(np.abs(r - 1) < 0.02)
    assert ibd.sigma_ibd(50 * MeV, "strumia-vissani") < 0.9 * ibd.sigma_ibd(50 * MeV)
    with pytest.raises(ValueError, match="model"):
        ibd.sigma_ibd(10 * MeV, "unknown")


@pytest.fixture(scope="module")
def sn_no_field():
    _, prof, _, _ = problems.sn(2)
    E = np.linspace(10, 40, 7) * MeV
    return sfp.supernova_signal(System(3, majorana=True, moments=0.0), prof, E, tol=1e-4)


@pytest.mark.slow
def test_supernova_without_field_is_adiabatic_msw(sn_no_field):
    sig = sn_no_field
    U = mixing.nufit("NO").pmns()
    ue3, ue1 = abs(U[0, 2]) ** 2, abs(U[0, 0]) ** 2
    F = sig.produced
    fe = ue3 * F["nu_e"] + (1 - ue3) * F["nu_mu"]
    febar = ue1 * F["nubar_e"] + (1 - ue1) * F["nubar_mu"]
    # fluences are ~1e-11 eV in natural units: relative comparisons (atol=0)
    assert np.allclose(sig.arrival["nu_e"], fe, rtol=2e-2, atol=0)
    assert np.allclose(sig.arrival["nubar_e"], febar, rtol=2e-2, atol=0)
    # no field: neutrinos stay neutrinos
    nu = sum(sig.arrival[s] for s in ("nu_e", "nu_mu", "nu_tau"))
    nu0 = sum(F[s] for s in ("nu_e", "nu_mu", "nu_tau"))
    assert np.allclose(nu, nu0, rtol=1e-8, atol=0)


@pytest.mark.slow
def test_supernova_event_counts_are_targets_times_sigma_times_fluence(sn_no_field):
    sig = sn_no_field
    E = sig.energies
    n_ar = 40000e6 / 39.95 * 6.02214076e23  # 40 kt of argon, atoms
    n_p = 187000e6 / (2 * 1.008 + 15.999) * 6.02214076e23 * 2  # free protons in 187 kt water
    dune = np.trapezoid(n_ar * argon.sigma_nue_ar40(E) * sig.arrival["nu_e"], E)
    hk = np.trapezoid(n_p * ibd.sigma_ibd(E, "strumia-vissani") * sig.arrival["nubar_e"], E)
    assert sig.totals["dune-like"] == pytest.approx(dune, rel=1e-9)
    assert sig.totals["hk-like"] == pytest.approx(hk, rel=1e-9)


@pytest.mark.slow
def test_supernova_rsfp_moves_neutrinos_into_antineutrinos():
    """With transition moments and the iron-core field, nu <-> nu-bar conversion appears
    and the total number (nu plus nu-bar, all flavours) is conserved."""
    sysm, prof, _, _ = problems.sn(2)
    E = np.linspace(10, 40, 5) * MeV
    sig = sfp.supernova_signal(sysm, prof, E, tol=1e-4)
    tot = sum(sig.arrival.values())
    tot0 = sum(sig.produced.values())
    assert np.allclose(tot, tot0, rtol=1e-8, atol=0)
    nu = sum(sig.arrival[s] for s in ("nu_e", "nu_mu", "nu_tau"))
    nu0 = sum(sig.produced[s] for s in ("nu_e", "nu_mu", "nu_tau"))
    assert np.max(np.abs(nu - nu0) / nu0) > 1e-2


def test_solar_antineutrino_fraction_scales_as_mu_squared():
    """Small moments: first-order perturbation theory, P proportional to mu^2 B^2."""
    E = np.linspace(8.5, 15.5, 8) * MeV
    a = sfp.solar_antineutrinos(1e-12, 1e6 * gauss, E=E)
    b = sfp.solar_antineutrinos(2e-12, 1e6 * gauss, E=E)
    assert np.all(a.probability > 0)
    assert np.allclose(b.probability / a.probability, 4.0, rtol=1e-2)
    z = sfp.solar_antineutrinos(1e-12, 0.0, E=E)
    assert np.all(z.probability < 1e-20)
    # the default turn-only step control against the local error control
    c = sfp.solar_antineutrinos(1e-12, 1e6 * gauss, E=E[:2], refine="local")
    assert np.allclose(c.probability, a.probability[:2], rtol=1e-3, atol=0)  # P ~ mu^2: tiny
    names = {w["experiment"] for w in a.windows}
    assert {"KamLAND 2012", "Super-Kamiokande-IV 2021"} <= names
    for w in a.windows:
        assert w["allowed"] == (w["fraction"] <= w["limit"])


def test_bad_inputs_are_clear_errors():
    _, prof, _, _ = problems.sn(2)
    E = np.linspace(10, 40, 3) * MeV
    with pytest.raises(ValueError, match="Majorana"):
        sfp.supernova_signal(System(3, majorana=False, moments=1e-12), prof, E)
    with pytest.raises(ValueError, match="detector"):
        sfp.supernova_signal(System(3, majorana=True), prof, E, detectors=("nope",))
    with pytest.raises(ValueError, match="increasing"):
        sfp.supernova_signal(System(3, majorana=True), prof, E[::-1])
    with pytest.raises(ValueError, match="alpha"):
        AlphaFit(1.0, 1.0, -2.0)
    with pytest.raises(ValueError, match="mu"):
        sfp.solar_antineutrinos(-1e-12, 1.0)
