"""Solvers of i d psi/dx = H(x, E) psi for N flavours x two helicities, one API.

``propagate(system, profile, E, method=..., backend=...)`` returns a :class:`Propagation`
holding the amplitude matrix S(E) (psi(end) = S psi(start)) and the probabilities
P[i, j] = |S[j, i]|^2 from initial state i to final state j, for every energy.

Methods
-------
``exact-constant``
    H constant along the path: S = V exp(-i w L) V^dagger from one Hermitian
    eigendecomposition per energy.
``layers``
    Piecewise-constant layers, H frozen at each layer's midpoint, exact exponential per
    layer (second order in the layer width).  Layer edges equidistribute the local error
    estimate ||[H, H']||^(1/3) over the path (so layers crowd where H turns fastest, which
    includes the resonances), with edges at the profile's breaks.
``magnus``
    Fourth-order Magnus integrator with two Gauss-Legendre nodes (Blanes, Casas, Oteo &
    Ros, Phys. Rep. 470, 151 (2009), Eq. (253)):
    Omega = h/2 (H1 + H2) - i sqrt(3)/12 h^2 [H2, H1], psi <- exp(-i Omega) psi, exact for a
    constant H at any step size; edges equidistribute ||[H, [H, H']]||^(1/5).
``adiabatic``
    Integration in the instantaneous eigenbasis H(x) = W Lambda W^dagger (the interaction
    picture of SNOSHEWS/BEMEWS-type supernova codes).  The fast phases
    integral(lambda_k dx) are accumulated analytically (Euler-Maclaurin corrected
    trapezoid, with lambda' from the Hellmann-Feynman theorem), and each step's
    non-adiabatic transfer is the exact basis overlap O = W(x1)^dagger W(x0) written as a
    Cayley generator Y = 2 (O - 1)(O + 1)^-1, whose off-diagonal entries are averaged over
    the fast relative phase with sinc(omega_ij h/2) (a Filon-type quadrature; Iserles,
    BIT 42, 561 (2002)).  Steps are refined until the basis turns by less than a set angle
    per step (the non-adiabatic coupling, not ||H||, sets the step), which makes
    centimetre-scale matter oscillations at 1e10 g/cm^3 free, and then by a local error
    estimate (each step against its two half steps) until the estimated error is below
    ``tol``, one grid per energy band no wider than a factor sqrt(2) (the resonances move
    with energy; see :func:`_adiabatic`).  Second order.
``ode``
    The accuracy oracle: scipy's DOP853 per energy (amplitudes to atol=``tol``, the
    accumulated phases to 1e-3 ``tol``, rtol=1e-3 ``tol``), in the interaction
    frame of the diagonal of H (flavour basis), where the large diagonal potentials are
    integrated exactly along with the state.

Backends: ``numpy`` everywhere; ``numba`` and ``jax`` for the layer and Magnus kernels, and
``numba`` for the adiabatic scheme (the same steps fused per block of four energies, one
per SIMD lane, each basis found by Jacobi rotations warm-started from the previous one;
:mod:`nuem.propagation._numba_adiabatic`)
(:mod:`nuem.propagation._kernels`).  The physics (Hamiltonian, profiles, step
generators) is written once; backends only apply U_k = exp(-i(A_k + B_k/E)).

Units: x and lengths in eV^-1, E in eV (use :mod:`nuem.units`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError, as_finite_array, require_choice, require_positive
from nuem.propagation import _kernels
from nuem.propagation.hamiltonian import System
from nuem.propagation.profiles import Profile

METHODS = ("exact-constant", "layers", "magnus", "adiabatic", "ode")
BACKENDS = ("numpy", "numba", "jax")
#: energies handled together; bounds the working memory at about
#: ENERGY_CHUNK x (2N)^2 x 16 bytes x 8 (about 40 MB for 6x6).
ENERGY_CHUNK = 8192
#: steps whose generators are built together (E-independent, (2N)^2 x 32 bytes each)
STEP_CHUNK = 2048
#: local-error refinement passes the adiabatic solver may take after the turn refinement
MAX_LOCAL_PASSES = 24
#: the local-error target as a fraction of tol (measured: the final error is 0.1-0.6 tol on
#: problem SN and 0.3-1.6 tol on problem P6 with this factor)
LOCAL_SAFETY = 0.5
#: adiabatic step control: the basis may turn by at most
#: theta = min(TURN_MAX, TURN_PER_SQRT_TOL sqrt(tol)) rad in one step
TURN_MAX = 0.05
TURN_PER_SQRT_TOL = 4.0
#: the adiabatic step control (numba kernel) refines one grid per energy band at most
#: this wide, on BAND_SAMPLES of its energies
BAND_RATIO = math.sqrt(2.0)
BAND_SAMPLES = 8
#: with the numpy kernel, whose per-step cost is Python overhead shared by all energies
#: of a call, one grid for all energies is cheaper: refined on up to UNION_SAMPLES
UNION_SAMPLES = 48
_SQ3 = math.sqrt(3.0)


@dataclass
class Propagation:
    """Result of :func:`propagate`.

    ``amplitudes[e, f, i]``: amplitude to find state f at the end for initial state i
    (all i unless ``initial`` was given; then the last axis has length 1).
    """

    energies: np.ndarray
    states: list[str]
    amplitudes: np.ndarray
    method: str
    backend: str
    steps: int
    initial: list[int] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def probabilities(self) -> np.ndarray:
        """P[e, i, j]: probability initial state i -> final state j (i over ``initial``)."""
        return np.swapaxes(np.abs(self.amplitudes) ** 2, -1, -2)

    def probability(self, initial: str, final: str) -> np.ndarray:
        """P(initial -> final)(E), by state label."""
        i = self.states.index(initial) if initial in self.states else -1
        f = self.states.index(final) if final in self.states else -1
        if i < 0 or f < 0:
            raise NuemValueError(f"states must be among {', '.join(self.states)}; "
                                 f"got {initial!r} -> {final!r}")
        if i not in self.initial:
            raise NuemValueError(f"initial state {initial!r} was not propagated "
                                 f"(propagated: {[self.states[k] for k in self.initial]})")
        return self.probabilities[:, self.initial.index(i), f]

    def unitarity_defect(self) -> float:
        """max |sum_f P(i -> f) - 1| over energies and initial states."""
        return float(np.abs(self.probabilities.sum(axis=-1) - 1.0).max())

    def apply(self, fluxes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Arrival fluxes: phi_j(E) = sum_i P[i, j](E) phi_i(E), for produced fluxes keyed
        by state label (snewpy-style transformation; states not given produce nothing)."""
        out = {s: np.zeros(len(self.energies)) for s in self.states}
        P = self.probabilities
        for lab, phi in fluxes.items():
            if lab not in self.states:
                raise NuemValueError(f"flux key {lab!r} is not one of {', '.join(self.states)}")
            i = self.states.index(lab)
            if i not in self.initial:
                raise NuemValueError(f"state {lab!r} was not propagated")
            phi = np.broadcast_to(np.asarray(phi, dtype=float), self.energies.shape)
            for j, s in enumerate(self.states):
                out[s] = out[s] + P[:, self.initial.index(i), j] * phi
        return out


# --- helpers ------------------------------------------------------------------------
def _k_at(system: System, profile: Profile, x) -> np.ndarray:
    ne, nn, b, tw = profile.evaluate(x)
    return system.k_matrix(ne, nn, b, tw, x=np.asarray(x))


def _initial_columns(system: System, initial) -> tuple[np.ndarray, list[int]]:
    n = system.n
    if initial is None:
        return np.eye(n, dtype=complex), list(range(n))
    if isinstance(initial, str):
        i = system.index(initial)
        return np.eye(n, dtype=complex)[:, [i]], [i]
    if isinstance(initial, (int, np.integer)):
        if not 0 <= int(initial) < n:
            raise NuemValueError(f"initial={initial!r} must be a state index in 0..{n - 1}")
        return np.eye(n, dtype=complex)[:, [int(initial)]], [int(initial)]
    idx = [system.index(s) if isinstance(s, str) else int(s) for s in initial]
    return np.eye(n, dtype=complex)[:, idx], idx


def step_generators(system: System, profile: Profile, edges: np.ndarray, scheme: str
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(A_k, B_k), each (K, 2N, 2N) Hermitian, with step k = exp(-i (A_k + B_k / E)).

    ``layers``: A = h K(x_mid), B = h M.  ``magnus`` (Magnus-4 at the Gauss nodes
    x_{1,2} = x0 + h (1/2 -+ sqrt(3)/6)): with H_i = M/E + K_i,
    [H2, H1] = [M, K1 - K2]/E + [K2, K1], so
    A = h/2 (K1 + K2) - i sqrt(3)/12 h^2 [K2, K1] and B = h M - i sqrt(3)/12 h^2 [M, K1 - K2].
    """
    h = np.diff(edges)
    M = system.vacuum()
    if scheme == "layers":
        K = _k_at(system, profile, 0.5 * (edges[1:] + edges[:-1]))
        return h[:, None, None] * K, h[:, None, None] * M[None]
    x0 = edges[:-1]
    K1 = _k_at(system, profile, x0 + h * (0.5 - _SQ3 / 6.0))
    K2 = _k_at(system, profile, x0 + h * (0.5 + _SQ3 / 6.0))
    c = (_SQ3 / 12.0) * h[:, None, None] ** 2
    A = 0.5 * h[:, None, None] * (K1 + K2) - 1j * c * (K2 @ K1 - K1 @ K2)
    D = K1 - K2
    B = h[:, None, None] * M[None] - 1j * c * (M @ D - D @ M)
    return A, B


def _monitor_grid(system: System, profile: Profile, steps: int, scheme: str,
                  e_lo: float, e_hi: float) -> np.ndarray:
    """Layer edges equidistributing the local error estimate (see module docstring)."""
    s, e = float(profile.start), float(profile.end)
    pieces = [s, *profile.breaks, e]
    logspace = s > 0 and e / s > 30.0
    # sample points per piece
    xs_all, m_all = [], []
    M = system.vacuum()
    p = 3.0 if scheme == "layers" else 5.0
    for a, b in zip(pieces[:-1], pieces[1:]):
        xs = np.geomspace(a, b, 801) if logspace else np.linspace(a, b, 801)
        d = 1e-6 * (b - a)
        xm = np.clip(xs, a + d, b - d)
        Kp = (_k_at(system, profile, xm + d) - _k_at(system, profile, xm - d)) / (2 * d)
        K0 = _k_at(system, profile, xs)
        mon = np.zeros(xs.shape)
        for E in (e_lo, e_hi):
            H = M / E + K0
            c1 = H @ Kp - Kp @ H
            c = c1 if scheme == "layers" else H @ c1 - c1 @ H
            mon = np.maximum(mon, np.linalg.norm(c, axis=(-2, -1)) ** (1.0 / p))
        xs_all.append(xs)
        m_all.append(mon)
    # cumulative monitor with a floor (10% of the mean) so no region is left empty
    x = np.concatenate(xs_all)
    mon = np.concatenate(m_all)
    order = np.argsort(x, kind="stable")
    x, mon = x[order], mon[order]
    floor = 0.1 * max(np.trapezoid(mon, x) / (e - s), 1e-300)
    dens = mon + floor
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(x))])
    cum /= cum[-1]
    # allocate steps to pieces proportionally, at least one each
    edges = [s]
    bounds = [np.interp(pt, x, cum) for pt in pieces]
    for i in range(len(pieces) - 1):
        frac = bounds[i + 1] - bounds[i]
        k = max(1, int(round(frac * steps)))
        targets = np.linspace(bounds[i], bounds[i + 1], k + 1)[1:]
        pts = np.interp(targets, cum, x)
        pts[-1] = pieces[i + 1]
        edges.extend(pts.tolist())
    edges = np.asarray(edges)
    return np.unique(edges)


# --- the public entry point ------------------------------------------------------
def propagate(system: System, profile: Profile, E, method: str = "magnus",
              backend: str = "numpy", initial=None, steps: int | None = None,
              grid=None, tol: float = 1e-8, refine: str = "local") -> Propagation:
    """Propagate every state (or ``initial``) of ``system`` through ``profile``.

    Parameters
    ----------
    E : energies [eV], > 0, any shape (flattened in the result).
    method : one of exact-constant, layers, magnus, adiabatic, ode (module docstring).
    backend : numpy, numba or jax (jax: layers and magnus; numba: also adiabatic).
    initial : None (all 2N states), a state label, an index, or a list of them.
    steps : number of layers or Magnus steps (layers/magnus); default chosen by step
        doubling on a sample of energies until the probabilities change by < ``tol``.
    grid : explicit step edges [eV^-1] from start to end (overrides ``steps``).
    tol : target accuracy (auto steps, adiabatic refinement, ode rtol).
    refine : adiabatic step control, "local" (default: a local error estimate aimed at
        ``tol``, measured 0.1-1.6 tol) or "turn" (the basis-turn criterion alone, cheaper,
        does not honour ``tol``); see :func:`_adiabatic`.

    Notes
    -----
    For ``adiabatic`` without ``grid``, ``info["grids"]`` lists each energy band's grid
    (``e_min``, ``e_max``, ``edges``, ``local_error_rss``), ``info["energy_steps"]`` is the
    number of energy-steps taken, ``steps`` the largest band's step count, and
    ``info["edges"]`` is set when there is one band.
    """
    require_choice("method", method, METHODS)
    require_choice("backend", backend, BACKENDS)
    E = require_positive("E", E, "eV").ravel()
    if backend != "numpy" and method not in ("layers", "magnus") and \
            not (method == "adiabatic" and backend == "numba"):
        raise NuemValueError(f"backend={backend!r} is available for methods layers and magnus "
                             f"(and numba for adiabatic); method={method!r} runs on numpy")
    cols, idx = _initial_columns(system, initial)
    tol = float(require_positive("tol", tol))
    if method == "exact-constant":
        S = _exact_constant(system, profile, E, cols)
        return Propagation(E, system.states, S, method, backend, 1, idx)
    if method == "ode":
        S, info = _ode(system, profile, E, cols, tol)
        return Propagation(E, system.states, S, method, backend, info["steps"], idx, info)
    if method == "adiabatic":
        if backend == "numba":
            _kernels._optional("numba", "fast")
        require_choice("refine", refine, ("local", "turn"))
        S, info = _adiabatic(system, profile, E, cols, tol, grid, backend, refine)
        return Propagation(E, system.states, S, method, backend, info["steps"], idx, info)
    if method == "magnus":
        citations.register("Blanes2009")
    if grid is not None:
        edges = as_finite_array("grid", grid)
        if edges.ndim != 1 or np.any(np.diff(edges) <= 0):
            raise NuemValueError("grid must be strictly increasing edges")
        if abs(edges[0] - profile.start) > 1e-9 * profile.length or \
                abs(edges[-1] - profile.end) > 1e-9 * profile.length:
            raise NuemValueError("grid must run from profile.start to profile.end")
        info = {"grid": "given"}
    else:
        if steps is None:
            steps, info = _auto_steps(system, profile, E, method, tol)
        else:
            if int(steps) < 1:
                raise NuemValueError(f"steps={steps!r} must be >= 1")
            info = {}
        edges = _monitor_grid(system, profile, int(steps), method, float(E.min()), float(E.max()))
    S = run_steps(system, profile, E, cols, edges, method, backend)
    return Propagation(E, system.states, S, method, backend, len(edges) - 1, idx,
                       {**info, "edges": edges})


def run_steps(system, profile, E, cols, edges, scheme, backend) -> np.ndarray:
    """Apply the layer or Magnus steps on ``edges`` to the columns ``cols`` at energies E,
    streaming over step chunks and energy chunks (bounded memory)."""
    apply = _kernels.APPLY[backend]
    n, m = cols.shape
    out = np.empty((len(E), n, m), dtype=complex)
    z_all = 1.0 / E
    chunk = ENERGY_CHUNK if backend != "jax" else max(1, _kernels.JAX_LANES // m)
    for e0 in range(0, len(E), chunk):
        z = z_all[e0:e0 + chunk]
        psi = np.broadcast_to(cols, (len(z), n, m)).astype(complex)
        for k0 in range(0, len(edges) - 1, STEP_CHUNK):
            A, B = step_generators(system, profile, edges[k0:k0 + STEP_CHUNK + 1], scheme)
            psi = apply(A, B, z, psi)
        out[e0:e0 + len(z)] = psi
    return out


def _auto_steps(system, profile, E, method, tol):
    sample = np.unique(np.geomspace(E.min(), E.max(), min(9, len(E))))
    cols = np.eye(system.n, dtype=complex)
    steps = 64
    prev = None
    for _ in range(16):
        edges = _monitor_grid(system, profile, steps, method, float(E.min()), float(E.max()))
        P = np.abs(run_steps(system, profile, sample, cols, edges, method, "numpy")) ** 2
        if prev is not None:
            err = float(np.abs(P - prev).max())
            if err < tol:
                return steps, {"auto_error_estimate": err}
        prev = P
        steps *= 2
    raise NuemValueError(f"could not reach tol={tol:g} with up to {steps // 2} steps; "
                         "give steps= or use method='adiabatic'")


# --- exact constant ------------------------------------------------------------------
def _exact_constant(system, profile, E, cols):
    xs = np.linspace(profile.start, profile.end, 17)
    K = _k_at(system, profile, xs)
    if np.abs(K - K[0]).max() > 1e-12 * max(np.abs(K).max(), 1e-300):
        raise NuemValueError("method='exact-constant' needs a constant profile (n_e, n_n, "
                             "B_perp and phi' the same along the path); use 'magnus' or 'layers'")
    H = system.vacuum()[None] / E[:, None, None] + K[0][None]
    w, v = np.linalg.eigh(H)
    ph = np.exp(-1j * w * profile.length)
    return v @ (ph[:, :, None] * (np.conj(np.swapaxes(v, -1, -2)) @ cols[None]))


# --- ODE oracle ----------------------------------------------------------------------
def _ode(system, profile, E, cols, tol):
    from scipy.integrate import solve_ivp

    citations.register("DormandPrince1980")
    M = system.vacuum()
    n, m = cols.shape
    out = np.empty((len(E), n, m), dtype=complex)
    pieces = [profile.start, *profile.breaks, profile.end]
    nsteps = 0
    for ie, e in enumerate(E):
        Me = M / e

        def rhs(x, y):
            H = Me + _k_at(system, profile, x)
            d = np.real(np.diag(H))
            a = (y[: n * m] + 1j * y[n * m: 2 * n * m]).reshape(n, m)
            phi = y[2 * n * m:]
            off = H - np.diag(np.diag(H))
            ph = np.exp(1j * phi)
            G = ph[:, None] * off * np.conj(ph)[None, :]
            da = -1j * (G @ a)
            return np.concatenate([da.real.ravel(), da.imag.ravel(), d])

        a = cols.copy()
        phi = np.zeros(n)
        for lo, hi in zip(pieces[:-1], pieces[1:]):
            y0 = np.concatenate([a.real.ravel(), a.imag.ravel(), phi])
            # amplitudes to atol=tol; the accumulated phases (which grow to many radians)
            # to an absolute 1e-3 tol, so their rounding never limits the amplitudes
            atol = np.concatenate([np.full(2 * n * m, tol), np.full(n, 1e-3 * tol)])
            sol = solve_ivp(rhs, (lo, hi), y0, method="DOP853", rtol=1e-3 * tol, atol=atol)
            if not sol.success:
                raise NuemValueError(f"ODE solver failed at E={e:g} eV: {sol.message}")
            y = sol.y[:, -1]
            a = (y[: n * m] + 1j * y[n * m: 2 * n * m]).reshape(n, m)
            phi = y[2 * n * m:]
            nsteps += sol.t.size - 1
        out[ie] = np.exp(-1j * phi)[:, None] * a
    return out, {"steps": nsteps, "oracle": f"DOP853 atol={tol:g} (phases {1e-3 * tol:g}), diagonal interaction frame"}


# --- adiabatic ---------------------------------------------------------------------
def _adiabatic_grid0(profile: Profile, n0: int) -> np.ndarray:
    s, e = float(profile.start), float(profile.end)
    pieces = [s, *profile.breaks, e]
    edges = [s]
    for a, b in zip(pieces[:-1], pieces[1:]):
        k = max(2, int(n0 * (b - a) / (e - s)))
        pts = np.geomspace(a, b, k + 1) if (a > 0 and b / a > 30.0) else np.linspace(a, b, k + 1)
        edges.extend(pts[1:].tolist())
    return np.asarray(edges)


def _slopes(system, profile, x):
    """Derivatives K'(x) from the left and from the right (second-order one-sided
    differences; at the path ends the missing side is zero; away from the ends and the
    profile's breaks both are their mean, a second-order central difference).  Shapes
    (nx, n, n)."""
    d = 1e-7 * profile.length
    K = _k_at(system, profile, x)
    out = []
    for side in (-1.0, +1.0):
        xa = np.clip(x + side * d, profile.start, profile.end)
        xb = np.clip(x + side * 2 * d, profile.start, profile.end)
        Ka, Kb = _k_at(system, profile, xa), _k_at(system, profile, xb)
        step = (xa - x)[:, None, None]
        ok = np.abs(step) > 0.5 * d
        out.append(np.where(ok, (-3 * K + 4 * Ka - Kb) / (2 * np.where(ok, step, 1.0)), 0.0))
    # away from the path ends and the profile's breaks the two sides are one derivative:
    # both get their mean (a central second-order difference), so the kernels can tell
    # where the slope is two-sided by KL == KR
    kinks = np.asarray([profile.start, *profile.breaks, profile.end], dtype=float)
    smooth = (np.abs(np.asarray(x, dtype=float)[:, None] - kinks[None, :]).min(axis=1)
              > 2.5 * d)[:, None, None]
    mean = 0.5 * (out[0] + out[1])
    return K, np.where(smooth, mean, out[0]), np.where(smooth, mean, out[1])


def _hf(v, Kp):
    """Hellmann-Feynman slopes d lambda_j/dx = Re (v_j^dagger K' v_j), shape (nE, n)."""
    return np.real(np.einsum("eaj,ab,ebj->ej", np.conj(v), Kp, v))


def _track(v_prev, v_new, w_new, perm_prev):
    """Reorder the columns of v_new to follow v_prev by largest overlap (diabatic
    continuation through exact crossings) and fix their phases by parallel transport.
    Returns the reordered (w, v), the permutation (tracked -> sorted) and, per energy,
    whether a crossing happened inside this step (the permutation changed)."""
    ov = np.abs(np.conj(np.swapaxes(v_prev, -1, -2)) @ v_new)  # [..., old i, new j]
    nE, n, _ = ov.shape
    perm = np.full((nE, n), -1)
    work = ov.copy()
    rows = np.arange(nE)
    for _ in range(n):
        flat = work.reshape(nE, -1).argmax(axis=1)
        i, j = np.divmod(flat, n)
        perm[rows, i] = j
        work[rows, i, :] = -1.0
        work[rows, :, j] = -1.0
    swapped = np.any(perm != perm_prev, axis=1)
    v = np.take_along_axis(v_new, perm[:, None, :], axis=2)
    w = np.take_along_axis(w_new, perm, axis=1)
    c = np.einsum("eai,eai->ei", np.conj(v_prev), v)
    v = v * (np.conj(c) / np.maximum(np.abs(c), 1e-300))[:, None, :]
    return w, v, perm, swapped


def _adiabatic_transfer(h, w0, v0, d0, w1, v1, d1, a):
    """One adiabatic step from x0 to x0 + h on the adiabatic-basis amplitudes ``a``
    (nE, n, m): phases to the midpoint, the sinc-averaged Cayley kick from the overlap
    V(x1)^dagger V(x0), phases to the end.  Returns (a at x1, largest generator entry per
    energy)."""
    eye = np.eye(w0.shape[1])
    O = np.conj(np.swapaxes(v1, -1, -2)) @ v0
    full = h * (0.5 * (w0 + w1) + h * (d0 - d1) / 12.0)
    first = h * (13.0 / 32.0 * w0 + 3.0 / 32.0 * w1 + h * (11.0 * d0 - 5.0 * d1) / 192.0)
    half = (full[:, :, None] - full[:, None, :]) / 2.0  # omega_ij h / 2
    Y = 2.0 * np.linalg.solve(np.swapaxes(O + eye, -1, -2),
                              np.swapaxes(O - eye, -1, -2)).swapaxes(-1, -2)
    Ys = 0.5 * Y * np.sinc(half / np.pi)
    U = np.linalg.solve(eye - Ys, eye + Ys)
    a = np.exp(-1j * (full - first))[:, :, None] * (U @ (np.exp(-1j * first)[:, :, None] * a))
    return a, np.abs(Y).max(axis=(1, 2))


def _state_error(a_one, a_two):
    """Largest (over columns) norm of a_one - a_two after removing each column's global
    phase, per energy: the local error of one step against two half steps."""
    ov = np.einsum("eic,eic->ec", np.conj(a_two), a_one)
    ph = ov / np.maximum(np.abs(ov), 1e-300)
    return np.sqrt((np.abs(a_one - a_two * ph[:, None, :]) ** 2).sum(axis=1)).max(axis=1)


def _adiabatic_steps(system, profile, E, edges, psi0, want_diag=False, local=False):
    """Run the adiabatic scheme on ``edges``; returns psi(end) (nE, n, m) and per-step
    diagnostics (largest Cayley generator entry and crossing flags over energies).

    With ``local`` the edges are a grid with its midpoints interleaved, and the third
    output is, for every coarse step (pairs of fine steps) and energy, the local error of
    the coarse step taken at once against the two fine steps from the same state (nE, N/2).
    """
    n = system.n
    chunk = 256
    M = system.vacuum()
    rot = np.zeros(len(edges) - 1)
    cross = np.zeros(len(edges) - 1, dtype=bool)
    eps = np.zeros((len(E), (len(edges) - 1) // 2))
    K, _, KR = _slopes(system, profile, edges[:1])
    w0, v0 = np.linalg.eigh(M[None] / E[:, None, None] + K[0][None])
    d0 = _hf(v0, KR[0])
    perm = np.broadcast_to(np.arange(n), (len(E), n))
    a = np.conj(np.swapaxes(v0, -1, -2)) @ psi0
    saved = (w0, v0, d0, a)
    for k0 in range(0, len(edges) - 1, chunk):
        x1 = edges[k0 + 1: k0 + chunk + 1]
        K1, KL1, KR1 = _slopes(system, profile, x1)
        w1s, v1s = np.linalg.eigh(M[None, None] / E[None, :, None, None] + K1[:, None])
        for j in range(len(x1)):
            k = k0 + j
            w1, v1, perm, sw = _track(v0, v1s[j], w1s[j], perm)
            d1 = _hf(v1, KL1[j])
            a, r = _adiabatic_transfer(edges[k + 1] - edges[k], w0, v0, d0, w1, v1, d1, a)
            if want_diag:
                rot[k] = float(r.max())
                cross[k] = bool(np.any(sw))
            w0, v0, d0 = w1, v1, _hf(v1, KR1[j])
            if local and k % 2 == 1:
                ws, vs, ds, a_s = saved
                one, _ = _adiabatic_transfer(edges[k + 1] - edges[k - 1], ws, vs, ds, w1, v1,
                                             d1, a_s)
                eps[:, k // 2] = _state_error(one, a)
                saved = (w0, v0, d0, a)
    if local:
        return v0 @ a, rot, eps
    return v0 @ a, rot, cross



def _greedy_match(Ot: np.ndarray) -> np.ndarray:
    """Greedy matching of eigenvectors across a step on |overlap|: ``Ot[step, e, new j,
    old i]``; returns sigma[step, e, old i] = new j, largest overlaps first."""
    work = np.abs(np.swapaxes(Ot, -1, -2))
    S, nE, n = work.shape[0], work.shape[1], work.shape[-1]
    sigma = np.full((S, nE, n), -1)
    si, ei = np.meshgrid(np.arange(S), np.arange(nE), indexing="ij")
    for _ in range(n):
        i, j = np.divmod(work.reshape(S, nE, -1).argmax(axis=-1), n)
        sigma[si, ei, i] = j
        work[si, ei, i, :] = -1.0
        work[si, ei, :, j] = -1.0
    return sigma


def _turn_diagnostics(system, profile, E, x0, x1, chunk: int = 512):
    """The step diagnostics of :func:`_adiabatic_steps` with ``want_diag`` for the steps
    from x0[k] to x1[k]: the largest Cayley generator entry |Y| of each step and whether
    the level order changed in it (each over the energies E), computed for all steps at
    once without propagating a state.

    Neither depends on the state: the tracked basis at x1 is the sorted one with its
    columns permuted by sigma (the greedy largest-overlap matching of the sorted bases at
    x0 and x1, which commutes with permuting the basis at x0) and rephased by parallel
    transport.  Write O~ = V(x1)^dagger V(x0) for the sorted bases with its rows permuted
    by sigma; the tracked overlap is D^* diag(conj(O~_ii)/|O~_ii|) O~ D with D the
    accumulated diagonal phases and a simultaneous row and column permutation, so its
    Cayley generator is D^* Y~ D permuted, with the same entries in modulus.  A level
    order change is sigma != identity.  Agrees with the stepping loop to rounding
    (tested); the numpy step control uses it for its turn passes, evaluating only the
    steps each pass creates.
    """
    n = system.n
    M = system.vacuum()
    eye = np.eye(n)
    rows = np.arange(n)
    nsteps = len(x0)
    rot = np.zeros(nsteps)
    cross = np.zeros(nsteps, dtype=bool)
    for k0 in range(0, nsteps, chunk):
        xa, xb = x0[k0: k0 + chunk], x1[k0: k0 + chunk]
        S = len(xa)
        xs, where = np.unique(np.concatenate([xa, xb]), return_inverse=True)
        K = _k_at(system, profile, xs)  # the pieces of a cut step share their edges
        _, v = np.linalg.eigh(M[None, None] / E[None, :, None, None] + K[:, None])
        v = v[where.ravel()]
        Ot = np.conj(np.swapaxes(v[S:], -1, -2)) @ v[:S]  # [step, e, new j, old i]
        sigma = _greedy_match(Ot)  # as in _track
        cross[k0: k0 + S] = np.any(sigma != rows, axis=(1, 2))
        Op = np.take_along_axis(Ot, sigma[..., :, None], axis=-2)  # rows: new sigma(i)
        d = np.diagonal(Op, axis1=-2, axis2=-1)
        Op = (np.conj(d) / np.maximum(np.abs(d), 1e-300))[..., :, None] * Op
        Y = 2.0 * np.linalg.solve(np.swapaxes(Op + eye, -1, -2),
                                  np.swapaxes(Op - eye, -1, -2)).swapaxes(-1, -2)
        rot[k0: k0 + S] = np.abs(Y).max(axis=(1, 2, 3))
    return rot, cross


def _turn_pass(system, profile, E, edges, prev=None):
    """(rot, cross) of every step on ``edges`` by :func:`_turn_diagnostics`, reusing
    ``prev = (old_edges, rot, cross)`` for the steps the last cut left whole."""
    new = np.ones(len(edges) - 1, dtype=bool)
    rot = np.zeros(len(edges) - 1)
    cross = np.zeros(len(edges) - 1, dtype=bool)
    if prev is not None:
        old, orot, ocross = prev
        i = np.clip(np.searchsorted(old, edges[:-1]), 0, len(old) - 2)
        same = (old[i] == edges[:-1]) & (old[i + 1] == edges[1:])
        rot[same], cross[same] = orot[i[same]], ocross[i[same]]
        new = ~same
    rot[new], cross[new] = _turn_diagnostics(system, profile, E, edges[:-1][new],
                                             edges[1:][new])
    return rot, cross


def _step_matrices(system, profile, E, x, match=None):
    """The adiabatic steps of :func:`_adiabatic_steps` on the contiguous edges ``x``, as
    matrices in the sorted eigenbases, all steps at once: S[k] (steps, nE, n, n) maps the
    coordinates c = V(x_k)^dagger psi in the eigenbasis at x_k (eigenvalues ascending, as
    ``eigh`` returns it) to those at x_{k+1}; also returns V at the first and last edge.

    Tracking and parallel transport only relabel and rephase the basis (see
    :func:`_turn_diagnostics`): with sigma the level matching of the step and
    ph_i = O~_ii/|O~_ii| (O~ = V(x1)^dagger V(x0), rows permuted by sigma), the step of
    :func:`_adiabatic_transfer` on the tracked amplitudes becomes
    c1[sigma(i)] = ph_i (T c0)_i, with T the transfer built from the rephased overlap
    diag(conj ph) O~ and the eigenvalues and Hellmann-Feynman slopes in matched order.
    ``match = (sigma, ph)`` imposes the matching and phases (for a coarse step, those of
    its two fine steps, as the stepping loop's tracked basis has them); they are returned
    with the matrices.  Agrees with the stepping loop to rounding (tested).
    """
    n = system.n
    M = system.vacuum()
    eye = np.eye(n)
    K, KL, KR = _slopes(system, profile, x)
    w, v = np.linalg.eigh(M[None, None] / E[None, :, None, None] + K[:, None])
    Ot = np.conj(np.swapaxes(v[1:], -1, -2)) @ v[:-1]  # [step, e, new j, old i]
    if match is None:
        sigma = _greedy_match(Ot)
        Op = np.take_along_axis(Ot, sigma[..., :, None], axis=-2)
        dg = np.diagonal(Op, axis1=-2, axis2=-1)
        ph = dg / np.maximum(np.abs(dg), 1e-300)
    else:
        sigma, ph = match
        Op = np.take_along_axis(Ot, sigma[..., :, None], axis=-2)
    O = np.conj(ph)[..., :, None] * Op
    w0, w1 = w[:-1], np.take_along_axis(w[1:], sigma, axis=-1)
    d0 = np.real(np.einsum("seaj,sab,sebj->sej", np.conj(v[:-1]), KR[:-1], v[:-1]))
    d1 = np.take_along_axis(
        np.real(np.einsum("seaj,sab,sebj->sej", np.conj(v[1:]), KL[1:], v[1:])), sigma, axis=-1)
    h = np.diff(x)[:, None, None]
    full = h * (0.5 * (w0 + w1) + h * (d0 - d1) / 12.0)
    first = h * (13.0 / 32.0 * w0 + 3.0 / 32.0 * w1 + h * (11.0 * d0 - 5.0 * d1) / 192.0)
    half = (full[..., :, None] - full[..., None, :]) / 2.0
    Y = 2.0 * np.linalg.solve(np.swapaxes(O + eye, -1, -2),
                              np.swapaxes(O - eye, -1, -2)).swapaxes(-1, -2)
    Ys = 0.5 * Y * np.sinc(half / np.pi)
    U = np.linalg.solve(eye - Ys, eye + Ys)
    T = (ph * np.exp(-1j * (full - first)))[..., :, None] * U * np.exp(-1j * first)[..., None, :]
    out = np.empty_like(T)
    np.put_along_axis(out, sigma[..., :, None], T, axis=-2)
    return out, v[0], v[-1], sigma, ph


def _adiabatic_steps_batched(system, profile, E, edges, psi0, local=False, chunk=256):
    """As :func:`_adiabatic_steps` without the diagonostics, with the step matrices built
    in batches by :func:`_step_matrices` (only the products with the state are a loop):
    psi(end) (nE, n, m) and, with ``local`` (edges interleaved with their midpoints), the
    local error of each coarse step against its two fine steps (nE, N/2)."""
    nsteps = len(edges) - 1
    eps = np.zeros((len(E), nsteps // 2 if local else 0))
    chunk += chunk % 2
    c = None
    for k0 in range(0, nsteps, chunk):
        x = edges[k0: k0 + chunk + 1]
        S, v0, v1, sg, ph = _step_matrices(system, profile, E, x)
        if c is None:
            c = np.conj(np.swapaxes(v0, -1, -2)) @ psi0
        if local:
            sa, sb = sg[0::2], sg[1::2]
            match = (np.take_along_axis(sb, sa, axis=-1),
                     ph[0::2] * np.take_along_axis(ph[1::2], sa, axis=-1))
            C = _step_matrices(system, profile, E, x[::2], match)[0]
            for j in range(len(C)):
                one = C[j] @ c
                c = S[2 * j + 1] @ (S[2 * j] @ c)
                eps[:, k0 // 2 + j] = _state_error(one, c)
        else:
            for k in range(len(S)):
                c = S[k] @ c
    return v1 @ c, eps


def _adiabatic_run(system, profile, E, edges, psi0, backend, want_diag, local=False):
    """psi(end) and per-step diagnostics (largest generator entry and crossing flag, each
    over energies) on ``edges``, with the numpy or the numba kernel.  With ``local`` the
    third output is instead the local error of each coarse step (see
    :func:`_adiabatic_steps`), largest over energies."""
    if backend == "numpy" and not want_diag:
        out, eps = _adiabatic_steps_batched(system, profile, E, edges, psi0, local)
        return out, np.zeros(len(edges) - 1), (eps.max(axis=0) if local else
                                               np.zeros(len(edges) - 1, dtype=bool))
    if backend == "numpy":
        out, rot, third = _adiabatic_steps(system, profile, E, edges, psi0, want_diag, local)
        return out, rot, (third.max(axis=0) if local else third)
    K, KL, KR = _slopes(system, profile, edges)
    out, rot, cross, eps = _kernels.adiabatic_numba(system.vacuum(), 1.0 / E, K, KL, KR,
                                                    edges, psi0, want_diag, local)
    return out, rot.max(axis=0), (eps.max(axis=0) if local else cross.any(axis=0))


def _energy_bands(E: np.ndarray, ratio: float = BAND_RATIO) -> list[np.ndarray]:
    """Indices of E in bands of at most ``ratio`` in energy (empty bands dropped)."""
    lo, hi = float(E.min()), float(E.max())
    nb = max(1, int(math.ceil(math.log(hi / lo) / math.log(ratio) - 1e-9)))
    which = np.minimum((np.log(E / lo) / math.log(hi / lo) * nb).astype(int) if nb > 1
                       else np.zeros(len(E), dtype=int), nb - 1)
    return [np.flatnonzero(which == b) for b in range(nb) if np.any(which == b)]


def _pieces(excess: np.ndarray, order: float) -> np.ndarray:
    """Pieces to cut each flagged step into so that a quantity growing as h^order falls
    from ``excess`` times its target to the target (at least 2, at most 8)."""
    return np.clip(np.ceil(1.1 * excess ** (1.0 / order)), 2, 8).astype(int)


def _cut(edges: np.ndarray, bad: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """Cut the steps flagged in ``bad`` into ``pieces`` equal parts each."""
    start, h = edges[:-1][bad], np.diff(edges)[bad]
    new = [start[pieces == p] + h[pieces == p] * (k / p)
           for p in np.unique(pieces) for k in range(1, p)]
    return np.sort(np.concatenate([edges, *new]))


def _adiabatic_grid(system, profile, sample, cols, tol, backend, refine):
    """The step edges for the energies ``sample`` (see :func:`_adiabatic`) and the local
    error estimate the control stopped at (None for ``refine="turn"``)."""
    theta = min(TURN_MAX, TURN_PER_SQRT_TOL * math.sqrt(tol))
    edges = _adiabatic_grid0(profile, 256)
    h_min = 1e-9 * profile.length
    one = np.eye(system.n, dtype=complex)[:, :1]
    psi0 = np.broadcast_to(one, (len(sample),) + one.shape).astype(complex)
    prev = None
    for _ in range(40):
        if backend == "numpy":
            rot, cross = _turn_pass(system, profile, sample, edges, prev)
            prev = (edges, rot, cross)
        else:
            _, rot, cross = _adiabatic_run(system, profile, sample, edges, psi0, backend, True)
        bad = ((rot > theta) | cross) & (np.diff(edges) > h_min)
        if not np.any(bad):
            break
        # the basis turn grows as h: cut into enough pieces at once (crossings: halve)
        edges = _cut(edges, bad, np.where(cross[bad], 2, _pieces(rot[bad] / theta, 1.0)))
    if refine != "local":
        return edges, None
    # local error control: each step is compared with its two half steps from the same
    # state (on the sample energies and the requested initial states); steps above
    # goal/sqrt(N) are cut until the root-sum-square of the local errors is below goal =
    # LOCAL_SAFETY tol (local errors enter with unrelated phases, so they add nearly in
    # quadrature; the safety factor covers the partly coherent part).  The local error
    # grows as h^3 (measured, see the tests), which sets the number of pieces.
    goal = LOCAL_SAFETY * tol
    psi0 = np.broadcast_to(cols, (len(sample),) + cols.shape).astype(complex)
    for _ in range(MAX_LOCAL_PASSES):
        mids = 0.5 * (edges[:-1] + edges[1:])
        fine = np.empty(2 * len(edges) - 1)
        fine[0::2], fine[1::2] = edges, mids
        eps = _adiabatic_run(system, profile, sample, fine, psi0, backend, False, True)[2]
        rss = math.sqrt(float(np.sum(eps ** 2)))
        if rss < goal:
            return edges, rss
        target = goal / math.sqrt(len(eps))
        bad = (eps > target) & (np.diff(edges) > h_min)
        if not np.any(bad):
            return edges, rss
        edges = _cut(edges, bad, _pieces(eps[bad] / target, 3.0))
    raise NuemValueError(f"adiabatic solver: tol={tol:g} not reached after "
                         f"{MAX_LOCAL_PASSES} local refinement passes "
                         f"({len(edges) - 1} steps); raise tol or give grid=")


def _adiabatic(system, profile, E, cols, tol, grid, backend="numpy", refine="local"):
    """Adiabatic-basis solver with step control per energy band.

    Without ``grid``, with the numba kernel, the energies are split into bands no wider
    than BAND_RATIO, and each band gets its own grid, refined on up to BAND_SAMPLES of its
    energies (the resonances move with energy, so one grid for all energies carries every
    band's refinements: on problem SN at tol 1e-3 a band needs 830-1320 steps, the common
    grid 3468).  With the numpy kernel, whose cost per step is Python overhead shared by
    the energies of a call, all energies share one grid refined on up to UNION_SAMPLES of
    them.  Per grid:

    * the basis-turn refinement: steps are cut until the basis turns by less than
      theta = min(0.05, 4 sqrt(tol)) per step and no level crossing is left inside a step
      (``refine="turn"`` stops here; it does not see the error of steps where the basis
      is still: on problem SN a small amplitude carried from the core interferes at the
      resonances with phases it picked up there, and turn-only control leaves about
      1.4e-4 whatever ``tol`` is);
    * ``refine="local"`` (default): each step's local error is estimated by taking it at
      once and as two half steps from the same state (the requested initial states; the
      state error with each column's global phase removed), and the steps above
      LOCAL_SAFETY tol/sqrt(N) are cut until the root-sum-square of the local errors is
      below LOCAL_SAFETY tol.

    Measured final errors against converged oracles, at energies between the sample
    energies: see the tests and benchmarks/propagation.py (problem SN: 0.3 tol).  Every
    energy of a band takes every step of its grid.  ``numba`` runs the same scheme fused
    per block of four energies (:func:`_kernels.adiabatic_numba`).
    """
    citations.register("Iserles2002")
    out = np.empty((len(E), system.n, cols.shape[1]), dtype=complex)
    if grid is not None:
        plan = [(np.arange(len(E)), as_finite_array("grid", grid), None)]
    else:
        plan = []
        banded = backend == "numba"
        ns = BAND_SAMPLES if banded else UNION_SAMPLES
        for sel in _energy_bands(E, BAND_RATIO if banded else math.inf):
            Eb = E[sel]
            sample = (np.unique(Eb) if len(np.unique(Eb)) <= ns
                      else np.geomspace(Eb.min(), Eb.max(), ns))
            plan.append((sel, *_adiabatic_grid(system, profile, sample, cols, tol, backend,
                                               refine)))
    grids = []
    for sel, edges, rss in plan:
        for e0 in range(0, len(sel), ENERGY_CHUNK):
            idx = sel[e0:e0 + ENERGY_CHUNK]
            psi0 = np.broadcast_to(cols, (len(idx),) + cols.shape).astype(complex)
            out[idx], _, _ = _adiabatic_run(system, profile, E[idx], edges, psi0, backend,
                                            False)
        grids.append({"e_min": float(E[sel].min()), "e_max": float(E[sel].max()),
                      "edges": edges, "local_error_rss": rss})
    steps = [len(g["edges"]) - 1 for g in grids]
    info = {"grids": grids, "steps": max(steps),
            "energy_steps": int(sum(len(sel) * k for (sel, _, _), k in zip(plan, steps)))}
    if len(grids) == 1:
        info["edges"] = grids[0]["edges"]
        if grids[0]["local_error_rss"] is not None:
            info["local_error_rss"] = grids[0]["local_error_rss"]
    return out, info
