"""Propagation benchmarks (issue 5).  Run:  python benchmarks/propagation.py [--quick]

P6   Dirac 3 flavours (6x6), 1000 energies 5-50 MeV, 1000 km, rho = 1e4 exp(-x/200 km),
     mu B = 5e-11 eV exp(-x/300 km), twist 0.02 rad/km, delta = 1.2 pi, from nu_e,L.
     Baseline: scipy DOP853 (rtol 1e-8) on all energies stacked as one 6000-dim system.
     Oracle: Magnus-4 with 8000 steps (validated against per-energy DOP853 at 1e-10 in
     tests/propagation).  Reported: time to reach the baseline's accuracy, ratio.
KERNEL  layer-steps per second (energies x layers / s) on P6 at fixed layers.
SN   rho ~ r^-3 from 1e2 to 1e5 km (1e10 g/cm^3 inside), Majorana, twisting field;
     adiabatic solver on 1e4 energies (one call, step control included); oracle: the
     same scheme on 2^17 log-spaced steps (no step control; its spread to 2^16 steps is
     printed; a flavour-basis ODE cannot resolve the mm-scale oscillations at
     1e10 g/cm^3) on 16 random energies between the step control's sample energies.
MEM  peak resident memory for 1e6 energies (streaming over layers and energy chunks).
GPU  (only where jax sees a GPU; ``--gpu`` runs this section alone) the jax kernel's
     layer-steps per second on P6 at fixed layers for 1e5 and 1e6 energies, one state and
     the whole propagator, rolled and 4-fold unrolled Taylor loops, against the numpy
     batched eigh baseline measured on this machine's CPU in the same run, and the
     largest difference to the numpy kernel on 64 of the energies.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

from nuem.propagation import problems, propagate, solvers
from nuem.propagation._kernels import available_backends


def _err(P, ref):
    return float(np.abs(P - ref).max())


def bench_p6(quick: bool) -> dict:
    sysm, prof, E, ini = problems.p6(1000)
    M = sysm.vacuum()
    i0 = sysm.index(ini)
    oracle = propagate(sysm, prof, E, "magnus", steps=8000, initial=ini,
                       backend="numba" if "numba" in available_backends() else "numpy")
    ref = oracle.probabilities[:, 0, :]

    def rhs(x, y):
        K = solvers._k_at(sysm, prof, np.array([x]))[0]
        psi = y.reshape(len(E), 6)
        H = M[None] / E[:, None, None] + K[None]
        return (-1j * np.einsum("eij,ej->ei", H, psi)).ravel()

    y0 = np.zeros((len(E), 6), complex)
    y0[:, i0] = 1.0
    t = time.perf_counter()
    sol = solve_ivp(rhs, (prof.start, prof.end), y0.ravel(), method="DOP853", rtol=1e-8, atol=1e-10)
    t_base = time.perf_counter() - t
    P_base = np.abs(sol.y[:, -1].reshape(len(E), 6)) ** 2
    e_base = _err(P_base, ref)
    out = {"baseline_s": t_base, "baseline_err": e_base, "runs": []}
    print(f"P6 baseline DOP853 stacked: {t_base:.2f} s, max |dP| = {e_base:.2e}")
    for backend in [b for b in ("numba", "numpy") if b in available_backends()]:
        if backend == "numba":  # compile once outside the timing
            propagate(sysm, prof, E[:2], "magnus", steps=4, initial=ini, backend="numba")
        for steps in (300, 400, 500, 700, 1000):
            t = time.perf_counter()
            r = propagate(sysm, prof, E, "magnus", steps=steps, initial=ini, backend=backend)
            dt = time.perf_counter() - t
            e = _err(r.probabilities[:, 0, :], ref)
            out["runs"].append({"backend": backend, "steps": steps, "s": dt, "err": e})
            print(f"  magnus/{backend} {steps} steps: {dt:.3f} s, max |dP| = {e:.2e}, "
                  f"ratio to baseline x{t_base / dt:.1f}")
            if e <= e_base:
                break
    return out


def bench_kernel(quick: bool) -> dict:
    sysm, prof, E, ini = problems.p6(1000)
    layers = 500 if quick else 2000
    edges = np.linspace(prof.start, prof.end, layers + 1)
    out = {}
    for backend in available_backends():
        for cols_name, cols in (("vector", np.eye(6, dtype=complex)[:, :1]),
                                ("matrix", np.eye(6, dtype=complex))):
            nl = layers if backend != "numpy" else layers // 4
            e_sub = edges[: nl + 1]
            # warm-up (numba: compile; jax: the same call, so jit sees the same shapes)
            if backend == "jax":
                solvers.run_steps(sysm, prof, E, cols, e_sub, "layers", backend)
            else:
                solvers.run_steps(sysm, prof, E[:4], cols, e_sub[:3], "layers", backend)
            # generator building (E-independent) is included
            t = time.perf_counter()
            solvers.run_steps(sysm, prof, E, cols, e_sub, "layers", backend)
            dt = time.perf_counter() - t
            rate = len(E) * nl / dt
            out[f"{backend}/{cols_name}"] = rate
            print(f"KERNEL layers {backend:5s} {cols_name:6s}: {rate:.3g} layer-steps/s "
                  f"({len(E)} energies x {nl} layers in {dt:.2f} s)")
    base = out["numpy/matrix"]
    for k, v in out.items():
        print(f"  {k}: x{v / base:.1f} vs numpy batched eigh (matrix)")
    return out


def _sn_oracle(sysm, prof, sub, ini, backend, power):
    """The SN oracle at the energies ``sub``: the adiabatic scheme on 2^power log-spaced
    steps.  Returns (probabilities, their difference to 2^(power-1) steps, seconds)."""
    def run(k):
        return propagate(sysm, prof, sub, "adiabatic", initial=ini, backend=backend,
                         grid=np.geomspace(prof.start, prof.end, 2**k + 1)).probabilities

    t = time.perf_counter()
    ref = run(power)
    seconds = time.perf_counter() - t
    return ref, _err(run(power - 1), ref), seconds


def _on_band_grids(sysm, prof, ini, sub, E_run, r, backend):
    """Probabilities at the energies ``sub``, each propagated on the grid of the band it
    falls in when ``propagate`` splits ``E_run`` into bands (result ``r``)."""
    grids = r.info["grids"]
    which = np.minimum((np.log(sub / E_run[0]) / np.log(E_run[-1] / E_run[0])
                        * len(grids)).astype(int), len(grids) - 1)
    P = None
    for k, g in enumerate(grids):
        if np.any(which == k):
            Pk = propagate(sysm, prof, sub[which == k], "adiabatic", initial=ini,
                           grid=g["edges"], backend=backend).probabilities
            if P is None:
                P = np.empty((len(sub),) + Pk.shape[1:])
            P[which == k] = Pk
    return P


def bench_sn(quick: bool) -> dict:
    """Time to accuracy on problem SN with the adiabatic-basis solver (numba kernel where
    installed).  Oracle: the same scheme on 2^17 log-spaced steps, a grid chosen without
    the solver's step control; its accuracy is the difference to 2^16 steps (printed).
    The error is measured at 16 random energies (seeded), which lie between the sample
    energies on which the step control refines each band's grid.  The 1e4-energy time is
    one call of ``propagate`` on all 1e4 energies (grid construction included)."""
    backend = "numba" if "numba" in available_backends() else "numpy"
    sysm, prof, E, ini = problems.sn(10_000)
    sub = np.sort(np.exp(np.random.default_rng(5).uniform(np.log(E[0]), np.log(E[-1]), 16)))

    ref, spread, t_ref = _sn_oracle(sysm, prof, sub, ini, backend, 17)
    print(f"SN oracle: adiabatic on 2^17 log steps ({backend}), {t_ref:.1f} s for {len(sub)} "
          f"energies; differs from 2^16 steps by {spread:.1e}")
    out = {"oracle_spread": spread, "backend": backend}
    if backend == "numba":
        # the adiabatic kernels on one fixed grid, 200 energies: numpy baseline
        edges = np.geomspace(prof.start, prof.end, 2001)
        E200 = np.geomspace(E[0], E[-1], 200)
        propagate(sysm, prof, E200[:2], "adiabatic", initial=ini, grid=edges, backend="numba")
        rate = {}
        for b in ("numpy", "numba"):
            t = time.perf_counter()
            propagate(sysm, prof, E200, "adiabatic", initial=ini, grid=edges, backend=b)
            rate[b] = 200 * (len(edges) - 1) / (time.perf_counter() - t)
        out["adiabatic_kernel"] = rate
        print(f"SN adiabatic kernel, {len(edges) - 1} steps x 200 energies: numpy "
              f"{rate['numpy']:.2e}, numba {rate['numba']:.2e} energy-steps/s "
              f"(x{rate['numba'] / rate['numpy']:.1f})")
    n_full = 1000 if quick else 10_000
    Efull = np.geomspace(E[0], E[-1], n_full)
    for refine, tol in (("turn", 1e-4), ("local", 1e-3), ("local", 3e-4), ("local", 2e-4)):
        t = time.perf_counter()
        r = propagate(sysm, prof, Efull, "adiabatic", initial=ini, tol=tol, backend=backend,
                      refine=refine)
        t_all = time.perf_counter() - t
        e = _err(_on_band_grids(sysm, prof, ini, sub, Efull, r, backend), ref)
        mean = r.info["energy_steps"] / n_full
        out[f"{refine} {tol:g}"] = {"err": e, "max_steps": r.steps, "mean_steps": mean,
                                    "bands": len(r.info["grids"]), "s": t_all,
                                    "energies": n_full}
        print(f"SN adiabatic {refine} tol {tol:g}: {len(r.info['grids'])} bands, "
              f"{mean:.0f} steps per energy (max {r.steps}), max |dP| vs oracle {e:.2e}; "
              f"{n_full} energies in {t_all:.1f} s")
    out.update(bench_sn_fine(quick, sysm, prof, E, ini, sub, backend))
    return out


def bench_sn_fine(quick, sysm, prof, E, ini, sub, backend) -> dict:
    """Time to 1e-6 on problem SN.  The 2^17-step oracle of :func:`bench_sn` is good only
    to 2.4e-6, so here the oracle is 2^19 log steps (its spread to 2^18 is printed; the
    scheme is second order, so the 2^19 result is about 3x closer to the limit than that
    spread).  Measured on 1000 energies (quick: 100) spread over 1-60 MeV, grid
    construction included, and scaled linearly to 1e4 energies (every energy of a band
    takes the same steps, and the 12 band grids are built once either way, so the scaling
    overstates the time slightly)."""
    ref, spread, t_ref = _sn_oracle(sysm, prof, sub, ini, backend, 19)
    print(f"SN fine oracle: adiabatic on 2^19 log steps, {t_ref:.1f} s for {len(sub)} "
          f"energies; differs from 2^18 steps by {spread:.1e}")
    out = {"fine_oracle_spread": spread}
    n = 100 if quick else 1000
    Efew = np.geomspace(E[0], E[-1], n)
    for tol in (3e-6, 1.5e-6):
        t = time.perf_counter()
        r = propagate(sysm, prof, Efew, "adiabatic", initial=ini, tol=tol, backend=backend)
        dt = time.perf_counter() - t
        e = _err(_on_band_grids(sysm, prof, ini, sub, Efew, r, backend), ref)
        mean = r.info["energy_steps"] / n
        out[f"local {tol:g}"] = {"err": e, "mean_steps": mean, "s": dt, "energies": n,
                                 "s_per_1e4": dt * 10_000 / n}
        print(f"SN adiabatic local tol {tol:g}: {mean:.0f} steps per energy, max |dP| vs "
              f"fine oracle {e:.2e}; {n} energies in {dt:.1f} s (x{10_000 // n} -> "
              f"{dt * 10_000 / n:.0f} s for 1e4)")
    return out


def bench_memory(quick: bool) -> dict:
    n = 200_000 if quick else 1_000_000
    code = (
        "import resource, numpy as np, time\n"
        "from nuem.propagation import problems, propagate\n"
        f"s, prof, E, ini = problems.p6(10)\n"
        f"E = np.linspace(5e6, 5e7, {n})\n"
        "b = 'numba'\n"
        "try:\n import numba\nexcept ImportError:\n b = 'numpy'\n"
        "t = time.perf_counter()\n"
        "r = propagate(s, prof, E, 'magnus', steps=50, initial=ini, backend=b)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - t, b)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mb, dt, b = res.stdout.split()
    full = 50 * n * 36 * 16 / 2**20
    print(f"MEM {n} energies x 50 Magnus steps ({b}): peak RSS {float(mb):.0f} MB in {float(dt):.1f} s; "
          f"the full (steps x energies x 6 x 6) tensor would be {full:.0f} MB")
    return {"energies": n, "peak_mb": float(mb), "tensor_mb": full}


def bench_gpu(quick: bool) -> dict:
    """The GPU section (see the module docstring); {} with a message where jax is not
    installed or sees no GPU."""
    if "jax" not in available_backends():
        print("GPU: jax is not installed; skipped")
        return {}
    import jax

    from nuem.propagation import _jax_layers

    if jax.default_backend() != "gpu":
        print(f"GPU: jax sees no GPU (default backend {jax.default_backend()!r}); skipped")
        return {}
    print(f"GPU: {jax.devices()[0].device_kind}")
    sysm, prof, _, _ = problems.p6(10)
    layers = 200 if quick else 1000
    edges = np.linspace(prof.start, prof.end, layers + 1)
    out = {}
    E_cpu = np.linspace(5e6, 5e7, 1000)
    t = time.perf_counter()
    solvers.run_steps(sysm, prof, E_cpu, np.eye(6, dtype=complex), edges[:101], "layers", "numpy")
    base = 1000 * 100 / (time.perf_counter() - t)
    out["numpy/matrix (cpu)"] = base
    print(f"  baseline numpy batched eigh (CPU, matrix): {base:.3g} layer-steps/s")
    for n_e in (10**5, 10**6):
        E = np.linspace(5e6, 5e7, n_e)
        for cols_name, cols in (("vector", np.eye(6, dtype=complex)[:, :1]),
                                ("matrix", np.eye(6, dtype=complex))):
            for unroll in (1, 4):
                _jax_layers.UNROLL = unroll
                solvers.run_steps(sysm, prof, E, cols, edges, "layers", "jax")  # compile
                t = time.perf_counter()
                S = solvers.run_steps(sysm, prof, E, cols, edges, "layers", "jax")
                dt = time.perf_counter() - t
                sub = np.linspace(0, n_e - 1, 64).astype(int)
                ref = solvers.run_steps(sysm, prof, E[sub], cols, edges, "layers", "numpy")
                err = float(np.abs(S[sub] - ref).max())
                key = f"jax/{cols_name}/{n_e:.0e}/unroll {unroll}"
                out[key] = {"rate": n_e * layers / dt, "s": dt, "err_vs_numpy": err}
                print(f"  {key}: {n_e * layers / dt:.3g} layer-steps/s ({dt:.2f} s), "
                      f"x{n_e * layers / dt / base:.0f} vs baseline; max |dS| vs numpy {err:.1e}")
    _jax_layers.UNROLL = 1
    return out


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if "--gpu" in sys.argv:
        print(json.dumps(bench_gpu(quick), indent=1, default=float))
        sys.exit(0)
    results = {"p6": bench_p6(quick), "kernel": bench_kernel(quick), "memory": bench_memory(quick),
               "sn": bench_sn(quick), "gpu": bench_gpu(quick)}
    if "--json" in sys.argv:
        print(json.dumps(results, indent=1, default=float))
