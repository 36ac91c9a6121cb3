"""The numba kernel of the adiabatic-basis solver (optional extra ``nuem[fast]``).

Imported only through :func:`nuem.propagation._kernels.adiabatic_numba`, which checks
that numba is installed and packs the energies into lanes.  It runs the scheme of
``solvers._adiabatic_steps`` fused per block of LANES energies, parallel over blocks, with
three changes of means, not of method:

* **Lanes.** Every per-energy quantity is stored as separate real and imaginary arrays with
  the LANES energies of a block as the last, contiguous axis, and every operation loops
  over that axis innermost.  The LANES energies take the same steps on the same grid, so
  the lane loops have no data-dependent control flow and compile to SIMD instructions
  (4 doubles per AVX2 register).  Data-dependent choices (a Jacobi rotation below
  threshold, a column that changes level) are made per lane by selection, or, where rare
  (the greedy level assignment, a pivot too small for elimination without row exchanges),
  by a scalar fallback on that lane alone.
* **Jacobi bases.** The eigenbasis at each node is found by cyclic complex Jacobi
  rotations on G = V0^dagger H(x1) V0, warm-started from the previous node's basis V0,
  instead of a fresh LAPACK ``eigh``.  G is diagonal up to the small step rotation, so the
  sweeps converge quadratically (two to three sweeps), and every rotation angle is at most
  pi/4, so each column stays on the level it came from (diabatic continuation through
  exact crossings, as the greedy overlap assignment of ``solvers._track`` gives; that
  assignment is the fallback when a column has lost more than half its weight).  Jacobi's
  method for Hermitian matrices: Golub and Van Loan, Matrix Computations, 4th ed. (2013),
  Sec. 8.5; the complex rotation is the real one conjugated by the phase of the pivot.
  Off-diagonal entries are rotated away down to 1e-18 of the largest diagonal entry,
  below the rounding of G itself.  One Newton-Schulz step every few nodes keeps the accumulated
  basis unitary (Higham, Functions of Matrices (SIAM 2008), Eq. 8.20).
* **Written-out solves.** The 6x6 solves of the Cayley step are Gaussian elimination,
  without row exchanges where every pivot is at least half its column's largest entry
  (always, in practice: (O + 1) and (1 - Y/2) are within the step rotation of 2 and of 1
  times the identity), else with partial pivoting on that lane.

These remove the per-step LAPACK calls and allocations, which dominate at 2N <= 6
(measured: ``np.linalg.eigh`` on a 6x6 matrix costs 7.5 us inside numba).  Agreement with
the numpy reference is tested to 1e-10.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: energies per block: one AVX2 register of float64
LANES = 4
#: Jacobi: off-diagonal entries below this fraction of the largest |diagonal| are left
JACOBI_REL = 1e-18
#: Jacobi: sweeps before giving up (quadratic convergence needs 2-3 from a warm start)
JACOBI_MAX_SWEEPS = 30
#: the accumulated basis is re-unitarised (one Newton-Schulz step) every this many nodes:
#: the Jacobi rotations add about 5e-16 of non-unitarity per node
UNITARISE_EVERY = 4
#: elimination without row exchanges while every pivot is at least this fraction of the
#: largest entry below it in its column (else that lane is redone with partial pivoting)
PIVOT_FRACTION = 0.5
#: LLVM may fuse multiply-adds and reorder sums (no assumptions about NaN or infinities)
_FAST = {"contract", "reassoc", "nsz", "arcp"}
L = LANES


# --- lane vectors: 4-tuples of float64, one entry per energy ---------------------------
# Written as tuples (SSA values, never memory) so that LLVM's SLP vectoriser, switched on
# for this module's compilation (see _kernels.adiabatic_numba), can map them onto AVX2
# registers: through arrays it cannot, as it cannot prove that two arrays do not overlap.
_V = {"cache": True, "fastmath": _FAST, "inline": "always"}


@numba.njit(**_V)
def _ld(A, r, c):  # pragma: no cover - compiled
    return (A[r, c, 0], A[r, c, 1], A[r, c, 2], A[r, c, 3])


@numba.njit(**_V)
def _st(A, r, c, v):  # pragma: no cover - compiled
    A[r, c, 0] = v[0]
    A[r, c, 1] = v[1]
    A[r, c, 2] = v[2]
    A[r, c, 3] = v[3]


@numba.njit(**_V)
def _ld1(a, r):  # pragma: no cover - compiled
    return (a[r, 0], a[r, 1], a[r, 2], a[r, 3])


@numba.njit(**_V)
def _st1(a, r, v):  # pragma: no cover - compiled
    a[r, 0] = v[0]
    a[r, 1] = v[1]
    a[r, 2] = v[2]
    a[r, 3] = v[3]


@numba.njit(**_V)
def _add(a, b):  # pragma: no cover - compiled
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


@numba.njit(**_V)
def _sub(a, b):  # pragma: no cover - compiled
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3])


@numba.njit(**_V)
def _mul(a, b):  # pragma: no cover - compiled
    return (a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3])


@numba.njit(**_V)
def _neg(a):  # pragma: no cover - compiled
    return (-a[0], -a[1], -a[2], -a[3])


@numba.njit(**_V)
def _splat(x):  # pragma: no cover - compiled
    return (x, x, x, x)


@numba.njit(**_V)
def _cmac(sr, si, ar, ai, br, bi):  # pragma: no cover - compiled
    """s + a b (complex, per lane)."""
    return (_add(sr, _sub(_mul(ar, br), _mul(ai, bi))),
            _add(si, _add(_mul(ar, bi), _mul(ai, br))))


@numba.njit(**_V)
def _cmsub(sr, si, ar, ai, br, bi):  # pragma: no cover - compiled
    """s - a b (complex, per lane)."""
    return (_sub(sr, _sub(_mul(ar, br), _mul(ai, bi))),
            _sub(si, _add(_mul(ar, bi), _mul(ai, br))))


@numba.njit(**_V)
def _cjmac(sr, si, ar, ai, br, bi):  # pragma: no cover - compiled
    """s + conj(a) b (complex, per lane)."""
    return (_add(sr, _add(_mul(ar, br), _mul(ai, bi))),
            _add(si, _sub(_mul(ar, bi), _mul(ai, br))))


@numba.njit(**_V)
def _cmul(ar, ai, br, bi):  # pragma: no cover - compiled
    return _sub(_mul(ar, br), _mul(ai, bi)), _add(_mul(ar, bi), _mul(ai, br))


_ZERO = (0.0, 0.0, 0.0, 0.0)


# --- lane matrices: (rows, cols, LANES) real and imaginary parts ------------------------
@numba.njit(**_V)
def _mm(Ar, Ai, Br, Bi, Or, Oi):  # pragma: no cover - compiled
    """O <- A B per lane (A n x n, B n x k)."""
    n = Ar.shape[0]
    for r in range(n):
        for c in range(Br.shape[1]):
            sr, si = _ZERO, _ZERO
            for q in range(n):
                sr, si = _cmac(sr, si, _ld(Ar, r, q), _ld(Ai, r, q), _ld(Br, q, c),
                               _ld(Bi, q, c))
            _st(Or, r, c, sr)
            _st(Oi, r, c, si)


@numba.njit(**_V)
def _mhm(Ar, Ai, Br, Bi, Or, Oi):  # pragma: no cover - compiled
    """O <- A^dagger B per lane (A n x n, B n x k)."""
    n = Ar.shape[0]
    for r in range(n):
        for c in range(Br.shape[1]):
            sr, si = _ZERO, _ZERO
            for q in range(n):
                sr, si = _cjmac(sr, si, _ld(Ar, q, r), _ld(Ai, q, r), _ld(Br, q, c),
                                _ld(Bi, q, c))
            _st(Or, r, c, sr)
            _st(Oi, r, c, si)


@numba.njit(**_V)
def _sqrt(a):  # pragma: no cover - compiled
    return (math.sqrt(a[0]), math.sqrt(a[1]), math.sqrt(a[2]), math.sqrt(a[3]))


@numba.njit(**_V)
def _div(a, b):  # pragma: no cover - compiled
    return (a[0] / b[0], a[1] / b[1], a[2] / b[2], a[3] / b[3])


@numba.njit(**_V)
def _jparams(gr, gi, a, d, thr2):  # pragma: no cover - compiled
    """The Jacobi rotation per lane for the pivot g = gr + i gi between the diagonal
    entries a (row p) and d (row q): (c, s e^{i phi} real and imaginary parts, new a,
    new d), the real rotation of Golub and Van Loan (Alg. 8.5.1) conjugated by the phase
    of g; the identity (1, 0, 0, a, d) on a lane where |g|^2 <= thr2."""
    ag2 = _add(_mul(gr, gr), _mul(gi, gi))
    on = (ag2[0] > thr2[0], ag2[1] > thr2[1], ag2[2] > thr2[2], ag2[3] > thr2[3])
    sq = _sqrt(ag2)
    ag = (sq[0] if on[0] else 1.0, sq[1] if on[1] else 1.0, sq[2] if on[2] else 1.0,
          sq[3] if on[3] else 1.0)
    tau = _div(_sub(d, a), _add(ag, ag))
    one = _splat(1.0)
    atau = (abs(tau[0]), abs(tau[1]), abs(tau[2]), abs(tau[3]))
    t = _div(one, _add(atau, _sqrt(_add(one, _mul(tau, tau)))))
    t = (math.copysign(t[0], tau[0]) if on[0] else 0.0,
         math.copysign(t[1], tau[1]) if on[1] else 0.0,
         math.copysign(t[2], tau[2]) if on[2] else 0.0,
         math.copysign(t[3], tau[3]) if on[3] else 0.0)
    c = _div(one, _sqrt(_add(one, _mul(t, t))))
    s = _div(_mul(t, c), ag)
    tag = _mul(t, ag)
    return c, _mul(s, gr), _mul(s, gi), _sub(a, tag), _add(d, tag)


@numba.njit(**_V)
def _rotate(Xr, Xi, k, p, q, c, sr, si):  # pragma: no cover - compiled
    """Columns p, q of row k: X[k, p] <- c X[k, p] - s e^{-i phi} X[k, q],
    X[k, q] <- s e^{i phi} X[k, p] + c X[k, q] (per lane)."""
    xr, xi = _ld(Xr, k, p), _ld(Xi, k, p)
    yr, yi = _ld(Xr, k, q), _ld(Xi, k, q)
    _st(Xr, k, p, _sub(_sub(_mul(c, xr), _mul(sr, yr)), _mul(si, yi)))
    _st(Xi, k, p, _add(_sub(_mul(c, xi), _mul(sr, yi)), _mul(si, yr)))
    _st(Xr, k, q, _add(_sub(_mul(sr, xr), _mul(si, xi)), _mul(c, yr)))
    _st(Xi, k, q, _add(_add(_mul(sr, xi), _mul(si, xr)), _mul(c, yi)))


@numba.njit(cache=True, fastmath=_FAST)
def _jacobi(Gr, Gi, Rr, Ri):  # pragma: no cover - compiled
    """Diagonalise the Hermitian G (per lane) in place by cyclic Jacobi rotations,
    accumulating them into R (R <- R J for each rotation J; R is the identity on entry).
    A lane whose pivot is below threshold takes the identity rotation.  Returns the
    number of sweeps taken by the slowest lane."""
    n = Gr.shape[0]
    scale = _ZERO
    for k in range(n):
        g = _ld(Gr, k, k)
        scale = (max(scale[0], abs(g[0])), max(scale[1], abs(g[1])),
                 max(scale[2], abs(g[2])), max(scale[3], abs(g[3])))
    thr2 = _mul(_mul(scale, scale), _splat(JACOBI_REL * JACOBI_REL))
    for sweep in range(JACOBI_MAX_SWEEPS):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                gr, gi = _ld(Gr, p, q), _ld(Gi, p, q)
                ag2 = _add(_mul(gr, gr), _mul(gi, gi))
                if not (ag2[0] > thr2[0] or ag2[1] > thr2[1] or ag2[2] > thr2[2]
                        or ag2[3] > thr2[3]):
                    continue
                rotated = True
                c, sr, si, newp, newq = _jparams(gr, gi, _ld(Gr, p, p), _ld(Gr, q, q), thr2)
                for k in range(n):
                    _rotate(Gr, Gi, k, p, q, c, sr, si)
                    _rotate(Rr, Ri, k, p, q, c, sr, si)
                for k in range(n):
                    _st(Gr, p, k, _ld(Gr, k, p))
                    _st(Gi, p, k, _neg(_ld(Gi, k, p)))
                    _st(Gr, q, k, _ld(Gr, k, q))
                    _st(Gi, q, k, _neg(_ld(Gi, k, q)))
                _st(Gr, p, p, newp)
                _st(Gr, q, q, newq)
                _st(Gi, p, p, _ZERO)
                _st(Gi, q, q, _ZERO)
                _st(Gr, p, q, _ZERO)
                _st(Gi, p, q, _ZERO)
                _st(Gr, q, p, _ZERO)
                _st(Gi, q, p, _ZERO)
        if not rotated:
            return sweep
    return JACOBI_MAX_SWEEPS


@numba.njit(cache=True, fastmath=_FAST)
def _solve_scalar(A, B):  # pragma: no cover - compiled
    """B <- A^{-1} B by Gaussian elimination with partial pivoting (A is destroyed)."""
    n = A.shape[0]
    m = B.shape[1]
    for k in range(n):
        piv = k
        best = abs(A[k, k])
        for r in range(k + 1, n):
            if abs(A[r, k]) > best:
                best = abs(A[r, k])
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
            for c in range(k + 1, n):
                A[r, c] -= f * A[k, c]
            for c in range(m):
                B[r, c] -= f * B[k, c]
    for k in range(n - 1, -1, -1):
        inv = 1.0 / A[k, k]
        for c in range(m):
            t = B[k, c]
            for q in range(k + 1, n):
                t -= A[k, q] * B[q, c]
            B[k, c] = t * inv


@numba.njit(**_V)
def _pivot(pr, pi, big2, bad):  # pragma: no cover - compiled
    """One lane's 1/pivot (real, imaginary) and whether elimination without row exchanges
    is unsafe there (the pivot below PIVOT_FRACTION of the largest entry under it)."""
    p2 = pr * pr + pi * pi
    ok = p2 > 0.0 and p2 >= PIVOT_FRACTION * PIVOT_FRACTION * big2
    return (pr / p2 if ok else 0.0), (-pi / p2 if ok else 0.0), bad or not ok


@numba.njit(cache=True, fastmath=_FAST)
def _solve(Ar, Ai, Br, Bi, Sr, Si):  # pragma: no cover - compiled
    """B <- A^{-1} B per lane (A n x n is destroyed, B n x m).  Elimination without row
    exchanges; a lane on which a pivot falls below PIVOT_FRACTION of its column's largest
    entry below it is redone from the saved copies (Sr, Si: n x (n + m) x LANES scratch)
    with partial pivoting."""
    n = Ar.shape[0]
    m = Br.shape[1]
    for r in range(n):
        for c in range(n):
            _st(Sr, r, c, _ld(Ar, r, c))
            _st(Si, r, c, _ld(Ai, r, c))
        for c in range(m):
            _st(Sr, r, n + c, _ld(Br, r, c))
            _st(Si, r, n + c, _ld(Bi, r, c))
    b0 = b1 = b2 = b3 = False
    for k in range(n):
        big = _ZERO
        for r in range(k + 1, n):
            xr, xi = _ld(Ar, r, k), _ld(Ai, r, k)
            x2 = _add(_mul(xr, xr), _mul(xi, xi))
            big = (max(big[0], x2[0]), max(big[1], x2[1]), max(big[2], x2[2]),
                   max(big[3], x2[3]))
        pr, pi = _ld(Ar, k, k), _ld(Ai, k, k)
        i0r, i0i, b0 = _pivot(pr[0], pi[0], big[0], b0)
        i1r, i1i, b1 = _pivot(pr[1], pi[1], big[1], b1)
        i2r, i2i, b2 = _pivot(pr[2], pi[2], big[2], b2)
        i3r, i3i, b3 = _pivot(pr[3], pi[3], big[3], b3)
        ir, ii = (i0r, i1r, i2r, i3r), (i0i, i1i, i2i, i3i)
        _st(Ar, k, k, ir)  # 1/pivot on the diagonal, for the back substitution
        _st(Ai, k, k, ii)
        for r in range(k + 1, n):
            fr, fi = _cmul(_ld(Ar, r, k), _ld(Ai, r, k), ir, ii)
            for c in range(k + 1, n):
                xr, xi = _cmsub(_ld(Ar, r, c), _ld(Ai, r, c), fr, fi, _ld(Ar, k, c),
                                _ld(Ai, k, c))
                _st(Ar, r, c, xr)
                _st(Ai, r, c, xi)
            for c in range(m):
                xr, xi = _cmsub(_ld(Br, r, c), _ld(Bi, r, c), fr, fi, _ld(Br, k, c),
                                _ld(Bi, k, c))
                _st(Br, r, c, xr)
                _st(Bi, r, c, xi)
    for k in range(n - 1, -1, -1):
        for c in range(m):
            tr, ti = _ld(Br, k, c), _ld(Bi, k, c)
            for q in range(k + 1, n):
                tr, ti = _cmsub(tr, ti, _ld(Ar, k, q), _ld(Ai, k, q), _ld(Br, q, c),
                                _ld(Bi, q, c))
            tr, ti = _cmul(tr, ti, _ld(Ar, k, k), _ld(Ai, k, k))
            _st(Br, k, c, tr)
            _st(Bi, k, c, ti)
    bad = (b0, b1, b2, b3)
    for l in range(L):
        if bad[l]:
            A = np.empty((n, n), dtype=np.complex128)
            B = np.empty((n, m), dtype=np.complex128)
            for r in range(n):
                for c in range(n):
                    A[r, c] = complex(Sr[r, c, l], Si[r, c, l])
                for c in range(m):
                    B[r, c] = complex(Sr[r, n + c, l], Si[r, n + c, l])
            _solve_scalar(A, B)
            for r in range(n):
                for c in range(m):
                    Br[r, c, l] = B[r, c].real
                    Bi[r, c, l] = B[r, c].imag


@numba.njit(cache=True, fastmath=_FAST)
def _unitarise(Rr, Ri, Sr, Si, Tr, Ti):  # pragma: no cover - compiled
    """R <- R (3 - R^dagger R) / 2 per lane, in place: one Newton-Schulz step towards the
    unitary polar factor (Higham, Functions of Matrices (SIAM 2008), Eq. 8.20), which
    squares the defect.  Applied to the basis every UNITARISE_EVERY nodes, it removes the
    O(1e-16) non-unitarity that the Jacobi rotations leave before it can accumulate along
    the path (uncorrected it grows linearly, to 1.4e-12 after 2600 steps)."""
    n = Rr.shape[0]
    _mhm(Rr, Ri, Rr, Ri, Sr, Si)
    half = _splat(-0.5)
    for r in range(n):
        for c in range(n):
            xr = _mul(half, _ld(Sr, r, c))
            _st(Sr, r, c, _add(xr, _splat(1.5)) if r == c else xr)
            _st(Si, r, c, _mul(half, _ld(Si, r, c)))
    _mm(Rr, Ri, Sr, Si, Tr, Ti)
    Rr[:, :, :] = Tr
    Ri[:, :, :] = Ti


@numba.njit(**_V)
def _hf(vr, vi, Kr, Ki, j, out):  # pragma: no cover - compiled
    """Hellmann-Feynman slopes out[k] = Re(v_k^dagger K'_j v_k) per lane (K'_j = K[j],
    energy-independent and mostly zero: zero entries are skipped)."""
    n = vr.shape[0]
    for k in range(n):
        _st1(out, k, _ZERO)
    for r in range(n):
        for c in range(n):
            kr = Kr[j, r, c]
            ki = Ki[j, r, c]
            if kr == 0.0 and ki == 0.0:
                continue
            K_r, K_i = _splat(kr), _splat(ki)
            for k in range(n):
                # Re(conj(v_r) K_rc v_c)
                xr, xi = _cmul(K_r, K_i, _ld(vr, c, k), _ld(vi, c, k))
                _st1(out, k, _add(_ld1(out, k), _add(_mul(_ld(vr, r, k), xr),
                                                     _mul(_ld(vi, r, k), xi))))


@numba.njit(**_V)
def _sinc_half(a, b):  # pragma: no cover - compiled
    """sin(x)/x at x = (a - b)/2 (one lane)."""
    x = 0.5 * (a - b)
    return math.sin(x) / x if abs(x) > 1e-8 else 1.0 - x * x / 6.0


@numba.njit(**_V)
def _phase(ph):  # pragma: no cover - compiled
    """e^{-i ph} per lane, as (real, imaginary)."""
    return ((math.cos(ph[0]), math.cos(ph[1]), math.cos(ph[2]), math.cos(ph[3])),
            (-math.sin(ph[0]), -math.sin(ph[1]), -math.sin(ph[2]), -math.sin(ph[3])))


@numba.njit(cache=True, fastmath=_FAST)
def _cayley_step(Rr, Ri, wf, w1, df, d1, hp, sr, si, ws, rot):  # pragma: no cover
    """One adiabatic step on the states (sr, si) (n, m, LANES) in place
    (``solvers._adiabatic_transfer``): phases to the midpoint, the sinc-averaged Cayley kick
    from the overlap O = V(x1)^dagger V(x0) = R^dagger (R = V(x0)^dagger V(x1)), phases to
    the end.  Writes the largest generator entry |Y| per lane to rot.  ws: scratch tuple."""
    Ar, Ai, Yr, Yi, Tr, Ti, Sr, Si, full, first = ws
    n = Rr.shape[0]
    m = sr.shape[1]
    # Y = 2 (O - 1)(O + 1)^{-1}: solve (O + 1)^T Z = (O - 1)^T, Y = 2 Z^T; O^T = conj(R)
    one = _splat(1.0)
    for r in range(n):
        for c in range(n):
            xr = _ld(Rr, r, c)
            xi = _neg(_ld(Ri, r, c))
            _st(Ar, r, c, _add(xr, one) if r == c else xr)
            _st(Ai, r, c, xi)
            _st(Yr, r, c, _sub(xr, one) if r == c else xr)
            _st(Yi, r, c, xi)
    _solve(Ar, Ai, Yr, Yi, Sr, Si)
    h = _splat(hp)
    c12 = _splat(hp / 12.0)
    c192 = _splat(hp / 192.0)
    for k in range(n):
        a, b = _ld1(wf, k), _ld1(w1, k)
        da, db = _ld1(df, k), _ld1(d1, k)
        _st1(full, k, _mul(h, _add(_mul(_splat(0.5), _add(a, b)), _mul(c12, _sub(da, db)))))
        _st1(first, k, _mul(h, _add(_add(_mul(_splat(13.0 / 32.0), a),
                                          _mul(_splat(3.0 / 32.0), b)),
                                     _mul(c192, _sub(_mul(_splat(11.0), da),
                                                     _mul(_splat(5.0), db))))))
    # Ys = (Y / 2) sinc(omega h / 2), with Y = 2 Z^T: Ys[r, c] = Z[c, r] sinc; into A
    big = _ZERO
    for r in range(n):
        fr = _ld1(full, r)
        for c in range(n):
            zr, zi = _ld(Yr, c, r), _ld(Yi, c, r)
            z2 = _add(_mul(zr, zr), _mul(zi, zi))
            big = (max(big[0], z2[0]), max(big[1], z2[1]), max(big[2], z2[2]),
                   max(big[3], z2[3]))
            if r != c:
                fc = _ld1(full, c)
                sc = (_sinc_half(fr[0], fc[0]), _sinc_half(fr[1], fc[1]),
                      _sinc_half(fr[2], fc[2]), _sinc_half(fr[3], fc[3]))
                zr, zi = _mul(zr, sc), _mul(zi, sc)
            _st(Ar, r, c, zr)
            _st(Ai, r, c, zi)
    for l in range(L):
        rot[l] = 2.0 * math.sqrt(big[l])
    # st <- e^{-i (full - first)} (1 - Ys)^{-1} (1 + Ys) e^{-i first} st
    for r in range(n):
        er, ei = _phase(_ld1(first, r))
        for c in range(m):
            xr, xi = _cmul(er, ei, _ld(sr, r, c), _ld(si, r, c))
            _st(sr, r, c, xr)
            _st(si, r, c, xi)
    for r in range(n):
        for c in range(m):
            tr, ti = _ld(sr, r, c), _ld(si, r, c)
            for q in range(n):
                tr, ti = _cmac(tr, ti, _ld(Ar, r, q), _ld(Ai, r, q), _ld(sr, q, c),
                               _ld(si, q, c))
            _st(Tr, r, c, tr)
            _st(Ti, r, c, ti)
    for r in range(n):
        for c in range(n):
            xr, xi = _neg(_ld(Ar, r, c)), _neg(_ld(Ai, r, c))
            _st(Ar, r, c, _add(xr, one) if r == c else xr)
            _st(Ai, r, c, xi)
    _solve(Ar, Ai, Tr, Ti, Sr, Si)
    for r in range(n):
        er, ei = _phase(_sub(_ld1(full, r), _ld1(first, r)))
        for c in range(m):
            xr, xi = _cmul(er, ei, _ld(Tr, r, c), _ld(Ti, r, c))
            _st(sr, r, c, xr)
            _st(si, r, c, xi)


@numba.njit(cache=True)
def _assign(Rr, Ri, Gr, w1, l, ov, perm, Tr, Ti):  # pragma: no cover - compiled
    """Greedy largest-overlap level assignment on lane l (``solvers._track``): reorders the
    columns of R and sets w1 from the diagonal of G accordingly."""
    n = Rr.shape[0]
    for r in range(n):
        for c in range(n):
            ov[r, c] = math.hypot(Rr[r, c, l], Ri[r, c, l])
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
        w1[c, l] = Gr[perm[c], perm[c], l]
        for r in range(n):
            Tr[r, c, l] = Rr[r, perm[c], l]
            Ti[r, c, l] = Ri[r, perm[c], l]
    for r in range(n):
        for c in range(n):
            Rr[r, c, l] = Tr[r, c, l]
            Ri[r, c, l] = Ti[r, c, l]


@numba.njit(cache=True)
def _ranks(w, l, out):  # pragma: no cover - compiled
    """out[k] = position of w[k, l] in ascending order (ties by index)."""
    n = w.shape[0]
    for k in range(n):
        r = 0
        for q in range(n):
            if w[q, l] < w[k, l] or (w[q, l] == w[k, l] and q < k):
                r += 1
        out[k] = r


@numba.njit(cache=True, fastmath=_FAST)
def _block(b, Mr, Mi, z, Kr, Ki, KLr, KLi, KRr, KRi, same, edges, p0r, p0i, rot_out,
           cross_out, eps_out, outr, outi):  # pragma: no cover - compiled
    """The adiabatic steps of block b (its LANES energies); see :func:`kernel`."""
    n = Mr.shape[0]
    m = p0r.shape[2]
    N = edges.shape[0] - 1
    diag = rot_out.shape[1] == N
    local = eps_out.shape[1] > 0
    f3 = (n, n, L)
    Tr, Ti = np.empty(f3), np.empty(f3)
    Gr, Gi = np.empty(f3), np.empty(f3)
    Rr, Ri = np.empty(f3), np.empty(f3)
    R2r, R2i = np.empty(f3), np.empty(f3)
    v0r, v0i = np.empty(f3), np.empty(f3)
    v1r, v1i = np.empty(f3), np.empty(f3)
    vsr, vsi = np.empty(f3), np.empty(f3)
    Cr, Ci = np.empty(f3), np.empty(f3)
    Ar, Ai = np.empty(f3), np.empty(f3)
    Yr, Yi = np.empty(f3), np.empty(f3)
    Sr, Si = np.empty((n, n + max(n, m), L)), np.empty((n, n + max(n, m), L))
    Xr, Xi = np.empty((n, max(n, m), L)), np.empty((n, max(n, m), L))
    f2 = (n, L)
    w0, w1, wsv = np.empty(f2), np.empty(f2), np.empty(f2)
    d0, d1, dn, dsv = np.empty(f2), np.empty(f2), np.empty(f2), np.empty(f2)
    full, first = np.empty(f2), np.empty(f2)
    fm = (n, m, L)
    ar, ai = np.empty(fm), np.empty(fm)
    asr, asi = np.empty(fm), np.empty(fm)
    oner, onei = np.empty(fm), np.empty(fm)
    rot = np.empty(L)
    rot2 = np.empty(L)
    rank0 = np.empty((n, L), dtype=np.int64)
    rank1 = np.empty(n, dtype=np.int64)
    perm = np.empty(n, dtype=np.int64)
    ov = np.empty((n, n))
    ws = (Ar, Ai, Yr, Yi, Xr[:, :m], Xi[:, :m], Sr, Si, full, first)
    # the first node: LAPACK per lane
    Hc = np.empty((n, n), dtype=np.complex128)
    for l in range(L):
        for r in range(n):
            for c in range(n):
                Hc[r, c] = complex(Mr[r, c] * z[b, l] + Kr[0, r, c],
                                   Mi[r, c] * z[b, l] + Ki[0, r, c])
        w, vv = np.linalg.eigh(Hc)
        for r in range(n):
            w0[r, l] = w[r]
            for c in range(n):
                v0r[r, c, l] = vv[r, c].real
                v0i[r, c, l] = vv[r, c].imag
        _ranks(w0, l, rank1)
        for r in range(n):
            rank0[r, l] = rank1[r]
    _hf(v0r, v0i, KRr, KRi, 0, d0)
    _mhm(v0r, v0i, p0r[b], p0i[b], ar, ai)
    wsv[:, :] = w0
    dsv[:, :] = d0
    vsr[:, :, :] = v0r
    vsi[:, :, :] = v0i
    asr[:, :, :] = ar
    asi[:, :, :] = ai
    zb = (z[b, 0], z[b, 1], z[b, 2], z[b, 3])
    for i in range(N):
        j = i + 1
        # T = H(x1) V0 with H = M z + K[j] built on the fly
        for r in range(n):
            for c in range(n):
                sr, si = _ZERO, _ZERO
                for q in range(n):
                    hr = _add(_mul(_splat(Mr[r, q]), zb), _splat(Kr[j, r, q]))
                    hi = _add(_mul(_splat(Mi[r, q]), zb), _splat(Ki[j, r, q]))
                    sr, si = _cmac(sr, si, hr, hi, _ld(v0r, q, c), _ld(v0i, q, c))
                _st(Tr, r, c, sr)
                _st(Ti, r, c, si)
        # G = V0^dagger T, Hermitian; R = 1
        for r in range(n):
            for c in range(r, n):
                sr, si = _ZERO, _ZERO
                for q in range(n):
                    sr, si = _cjmac(sr, si, _ld(v0r, q, r), _ld(v0i, q, r),
                                    _ld(Tr, q, c), _ld(Ti, q, c))
                _st(Gr, r, c, sr)
                _st(Gr, c, r, sr)
                _st(Gi, r, c, _ZERO if c == r else si)
                _st(Gi, c, r, _ZERO if c == r else _neg(si))
            for c in range(n):
                _st(Rr, r, c, _splat(1.0) if r == c else _ZERO)
                _st(Ri, r, c, _ZERO)
        _jacobi(Gr, Gi, Rr, Ri)
        # diabatic tracking: the identity unless a column lost more than half its
        # weight (then the greedy largest-overlap assignment of solvers._track)
        for c in range(n):
            for l in range(L):
                w1[c, l] = Gr[c, c, l]
        for l in range(L):
            lost = False
            for c in range(n):
                if Rr[c, c, l] ** 2 + Ri[c, c, l] ** 2 < 0.5:
                    lost = True
            if lost:
                _assign(Rr, Ri, Gr, w1, l, ov, perm, R2r, R2i)
        # parallel transport: (V0^dagger V1)_cc = R_cc real and positive
        for c in range(n):
            pr, pi = _ld(Rr, c, c), _ld(Ri, c, c)
            ap = _add(_mul(pr, pr), _mul(pi, pi))
            ap = (math.sqrt(ap[0]), math.sqrt(ap[1]), math.sqrt(ap[2]), math.sqrt(ap[3]))
            fr = (pr[0] / ap[0] if ap[0] > 1e-300 else 1.0,
                  pr[1] / ap[1] if ap[1] > 1e-300 else 1.0,
                  pr[2] / ap[2] if ap[2] > 1e-300 else 1.0,
                  pr[3] / ap[3] if ap[3] > 1e-300 else 1.0)
            fi = (-pi[0] / ap[0] if ap[0] > 1e-300 else 0.0,
                  -pi[1] / ap[1] if ap[1] > 1e-300 else 0.0,
                  -pi[2] / ap[2] if ap[2] > 1e-300 else 0.0,
                  -pi[3] / ap[3] if ap[3] > 1e-300 else 0.0)
            for r in range(n):
                xr, xi = _cmul(_ld(Rr, r, c), _ld(Ri, r, c), fr, fi)
                _st(Rr, r, c, xr)
                _st(Ri, r, c, xi)
        _mm(v0r, v0i, Rr, Ri, v1r, v1i)
        if j % UNITARISE_EVERY == 0:
            _unitarise(v1r, v1i, R2r, R2i, Tr, Ti)
        if diag:
            for l in range(L):
                _ranks(w1, l, rank1)
                swapped = False
                for c in range(n):
                    if rank1[c] != rank0[c, l]:
                        swapped = True
                    rank0[c, l] = rank1[c]
                cross_out[b * L + l, i] = swapped
        _hf(v1r, v1i, KLr, KLi, j, d1)
        if same[j]:
            dn[:, :] = d1
        else:
            _hf(v1r, v1i, KRr, KRi, j, dn)
        # pass 0: the step itself
        _cayley_step(Rr, Ri, w0, w1, d0, d1, edges[j] - edges[i], ar, ai, ws, rot)
        if diag:
            for l in range(L):
                rot_out[b * L + l, i] = rot[l]
        if local and j % 2 == 0:
            # the coarse step at once from the saved state, against the two fine ones:
            # R = Vs^dagger V1
            _mhm(vsr, vsi, v1r, v1i, Cr, Ci)
            oner[:, :, :] = asr
            onei[:, :, :] = asi
            _cayley_step(Cr, Ci, wsv, w1, dsv, d1, edges[j] - edges[j - 2], oner, onei,
                         ws, rot2)
            for l in range(L):
                worst = 0.0
                for c in range(m):
                    ovr = 0.0
                    ovi = 0.0
                    for r in range(n):
                        ovr += ar[r, c, l] * oner[r, c, l] + ai[r, c, l] * onei[r, c, l]
                        ovi += ar[r, c, l] * onei[r, c, l] - ai[r, c, l] * oner[r, c, l]
                    aov = math.sqrt(ovr * ovr + ovi * ovi)
                    fr = ovr / aov if aov > 1e-300 else 1.0
                    fi = ovi / aov if aov > 1e-300 else 0.0
                    t2 = 0.0
                    for r in range(n):
                        er = oner[r, c, l] - (ar[r, c, l] * fr - ai[r, c, l] * fi)
                        ei = onei[r, c, l] - (ar[r, c, l] * fi + ai[r, c, l] * fr)
                        t2 += er * er + ei * ei
                    worst = max(worst, t2)
                eps_out[b * L + l, j // 2 - 1] = math.sqrt(worst)
        w0[:, :] = w1
        d0[:, :] = dn
        v0r[:, :, :] = v1r
        v0i[:, :, :] = v1i
        if local and j % 2 == 0:
            wsv[:, :] = w0
            dsv[:, :] = d0
            vsr[:, :, :] = v0r
            vsi[:, :, :] = v0i
            asr[:, :, :] = ar
            asi[:, :, :] = ai
    _mm(v0r, v0i, ar, ai, Xr[:, :m], Xi[:, :m])
    outr[b] = Xr[:, :m]
    outi[b] = Xi[:, :m]


@numba.njit(parallel=True, cache=True)
def kernel(Mr, Mi, z, Kr, Ki, KLr, KLi, KRr, KRi, same, edges, p0r, p0i, rot_out,
           cross_out, eps_out):  # pragma: no cover - compiled
    """The adiabatic steps on blocks of LANES energies, parallel over blocks; see
    :func:`nuem.propagation._kernels.adiabatic_numba` (which packs the lanes).

    z (nB, LANES); K, KL, KR as real and imaginary parts (N+1, n, n); same[j]: KL[j] equals
    KR[j]; p0r, p0i (nB, n, m, LANES).  Writes rot_out, cross_out (nB*LANES, N or 1) and
    eps_out (nB*LANES, N/2 or 0); returns psi(end) as (real, imaginary) (nB, n, m, LANES).
    """
    outr = np.empty_like(p0r)
    outi = np.empty_like(p0i)
    for b in numba.prange(z.shape[0]):
        _block(b, Mr, Mi, z, Kr, Ki, KLr, KLi, KRr, KRi, same, edges, p0r, p0i, rot_out,
               cross_out, eps_out, outr, outi)
    return outr, outi
