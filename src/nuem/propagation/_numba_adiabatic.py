"""The numba kernel of the adiabatic-basis solver (optional extra ``nuem[fast]``).

Imported only through :func:`nuem.propagation._kernels.adiabatic_numba`, which checks
that numba is installed.  It runs the scheme of ``solvers._adiabatic_steps`` fused per
energy and parallel over energies, with two changes of means, not of method:

* The eigenbasis at each node is found by cyclic complex Jacobi rotations on
  G = V0^dagger H(x1) V0, warm-started from the previous node's basis V0, instead of a
  fresh LAPACK ``eigh``.  G is diagonal up to the small step rotation, so the sweeps
  converge quadratically (two to three sweeps), and every rotation angle is at most pi/4,
  so each column stays on the level it came from (diabatic continuation through exact
  crossings, as the greedy overlap assignment of ``solvers._track`` gives; that
  assignment is used as a fallback when a column has lost more than half its weight).
  Jacobi's method for Hermitian matrices: Golub and Van Loan, Matrix Computations, 4th
  ed. (2013), Sec. 8.5; the complex rotation is the real one conjugated by the phase of
  the pivot.  Accuracy: off-diagonal entries are rotated away down to 1e-18 of the largest
  diagonal entry, which is below the rounding of G itself.
* The 6x6 linear solves of the Cayley step are written out (Gaussian elimination with
  partial pivoting), and the Cayley factor is applied to the states only.

Both remove per-step allocations and LAPACK calls, which dominate at 2N <= 6 (measured:
``np.linalg.eigh`` on a 6x6 matrix costs 7.5 us inside numba).  Agreement with the numpy
reference is tested to 1e-10.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Jacobi: off-diagonal entries below this fraction of the largest |diagonal| are left
JACOBI_REL = 1e-18
#: Jacobi: sweeps before giving up (quadratic convergence needs 2-3 from a warm start)
JACOBI_MAX_SWEEPS = 30
#: LLVM may fuse multiply-adds and reorder sums (no assumptions about NaN or infinities)
_FAST = {"contract", "reassoc", "nsz", "arcp"}


@numba.njit(cache=True, fastmath=_FAST)
def _jacobi(G, R):  # pragma: no cover - compiled
    """Diagonalise the Hermitian G in place by cyclic Jacobi rotations, accumulating them
    into R (R <- R J for each rotation J; R is the identity on entry).  Returns the
    number of sweeps."""
    n = G.shape[0]
    scale = 0.0
    for k in range(n):
        if abs(G[k, k].real) > scale:
            scale = abs(G[k, k].real)
    thr2 = (JACOBI_REL * scale) ** 2
    for sweep in range(JACOBI_MAX_SWEEPS):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                g = G[p, q]
                ag2 = g.real * g.real + g.imag * g.imag
                if ag2 <= thr2:
                    continue
                rotated = True
                ag = math.sqrt(ag2)
                a = G[p, p].real
                d = G[q, q].real
                tau = (d - a) / (2.0 * ag)
                t = 1.0 / (abs(tau) + math.sqrt(1.0 + tau * tau))
                if tau < 0.0:
                    t = -t
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = t * c
                # s e^{i phi} = spr + i spi, phi the phase of the pivot
                spr = s * g.real / ag
                spi = s * g.imag / ag
                # columns: G[:, p] <- c G[:, p] - s e^{-i phi} G[:, q]
                #          G[:, q] <- s e^{i phi} G[:, p] + c G[:, q]   (same for R)
                for k in range(n):
                    x = G[k, p]
                    y = G[k, q]
                    G[k, p] = complex(c * x.real - spr * y.real - spi * y.imag,
                                      c * x.imag - spr * y.imag + spi * y.real)
                    G[k, q] = complex(spr * x.real - spi * x.imag + c * y.real,
                                      spr * x.imag + spi * x.real + c * y.imag)
                    x = R[k, p]
                    y = R[k, q]
                    R[k, p] = complex(c * x.real - spr * y.real - spi * y.imag,
                                      c * x.imag - spr * y.imag + spi * y.real)
                    R[k, q] = complex(spr * x.real - spi * x.imag + c * y.real,
                                      spr * x.imag + spi * x.real + c * y.imag)
                for k in range(n):
                    G[p, k] = np.conj(G[k, p])
                    G[q, k] = np.conj(G[k, q])
                G[p, p] = a - t * ag
                G[q, q] = d + t * ag
                G[p, q] = 0.0
                G[q, p] = 0.0
        if not rotated:
            return sweep
    return JACOBI_MAX_SWEEPS


@numba.njit(cache=True, fastmath=_FAST)
def _solve(A, B):  # pragma: no cover - compiled
    """B <- A^{-1} B by Gaussian elimination with partial pivoting (A is destroyed)."""
    n = A.shape[0]
    m = B.shape[1]
    for k in range(n):
        piv = k
        best = abs(A[k, k].real) + abs(A[k, k].imag)
        for r in range(k + 1, n):
            size = abs(A[r, k].real) + abs(A[r, k].imag)
            if size > best:
                best = size
                piv = r
        if piv != k:
            for c in range(n):
                tmp = A[k, c]
                A[k, c] = A[piv, c]
                A[piv, c] = tmp
            for c in range(m):
                tmp = B[k, c]
                B[k, c] = B[piv, c]
                B[piv, c] = tmp
        inv = 1.0 / A[k, k]
        for r in range(k + 1, n):
            f = A[r, k] * inv
            if f != 0.0:
                for c in range(k + 1, n):
                    A[r, c] -= f * A[k, c]
                for c in range(m):
                    B[r, c] -= f * B[k, c]
    for k in range(n - 1, -1, -1):
        inv = 1.0 / A[k, k]
        for c in range(m):
            t = B[k, c]
            for l in range(k + 1, n):
                t -= A[k, l] * B[l, c]
            B[k, c] = t * inv


@numba.njit(cache=True, fastmath=_FAST, inline="always")
def _hf(v, Kp, j, out):  # pragma: no cover - compiled
    """Hellmann-Feynman slopes out[k] = Re(v_k^dagger K'_j v_k) (K'_j = Kp[j]; indexed here,
    not sliced by the caller: a slice of the shared array would touch its reference count
    from every thread)."""
    n = v.shape[0]
    for k in range(n):
        t = 0.0
        for r in range(n):
            acc = 0j
            for c in range(n):
                acc += Kp[j, r, c] * v[c, k]
            t += (np.conj(v[r, k]) * acc).real
        out[k] = t


@numba.njit(cache=True, fastmath=_FAST)
def _cayley_step(O, wf, w1, df, d1, hp, st, Y, A, Ys, full, first, tmp):  # pragma: no cover
    """One adiabatic step on the states st (n, m) in place (``solvers._adiabatic_transfer``):
    phases to the midpoint, the sinc-averaged Cayley kick from the overlap O =
    V(x1)^dagger V(x0), phases to the end.  Returns the largest generator entry |Y|."""
    n = O.shape[0]
    m = st.shape[1]
    # Y = 2 (O - 1)(O + 1)^{-1}: solve (O + 1)^T Z = (O - 1)^T, Y = 2 Z^T
    for r in range(n):
        for c in range(n):
            A[r, c] = O[c, r]
            Y[r, c] = O[c, r]
        A[r, r] += 1.0
        Y[r, r] -= 1.0
    _solve(A, Y)
    rot2 = 0.0
    for k in range(n):
        full[k] = hp * (0.5 * (wf[k] + w1[k]) + hp * (df[k] - d1[k]) / 12.0)
        first[k] = hp * (13.0 / 32.0 * wf[k] + 3.0 / 32.0 * w1[k]
                         + hp * (11.0 * df[k] - 5.0 * d1[k]) / 192.0)
    for r in range(n):
        y = Y[r, r]  # Z^T diagonal = Z diagonal; times 2 (Y) times 1/2 (Ys)
        Ys[r, r] = y
        rot2 = max(rot2, y.real * y.real + y.imag * y.imag)
        for c in range(r + 1, n):
            half = 0.5 * (full[r] - full[c])
            sc = math.sin(half) / half if abs(half) > 1e-8 else 1.0 - half * half / 6.0
            yrc = Y[c, r]  # (Z^T)[r, c]
            ycr = Y[r, c]
            rot2 = max(rot2, yrc.real * yrc.real + yrc.imag * yrc.imag,
                       ycr.real * ycr.real + ycr.imag * ycr.imag)
            Ys[r, c] = yrc * sc
            Ys[c, r] = ycr * sc
    # st <- e^{-i (full - first)} (1 - Ys)^{-1} (1 + Ys) e^{-i first} st
    for r in range(n):
        f = complex(math.cos(first[r]), -math.sin(first[r]))
        for c in range(m):
            st[r, c] *= f
    for r in range(n):
        for c in range(m):
            t = st[r, c]
            for l in range(n):
                t += Ys[r, l] * st[l, c]
            tmp[r, c] = t
        for c in range(n):
            A[r, c] = -Ys[r, c]
        A[r, r] += 1.0
    _solve(A, tmp)
    for r in range(n):
        ph = full[r] - first[r]
        f = complex(math.cos(ph), -math.sin(ph))
        for c in range(m):
            st[r, c] = tmp[r, c] * f
    return 2.0 * math.sqrt(rot2)


@numba.njit(cache=True, fastmath=_FAST, inline="always")
def _mm(A, B, out):  # pragma: no cover - compiled
    """out <- A B (A square n x n, B with n rows)."""
    n = A.shape[0]
    for r in range(n):
        for c in range(B.shape[1]):
            t = 0j
            for l in range(n):
                t += A[r, l] * B[l, c]
            out[r, c] = t


@numba.njit(cache=True, fastmath=_FAST, inline="always")
def _mhm(A, B, out):  # pragma: no cover - compiled
    """out <- A^dagger B (A square n x n, B with n rows)."""
    n = A.shape[0]
    for r in range(n):
        for c in range(B.shape[1]):
            t = 0j
            for l in range(n):
                t += np.conj(A[l, r]) * B[l, c]
            out[r, c] = t


@numba.njit(cache=True, fastmath=_FAST)
def _unitarise(R, S, T):  # pragma: no cover - compiled
    """R <- R (3 - R^dagger R) / 2 in place: one Newton-Schulz step towards the unitary
    polar factor (Higham, Functions of Matrices (SIAM 2008), Eq. 8.20), which removes
    the O(1e-16) non-unitarity that the Jacobi rotations leave, before it can accumulate
    along the path (uncorrected it grows linearly, to 1.4e-12 after 2600 steps)."""
    n = R.shape[0]
    for r in range(n):
        for c in range(r, n):
            t = 0j
            for l in range(n):
                t += np.conj(R[l, r]) * R[l, c]
            S[r, c] = -0.5 * t
            S[c, r] = -0.5 * np.conj(t)
        S[r, r] += 1.5
    _mm(R, S, T)
    R[:, :] = T


@numba.njit(cache=True, fastmath=_FAST)
def _ranks(w, out):  # pragma: no cover - compiled
    """out[k] = position of w[k] in ascending order (ties by index)."""
    n = w.shape[0]
    for k in range(n):
        r = 0
        for l in range(n):
            if w[l] < w[k] or (w[l] == w[k] and l < k):
                r += 1
        out[k] = r


@numba.njit(parallel=True, cache=True, fastmath=_FAST)
def kernel(M, z, K, KL, KR, edges, psi0, rot_out, cross_out, eps_out):  # pragma: no cover
    """See :func:`nuem.propagation._kernels.adiabatic_numba`."""
    nE, n, m = psi0.shape
    N = edges.shape[0] - 1
    diag = rot_out.shape[1] == N
    local = eps_out.shape[1] > 0
    out = np.empty_like(psi0)
    for e in numba.prange(nE):
        ze = z[e]
        H = np.empty((n, n), dtype=np.complex128)
        for r in range(n):
            for c in range(n):
                H[r, c] = M[r, c] * ze + K[0, r, c]
        w0, vv = np.linalg.eigh(H)
        v0 = np.ascontiguousarray(vv)
        d0 = np.empty(n)
        d1 = np.empty(n)
        dn = np.empty(n)
        _hf(v0, KR, 0, d0)
        a = np.empty((n, m), dtype=np.complex128)
        _mhm(v0, psi0[e], a)
        ws = w0.copy()
        ds = d0.copy()
        vs = v0.copy()
        a_s = a.copy()
        rank0 = np.empty(n, dtype=np.int64)
        rank1 = np.empty(n, dtype=np.int64)
        _ranks(w0, rank0)
        perm = np.empty(n, dtype=np.int64)
        ov = np.empty((n, n))
        T = np.empty((n, n), dtype=np.complex128)
        G = np.empty((n, n), dtype=np.complex128)
        R = np.empty((n, n), dtype=np.complex128)
        R2 = np.empty((n, n), dtype=np.complex128)
        v1 = np.empty((n, n), dtype=np.complex128)
        w1 = np.empty(n)
        O = np.empty((n, n), dtype=np.complex128)
        Y = np.empty((n, n), dtype=np.complex128)
        A = np.empty((n, n), dtype=np.complex128)
        Ys = np.empty((n, n), dtype=np.complex128)
        full = np.empty(n)
        first = np.empty(n)
        tmp = np.empty((n, m), dtype=np.complex128)
        one = np.empty((n, m), dtype=np.complex128)
        for i in range(N):
            j = i + 1
            # G = V0^dagger H(x1) V0, Hermitian
            for r in range(n):
                for c in range(n):
                    H[r, c] = M[r, c] * ze + K[j, r, c]
            _mm(H, v0, T)
            for r in range(n):
                for c in range(r, n):
                    t = 0j
                    for l in range(n):
                        t += np.conj(v0[l, r]) * T[l, c]
                    if c == r:
                        G[r, r] = t.real
                    else:
                        G[r, c] = t
                        G[c, r] = np.conj(t)
                for c in range(n):
                    R[r, c] = 1.0 if r == c else 0.0
            _jacobi(G, R)
            # diabatic tracking: identity unless a column lost more than half its weight
            # (then the greedy largest-overlap assignment of solvers._track)
            lost = False
            for c in range(n):
                if abs(R[c, c]) ** 2 < 0.5:
                    lost = True
            if lost:
                for r in range(n):
                    for c in range(n):
                        ov[r, c] = abs(R[r, c])
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
                for c in range(n):
                    w1[c] = G[perm[c], perm[c]].real
                    for r in range(n):
                        R2[r, c] = R[r, perm[c]]
                for r in range(n):
                    for c in range(n):
                        R[r, c] = R2[r, c]
            else:
                for c in range(n):
                    w1[c] = G[c, c].real
            # parallel transport: (V0^dagger V1)_cc = R_cc real and positive
            for c in range(n):
                ph = R[c, c]
                aph = abs(ph)
                f = np.conj(ph) / aph if aph > 1e-300 else 1.0 + 0j
                for r in range(n):
                    R[r, c] *= f
            _unitarise(R, R2, T)
            _mm(v0, R, v1)
            swapped = False
            if diag:
                _ranks(w1, rank1)
                for c in range(n):
                    if rank1[c] != rank0[c]:
                        swapped = True
                    rank0[c] = rank1[c]
            _hf(v1, KL, j, d1)
            _hf(v1, KR, j, dn)
            # pass 0: the step itself, O = V1^dagger V0 = R^dagger
            for r in range(n):
                for c in range(n):
                    O[r, c] = np.conj(R[c, r])
            rot = _cayley_step(O, w0, w1, d0, d1, edges[j] - edges[i], a, Y, A, Ys,
                               full, first, tmp)
            if local and j % 2 == 0:
                # the coarse step at once from the saved state, against the two fine ones
                _mhm(v1, vs, O)
                one[:, :] = a_s
                _cayley_step(O, ws, w1, ds, d1, edges[j] - edges[j - 2], one, Y, A, Ys,
                             full, first, tmp)
                worst = 0.0
                for c in range(m):
                    ovl = 0j
                    for r in range(n):
                        ovl += np.conj(a[r, c]) * one[r, c]
                    aov = abs(ovl)
                    f = ovl / aov if aov > 1e-300 else 1.0 + 0j
                    t2 = 0.0
                    for r in range(n):
                        t2 += abs(one[r, c] - a[r, c] * f) ** 2
                    if t2 > worst:
                        worst = t2
                eps_out[e, j // 2 - 1] = math.sqrt(worst)
            if diag:
                rot_out[e, i] = rot
                cross_out[e, i] = swapped
            for c in range(n):
                w0[c] = w1[c]
                d0[c] = dn[c]
                for r in range(n):
                    v0[r, c] = v1[r, c]
            if local and j % 2 == 0:
                for c in range(n):
                    ws[c] = w0[c]
                    ds[c] = d0[c]
                    for r in range(n):
                        vs[r, c] = v0[r, c]
                for r in range(n):
                    for c in range(m):
                        a_s[r, c] = a[r, c]
        _mm(v0, a, tmp)
        out[e] = tmp
    return out
