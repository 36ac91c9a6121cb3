"""Stepping approximation: the steps sit exactly at the shell binding energies.

Reference: J.-W. Chen, H.-C. Chi, C.-P. Liu, C.-P. Wu, PLB 774, 656 (2017), arXiv:1610.04177,
relativistic Hartree-Fock binding energies of xenon: L1 (2s) 5509.8 eV, K (1s) 34759 eV,
2p1/2 5161.5 eV (the release at ../shared/data/atomic/binding_xenon.csv).  The stepping
factor S(T) = sum_i n_i theta(T - B_i) / Z (Kopeikin et al. 1997; Chen et al. 2017, Eq. (5)).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from nuem.interactions import atomic

XE_L1_EV = 5509.8  # 2s, Chen et al. 2017
XE_K_EV = 34759.0  # 1s, Chen et al. 2017


@pytest.mark.parametrize("edge,below,above", [
    (XE_L1_EV, 50 / 54, 52 / 54),  # the two 2s electrons open at L1
    (XE_K_EV, 52 / 54, 1.0),       # the two 1s electrons open at K
])
def test_xenon_steps_at_the_published_L1_and_K_edges(edge, below, above):
    """0.1% below / above each edge: the steps are at B_i, not at any multiple of it."""
    s = atomic.shells("xenon")
    assert float(s.stepping(edge * 0.999)) == pytest.approx(below, rel=1e-12)
    assert float(s.stepping(edge * 1.001)) == pytest.approx(above, rel=1e-12)


def test_xenon_between_L2_and_L1():
    """T = 5.3 keV lies between 2p1/2 (5161.5 eV) and 2s (5509.8 eV): 54 - 2 (1s) - 2 (2s)
    = 50 of 54 electrons are open (with every threshold 10% too high it would be 44/54)."""
    assert float(atomic.shells("xenon").stepping(5300.0)) == pytest.approx(50 / 54, rel=1e-12)


def test_shipped_xenon_table_matches_the_published_release(shared_data):
    """Every xenon shell of the shipped table equals the Chen et al. release."""
    with open(shared_data / "atomic" / "binding_xenon.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ref = {r["Orbital"]: (float(r["Binding Energy (eV)"]), float(r["Electrons in Orbital"]))
           for r in rows}
    s = atomic.shells("xenon")
    assert set(s.shells) == set(ref)
    for name, b, n in zip(s.shells, s.binding, s.occupancy):
        assert (b, n) == ref[name]
    # and the step function built from the release equals the shipped one, edge by edge
    T = np.array(sorted(v[0] for v in ref.values()))
    for t in np.concatenate([T * 0.999, T * 1.001]):
        want = sum(n for b, n in ref.values() if t > b) / 54
        assert float(s.stepping(t)) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("T,open_electrons", [
    (12.0, 9 * 4),            # carbon 2s, 2p open (11.26 eV); hydrogen closed (13.598 eV)
    (100.0, 9 * 4 + 12 * 1),  # plus the 12 hydrogen electrons; carbon K (284.2 eV) closed
    (300.0, 9 * 6 + 12 * 1),  # everything open
])
def test_compound_stepping_counts_electrons(T, open_electrons):
    """Pseudocumene C9H12 has 9 x 6 + 12 = 66 electrons; per target electron the stepping
    factor is (open electrons)/66 (Kopeikin et al. 1997; binding energies: carbon K 284.2 eV
    from the X-ray Data Booklet Table 1-1, valence 11.26 eV and H 13.598 eV from NIST ASD)."""
    from nuem.interactions import materials

    got = float(materials.material("scintillator").stepping(T))
    assert got == pytest.approx(open_electrons / 66, rel=1e-12)


def test_binding_applies_to_the_magnetic_term_too():
    """Stepping approximation (Chen et al. 2017, Eq. (5)): the free cross section, weak AND
    magnetic, times S(T).  Xenon at T = 5.3 keV: S = 50/54 (above 2p1/2, below 2s)."""
    from nuem.interactions import electron as el
    from nuem.units import MeV

    E, T, mu = 1.0 * MeV, 5300.0, 1e-10
    f_weak, f_mag = atomic.binding_factors(T, "xenon")
    assert float(f_weak) == pytest.approx(50 / 54, rel=1e-12)
    assert float(f_mag) == pytest.approx(50 / 54, rel=1e-12)
    bound = el.dsigma_dT(E, T, "e", mu=mu, target="xenon")
    free = el.dsigma_dT(E, T, "e", mu=mu)
    assert float(bound["em"]) == pytest.approx(50 / 54 * float(free["em"]), rel=1e-12, abs=0)
    assert float(bound["sm"]) == pytest.approx(50 / 54 * float(free["sm"]), rel=1e-12, abs=0)
