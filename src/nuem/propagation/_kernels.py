"""Hot loops of the layer and Magnus solvers, one per backend.

Every step k of a layer or Magnus scheme is the exponential of an exponent that is affine
in z = 1/E,  U_k(E) = exp(-i (A_k + z B_k)),  with A_k, B_k Hermitian (2N x 2N) and
independent of the energy (see :func:`nuem.propagation.solvers.step_generators`).  The
kernels below apply U_k for k = 0..K-1 in order to a batch of states psi[e] (2N x m),
streaming over steps; nothing of size (steps x energies x 2N x 2N) is ever built.

* ``numpy``: batched Hermitian eigendecomposition per step (exact to rounding).
* ``numba`` (optional extra ``nuem[fast]``): the lane kernel of
  :mod:`nuem.propagation._numba_layers`, parallel over blocks of four energies held in
  SIMD lanes: each step's exponential by scaling and squaring of a Taylor polynomial of
  degree 8, 12 or 16 (Paterson-Stockmeyer, truncation below 2^-53), then one product
  with the states.  Agrees with ``numpy`` to rounding (tested to 1e-10).
* ``jax`` (optional extra ``nuem[jax]``): the kernel of :mod:`nuem.propagation._jax_layers`,
  a Taylor series applied to the states (degree and substeps chosen per call from the
  step norms, truncation below 2^-53), ``lax.scan`` over steps with energies and columns
  as parallel lanes; runs unchanged on CPU or GPU in float64.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numpy as np

from nuem._errors import NuemValueError

#: lanes (energies x propagated columns) per call of the jax kernel: a GPU needs >= 1e5
#: in flight; the working set is about (2N)^2 x 16 bytes per lane (150 MB for 6x6)
JAX_LANES = 2 ** 18
#: bound on the Taylor truncation error of one step: the unit roundoff of float64
TRUNCATION = 2.0 ** -53


def taylor_theta(degree: int, tol: float = TRUNCATION) -> float:
    """The largest theta with  theta^(d+1)/(d+1)! / (1 - theta/(d+2)) <= tol  (d the
    degree): this bounds sum_{j>d} theta^j/j!, the truncation error of the degree-d
    Taylor polynomial of exp(X) (and of exp(X) v for ||v|| = 1) for ||X|| <= theta, the
    criterion of Al-Mohy and Higham, SIAM J. Matrix Anal. Appl. 31, 970 (2009), Sec. 3,
    applied to the forward error.  Bisection, to 1e-12 relative."""
    lo, hi = 0.0, 1.0
    d1 = degree + 1

    def bound(t):
        return math.exp(d1 * math.log(t) - math.lgamma(d1 + 1)) / (1.0 - t / (d1 + 1))

    while bound(hi) < tol:
        lo, hi = hi, 2.0 * hi
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if bound(mid) < tol else (lo, mid)
    return lo


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
def apply_numba(A, B, z, psi):
    """As :func:`apply_numpy`, fused and parallel with numba: the lane kernel of
    :mod:`nuem.propagation._numba_layers` (energies in SIMD lanes; each step's exponential
    by scaling and squaring of a Taylor polynomial, then one product)."""
    _optional("numba", "fast")
    from nuem.propagation import _numba_layers as nl

    psi = np.asarray(psi, dtype=np.complex128)
    nE = len(z)
    pr, pi = _parts(_pad_lanes(psi, nl.L))
    with _slp_vectorize():
        nl.kernel(*_parts(A), *_parts(B), _pad_lanes(np.asarray(z, dtype=float), nl.L),
                  nl.THETA, nl.COEF, pr, pi)
    return np.moveaxis(pr + 1j * pi, -1, 1).reshape((-1,) + psi.shape[1:])[:nE]


def _parts(a):
    """Contiguous real and imaginary parts of a (as complex128)."""
    a = np.asarray(a, dtype=np.complex128)
    return np.ascontiguousarray(a.real), np.ascontiguousarray(a.imag)


# --- numba: adiabatic basis ----------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _numba_adiabatic_kernel():
    """Import (compiling on first use, then from numba's cache) the fused adiabatic-basis
    kernel of :mod:`nuem.propagation._numba_adiabatic` (see :func:`adiabatic_numba`);
    returns (kernel, lanes)."""
    _optional("numba", "fast")
    from nuem.propagation import _numba_adiabatic

    return _numba_adiabatic.kernel, _numba_adiabatic.LANES


@contextlib.contextmanager
def _slp_vectorize():
    """Switch on LLVM's SLP vectoriser while the adiabatic kernel is compiled (on its first
    call; later calls load it from numba's cache).  Numba leaves SLP off by default since
    numba PR #8852 (2023), after miscompilations of exp/log under Intel SVML (numba issue
    #8705), so it stays off where numba uses SVML.  The kernel's lane-tuple code needs SLP
    to become AVX2 instructions; its results are tested against the numpy kernel to 1e-10.
    The setting is restored on exit."""
    import numba

    cfg = numba.config
    old = cfg.SLP_VECTORIZE
    cfg.SLP_VECTORIZE = 0 if getattr(cfg, "USING_SVML", False) else 1
    try:
        yield
    finally:
        cfg.SLP_VECTORIZE = old


def _pad_lanes(a: np.ndarray, lanes: int) -> np.ndarray:
    """a (nE, ...) padded to a multiple of ``lanes`` by repeating its last entry, reshaped
    to (blocks, ..., lanes) with the lane axis last and contiguous."""
    pad = -len(a) % lanes
    a = np.concatenate([a, np.repeat(a[-1:], pad, axis=0)])
    a = a.reshape((len(a) // lanes, lanes) + a.shape[1:])
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def adiabatic_numba(M, z, K, KL, KR, edges, psi0, want_diag, local=False):
    """The adiabatic-basis steps of ``solvers._adiabatic_steps`` on ``edges``, fused per
    block of energies (one SIMD lane each) and parallel over blocks with numba (agrees with
    numpy to 1e-10, tested).

    K, KL, KR: K(x) and its left and right derivatives at the nodes (N+1, n, n); z = 1/E.
    Returns (psi_end (nE, n, m), rot, crossing, eps): with ``want_diag`` the largest Cayley
    generator entry of each step and whether the level order changed in it (both (nE, N)),
    else (nE, 1) placeholders; with ``local`` (N even, midpoints interleaved) the local
    error of each coarse step against its two fine steps (nE, N/2), else (nE, 0).
    """
    kernel, lanes = _numba_adiabatic_kernel()
    nE = len(z)
    nP = nE + (-nE % lanes)
    width = len(edges) - 1 if want_diag else 1
    rot = np.zeros((nP, width))
    cross = np.zeros((nP, width), dtype=np.bool_)
    eps = np.zeros((nP, (len(edges) - 1) // 2 if local else 0))
    psi = _pad_lanes(np.asarray(psi0, dtype=np.complex128), lanes)

    same = np.all(KL == KR, axis=(1, 2))
    with _slp_vectorize():
        outr, outi = kernel(*_parts(M), _pad_lanes(np.asarray(z, dtype=float), lanes), *_parts(K),
                            *_parts(KL), *_parts(KR), same,
                            np.ascontiguousarray(edges, dtype=float),
                            np.ascontiguousarray(psi.real), np.ascontiguousarray(psi.imag),
                            rot, cross, eps)
    out = np.moveaxis(outr + 1j * outi, -1, 1).reshape((nP,) + psi.shape[1:3])[:nE]
    return out, rot[:nE], cross[:nE], eps[:nE]


# --- jax ------------------------------------------------------------------------------
def apply_jax(A, B, z, psi):
    """As :func:`apply_numpy` with JAX (jit; scan over steps, energies and columns in
    parallel lanes): the kernel of :mod:`nuem.propagation._jax_layers` (a Taylor series
    applied to the states, its degree and substeps chosen per call from the step norms,
    truncation below 2^-53)."""
    _optional("jax", "jax")
    from nuem.propagation import _jax_layers

    return _jax_layers.apply(A, B, z, psi)


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
