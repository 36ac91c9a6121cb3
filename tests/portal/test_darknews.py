"""Cross-check against DarkNews 0.4.8 (Abdullahi et al., arXiv:2207.04137), an
independent implementation.  Optional: ``pip install nuem[crosscheck]``.

How DarkNews is called: ``DarkNews.decay_rates.gamma_Ni_to_Nj_gamma(vertex_ij, mi, mj,
HNLtype)`` for the width; for upscattering a ``GenericHNLModel(mu_tr_mu4=mu_tr, m4=m_N,
HNLtype="dirac")`` and ``processes.UpscatteringProcess(nu_projectile=numu,
nu_upscattered=neutrino4, nuclear_target=NuclearTarget("C12"|"Ar40"),
scattering_regime="coherent"|"p-el", helicity="conserving"|"flipping")``; the total
cross section is DarkNews's ``diff_xsec_Q2`` (cm^2/GeV^2, times the target multiplicity)
summed over both helicities and integrated by Gauss-Legendre in ln Q^2 (deterministic; its
VEGAS ``total_xsec`` gives the same within its Monte Carlo error).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nuem.portal import decay, upscatter as up
from nuem.units import GeV, cm

DarkNews = pytest.importorskip("DarkNews")
from DarkNews import decay_rates, model as dn_model, nuclear_tools, pdg, processes  # noqa: E402

MASSES_GEV = [1e-4, 0.01, 0.1, 0.5, 2.0]
D = 1e-6  # GeV^-1, internal (Magill) convention


@pytest.mark.parametrize("hnl", ["dirac", "majorana"])
def test_width_is_twice_darknews_at_t_equal_d(hnl):
    """DarkNews's width for vertex t_aj = d (its own mapping, 'dipole = t_aj = mu_tr/2') is
    exactly half of Magill's printed d^2 m^3/(4 pi) (Dirac) and of ours; with
    t_aj = sqrt(2) d the two agree to 1e-10.  The factor is DarkNews's (its upscattering
    matches ours at t_aj = d, see below); nuem's width is the Lagrangian's."""
    for m in MASSES_GEV:
        ours = float(decay.width(m * GeV, (D / GeV) ** 2, majorana=hnl == "majorana")) / GeV
        dn_t = decay_rates.gamma_Ni_to_Nj_gamma(D, m, 0.0, HNLtype=hnl)
        assert ours / dn_t == pytest.approx(2.0, rel=1e-10, abs=0)
        dn_w = decay_rates.gamma_Ni_to_Nj_gamma(math.sqrt(2.0) * D, m, 0.0, HNLtype=hnl)
        assert ours == pytest.approx(dn_w, rel=1e-10, abs=0)


def test_darknews_width_is_not_self_consistent():
    """Why the factor 2 above is DarkNews's and not a convention: DarkNews 0.4.8's own
    angular distribution ``diff_gamma_Ni_to_Nj_gamma`` integrated over cos(theta) gives
    its Dirac total but only half of its Majorana total, and the Dirac total is half of
    the explicit-trace width (tests/portal/test_model_decay.py) at its own mapping
    t_aj = d, at which its upscattering equals ours (below).  No single mapping of d
    makes DarkNews's width, its decay distribution and its cross sections agree with one
    Lagrangian."""
    x, w = np.polynomial.legendre.leggauss(8)  # the integrands are linear in cos(theta)
    for m in MASSES_GEV:
        for hnl, ratio in (("dirac", 1.0), ("majorana", 0.5)):
            integral = sum(wi * decay_rates.diff_gamma_Ni_to_Nj_gamma(
                np.array([xi]), D, m, 0.0, HNLtype=hnl)[0] for xi, wi in zip(x, w))
            total = decay_rates.gamma_Ni_to_Nj_gamma(D, m, 0.0, HNLtype=hnl)
            assert integral / total == pytest.approx(ratio, rel=1e-12, abs=0)


def _process(nucleus, m_N, regime, helicity):
    mdl = dn_model.GenericHNLModel(mu_tr_mu4=2 * D, m4=m_N, HNLtype="dirac")
    return processes.UpscatteringProcess(
        nu_projectile=pdg.numu, nu_upscattered=pdg.neutrino4,
        nuclear_target=nuclear_tools.NuclearTarget(nucleus), scattering_regime=regime,
        TheoryModel=mdl, helicity=helicity)


def _dn_sigma_cm2(procs, E, lo, hi):
    """Integral of DarkNews's dsigma/dQ^2 over [lo, hi] GeV^2: composite Gauss-Legendre
    in ln Q^2 (200 panels x 12 nodes, one vectorised DarkNews call per helicity)."""
    x, w = np.polynomial.legendre.leggauss(12)
    cuts = np.linspace(math.log(lo), math.log(hi), 201)
    h = np.diff(cuts)
    xs = (cuts[:-1, None] + 0.5 * h[:, None] * (x + 1.0)).ravel()
    ws = (0.5 * h[:, None] * w).ravel()
    q2 = np.exp(xs)
    return float(np.sum(sum(p.diff_xsec_Q2(E, q2) for p in procs) * q2 * ws))


@pytest.mark.parametrize("nucleus,name", [("C12", "carbon"), ("Ar40", "argon")])
@pytest.mark.parametrize("m_N", [0.01, 0.1, 0.3])
def test_coherent_total_cross_section_matches_darknews(nucleus, name, m_N):
    """Same nuclear form factor (DarkNews's Fourier-Bessel fit, passed to nuem) -> the
    physics of the two codes agrees within 2%; E = 0.5, 1, 5 GeV.  Exception: carbon at
    m_N = 0.3 GeV, E = 0.5 GeV (1.6 x threshold) differs by 4.2%, where DarkNews's
    helicity amplitudes lose precision near Q^2_min (they go negative there); 5% there."""
    procs = [_process(nucleus, m_N, "coherent", h) for h in ("conserving", "flipping")]
    tgt = procs[0].target
    for E in (0.5, 1.0, 5.0):
        lo, hi = up.q2_range(E * GeV, m_N * GeV, name)
        dn = _dn_sigma_cm2(procs, E, lo / GeV**2, hi / GeV**2)
        ours = float(up.sigma(E * GeV, m_N * GeV, D / GeV, name,
                              form_factor=lambda q2: tgt.F1_EM(q2 / GeV**2))) / cm**2
        tol = 0.05 if (name == "carbon" and m_N == 0.3 and E == 0.5) else 0.02
        assert ours == pytest.approx(dn, rel=tol, abs=0), (E, ours / dn)


@pytest.mark.parametrize("nucleus,name", [("C12", "carbon"), ("Ar40", "argon")])
def test_coherent_with_nuem_helm_form_factor(nucleus, name):
    """With nuem's own Helm form factor the argon cross sections stay within 2% of
    DarkNews; carbon (Helm with the Lewin-Smith radius is poor for A = 12) within 2% for
    m_N <= 0.1 GeV (measured 0.6-2.0%); at m_N = 0.3 GeV up to 14% (reported)."""
    for m_N in (0.01, 0.1):
        procs = [_process(nucleus, m_N, "coherent", h) for h in ("conserving", "flipping")]
        for E in (1.0, 5.0):
            lo, hi = up.q2_range(E * GeV, m_N * GeV, name)
            dn = _dn_sigma_cm2(procs, E, lo / GeV**2, hi / GeV**2)
            ours = float(up.sigma(E * GeV, m_N * GeV, D / GeV, name)) / cm**2
            assert ours == pytest.approx(dn, rel=0.02, abs=0), (m_N, E, ours / dn)


def test_proton_upscattering_light_N():
    """Free-proton (Dirac + Pauli form factors) upscattering on carbon's protons at
    m_N = 0.01 GeV: within 2% of DarkNews's 'p-el' regime (measured 0.9-1.4%).  At
    m_N = 0.1-0.3 GeV the two differ by up to 7%: nuem's contraction is checked against
    explicit Dirac traces (test_upscatter.py), and DarkNews's neutron form factors have
    F1_n(0) = 1 (nuclear_tools.nucleon_F1_EM with tau3 = -1), so nucleons are compared
    only where the codes are expected to agree."""
    procs = [_process("C12", 0.01, "p-el", h) for h in ("conserving", "flipping")]
    for E in (0.5, 1.0, 5.0):
        lo, hi = up.q2_range(E * GeV, 0.01 * GeV, "proton")
        dn = _dn_sigma_cm2(procs, E, lo / GeV**2, hi / GeV**2)
        ours = 6 * float(up.sigma(E * GeV, 0.01 * GeV, D / GeV, "proton")) / cm**2
        assert ours == pytest.approx(dn, rel=0.02, abs=0), (E, ours / dn)


def test_nucleon_form_factors_are_darknews_s():
    """DarkNews 0.4.8's proton F1, F2 (nuclear_tools.nucleon_F1_EM/F2_EM, tau3 = +1: Sachs
    dipole with M_V = 0.843 GeV, mu_p = 2.793) equal nuem's Sachs dipole (M_V^2 = 0.71
    GeV^2; mu_p 2.7928) to 0.2% up to Q^2 = 2 GeV^2, so the proton differences of test_proton_upscattering_light_N at
    larger m_N are in the amplitudes, not in the form factors (with F2 = 0 on both sides
    they remain, up to 31% at m_N = 0.3 GeV, E = 0.5 GeV; nuem's amplitude equals the
    explicit traces of test_upscatter.py)."""
    q2 = np.geomspace(1e-4, 2.0, 30)  # GeV^2
    f1, f2 = up.nucleon_form_factors(q2 * GeV**2, "proton")
    assert np.allclose(f1, nuclear_tools.nucleon_F1_EM(q2, 1), rtol=2e-3, atol=0)
    assert np.allclose(f2, nuclear_tools.nucleon_F2_EM(q2, 1), rtol=2e-3, atol=0)
