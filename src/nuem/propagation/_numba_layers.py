"""The numba lane kernel of the layer and Magnus steps (optional extra ``nuem[fast]``).

Imported only through :func:`nuem.propagation._kernels.apply_numba`.  Each step applies
U_k = exp(X), X = -i (A_k + z B_k), to the propagated columns (one state or the whole
propagator).  The exponential is
the Taylor polynomial of degree 4r (r = 2, 3 or 4) of X / 2^q, squared q times (scaling
and squaring: Higham, SIAM J. Matrix Anal. Appl. 26, 1179 (2005), Sec. 2), with

* **the degree and scaling chosen per step**, the cheapest pair (in matrix products) whose
  truncation bound  sum_{j > 4r} theta^j / j!  with theta = ||X||_1 / 2^q stays below the
  unit roundoff 2^-53, the criterion of Al-Mohy and Higham, SIAM J. Matrix Anal. Appl. 31,
  970 (2009), Sec. 3, here applied to the forward truncation error (U is unitary, so this
  is an error relative to ||U||);
* **Paterson-Stockmeyer evaluation**: with X^2, X^3, X^4 formed once, the polynomial is a
  Horner scheme in X^4 whose coefficients are cubics in X, so degree 4r costs r + 2
  matrix products instead of 4r (Paterson and Stockmeyer, SIAM J. Comput. 2, 60 (1973);
  Higham, Functions of Matrices (SIAM 2008), Sec. 4.2);
* **lanes**: as in :mod:`nuem.propagation._numba_adiabatic`, LANES energies share the step
  (the same A_k, B_k, degree and scaling; the block's largest norm decides), with the
  lane axis last and the arithmetic on lane tuples that LLVM's SLP vectoriser maps onto
  AVX2 registers.

The result agrees with the eigendecomposition of the numpy backend to rounding (tested to
1e-10 on the 6x6 Dirac and Majorana systems).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from nuem.propagation._kernels import taylor_theta
from nuem.propagation._numba_adiabatic import (_FAST, _V, _ZERO, L, _add, _cmac, _ld, _mm,
                                               _mul, _neg, _splat, _st)

#: the Horner lengths r: Taylor degree 4r, evaluated with r + 2 matrix products
HORNER = (2, 3, 4)

#: theta for each entry of HORNER (degree 4r); measured here: 0.070, 0.336, 0.826
THETA = np.array([taylor_theta(4 * r) for r in HORNER])
#: Taylor coefficients 1/j!, j = 0..4 max(HORNER)
COEF = np.array([1.0 / math.factorial(j) for j in range(4 * max(HORNER) + 1)])


@numba.njit(**_V)
def _abs(a):  # pragma: no cover - compiled
    return (abs(a[0]), abs(a[1]), abs(a[2]), abs(a[3]))


@numba.njit(**_V)
def _mm6(Ar, Ai, Br, Bi, Or, Oi):  # pragma: no cover - compiled
    """O <- A B per lane for B with exactly 6 columns: a row of O is accumulated in twelve
    lane tuples (registers), so each entry of A is loaded once per row instead of once
    per entry of O."""
    n = Ar.shape[0]
    for r in range(n):
        s0r, s0i, s1r, s1i, s2r, s2i = _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO
        s3r, s3i, s4r, s4i, s5r, s5i = _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO
        for q in range(n):
            ar, ai = _ld(Ar, r, q), _ld(Ai, r, q)
            s0r, s0i = _cmac(s0r, s0i, ar, ai, _ld(Br, q, 0), _ld(Bi, q, 0))
            s1r, s1i = _cmac(s1r, s1i, ar, ai, _ld(Br, q, 1), _ld(Bi, q, 1))
            s2r, s2i = _cmac(s2r, s2i, ar, ai, _ld(Br, q, 2), _ld(Bi, q, 2))
            s3r, s3i = _cmac(s3r, s3i, ar, ai, _ld(Br, q, 3), _ld(Bi, q, 3))
            s4r, s4i = _cmac(s4r, s4i, ar, ai, _ld(Br, q, 4), _ld(Bi, q, 4))
            s5r, s5i = _cmac(s5r, s5i, ar, ai, _ld(Br, q, 5), _ld(Bi, q, 5))
        _st(Or, r, 0, s0r)
        _st(Oi, r, 0, s0i)
        _st(Or, r, 1, s1r)
        _st(Oi, r, 1, s1i)
        _st(Or, r, 2, s2r)
        _st(Oi, r, 2, s2i)
        _st(Or, r, 3, s3r)
        _st(Oi, r, 3, s3i)
        _st(Or, r, 4, s4r)
        _st(Oi, r, 4, s4i)
        _st(Or, r, 5, s5r)
        _st(Oi, r, 5, s5i)


@numba.njit(cache=True, fastmath=_FAST)
def _prod(Ar, Ai, Br, Bi, Or, Oi):  # pragma: no cover - compiled
    """O <- A B per lane: :func:`_mm6` for six columns, else the general product (compiled
    once, not inlined at each of its calls: that keeps the compile time down)."""
    if Br.shape[1] == 6:
        _mm6(Ar, Ai, Br, Bi, Or, Oi)
    else:
        _mm(Ar, Ai, Br, Bi, Or, Oi)


@numba.njit(**_V)
def _cubic(Sr, Si, w, Xr, Xi, X2r, X2i, X3r, X3i, coef, o, Tr, Ti):  # pragma: no cover
    """T <- w S + c_o I + c_{o+1} X + c_{o+2} X^2 + c_{o+3} X^3 (per lane; c = coef)."""
    n = Xr.shape[0]
    wl = _splat(w)
    c1, c2, c3 = _splat(coef[o + 1]), _splat(coef[o + 2]), _splat(coef[o + 3])
    for r in range(n):
        for c in range(n):
            vr = _add(_add(_mul(wl, _ld(Sr, r, c)), _mul(c1, _ld(Xr, r, c))),
                      _add(_mul(c2, _ld(X2r, r, c)), _mul(c3, _ld(X3r, r, c))))
            vi = _add(_add(_mul(wl, _ld(Si, r, c)), _mul(c1, _ld(Xi, r, c))),
                      _add(_mul(c2, _ld(X2i, r, c)), _mul(c3, _ld(X3i, r, c))))
            if r == c:
                vr = _add(vr, _splat(coef[o]))
            _st(Tr, r, c, vr)
            _st(Ti, r, c, vi)


@numba.njit(cache=True, fastmath=_FAST)
def _block(b, Ar, Ai, Br, Bi, z, theta, coef, pr, pi):  # pragma: no cover - compiled
    """All steps for block b (its LANES energies), in place on pr[b], pi[b]."""
    n = Ar.shape[1]
    m = pr.shape[2]
    f3 = (n, n, L)
    Xr, Xi = np.empty(f3), np.empty(f3)
    X2r, X2i = np.empty(f3), np.empty(f3)
    X3r, X3i = np.empty(f3), np.empty(f3)
    X4r, X4i = np.empty(f3), np.empty(f3)
    Tr, Ti = np.empty(f3), np.empty(f3)
    Sr, Si = np.empty(f3), np.empty(f3)
    Pr, Pi = np.empty((n, m, L)), np.empty((n, m, L))
    Qr, Qi = np.empty((n, m, L)), np.empty((n, m, L))
    Pr[:, :, :] = pr[b]
    Pi[:, :, :] = pi[b]
    zb = (z[b, 0], z[b, 1], z[b, 2], z[b, 3])
    for k in range(Ar.shape[0]):
        # X = -i (A + z B): Re X = Im(A + z B), Im X = -Re(A + z B); its 1-norm per lane
        norm = _ZERO
        for c in range(n):
            col = _ZERO
            for r in range(n):
                hr = _add(_splat(Ar[k, r, c]), _mul(_splat(Br[k, r, c]), zb))
                hi = _add(_splat(Ai[k, r, c]), _mul(_splat(Bi[k, r, c]), zb))
                _st(Xr, r, c, hi)
                _st(Xi, r, c, _neg(hr))
                col = _add(col, _add(_abs(hr), _abs(hi)))
            norm = (max(norm[0], col[0]), max(norm[1], col[1]), max(norm[2], col[2]),
                    max(norm[3], col[3]))
        v = max(max(norm[0], norm[1]), max(norm[2], norm[3]))
        # the cheapest (Horner length, squarings) meeting the truncation bound
        hl, sq, cost = 0, 0, 1 << 30
        for d in range(theta.shape[0]):
            q = 0
            w = v
            while w > theta[d]:
                w *= 0.5
                q += 1
            if d + 4 + q < cost:
                hl, sq, cost = d + 2, q, d + 4 + q
        if sq > 0:
            s = _splat(0.5 ** sq)
            for r in range(n):
                for c in range(n):
                    _st(Xr, r, c, _mul(s, _ld(Xr, r, c)))
                    _st(Xi, r, c, _mul(s, _ld(Xi, r, c)))
        _prod(Xr, Xi, Xr, Xi, X2r, X2i)
        _prod(X2r, X2i, Xr, Xi, X3r, X3i)
        _prod(X2r, X2i, X2r, X2i, X4r, X4i)
        # Horner in X^4: T = c_{4r} X^4 + B_{r-1}, then T <- T X^4 + B_i for i = r-2..0,
        # B_i = sum_{j<4} c_{4i+j} X^j
        _cubic(X4r, X4i, coef[4 * hl], Xr, Xi, X2r, X2i, X3r, X3i, coef, 4 * (hl - 1),
               Tr, Ti)
        for i in range(hl - 2, -1, -1):
            _prod(Tr, Ti, X4r, X4i, Sr, Si)
            _cubic(Sr, Si, 1.0, Xr, Xi, X2r, X2i, X3r, X3i, coef, 4 * i, Tr, Ti)
        for _ in range(sq):
            _prod(Tr, Ti, Tr, Ti, Sr, Si)
            Tr, Sr = Sr, Tr
            Ti, Si = Si, Ti
        _prod(Tr, Ti, Pr, Pi, Qr, Qi)
        Pr, Qr = Qr, Pr
        Pi, Qi = Qi, Pi
    pr[b] = Pr
    pi[b] = Pi


@numba.njit(parallel=True, cache=True)
def kernel(Ar, Ai, Br, Bi, z, theta, coef, pr, pi):  # pragma: no cover - compiled
    """psi <- U_{K-1} ... U_0 psi on blocks of LANES energies, parallel over blocks.

    A, B as real and imaginary parts (K, n, n); z (nB, LANES); psi as real and imaginary
    parts (nB, n, m, LANES), overwritten; theta, coef: :data:`THETA`, :data:`COEF`.
    """
    for b in numba.prange(z.shape[0]):
        _block(b, Ar, Ai, Br, Bi, z, theta, coef, pr, pi)
