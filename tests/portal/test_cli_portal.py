"""`nuem portal ...` as a user runs it: subprocess, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nuem", "portal", *args], capture_output=True,
                          text=True, timeout=300)


def test_decay_json_matches_magill_formula():
    p = run("decay", "--m-n", "0.1", "--d", "1e-6", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    # Magill et al. 2018: Gamma = d^2 m^3 / (4 pi); c tau = hbar c / Gamma
    width = (1e-6) ** 2 * 0.1**3 / (4 * math.pi)
    assert out["width_GeV"] == pytest.approx(width, rel=1e-12, abs=0)
    hbar_c_GeV_m = 197.3269804e-3 * 1e-15  # GeV m (CODATA 2018, exact)
    assert out["ctau_m"] == pytest.approx(hbar_c_GeV_m / width, rel=1e-9, abs=0)
    pm = json.loads(run("decay", "--m-n", "0.1", "--d", "1e-6", "--majorana", "--json").stdout)
    assert pm["width_GeV"] == pytest.approx(2 * width, rel=1e-12, abs=0)


def test_decay_probability_inside_detector():
    p = run("decay", "--m-n", "0.1", "--d", "1e-6", "--energy", "2", "--distance", "1",
            "--length", "2", "--json")
    out = json.loads(p.stdout)
    lam = out["decay_length_m"]
    assert lam == pytest.approx(out["ctau_m"] * math.sqrt(2**2 - 0.1**2) / 0.1, rel=1e-9, abs=0)
    assert out["probability_inside"] == pytest.approx(
        math.exp(-1 / lam) - math.exp(-3 / lam), rel=1e-9, abs=0)


def test_xsec_json_and_scaling_with_d():
    a = json.loads(run("xsec", "--target", "argon", "--energy", "1", "--m-n", "0.1", "--d",
                       "1e-6", "--json").stdout)
    b = json.loads(run("xsec", "--target", "argon", "--energy", "1", "--m-n", "0.1", "--d",
                       "2e-6", "--json").stdout)
    assert 1e-39 < a["sigma_cm2"] < 1e-37  # DarkNews: 1.61e-38 cm^2 (test_darknews.py)
    assert b["sigma_cm2"] == pytest.approx(4 * a["sigma_cm2"], rel=1e-12, abs=0)
    assert a["threshold_GeV"] == pytest.approx(0.1 + 0.1**2 / (2 * 39.962 * 0.9315),
                                               rel=1e-3, abs=0)


@pytest.mark.parametrize("args,word", [
    (("decay", "--m-n", "0", "--d", "1e-6"), "'--m-n': 0 must be > 0 [GeV]"),
    (("decay", "--m-n", "-0.1", "--d", "1e-6"), "--m-n"),
    (("decay", "--m-n", "nan", "--d", "1e-6"), "--m-n"),
    (("decay", "--m-n", "0.1", "--d", "-1e-6"), "'--d': -1e-6 must be >= 0 [GeV^-1]"),
    (("decay", "--m-n", "0.1", "--d", "nan"), "--d"),
    (("decay", "--m-n", "0.1", "--d", "1e-6", "--flavour", "sterile"), "flavour"),
    (("xsec", "--target", "lead", "--energy", "1", "--m-n", "0.1", "--d", "1e-6"), "target"),
    (("xsec", "--target", "electron", "--energy", "0.01", "--m-n", "0.1", "--d", "1e-6"),
     "threshold"),
    (("xsec", "--target", "argon", "--energy", "1", "--m-n", "0.1", "--d", "-1"), "--d"),
    (("xsec", "--target", "proton", "--energy", "nan", "--m-n", "0.1", "--d", "1e-6"),
     "'--energy': nan is not a finite number [GeV]"),
])
def test_bad_input_one_line_exit_2(args, word):
    p = run(*args)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], p.stderr
    assert p.stdout == ""


def test_limit_json_table_and_small_mass_end():
    p = run("limit", "xenonnt-2022", "--flavour", "universal", "--m-min", "1e-6", "--m-max",
            "1e-2", "--n-masses", "2", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["m_N_GeV"] == pytest.approx([1e-6, 1e-2], rel=1e-12, abs=0)
    # small-m_N end: nuem's XENONnT mu limit 6.12e-12 mu_B (nuem limit xenonnt-2022)
    # as d = mu mu_B / 2 with mu_B = e/(2 m_e) = sqrt(4 pi/137.036)/(2 x 0.000511) GeV^-1
    mu_b = math.sqrt(4 * math.pi / 137.036) / (2 * 0.00051099895)
    assert out["d_GeV_inv"][0] == pytest.approx(6.121e-12 * mu_b / 2, rel=0.02, abs=0)
    assert out["d_GeV_inv"][1] is None  # 10 MeV: no recoils below 30 keV


@pytest.mark.parametrize("args,word", [
    (("limit", "xenonnt-2022", "--flavour", "sterile"), "flavour"),
    (("limit", "xenonnt-2022", "--m-min", "0"), "--m-min"),
    (("limit", "xenonnt-2022", "--m-max", "nan"), "--m-max"),
    (("limit", "xenonnt-2022", "--m-min", "1e-2", "--m-max", "1e-3"), "--m-min"),
    (("limit", "xenonnt-2022", "--n-masses", "1"), "--n-masses"),
])
def test_limit_bad_input(args, word):
    p = run(*args)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and word in p.stderr


def test_uhe_json_inputs_named_and_count_scales_as_d4_when_long_lived():
    base = ("uhe", "--m-n", "0.3", "--flavour", "mu", "--json")
    a = json.loads(run(*base, "--d", "1e-6").stdout)
    b = json.loads(run(*base, "--d", "2e-6").stdout)
    for key in ("flux_norm_per_GeV_cm2_s_sr", "flux_index", "years", "length_m", "area_km2",
                "separation_m", "solid_angle_sr", "ice_density_g_cm3", "events"):
        assert key in a
    # decay length >> 1 km: sigma ~ d^2 and P_decay ~ 1/lambda ~ d^2 (next order in the
    # column probability: -L/(3 lambda) <= 0.3% at lambda >= 1e5 m, hence 5e-3)
    assert min(a["decay_length_m"]) > 1e5
    assert b["events"] == pytest.approx(16 * a["events"], rel=5e-3, abs=0)
    p = run("uhe", "--m-n", "0.3", "--d", "1e-6", "--flux-norm", "nan")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "--flux-norm" in p.stderr


def test_limit_json_stays_clean_where_minuit_complains():
    # near m_N ~ 1.3 MeV the far fit starts make Minuit2 print on fd 1; stdout must stay JSON
    p = run("limit", "xenonnt-2022", "--m-min", "1.2e-3", "--m-max", "1.3e-3", "--n-masses",
            "2", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert all(d is not None and 1e-7 < d < 1e-4 for d in out["d_GeV_inv"])


def test_uhe_flux_file_equals_the_power_law_it_samples(tmp_path):
    # E^2 dPhi/dE of dPhi/dE = 1e-24 (E/1e8 GeV)^-2 is 1e-8 GeV cm^-2 s^-1 sr^-1 at all E
    f = tmp_path / "flux.txt"
    f.write_text("# E [GeV]  E^2 dPhi/dE [GeV cm^-2 s^-1 sr^-1]\n"
                 + "".join(f"{e:g}, 1e-8\n" for e in (1e6, 1e7, 1e8, 1e9, 1e10, 1e11)))
    base = ("uhe", "--m-n", "0.3", "--d", "1e-6", "--json")
    a = json.loads(run(*base, "--flux-file", str(f)).stdout)
    b = json.loads(run(*base, "--flux-norm", "1e-24", "--flux-index", "2").stdout)
    # the default 64-point trapezoid grid plus the table's nodes vs the 64 points alone
    assert a["events"] == pytest.approx(b["events"], rel=1e-3, abs=0)
    assert a["flux_table"] == str(f) and a["flux_table_nodes"] == 6
    assert (a["e_min_GeV"], a["e_max_GeV"]) == (1e6, 1e11)


@pytest.mark.parametrize("text,extra,word", [
    ("1e6 1e-8\n1e8 abc\n", (), "line 2: '1e8 abc' is not two numbers"),
    ("# E phi\n1e6 1e-8 1\n", (), "line 2: 3 columns, expected 2"),
    ("1e6 1e-8\n1e8 0\n", (), "line 2: E=1e+08, E^2 dPhi/dE=0"),
    ("1e8 1e-8\n1e7 1e-8\n", (), "line 2: E=1e+07 GeV does not exceed"),
    ("# nothing\n", (), "is empty"),
    ("", (), "is empty"),
    (bytes(range(256)) * 4, (), "binary"),
    ("1e6 1e-8 # caf\xe9\n".encode("latin-1"), (), "UTF-8"),
    ("1e6 1e-8\n1e8 1e-8\n", ("--flux-index", "2"), "excludes --flux-index"),
    (None, (), "does not exist"),
    ("DIR", (), "directory"),
])
def test_uhe_bad_flux_file_one_line_exit_2(tmp_path, text, extra, word):
    f = tmp_path / "bad flux.txt"
    if text == "DIR":
        f.mkdir()
    elif isinstance(text, bytes):
        f.write_bytes(text)
    elif text is not None:
        f.write_text(text)
    p = run("uhe", "--m-n", "0.3", "--d", "1e-6", "--flux-file", str(f), *extra)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "bad flux.txt" in lines[0], p.stderr
