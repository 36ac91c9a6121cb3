"""The batched numpy adiabatic scheme (step matrices and turn diagnostics built for all
steps at once) against the stepping loop it replaces, which tracks and rephases the basis
one step at a time.  The reference is the loop ``solvers._adiabatic_steps`` (a separate
code path: per-step tracking by overlaps, parallel transport, ``_adiabatic_transfer``)."""

from __future__ import annotations

import numpy as np

from nuem.propagation import problems, solvers
from nuem.units import MeV


def _grids():
    system, prof, _, _ = problems.sn()
    E = np.geomspace(1.0, 60.0, 6) * MeV
    edges = solvers._adiabatic_grid0(prof, 128)
    out = [edges]
    psi0 = np.broadcast_to(np.eye(system.n, dtype=complex)[:, :1], (len(E), system.n, 1))
    _, rot, _ = solvers._adiabatic_steps(system, prof, E, edges, psi0.copy(), True)
    bad = rot > 0.05
    out.append(solvers._cut(edges, bad, np.full(bad.sum(), 3)))  # pieces of cut steps
    return system, prof, E, out


def test_turn_diagnostics_equal_the_stepping_loop():
    system, prof, E, grids = _grids()
    psi0 = np.broadcast_to(np.eye(system.n, dtype=complex), (len(E), system.n, system.n))
    for edges in grids:
        _, rot, cross = solvers._adiabatic_steps(system, prof, E, edges, psi0.copy(), True)
        r2, c2 = solvers._turn_diagnostics(system, prof, E, edges[:-1], edges[1:])
        assert rot.max() > 0.05  # the coarse grids do turn: a comparison that can fail
        np.testing.assert_allclose(r2, rot, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(c2, cross)
    # reusing the unchanged steps of the last pass changes nothing
    old, new = grids
    prev = (old, *solvers._turn_diagnostics(system, prof, E, old[:-1], old[1:]))
    r3, c3 = solvers._turn_pass(system, prof, E, new, prev)
    r4, c4 = solvers._turn_diagnostics(system, prof, E, new[:-1], new[1:])
    np.testing.assert_allclose(r3, r4, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(c3, c4)


def test_batched_steps_equal_the_stepping_loop():
    """psi(end) agrees to the rounding of the accumulated phases (which reach 1e6 rad in
    the envelope, so 1e-9 absolute); the local error estimates to 1e-9."""
    system, prof, E, grids = _grids()
    psi0 = np.broadcast_to(np.eye(system.n, dtype=complex), (len(E), system.n, system.n))
    for edges in grids:
        a, _, _ = solvers._adiabatic_steps(system, prof, E, edges, psi0.copy(), False)
        b, _ = solvers._adiabatic_steps_batched(system, prof, E, edges, psi0.copy(), chunk=50)
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-9)
        mids = 0.5 * (edges[:-1] + edges[1:])
        fine = np.empty(2 * len(edges) - 1)
        fine[0::2], fine[1::2] = edges, mids
        _, _, e1 = solvers._adiabatic_steps(system, prof, E, fine, psi0.copy(), False, True)
        _, e2 = solvers._adiabatic_steps_batched(system, prof, E, fine, psi0.copy(), True,
                                                 chunk=64)
        assert e1.max() > 1e-3
        np.testing.assert_allclose(e2, e1, rtol=0, atol=1e-9)
