"""Scaling of ``nuem scan`` with Dask workers: a CPU-bound scan with 1 and with 2 worker
processes, in the same run.

    PYTHONPATH=src python benchmarks/scan.py [--grid 4] [--energies 10,20,30,40] [--repeat 3] [--tol 1e-2]

The scan: supernova spin-flavour precession (computation ``sfp``: propagation through the
supernova profile and the DUNE-like and HK-like event counts) over an N x N grid of
(mu, b0), one point per chunk.  Each cluster (LocalCluster, worker processes with one
thread) is started once and each worker runs a one-point warm-up (imports, first-call
caches) before any timer; the scan is then timed ``--repeat`` times on each cluster,
alternating, and the speed-up is reported best-of-N (as ``timeit`` does: the VM's noise
only ever adds time) and per run.  The time is ``nuem.scan.run`` from submission to the
last chunk written.  Prints the load average and the CPU time the workers received (as
cores on average): other processes on the machine take cores from the workers, and the
speed-up is then bounded by the ratio of the cores each run received.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from contextlib import ExitStack
import time
from pathlib import Path

import numpy as np


def _warm(spec: dict) -> int:
    """Run a one-point scan in this process (on a worker: imports and first-call caches)."""
    from nuem import scan

    scan.serial(spec)
    return os.getpid()


def main() -> None:
    from distributed import Client, LocalCluster

    from nuem import scan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=4, help="points per axis")
    ap.add_argument("--energies", default="10,20,30,40", help="neutrino energies [MeV]")
    ap.add_argument("--tol", type=float, default=1e-2)
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs per cluster, 1 and 2 workers alternating")
    a = ap.parse_args()
    spec = {"computation": "sfp",
            "options": {"energies": [float(e) for e in a.energies.split(",")], "tol": a.tol},
            "grid": {"mu": [float(x) for x in np.geomspace(1e-13, 1e-11, a.grid)],
                     "b0": [float(x) for x in np.geomspace(1e6, 1e9, a.grid)]},
            "chunks": 1}
    warm = {**spec, "grid": {"mu": spec["grid"]["mu"][:1], "b0": spec["grid"]["b0"][:1]}}
    print(f"sfp scan {a.grid}x{a.grid} (mu, b0), energies {a.energies} MeV, tol {a.tol:g}; "
          f"{os.cpu_count()} cores; load average before {os.getloadavg()[0]:.2f}")
    times: dict[int, list[float]] = {1: [], 2: []}
    stores = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        clusters = {}
        for n in (1, 2):
            lc = stack.enter_context(LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                silence_logs=logging.CRITICAL))
            c = stack.enter_context(Client(lc, set_as_default=False))
            c.run(_warm, warm)  # every worker, outside the timers
            clusters[n] = (lc, c)
        for r in range(a.repeat):
            for n in (1, 2):
                lc, c = clusters[n]
                path = Path(tmp) / f"w{n}_{r}.zarr"
                cpu0 = sum(c.run(time.process_time).values())
                main0 = time.process_time()
                res = scan.run(spec, path, scheduler=lc.scheduler_address, progress=False)
                main = time.process_time() - main0
                cpu = sum(c.run(time.process_time).values()) - cpu0
                times[n].append(res.seconds)
                stores[n, r] = scan.open_store(path)["events"].values
                print(f"run {r + 1}, {n} worker(s): {res.computed} chunks in {res.seconds:.1f} s"
                      f" ({res.seconds / res.computed:.2f} s per point); worker CPU {cpu:.1f} s"
                      f" = {cpu / res.seconds:.2f} cores on average; scheduler and store "
                      f"writes {main:.1f} s CPU; load average {os.getloadavg()[0]:.2f}")
    ref = stores[1, 0]
    same = all(np.array_equal(ref, v) for v in stores.values())
    pairs = sorted(t1 / t2 for t1, t2 in zip(times[1], times[2]))
    print(f"speed-up 2 workers / 1 worker: x{min(times[1]) / min(times[2]):.2f} best of "
          f"{a.repeat} each; per run x{', x'.join(f'{p:.2f}' for p in pairs)} (median "
          f"x{pairs[len(pairs) // 2]:.2f}); goal >= 1.7 on 2 free cores; results bitwise "
          f"identical across all runs: {same}")


if __name__ == "__main__":
    main()
