"""Datasets: observed events or counts, the detector that saw them, and a background model.

A dataset file is YAML (``data/datasets/*.yaml`` for the built-in ones, which use the
same format a user writes).  Keys:

    name, description, references (bibliography keys; optional)
    target            xenon | germanium | argon | csi | scintillator
    exposure_t_yr     tonne-years (required, > 0)
    range_keV         [lo, hi]: the analysis range in reconstructed energy
    detector          optional: a built-in detector name or a TOML file (response + source);
                      or give both of
    response          {a_sqrt_keV, b, threshold_keV,
                       efficiency: <number in [0, 1]> | {E_keV: [...], efficiency: [...]}
                                   | {file: <csv with columns E_keV,efficiency>}}
    source            {type: solar, model: B16-GS98} or {type: reactor, power_GW, distance_m}
    events            [E1, E2, ...] | {E_keV: [...]} | {file: <csv with column E_keV>}  (unbinned)
    bins              {edges_keV: [...], counts: [...]} | {file: <csv lo_keV,hi_keV,counts>}
    background        {solar_sm_included: true|false,
                       components: [{name, table: {E_keV: [...], rate: [...]} | {file: ...},
                                     normalisation: free | fixed | {sigma: 0.1}}]}
    published         optional: {mu: {limit, cl, unit, reference}, ...} (for comparison only)

Background rates are *observed* rates, events/(tonne year keV) in reconstructed energy with
the efficiency already applied (as experiments publish them).  ``solar_sm_included`` says
whether they already contain the Standard-Model neutrino-electron rate of the source; if
not, nuem adds it (fixed) from the detector model.  Relative file names are read next to
the dataset file.  Files are only read, never written.  Malformed input raises
:class:`DatasetFileError` naming the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import yaml

from nuem import citations
from nuem._errors import NuemValueError
from nuem import data
from nuem.data import csv_rows
from nuem.detectors import experiments
from nuem.detectors.experiments import Detector
from nuem.detectors.response import Response
from nuem.interactions import materials


class DatasetFileError(NuemValueError):
    """A dataset file or mapping is malformed (the message names the field)."""


NORMALISATIONS = ("free", "fixed")


@dataclass(frozen=True)
class BackgroundComponent:
    """One background template: observed rate [events/(t yr keV)] tabulated at E [keV],
    interpolated linearly; ``sigma`` is None for a free normalisation, 0 for a fixed one,
    or the Gaussian relative uncertainty of a constrained one."""

    name: str
    E_keV: np.ndarray
    rate: np.ndarray
    sigma: float | None = None

    def __call__(self, E) -> np.ndarray:
        E = np.asarray(E, float)
        if np.any(E < self.E_keV[0] - 1e-9) or np.any(E > self.E_keV[-1] + 1e-9):
            raise NuemValueError(f"background {self.name!r}: energy {E.min():g}..{E.max():g} keV "
                                 f"outside its table [{self.E_keV[0]:g}, {self.E_keV[-1]:g}] keV")
        return np.interp(E, self.E_keV, self.rate)


@dataclass(frozen=True)
class Dataset:
    """Observed data with everything needed to predict it.

    Exactly one of ``events`` (unbinned reconstructed energies [keV] inside the range) and
    ``edges``/``counts`` (binned) is set.  ``n_outside`` counts the listed events that fall
    outside ``range_keV`` and are not used.
    """

    name: str
    target: str
    exposure_t_yr: float
    range_keV: tuple[float, float]
    detector: Detector
    background: tuple[BackgroundComponent, ...]
    solar_sm_included: bool = True
    events: np.ndarray | None = None
    edges: np.ndarray | None = None
    counts: np.ndarray | None = None
    description: str = ""
    references: tuple[str, ...] = ()
    published: dict[str, Any] = field(default_factory=dict)
    n_outside: int = 0

    @property
    def binned_data(self) -> bool:
        return self.events is None

    @property
    def n_observed(self) -> int:
        return int(len(self.events)) if self.events is not None else int(np.sum(self.counts))

    def binned(self, edges) -> "Dataset":
        """The same data histogrammed in ``edges`` [keV] (which must lie in the range)."""
        if self.events is None:
            raise NuemValueError(f"dataset {self.name!r} is already binned")
        edges = _edges(edges, "edges", self.range_keV)
        counts, _ = np.histogram(self.events, bins=edges)
        return dataclasses.replace(self, events=None, edges=edges, counts=counts.astype(float))


# ----------------------------------------------------------------------------- parsing
def _need(d: dict, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d or d[key] is None:
        raise DatasetFileError(f"{where}: missing field {key!r}")
    return d[key]


def _floats(value: Any, where: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DatasetFileError(f"{where}: must be a list of numbers ({exc})") from exc
    if arr.ndim != 1 or len(arr) == 0:
        raise DatasetFileError(f"{where}: must be a non-empty list of numbers")
    if not np.all(np.isfinite(arr)):
        raise DatasetFileError(f"{where}: contains NaN or infinity")
    return arr


def _nonfinite(obj: Any, path: str) -> str | None:
    """The key path of the first NaN or infinite number in a parsed mapping, or None."""
    if isinstance(obj, float):
        return None if np.isfinite(obj) else path
    if isinstance(obj, dict):
        return next((b for k, v in obj.items() if (b := _nonfinite(v, f"{path}.{k}"))), None)
    if isinstance(obj, list):
        return next((b for i, v in enumerate(obj) if (b := _nonfinite(v, f"{path}[{i}]"))),
                    None)
    return None


def _edges(value: Any, where: str, rng: tuple[float, float]) -> np.ndarray:
    e = _floats(value, where)
    if len(e) < 2 or np.any(np.diff(e) <= 0):
        raise DatasetFileError(f"{where}: bin edges must be at least 2 strictly increasing values")
    if e[0] < rng[0] - 1e-9 or e[-1] > rng[1] + 1e-9:
        raise DatasetFileError(f"{where}: bins {e[0]:g}..{e[-1]:g} keV outside range_keV "
                               f"[{rng[0]:g}, {rng[1]:g}]")
    return e


def _columns(spec: Any, columns: tuple[str, ...], where: str,
             read: Callable[[str], str]) -> dict[str, np.ndarray]:
    """Columns of an inline mapping {col: [...]} or of {file: csv}."""
    if isinstance(spec, dict) and "file" in spec:
        fname = spec["file"]
        try:
            rows = csv_rows(read(str(fname)))
            return {c: _floats([r[c] for r in rows], f"{where} ({fname}) column {c!r}")
                    for c in columns}
        except KeyError as exc:
            raise DatasetFileError(f"{where}: file {fname!r} lacks column {exc.args[0]!r} "
                                   f"(needs {', '.join(columns)})") from exc
    if isinstance(spec, dict):
        out = {c: _floats(_need(spec, c, where), f"{where}.{c}") for c in columns}
        if len({len(v) for v in out.values()}) != 1:
            raise DatasetFileError(f"{where}: columns {', '.join(columns)} differ in length")
        return out
    raise DatasetFileError(f"{where}: expected a mapping with {', '.join(columns)} or 'file'")


def _response(spec: Any, rng: tuple[float, float], read, where: str) -> Response:
    where = f"{where}: response"
    kw: dict[str, Any] = {}
    for key, arg in (("a_sqrt_keV", "a"), ("b", "b"), ("threshold_keV", "threshold")):
        try:
            kw[arg] = float(_need(spec, key, where))
        except (TypeError, ValueError) as exc:
            raise DatasetFileError(f"{where}.{key} must be a number") from exc
    eff = _need(spec, "efficiency", where)
    if isinstance(eff, (int, float)) and not isinstance(eff, bool):
        kw["efficiency"] = float(eff)
        if not 0 <= eff <= 1:
            raise DatasetFileError(f"{where}.efficiency={eff} must lie in [0, 1]")
    else:
        cols = _columns(eff, ("E_keV", "efficiency"), f"{where}.efficiency", read)
        f = cols["efficiency"]
        if np.any((f < 0) | (f > 1)):
            bad = f[(f < 0) | (f > 1)][0]
            raise DatasetFileError(f"{where}.efficiency has the value {bad:g}; efficiencies must "
                                   "lie in [0, 1]")
        kw.update(efficiency_E=cols["E_keV"], efficiency=f)
    try:
        return Response(window=rng, **kw)
    except NuemValueError as exc:
        raise DatasetFileError(f"{where}: {exc}") from exc


def _background(spec: Any, rng, read, where: str) -> tuple[bool, tuple[BackgroundComponent, ...]]:
    where = f"{where}: background"
    comps = _need(spec, "components", where)
    if not isinstance(comps, list) or not comps:
        raise DatasetFileError(f"{where}.components must be a non-empty list")
    out = []
    for i, c in enumerate(comps):
        w = f"{where}.components[{i}]"
        name = str(_need(c, "name", w))
        cols = _columns(_need(c, "table", w), ("E_keV", "rate"), f"{w}.table", read)
        E, R = cols["E_keV"], cols["rate"]
        if np.any(np.diff(E) <= 0):
            raise DatasetFileError(f"{w}.table: E_keV must increase strictly")
        if np.any(R < 0):
            raise DatasetFileError(f"{w}.table: rate has the negative value {R[R < 0][0]:g}; "
                                   "rates must be >= 0")
        if E[0] > rng[0] + 1e-9 or E[-1] < rng[1] - 1e-9:
            raise DatasetFileError(f"{w}.table covers {E[0]:g}..{E[-1]:g} keV, not the whole "
                                   f"range_keV [{rng[0]:g}, {rng[1]:g}]")
        norm = c.get("normalisation", "free")
        if norm == "free":
            sigma = None
        elif norm == "fixed":
            sigma = 0.0
        elif isinstance(norm, dict) and "sigma" in norm:
            try:
                sigma = float(norm["sigma"])
            except (TypeError, ValueError) as exc:
                raise DatasetFileError(f"{w}.normalisation.sigma must be a number") from exc
            if not (np.isfinite(sigma) and sigma > 0):
                raise DatasetFileError(f"{w}.normalisation.sigma={sigma} must be > 0")
        else:
            raise DatasetFileError(f"{w}.normalisation={norm!r} must be 'free', 'fixed' or "
                                   "{sigma: <relative uncertainty>}")
        out.append(BackgroundComponent(name, E, R, sigma))
    included = spec.get("solar_sm_included", True)
    if not isinstance(included, bool):
        raise DatasetFileError(f"{where}.solar_sm_included must be true or false")
    return included, tuple(out)


def from_mapping(cfg: Any, where: str = "<dataset>",
                 read: Callable[[str], str] | None = None,
                 detector_loader: Callable[[str], Detector] = experiments.load) -> Dataset:
    """Build a :class:`Dataset` from a parsed dataset mapping (see the module docstring).

    ``read(name)`` returns the text of a file the mapping refers to.
    """
    if read is None:
        def read(name: str) -> str:
            raise DatasetFileError(f"{where}: refers to file {name!r} but has no directory")
    if not isinstance(cfg, dict):
        raise DatasetFileError(f"{where}: the top level must be a mapping")
    name = str(_need(cfg, "name", where))
    try:
        exposure = float(_need(cfg, "exposure_t_yr", where))
    except (TypeError, ValueError) as exc:
        raise DatasetFileError(f"{where}: exposure_t_yr must be a number") from exc
    if not np.isfinite(exposure) or exposure <= 0:
        raise DatasetFileError(f"{where}: exposure_t_yr={exposure} must be > 0 [tonne year]")
    rng_v = _floats(_need(cfg, "range_keV", where), f"{where}: range_keV")
    if len(rng_v) != 2 or not 0 < rng_v[0] < rng_v[1]:
        raise DatasetFileError(f"{where}: range_keV must be [lo, hi] with 0 < lo < hi")
    rng = (float(rng_v[0]), float(rng_v[1]))

    if "detector" in cfg:
        try:
            base = detector_loader(str(cfg["detector"]))
        except NuemValueError as exc:
            raise DatasetFileError(f"{where}: detector: {exc}") from exc
        try:
            response = dataclasses.replace(base.response, window=rng)
        except NuemValueError as exc:
            raise DatasetFileError(f"{where}: range_keV with detector {base.name!r}: {exc}") from exc
        target = str(cfg.get("target", base.target))
        if target != base.target:
            raise DatasetFileError(f"{where}: target={target!r} differs from the detector's "
                                   f"{base.target!r}")
        det = dataclasses.replace(base, exposure_t_yr=exposure, response=response)
    else:
        target = str(_need(cfg, "target", where))
        if target not in materials.MATERIALS:
            raise DatasetFileError(f"{where}: target={target!r} is not one of "
                                   f"{', '.join(materials.MATERIALS)}")
        response = _response(_need(cfg, "response", where), rng, read, where)
        src_spec = _need(cfg, "source", where)
        try:
            src = experiments.build_source(src_spec, f"{where}: source")
        except NuemValueError as exc:
            raise DatasetFileError(str(exc)) from exc
        det = Detector(name, target, exposure, response, src_spec, _source=src)

    has_ev, has_bins = "events" in cfg, "bins" in cfg
    if has_ev == has_bins:
        raise DatasetFileError(f"{where}: give exactly one of 'events' (unbinned) or 'bins'")
    events = edges = counts = None
    n_out = 0
    if has_ev:
        spec = cfg["events"]
        ev = (_floats(spec, f"{where}: events") if isinstance(spec, list)
              else _columns(spec, ("E_keV",), f"{where}: events", read)["E_keV"])
        if np.any(ev <= 0):
            raise DatasetFileError(f"{where}: events contain the energy {ev[ev <= 0][0]:g} keV; "
                                   "energies must be > 0")
        inside = (ev >= rng[0]) & (ev <= rng[1])
        if not np.any(inside):
            raise DatasetFileError(
                f"{where}: events: none of the {len(ev)} energies ({ev.min():g}..{ev.max():g}) "
                f"lies inside range_keV [{rng[0]:g}, {rng[1]:g}]; energies must be in keV")
        events, n_out = np.sort(ev[inside]), int(np.sum(~inside))
    else:
        spec = cfg["bins"]
        if isinstance(spec, dict) and "file" in spec:
            cols = _columns(spec, ("lo_keV", "hi_keV", "counts"), f"{where}: bins", read)
            if np.any(cols["lo_keV"][1:] != cols["hi_keV"][:-1]):
                raise DatasetFileError(f"{where}: bins: lo_keV of each bin must equal hi_keV of "
                                       "the one before")
            e_raw, counts = np.append(cols["lo_keV"], cols["hi_keV"][-1]), cols["counts"]
        else:
            e_raw = _need(spec, "edges_keV", f"{where}: bins")
            counts = _floats(_need(spec, "counts", f"{where}: bins"), f"{where}: bins.counts")
        edges = _edges(e_raw, f"{where}: bins.edges_keV", rng)
        if len(edges) != len(counts) + 1:
            raise DatasetFileError(f"{where}: bins.edges_keV has {len(edges)} values but "
                                   f"bins.counts has {len(counts)}; need len(edges) = "
                                   "len(counts) + 1")
        if np.any(counts < 0):
            i = int(np.argmax(counts < 0))
            raise DatasetFileError(f"{where}: bins.counts[{i}]={counts[i]:g} is negative; "
                                   "counts must be >= 0")
    included, bkg = _background(_need(cfg, "background", where), rng, read, where)
    published = cfg.get("published", {}) or {}
    if not isinstance(published, dict):
        raise DatasetFileError(f"{where}: published must be a mapping")
    bad = _nonfinite(published, "published")
    if bad:
        raise DatasetFileError(f"{where}: {bad} is NaN or infinite")
    refs = tuple(cfg.get("references", ()) or ())
    for r in refs:
        if r not in citations.bibliography():
            raise DatasetFileError(f"{where}: reference {r!r} is not in the bibliography")
    return Dataset(name=name, target=target, exposure_t_yr=exposure, range_keV=rng,
                   detector=det, background=bkg, solar_sm_included=included, events=events,
                   edges=edges, counts=counts, description=str(cfg.get("description", "")),
                   references=refs, published=dict(published),
                   n_outside=n_out)


def builtin_names() -> tuple[str, ...]:
    return data.builtin_names("datasets", ".yaml")


def load(name_or_path: str | Path) -> Dataset:
    """A built-in dataset by name (:func:`builtin_names`) or a YAML dataset file by path."""
    text, where, read, folder = data.open_named(name_or_path, "datasets", ".yaml", "dataset",
                                                DatasetFileError)

    def det_loader(d: str) -> Detector:
        p = folder / d if folder is not None else None
        return experiments.load(p if p is not None and p.is_file() else d)

    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DatasetFileError(f"{where}: not valid YAML ({exc})") from exc
    return from_mapping(cfg, where, read, det_loader)
