"""``nuem report``: one self-contained HTML page (figures embedded as base64 PNG).

Each later issue adds a section; this module only composes library results.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import sys
import time
from pathlib import Path

from nuem import __version__, citations, constants
from nuem.theory import naturalness as nat
from nuem.theory.couplings import FrozenCouplings, default_running
from nuem.theory.eft import METHODS
from nuem.units import GeV, TeV
from nuem import plotting

TABLE_SCALES_TEV = (1.0, 10.0, 100.0)
TABLE_R = (0.0, 1.0)


def naturalness_table(scales_tev=TABLE_SCALES_TEV, r_values=TABLE_R, delta_m: float = 1.0
                      ) -> list[dict[str, float | str]]:
    """Rows of the bound for each scale, r and method (delta m in eV)."""
    rows: list[dict[str, float | str]] = []
    for s in scales_tev:
        for r in r_values:
            row: dict[str, float | str] = {"scale_TeV": s, "r": r}
            for m in METHODS:
                row[m] = float(nat.bound(s * TeV, delta_m, r, method=m))
            rows.append(row)
    return rows


def _img(path: Path, alt: str = "") -> str:
    """The PNG at ``path`` as an embedded image (a data URI), scaled to the page width."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<img alt="{html.escape(alt or path.name)}" src="data:image/png;base64,{data}" '
            'style="max-width:100%;height:auto">')


def _pdf_link(path: Path) -> str:
    """A download link carrying the PDF at ``path`` inside the page (a data URI), so the
    page stays self-contained."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<a download="{html.escape(path.name)}" '
            f'href="data:application/pdf;base64,{data}">PDF</a>')


#: HTML for the units the tables print (one typesetting throughout)
UNIT_HTML = {"mu_B": "&mu;<sub>B</sub>", "e": "e", "cm^2": "cm<sup>2</sup>"}


def _sci_html(x: float, digits: int = 2) -> str:
    """x in HTML scientific notation, e.g. 6.1&times;10<sup>-12</sup>."""
    if x == 0:
        return "0"
    m, e = f"{x:.{digits}e}".split("e")
    return f"{m}&times;10<sup>{int(e)}</sup>"


def _sci_tex(x: float, digits: int = 1) -> str:
    """x in mathtext scientific notation (for figure labels)."""
    if x == 0:
        return "0"
    m, e = f"{x:.{digits}e}".split("e")
    return rf"{m}\times10^{{{int(e)}}}"


def _naturalness_section(out: Path) -> str:
    png, pdf = plotting.naturalness_scan(out / "naturalness_scan")
    rows = naturalness_table()
    head = "".join(f"<th>{m}</th>" for m in METHODS)
    body = "".join(
        f"<tr><td>{r['scale_TeV']:g}</td><td>{r['r']:g}</td>"
        + "".join(f"<td>{r[m]:.3e}</td>" for m in METHODS) + "</tr>" for r in rows)
    fc = FrozenCouplings()
    sm = default_running()
    g1, g2, g3, yt, lam = (float(x) for x in sm.state(constants.M_Z))
    inputs = [
        ("alpha-hat(M_Z)^-1 (MSbar)", f"{1 / constants.alpha_MZ:.3f}", "PDG 2024"),
        ("sin^2 theta-hat_W(M_Z) (MSbar)", f"{constants.sin2w_MZ:.5f}", "PDG 2024"),
        ("alpha_s(M_Z)", f"{constants.alpha_s_MZ:.4f}", "PDG 2024"),
        ("v = (sqrt2 G_F)^-1/2", f"{constants.v_higgs / GeV:.3f} GeV", "PDG 2024 G_F"),
        ("m_e", f"{constants.m_e / 1e6:.8f} MeV", "CODATA 2018"),
        ("m_h, lambda(M_Z)=m_h^2/2v^2", f"{constants.m_h / GeV:.2f} GeV, {fc.lam:.4f}", "PDG 2024"),
        ("mbar_t(mbar_t), y_t(M_Z)", f"{constants.m_t_msbar / GeV:.1f} GeV, {yt:.4f}", "PDG 2024"),
        ("g1, g2, g3 at M_Z (g1 SM-normalised)", f"{g1:.4f}, {g2:.4f}, {g3:.4f}", "derived"),
    ]
    inp = "".join(f"<tr><td>{html.escape(a)}</td><td>{b}</td><td>{c}</td></tr>"
                  for a, b, c in inputs)
    return f"""
<h2>1. Naturalness bound on a Dirac neutrino magnetic moment</h2>
<p>Bell, Cirigliano, Ramsey-Musolf, Vogel &amp; Wise, PRL 95, 151802 (2005). The dipole operators
O<sub>1,2</sub> mix into the mass operator O<sub>3</sub>; requiring the induced mass not to
exceed &delta;m<sub>&nu;</sub> = 1 eV bounds |&mu;<sub>&nu;</sub>|. r = C<sub>-</sub>/C<sub>+</sub>
at &Lambda;; f(r) = 0 at r = {nat.r_zero():.3f} (no bound there).</p>
{_img(png)}
<p>Figure also as {_pdf_link(pdf)}.</p>
<h3>Bound on |&mu;<sub>&nu;</sub>|/&mu;<sub>B</sub> for &delta;m<sub>&nu;</sub> = 1 eV</h3>
<table><tr><th>&Lambda; [TeV]</th><th>r</th>{head}</tr>{body}</table>
<p>Eq. (27) coefficient: {nat.eq27_coefficient():.3e} with PDG 2024 inputs and v = 246.22 GeV in the
logarithm (f(0) = {float(nat.f_of_r(0.0)):.3f}, Eq. 5 as printed). The paper quotes
8&times;10<sup>-15</sup> to one digit without stating its inputs.</p>
<h3>Inputs</h3><table><tr><th>quantity</th><th>value</th><th>source</th></tr>{inp}</table>
"""


REPORT_MOMENTS = (0.0, 5e-12, 1e-11)


def solar_xenon_table(detector: str = "xenonnt-sr0", moments=REPORT_MOMENTS,
                      edges=(1.0, 10.0, 29.8)) -> dict:
    """Expected solar-neutrino ER spectrum in a xenon detector for several moments: the
    observed spectra on a grid and the expected events in the bins ``edges`` [keV]."""
    import numpy as np

    from nuem.detectors import experiments

    det = experiments.load(detector)
    lo, hi = det.response.window
    E = np.linspace(lo, hi, 120)
    spectra = {mu: det.expected(E, mu=mu) for mu in moments}
    counts = {mu: det.binned(edges, mu=mu)["total"].tolist() for mu in moments}
    ranges = tuple(zip(edges[:-1], edges[1:]))
    return {"detector": det, "E": E, "spectra": spectra, "counts": counts, "ranges": ranges}


def solar_figure(path: Path, E, spectra: dict, detector: str) -> Path:
    """The observed solar ER spectrum [events/(t yr keV)] against energy [keV] for each
    moment in ``spectra`` (moment -> {"total": ...}); writes the PNG ``path``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    for mu, r in spectra.items():
        lab = (r"Standard Model ($\mu_\nu = 0$)" if mu == 0
               else rf"$\mu_\nu = {_sci_tex(mu, 0)}\,\mu_B$")
        ax.plot(E, r["total"], label=lab, lw=1.8)
    ax.set_xlabel("reconstructed energy [keV]", fontsize=11)
    ax.set_ylabel("events / (t yr keV)", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.set_title(f"Solar neutrinos (B16-GS98, NuFIT 6.0 MSW) in {detector}", fontsize=11)
    ax.legend(fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return Path(path)


def _solar_section(out: Path) -> str:
    tab = solar_xenon_table()
    det = tab["detector"]
    png = solar_figure(out / "solar_xenon.png", tab["E"], tab["spectra"], det.name)
    heads = "".join(f"<th>{a:g}-{b:g} keV</th>" for a, b in tab["ranges"])
    rows = "".join(f"<tr><td>{_sci_html(mu, 0)}</td>" + "".join(f"<td>{c:.1f}</td>" for c in cs)
                   + "</tr>" for mu, cs in tab["counts"].items())
    return f"""
<h2>2. Solar neutrinos in xenon: {html.escape(det.description)}</h2>
<p>Elastic &nu;-e scattering (Standard Model + magnetic moment, flavour-universal effective
&mu;), all B16-GS98 components (lines exact), adiabatic MSW averaged over each production zone,
stepping approximation for xenon binding, then the published efficiency and resolution
&sigma;(E) = {det.response.a:g}&radic;E + {det.response.b:g}E. Exposure {det.exposure_t_yr:g} t yr.</p>
{_img(png)}
<h3>Expected events in {det.exposure_t_yr:g} t yr</h3>
<table><tr><th>&mu;<sub>eff</sub> [&mu;<sub>B</sub>]</th>{heads}</tr>{rows}</table>
"""


def _limits_section(out: Path) -> str:
    import numpy as np

    from nuem import limits as db
    from nuem.stats import datasets, likelihood
    from nuem.stats import limits as lim

    ds = datasets.load("xenonnt-2022")
    rows = []
    fig_html = ""
    for param in ("mu", "q"):
        model = likelihood.Model(ds, (param,))
        res = lim.upper_limit(model, param, 0.9)
        rows.append(res)
        if param == "mu":
            c = lim.fit_curves(model, res, np.linspace(*ds.range_keV, 30))
            png = plotting.dataset_fit(out / "xenonnt_fit.png", c["edges"], c["observed"],
                                       c["background"], c["signal"],
                                       rf"B$_0$ + signal at $\mu_\nu = {_sci_tex(res.limit)}"
                                       r"\,\mu_B$ (90% CL)",
                                       "XENONnT SR0: data, fitted B0, signal at the limit")
            fig_html = _img(png)
    entries, theory = db.select("mu"), db.theory_expectations()
    gpng = plotting.global_picture(out / "global_picture.png", entries, theory)
    gpdf = plotting.global_picture(out / "global_picture.pdf", entries, theory)
    pub = ds.published.get("mu", {}).get("limit")
    body = "".join(
        f"<tr><td>{PARAM_HTML[r.param]}</td><td>{_sci_html(r.limit, 3)} "
        f"{UNIT_HTML[r.to_dict()['unit']]}</td>"
        f"<td>[{_sci_html(r.interval[0])}, {_sci_html(r.interval[1])}]</td>"
        f"<td>{html.escape(r.statistic)}</td></tr>"
        for r in rows)
    return f"""
<h2>3. Limits from XENONnT SR0 and the global picture</h2>
<p>Extended unbinned likelihood of the {ds.n_observed} events in {ds.range_keV[0]:g}-{ds.range_keV[1]:g}
keV ({ds.exposure_t_yr:g} t yr), background = the collaboration's best-fit B0 with a free
normalisation (profiled with iminuit), signal = what &mu; or q adds to the solar &nu;-e rate
(stepping approximation, published efficiency and resolution). Published limit:
&mu;<sub>&nu;</sub> &lt; {_sci_html(pub, 1)} &mu;<sub>B</sub> (90% CL).</p>
<table><tr><th>parameter</th><th>90% CL limit</th><th>interval</th><th>statistic</th></tr>{body}</table>
{fig_html}
<h3>The global picture</h3>
<p>Every magnetic-moment entry of <code>nuem/limits/published.yaml</code>; the Standard-Model
band and the naturalness band are computed by nuem.theory. Also as {_pdf_link(gpdf)}.</p>
{_img(gpng, "global picture of magnetic-moment limits")}
"""


#: figure titles of section 4 (two lines, so they fit the figure width)
SFP_TITLE = ("Supernova envelope: Majorana, $\\mu = 10^{-12}\\,\\mu_B$,\n"
             "$B = 10^{12}$ G $(100\\,$km$/r)^2$, twist $10^{-3}$ rad/km")
SN_EVENTS_TITLE = "Supernova at 10 kpc (benchmark alpha-fit source): interaction spectra"
#: the two cases of the supernova spectra as the table prints them
SN_RSFP = r"$\mu = 10^{-12}\,\mu_B$ (RSFP)"
SN_CASE_HTML = {"no moments (MSW only)": "no moments (MSW only)",
                SN_RSFP: "&mu; = 10<sup>-12</sup> &mu;<sub>B</sub> (RSFP)"}
PARAM_HTML = {"mu": "&mu;<sub>&nu;</sub>", "q": "q<sub>&nu;</sub>",
              "r2": "&lt;r<sup>2</sup>&gt;"}


def _sfp_section(out: Path) -> str:
    import numpy as np

    from nuem.propagation import problems, propagate, resonance
    from nuem.units import MeV, km

    system, prof, _, ini = problems.sn()
    E = np.geomspace(1.0, 60.0, 16) * MeV
    # the batched numpy adiabatic solver with the basis-turn step control at tol 1e-3:
    # measured 5.1e-4 from the local control at tol 1e-4 (itself 2.1e-5 from the converged
    # oracle of 2^17 log steps) at these 16 energies, in 1.2 s of CPU (the numba kernel with
    # the local control at tol 1e-4, 6.4e-5, takes 8 s); benchmarks/propagation.py
    # measures the same problem at 1e4 energies
    backend = "numpy"
    res = propagate(system, prof, E, "adiabatic", initial=ini, tol=1e-3, backend=backend,
                    refine="turn")
    control, err_meas = "tol 1e-3 with the basis-turn step control", "5e-4"
    P = res.probabilities
    pngs = plotting.sfp_probabilities(out / "sfp_supernova", E / MeV, P, res.states,
                                      title=SFP_TITLE)
    rows = []
    for Ei in (5 * MeV, 20 * MeV):
        for c in resonance.crossings(system, prof, np.array([Ei]), points=2001):
            rows.append(f"<tr><td>{Ei / MeV:g}</td><td>{res.states[c.left]}-like / "
                        f"{res.states[system.flavours + c.right]}-like</td><td>{c.x / km:.4g}</td>"
                        f"<td>{c.gamma:.3g}</td><td>{c.p_jump:.3g}</td></tr>")
    i_bar = res.states.index("nubar_e")
    body = "".join(f"<tr><td>{e / MeV:.3g}</td><td>{P[k, 0, 0]:.4f}</td><td>{P[k, 0, i_bar]:.4f}</td>"
                   f"<td>{P[k, 0, 4] + P[k, 0, 5]:.4f}</td></tr>"
                   for k, e in zip(range(0, len(E), 3), E[::3]))
    return f"""
<h2>4. Spin-flavour precession in a supernova envelope</h2>
<p>Majorana neutrinos (three flavours, transition moments 1e-12 &mu;<sub>B</sub> on every
pair) from 100 km through &rho; = 1e10 (100 km/r)<sup>3</sup> g/cm<sup>3</sup> with the
iron-core Y<sub>e</sub> step at 1500 km, field 1e12 G (100 km/r)<sup>2</sup> twisting at
1e-3 rad/km (<code>nuem.propagation.problems.sn</code>), adiabatic solver at {control},
{backend} kernel (measured {err_meas} from a converged oracle at these energies; up to {res.steps} steps per grid, probability conserved to
{res.unitarity_defect():.1e}).</p>
<table><tr><th>E [MeV]</th><th>P(&nu;<sub>e</sub>&rarr;&nu;<sub>e</sub>)</th>
<th>P(&nu;<sub>e</sub>&rarr;&nu;&#772;<sub>e</sub>)</th>
<th>P(&nu;<sub>e</sub>&rarr;&nu;&#772;<sub>&mu;,&tau;</sub>)</th></tr>{body}</table>
{_img(pngs[0])}
<h3>Level crossings (field off) and Landau-Zener</h3>
<p>&gamma; = 2(2g)<sup>2</sup>/|&beta;|, P<sub>LZ</sub> = exp(-&pi;&gamma;/4)
(<code>nuem.propagation.resonance</code>).</p>
<table><tr><th>E [MeV]</th><th>levels</th><th>r [km]</th><th>&gamma;</th><th>P<sub>LZ</sub></th></tr>
{''.join(rows)}</table>"""


def _sfp_observables(out: Path) -> str:
    """Supernova spectra in DUNE-like and HK-like detectors with and without the moments,
    and the solar nu-bar_e fraction against its limits."""
    import numpy as np

    from nuem.detectors import sfp
    from nuem.propagation import System, problems
    from nuem.propagation._kernels import available_backends
    from nuem.units import MeV, gauss

    system, prof, _, _ = problems.sn(2)
    E = np.linspace(3.0, 80.0, 40) * MeV
    cases = {"no moments (MSW only)": System(3, majorana=True, moments=0.0),
             SN_RSFP: system}
    backend = "numba" if "numba" in available_backends() else "numpy"
    # the states decohere on the way to Earth, so the basis-turn step control suffices:
    # with it the event totals agree with the local control at tol 1e-3 to 1e-5 relative
    # (measured for both cases)
    sig = {k: sfp.supernova_signal(s, prof, E, tol=1e-2, backend=backend, refine="turn")
           for k, s in cases.items()}
    pngs = plotting.supernova_event_spectra(
        out / "sfp_supernova_events", E / MeV,
        {k: {d: n * MeV for d, n in v.events.items()} for k, v in sig.items()},
        title=SN_EVENTS_TITLE)
    rows = "".join(f"<tr><td>{SN_CASE_HTML[k]}</td>" + "".join(f"<td>{v.totals[d]:.0f}</td>"
                                                 for d in ("dune-like", "hk-like")) + "</tr>"
                   for k, v in sig.items())
    b0 = 1e6 * gauss
    mu = 1e-11
    sol = sfp.solar_antineutrinos(mu, b0)
    def window(w):
        lo, hi = w["window"]
        return f"&gt; {lo / MeV:.1f}" if hi is None else f"{lo / MeV:.1f}-{hi / MeV:.1f}"

    srows = "".join(f"<tr><td>{w['experiment']}</td><td>{window(w)}</td>"
                    f"<td>{w['fraction']:.2e}</td><td>{w['limit']:.1e} ({w['cl']:.0%})</td>"
                    f"<td>{'allowed' if w['allowed'] else 'excluded'}</td></tr>"
                    for w in sol.windows)
    return f"""
<h3>Supernova spectra at DUNE-like and Hyper-K-like detectors</h3>
<p>Benchmark alpha-fit emission (<code>data/supernova_alpha_fit.csv</code>: 3e53 erg shared
by six species, &lt;E&gt; = 12/15/18 MeV, &alpha; = 2.3) at 10 kpc, through the envelope
above, decohered to Earth; 40 kt of argon (&nu;<sub>e</sub> CC on <sup>40</sup>Ar,
SNOwGLoBES table) and 187 kt of water (inverse beta decay, Strumia-Vissani).  Interaction
counts over 3-80 MeV, no resolution or efficiency (<code>nuem.detectors.sfp</code>;
adiabatic solver with the basis-turn step control, {backend} kernel; the totals move by
1e-5 relative with the local error control at tol 1e-3).</p>
<table><tr><th>case</th><th>DUNE-like &nu;<sub>e</sub>Ar events</th>
<th>HK-like IBD events</th></tr>{rows}</table>
{_img(pngs[0])}
<h3>Solar &nu;&#772;<sub>e</sub> from spin-flavour precession</h3>
<p>Majorana transition moments {_sci_html(mu, 0)} &mu;<sub>B</sub>, convective-zone field
peaking at {_sci_html(b0 / gauss, 0)} G (0.85 R<sub>&#9737;</sub>), <sup>8</sup>B &nu;<sub>e</sub> from 0.05 R<sub>&#9737;</sub>;
fraction averaged over <sup>8</sup>B &times; IBD in each experiment's window.</p>
<table><tr><th>experiment</th><th>window [MeV]</th><th>predicted fraction</th>
<th>published limit</th><th></th></tr>{srows}</table>
"""


def _theory_section(out: Path) -> str:
    """Standard-Model predictions and astrophysical consequences against the best limits."""
    from nuem import limits
    from nuem.astro import decay, plasma
    from nuem.theory import models, sm
    from nuem.units import cm, keV

    def best(quantity, kind):
        rows = [x for x in limits.select(quantity, kind) if x.cl is not None]
        x = min(rows, key=lambda r: r.value)
        return f"{x.value:.2g} ({x.experiment}, {x.year}, {x.cl:.0%} CL)"

    m3 = float(decay.masses(0.0, "NO")[2])
    mu_sm = float(sm.dirac_magnetic_moment(m3))
    r2 = {f: v / cm**2 for f, v in sm.charge_radius().items()}
    mu_rg = min(x.value for x in limits.select("mu", "astrophysics") if x.cl is not None)
    tau = float(decay.lifetime(mu_rg, m3, float(decay.masses(0.0, "NO")[1])))
    gas = plasma.electron_gas(1e6, 1e8, 0.5)
    ratio = plasma.emissivity_ratio(gas, mu_rg)
    lr = models.predict("left-right", xi=1e-3, m_w2=5000.0)
    mu_lr = models.effective_moments(lr)["solar_pp"]
    su2h = models.predict("su2h")  # f = f' = 0.04, alpha = pi/4, 100 GeV and 1 TeV
    mu_su2h = float(su2h.flavour_basis()[0, 1].real)
    rows = [
        ("Dirac &mu;<sub>&nu;</sub> [&mu;<sub>B</sub>], m<sub>3</sub> = "
         f"{m3:.3f} eV (NO, m<sub>1</sub> = 0)", f"{mu_sm:.2e}", best("mu", "experiment"),
         best("mu", "astrophysics")),
        ("Left-right model, Dirac (&xi; = 10<sup>-3</sup>, M<sub>W2</sub> = 5 TeV): solar pp "
         "&mu;<sub>eff</sub> [&mu;<sub>B</sub>] (<code>nuem predict model left-right</code>)",
         f"{mu_lr:.2e}", best("mu", "experiment"), best("mu", "astrophysics")),
        ("SU(2)<sub>H</sub> model, Majorana &mu;<sub>&nu;<sub>e</sub>&nu;<sub>&mu;</sub></sub> "
         "[&mu;<sub>B</sub>] (f = f' = 0.04, &alpha; = &pi;/4, m<sub>h</sub> = 100 GeV, "
         "m<sub>H</sub> = 1 TeV; <code>nuem predict model su2h</code>)",
         f"{mu_su2h:.2e}", best("mu", "experiment"), best("mu", "astrophysics")),
        ("&lt;r<sup>2</sup>&gt;<sub>e</sub> [cm<sup>2</sup>]", f"{r2['e']:.2e}",
         best("charge-radius", "experiment"), "-"),
        ("&lt;r<sup>2</sup>&gt;<sub>&mu;</sub>, &lt;r<sup>2</sup>&gt;<sub>&tau;</sub> [cm<sup>2</sup>]",
         f"{r2['mu']:.2e}, {r2['tau']:.2e}", "-", "-"),
    ]
    body = "".join(f"<tr><td style='text-align:left'>{a}</td><td>{b}</td><td>{c}</td>"
                   f"<td>{d}</td></tr>" for a, b, c, d in rows)
    return f"""
<h2>5. Theory: Standard-Model and model predictions against the limits</h2>
<table><tr><th>quantity</th><th>prediction</th><th>best laboratory limit</th>
<th>best astrophysical limit</th></tr>{body}</table>
<p>Consequences of a moment at the best astrophysical limit, {_sci_html(mu_rg, 1)} &mu;<sub>B</sub>:
radiative decay &nu;<sub>3</sub> &rarr; &nu;<sub>2</sub>&gamma; (NO, m<sub>1</sub> = 0) has a
lifetime of {tau:.2e} s and a photon energy of
{float(decay.photon_energy(m3, float(decay.masses(0.0, 'NO')[1]))) * 1e3:.1f} meV
(<code>nuem.astro.decay</code>); in a red-giant core (&rho; = 1e6 g/cm<sup>3</sup>,
T = 1e8 K, &omega;<sub>p</sub> = {gas.omega_p / keV:.1f} keV) plasmon decay (transverse and
longitudinal) through the moment adds {ratio:.3f} of the Standard-Model plasmon emissivity
(<code>nuem.astro.plasma</code>, Braaten-Segel dispersion).  Sources: Fujikawa &amp; Shrock
1980; Kim 1976 and Beg, Marciano &amp; Ruderman 1978 (left-right); Bernabeu,
Papavassiliou &amp; Vidal 2002; Babu, Jana &amp; Lindner 2020 (SU(2)<sub>H</sub>, as printed
in the seminar of S. Jana); limits from <code>nuem/limits/published.yaml</code>.</p>
"""


#: the report's dipole-portal benchmark: d [GeV^-1] (Magill convention) and masses [GeV]
PORTAL_D_GEV = 1e-6
PORTAL_MASSES_GEV = (0.01, 0.1, 0.3)


def _portal_section(out: Path) -> str:
    """Sterile dipole portal: decays and upscattering at a benchmark coupling, and the UHE
    Primakoff benchmark (nuem.portal)."""
    from nuem.portal import decay, uhe, upscatter
    from nuem.portal.model import DipolePortal
    from nuem.units import GeV, cm

    d = PORTAL_D_GEV / GeV
    rows = []
    for m_gev in PORTAL_MASSES_GEV:
        m = m_gev * GeV
        w = float(decay.width(m, d**2))
        lab = float(decay.decay_length(1.0 * GeV, m, d**2))
        sig = [float(upscatter.sigma(1.0 * GeV, m, d, upscatter.target(t))) / cm**2
               for t in ("carbon", "argon")]
        rows.append(f"<tr><td>{m_gev:g}</td><td>{_sci_html(w / GeV, 3)}</td>"
                    f"<td>{_sci_html(lab / (100 * cm), 3)}</td>"
                    f"<td>{_sci_html(sig[0], 3)}</td><td>{_sci_html(sig[1], 3)}</td></tr>")
    portal = DipolePortal.from_gev(1.0, 1e-5, flavour="universal")
    flux = uhe.PowerLawFlux(1e-24, 2.0, 1e8)
    n_db = float(uhe.double_bang_count(portal, flux)["events"])
    return f"""
<h2>6. The sterile dipole portal</h2>
<p>A heavy neutral lepton N coupled to the active flavours by a transition moment,
L &sup; d<sub>&alpha;</sub> &nu;&#772;<sub>L</sub><sup>&alpha;</sup> &sigma;<sup>&mu;&nu;</sup>
N<sub>R</sub> F<sub>&mu;&nu;</sub> + h.c. (Magill et al. 2018; the seminar's
&mu;<sub>&nu;</sub> = 2d). Dirac N, d = {_sci_html(PORTAL_D_GEV, 1)} GeV<sup>-1</sup>:
width &Gamma; = d<sup>2</sup>m<sub>N</sub><sup>3</sup>/4&pi;, the lab decay length at
E<sub>N</sub> = 1 GeV, and the coherent upscattering &nu;A &rarr; NA at E<sub>&nu;</sub> = 1 GeV
(photon exchange, Helm form factor; <code>nuem portal decay</code>,
<code>nuem portal xsec</code>).</p>
<table><tr><th>m<sub>N</sub> [GeV]</th><th>&Gamma; [GeV]</th><th>decay length at 1 GeV [m]</th>
<th>&sigma;(&nu; C &rarr; N C) [cm<sup>2</sup>]</th>
<th>&sigma;(&nu; Ar &rarr; N Ar) [cm<sup>2</sup>]</th></tr>{"".join(rows)}</table>
<p>Ultra-high energies (<code>nuem portal uhe</code>): Primakoff production &nu; O &rarr; N O
in ice for m<sub>N</sub> = 1 GeV, d = 10<sup>-5</sup> GeV<sup>-1</sup> in every flavour, a
flux of 10<sup>-24</sup> (E/10<sup>8</sup> GeV)<sup>-2</sup> GeV<sup>-1</sup> cm<sup>-2</sup>
s<sup>-1</sup> sr<sup>-1</sup> per flavour over 10<sup>6</sup>-10<sup>11</sup> GeV, a
1 km &times; 1 km<sup>2</sup> ice column for 10 years: {_sci_html(n_db, 3)} double bangs with the two
vertices at least 10 m apart (formulas ours; Huang, Jana, Lindner &amp; Rodejohann 2022 for
the idea). The XENONnT SR0 limit on d(m<sub>N</sub>) is <code>nuem portal limit
xenonnt-2022</code> (a 50-mass refit, about a minute; not run here).</p>
"""


#: the report's sections in order: (title shown while it runs, function of the output dir)
SECTIONS = (
    ("naturalness bound (Bell et al.)", _naturalness_section),
    ("solar neutrinos in xenon", _solar_section),
    ("XENONnT limits and the global picture", _limits_section),
    ("spin-flavour precession in a supernova", _sfp_section),
    ("supernova spectra and solar antineutrinos", lambda out: _sfp_observables(out)),
    ("theory predictions", _theory_section),
    ("sterile dipole portal", _portal_section),
)


#: the section run in a second process when there are two cores (the supernova spectra, the
#: longest at 9 s of CPU; the others together take about as long)
PARALLEL_SECTION = 4


def _section_job(index: int, out: str) -> tuple[str, list[str]]:
    """Run section ``index`` in a worker process: its HTML and the citation keys it used."""
    citations.reset()
    html_part = SECTIONS[index][1](Path(out))
    return html_part, citations.used()


def _worker(progress_parallel: bool | None):
    """A one-process pool for :data:`PARALLEL_SECTION` when two cores are free to us
    (``spawn``: a fresh interpreter, nothing inherited but the environment), else None."""
    import os

    if progress_parallel is False:
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _run_sections(out: Path, progress: bool | None, parallel: bool | None = None) -> list[str]:
    """Each section's HTML, in order.  With two cores the longest section runs in a worker
    process while this one runs the others (``parallel=False`` runs all here).  With
    ``progress`` (default: when stderr is a terminal) a rich display names each section as it
    runs and prints the time each took."""
    if progress is None:
        progress = sys.stderr.isatty()
    pool = _worker(parallel)
    parts: dict[int, str] = {}
    t_start = time.perf_counter()
    future = pool.submit(_section_job, PARALLEL_SECTION, str(out)) if pool else None
    here = [k for k in range(len(SECTIONS)) if future is None or k != PARALLEL_SECTION]

    def finish_worker():
        html_part, keys = future.result()
        citations.register(*keys)
        pool.shutdown()
        parts[PARALLEL_SECTION] = html_part

    try:
        if not progress:
            for k in here:
                parts[k] = SECTIONS[k][1](out)
            if future is not None:
                finish_worker()
            return [parts[k] for k in range(len(SECTIONS))]
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        n = len(SECTIONS)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            bg = None
            if future is not None:
                bg = bar.add_task(f"{PARALLEL_SECTION + 1}/{n} {SECTIONS[PARALLEL_SECTION][0]} "
                                  "(second process)", total=1)
            for k in here:
                task = bar.add_task(f"{k + 1}/{n} {SECTIONS[k][0]}", total=1)
                t0 = time.perf_counter()
                parts[k] = SECTIONS[k][1](out)
                bar.update(task, completed=1, visible=False)
                console.print(f"[green]done[/] {k + 1}/{n} {SECTIONS[k][0]} "
                              f"({time.perf_counter() - t0:.1f} s)")
            if future is not None:
                finish_worker()
                bar.update(bg, completed=1, visible=False)
                console.print(f"[green]done[/] {PARALLEL_SECTION + 1}/{n} "
                              f"{SECTIONS[PARALLEL_SECTION][0]} (second process, "
                              f"{time.perf_counter() - t_start:.1f} s from the start)")
        return [parts[k] for k in range(len(SECTIONS))]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def write_report(out_dir: Path, progress: bool | None = None,
                 parallel: bool | None = None) -> Path:
    """Write ``out_dir/index.html``, one self-contained page (figures embedded), and the
    figure files beside it; return its path.  ``progress``: show a per-section progress
    display on stderr (default: only when stderr is a terminal).  ``parallel``: run the
    supernova section in a second process (default: when two cores are available)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    citations.reset()
    sections = _run_sections(out, progress, parallel)
    refs = "".join(f"<li>{html.escape(citations.format_reference(k))}</li>"
                   for k in citations.used())
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nuem report</title>
<style>body{{font-family:sans-serif;max-width:72em;margin:2em auto;line-height:1.4}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:3px 8px;
text-align:right}}th{{background:#eee}}</style></head><body>
<h1>nuem report</h1><p>nuem {__version__}, generated {stamp}.</p>
{''.join(sections)}
<h2>References used</h2><ol>{refs}</ol></body></html>"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
