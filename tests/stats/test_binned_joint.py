"""Issue 22: binned background templates, shape nuisances, joint fits, conventions, readers
and the errors of bad files."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import numpy as np
import pytest
import yaml
from iminuit import Minuit
from scipy import optimize, stats

from nuem.stats import datasets, likelihood
from nuem.stats import limits as lim
from nuem.stats.datasets import DatasetFileError

# ----------------------------------------------------------------------------- helpers
EDGES = [float(e) for e in np.arange(1.0, 12.0, 1.0)]  # 10 bins of 1 keV, 1-11 keV
RANGE = (1.0, 11.0)
X = 2.0  # t yr


def _steep_counts(edges, X, R0=50.0, Et=2.0, s=0.5):
    """Expected counts per bin of a steep threshold rise R(E) = R0 Phi((E - Et)/s)
    [events/(t yr keV)] (an efficiency-like error-function turn-on), integrated in closed
    form: int Phi((E - Et)/s) dE = s [z Phi(z) + phi(z)], z = (E - Et)/s."""
    def F(E):
        z = (np.asarray(E) - Et) / s
        return s * (z * stats.norm.cdf(z) + stats.norm.pdf(z))
    return X * R0 * (F(edges[1:]) - F(edges[:-1]))


def _base(background, data, exposure=X, rng=RANGE, eff=0.9):
    cfg = {"name": "synthetic", "target": "xenon", "exposure_t_yr": exposure,
           "range_keV": list(rng), "response": {"a_sqrt_keV": 0.31, "b": 0.0037,
                                                "efficiency": eff},
           "source": {"type": "solar"},
           "background": {"solar_sm_included": True, "components": background}}
    cfg.update(data)
    return cfg


def _limit(cfg, **kw):
    return lim.upper_limit(likelihood.Model(datasets.from_mapping(cfg), ("mu",)), "mu", 0.9, **kw)


# ----------------------------------------------------------------------------- must show 1
@pytest.fixture(scope="module")
def steep():
    counts = _steep_counts(np.asarray(EDGES), X)
    obs = np.round(counts).tolist()
    return counts, obs


def test_counts_per_bin_equal_step_function_encoding(steep):
    """Counts per bin as a binned template give the same limit as the faithful continuous
    encoding (a step function, two nodes per bin, rate = counts/(X width)) to 1e-6, for
    binned and for unbinned data."""
    counts, obs = steep
    binned = [{"name": "B", "binned": {"edges_keV": EDGES, "counts": counts.tolist()}}]
    e = np.asarray(EDGES)
    rate = counts / (X * np.diff(e))
    eps = 1e-9
    nodes = np.ravel(np.column_stack([e[:-1], e[1:] - eps]))
    nodes[-1] = e[-1]
    step = [{"name": "B", "table": {"E_keV": nodes.tolist(), "rate": np.repeat(rate, 2).tolist()}}]
    data_b = {"bins": {"edges_keV": EDGES, "counts": obs}}
    ev = np.random.default_rng(3).uniform(1.2, 10.8, 120).tolist()
    data_u = {"events": ev}
    for data in (data_b, data_u):
        r1, r2 = _limit(_base(binned, data)), _limit(_base(step, data))
        assert r1.limit == pytest.approx(r2.limit, rel=1e-6, abs=0)


def test_counts_per_bin_equal_piecewise_linear_rate():
    """A piecewise-linear spectrum with nodes on the bin edges: its closed-form bin integrals
    X (r_i + r_{i+1})/2 dE as counts per bin give the same limit as the rate table."""
    e = np.asarray(EDGES)
    r = 40.0 * (1 - np.exp(-(e - 1.0) / 0.6)) + 2.0
    counts = X * 0.5 * (r[1:] + r[:-1]) * np.diff(e)
    obs = {"bins": {"edges_keV": EDGES, "counts": np.round(counts).tolist()}}
    r1 = _limit(_base([{"name": "B", "binned": {"edges_keV": EDGES, "counts": counts.tolist()}}],
                      obs))
    r2 = _limit(_base([{"name": "B", "table": {"E_keV": EDGES, "rate": r.tolist()}}], obs))
    assert r1.limit == pytest.approx(r2.limit, rel=1e-6, abs=0)


def test_bin_centre_interpolation_is_wrong(steep):
    """The tempting encoding, rate = counts/(X width) at the bin centres interpolated linearly
    (padded flat to the range edges), misplaces the steep threshold bins by more than 5%;
    the binned template reproduces every bin to 1e-12."""
    counts, obs = steep
    e = np.asarray(EDGES)
    c = 0.5 * (e[1:] + e[:-1])
    rate = counts / (X * np.diff(e))
    table = {"E_keV": [e[0], *c, e[-1]], "rate": [rate[0], *rate, rate[-1]]}
    data = {"bins": {"edges_keV": EDGES, "counts": obs}}
    m_c = likelihood.Model(datasets.from_mapping(_base([{"name": "B", "table": table}], data)), ("mu",))
    m_b = likelihood.Model(datasets.from_mapping(
        _base([{"name": "B", "binned": {"edges_keV": EDGES, "counts": counts.tolist()}}], data)),
        ("mu",))
    x = np.array([1.0, 0.0])
    np.testing.assert_allclose(m_b.expected_binned(x), counts, rtol=1e-12)
    err = m_c.expected_binned(x) / counts - 1
    assert abs(err[0]) > 0.3 and abs(err[1]) > 0.05  # 1-2 keV: +39%, 2-3 keV: -6.5%


# ----------------------------------------------------------------------------- must show 2
def _run_a():
    """Run A: 1 t yr, flat efficiency 0.7, unbinned, flat background with a Gaussian prior."""
    ev = np.random.default_rng(11).uniform(1.0, 12.0, 40).tolist()
    return _base([{"name": "flat", "table": {"E_keV": [1.0, 12.0], "rate": [3.5, 3.5]},
                   "normalisation": {"sigma": 0.1}}], {"events": ev}, exposure=1.0,
                 rng=(1.0, 12.0), eff=0.7) | {"name": "runA"}


def _run_b():
    """Run B: 4 t yr, an efficiency table, binned counts, a falling background template given
    as counts per bin with a log-normal prior and a per-bin staterror."""
    edges = [1.0, 2.0, 4.0, 6.0, 8.0, 12.0]
    bkg = [14.0, 24.0, 20.0, 18.0, 30.0]
    return _base([{"name": "betas", "binned": {"edges_keV": edges, "counts": bkg},
                   "normalisation": {"prior": "lognormal", "sigma": 0.2},
                   "modifiers": [{"type": "staterror", "rel": [0.1, 0.05, 0.05, 0.05, 0.05]}]}],
                 {"bins": {"edges_keV": edges, "counts": [15, 22, 21, 17, 33]}}, exposure=4.0,
                 rng=(1.0, 12.0),
                 eff={"E_keV": [0.5, 2.0, 15.0], "efficiency": [0.5, 0.85, 0.9]}) | {"name": "runB"}


@pytest.fixture(scope="module")
def runs():
    return [likelihood.Model(datasets.from_mapping(c()), ("mu",)) for c in (_run_a, _run_b)]


def _hand_sum(runs, comb, xc):
    xa, xb = (np.array([xc[comb.index(f"{m.name}/{n}") if n != "mu" else comb.index("mu")]
                        for n in m.names]) for m in runs)
    return runs[0].nll2(xa) + runs[1].nll2(xb)


def test_joint_likelihood_is_the_hand_sum(runs):
    comb = likelihood.Combination(runs, ("mu",))
    assert sorted(comb.names) == sorted(["mu", "runA/b_flat", "runB/b_betas"]
                                        + [f"runB/staterror_betas[{i}]" for i in range(5)])
    rng = np.random.default_rng(2)
    for _ in range(5):
        x = comb.start() * rng.uniform(0.8, 1.2, len(comb.names))
        x[comb.index("mu")] = rng.uniform(0, 500)
        assert comb.nll2(x) == pytest.approx(_hand_sum(runs, comb, x), rel=1e-8, abs=0)


def test_joint_limit_equals_hand_profile_and_is_tighter(runs):
    """The limit of the Combination against a profile of the hand-summed -2 ln L minimised
    here with iminuit on its own: -2 ln L at the reported nuisances equals the hand sum to
    1e-8, the hand profile crosses the threshold at the same mu (1e-4), and the joint limit
    is below each run's own."""
    comb = likelihood.Combination(runs, ("mu",))
    r = lim.upper_limit(comb, "mu", 0.9)
    mu2 = float(lim.to_internal("mu", r.limit))
    at = dict(r.extra["nuisances"]["at_limit"], mu=mu2)
    x = np.array([at[n] for n in comb.names])
    assert _hand_sum(runs, comb, x) == pytest.approx(r.extra["nll2"]["at_limit"], rel=1e-8, abs=0)

    names = runs[0].names + [f"B:{n}" for n in runs[1].names if n != "mu"]

    def hand(v):  # the two runs' nll2 added by hand: mu shared, the rest separate
        xa = v[: len(runs[0].names)]
        rest = list(v[len(runs[0].names):])
        xb = [xa[runs[0].index("mu")] if n == "mu" else rest.pop(0) for n in runs[1].names]
        return runs[0].nll2(xa) + runs[1].nll2(np.array(xb))

    def prof(mu_fixed=None):
        x0 = np.ones(len(names))
        m = Minuit(hand, x0, name=names)
        m.errordef = 1.0
        for i in range(len(names)):
            m.limits[i] = (0.0, None)
        if mu_fixed is not None:
            m.values["mu"] = mu_fixed
            m.fixed["mu"] = True
        m.tol = 1e-4
        m.migrad()
        return m.fval
    f0 = prof()
    crit = stats.norm.ppf(0.9) ** 2
    mu_hand = optimize.brentq(lambda s: prof(s) - f0 - crit, 1e-3, 50 * mu2, xtol=1e-8)
    assert np.sqrt(mu_hand) * 1e-12 == pytest.approx(r.limit, rel=1e-4, abs=0)
    alone = [lim.upper_limit(m, "mu", 0.9).limit for m in runs]
    assert r.limit < min(alone)


def test_joint_fit_on_the_cli_matches_api(tmp_path, runs):
    paths = []
    for c in (_run_a(), _run_b()):
        p = tmp_path / f"{c['name']}.yaml"
        p.write_text(yaml.safe_dump(c))
        paths.append(str(p))
    out = subprocess.run([sys.executable, "-m", "nuem", "limit", *paths, "--json", "--plot",
                          str(tmp_path / "fit.png")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["plot"] == [str(tmp_path / "fit-0.png"), str(tmp_path / "fit-1.png")]
    assert all((tmp_path / f"fit-{i}.png").stat().st_size > 1000 for i in (0, 1))
    comb = likelihood.Combination(runs, ("mu",))
    api = lim.upper_limit(comb, "mu", 0.9)
    assert d["limit"] == pytest.approx(api.limit, rel=1e-9, abs=0)
    at = dict(d["nuisances"]["at_limit"], mu=float(lim.to_internal("mu", d["limit"])))
    x = np.array([at[n] for n in comb.names])
    assert _hand_sum(runs, comb, x) == pytest.approx(d["nll2"]["at_limit"], rel=1e-8, abs=0)
    assert d["threshold"] == pytest.approx(stats.norm.ppf(0.9) ** 2)


def test_correlated_nuisance_is_one_parameter(runs):
    """A nuisance named in both files (or listed in ``correlated``) is one parameter; its
    constraint counts once."""
    comb = likelihood.Combination(runs, ("mu",), correlated=("b_flat",))
    assert "b_flat" in comb.names and "runA/b_flat" not in comb.names
    a = _run_a()
    b = copy.deepcopy(a) | {"name": "runA2"}
    for c in (a, b):
        c["background"]["components"][0]["normalisation"] = {"sigma": 0.1, "nuisance": "flux"}
    ma, mb = (likelihood.Model(datasets.from_mapping(c), ("mu",)) for c in (a, b))
    j = likelihood.Combination([ma, mb], ("mu",))
    assert j.names == ["flux", "mu"]
    x = np.array([1.1, 20.0])
    pen = ((1.1 - 1) / 0.1) ** 2
    assert j.nll2(x) == pytest.approx(ma.nll2(x) + mb.nll2(x) - pen, rel=1e-12)
    b["background"]["components"][0]["normalisation"] = {"sigma": 0.3, "nuisance": "flux"}
    with pytest.raises(ValueError, match="flux"):
        likelihood.Combination([ma, datasets.from_mapping(b)], ("mu",))


# ----------------------------------------------------------------------------- must show 3
SHAPE_EDGES = [float(e) for e in np.arange(1.0, 11.0, 1.0)]


def _shape_cfg(rel, tilt, counts):
    nb = len(SHAPE_EDGES) - 1
    bkg = [150.0] * nb
    slope = [tilt * (1 - i / (nb - 1)) for i in range(nb)]  # a tilt that mimics the signal
    mods = []
    if rel > 0:
        mods.append({"type": "staterror", "rel": [rel] * nb})
    if tilt > 0:
        mods.append({"type": "histosys", "name": "tilt",
                     "up": {"edges_keV": SHAPE_EDGES, "counts": [b * (1 + s) for b, s in zip(bkg, slope)]},
                     "down": {"edges_keV": SHAPE_EDGES, "counts": [b * (1 - s) for b, s in zip(bkg, slope)]}})
    return _base([{"name": "bkg", "binned": {"edges_keV": SHAPE_EDGES, "counts": bkg},
                   "normalisation": {"prior": "gaussian", "sigma": 0.05}, "modifiers": mods}],
                 {"bins": {"edges_keV": SHAPE_EDGES, "counts": counts}}, exposure=1.0,
                 rng=(1.0, 10.0), eff=1.0)


def test_limit_loosens_monotonically_with_shape_uncertainty():
    """Staterror rel = s/2 per bin and a +-s signal-like tilt (histosys): the limit grows
    strictly with s."""
    obs = [150] * 9
    lims = [_limit(_shape_cfg(0.5 * s, s, obs)).limit for s in (0.0, 0.02, 0.05, 0.1, 0.2)]
    assert np.all(np.diff(lims) > 0), lims


@pytest.mark.slow
def test_shape_uncertain_coverage_1000_toys():
    """Coverage of the asymptotic 90% CL q~ limit with the shape-uncertain background (toys at
    mu = 3e-11 mu_B, nuisances at nominal, global observables redrawn per toy): 0.90 +- 0.03
    from 1000 toys (the binomial standard error is 0.0095)."""
    m = likelihood.Model(datasets.from_mapping(_shape_cfg(0.05, 0.1, [150] * 9)), ("mu",))
    cov = lim.coverage(m, 3e-11, "mu", 0.9, n_toys=1000, seed=5, by="test")
    assert abs(cov["coverage"] - 0.9) < 0.03, cov


def test_coverage_by_test_agrees_with_by_limit():
    """Testing the truth (two fits per toy) gives the same toy-by-toy answer as computing each
    toy's limit, for the same seed."""
    m = likelihood.Model(datasets.from_mapping(_shape_cfg(0.05, 0.1, [150] * 9)), ("mu",))
    a = lim.coverage(m, 3.5e-11, "mu", 0.9, n_toys=8, seed=9, by="test")
    b = lim.coverage(m, 3.5e-11, "mu", 0.9, n_toys=8, seed=9, by="limit")
    assert a["coverage"] == b["coverage"]


# ----------------------------------------------------------------------------- must show 4
def test_delta_chi2_convention_on_xenonnt():
    """--convention delta-chi2: threshold chi^2_1(0.9) = 2.706 (the Delta chi^2 = 2.71 of the
    reanalyses); it equals the one-sided q~ cut at CL = 0.95, Phi^-1(0.95)^2."""
    r = subprocess.run([sys.executable, "-m", "nuem", "limit", "xenonnt-2022", "--convention",
                        "delta-chi2", "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["threshold"] == pytest.approx(2.7055, abs=1e-4)
    assert d["convention"] == "delta-chi2"
    assert d["threshold"] == pytest.approx(stats.norm.ppf(0.95) ** 2, rel=1e-12)
    q95 = lim.upper_limit("xenonnt-2022", "mu", 0.95)
    assert d["limit"] == pytest.approx(q95.limit, rel=1e-6, abs=0)
    q90 = lim.upper_limit("xenonnt-2022", "mu", 0.9)
    assert q90.extra["threshold"] == pytest.approx(1.6424, abs=1e-4) and q90.limit < d["limit"]
    assert "b_B0" in d["nuisances"]["best_fit"] and "b_B0" in d["nuisances"]["at_limit"]


# ----------------------------------------------------------------------------- readers
def test_reader_forms_agree(tmp_path):
    """Whitespace file with a column map in eV, comma file with a header, centre+width and
    lo/hi: all give the same bins and counts."""
    (tmp_path / "a.txt").write_text("# centre width counts, eV\n1500 1000 4\n2500 1000 6\n")
    (tmp_path / "b.csv").write_text("# header row\nlo_keV,hi_keV,counts\n1.0,2.0,4\n2.0,3.0,6\n")
    (tmp_path / "c.txt").write_text("bin_lo  junk  bin_hi  n\n1 0 2 4\n2 0 3 6\n")
    specs = [{"file": "a.txt", "columns": {"centre": 0, "width": 1, "counts": 2},
              "units": {"centre": "eV", "width": "eV"}},
             {"file": "b.csv"},
             {"file": "c.txt", "columns": {"lo": "bin_lo", "hi": "bin_hi", "counts": 3}},
             {"centre_keV": [1.5, 2.5], "width_keV": [1, 1], "counts": [4, 6]}]
    read = lambda n: (tmp_path / n).read_text()  # noqa: E731
    for s in specs:
        cfg = _base([{"name": "f", "table": {"E_keV": [1, 3], "rate": [1, 1]}}], {"bins": s},
                    rng=(1.0, 3.0))
        d = datasets.from_mapping(cfg, "t", read)
        np.testing.assert_allclose(d.edges, [1, 2, 3], rtol=1e-12)
        np.testing.assert_allclose(d.counts, [4, 6])


# ----------------------------------------------------------------------------- must show 6
def _bad_cfg():
    return _base([{"name": "f", "table": {"E_keV": [0.5, 20.0], "rate": [1.0, 1.0]}}],
                 {"bins": {"edges_keV": [1.0, 5.0, 10.0], "counts": [3, 4]}}, rng=(1.0, 10.0))


def _files(tmp_path, **files):
    for k, v in files.items():
        (tmp_path / k).write_text(v)
    return lambda n: (tmp_path / n).read_text()


@pytest.mark.parametrize("mutate,files,match", [
    # item 5: layouts
    (lambda c: c.update(bins={"file": "d.txt"}), {"d.txt": "1 2 3\n2 3 4\n"}, "no header row"),
    (lambda c: c.update(bins={"file": "d.txt", "columns": {"lo": 0, "hi": 1, "counts": 5}}),
     {"d.txt": "1 2 3\n2 3 4\n"}, "columns.counts=5"),
    (lambda c: c.update(bins={"file": "d.txt", "columns": {"lo": 0, "hi": 1, "counts": 2}}),
     {"d.txt": "1 2 3\n2 3\n"}, "line 2 has 2 fields"),
    (lambda c: c.update(bins={"file": "d.txt", "columns": {"lo": 0, "hi": 1, "counts": 2}}),
     {"d.txt": "1 2 3\n2.5 4 4\n"}, "not contiguous"),
    (lambda c: c.update(events={"file": "e.txt", "columns": {"E": 0}}),
     {"e.txt": "1500\n2500\n4000\n"}, "would overlap it if they were in eV"),
    (lambda c: c.update(bins={"centre_keV": [2, 4], "counts": [1, 2]}), {}, "centre_keV and width"),
    # item 6: threshold inside the range
    (lambda c: c["response"].update(threshold_keV=2.0), {}, "threshold_keV=2 keV lies inside"),
    # item 7: digitised counts
    (lambda c: c["bins"].update(counts=[3.4, 4]), {}, "not a whole number"),
    # item 1: bin centres as a continuous table that does not cover the range
    (lambda c: c["background"]["components"][0].update(
        table={"E_keV": [1.5, 9.5], "rate": [1, 1]}), {}, "use 'binned' instead"),
    (lambda c: c["background"]["components"][0].update(
        binned={"edges_keV": [1, 5], "counts": [3]}), {}, "exactly one of 'table'"),
    (lambda c: c["background"]["components"][0].update(modifiers=[{"type": "normfactor"}]), {},
     "modifiers\\[0\\].type"),
    (lambda c: c["background"]["components"][0].update(normalisation={"prior": "lognormal"}), {},
     "sigma"),
])
def test_bad_files_give_one_line_errors(tmp_path, mutate, files, match):
    cfg = _bad_cfg()
    mutate(cfg)
    if "events" in cfg and "bins" in cfg:
        cfg.pop("bins")
    with pytest.raises(DatasetFileError, match=match) as exc:
        datasets.from_mapping(cfg, "t", _files(tmp_path, **files))
    assert "\n" not in str(exc.value)


def test_documented_behaviours():
    """threshold_keV is optional (and at range_keV[0] changes nothing); digitised counts are
    fitted when declared; the dataset reports its non-integer total."""
    cfg = _bad_cfg()
    no_thr = _limit(cfg).limit
    cfg["response"]["threshold_keV"] = 1.0
    assert _limit(cfg).limit == pytest.approx(no_thr, rel=1e-12, abs=0)
    cfg["bins"].update(counts=[3.4, 4], allow_non_integer=True)
    d = datasets.from_mapping(cfg)
    assert d.n_observed == pytest.approx(7.4)
    assert _limit(cfg).limit > 0


def test_bad_file_on_cli_is_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    cfg = _bad_cfg()
    cfg["bins"]["counts"] = [3.5, 4]
    p.write_text(yaml.safe_dump(cfg))
    r = subprocess.run([sys.executable, "-m", "nuem", "limit", str(p)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "not a whole number" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- modifiers
def test_modifier_terms_match_their_closed_forms():
    """histosys: piecewise-linear morphing (pyhf code 0) reaches up at alpha = 1, down at -1,
    half-way at +-0.5; staterror: ((gamma - 1)/rel)^2; shapesys: 2 [tau g - tau - tau ln g],
    tau = 1/rel^2; lognormal: (ln b / ln(1 + sigma))^2; each added to -2 ln L."""
    edges = [1.0, 2.0, 3.0]
    nom, up, dn = [10.0, 20.0], [12.0, 21.0], [9.0, 16.0]
    comp = {"name": "b", "binned": {"edges_keV": edges, "counts": nom},
            "normalisation": {"prior": "lognormal", "sigma": 0.25},
            "modifiers": [{"type": "histosys", "name": "h", "up": {"edges_keV": edges, "counts": up},
                           "down": {"edges_keV": edges, "counts": dn}},
                          {"type": "staterror", "name": "st", "rel": [0.1, 0.0]},
                          {"type": "shapesys", "name": "sh", "rel": [0.0, 0.2]}]}
    cfg = _base([comp], {"bins": {"edges_keV": edges, "counts": [11, 19]}}, exposure=1.0,
                rng=(1.0, 3.0), eff=1.0)
    m = likelihood.Model(datasets.from_mapping(cfg), ("mu",))
    assert m.names == ["b_b", "mu", "h", "st[0]", "sh[1]"]
    for a, want in ((1.0, up), (-1.0, dn), (0.5, [11.0, 20.5]), (-0.5, [9.5, 18.0])):
        x = np.array([1.0, 0.0, a, 1.0, 1.0])
        np.testing.assert_allclose(m.expected_binned(x), want, rtol=1e-12)
    x = np.array([1.3, 0.0, 0.4, 1.05, 0.9])
    nu = np.array([(10 + 0.4 * 2) * 1.05, (20 + 0.4 * 1) * 0.9]) * 1.3
    np.testing.assert_allclose(m.expected_binned(x), nu, rtol=1e-12)
    n = np.array([11.0, 19.0])
    data = 2 * np.sum(nu - n + n * np.log(n / nu))
    tau = 1 / 0.2**2
    cons = (np.log(1.3) / np.log(1.25)) ** 2 + 0.4**2 + ((1.05 - 1) / 0.1) ** 2 \
        + 2 * (tau * 0.9 - tau - tau * np.log(0.9))
    assert m.nll2(x) == pytest.approx(data + cons, rel=1e-12)
