"""Upscattering nu + X -> N + X by photon exchange (nuem.portal.upscatter).

Independent references: explicit 4x4 Dirac-matrix traces of the spin-summed amplitude
(written out here, not taken from the code); Vogel & Engel, PRD 39, 3378 (1989) for the
m_N -> 0 electron limit alpha mu^2 (1/T - 1/E) with mu = 2 d (the seminar's mu); the
two-body lab kinematics solved numerically here; scipy.quad for the total cross section.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from nuem._errors import NuemValueError
from nuem.interactions import electron
from nuem.portal import upscatter as up
from nuem.units import GeV, MeV, keV

# ---- Dirac matrices (Dirac representation) for the explicit traces ---------------------
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_PAULI = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [
    np.block([[_Z2, s], [-s, _Z2]]).astype(complex) for s in _PAULI]
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_ETA = np.diag([1.0, -1.0, -1.0, -1.0])
_PL, _PR = (np.eye(4) - _G5) / 2, (np.eye(4) + _G5) / 2


def _slash(p):
    return sum(_ETA[m, m] * p[m] * _G[m] for m in range(4))


def _sigma(m, n):
    return 0.5j * (_G[m] @ _G[n] - _G[n] @ _G[m])


def _bar(A):
    return _G[0] @ A.conj().T @ _G[0]


def _lab_kinematics(E, m, M, cth):
    """k1..k4 for nu(E) + X(M, at rest) -> N(m) at lab angle acos(cth) + X."""
    def f(p3):
        e3 = math.sqrt(p3**2 + m**2)
        p4 = np.array([0, 0, E]) - p3 * np.array([math.sqrt(1 - cth**2), 0, cth])
        return E + M - e3 - math.sqrt(M**2 + p4 @ p4)
    p3 = optimize.brentq(f, 1e-14 * E, E)
    k1 = np.array([E, 0, 0, E])
    k2 = np.array([M, 0, 0, 0])
    k3 = np.array([math.sqrt(p3**2 + m**2), p3 * math.sqrt(1 - cth**2), 0, p3 * cth])
    return k1, k2, k3, k1 + k2 - k3


def _trace_LW(E, m, M, cth, F1, F2, spin0=False):
    k1, k2, k3, k4 = _lab_kinematics(E, m, M, cth)
    q = k1 - k3
    ql = _ETA @ q
    lep = [sum(_sigma(mu, nu) * ql[nu] for nu in range(4)) for mu in range(4)]
    if spin0:
        K = _ETA @ (k2 + k4)
        A = sum(lep[mu] * K[mu] for mu in range(4))
        L = np.trace((_slash(k3) + m * np.eye(4)) @ A @ _PL @ _slash(k1) @ _PR @ _bar(A))
        return L.real * F1**2, -(q @ _ETA @ q)
    had = [F1 * _G[mu] + 1j * F2 / (2 * M) * sum(_sigma(mu, nu) * ql[nu] for nu in range(4))
           for mu in range(4)]
    tot = 0.0
    for mu in range(4):
        for a in range(4):
            L = np.trace((_slash(k3) + m * np.eye(4)) @ lep[mu] @ _PL @ _slash(k1) @ _PR
                         @ _bar(lep[a]))
            W = 0.5 * np.trace((_slash(k4) + M * np.eye(4)) @ had[mu] @ (_slash(k2) + M * np.eye(4))
                               @ _bar(had[a]))
            tot += _ETA[mu, mu] * _ETA[a, a] * (L * W).real
    return tot, -(q @ _ETA @ q)


@pytest.mark.parametrize("cth", [0.99999, 0.9, 0.3, -0.5])
def test_contraction_equals_explicit_dirac_traces(cth):
    # electron (F1 = 1, F2 = 0), a proton-like target (F1, F2 constants) and a spin-0 one
    E, m = 2.0, 0.3  # any units: the check is algebraic
    t = up.Target("x", 1.1, 1, 1, "electron")
    ref, Q2 = _trace_LW(E, m, t.M, cth, 1.0, 0.0)
    assert float(up.contraction(E, Q2, m, t)) == pytest.approx(ref, rel=1e-9, abs=0)
    tp = up.Target("proton", 0.94, 1, 1, "nucleon")
    f1, f2 = 0.7, 1.9
    ref, Q2 = _trace_LW(E, m, tp.M, cth, f1, f2)
    got = up.contraction(E, Q2, m, tp, form_factor=lambda q2: (f1, f2))
    assert float(got) == pytest.approx(ref, rel=1e-9, abs=0)
    tn = up.Target("n", 11.2, 6, 12, "nucleus")
    ref, Q2 = _trace_LW(E, m, tn.M, cth, 6.0, 0.0, spin0=True)
    got = up.contraction(E, Q2, m, tn, form_factor=lambda q2: 1.0)
    assert float(got) == pytest.approx(ref, rel=1e-9, abs=0)


@pytest.mark.parametrize("E_keV,T_keV", [(420.0, 10.0), (862.0, 1.0), (10_000.0, 300.0)])
def test_electron_limit_mN_to_zero_is_the_magnetic_moment_cross_section(E_keV, T_keV):
    # Vogel & Engel 1989: alpha mu^2 (1/T - 1/E), mu = 2 d (the seminar's mu_nu)
    d = 1e-19  # eV^-1 (any value)
    E, T = E_keV * keV, T_keV * keV
    mu_muB = 2.0 * d / (math.sqrt(4 * math.pi / 137.035999) / (2 * 510998.95))
    ref = float(electron.dsigma_dT_magnetic(E, T, mu_muB))
    got = float(up.dsigma_dT(E, T, 1e-3, d, "electron"))  # m_N = 1 meV
    assert got == pytest.approx(ref, rel=1e-6, abs=0)


def test_electron_cross_section_vanishes_at_threshold():
    m = 1.0 * MeV
    th = float(up.e_threshold(m, up.target("electron").M))
    me = up.target("electron").M
    assert th == pytest.approx(m + m**2 / (2 * me), rel=1e-15, abs=0)
    # two-body phase space: sigma ~ p_final ~ sqrt(E - E_th) just above threshold
    s6, s4 = (float(up.sigma(th * (1 + x), m, 1e-9, "electron")) for x in (1e-8, 1e-6))
    assert s6 / s4 == pytest.approx(0.1, rel=1e-3, abs=0)
    assert float(up.sigma(th, m, 1e-9, "electron", below_threshold="zero")) == 0.0
    assert float(up.sigma(0.5 * th, m, 1e-9, "electron", below_threshold="zero")) == 0.0
    with pytest.raises(NuemValueError, match="threshold"):
        up.sigma(0.5 * th, m, 1e-9, "electron")


@pytest.mark.parametrize("tgt", ["electron", "proton", "carbon"])
@pytest.mark.parametrize("m_over_E", [0.01, 0.3, 0.9])
def test_recoil_range_against_lab_frame_kinematics(tgt, m_over_E):
    M = up.target(tgt).M
    E = 1.0 * GeV if tgt != "electron" else 50 * MeV
    m = m_over_E * E
    if E <= float(up.e_threshold(m, M)):
        pytest.skip("below threshold")
    lo, hi = up.t_range(E, m, tgt)
    # brute force over lab angles: T = E + M - E_3 - M
    Ts = []
    for cth in np.linspace(-1, 1, 4001):
        try:
            k = _lab_kinematics(E, m, M, cth)
        except ValueError:
            continue
        Ts.append(k[3][0] - M)
    assert min(Ts) == pytest.approx(float(lo), rel=2e-3, abs=0)
    # T_max from the closed forms: backward N in the CM frame
    s = M**2 + 2 * E * M
    p = (s - M**2) / (2 * math.sqrt(s))
    lam = (s - m**2 - M**2) ** 2 - 4 * m**2 * M**2
    e3, p3 = (s + m**2 - M**2) / (2 * math.sqrt(s)), math.sqrt(lam) / (2 * math.sqrt(s))
    assert float(hi) == pytest.approx((2 * p * (e3 + p3) - m**2) / (2 * M), rel=1e-12, abs=0)
    assert max(Ts) <= float(hi) * (1 + 1e-9)
    # e_min inverts the range: at E = e_min(T) the recoil T is an endpoint
    for T in (float(lo) * 1.5, float(hi) * 0.5):
        Em = float(up.e_min(T, m, tgt))
        l2, h2 = up.t_range(Em, m, tgt)
        assert min(abs(T / float(l2) - 1), abs(T / float(h2) - 1)) < 1e-6


def test_massless_recoil_limit_equals_nuem_t_max():
    E = 1 * MeV
    _, hi = up.t_range(E, 1e-6, "electron")
    assert float(hi) == pytest.approx(float(electron.t_max(E)), rel=1e-9, abs=0)


@pytest.mark.parametrize("tgt,E_GeV,m_GeV", [("electron", 0.05, 0.005), ("proton", 1.0, 0.2),
                                            ("argon", 1.0, 0.1), ("xenon", 0.05, 0.01)])
def test_total_cross_section_against_quad(tgt, E_GeV, m_GeV):
    E, m, d = E_GeV * GeV, m_GeV * GeV, 1e-6 / GeV
    lo, hi = up.q2_range(E, m, tgt)

    def f(x):
        return float(up.dsigma_dQ2(E, math.exp(x), m, d, tgt, outside="zero")) * math.exp(x)
    cuts = np.linspace(math.log(lo), math.log(hi), 201)  # Helm zeros: integrate piecewise
    ref = sum(integrate.quad(f, a, b, epsrel=1e-11, epsabs=0)[0]
              for a, b in zip(cuts[:-1], cuts[1:]))
    assert float(up.sigma(E, m, d, tgt)) == pytest.approx(ref, rel=1e-6, abs=0)


def test_arrays_broadcast_and_bad_input():
    E = np.array([0.5, 1.0, 5.0]) * GeV
    s = up.sigma(E, 0.1 * GeV, 1e-6 / GeV, "argon")
    assert s.shape == (3,) and np.all(np.diff(s) > 0)
    with pytest.raises(NuemValueError, match="target"):
        up.sigma(1 * GeV, 0.1 * GeV, 1.0, "lead")
    with pytest.raises(NuemValueError, match="m_N"):
        up.sigma(1 * GeV, 0.0, 1.0, "argon")
    with pytest.raises(NuemValueError, match="d"):
        up.sigma(1 * GeV, 0.1 * GeV, -1.0, "argon")
    with pytest.raises(NuemValueError):
        up.sigma(float("nan"), 0.1 * GeV, 1.0, "argon")


@pytest.mark.parametrize("tgt", ["electron", "proton", "argon"])
def test_sigma_broadcasts_in_E_m_N_and_d_like_the_scalar_loop(tgt):
    # a grid of (E, m_N, d) against the loop of scalar calls; on the electron most of the
    # grid is below threshold (E_th = m + m^2/2m_e), where "zero" gives 0 element by element
    E = np.array([0.5, 1.0, 5.0, 30.0])[:, None] * GeV
    m = np.array([0.01, 0.1, 0.3]) * GeV
    d = np.array([1e-6, 2e-6, 5e-7])[None, :] / GeV
    grid = up.sigma(E, m, d, tgt, below_threshold="zero")
    assert grid.shape == (4, 3)
    loop = np.array([[float(up.sigma(E[i, 0], m[j], d[0, j], tgt, below_threshold="zero"))
                      for j in range(3)] for i in range(4)])
    np.testing.assert_allclose(grid, loop, rtol=1e-14, atol=0)
    assert np.any(loop > 0)
    over = up.sigma_over_d2(E, m, tgt)
    ref = np.array([[float(up.sigma_over_d2(E[i, 0], m[j], tgt)) for j in range(3)]
                    for i in range(4)])
    np.testing.assert_allclose(over, ref, rtol=1e-14, atol=0)


def test_sigma_vector_m_N_below_threshold_per_element():
    # argon at E = 1 GeV: E_th = m + m^2/(2 M_Ar) > 1 GeV for m_N = 2 and 3 GeV
    m = np.array([0.1, 2.0, 3.0]) * GeV
    got = up.sigma(1.0 * GeV, m, 1e-6 / GeV, "argon", below_threshold="zero")
    assert got[0] == float(up.sigma(1.0 * GeV, m[0], 1e-6 / GeV, "argon"))
    assert got[0] > 0 and got[1] == 0.0 and got[2] == 0.0
    with pytest.raises(NuemValueError, match=r"E=1e\+09 eV is below .* of m_N=2e\+09 eV"):
        up.sigma(1.0 * GeV, m, 1e-6 / GeV, "argon")
    with pytest.raises(NuemValueError, match="m_N"):
        up.sigma(1.0 * GeV, np.array([0.1, -0.2]) * GeV, 1e-6 / GeV, "argon")


def test_dsigma_dQ2_broadcasts_in_m_N_like_the_scalar_loop():
    m = np.array([0.01, 0.1, 0.3]) * GeV
    Q2 = np.array([1e-3, 1e-2])[:, None] * GeV**2
    grid = up.dsigma_dQ2(1.0 * GeV, Q2, m, 1e-6 / GeV, "carbon", outside="zero")
    loop = np.array([[float(up.dsigma_dQ2(1.0 * GeV, q, mm, 1e-6 / GeV, "carbon",
                                          outside="zero")) for mm in m] for q in Q2[:, 0]])
    np.testing.assert_allclose(grid, loop, rtol=1e-14, atol=0)
    assert np.any(loop == 0) and np.any(loop > 0)  # Q^2 = 1e-3 GeV^2 < Q^2_min at 0.3 GeV
