"""The report's tables show the data of the figures beside them (issue 21).

Section 4 (spin-flavour precession in a supernova) tabulates every third energy of the
propagated grid.  On c159a87 it looped ``for k, e in enumerate(E[::3])`` but indexed
``P[k]``, so the row labelled 60 MeV showed the probabilities at 3.9 MeV.  The check here
builds section 4 with ``propagate`` replaced by a cheap stand-in whose probabilities are a
known, strongly energy-dependent function (the real solver takes minutes on this problem;
what is under test is the table's wiring, not the solver) and compares each row with a
direct call of the same ``propagate`` at the labelled energy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import nuem.propagation as propagation
from nuem import plotting, report
from nuem.propagation import resonance
from nuem.propagation.solvers import Propagation
from nuem.units import MeV


def _weights(E_MeV: np.ndarray, n: int) -> np.ndarray:
    """P(initial -> state f) at E [MeV]: positive, summing to 1, varying by O(1) over
    1-60 MeV (state f's share grows with log E at a rate depending on f)."""
    x = np.log(E_MeV)[:, None]
    w = np.exp(np.sin((np.arange(n)[None, :] + 1.0) * x))
    return w / w.sum(axis=1, keepdims=True)


def fake_propagate(system, profile, E, method="magnus", backend="numpy", initial=None,
                   tol=1e-8, **kw):
    E = np.atleast_1d(np.asarray(E, float))
    n = len(system.states)
    amp = np.sqrt(_weights(E / MeV, n))[:, :, None].astype(complex)  # [e, final, initial]
    return Propagation(E, list(system.states), amp, method, backend, 10, [0], {})


@pytest.fixture
def section4(monkeypatch, tmp_path) -> str:
    monkeypatch.setattr(propagation, "propagate", fake_propagate)
    monkeypatch.setattr(resonance, "crossings", lambda *a, **k: [])
    monkeypatch.setattr(plotting, "sfp_probabilities", lambda *a, **k: [tmp_path / "x.png"])
    monkeypatch.setattr(report, "_img", lambda path: "")
    monkeypatch.setattr(report, "_sfp_observables", lambda out: "")
    return report._sfp_section(tmp_path)


def test_section4_rows_match_propagate_at_their_labelled_energy(section4):
    from nuem.propagation import problems

    rows = re.findall(r"<tr><td>([0-9.e+-]+)</td><td>([0-9.]+)</td><td>([0-9.]+)</td>"
                      r"<td>([0-9.]+)</td></tr>", section4)
    assert len(rows) >= 5
    labels = [float(r[0]) for r in rows]
    assert labels[0] == pytest.approx(1.0, rel=1e-3) and labels[-1] == pytest.approx(60.0, rel=1e-3)
    system, prof, _, ini = problems.sn()
    for label, p_ee, p_eebar, p_emutau in rows:
        res = propagation.propagate(system, prof, np.array([float(label)]) * MeV, "adiabatic",
                                    initial=ini, tol=1e-4)
        P = res.probabilities[0, 0]
        i_bar = res.states.index("nubar_e")
        i_mu, i_tau = res.states.index("nubar_mu"), res.states.index("nubar_tau")
        # the labels have 3 significant figures: allow what 0.5% in E moves these weights
        assert float(p_ee) == pytest.approx(P[0], abs=5e-3), label
        assert float(p_eebar) == pytest.approx(P[i_bar], abs=5e-3), label
        assert float(p_emutau) == pytest.approx(P[i_mu] + P[i_tau], abs=5e-3), label


def test_fake_weights_differ_across_the_table():
    """The check above can fail: the stand-in's probabilities at 60 MeV differ from those
    at 3.9 MeV (the energy the old code showed under that label) by far more than 5e-3."""
    w = _weights(np.array([np.geomspace(1.0, 60.0, 16)[5], 60.0]), 6)
    assert np.max(np.abs(w[0] - w[1])) > 0.05
