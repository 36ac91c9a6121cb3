"""The CLI as a user runs it: a subprocess, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nuem", *args], capture_output=True, text=True,
                          timeout=300)


def test_bound_json_keys_and_value():
    p = run("bound", "--scale", "1000", "--delta-m", "1", "--r", "0", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("mu_max_muB", "f", "scale_GeV", "delta_m_eV", "r", "method"):
        assert key in d
    assert 1e-15 < d["mu_max_muB"] < 1e-13  # "of order 1e-14" (issue 2, must show 2)
    assert d["f"] == pytest.approx(0.970, abs=0.001)  # Eq. (5) as printed, f(0) = 1 - tan^4/3


def test_bound_at_f_zero_reports_no_bound():
    from nuem.theory.naturalness import r_zero

    p = run("bound", "--scale", "1000", "--r", repr(r_zero()), "--json")
    d = json.loads(p.stdout)
    assert d["no_bound"] is True and d["mu_max_muB"] is None


def test_eft_run_json():
    p = run("eft", "run", "--scale", "1e4", "--c1", "1", "--c2", "1", "--c3", "0",
            "--method", "running", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert len(d["C"]) == 3 and "mu_nu_muB" in d and "delta_m_eV" in d
    assert d["C"][2] != 0.0  # O3 is induced radiatively


@pytest.mark.parametrize("args, word", [
    (("bound", "--scale", "100"), "scale"),
    (("bound", "--scale", "1000", "--delta-m", "0"), "--delta-m"),
    (("bound", "--scale", "nan"), "scale"),
    (("bound", "--scale", "1000", "--method", "nlo"), "--method"),
    (("bound", "--scale", "abc"), "--scale"),
    (("eft", "run", "--scale", "1000", "--to", "5000"), "to="),
])
def test_bad_input_exits_nonzero_without_traceback(args, word):
    p = run(*args)
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert word in p.stderr
    assert p.stderr.strip().splitlines()[-1].startswith("Error:")


def test_scan_writes_png_and_pdf(tmp_path):
    p = run("bound", "--scan", "--out", str(tmp_path / "scan"))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "scan.png").stat().st_size > 10_000
    assert (tmp_path / "scan.pdf").stat().st_size > 5_000


@pytest.mark.slow
def test_report_writes_self_contained_page(tmp_path):
    p = run("report", "--out", str(tmp_path / "rep"))
    assert p.returncode == 0, p.stderr
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "data:image/png;base64," in html
    assert "Bell" in html and "<table>" in html
    for scale in ("<td>1</td>", "<td>10</td>", "<td>100</td>"):
        assert scale in html


def test_xsec_json_parts():
    """Issue 3 CLI: total, sm and em in cm^2/MeV; em = magnetic term for mu only."""
    p = run("xsec", "--flavour", "e", "--energy", "1", "--recoil", "0.1", "--mu", "1e-10", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["dsigma_dT_cm2_per_MeV"] == pytest.approx(d["sm"] + d["em"], rel=1e-12, abs=0)
    assert d["em"] == pytest.approx(2.495e-25 * 9.0 * 1e-20, rel=1e-3, abs=0)  # (pi a^2/m^2)(1/T-1/E)mu^2
    assert d["sm"] == pytest.approx(1.004e-44, rel=2e-3, abs=0)


def test_spectrum_json_with_detector(tmp_path):
    p = run("spectrum", "--detector", "xenonnt-sr0", "--mu", "1e-11", "--bins", "4", "--json",
            "--plot", str(tmp_path / "s.png"))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert len(d["total"]) == 4 and d["unit"] == "events/(tonne year keV)"
    assert all(t >= s for t, s in zip(d["total"], d["sm"]))
    assert (tmp_path / "s.png").stat().st_size > 1000


@pytest.mark.parametrize("args,needle", [
    (("xsec", "--flavour", "e", "--energy", "-1", "--recoil", "0.1"), "must be > 0"),
    (("xsec", "--flavour", "e", "--energy", "1", "--recoil", "0.9"), "kinematic limit"),
    (("xsec", "--flavour", "sterile", "--energy", "1", "--recoil", "0.1"), "'sterile'"),
    (("xsec", "--flavour", "e", "--energy", "1", "--recoil", "0.1", "--target", "lead"),
     "target='lead'"),
    (("spectrum", "--detector", "no-such-detector"), "neither a built-in detector"),
])
def test_issue3_bad_input_exit_2(args, needle):
    p = run(*args)
    assert p.returncode == 2
    assert needle in p.stderr and "Traceback" not in p.stderr


def test_malformed_detector_file_exit_2(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('name = "x"\ntarget = "xenon"\n')
    p = run("spectrum", "--detector", str(f))
    assert p.returncode == 2 and "missing field 'exposure_t_yr'" in p.stderr


def test_sfp_constant_json_is_rabi(tmp_path):
    """nuem sfp --profile constant: states, P[e][i][j], and the Rabi closed form."""
    import math

    from nuem import constants
    from nuem.propagation import profiles
    from nuem.units import km, tesla

    p = run("sfp", "--profile", "constant", "--density", "300", "--ye", "1", "--b-tesla", "3e4",
            "--length-km", "800", "--flavours", "1", "--mu", "1e-11", "--energies", "1,7",
            "--json", "--plot", str(tmp_path / "sfp"))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["states"] == ["nu_e_L", "nu_e_R"]
    P = d["probabilities"]
    assert len(P) == 2 and len(P[0]) == 2 and len(P[0][0]) == 2
    D = math.sqrt(2) * constants.G_F * profiles.electron_density(300.0, 1.0)
    g2 = (2 * 1e-11 * constants.mu_B * 3e4 * tesla) ** 2
    ref = g2 / (g2 + D**2) * math.sin(math.sqrt(g2 + D**2) * 800 * km / 2) ** 2
    assert P[0][0][1] == pytest.approx(ref, abs=1e-9)
    assert (tmp_path / "sfp.png").exists()


def test_sfp_bad_input_is_one_line():
    p = run("sfp", "--profile", "constant", "--density", "-3", "--json")
    assert p.returncode == 2 and "density" in p.stderr and "Traceback" not in p.stderr
    p = run("sfp", "--profile", "constant", "--energies", "0,5", "--json")
    assert p.returncode == 2 and "--energies" in p.stderr and "0 MeV" in p.stderr
    p = run("sfp", "--profile", "no-such-file.csv")
    assert p.returncode == 2 and "no-such-file" in p.stderr


def test_predict_sm_json_keys():
    """Issue 6: Fujikawa-Shrock 3.20e-19 mu_B at 1 eV and the three SM charge radii."""
    p = run("predict", "sm", "--mass", "1", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["mu_dirac_muB"] == pytest.approx(3.20e-19, rel=2e-3, abs=0)
    assert set(d["charge_radius_cm2"]) == {"e", "mu", "tau"}
    assert d["charge_radius_cm2"]["e"] == pytest.approx(4.1e-33, rel=0.02, abs=0)


def test_astro_decay_and_plasmon_json():
    p = run("astro", "decay", "--mu", "1", "--m-heavy", "1", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["lifetime_s"] == pytest.approx(0.19, rel=0.01)
    p = run("astro", "plasmon", "--density", "1e6", "--temperature", "1e8", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert 15e3 < d["omega_p_eV"] < 20e3 and d["decay_open"] is True
    # Haft, Raffelt & Weiss (1994): Q_mu/Q_SM ~ 0.318 mu_12^2 (10 keV/omega_p)^2, both modes
    assert d["ratio_mu_over_sm"] == pytest.approx(0.318 * (1e4 / d["omega_p_eV"]) ** 2, rel=0.05)
    assert 0.0 < d["longitudinal_fraction_sm"] < d["longitudinal_fraction_mu"] < 0.5


def test_astro_red_giant_json():
    p = run("astro", "red-giant", "--mu", "1.3e-12", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    # Haft, Raffelt & Weiss (1994): 0.318 mu_12^2 (10 keV/omega_p)^2
    assert d["ratio_mu_over_sm"] == pytest.approx(0.318 * 1.69 * (1e4 / d["omega_p_eV"]) ** 2,
                                                  rel=0.05)
    # Capozzi & Raffelt (2020): omega Cen 1.2e-12 excludes it, NGC 4258 1.5e-12 does not
    ex = {b["id"]: b["excludes"] for b in d["trgb_bounds"]}
    assert ex["trgb-omegacen-2020"] and not ex["trgb-ngc4258-2020"] and d["excluded"]
    p = run("astro", "red-giant", "--mu", "-1")
    assert p.returncode == 2 and "--mu" in p.stderr


@pytest.mark.parametrize("args,needle", [
    (("astro", "decay", "--mu", "1", "--m-heavy", "-1"), "--m-heavy"),
    (("astro", "decay", "--mu", "1", "--m-heavy", "1", "--m-light", "2"), "below"),
    (("astro", "plasmon", "--density", "1e6", "--temperature", "1e20"), "temperature"),
    (("predict", "sm", "--mass", "0"), "--mass"),
])
def test_issue6_bad_input_exit_2(args, needle):
    p = run(*args)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr


@pytest.mark.slow
def test_sfp_signal_sun_lists_the_published_limits():
    p = run("sfp", "--profile", "sun", "--majorana", "--mu", "1e-11", "--b0", "100",
            "--energies", "2:16:20", "--signal", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)["solar_nuebar"]
    names = {r["experiment"] for r in rows}
    assert {"KamLAND 2012", "Super-Kamiokande-IV 2021"} <= names
    for r in rows:
        assert 0 < r["fraction"] < 1 and r["allowed"] == (r["fraction"] <= r["limit"])
    p = run("sfp", "--profile", "sun", "--mu", "1e-11", "--signal", "--json")
    assert p.returncode == 2 and "majorana" in p.stderr
