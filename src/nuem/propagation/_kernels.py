"""Hot loops of the layer and Magnus solvers, one per backend.

Every step k of a layer or Magnus scheme is the exponential of an exponent that is affine
in z = 1/E,  U_k(E) = exp(-i (A_k + z B_k)),  with A_k, B_k Hermitian (2N x 2N) and
independent of the energy (see :func:`nuem.propagation.solvers.step_generators`).  The
kernels below apply U_k for k = 0..K-1 in order to a batch of states psi[e] (2N x m),
streaming over steps; nothing of size (steps x energies x 2N x 2N) is ever built.

* ``numpy``: batched Hermitian eigendecomposition per step (exact to rounding).
* ``numba`` (optional extra ``nuem[fast]``): one fused loop per energy, parallel over
  energies.  For one or two propagated states, exp(-i Omega) psi by a Taylor series on the
  states with substeps (terms added until below 1e-17 relative); for more, the 2N x 2N
  exponential by scaling and squaring (degree-16 Taylor at norm <= 1/2, remainder
  < 1e-20) and one product (Higham, SIAM J. Matrix Anal. Appl. 26, 1179 (2005), Sec. 2).
  Agrees with ``numpy`` to rounding (tested to 1e-10).
* ``jax`` (optional extra ``nuem[jax]``): the same Taylor series with a fixed, host-chosen
  number of terms and substeps, ``lax.scan`` over steps, batched over energies; runs
  unchanged on CPU or GPU in float64.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from nuem._errors import NuemValueError

#: Taylor substep size for states: ||Omega / s||_1 <= THETA, terms added until they fall
#: below 1e-17 relative (at most TAYLOR_MAX_TERMS; THETA^61/61! < 1e-36).
TAYLOR_THETA = 6.0
TAYLOR_MAX_TERMS = 60
#: the jax kernel uses a fixed count: substeps of norm <= 2 and 30 terms (2^31/31! < 1e-24)
JAX_THETA = 2.0
JAX_TERMS = 30


class BackendError(NuemValueError):
    """An optional backend was asked for but is not installed."""


def apply_numpy(A: np.ndarray, B: np.ndarray, z: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """psi[e] <- U_{K-1} ... U_0 psi[e] by eigendecomposition; A, B (K, n, n), z (nE,),
    psi (nE, n, m).  Returns the new psi (the input is not modified)."""
    for k in range(A.shape[0]):
        om = A[k] + z[:, None, None] * B[k]
        w, v = np.linalg.eigh(om)
        psi = v @ (np.exp(-1j * w)[:, :, None] * (np.conj(np.swapaxes(v, -1, -2)) @ psi))
    return psi


def _optional(module: str, extra: str):
    """Import an optional backend module or raise :class:`BackendError` naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendError(f"backend={module!r} needs the optional dependency {module} "
                           f"(pip install 'nuem[{extra}]')") from exc


# --- numba ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _numba_kernel():
    """Compile (once) and return the fused numba kernel."""
    numba = _optional("numba", "fast")

    @numba.njit(parallel=True, cache=True, fastmath=False)
    def kernel(A, B, z, psi, theta, max_terms):  # pragma: no cover - compiled
        nE, n, m = psi.shape
        K = A.shape[0]
        for e in numba.prange(nE):
            om = np.empty((n, n), dtype=np.complex128)
            acc = np.empty((n, m), dtype=np.complex128)
            term = np.empty((n, m), dtype=np.complex128)
            new = np.empty((n, m), dtype=np.complex128)
            X = np.empty((n, n), dtype=np.complex128)
            T = np.empty((n, n), dtype=np.complex128)
            T2 = np.empty((n, n), dtype=np.complex128)
            ze = z[e]
            for k in range(K):
                norm = 0.0
                for j in range(n):
                    col = 0.0
                    for i in range(n):
                        v = -1j * (A[k, i, j] + ze * B[k, i, j])
                        om[i, j] = v
                        col += abs(v.real) + abs(v.imag)
                    if col > norm:
                        norm = col
                if m < n // 2:
                    # Taylor series applied to the columns, substeps of norm <= theta
                    s = max(1, int(math.ceil(norm / theta)))
                    inv_s = 1.0 / s
                    for sub in range(s):
                        ref = 0.0
                        for i in range(n):
                            for c in range(m):
                                acc[i, c] = psi[e, i, c]
                                term[i, c] = psi[e, i, c]
                                ref += abs(psi[e, i, c].real) + abs(psi[e, i, c].imag)
                        for it in range(1, max_terms + 1):
                            f = inv_s / it
                            tn = 0.0
                            for i in range(n):
                                for c in range(m):
                                    t = 0j
                                    for j in range(n):
                                        t += om[i, j] * term[j, c]
                                    t *= f
                                    new[i, c] = t
                                    tn += abs(t.real) + abs(t.imag)
                            for i in range(n):
                                for c in range(m):
                                    term[i, c] = new[i, c]
                                    acc[i, c] += new[i, c]
                            if tn <= 1e-17 * ref:
                                break
                        for i in range(n):
                            for c in range(m):
                                psi[e, i, c] = acc[i, c]
                else:
                    # scaling and squaring: Taylor degree 16 on Omega/2^q with norm <= 1/2
                    q = 0
                    while norm > 0.5:
                        norm *= 0.5
                        q += 1
                    f0 = 0.5 ** q
                    for i in range(n):
                        for j in range(n):
                            X[i, j] = om[i, j] * f0
                            T[i, j] = 1.0 if i == j else 0.0
                    # Horner: T = I + X/1 (I + X/2 (I + ... X/16))
                    for it in range(16, 0, -1):
                        for i in range(n):
                            for j in range(n):
                                t = 0j
                                for l in range(n):
                                    t += X[i, l] * T[l, j]
                                T2[i, j] = t / it
                        for i in range(n):
                            for j in range(n):
                                T[i, j] = T2[i, j] + (1.0 if i == j else 0.0)
                    for _ in range(q):
                        for i in range(n):
                            for j in range(n):
                                t = 0j
                                for l in range(n):
                                    t += T[i, l] * T[l, j]
                                T2[i, j] = t
                        for i in range(n):
                            for j in range(n):
                                T[i, j] = T2[i, j]
                    for i in range(n):
                        for c in range(m):
                            t = 0j
                            for l in range(n):
                                t += T[i, l] * psi[e, l, c]
                            acc[i, c] = t
                    for i in range(n):
                        for c in range(m):
                            psi[e, i, c] = acc[i, c]
        return psi

    return kernel


def apply_numba(A, B, z, psi):
    """As :func:`apply_numpy`, fused and parallel with numba (Taylor with scaling)."""
    kernel = _numba_kernel()
    out = np.ascontiguousarray(psi, dtype=np.complex128).copy()
    kernel(np.ascontiguousarray(A), np.ascontiguousarray(B), np.ascontiguousarray(z, dtype=float),
           out, TAYLOR_THETA, TAYLOR_MAX_TERMS)
    return out


# --- numba: adiabatic basis ----------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _numba_adiabatic_kernel():
    """Compile (once) and return the fused adiabatic-basis kernel (see
    :func:`adiabatic_numba`)."""
    numba = _optional("numba", "fast")

    @numba.njit(parallel=True, cache=True)
    def kernel(M, z, K, KL, KR, edges, psi0, rot_out, cross_out,
               eps_out):  # pragma: no cover - compiled
        nE, n, m = psi0.shape
        N = edges.shape[0] - 1
        diag = rot_out.shape[1] == N
        local = eps_out.shape[1] > 0
        out = np.empty_like(psi0)
        eye = np.eye(n, dtype=np.complex128)
        for e in numba.prange(nE):
            ze = z[e]
            H = np.empty((n, n), dtype=np.complex128)
            for r in range(n):
                for c in range(n):
                    H[r, c] = M[r, c] * ze + K[0, r, c]
            w0, vv = np.linalg.eigh(H)
            v0 = np.ascontiguousarray(vv)
            # Hellmann-Feynman slopes d lambda_k/dx = Re(v_k^dagger K' v_k): d0 from the
            # right-side K' at the start of a step, d1 from the left-side K' at its end
            d0 = np.empty(n)
            d1 = np.empty(n)
            dn = np.empty(n)
            for k in range(n):
                t = 0.0
                for r in range(n):
                    acc = 0j
                    for c in range(n):
                        acc += KR[0, r, c] * v0[c, k]
                    t += (np.conj(v0[r, k]) * acc).real
                d0[k] = t
            a = np.conj(v0.T) @ np.ascontiguousarray(psi0[e])
            ws = w0.copy()
            ds = d0.copy()
            vs = v0.copy()
            a_s = a.copy()
            perm_prev = np.arange(n)
            perm = np.empty(n, dtype=np.int64)
            ov = np.empty((n, n))
            v1 = np.empty((n, n), dtype=np.complex128)
            w1 = np.empty(n)
            Y = np.empty((n, n), dtype=np.complex128)
            Ys = np.empty((n, n), dtype=np.complex128)
            full = np.empty(n)
            first = np.empty(n)
            for i in range(N):
                j = i + 1
                for r in range(n):
                    for c in range(n):
                        H[r, c] = M[r, c] * ze + K[j, r, c]
                w1s, vv = np.linalg.eigh(H)
                v1s = np.ascontiguousarray(vv)
                # diabatic tracking: greedy largest-overlap assignment old -> new
                ovc = np.conj(v0.T) @ v1s
                for r in range(n):
                    for c in range(n):
                        ov[r, c] = abs(ovc[r, c])
                for _ in range(n):
                    best = -2.0
                    bi = 0
                    bj = 0
                    for r in range(n):
                        for c in range(n):
                            if ov[r, c] > best:
                                best = ov[r, c]
                                bi = r
                                bj = c
                    perm[bi] = bj
                    for c in range(n):
                        ov[bi, c] = -1.0
                    for r in range(n):
                        ov[r, bj] = -1.0
                swapped = False
                for r in range(n):
                    if perm[r] != perm_prev[r]:
                        swapped = True
                for c in range(n):
                    w1[c] = w1s[perm[c]]
                    ph = 0j
                    for r in range(n):
                        v1[r, c] = v1s[r, perm[c]]
                        ph += np.conj(v0[r, c]) * v1[r, c]
                    aph = abs(ph)
                    f = np.conj(ph) / aph if aph > 1e-300 else 1.0 + 0j
                    for r in range(n):
                        v1[r, c] *= f
                h = edges[j] - edges[i]
                for k in range(n):
                    tl = 0.0
                    tr = 0.0
                    for r in range(n):
                        al = 0j
                        ar = 0j
                        for c in range(n):
                            al += KL[j, r, c] * v1[c, k]
                            ar += KR[j, r, c] * v1[c, k]
                        tl += (np.conj(v1[r, k]) * al).real
                        tr += (np.conj(v1[r, k]) * ar).real
                    d1[k] = tl
                    dn[k] = tr
                # pass 0: the step itself; pass 1 (local mode, at the end of a coarse
                # step): the coarse step taken at once from the saved state, for the error
                rot = 0.0
                for p in range(2 if (local and j % 2 == 0) else 1):
                    if p == 0:
                        wf, vf, df, st, hp = w0, v0, d0, a, h
                    else:
                        wf, vf, df, st, hp = ws, vs, ds, a_s, edges[j] - edges[j - 2]
                    O = np.conj(v1.T) @ vf
                    Y[:, :] = 2.0 * np.linalg.solve(np.ascontiguousarray((O + eye).T),
                                                    np.ascontiguousarray((O - eye).T)).T
                    if p == 0:
                        for r in range(n):
                            for c in range(n):
                                if abs(Y[r, c]) > rot:
                                    rot = abs(Y[r, c])
                    for k in range(n):
                        full[k] = hp * (0.5 * (wf[k] + w1[k]) + hp * (df[k] - d1[k]) / 12.0)
                        first[k] = hp * (13.0 / 32.0 * wf[k] + 3.0 / 32.0 * w1[k]
                                         + hp * (11.0 * df[k] - 5.0 * d1[k]) / 192.0)
                    for r in range(n):
                        for c in range(n):
                            half = 0.5 * (full[r] - full[c])
                            sc = (math.sin(half) / half if abs(half) > 1e-8
                                  else 1.0 - half * half / 6.0)
                            Ys[r, c] = 0.5 * Y[r, c] * sc
                    U = np.linalg.solve(eye - Ys, eye + Ys)
                    # in place: st is a (replaced below) or the saved a_s (re-saved below)
                    for r in range(n):
                        f = np.exp(-1j * first[r])
                        for c in range(m):
                            st[r, c] *= f
                    st = U @ st
                    for r in range(n):
                        f = np.exp(-1j * (full[r] - first[r]))
                        for c in range(m):
                            st[r, c] *= f
                    if p == 0:
                        a = st
                    else:
                        # one coarse step against the two fine ones, each column's
                        # global phase removed; the largest column error
                        worst = 0.0
                        for c in range(m):
                            ovl = 0j
                            for r in range(n):
                                ovl += np.conj(a[r, c]) * st[r, c]
                            aov = abs(ovl)
                            f = ovl / aov if aov > 1e-300 else 1.0 + 0j
                            t = 0.0
                            for r in range(n):
                                t += abs(st[r, c] - a[r, c] * f) ** 2
                            if t > worst:
                                worst = t
                        eps_out[e, j // 2 - 1] = math.sqrt(worst)
                if diag:
                    rot_out[e, i] = rot
                    cross_out[e, i] = swapped
                for c in range(n):
                    w0[c] = w1[c]
                    d0[c] = dn[c]
                    perm_prev[c] = perm[c]
                    for r in range(n):
                        v0[r, c] = v1[r, c]
                if local and j % 2 == 0:
                    ws[:] = w0
                    ds[:] = d0
                    vs[:, :] = v0
                    a_s = a.copy()
            out[e] = v0 @ a
        return out

    return kernel


def adiabatic_numba(M, z, K, KL, KR, edges, psi0, want_diag, local=False):
    """The adiabatic-basis steps of ``solvers._adiabatic_steps`` on ``edges``, fused per
    energy and parallel over energies with numba (agrees with numpy to 1e-10, tested).

    K, KL, KR: K(x) and its left and right derivatives at the nodes (N+1, n, n); z = 1/E.
    Returns (psi_end (nE, n, m), rot, crossing, eps): with ``want_diag`` the largest Cayley
    generator entry of each step and whether the level order changed in it (both (nE, N)),
    else (nE, 1) placeholders; with ``local`` (N even, midpoints interleaved) the local
    error of each coarse step against its two fine steps (nE, N/2), else (nE, 0).
    """
    kernel = _numba_adiabatic_kernel()
    nE = len(z)
    width = len(edges) - 1 if want_diag else 1
    rot = np.zeros((nE, width))
    cross = np.zeros((nE, width), dtype=np.bool_)
    eps = np.zeros((nE, (len(edges) - 1) // 2 if local else 0))
    out = kernel(np.ascontiguousarray(M, dtype=np.complex128), np.ascontiguousarray(z, dtype=float),
                 np.ascontiguousarray(K, dtype=np.complex128),
                 np.ascontiguousarray(KL, dtype=np.complex128),
                 np.ascontiguousarray(KR, dtype=np.complex128),
                 np.ascontiguousarray(edges, dtype=float),
                 np.ascontiguousarray(psi0, dtype=np.complex128), rot, cross, eps)
    return out, rot, cross, eps


# --- jax ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _jax():
    """Import jax (x64 on) and build the jitted scan kernel, once."""
    jax = _optional("jax", "jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from functools import partial

    @partial(jax.jit, static_argnums=(4, 5))
    def run(A, B, z, psi, substeps, terms):
        def step(psi, ab):
            a, b = ab
            om = (-1j / substeps) * (a[None] + z[:, None, None] * b[None])

            def sub(_, p):
                def taylor(j, carry):
                    acc, term = carry
                    term = (om @ term) / j
                    return acc + term, term

                acc, _ = jax.lax.fori_loop(1, terms + 1, taylor, (p, p))
                return acc

            return jax.lax.fori_loop(0, substeps, sub, psi), None

        out, _ = jax.lax.scan(step, psi, (A, B))
        return out

    return jax, jnp, run


def apply_jax(A, B, z, psi, zmax: float | None = None):
    """As :func:`apply_numpy` with JAX (jit; scan over steps, batched over energies).

    The number of Taylor substeps is fixed for the whole call from the largest
    ||A_k + z B_k||_1 (a static shape for jit), and 30 terms per substep.
    """
    jax, jnp, run = _jax()
    zabs = float(np.max(np.abs(z))) if zmax is None else zmax
    norm = float(np.max(np.abs(A).sum(axis=-2).max(axis=-1)
                        + zabs * np.abs(B).sum(axis=-2).max(axis=-1))) if len(A) else 0.0
    substeps = max(1, int(math.ceil(norm / JAX_THETA)))
    out = run(jnp.asarray(A), jnp.asarray(B), jnp.asarray(z, dtype=jnp.float64),
              jnp.asarray(psi, dtype=jnp.complex128), substeps, JAX_TERMS)
    return np.asarray(out)


APPLY = {"numpy": apply_numpy, "numba": apply_numba, "jax": apply_jax}


def available_backends() -> list[str]:
    """Backends importable here (numpy always)."""
    out = ["numpy"]
    for name in ("numba", "jax"):
        try:
            __import__(name)
            out.append(name)
        except ImportError:
            pass
    return out
