"""Named detector set-ups and user-defined ones from a TOML file.

A detector file (see ``data/detectors/*.toml``) has the keys

    name, description, references (bibliography keys), target, exposure_t_yr,
    verified (optional, default true), notes (optional)
    [response]  a_sqrt_keV, b, threshold_keV, window_keV = [lo, hi],
                and either efficiency = <number> or efficiency_file = "<csv: E_keV,efficiency>"
    [source]    type = "solar", model = "B16-GS98" | "B16-AGSS09met"
             or type = "reactor", power_GW, distance_m, fractions = {U235 = ..., ...}

A relative ``efficiency_file`` is looked up next to the TOML file (user files) or in the
package data (built-in set-ups).  Malformed files raise :class:`DetectorFileError`
naming the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nuem import citations
from nuem._errors import NuemValueError
from nuem.detectors import rates
from nuem.interactions import materials
from nuem import data
from nuem.data import csv_rows
from nuem.detectors.response import Response
from nuem.sources.base import Source
from nuem.units import keV


class DetectorFileError(NuemValueError):
    """A detector file is malformed (the message names the file and the field)."""


@dataclass
class Detector:
    name: str
    target: str
    exposure_t_yr: float
    response: Response
    source_spec: dict[str, Any]
    description: str = ""
    references: tuple[str, ...] = ()
    verified: bool = True
    notes: str = ""
    _source: Source | None = field(default=None, repr=False)

    def source(self) -> Source:
        if self._source is None:
            self._source = build_source(self.source_spec, self.name)
        return self._source

    def expected(self, E_rec, source: Source | None = None, **kw) -> dict[str, np.ndarray]:
        """Observed dR/dE_rec [events/(tonne year keV)] at E_rec [keV] (efficiency and
        resolution applied), split ``sm``/``em``/``total``.  ``kw`` go to
        :func:`nuem.detectors.rates.electron_recoil_rate` (mu, r2, q, binding, ...)."""
        if self.references:
            citations.register(*self.references)
        src = self.source() if source is None else source
        T = self.response.true_grid()
        r = rates.electron_recoil_spectrum(src, T * keV, self.target, **kw)
        E_rec = np.asarray(E_rec, dtype=float)
        return {k: self.response.smear(T, r[k], E_rec) for k in ("sm", "em", "total")}

    def binned(self, edges, source: Source | None = None, per_bin: int = 8, **kw
               ) -> dict[str, np.ndarray]:
        """Expected events per bin for the full exposure, bins ``edges`` [keV]."""
        edges = np.asarray(edges, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise NuemValueError("edges must be an increasing 1-D array of at least 2 values [keV]")
        lo, hi = self.response.window
        if edges[0] < lo - 1e-9 or edges[-1] > hi + 1e-9:
            raise NuemValueError(f"edges {edges[0]:g}..{edges[-1]:g} keV outside the window "
                                 f"[{lo:g}, {hi:g}] keV of {self.name}")
        fine = np.concatenate([np.linspace(a, b, per_bin + 1)[:-1] for a, b in
                               zip(edges[:-1], edges[1:])] + [edges[-1:]])
        spec = self.expected(fine, source, **kw)
        out = {}
        for k, v in spec.items():
            cum = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(fine))])
            idx = np.searchsorted(fine, edges)
            out[k] = np.diff(cum[idx]) * self.exposure_t_yr
        return out


def build_source(spec: dict[str, Any], where: str = "<detector>") -> Source:
    from nuem.sources.reactor import ReactorSource
    from nuem.sources.solar import SolarSource

    kind = spec.get("type")
    try:
        if kind == "solar":
            return SolarSource(spec.get("model", "B16-GS98"))
        if kind == "reactor":
            return ReactorSource.from_si(float(spec["power_GW"]), float(spec["distance_m"]),
                                         spec.get("fractions"))
    except KeyError as exc:
        raise DetectorFileError(f"{where}: [source] is missing the field {exc.args[0]!r}") from exc
    raise DetectorFileError(f"{where}: [source] type={kind!r} must be 'solar' or 'reactor'")


def _read_efficiency(text: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        recs = csv_rows(text)
        e = np.array([float(r["E_keV"]) for r in recs])
        f = np.array([float(r["efficiency"]) for r in recs])
    except (KeyError, ValueError, TypeError) as exc:
        raise DetectorFileError(f"{where}: efficiency table needs numeric columns E_keV,efficiency "
                                f"({exc})") from exc
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(f))):
        raise DetectorFileError(f"{where}: efficiency table contains NaN or infinity")
    return e, f


def _need(d: dict, key: str, where: str, kind=(int, float)):
    if key not in d:
        raise DetectorFileError(f"{where}: missing field {key!r}")
    v = d[key]
    if not isinstance(v, kind) or isinstance(v, bool):
        raise DetectorFileError(f"{where}: field {key!r}={v!r} has the wrong type")
    if isinstance(v, float) and not np.isfinite(v):
        raise DetectorFileError(f"{where}: field {key!r}={v!r} must be finite")
    return v


def from_dict(cfg: dict[str, Any], where: str, eff_loader) -> Detector:
    name = _need(cfg, "name", where, str)
    target = _need(cfg, "target", where, str)
    if target not in materials.MATERIALS:
        raise DetectorFileError(f"{where}: target={target!r} is not one of "
                                f"{', '.join(materials.MATERIALS)}")
    exposure = float(_need(cfg, "exposure_t_yr", where))
    if exposure <= 0:
        raise DetectorFileError(f"{where}: exposure_t_yr={exposure} must be > 0")
    resp = _need(cfg, "response", where, dict)
    win = _need(resp, "window_keV", f"{where} [response]", list)
    if len(win) != 2 or not all(isinstance(w, (int, float)) and not isinstance(w, bool)
                                and np.isfinite(w) for w in win):
        raise DetectorFileError(f"{where}: [response] window_keV must be [lo, hi], two finite "
                                "numbers [keV]")
    kw: dict[str, Any] = dict(a=float(_need(resp, "a_sqrt_keV", f"{where} [response]")),
                              b=float(_need(resp, "b", f"{where} [response]")),
                              threshold=float(_need(resp, "threshold_keV", f"{where} [response]")),
                              window=(float(win[0]), float(win[1])))
    if "efficiency_file" in resp:
        e, f = eff_loader(_need(resp, "efficiency_file", f"{where} [response]", str))
        kw.update(efficiency_E=e, efficiency=f)
    elif "efficiency" in resp:
        kw.update(efficiency=float(_need(resp, "efficiency", f"{where} [response]")))
    else:
        raise DetectorFileError(f"{where}: [response] needs efficiency or efficiency_file")
    try:
        response = Response(**kw)
    except NuemValueError as exc:
        raise DetectorFileError(f"{where}: [response] {exc}") from exc
    src = _need(cfg, "source", where, dict)
    refs = cfg.get("references", ())
    if not isinstance(refs, (list, tuple)) or not all(isinstance(r, str) for r in refs):
        raise DetectorFileError(f"{where}: references must be a list of bibliography keys")
    refs = tuple(refs)
    for r in refs:
        if r not in citations.bibliography():
            raise DetectorFileError(f"{where}: reference {r!r} is not in the bibliography")
    try:
        source = build_source(src, where)
    except DetectorFileError:
        raise
    except NuemValueError as exc:
        raise DetectorFileError(f"{where}: [source] {exc}") from exc
    return Detector(name, target, exposure, response, src, cfg.get("description", ""), refs,
                    bool(cfg.get("verified", True)), cfg.get("notes", ""), source)


def builtin_names() -> tuple[str, ...]:
    return data.builtin_names("detectors", ".toml")


def load(name_or_path: str | Path) -> Detector:
    """A built-in set-up by name (:func:`builtin_names`) or a user TOML file by path."""
    text, where, read, _ = data.open_named(name_or_path, "detectors", ".toml", "detector",
                                           DetectorFileError)

    def eff(fname):
        return _read_efficiency(read(fname), f"{where}: {fname}")

    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DetectorFileError(f"{where}: not valid TOML ({exc})") from exc
    return from_dict(cfg, where, eff)
