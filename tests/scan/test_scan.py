"""nuem.scan: specs, seeding, Dask runs, the Zarr store, resume after SIGKILL, a real
scheduler with worker processes, and the one-line errors of ``nuem scan``.

Start-up of Dask clusters is the main cost: one local cluster of two worker processes
and one of a single worker are shared by the whole module."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("distributed")
pytest.importorskip("xarray")
pytest.importorskip("zarr")

from nuem._errors import NuemValueError  # noqa: E402
from nuem import scan  # noqa: E402
from nuem.scan import store as st  # noqa: E402

SRC = str(Path(__file__).resolve().parents[2] / "src")
ENV = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}

BOUND = {"computation": "bound", "options": {"method": "leading-log"},
         "grid": {"scale": [300.0, 1e3, 1e5, 1e9, 1e16], "r": [0.0, 0.5, 2.0]},
         "chunks": {"scale": 2, "r": 2}}
# Feldman-Cousins toys on the built-in XENONnT dataset: 3 tested moments, 24 toys each
TOYS = {"computation": "limit", "options": {"dataset": "xenonnt-2022", "toys": 24},
        "grid": {"mu": [0.0, 4e-12, 8e-12]}, "chunks": 1, "seed": 20261130}


def _cluster(n):
    from distributed import LocalCluster

    return LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                        dashboard_address=":0", silence_logs=logging.ERROR)


@pytest.fixture(scope="module")
def two_workers():
    with _cluster(2) as c:
        yield c.scheduler_address


@pytest.fixture(scope="module")
def one_worker():
    with _cluster(1) as c:
        yield c.scheduler_address


def cli(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "nuem", "scan", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=ENV)


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def stored(path) -> dict[str, np.ndarray]:
    ds = scan.open_store(path).load()
    return {k: v.values for k, v in ds.data_vars.items()}


# --- spec and seeding (no cluster) -------------------------------------------------------
def test_point_streams_are_the_children_of_spawn():
    """Point k's stream is SeedSequence(seed).spawn(n)[k] (numpy's documented children)."""
    spec = scan.parse(TOYS)
    children = np.random.SeedSequence(TOYS["seed"]).spawn(spec.n_points)
    for k, child in enumerate(children):
        assert np.array_equal(spec.seed_sequence(k).generate_state(4), child.generate_state(4))


def test_chunks_cover_every_point_once():
    spec = scan.parse(BOUND)
    assert spec.block_shape == (3, 2) and spec.n_chunks == 6
    seen = np.concatenate([ch.flat for ch in spec.iter_chunks()])
    assert np.array_equal(np.sort(seen), np.arange(15))
    last = spec.chunk(5)
    assert last.region == {"scale": slice(4, 5), "r": slice(2, 3)} and last.shape == (1, 1)
    assert last.values["scale"][0] == 1e16 and last.values["r"][0] == 2.0


def test_canonical_spec_parses_back():
    spec = scan.parse(BOUND)
    again = scan.parse(json.loads(spec.canonical()))
    assert again.canonical() == spec.canonical() and again.dims == ("scale", "r")


def test_register_a_new_computation_with_one_decorator():
    """The way a later computation (e.g. a dipole-portal limit) joins: one decorator."""
    from nuem.scan.registry import COMPUTATIONS

    @scan.register("test-square", parameters=[scan.Parameter("x", "", "input")],
                   layout=lambda o: {"y": scan.Output((), "", "x^2 + c")}, options={"c": 1.0})
    def square(point, options, rng):
        return {"y": point["x"] ** 2 + options["c"]}

    try:
        out = scan.serial({"computation": "test-square", "options": {"c": 0.5},
                           "points": {"x": [1.0, 2.0, 3.0]}, "chunks": 2})
        assert np.array_equal(out["y"], np.array([1.5, 4.5, 9.5]))
    finally:
        del COMPUTATIONS["test-square"]


@pytest.mark.parametrize("bad, words", [
    ({**BOUND, "computation": "nope"}, "computation='nope' is not registered"),
    ({**BOUND, "grid": {"scale": [1e3], "lambda": [1.0]}}, "parameter 'lambda' is not"),
    ({**BOUND, "grid": {"scale": [], "r": [0.0]}}, "empty grid"),
    ({**BOUND, "grid": {"scale": [1e3, float("nan")], "r": [0.0]}}, "scale=nan"),
    ({**BOUND, "grid": {"scale": [1e3], "r": [float("inf")]}}, "r=inf"),
    ({**BOUND, "chunks": {"scale": 0}}, "chunks[scale]=0"),
    ({**TOYS, "seed": None}, "seed is required"),
    ({**TOYS, "options": {"toys": 5}}, "toys=5"),
])
def test_bad_specs_name_the_problem(bad, words):
    with pytest.raises(NuemValueError, match=None) as err:
        scan.parse(bad)
    assert words in str(err.value)


# --- must show 1: 1 worker, 2 workers and the plain loop agree bitwise --------------------
@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_bound_one_worker_two_workers_and_plain_loop_identical(tmp_path, one_worker,
                                                               two_workers):
    from nuem.theory import naturalness as nat
    from nuem.units import GeV

    g = BOUND["grid"]
    loop = np.array([[float(nat.bound(s * GeV, 1.0, r, method="leading-log")) for r in g["r"]]
                     for s in g["scale"]])
    for name, addr in (("one", one_worker), ("two", two_workers)):
        res = scan.run(BOUND, tmp_path / f"{name}.zarr", scheduler=addr, progress=False)
        assert res.computed == 6 and not res.failed
        assert np.array_equal(stored(res.store)["mu_max"], loop)  # bitwise
    assert np.array_equal(scan.serial(BOUND)["mu_max"], loop)


@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_toys_one_worker_two_workers_and_plain_loop_identical(tmp_path, one_worker,
                                                              two_workers):
    """Same toys whatever runs them: point k draws from SeedSequence(seed).spawn(n)[k]."""
    from nuem.stats import datasets, likelihood
    from nuem.stats import limits as lim

    prof = lim.Profile(likelihood.Model(datasets.load("xenonnt-2022"), ("mu",)), "mu")
    mus = TOYS["grid"]["mu"]
    streams = np.random.SeedSequence(TOYS["seed"]).spawn(len(mus))
    loop = np.array([lim._toy_t(prof, float(lim.to_internal("mu", m)), 24,
                                np.random.default_rng(s), False) for m, s in zip(mus, streams)])
    t_obs = np.array([prof(float(lim.to_internal("mu", m))) for m in mus])
    # Dask workers run numpy's BLAS single-threaded (dask sets OMP/OPENBLAS threads to 1)
    # while this process may not; rounding differences then move where Migrad stops inside
    # its convergence tolerance (measured: t differs by up to 7e-9 relative, 1.3e-9
    # absolute).  The same toys must give the same t within that (1e-6, 1e-8 allowed); the
    # 1- and 2-worker scans, both on single-threaded workers, agree bitwise.
    runs = []
    for name, addr in (("one", one_worker), ("two", two_workers)):
        res = scan.run(TOYS, tmp_path / f"{name}.zarr", scheduler=addr, progress=False)
        out = stored(res.store)
        np.testing.assert_allclose(out["t_toys"], loop, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(out["t_obs"], t_obs, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(out["t_crit"], np.quantile(loop, 0.9, axis=1), rtol=1e-6,
                                   atol=1e-8)
        runs.append(out)
    for key in ("t_toys", "t_obs", "t_crit"):
        assert np.array_equal(runs[0][key], runs[1][key])  # bitwise, worker count irrelevant
    # different toys for a different root seed (the test can fail)
    other = scan.serial({**TOYS, "seed": TOYS["seed"] + 1})["t_toys"]
    assert not np.array_equal(other, loop)


# --- failures, the store and plots -------------------------------------------------------
def test_failed_chunk_is_recorded_and_the_rest_completes(tmp_path, two_workers):
    """Lambda = 100 GeV is below v: the library refuses it; that chunk fails (after its
    retry), the other is written."""
    spec = {**BOUND, "grid": {"scale": [100.0, 1e3]}, "options": {"r": 0.0}, "chunks": 1,
            "retries": 1}
    res = scan.run(spec, tmp_path / "f.zarr", scheduler=two_workers, progress=False)
    assert list(res.failed) == [0] and res.computed == 1
    assert "scale" in res.failed[0]
    out = stored(res.store)
    assert list(out["chunk_status"]) == [2, 1]
    assert "scale" in out["chunk_error"][0] and out["chunk_error"][1] == ""
    assert np.isnan(out["mu_max"][0]) and np.isfinite(out["mu_max"][1])


def test_store_attrs_coords_and_plots(tmp_path, two_workers):
    from nuem import __version__

    res = scan.run(BOUND, tmp_path / "b.zarr", scheduler=two_workers, progress=False)
    ds = scan.open_store(res.store)
    assert ds.attrs["nuem_version"] == __version__
    assert json.loads(ds.attrs["nuem_spec"])["grid"]["scale"] == BOUND["grid"]["scale"]
    assert list(ds["mu_max"].dims) == ["scale", "r"]
    assert np.array_equal(ds["r"].values, BOUND["grid"]["r"])
    figs = scan.plot(res.store)
    assert [p.name for p in figs] == ["b_mu_max.png"] and figs[0].stat().st_size > 1000
    one = {**BOUND, "grid": {"scale": BOUND["grid"]["scale"]}, "options": {"r": 0.5},
           "chunks": 2}
    res1 = scan.run(one, tmp_path / "c.zarr", scheduler=two_workers, progress=False)
    assert scan.plot(res1.store)[0].stat().st_size > 1000


def test_store_is_never_replaced_without_overwrite(tmp_path, two_workers):
    path = tmp_path / "s.zarr"
    scan.run(BOUND, path, scheduler=two_workers, progress=False)
    before = stored(path)["mu_max"]
    other = {**BOUND, "options": {"method": "resummed"}}
    with pytest.raises(NuemValueError, match="exists: pass --resume"):
        scan.run(other, path, scheduler=two_workers)
    with pytest.raises(NuemValueError, match="written by another spec"):
        scan.run(other, path, resume=True, scheduler=two_workers)
    assert np.array_equal(stored(path)["mu_max"], before)
    res = scan.run(other, path, overwrite=True, scheduler=two_workers, progress=False)
    assert res.computed == 6 and not np.array_equal(stored(path)["mu_max"], before)
    folder = tmp_path / "not-a-store"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with pytest.raises(NuemValueError, match="refusing to delete"):
        scan.run(BOUND, folder, overwrite=True, scheduler=two_workers)
    assert (folder / "keep.txt").exists()


def test_jobqueue_cluster_needs_cores_and_memory(tmp_path):
    """The optional --cluster path imports dask-jobqueue and says what is missing."""
    pytest.importorskip("dask_jobqueue")
    for kind in ("slurm", "pbs"):
        with pytest.raises(NuemValueError, match=f"--cluster {kind}: set cores and memory"):
            scan.run(BOUND, tmp_path / "j.zarr", cluster=kind)
    assert not (tmp_path / "j.zarr").exists()


def test_sfp_point_is_the_library_signal():
    """The registered sfp computation is supernova_signal for the field of nuem sfp
    (B = b0 (100 km / r)^2); one flavour, two energies and a loose tolerance keep it cheap."""
    from nuem.detectors import sfp as obs
    from nuem.propagation import System, profiles
    from nuem.units import MeV, km, tesla

    spec = {"computation": "sfp", "options": {"energies": [10.0, 20.0], "tol": 1e-2,
                                               "flavours": 1},
            "points": {"mu": [1e-12], "b0": [1e8]}}
    got = scan.serial(spec)
    prof = profiles.supernova(b_perp=profiles.power_law_field(1e8 * tesla, 100 * km, 2.0),
                              twist=0.0)
    sig = obs.supernova_signal(System(1, majorana=True, moments=1e-12), prof,
                               np.array([10.0, 20.0]) * MeV, tol=1e-2)
    assert np.array_equal(got["events"][0], [sig.totals["dune-like"], sig.totals["hk-like"]])
    assert np.array_equal(got["dN_dE"][0, 1], sig.events["hk-like"] * MeV)


# --- CLI: one line and exit 2 for bad input ---------------------------------------------
def test_cli_bad_specs_one_line_exit_2(tmp_path):
    bad = {"unknown-computation": {**BOUND, "computation": "nope"},
           "unknown-parameter": {**BOUND, "grid": {"lambda": [1.0]}},
           "empty-grid": {**BOUND, "grid": {"scale": [], "r": [0.0]}},
           "non-finite": {**BOUND, "grid": {"scale": [1e3, float("inf")]}}}
    for name, spec in bad.items():
        p = cli(write_spec(tmp_path / f"{name}.yaml", spec))
        assert p.returncode == 2, (name, p.stderr)
        assert p.stderr.startswith("Error: ") and len(p.stderr.strip().splitlines()) == 1, name
        assert not (tmp_path / f"{name}.zarr").exists()


@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_unreachable_scheduler_fails_fast(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    t0 = time.perf_counter()
    with pytest.raises(NuemValueError, match="no Dask scheduler answered within 2 s"):
        scan.run(BOUND, tmp_path / "u.zarr", scheduler=addr, timeout=2.0)
    assert time.perf_counter() - t0 < 15  # 2 s timeout (Dask's default would be 30 s)
    assert not (tmp_path / "u.zarr").exists()  # nothing written before the connection
    spec = write_spec(tmp_path / "b.yaml", BOUND)
    p = cli(spec, "--scheduler", addr)
    assert p.returncode == 2, p.stderr
    assert "no Dask scheduler answered within 5 s" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    p = cli(spec, "--scheduler", "localhost")
    assert p.returncode == 2 and "tcp://HOST:PORT" in p.stderr


@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_cli_store_of_another_spec_exit_2(tmp_path, two_workers):
    spec = write_spec(tmp_path / "a.yaml", BOUND)
    p = cli(spec, "--scheduler", two_workers, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["computed"] == 6
    store = tmp_path / "a.zarr"
    before = stored(store)["mu_max"]
    other = write_spec(tmp_path / "o.yaml", {**BOUND, "grid": {**BOUND["grid"], "r": [0.0]}})
    for args in (("--resume", store), ("--out", store)):
        p = cli(other, *args, "--scheduler", two_workers)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "written by another spec" in cli(other, "--resume", store).stderr
    assert np.array_equal(stored(store)["mu_max"], before)


# --- must show 2: SIGKILL mid-run, then --resume ----------------------------------------
@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_sigkill_then_resume_equals_uninterrupted(tmp_path, two_workers):
    spec = {**TOYS, "grid": {"mu": [float(x) for x in np.linspace(0.0, 1.4e-11, 8)]}, "options":
            {"dataset": "xenonnt-2022", "toys": 60}}
    path = write_spec(tmp_path / "k.yaml", spec)
    store = tmp_path / "k.zarr"
    proc = subprocess.Popen([sys.executable, "-m", "nuem", "scan", str(path), "--workers", "1"],
                            env=ENV, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                done = int((st.status(store) == 1).sum())
            except Exception:  # noqa: BLE001 - the store is not (completely) created yet
                continue
            if done >= 2:
                break
        assert proc.poll() is None, "the scan ended before it could be killed"
        assert done >= 2, "no chunk was written within the deadline"
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its scheduler and its worker
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    status = st.status(store)
    n_done = int((status == 1).sum())
    assert 2 <= n_done < 8
    ref = scan.run(spec, tmp_path / "ref.zarr", scheduler=two_workers, progress=False)
    want = stored(ref.store)
    partial = stored(store)
    for i, mu_done in enumerate(status == 1):  # written chunks are complete and final
        if mu_done:
            assert np.array_equal(partial["t_toys"][i], want["t_toys"][i])
        else:
            assert np.all(np.isnan(partial["t_toys"][i]))
    p = cli(path, "--resume", store, "--scheduler", two_workers, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["computed"] == 8 - n_done and out["skipped"] == n_done
    got = stored(store)
    assert got.keys() == want.keys()
    for k in want:
        assert np.array_equal(got[k], want[k]), k


# --- must show 3: a real scheduler and two worker processes on 127.0.0.1 ----------------
@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_real_scheduler_and_two_workers(tmp_path):
    from distributed import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    procs = []
    try:
        procs.append(subprocess.Popen(dask + ["scheduler", "--host", "127.0.0.1", "--port",
                                              str(port), "--no-dashboard"], env=ENV,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(2):
            procs.append(subprocess.Popen(dask + ["worker", addr, "--nthreads", "1",
                                                  "--no-dashboard", "--local-directory",
                                                  str(tmp_path / "w")], env=ENV,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(addr, timeout=60, set_as_default=False) as c:
            c.wait_for_workers(2, timeout=120)
            assert len(c.scheduler_info(n_workers=-1)["workers"]) == 2
        spec = write_spec(tmp_path / "r.yaml", BOUND)
        p = cli(spec, "--scheduler", addr, "--json")
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout)
        assert out["workers"] == 2 and out["computed"] == 6 and not out["failed"]
        assert np.array_equal(stored(tmp_path / "r.zarr")["mu_max"],
                              scan.serial(BOUND)["mu_max"])
    finally:
        for pr in reversed(procs):
            pr.terminate()
        for pr in reversed(procs):
            try:
                pr.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pr.kill()
                pr.wait(timeout=10)


@pytest.mark.slow  # Dask clusters or CLI subprocesses: the full layer (--run-slow)
def test_portal_limit_is_a_registered_computation():
    """Issue 23: the dipole-portal limit runs as a scan; the serial scan over two masses
    equals nuem.portal.rates.d_limit at those masses (the same refit, point by point)."""
    from nuem.portal import rates

    spec = {"computation": "portal-limit", "options": {"flavour": "e"},
            "grid": {"m_N": [1e-6, 1e-3]}, "chunks": 1}
    got = scan.serial(spec)["d_max"]
    want = rates.d_limit("xenonnt-2022", [1e-6, 1e-3], "e")["d_GeV_inv"]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    assert 1e-9 < got[0] < 2e-9  # the small-mass end: the mu limit translated, 1.23e-9
