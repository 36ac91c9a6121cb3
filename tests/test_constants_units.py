"""Constants and units against independently published numbers."""

from __future__ import annotations

import math

import pytest

from nuem import constants, units
from nuem._errors import NuemValueError
from nuem.constants import Constant, parse_table


def test_higgs_vev_from_fermi_constant():
    # PDG 2024 EW review quotes v = (sqrt2 G_F)^-1/2 = 246.22 GeV.
    assert constants.v_higgs / units.GeV == pytest.approx(246.22, abs=0.005)


def test_tesla_in_natural_units():
    # 1 T = 195.35 eV^2 (e.g. Raffelt, Stars as Laboratories, App. A: 1 G = 1.95e-2 eV^2).
    assert units.tesla == pytest.approx(195.35, rel=1e-4)
    assert units.gauss == pytest.approx(1.9535e-2, rel=1e-4)


def test_length_and_time_conversions():
    # 1/(hbar c) = 5.0677307e4 (eV cm)^-1 and 1/hbar = 1.5192674e15 (eV s)^-1, CODATA 2018.
    assert units.cm == pytest.approx(5.0677307e4, rel=1e-7)
    assert units.second == pytest.approx(1.5192674e15, rel=1e-7)


def test_bohr_magneton_natural_units():
    # mu_B = e/(2 m_e) = sqrt(4 pi alpha)/(2 m_e) = 2.963e-7 eV^-1 with m_e = 0.511 MeV.
    expected = math.sqrt(4 * math.pi / 137.035999084) / (2 * 0.51099895e6)
    assert constants.mu_B == pytest.approx(expected, rel=1e-9, abs=0)
    # and mu_B * (1 T) reproduces CODATA's 5.7883818060e-5 eV
    assert constants.mu_B * units.tesla == pytest.approx(5.7883818060e-5, rel=1e-10)


def test_every_constant_has_a_source():
    assert all(c.source.strip() for c in constants.TABLE.values())
    with pytest.raises(NuemValueError, match="no source"):
        Constant("x", 1.0, 0.0, "eV", " ")


def test_malformed_table_is_rejected():
    with pytest.raises(NuemValueError, match="malformed row"):
        parse_table("name,value,uncertainty,unit,source\nm_e,abc,0,MeV,CODATA\n")
    with pytest.raises(NuemValueError, match="non-finite"):
        parse_table("name,value,uncertainty,unit,source\nm_e,nan,0,MeV,CODATA\n")
