"""Statistics: datasets, likelihoods, limits, toys, and bad input (issue 4)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import optimize, stats

from nuem.data import read_table
from nuem.stats import datasets, likelihood
from nuem.stats import limits as lim
from nuem.stats.datasets import DatasetFileError


@pytest.fixture(scope="module")
def xe():
    return datasets.load("xenonnt-2022")


@pytest.fixture(scope="module")
def xe_mu(xe):
    return likelihood.Model(xe, ("mu",))


# --------------------------------------------------------------------- published limit
def test_xenonnt_mu_limit_reproduces_published(xe_mu):
    """XENONnT, PRL 129, 161805 (2022): mu_nu < 6.4e-12 mu_B at 90% CL (issue 4, must show 1:
    within 15%)."""
    r = lim.upper_limit(xe_mu, "mu", 0.9)
    assert r.limit == pytest.approx(6.4e-12, rel=0.15, abs=0)
    assert r.interval[0] == 0.0 and r.critical_value == pytest.approx(stats.norm.ppf(0.9) ** 2)


def test_xenonnt_dataset_contents(xe):
    """The shipped release: 433 events below 30 keV, 1.16 t yr (PRL 129, 161805 data release);
    10 of them lie above 29.8 keV where the released efficiency table ends."""
    assert xe.n_observed + xe.n_outside == 433
    assert xe.exposure_t_yr == 1.16
    assert xe.n_outside == 10


def test_background_normalisation_fits_near_one(xe_mu):
    """B0 is the collaboration's best fit, so its free normalisation fits 1 within the Poisson
    error of 423 events (about 5%)."""
    _, x = xe_mu.minimise()
    assert x[0] == pytest.approx(1.0, abs=2 * np.sqrt(423) / 423)


# --------------------------------------------------------------------- millicharge
def test_millicharge_limit_same_order_as_reanalyses(xe):
    """ShivaSankar et al., PLB 839, 137742 (2023), arXiv:2208.06415, abstract: XENONnT bounds the
    millicharge 'of the order of 1e-13 e'; Atzori Corona et al. (arXiv:2207.05036) get 1.5e-13 e
    from LZ.  Our two-sided 90% CL interval must contain 0 and have |q| of that order."""
    r = lim.upper_limit(xe, "q", 0.9)
    lo, hi = r.interval
    assert lo < 0 < hi
    assert 5e-14 < r.limit < 1e-12


# --------------------------------------------------------------------- signal basis exact
def test_signal_basis_reproduces_direct_rate(xe):
    """S_EM is exactly quadratic in (q, r2): the basis built from finite differences must give
    the directly computed spectrum at an unrelated point (q, r2) to rounding accuracy."""
    from nuem.units import cm

    E = np.linspace(1.5, 25.0, 9)
    b = likelihood.SignalBasis.compute(xe, E, ("q", "r2"))
    q, r2 = 3.7, -2.2  # internal units: 3.7e-13 e, -2.2e-32 cm^2
    mono = likelihood._monomials({"q": q, "r2": r2})
    rebuilt = sum(v * mono[k] for k, v in b.terms.items())
    direct = xe.detector.expected(E, q=q * 1e-13, r2=r2 * 1e-32 * cm**2)["em"]
    np.testing.assert_allclose(rebuilt, direct, rtol=1e-7, atol=1e-12 * np.max(abs(direct)))


# --------------------------------------------------------------------- closed forms
def _counting_dataset(n: int, b: float, sigma=0.0):
    """One bin of a xenon dataset whose background is flat b events/(t yr keV) over 1-2 keV."""
    cfg = {"name": "counting", "target": "xenon", "exposure_t_yr": 1.0, "range_keV": [1.0, 2.0],
           "response": {"a_sqrt_keV": 0.0, "b": 0.0, "threshold_keV": 0.0, "efficiency": 1.0},
           "source": {"type": "solar", "model": "B16-GS98"},
           "bins": {"edges_keV": [1.0, 2.0], "counts": [n]},
           "background": {"components": [{"name": "flat", "table": {"E_keV": [0.5, 3.0],
                                                                      "rate": [b, b]},
                                           "normalisation": "fixed" if sigma == 0 else
                                           {"sigma": sigma}}]}}
    return datasets.from_mapping(cfg)


@pytest.mark.parametrize("n,b", [(5, 5.0), (12, 8.0), (0, 3.0)])
def test_counting_limit_matches_closed_form(n, b):
    """One Poisson bin, known background: q(s) = 2[(s+b) - n - n ln((s+b)/n)] for s > s^ =
    max(n-b, 0) (Cowan et al. EPJC 71, 1554, Eqs. 14, 16); the 90% CL limit on the signal
    count solves q = Phi^-1(0.9)^2.  Compare nuem's limit on mu^2, mapped to a count."""
    ds = _counting_dataset(n, b)
    m = likelihood.Model(ds, ("mu",))
    per_unit = m.expected_counts([1.0, 2.0], np.array([1.0, 1.0]))[0] - b  # events per mu^2 unit
    r = lim.upper_limit(m, "mu", 0.9)
    s_nuem = (r.limit / likelihood.SCALE["mu"]) ** 2 * per_unit

    def nll2(s):
        nu = s + b
        return 2 * (nu - n - (n * np.log(nu) if n > 0 else 0.0))

    s_hat = max(n - b, 0.0)
    crit = stats.norm.ppf(0.9) ** 2
    s_ref = optimize.brentq(lambda s: nll2(s) - nll2(s_hat) - crit, s_hat, s_hat + 100)
    assert s_nuem == pytest.approx(s_ref, rel=1e-4)


def test_constrained_background_widens_limit():
    """A Gaussian-constrained background normalisation can only loosen the limit relative to a
    fixed one (profiling adds freedom)."""
    fixed = lim.upper_limit(_counting_dataset(9, 6.0), "mu", 0.9).limit
    loose = lim.upper_limit(_counting_dataset(9, 6.0, sigma=0.3), "mu", 0.9).limit
    assert loose > fixed


# --------------------------------------------------------------------- toys
@pytest.fixture(scope="module")
def xe_binned(xe):
    return likelihood.Model(xe.binned(np.linspace(1.0, 29.8, 13)), ("mu",))


def test_fit_recovers_known_truth_on_toys(xe_binned):
    """Toys generated at mu = 2e-11 (far from the boundary): the best-fit mu^2 is unbiased
    (mean pull within 3 standard errors of 0)."""
    rng = np.random.default_rng(7)
    truth = float(lim.to_internal("mu", 2e-11))
    x_true = np.array([1.0, truth])
    fits = []
    for _ in range(60):
        toy = xe_binned.with_data(xe_binned.sample(x_true, rng))
        _, x = toy.minimise()
        fits.append(x[1])
    fits = np.array(fits)
    assert abs(fits.mean() - truth) < 3 * fits.std(ddof=1) / np.sqrt(len(fits))


@pytest.mark.slow
def test_upper_limit_coverage(xe_binned):
    """Coverage of the asymptotic 90% CL upper limit with toys at mu = 8e-12 mu_B: the
    fraction of toys whose limit lies above the truth is 0.90 within 3 binomial standard
    errors (400 toys: +-0.045) -- the stated tolerance (issue 4, must show 4)."""
    cov = lim.coverage(xe_binned, 8e-12, "mu", 0.9, n_toys=400, seed=3)
    assert abs(cov["coverage"] - 0.9) < 3 * np.sqrt(0.9 * 0.1 / cov["n_toys"])


def test_feldman_cousins_and_cls_run_and_are_ordered(xe_binned):
    """FC and CLs by toys give limits of the same size as the asymptotic one; CLs is
    conservative, so it is not below the asymptotic q~ limit by more than toy noise."""
    asym = lim.upper_limit(xe_binned, "mu", 0.9).limit
    fc = lim.upper_limit(xe_binned, "mu", 0.9, "fc", n_toys=40, grid=6, seed=1).limit
    cls = lim.upper_limit(xe_binned, "mu", 0.9, "cls", n_toys=40, grid=6, seed=1).limit
    assert 0.6 * asym < fc < 1.6 * asym
    assert 0.8 * asym < cls < 2.0 * asym


# --------------------------------------------------------------------- generic format
def _handwritten_yaml(tmp_path):
    """The XENONnT SR0 dataset written out in full in the generic format: events, efficiency,
    background and response inline, no reference to any built-in."""
    ev = [float(r["E_keV"]) for r in read_table("datasets/xenonnt-2022_events.csv")]
    eff = read_table("detectors/xenonnt_sr0_efficiency.csv")
    b0 = read_table("datasets/xenonnt-2022_b0.csv")
    lines = [
        "# XENONnT SR0 (PRL 129, 161805), written by hand in nuem's generic dataset format",
        "name: my-xenonnt", "target: xenon", "exposure_t_yr: 1.16", "range_keV: [1.0, 29.8]",
        "source: {type: solar, model: B16-GS98}",
        "response:", "  a_sqrt_keV: 0.310", "  b: 0.0037", "  threshold_keV: 1.0",
        "  efficiency:",
        "    E_keV: [" + ", ".join(r["E_keV"] for r in eff) + "]",
        "    efficiency: [" + ", ".join(r["efficiency"] for r in eff) + "]",
        "events: [" + ", ".join(repr(e) for e in ev) + "]",
        "background:", "  solar_sm_included: true", "  components:", "    - name: B0",
        "      normalisation: free", "      table:",
        "        E_keV: [" + ", ".join(r["E_keV"] for r in b0) + "]",
        "        rate: [" + ", ".join(r["rate"] for r in b0) + "]",
    ]
    p = tmp_path / "my_xenonnt.yaml"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_handwritten_dataset_gives_identical_limit(tmp_path, xe_mu):
    """Issue 4, must show 3: the same fit from a hand-written generic file gives the identical
    limit, and the file is not modified by loading or fitting (issue 4, must show 5)."""
    p = _handwritten_yaml(tmp_path)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    mtime = p.stat().st_mtime_ns
    r_file = lim.upper_limit(str(p), "mu", 0.9)
    r_builtin = lim.upper_limit(xe_mu, "mu", 0.9)
    assert r_file.limit == pytest.approx(r_builtin.limit, rel=1e-9, abs=0)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    assert p.stat().st_mtime_ns == mtime


def test_cli_limit_json_from_file_and_builtin(tmp_path):
    p = _handwritten_yaml(tmp_path)
    out = []
    for ds in ("xenonnt-2022", str(p)):
        r = subprocess.run([sys.executable, "-m", "nuem", "limit", ds, "--json"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        out.append(json.loads(r.stdout))
    for d in out:
        for key in ("limit", "cl", "param", "dataset"):
            assert key in d
        assert d["cl"] == 0.9 and d["param"] == "mu"
    assert out[0]["dataset"] == "xenonnt-2022"
    assert out[1]["limit"] == pytest.approx(out[0]["limit"], rel=1e-9, abs=0)


# --------------------------------------------------------------------- bad input
def _base_cfg():
    return {"name": "bad", "target": "xenon", "exposure_t_yr": 1.0, "range_keV": [1.0, 10.0],
            "response": {"a_sqrt_keV": 0.3, "b": 0.0, "threshold_keV": 1.0,
                         "efficiency": {"E_keV": [0.5, 20.0], "efficiency": [0.9, 0.9]}},
            "source": {"type": "solar"},
            "bins": {"edges_keV": [1.0, 5.0, 10.0], "counts": [3, 4]},
            "background": {"components": [{"name": "flat", "table": {"E_keV": [0.5, 20.0],
                                                                       "rate": [1.0, 1.0]}}]}}


@pytest.mark.parametrize("mutate,field", [
    (lambda c: c["bins"].update(counts=[3, -1]), "counts"),
    (lambda c: c["bins"].update(edges_keV=[1.0, 5.0, 7.0, 10.0]), "edges_keV"),
    (lambda c: c["bins"].update(edges_keV=[1.0, 6.0, 5.0]), "edges_keV"),
    (lambda c: c["response"]["efficiency"].update(efficiency=[0.9, 1.3]), "efficiency"),
    (lambda c: c.pop("exposure_t_yr"), "exposure_t_yr"),
    (lambda c: c.update(exposure_t_yr=-2), "exposure_t_yr"),
    (lambda c: c.update(target="unobtainium"), "target"),
    (lambda c: c["background"]["components"][0]["table"].update(rate=[1.0, -1.0]), "rate"),
    (lambda c: c["background"]["components"][0].update(normalisation="wobbly"), "normalisation"),
    (lambda c: c.update(events=[2.0, 3.0]), "events"),
])
def test_bad_dataset_names_the_field(mutate, field):
    cfg = _base_cfg()
    mutate(cfg)
    with pytest.raises(DatasetFileError, match=field):
        datasets.from_mapping(cfg, "test")


def test_bad_dataset_file_on_cli_is_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\ntarget: xenon\nrange_keV: [1, 10]\n")
    r = subprocess.run([sys.executable, "-m", "nuem", "limit", str(p)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2
    assert "exposure_t_yr" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "nuem", "limit", "no-such-dataset"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no-such-dataset" in r.stderr


def test_bad_limit_arguments(xe_mu):
    with pytest.raises(ValueError, match="cl"):
        lim.upper_limit(xe_mu, "mu", 1.2)
    with pytest.raises(ValueError, match="method"):
        lim.upper_limit(xe_mu, "mu", 0.9, "bayes")
    with pytest.raises(ValueError, match="param"):
        lim.upper_limit(xe_mu, "q", 0.9)  # the model was built for mu only


def test_binned_copy_does_not_touch_events(xe):
    b = xe.binned(np.linspace(1.0, 29.8, 5))
    assert b.counts.sum() == xe.n_observed and xe.events is not None
    assert dataclasses.replace(xe).events is xe.events


def test_two_parameter_contour_is_closed_and_contains_best_fit(xe):
    """q and <r^2> at once: the 90% CL region (Delta -2lnL <= chi2_2(0.9) = 4.61) contains the
    best fit and is bounded inside the default grid (the profiled 1-D intervals widened by half
    their width)."""
    c = lim.contour(xe, ("q", "r2"), 0.9, n=9)
    inside = c["t"] <= c["crit"]
    assert c["crit"] == pytest.approx(stats.chi2.ppf(0.9, 2))
    assert inside.any()
    assert not inside[0, :].any() and not inside[-1, :].any()
    assert not inside[:, 0].any() and not inside[:, -1].any()
    assert c["x"][0] < c["best_fit"]["q"] < c["x"][-1]


def test_binned_nll_with_gaussian_constraint_closed_form():
    """-2 ln L of one Poisson bin with a Gaussian-constrained background normalisation:
    2 [nu - n + n ln(n/nu)] + ((b - 1)/sigma)^2 (Cowan, Cranmer, Gross & Vitells, EPJC 71,
    1554 (2011), Eq. (7) with the saturated-model constant; the constraint is the Gaussian
    auxiliary measurement of the normalisation), nu the expected count at x = (b, mu^2)."""
    n, sigma = 9, 0.3
    m = likelihood.Model(_counting_dataset(n, 6.0, sigma=sigma), ("mu",))
    for x in [(1.0, 0.0), (1.3, 0.0), (0.8, 2.0), (1.1, 5.0)]:
        nu = float(m.expected_counts([1.0, 2.0], np.array(x))[0])
        ref = 2 * (nu - n + n * np.log(n / nu)) + ((x[0] - 1.0) / sigma) ** 2
        # rounding only; abs=1e-12 because the Poisson part vanishes near nu = n
        assert m.nll2(np.array(x)) == pytest.approx(ref, rel=1e-12, abs=1e-12)
