"""Scaling of ``nuem scan`` with Dask workers: a CPU-bound scan with 1 and with 2 worker
processes, in the same run.

    PYTHONPATH=src python benchmarks/scan.py [--grid 4] [--energies 10,20] [--tol 1e-2]

The scan: supernova spin-flavour precession (computation ``sfp``: propagation through the
supernova profile and the DUNE-like and HK-like event counts) over an N x N grid of
(mu, b0), one point per chunk.  Each cluster (LocalCluster, worker processes with one
thread) is started before its timer; the time is ``nuem.scan.run`` from submission to the
last chunk written.  Prints the load average and the CPU time the workers received (as
cores on average): other processes on the machine take cores from the workers, and the
speed-up is then bounded by the ratio of the cores each run received.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    from distributed import Client, LocalCluster

    from nuem import scan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=4, help="points per axis")
    ap.add_argument("--energies", default="10,20", help="neutrino energies [MeV]")
    ap.add_argument("--tol", type=float, default=1e-2)
    a = ap.parse_args()
    spec = {"computation": "sfp",
            "options": {"energies": [float(e) for e in a.energies.split(",")], "tol": a.tol},
            "grid": {"mu": [float(x) for x in np.geomspace(1e-13, 1e-11, a.grid)],
                     "b0": [float(x) for x in np.geomspace(1e6, 1e9, a.grid)]},
            "chunks": 1}
    print(f"sfp scan {a.grid}x{a.grid} (mu, b0), energies {a.energies} MeV, tol {a.tol:g}; "
          f"{os.cpu_count()} cores; load average before {os.getloadavg()[0]:.2f}")
    times, stores = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2):
            t0 = time.perf_counter()
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=":0", silence_logs=logging.ERROR) as lc:
                t_start = time.perf_counter() - t0
                path = Path(tmp) / f"w{n}.zarr"
                with Client(lc, set_as_default=False) as c:
                    cpu0 = sum(c.run(time.process_time).values())
                    res = scan.run(spec, path, scheduler=lc.scheduler_address, progress=False)
                    cpu = sum(c.run(time.process_time).values()) - cpu0
                times[n] = res.seconds
                stores[n] = scan.open_store(path)["events"].values
            print(f"{n} worker(s): {res.computed} chunks in {res.seconds:.1f} s "
                  f"({res.seconds / res.computed:.2f} s per point; cluster start {t_start:.1f} s"
                  f", excluded); worker CPU {cpu:.1f} s = {cpu / res.seconds:.2f} cores on "
                  f"average; load average now {os.getloadavg()[0]:.2f}")
    same = np.array_equal(stores[1], stores[2])
    print(f"speed-up 2 workers / 1 worker: x{times[1] / times[2]:.2f} (goal >= 1.7 on 2 free "
          f"cores); results bitwise identical: {same}")


if __name__ == "__main__":
    main()
