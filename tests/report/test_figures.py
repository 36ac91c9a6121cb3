"""Every figure of the report is legible: no two pieces of text overlap and every piece of
text lies inside the figure.  Each plotting function is run and its figure checked at
the moment it is saved (the text layout is final then)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axis import Tick  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from nuem import limits as db  # noqa: E402
from nuem import plotting  # noqa: E402

#: slack [px] for boxes that touch
TOUCH = 1.0


def _texts(fig):
    """(label, display bbox) of every drawn, non-empty piece of text in ``fig``."""
    renderer = fig.canvas.get_renderer()
    out = []
    drawn_ticks = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():
                for lab in (tick.label1, tick.label2):
                    if lab.get_visible() and lab.get_text():
                        drawn_ticks.add(id(lab))
                        out.append((f"tick {lab.get_text()!r}", lab.get_window_extent(renderer)))
    tick_texts = {id(t) for tk in fig.findobj(Tick) for t in (tk.label1, tk.label2)}
    for t in fig.findobj(Text):
        if id(t) in tick_texts or not t.get_visible() or not t.get_text().strip():
            continue
        out.append((repr(t.get_text()[:50]), t.get_window_extent(renderer)))
    return out


def layout_problems(fig) -> list[str]:
    """Pieces of text outside the figure or overlapping each other."""
    fig.canvas.draw()
    W, H = fig.canvas.get_width_height()
    texts = _texts(fig)
    bad = []
    for lab, bb in texts:
        if bb.x0 < -TOUCH or bb.y0 < -TOUCH or bb.x1 > W + TOUCH or bb.y1 > H + TOUCH:
            bad.append(f"{lab} outside the figure ({bb.x0:.0f}, {bb.y0:.0f}, {bb.x1:.0f}, "
                       f"{bb.y1:.0f}) of {W}x{H}")
    for i, (la, a) in enumerate(texts):
        for lb, b in texts[i + 1:]:
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > TOUCH and h > TOUCH:
                bad.append(f"{la} overlaps {lb}")
    return bad


@pytest.fixture
def checked(monkeypatch):
    """Check every figure as it is saved; returns the list of problems found."""
    problems: list[str] = []
    seen: list[int] = []
    save = Figure.savefig

    def savefig(self, *a, **k):
        if id(self) not in seen:
            seen.append(id(self))
            problems.extend(layout_problems(self))
        return save(self, *a, **k)

    monkeypatch.setattr(Figure, "savefig", savefig)
    yield problems
    assert seen, "no figure was saved"


def test_layout_check_can_fail():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "one label here")
    ax.text(0.52, 0.5, "another label")
    ax.set_title("a title far too long for a figure this narrow, it runs off both sides")
    problems = layout_problems(fig)
    plt.close(fig)
    assert any("overlaps" in p for p in problems)
    assert any("outside" in p for p in problems)


def test_global_picture_is_legible(tmp_path, checked):
    plotting.global_picture(tmp_path / "g.png", db.select("mu"), db.theory_expectations())
    assert checked == []


def test_naturalness_scan_is_legible(tmp_path, checked):
    plotting.naturalness_scan(tmp_path / "scan", n=12)
    assert checked == []


def test_dataset_fit_is_legible(tmp_path, checked):
    edges = np.linspace(1.0, 30.0, 11)
    obs = np.arange(10.0) + 5
    plotting.dataset_fit(tmp_path / "f.png", edges, obs, obs * 0.9, obs * 0.1,
                         r"B$_0$ + signal at $\mu_\nu = 6.1\times10^{-12}\,\mu_B$ (90% CL)",
                         "XENONnT SR0: data, fitted B0, signal at the limit")
    assert checked == []


def test_sfp_and_supernova_figures_are_legible(tmp_path, checked):
    E = np.geomspace(1.0, 60.0, 16)
    states = ["nu_e", "nu_mu", "nu_tau", "nubar_e", "nubar_mu", "nubar_tau"]
    P = np.full((16, 6, 6), 1 / 6)
    from nuem import report

    plotting.sfp_probabilities(tmp_path / "p", E, P, states, title=report.SFP_TITLE)
    En = np.linspace(3, 80, 40)
    spec = {c: {d: np.exp(-En / 15) * 100 for d in ("dune-like", "hk-like")}
            for c in ("no moments (MSW only)", "mu = 1e-12 mu_B (RSFP)")}
    plotting.supernova_event_spectra(tmp_path / "s", En, spec, title=report.SN_EVENTS_TITLE)
    assert checked == []


def test_solar_figure_is_legible(tmp_path, checked):
    from nuem import report

    E = np.linspace(1, 30, 50)
    report.solar_figure(tmp_path / "x.png", E, {mu: {"total": 10 + 1e12 * mu / E}
                                               for mu in report.REPORT_MOMENTS}, "XENONnT SR0")
    assert checked == []
