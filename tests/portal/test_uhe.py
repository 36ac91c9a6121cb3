"""UHE Primakoff production in ice (nuem.portal.uhe).

Independent checks: scipy.quad of the differential cross section (written with the
Tsai 1974 Eq. (3.38) screening factor again here) against the module's Gauss-Legendre
total at three energies; the double-bang column probability against direct numerical
integration over the production depth; the event count against a quad over energy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from nuem._errors import NuemValueError
from nuem.portal import decay, model, uhe
from nuem.portal import upscatter as up
from nuem.units import GeV, cm, meter, second, year


@pytest.mark.parametrize("E_GeV", [1e6, 1e8, 1e11])
def test_cross_section_against_numerical_integration_of_the_differential(E_GeV):
    E, m, d = E_GeV * GeV, 0.5 * GeV, 1e-6 / GeV
    total = 0.0
    for part, mult, name in (("oxygen", 1, "oxygen"), ("hydrogen", 2, "proton")):
        lo, hi = up.q2_range(E, m, name)

        # Simpson's rule on 200001 points in ln Q^2 (a different rule and grid from the
        # module's composite Gauss-Legendre)
        x = np.linspace(math.log(lo), math.log(hi), 200_001)
        q2 = np.exp(x)
        total += mult * integrate.simpson(uhe.dsigma_dQ2_ice(E, q2, m, d, part) * q2, x=x)
    assert float(uhe.sigma_h2o(E, m, d)) == pytest.approx(total, rel=1e-6, abs=0)


def test_screening_factor_is_tsai_and_saturates_the_log():
    # Tsai 1974 Eq. (3.38): a = 184.15 exp(-1/2) Z^-1/3 / m_e
    me = 0.51099895e6  # eV
    a = 184.15 * math.exp(-0.5) * 8 ** (-1 / 3) / me
    q2 = 1.0 / a**2
    assert float(uhe.screening(q2, 8)) == pytest.approx(0.25, rel=1e-9, abs=0)
    # complete screening: sigma independent of E once Q_min << 1/a
    s6, s11 = (float(uhe.sigma_h2o(x * GeV, 0.01 * GeV, 1e-6 / GeV)) for x in (1e6, 1e11))
    assert s6 == pytest.approx(s11, rel=1e-6, abs=0)
    # screening only removes cross section
    assert float(up.sigma(1e6 * GeV, 0.01 * GeV, 1e-6 / GeV, "oxygen")) > s6 / 1.0 - 2 * float(
        up.sigma(1e6 * GeV, 0.01 * GeV, 1e-6 / GeV, "proton"))


@pytest.mark.parametrize("lam", [3.0, 300.0, 3e5])
def test_column_probability_closed_form(lam):
    L, s = 1000.0, 10.0
    ref = integrate.quad(lambda x: math.exp(-s / lam) - math.exp(-(L - x) / lam), 0, L - s,
                         epsrel=1e-12)[0]
    assert float(uhe.column_probability(lam, L, s)) == pytest.approx(ref, rel=1e-8, abs=0)


def test_double_bang_count_against_quad_over_energy():
    p = model.DipolePortal.from_gev(1.0, 1e-5, flavour="mu")
    flux = uhe.PowerLawFlux(norm=1e-24, index=2.0, e_ref=1e8)
    got = uhe.double_bang_count(p, flux, n_energy=257)["events"]
    n_h2o = 0.917 * 6.02214076e23 / (2 * 1.008 + 15.999)  # per cm^3

    def f(lnE):
        E = math.exp(lnE) * GeV
        sig = float(uhe.sigma_h2o(E, p.m_N, p.d[1])) / cm**2
        lam = float(decay.decay_length(E, p.m_N, p.d2)) / meter
        return 1e-24 * (math.exp(lnE) / 1e8) ** -2 * math.exp(lnE) * n_h2o * sig * float(
            uhe.column_probability(lam, 1000.0, 10.0)) * 100.0  # m -> cm
    ref = integrate.quad(f, math.log(1e6), math.log(1e11), epsrel=1e-8, limit=200)[0]
    ref *= 1e10 * 2 * math.pi * 10 * year / second  # area cm^2, sr, 10 years in s
    assert got == pytest.approx(ref, rel=2e-3, abs=0)


def test_bad_energy_raises():
    with pytest.raises(NuemValueError, match="ultra-high-energy"):
        uhe.sigma_h2o(1e3 * GeV, 0.1 * GeV, 1e-6 / GeV)


# ---- flux given as a table (E [GeV], E^2 dPhi/dE [GeV cm^-2 s^-1 sr^-1]) ---------------
def _write_table(path, E, e2phi, header="# E [GeV]   E^2 dPhi/dE [GeV cm^-2 s^-1 sr^-1]\n"):
    path.write_text(header + "".join(f"{e:.17g} {v:.17g}\n" for e, v in zip(E, e2phi)))
    return path


def test_table_sampled_from_a_power_law_reproduces_its_count(tmp_path):
    # dPhi/dE = 1e-24 (E/1e8 GeV)^-2.3 per flavour, written out here; 21 nodes 1e6..1e11
    E = np.geomspace(1e6, 1e11, 21)
    f = _write_table(tmp_path / "pl.txt", E, 1e-24 * (E / 1e8) ** -2.3 * E**2)
    table = uhe.TableFlux.from_file(f)
    # log-log interpolation is exact for a power law, between and at the nodes
    x = np.array([1.234e6, 5e7, 3.3e10])
    assert table(x) == pytest.approx(1e-24 * (x / 1e8) ** -2.3, rel=1e-12, abs=0)
    p = model.DipolePortal.from_gev(1.0, 1e-5, flavour="mu")
    got = uhe.double_bang_count(p, table, n_energy=257)
    ref = uhe.double_bang_count(p, uhe.PowerLawFlux(1e-24, 2.3, 1e8), n_energy=257)["events"]
    assert got["events"] == pytest.approx(ref, rel=1e-4, abs=0)
    assert (got["e_min_GeV"], got["e_max_GeV"]) == (1e6, 1e11)
    assert got["flux_table"] == str(f) and got["flux_table_nodes"] == 21


def test_table_with_a_break_is_the_sum_of_two_power_law_segments(tmp_path):
    # E^-2 below 1e8 GeV and E^-3 above, continuous at 1e8 GeV (a node of the table); for
    # m_N = 3 GeV, d = 1e-5 GeV^-1 in all flavours the decay length is 10 m (the
    # separation) at 1e8 GeV, so both segments give a good part of the double bangs
    def phi(E):
        return np.where(E <= 1e8, 1e-24 * (E / 1e8) ** -2.0, 1e-24 * (E / 1e8) ** -3.0)
    E = np.geomspace(1e6, 1e11, 11)
    table = uhe.TableFlux.from_file(_write_table(tmp_path / "br.txt", E, phi(E) * E**2))
    p = model.DipolePortal.from_gev(3.0, 1e-5, flavour="universal")
    # different trapezoid grids (5 decades vs 2 + 3): 1025 points make both converge
    got = uhe.double_bang_count(p, table, n_energy=1025)["events"]
    low = uhe.PowerLawFlux(1e-24, 2.0, 1e8, e_min=1e6, e_max=1e8)
    high = uhe.PowerLawFlux(1e-24, 3.0, 1e8, e_min=1e8, e_max=1e11)
    ref = sum(uhe.double_bang_count(p, f, n_energy=1025)["events"] for f in (low, high))
    assert got == pytest.approx(ref, rel=1e-4, abs=0)
    # the high segment carries a good part of the count: the break matters
    assert 0.2 < uhe.double_bang_count(p, high, n_energy=1025)["events"] / got < 0.8


def test_table_integrates_only_where_defined_and_never_extrapolates(tmp_path):
    E = np.geomspace(1e7, 1e10, 7)
    table = uhe.TableFlux.from_file(_write_table(tmp_path / "t.txt", E, 1e-8 * E**0))
    p = model.DipolePortal.from_gev(0.3, 1e-6, flavour="e")
    out = uhe.double_bang_count(p, table)
    assert (out["e_min_GeV"], out["e_max_GeV"]) == (1e7, 1e10)
    # the same flux as a power law (E^2 dPhi/dE constant: index 2) on the same range
    ref = uhe.double_bang_count(p, uhe.PowerLawFlux(1e-8 / 1e8**2, 2.0, 1e8, e_min=1e7,
                                                    e_max=1e10), n_energy=257)["events"]
    assert uhe.double_bang_count(p, table, n_energy=257)["events"] == pytest.approx(
        ref, rel=1e-4, abs=0)
    with pytest.raises(NuemValueError, match=r"\[1e\+06, 1e\+11\] GeV exceeds the flux's "
                                             r"\[1e\+07, 1e\+10\] GeV"):
        uhe.double_bang_count(p, table, e_range_GeV=(1e6, 1e11))
    with pytest.raises(NuemValueError, match="no extrapolation"):
        table(np.array([5e6, 1e8]))
    # a table wider than 1e6-1e11 GeV is integrated over 1e6-1e11 GeV only
    wide = uhe.TableFlux(tuple(np.geomspace(1e4, 1e13, 10)), tuple(np.full(10, 1e-8)))
    out = uhe.double_bang_count(p, wide)
    assert (out["e_min_GeV"], out["e_max_GeV"]) == (1e6, 1e11)
    with pytest.raises(NuemValueError, match="ultra-high-energy range"):
        uhe.double_bang_count(p, wide, e_range_GeV=(1e5, 1e8))


@pytest.mark.parametrize("text,word", [
    ("# E phi\n1e6 1e-8\n1e8 abc\n", "line 3: '1e8 abc' is not two numbers"),
    ("1e6 1e-8\n1e8 1e-8 3\n", "line 2: 3 columns, expected 2"),
    ("1e6 1e-8\n1e8 -1e-8\n", "line 2: E=1e+08, E^2 dPhi/dE=-1e-08"),
    ("1e6 1e-8\n1e8 nan\n", "line 2"),
    ("1e8 1e-8\n1e6 1e-8\n", "line 2: E=1e+06 GeV does not exceed"),
    ("# only a header\n1e6 1e-8\n", "1 data line, needs at least 2"),
    ("# only a header\n\n", "is empty"),
])
def test_malformed_table_names_file_and_line(tmp_path, text, word):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    with pytest.raises(NuemValueError, match="flux file .*bad.txt") as exc:
        uhe.TableFlux.from_file(f)
    assert word in str(exc.value)


def test_table_flux_in_code_checks_its_nodes():
    t = uhe.TableFlux(np.array([1e6, 1e8]), [1e-8, 1e-9])  # arrays are stored as tuples
    assert t.energies_GeV == (1e6, 1e8) and hash(t) == hash(uhe.TableFlux((1e6, 1e8),
                                                                          (1e-8, 1e-9)))
    # halfway in ln E: E^2 dPhi/dE = sqrt(1e-8 1e-9), dPhi/dE = that / E^2
    assert float(t(1e7)) == pytest.approx(math.sqrt(1e-17) / 1e14, rel=1e-12, abs=0)
    with pytest.raises(NuemValueError,
                       match=r"E=100000 GeV outside the flux table \[1e\+06, 1e\+08\]"):
        t(np.array([1e7, 1e5]))
    for E, v, word in (((1e6,), (1.0,), "at least two nodes"),
                       ((1e8, 1e6), (1.0, 1.0), "increase strictly"),
                       ((1e6, 1e8), (1.0, 0.0), "<= 0"),
                       ((1e6, float("nan")), (1.0, 1.0), "NaN")):
        with pytest.raises(NuemValueError, match=word):
            uhe.TableFlux(E, v)
    p = model.DipolePortal.from_gev(1.0, 1e-5, flavour="mu")
    with pytest.raises(NuemValueError, match="n_energy"):
        uhe.double_bang_count(p, t, n_energy=1)
    with pytest.raises(NuemValueError, match="outside the ultra-high-energy range"):
        uhe.double_bang_count(p, uhe.TableFlux((1e3, 1e5), (1.0, 1.0)))
