"""Solar and reactor sources: shipped tables against published numbers and ../shared/data."""

from __future__ import annotations

import numpy as np
import pytest

from nuem._errors import NuemValueError
from nuem.detectors import rates
from nuem.interactions import electron as el
from nuem.sources import reactor, solar
from nuem.units import MeV, keV, per_cm2_s

# Mean neutrino energies [MeV] of the continuum spectra: Bahcall, "Neutrino Astrophysics"
# (1989), Table 6.3 (pp 0.2668, 13N 0.7063, 15O 0.9964, 17F 0.9977, 8B 6.735, hep 9.628).
MEANS = {"pp": 0.2668, "13N": 0.7063, "15O": 0.9964, "17F": 0.9977, "8B": 6.735, "hep": 9.628}


@pytest.mark.parametrize("comp", sorted(MEANS))
def test_solar_shapes_mean_energy(comp):
    """Shipped (subsampled) shapes reproduce Bahcall's mean energies to 0.5%."""
    c = solar.SolarSource(components=(comp,)).component(comp)
    E = np.linspace(1.0, c.e_max, 200001)
    s = c.shape(E)
    assert np.trapezoid(s, E) == pytest.approx(1.0, abs=2e-3)
    assert np.trapezoid(E * s, E) / np.trapezoid(s, E) / MeV == pytest.approx(MEANS[comp], rel=5e-3)


def test_fluxes_b16_and_lines():
    """Total fluxes equal Vinyoles et al. 2017 Table 6 (GS98), lines split 10.3/89.7%."""
    src = solar.SolarSource("B16-GS98")
    tot = {c.name: c.flux / per_cm2_s for c in src.components()}
    assert tot["pp"] == pytest.approx(5.98e10)
    assert tot["7Be-384"] + tot["7Be-861"] == pytest.approx(4.93e9)
    assert tot["7Be-384"] / 4.93e9 == pytest.approx(0.103)
    assert solar.flux_table("B16-AGSS09met")["8B"][0] == pytest.approx(4.50e6)


def test_lines_integrated_exactly():
    """A line's rate equals Phi x sum_beta P_beta dsigma_beta/dT at the line energy."""
    src = solar.SolarSource(components=("7Be-861",))
    c = src.component("7Be-861")
    T = np.array([5.0, 50.0, 500.0]) * keV
    r = rates.electron_recoil_rate(src, T, binding="free")
    P = src.arrival(np.array([c.line_energy]), c)["flavour"][0]
    ref = c.flux * sum(P[i] * el.dsigma_dT_weak(c.line_energy, T, f, above_tmax="zero")
                       for i, f in enumerate(el.FLAVOURS))
    assert np.allclose(r["total"], ref, rtol=1e-12, atol=0)  # rates ~1e-56 eV^...: relative
    # above T_max(0.8613 MeV) = 665 keV the line contributes nothing
    assert rates.electron_recoil_rate(src, np.array([700.0]) * keV, binding="free")["total"][0] == 0


def test_shipped_solar_tables_match_shared(shared_data):
    """Shipped shapes agree with the Bahcall tables in ../shared/data to 1% of the peak."""
    for comp, (fname, _) in {"pp": ("pp_neutrino.txt", 1), "8B": ("B8_neutrino_flux.txt", 1),
                             "15O": ("15O_neutrino.txt", 1)}.items():
        raw = np.array([[float(v) for v in ln.split()[:2]] for ln in
                        (shared_data / "solar" / fname).read_text().splitlines() if ln.strip()])
        e = raw[:, 0] * MeV
        ref = raw[:, 1] / np.trapezoid(raw[:, 1], e)
        got = solar.SolarSource(components=(comp,)).component(comp).shape(e)
        assert np.max(np.abs(got - ref)) < 0.01 * ref.max()


def test_reactor_flux_normalisation():
    """Phi = P / (4 pi L^2 sum f_i e_i) x nu/fission, checked against the formula with SI
    numbers (1 GW = 6.2415e18 MeV/s); and about 6 nu-bar per 235U fission from fission
    fragments (Vogel & Engel 1989; Huber 2011), here 5.5-6.5."""
    import math

    src = reactor.ReactorSource.from_si(3.0, 13.9, {"U235": 1.0})
    E = np.linspace(1e3, 8e6, 40001)
    n = np.trapezoid(reactor.isotope_spectrum(E, "U235"), E)
    assert 5.5 < n < 6.5
    phi = 3.0e9 * 6.241509074e12 / 201.92 * n / (4 * math.pi * 1390.0**2)
    assert src.components()[0].flux / per_cm2_s == pytest.approx(phi, rel=1e-4)


def test_reactor_bad_input():
    with pytest.raises(NuemValueError, match="above the Huber-Mueller table"):
        reactor.isotope_spectrum(np.array([9.0]) * MeV, "U235")
    with pytest.raises(NuemValueError, match="isotope='Th232'"):
        reactor.isotope_spectrum(1 * MeV, "Th232")
    with pytest.raises(NuemValueError, match="sum to 1"):
        reactor.ReactorSource.from_si(3, 10, {"U235": 0.5})
    with pytest.raises(NuemValueError, match="power="):
        reactor.ReactorSource.from_si(-3, 10)
    with pytest.raises(NuemValueError, match="model='BP04'"):
        solar.SolarSource("BP04")


def test_reactor_fission_rate_weights_the_energy_per_fission():
    """Fissions per second = P / sum_i f_i e_i with the thermal energy release per fission of
    Kopeikin, Mikaelyan & Sinev, Phys. At. Nucl. 67, 1892 (2004), Table 3: 201.92 (235U),
    205.52 (238U), 209.99 (239Pu), 213.60 (241Pu) MeV; a typical mid-cycle mixture."""
    from nuem.units import second

    f = {"U235": 0.56, "U238": 0.08, "Pu239": 0.30, "Pu241": 0.06}
    e = {"U235": 201.92, "U238": 205.52, "Pu239": 209.99, "Pu241": 213.60}
    src = reactor.ReactorSource.from_si(3.0, 50.0, f)
    ref = 3.0e9 * 6.241509074e12 / sum(f[i] * e[i] for i in f)  # per second
    # rel 1e-6: 1 J = 6.241509074e12 MeV is exact to the digits given
    assert src.fission_rate * second == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("isotope", ["U235", "U238", "Pu239", "Pu241"])
def test_reactor_spectrum_continuous_at_the_2_MeV_join(isotope):
    """The Vogel-Engel low-energy fit is scaled to join Huber-Mueller continuously at 2 MeV
    (a jump would be a spurious feature in the IBD and nu-e spectra)."""
    lo = float(reactor.isotope_spectrum(2.0 * MeV * (1 - 1e-9), isotope))
    hi = float(reactor.isotope_spectrum(2.0 * MeV, isotope))
    assert lo == pytest.approx(hi, rel=1e-6, abs=0)


def test_solar_arrival_flavour_probabilities_written_out():
    """Incoherent mass states: P(e -> beta) = sum_k P_ek |U_beta k|^2 (Giunti & Studenikin,
    RMP 87, 531 (2015)); for beta = e this is mixing.solar_pee.  NuFIT 6.0 NO."""
    from nuem import mixing

    src = solar.SolarSource(components=("8B",))
    c = src.component("8B")
    E = np.array([1.0, 5.0, 12.0]) * MeV
    arr = src.arrival(E, c)
    P, U = arr["mass_fractions"], mixing.nufit().pmns()
    for b in range(3):
        ref = sum(P[:, k] * abs(U[b, k]) ** 2 for k in range(3))
        np.testing.assert_allclose(arr["flavour"][:, b], ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(arr["flavour"][:, 0], mixing.solar_pee(E, "8B"), rtol=1e-12, atol=0)
    np.testing.assert_allclose(arr["flavour"].sum(axis=1), 1.0, rtol=1e-12, atol=0)


@pytest.mark.parametrize("comp", ["pp", "hep", "8B", "13N", "15O", "17F"])
def test_solar_shapes_are_probability_densities(comp):
    """Each continuum shape integrates to exactly 1 over its nodes (the flux carries the
    normalisation).  The shipped Bahcall tables are normalised only to ~3e-7, so this pins
    the renormalisation; the shape is piecewise linear, so the trapezoid sum is exact."""
    c = solar.SolarSource(components=(comp,)).component(comp)
    assert np.trapezoid(c.shape(c.nodes), c.nodes) == pytest.approx(1.0, rel=1e-12)
