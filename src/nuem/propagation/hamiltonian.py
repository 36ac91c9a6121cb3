"""Hamiltonian of N flavours x two helicities in matter and a transverse magnetic field.

State ordering (``System.states``), for N flavours drawn from (e, mu, tau):

* Dirac:    nu_{alpha L} (alpha = 1..N), then nu_{alpha R}.  The right-handed states are
  sterile: no matter potential (Fujikawa & Shrock 1980; Lim & Marciano, PRD 37, 1368 (1988)).
* Majorana: nu_alpha (left helicity), then nu-bar_alpha (right helicity).  The moment
  matrix is antisymmetric, so only transition moments connect nu_alpha <-> nu-bar_beta
  (Schechter & Valle, PRD 24, 1883 (1981); Akhmedov, PLB 213, 64 (1988)).

The Hamiltonian is split exactly into an energy-dependent vacuum part and an
energy-independent rest,

    H(x, E) = M / E + K(x),

with, in the flavour basis and eV units (Lim & Marciano 1988, Eq. (3); Akhmedov 1988):

* M = U diag(m_k^2 / 2) U^dagger for the nu_L (Dirac nu_R: the same; Majorana nu-bar:
  U^* diag(m_k^2/2) U^T).  Masses relative to m_1 (an overall constant drops out).
* K = diag(V) + B-field block + twist, with the Wolfenstein potentials
  V_CC = sqrt(2) G_F n_e and V_NC = -G_F n_n / sqrt(2) (neutral matter: the electron and
  proton neutral currents cancel).  nu_{alpha L}: delta_{alpha e} V_CC + V_NC.
  Dirac nu_R: 0.  Majorana nu-bar: -(delta_{alpha e} V_CC + V_NC).
* the transverse field B_perp e^{i phi(x)} couples <R_beta| H |L_alpha> = lambda_{beta alpha}
  B_perp e^{i phi}, lambda being the moment matrix in the flavour basis (mu_B units times
  ``constants.mu_B``).  In the frame co-rotating with the field (psi_L -> e^{-i phi/2} psi_L,
  psi_R -> e^{+i phi/2} psi_R) the phase disappears from the coupling and the diagonal gains
  -phi'/2 on the left-handed (nu) states and +phi'/2 on the right-handed (nu-bar) states
  (Smirnov, PLB 260, 161 (1991); Akhmedov, Petcov & Smirnov, PRD 48, 2167 (1993)).
  Probabilities are the same in both frames.  Our sign: resonance where
  H_LL - H_RR = 0, i.e. for one Dirac flavour V_CC + V_NC - phi' = 0; the opposite sense of
  rotation (phi -> -phi) gives the "V + phi' = 0" of some papers.

All quantities are natural units (eV = 1): lengths in eV^-1, densities in eV^3, fields in
eV^2 (:data:`nuem.units.tesla`), E in eV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nuem import citations, constants, mixing
from nuem._errors import NuemValueError, as_finite_array, require_positive
from nuem.moments import MomentMatrix

FLAVOURS = ("e", "mu", "tau")
#: Hermiticity tolerance for user-supplied matrices (relative to their largest entry)
HERMITIAN_RTOL = 1e-12


class HamiltonianError(NuemValueError):
    """A user-supplied matrix or system specification is not physical."""


def _two_flavour(params: mixing.OscillationParameters) -> tuple[np.ndarray, np.ndarray]:
    s, c = math.sqrt(params.s12sq), math.sqrt(1.0 - params.s12sq)
    return np.array([[c, s], [-s, c]], dtype=complex), np.array([0.0, params.dm2_21])


@dataclass(frozen=True, eq=False)
class System:
    """N flavours (1-3) x two helicities, Dirac or Majorana, with a moment matrix.

    Parameters
    ----------
    flavours : 1, 2 or 3.  One flavour has no vacuum mixing (nu_e only); two flavours use
        (theta_12, Delta m^2_21) of ``params`` unless ``mixing_matrix``/``mass_squared`` are
        given; three use the PMNS matrix of ``params`` (NuFIT 6.0 NO by default).
    majorana : Majorana (nu <-> nu-bar) instead of Dirac (nu_L <-> nu_R).
    moments : the moment matrix in mu_B.  A :class:`~nuem.moments.MomentMatrix` (3 flavours,
        mass basis), an (N, N) array in the flavour basis (Dirac: any; Majorana: must be
        antisymmetric), or a number: Dirac -> mu * identity; Majorana -> mu on every
        off-diagonal pair (lambda_{ab} = mu, lambda_{ba} = -mu for a < b).
    mixing_matrix, mass_squared : override U (N x N unitary) and m_k^2 [eV^2].
    extra : an extra energy-independent Hermitian term, an (2N, 2N) array [eV] or a
        callable x -> (..., 2N, 2N), added to K(x) (non-standard interactions, tests).
    """

    flavours: int = 3
    majorana: bool = False
    moments: object = 0.0
    params: mixing.OscillationParameters | None = None
    mixing_matrix: np.ndarray | None = None
    mass_squared: np.ndarray | None = None
    extra: object = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.flavours not in (1, 2, 3):
            raise HamiltonianError(f"flavours={self.flavours!r} must be 1, 2 or 3")
        citations.register("LimMarciano1988")
        if self.majorana:
            citations.register("Akhmedov1988")
        N = self.flavours
        p = self.params if self.params is not None else mixing.nufit()
        if self.mixing_matrix is not None or self.mass_squared is not None:
            if self.mixing_matrix is None or self.mass_squared is None:
                raise HamiltonianError("give both mixing_matrix and mass_squared, or neither")
            U = np.asarray(self.mixing_matrix, dtype=complex)
            m2 = as_finite_array("mass_squared", self.mass_squared)
            if U.shape != (N, N) or m2.shape != (N,):
                raise HamiltonianError(f"mixing_matrix must be {N}x{N} and mass_squared have "
                                       f"{N} entries, got {U.shape} and {m2.shape}")
            if np.abs(U.conj().T @ U - np.eye(N)).max() > 1e-10:
                raise HamiltonianError("mixing_matrix is not unitary (U^dagger U != 1 to 1e-10)")
        elif N == 3:
            U = p.pmns()
            m2 = np.array([0.0, p.dm2_21, p.dm2_3l + (p.dm2_21 if p.dm2_3l < 0 else 0.0)])
        elif N == 2:
            U, m2 = _two_flavour(p)
        else:
            U, m2 = np.eye(1, dtype=complex), np.zeros(1)
        self._cache["U"] = U
        self._cache["m2"] = m2
        self._cache["lam"] = self._flavour_moments(U)
        if self.extra is not None and not callable(self.extra):
            check_hermitian("extra", np.asarray(self.extra, dtype=complex), (2 * N, 2 * N))

    # -- structure ------------------------------------------------------------
    @property
    def n(self) -> int:
        """Dimension 2N of the Hamiltonian."""
        return 2 * self.flavours

    @property
    def states(self) -> list[str]:
        """Labels of the basis states, e.g. ``nu_e_L`` ... ``nu_e_R`` or ``nu_e`` ... ``nubar_e``."""
        fl = FLAVOURS[: self.flavours]
        if self.majorana:
            return [f"nu_{a}" for a in fl] + [f"nubar_{a}" for a in fl]
        return [f"nu_{a}_L" for a in fl] + [f"nu_{a}_R" for a in fl]

    def index(self, state: str) -> int:
        """Position of ``state`` (one of :attr:`states`)."""
        if state not in self.states:
            raise NuemValueError(f"state={state!r} is not one of {', '.join(self.states)}")
        return self.states.index(state)

    @property
    def moment_matrix(self) -> np.ndarray:
        """lambda in the flavour basis [mu_B]: <R_b|H|L_a> = lambda[b, a] mu_B B_perp."""
        return self._cache["lam"]

    def _flavour_moments(self, U: np.ndarray) -> np.ndarray:
        N = self.flavours
        mom = self.moments
        if isinstance(mom, MomentMatrix):
            if N != 3:
                raise HamiltonianError("a MomentMatrix is 3x3; use flavours=3 or pass an "
                                       f"({N},{N}) flavour-basis array")
            if (mom.kind == "majorana") != self.majorana:
                raise HamiltonianError(f"moments are {mom.kind} but majorana={self.majorana}")
            lam = mom.flavour_basis(self.params)
        elif np.ndim(mom) == 0:
            mu = float(as_finite_array("moments", mom))
            if self.majorana:
                lam = mu * (np.triu(np.ones((N, N)), 1) - np.tril(np.ones((N, N)), -1))
            else:
                lam = mu * np.eye(N)
        else:
            lam = np.asarray(mom, dtype=complex)
            if lam.shape != (N, N):
                raise HamiltonianError(f"moments must be a number or a {N}x{N} matrix, "
                                       f"got shape {lam.shape}")
        lam = np.asarray(lam, dtype=complex)
        if not np.all(np.isfinite(lam)):
            raise HamiltonianError("moments has NaN or infinite entries")
        if self.majorana:
            scale = max(float(np.abs(lam).max()), 1e-300)
            if np.abs(lam + lam.T).max() > 1e-12 * scale:
                raise HamiltonianError(
                    "a Majorana moment matrix must be antisymmetric (lambda^T = -lambda); "
                    f"the symmetric part is {np.abs(lam + lam.T).max():.3g} mu_B")
        return lam

    # -- the two pieces ---------------------------------------------------------
    def vacuum(self) -> np.ndarray:
        """M [eV^2] with H_vac = M / E; (2N, 2N), block diagonal (see module docstring)."""
        U, m2 = self._cache["U"], self._cache["m2"]
        N = self.flavours
        m = U @ np.diag(m2 / 2.0) @ U.conj().T
        out = np.zeros((2 * N, 2 * N), dtype=complex)
        out[:N, :N] = m
        out[N:, N:] = m.conj() if self.majorana else m
        return out

    def mass_basis(self) -> np.ndarray:
        """Unitary W with M = W diag(m^2/2) W^dagger (the vacuum eigenbasis), (2N, 2N)."""
        U = self._cache["U"]
        N = self.flavours
        W = np.zeros((2 * N, 2 * N), dtype=complex)
        W[:N, :N] = U
        W[N:, N:] = U.conj() if self.majorana else U
        return W

    def potential(self, n_e, n_n) -> np.ndarray:
        """Diagonal matter potentials [eV], shape (..., 2N), for n_e, n_n [eV^3]."""
        n_e, n_n = np.asarray(n_e, dtype=float), np.asarray(n_n, dtype=float)
        citations.register("Wolfenstein1978")
        N = self.flavours
        vcc = math.sqrt(2.0) * constants.G_F * n_e
        vnc = -constants.G_F * n_n / math.sqrt(2.0)
        shape = np.broadcast(n_e, n_n).shape
        v = np.zeros(shape + (2 * N,))
        v[..., :N] = vnc[..., None]
        v[..., 0] += vcc
        if self.majorana:
            v[..., N:] = -v[..., :N]
        return v

    def k_matrix(self, n_e, n_n, b_perp, twist, x=None) -> np.ndarray:
        """K(x) [eV], shape (..., 2N, 2N), from n_e, n_n [eV^3], B_perp [eV^2], phi' [eV].

        ``x`` is passed to a callable ``extra``.
        """
        N = self.flavours
        v = self.potential(n_e, n_n)
        b = np.asarray(b_perp, dtype=float)
        tw = np.asarray(twist, dtype=float)
        shape = np.broadcast_shapes(v.shape[:-1], b.shape, tw.shape)
        K = np.zeros(shape + (2 * N, 2 * N), dtype=complex)
        idx = np.arange(2 * N)
        K[..., idx, idx] = v
        if np.any(tw != 0):
            citations.register("Smirnov1991")
        K[..., idx[:N], idx[:N]] -= 0.5 * tw[..., None]
        K[..., idx[N:], idx[N:]] += 0.5 * tw[..., None]
        if np.any(self.moment_matrix != 0):
            citations.register("Akhmedov1988")
            blk = self.moment_matrix * constants.mu_B
            off = b[..., None, None] * blk
            K[..., N:, :N] += off
            K[..., :N, N:] += np.conj(np.swapaxes(off, -1, -2))
        if self.extra is not None:
            ex = self.extra(x) if callable(self.extra) else self.extra
            ex = np.asarray(ex, dtype=complex)
            check_hermitian("extra", ex, (2 * N, 2 * N))
            K = K + ex
        return K

    def hamiltonian(self, E, n_e=0.0, n_n=0.0, b_perp=0.0, twist=0.0) -> np.ndarray:
        """The full H = M/E + K [eV], shape (..., 2N, 2N), broadcasting E with the medium."""
        E = require_positive("E", E, "eV")
        K = self.k_matrix(n_e, n_n, b_perp, twist)
        return self.vacuum() / E[..., None, None] + K


def check_hermitian(name: str, H: np.ndarray, shape: tuple[int, int] | None = None) -> None:
    """Raise :class:`HamiltonianError` unless ``H`` is finite and Hermitian (last two axes)."""
    if shape is not None and H.shape[-2:] != shape:
        raise HamiltonianError(f"{name} must have trailing shape {shape}, got {H.shape}")
    if not np.all(np.isfinite(H)):
        raise HamiltonianError(f"{name} has NaN or infinite entries")
    scale = max(float(np.abs(H).max()), 1e-300)
    dev = float(np.abs(H - np.conj(np.swapaxes(H, -1, -2))).max())
    if dev > HERMITIAN_RTOL * scale:
        raise HamiltonianError(f"{name} is not Hermitian: max |H - H^dagger| = {dev:.3g} eV "
                               f"(largest entry {scale:.3g} eV, tolerance {HERMITIAN_RTOL:g} relative)")
