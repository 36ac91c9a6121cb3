"""The JAX kernel of the layer and Magnus steps (optional extra ``nuem[jax]``).

Imported only through :func:`nuem.propagation._kernels.apply_jax`.  Each step applies
U_k = exp(X_k), X_k = -i (A_k + z B_k), to the propagated columns by a Taylor series on
the states,

    exp(X) v  ~  sum_{j=0}^{d} X^j v / j!,

d matrix-vector products per substep, the action of the exponential without forming it
(the truncated-Taylor scheme of Al-Mohy and Higham, SIAM J. Sci. Comput. 33, 488 (2011),
Sec. 3, with the forward truncation bound of :func:`nuem.propagation._kernels.taylor_theta`
in place of their backward-error table):

* **degree and substeps per call**: with nu_k = max_z ||A_k + z B_k||_1 over the call's
  energies (the norm is convex in z, so the extremes of z bound it), step k is split into
  p_k = ceil(nu_k / theta_d) equal substeps, so every substep has norm <= theta_d and a
  truncation error below 2^-53; the degree d in :data:`DEGREES` is the one with the fewest
  products  d * sum_k p_k.  Steps with nu_k = 0 are the identity and are dropped.
* **lanes**: energies and columns are one flat axis of lanes (column c of energy e is
  lane c * nE + e), padded to a few bucket sizes so that jit compiles once per size;
  each lane is an independent state, so a GPU runs one lane per thread.
* **streaming**: ``lax.scan`` over fixed chunks of :data:`CHUNK_STEPS` substeps (the last
  padded with zero steps, exactly the identity), one compiled function for every call of
  the same system size, lane bucket and degree; the states stay on the device between
  chunks.  Nothing of size (steps x lanes x 2N x 2N) is built.
* **unrolling**: the d products of a substep are a ``fori_loop``, rolled by default.  On
  the CPU the rolled loop is the fastest (2 cores, 1000 energies x 2000 random 6x6 steps,
  one state, d = 24: 1.1e6 layer-steps/s rolled; 6.4e5 fully unrolled, after a 15 s
  compile; a fully unrolled 6x6 body of degree 30 takes minutes to compile).  On a GPU a
  partly unrolled loop fuses more products per kernel; ``unroll=`` (or :data:`UNROLL`)
  sets it, and ``benchmarks/propagation.py --gpu`` measures rolled against unroll = 4.

Runs unchanged on CPU or GPU in float64; agrees with the numpy eigendecomposition to
rounding (tested to 1e-10, rolled and unrolled).
"""

from __future__ import annotations

import functools

import numpy as np

from nuem.propagation._kernels import taylor_theta

#: Taylor degrees the kernel chooses from (one compiled variant each)
DEGREES = (12, 16, 20, 24, 30)
#: theta of each degree (norm of a substep with truncation error <= 2^-53)
THETA = {d: taylor_theta(d) for d in DEGREES}
#: substeps per compiled scan
CHUNK_STEPS = 256
#: Taylor products per loop iteration when :func:`apply` is given none
UNROLL = 1


@functools.lru_cache(maxsize=1)
def _jax():
    """Import jax with float64 on and build the jitted chunk runner, once."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    @functools.partial(jax.jit, static_argnums=(4, 5))
    def run(XA, XB, z, psi, degree, unroll):
        """psi (n, lanes) <- the substeps (XA[k] + z XB[k]) applied in order; XA = -i A."""
        n = psi.shape[0]

        def step(p, ab):
            xa, xb = ab
            X = [[xa[i, j] + z * xb[i, j] for j in range(n)] for i in range(n)]

            def term(k, carry):
                acc, cur = carry
                s = 1.0 / k
                cur = [s * sum(X[i][j] * cur[j] for j in range(n)) for i in range(n)]
                return [acc[i] + cur[i] for i in range(n)], cur

            rows = [p[i] for i in range(n)]
            acc, _ = jax.lax.fori_loop(1, degree + 1, term, (rows, rows), unroll=unroll)
            return jnp.stack(acc), None

        out, _ = jax.lax.scan(step, psi, (XA, XB))
        return out

    return jnp, run


def plan(A: np.ndarray, B: np.ndarray, zlo: float, zhi: float) -> tuple[int, np.ndarray]:
    """(degree, substeps per step) for steps (A, B) over z in [zlo, zhi]: the degree of
    :data:`DEGREES` with the fewest products d * sum_k p_k, where p_k = ceil(nu_k /
    theta_d) and nu_k = max(||A_k + zlo B_k||_1, ||A_k + zhi B_k||_1); p_k = 0 for a
    step with nu_k = 0 (the identity)."""
    nu = np.maximum(np.abs(A + zlo * B).sum(axis=-2).max(axis=-1),
                    np.abs(A + zhi * B).sum(axis=-2).max(axis=-1))
    best = None
    for d in DEGREES:
        p = np.ceil(nu / THETA[d]).astype(np.int64)
        cost = d * int(p.sum())
        if best is None or cost < best[0]:
            best = (cost, d, p)
    return best[1], best[2]


def _bucket(n: int) -> int:
    """The smallest of 2^k, 3 * 2^(k-1) (at least 64) that holds n lanes."""
    size = 64
    while size < n:
        size = size * 3 // 2 if size & (size - 1) == 0 else size * 4 // 3
    return size


def apply(A, B, z, psi, unroll: int | None = None) -> np.ndarray:
    """psi[e] <- U_{K-1} ... U_0 psi[e]; A, B (K, n, n), z (nE,), psi (nE, n, m).

    ``unroll``: Taylor products per loop iteration (default :data:`UNROLL`; see the
    module docstring).  Returns a numpy array."""
    jnp, run = _jax()
    z = np.asarray(z, dtype=float)
    psi = np.asarray(psi, dtype=np.complex128)
    nE, n, m = psi.shape
    if len(A) == 0 or nE == 0:
        return psi.copy()
    degree, p = plan(np.asarray(A), np.asarray(B), float(z.min()), float(z.max()))
    unroll = min(int(UNROLL if unroll is None else unroll), degree)
    idx = np.repeat(np.arange(len(A)), p)
    scale = -1j / p[idx][:, None, None]
    XA, XB = A[idx] * scale, B[idx] * scale
    pad = -len(idx) % CHUNK_STEPS
    XA = np.concatenate([XA, np.zeros((pad, n, n), complex)])
    XB = np.concatenate([XB, np.zeros((pad, n, n), complex)])

    lanes = nE * m
    size = _bucket(lanes)
    zl = np.concatenate([np.tile(z, m), np.full(size - lanes, z[-1])])
    state = np.zeros((n, size), dtype=np.complex128)
    state[:, :lanes] = np.moveaxis(psi, 0, -1).reshape(n, lanes)  # lane = c * nE + e
    state, zl = jnp.asarray(state), jnp.asarray(zl)
    for k0 in range(0, len(XA), CHUNK_STEPS):
        state = run(jnp.asarray(XA[k0:k0 + CHUNK_STEPS]), jnp.asarray(XB[k0:k0 + CHUNK_STEPS]),
                    zl, state, degree, unroll)
    out = np.asarray(state)[:, :lanes].reshape(n, m, nE)
    return np.moveaxis(out, -1, 0)
