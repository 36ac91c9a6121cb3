"""Datasets: observed events or counts, the detector that saw them, and a background model.

A dataset file is YAML (``data/datasets/*.yaml`` for the built-in ones, which use the
same format a user writes).  The format is documented in one place, ``docs/datasets.md``,
with one complete example per form (each example runs in the tests).  Keys:

    name, description, references (bibliography keys; optional)
    target            xenon | germanium | argon | csi | scintillator
    exposure_t_yr     tonne-years (required, > 0)
    range_keV         [lo, hi]: the analysis range in reconstructed energy
    detector          optional: a built-in detector name or a TOML file (response + source);
                      or give both of
    response          {a_sqrt_keV, b, threshold_keV (optional),
                       efficiency: <number in [0, 1]> | table with columns E, efficiency}
    source            {type: solar, model: B16-GS98} or {type: reactor, power_GW, distance_m}
    events            [E1, E2, ...] | table with column E                    (unbinned data)
    bins              table with edges | lo, hi | centre, width, and counts   (binned data)
    background        {solar_sm_included: true|false, components: [...]}
    published         optional: {mu: {limit, cl, unit, reference}, ...} (for comparison only)

A *table* is an inline mapping of columns (``{E_keV: [...], rate: [...]}``) or a file
(``{file: name, columns: {E: 0, rate: 1}, delimiter: auto|comma|whitespace,
units: {E: eV}}``): comma- or whitespace-separated, ``#`` comment lines, with or without a
header row; columns by header name or by 0-based index; energy columns in keV (default)
or eV, declared by a ``_keV``/``_eV`` suffix on the name or in ``units``.  Energies
are checked for plausibility against ``range_keV`` (a column that misses the range but
would hit it if it were in the other unit is reported as such).

Background components: ``table`` (continuous: observed rate in events/(t yr keV) at
points, interpolated linearly) or ``binned`` (a template per bin: expected ``counts`` for
this dataset's exposure, or ``rate`` in events/(t yr keV), uniform inside each bin).  Each
has a ``normalisation`` prior (free | fixed | {prior: gaussian|lognormal, sigma}) and
optional shape ``modifiers`` (``histosys``: morphing between up/down templates;
``staterror`` and ``shapesys``: one nuisance per bin), as pyhf specifies them
(L. Heinrich, M. Feickert, G. Stark, K. Cranmer, JOSS 6, 2823 (2021); the HistFactory
model, K. Cranmer et al., CERN-OPEN-2012-016).  Nuisances with an explicit ``nuisance``
name are shared by every dataset of a joint fit that uses the name.

Rates are *observed* rates (efficiency already applied, as experiments publish them).
``solar_sm_included`` says whether they already contain the Standard-Model neutrino-electron
rate of the source; if not, nuem adds it (fixed) from the detector model.  Relative file
names are read next to the dataset file.  Files are only read, never written.  Malformed
input raises :class:`DatasetFileError` naming the field.
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
from nuem.detectors import experiments
from nuem.detectors.experiments import Detector
from nuem.detectors.response import Response
from nuem.interactions import materials


class DatasetFileError(NuemValueError):
    """A dataset file or mapping is malformed (the message names the field)."""


#: normalisation priors of a background component
NORMALISATIONS = ("free", "fixed", "gaussian", "lognormal")
#: shape modifiers (pyhf names)
MODIFIERS = ("histosys", "staterror", "shapesys")
#: energy units a column may be declared in, and their value in keV
ENERGY_UNITS = {"keV": 1.0, "eV": 1e-3}
_ENERGY_COLUMNS = ("E", "lo", "hi", "centre", "width", "edges")
_ALIASES = {"center": "centre", "energy": "E", "bin_centre": "centre", "bin_width": "width"}


# ----------------------------------------------------------------------------- components
@dataclass(frozen=True)
class Modifier:
    """A shape modifier of one background component (pyhf's names and meanings).

    ``histosys``: one nuisance alpha ~ N(0, 1); the template's values v become
    v + alpha (up - v) for alpha >= 0 and v + alpha (v - down) for alpha < 0 (piecewise-
    linear morphing, pyhf "code 0").  ``staterror``: one factor gamma_i per bin (or node)
    with a Gaussian constraint N(1, rel_i) (Barlow-Beeston-lite).  ``shapesys``: the same
    factors with a Poisson constraint, auxiliary count tau_i = 1/rel_i^2.  Bins with
    rel_i = 0 get no nuisance.
    """

    kind: str
    name: str
    up: np.ndarray | None = None
    down: np.ndarray | None = None
    rel: np.ndarray | None = None
    explicit: bool = False  # the name was given, so the nuisance is shared by that name


@dataclass(frozen=True)
class BackgroundComponent:
    """One background template in events/(t yr keV) of reconstructed energy.

    Continuous (``edges`` None): ``rate`` tabulated at ``E_keV``, interpolated linearly.
    Binned: ``E_keV`` holds the bin edges and ``rate`` the rate of each bin (uniform inside
    it).  ``sigma`` is None for a free normalisation, 0 for a fixed one, or the relative
    uncertainty of a constrained one (``prior`` gaussian or lognormal with kappa =
    1 + sigma).  ``nuisance`` names the normalisation parameter when it is shared between
    the datasets of a joint fit.
    """

    name: str
    E_keV: np.ndarray
    rate: np.ndarray
    sigma: float | None = None
    prior: str = ""
    binned: bool = False
    nuisance: str | None = None
    modifiers: tuple[Modifier, ...] = ()

    def __post_init__(self) -> None:
        if not self.prior:
            p = "free" if self.sigma is None else ("fixed" if self.sigma == 0 else "gaussian")
            object.__setattr__(self, "prior", p)

    def __call__(self, E) -> np.ndarray:
        """Nominal rate at E [keV]."""
        return self.density_matrix(E) @ self.rate

    def _check_inside(self, E: np.ndarray) -> None:
        if E.size and (np.any(E < self.E_keV[0] - 1e-9) or np.any(E > self.E_keV[-1] + 1e-9)):
            raise NuemValueError(f"background {self.name!r}: energy {E.min():g}..{E.max():g} keV "
                                 f"outside its table [{self.E_keV[0]:g}, {self.E_keV[-1]:g}] keV")

    def density_matrix(self, E) -> np.ndarray:
        """W with rate(E) = W @ values: linear-interpolation weights (continuous) or the
        indicator of the bin holding E (binned; an edge belongs to the bin above it, the
        top edge to the last bin)."""
        E = np.atleast_1d(np.asarray(E, float))
        self._check_inside(E)
        n = len(self.rate)
        W = np.zeros((len(E), n))
        rows = np.arange(len(E))
        if self.binned:
            j = np.clip(np.searchsorted(self.E_keV, E, side="right") - 1, 0, n - 1)
            W[rows, j] = 1.0
            return W
        x = self.E_keV
        j = np.clip(np.searchsorted(x, E, side="right") - 1, 0, n - 2)
        t = np.clip((E - x[j]) / (x[j + 1] - x[j]), 0.0, 1.0)
        W[rows, j] = 1.0 - t
        W[rows, j + 1] += t
        return W

    def integral_matrix(self, grid) -> np.ndarray:
        """A with (A @ values)_i = integral of the rate from grid_0 to grid_i, per t yr.

        Exact for a binned template; exact for a continuous one when ``grid`` contains its
        nodes (piecewise-linear integrand, trapezoid rule)."""
        g = np.asarray(grid, float)
        if self.binned:
            lo, hi = self.E_keV[:-1], self.E_keV[1:]
            self._check_inside(g)
            upto = np.clip(g[:, None], lo[None, :], hi[None, :]) - lo[None, :]
            start = np.clip(g[0], lo, hi) - lo
            return upto - start[None, :]
        W = self.density_matrix(g)
        steps = 0.5 * (W[1:] + W[:-1]) * np.diff(g)[:, None]
        return np.vstack([np.zeros((1, W.shape[1])), np.cumsum(steps, axis=0)])


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
    def n_observed(self) -> float:
        """Number of events (a float for binned data declared non-integer)."""
        if self.events is not None:
            return int(len(self.events))
        n = float(np.sum(self.counts))
        return int(n) if n == int(n) else n

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


def _canonical(key: str) -> tuple[str, str | None]:
    """Column key -> (logical name, declared unit or None): 'E_keV' -> ('E', 'keV')."""
    k = str(key).strip()
    for u in ENERGY_UNITS:
        if k.endswith("_" + u):
            base = _ALIASES.get(k[: -len(u) - 1], k[: -len(u) - 1])
            if base in _ENERGY_COLUMNS:
                return base, u
    return _ALIASES.get(k, k), None


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == "comma":
        return [t.strip() for t in line.split(",")]
    return line.split()


def _is_number(tok: str) -> bool:
    try:
        float(tok)
    except ValueError:
        return False
    return True


def read_columns(text: str, where: str, *, delimiter: str = "auto", comment: str = "#",
                 header: bool | None = None) -> tuple[list[str] | None, np.ndarray]:
    """Parse a delimited text table: (header names or None, rows x columns floats).

    ``delimiter`` comma | whitespace | auto (comma if the first data line has one);
    lines starting with ``comment`` and blank lines are skipped; ``header`` None detects a
    header row (a first line with a non-numeric field).  Raises DatasetFileError naming
    the line of a malformed row.
    """
    if delimiter not in ("auto", "comma", "whitespace"):
        raise DatasetFileError(f"{where}: delimiter={delimiter!r} must be auto, comma or "
                               "whitespace")
    lines = [(i + 1, ln.strip()) for i, ln in enumerate(text.splitlines())
             if ln.strip() and not ln.lstrip().startswith(comment)]
    if not lines:
        raise DatasetFileError(f"{where}: no data lines")
    if delimiter == "auto":
        delimiter = "comma" if "," in lines[0][1] else "whitespace"
    first = _split(lines[0][1], delimiter)
    if header is None:
        header = not all(_is_number(t) for t in first)
    names = first if header else None
    body = lines[1:] if header else lines
    if not body:
        raise DatasetFileError(f"{where}: a header but no data rows")
    ncol = len(first)
    rows = []
    for lineno, ln in body:
        toks = _split(ln, delimiter)
        if len(toks) != ncol:
            raise DatasetFileError(f"{where}: line {lineno} has {len(toks)} fields, the table "
                                   f"has {ncol} ({delimiter}-separated)")
        try:
            rows.append([float(t) for t in toks])
        except ValueError as exc:
            raise DatasetFileError(f"{where}: line {lineno}: {exc}") from exc
    arr = np.array(rows, float)
    if not np.all(np.isfinite(arr)):
        raise DatasetFileError(f"{where}: contains NaN or infinity")
    return names, arr


def _unit_of(name: str, declared: str | None, units: dict, where: str) -> str:
    u = units.get(name, declared) if isinstance(units, dict) else declared
    u = u or "keV"
    if u not in ENERGY_UNITS:
        raise DatasetFileError(f"{where}: unit {u!r} of column {name!r} must be one of "
                               f"{', '.join(ENERGY_UNITS)}")
    return u


def _table(spec: Any, want: tuple[str, ...], where: str, read: Callable[[str], str],
           optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Columns ``want`` (logical names; energies converted to keV) and any of ``optional``
    present, from an inline mapping or a file (see the module docstring)."""
    if not isinstance(spec, dict):
        raise DatasetFileError(f"{where}: expected a mapping with columns "
                               f"{', '.join(want)} or 'file'")
    units = spec.get("units", {}) or {}
    if not isinstance(units, dict):
        raise DatasetFileError(f"{where}.units must be a mapping such as {{E: eV}}")
    raw: dict[str, tuple[np.ndarray, str | None]] = {}
    if "file" in spec:
        fname = str(spec["file"])
        fw = f"{where} ({fname})"
        names, arr = read_columns(read(fname), fw, delimiter=str(spec.get("delimiter", "auto")),
                                  comment=str(spec.get("comment", "#")), header=spec.get("header"))
        mapping = spec.get("columns")
        if mapping is not None:
            if not isinstance(mapping, dict):
                raise DatasetFileError(f"{where}.columns must map names to a column index or "
                                       "header name, e.g. {E: 0, counts: 1}")
            for logical, col in mapping.items():
                lname, lunit = _canonical(logical)
                if isinstance(col, bool) or not isinstance(col, (int, str)):
                    raise DatasetFileError(f"{where}.columns.{logical}={col!r} must be an index "
                                           "or a header name")
                if isinstance(col, int):
                    if not 0 <= col < arr.shape[1]:
                        raise DatasetFileError(f"{where}.columns.{logical}={col} is not a column "
                                               f"of {fname!r} (it has {arr.shape[1]}, from 0)")
                    raw[lname] = (arr[:, col], lunit)
                else:
                    if names is None or col not in names:
                        raise DatasetFileError(f"{where}.columns.{logical}={col!r}: {fname!r} "
                                               f"has no column of that name (header: {names})")
                    raw[lname] = (arr[:, names.index(col)], lunit or _canonical(col)[1])
        elif names is None:
            raise DatasetFileError(f"{where}: {fname!r} has no header row; give columns: "
                                   f"{{{', '.join(f'{c}: {i}' for i, c in enumerate(want))}}}")
        else:
            for i, nm in enumerate(names):
                raw.setdefault(_canonical(nm)[0], (arr[:, i], _canonical(nm)[1]))
        src = f"file {fname!r}"
    else:
        for k, v in spec.items():
            if k in ("units", "file", "columns", "delimiter", "comment", "header",
                     "allow_non_integer"):
                continue
            lname, lunit = _canonical(k)
            if lname in want or lname in optional:
                raw[lname] = (_floats(v, f"{where}.{k}"), lunit)
        src = "the mapping"
    missing = [c for c in want if c not in raw]
    if missing:
        raise DatasetFileError(f"{where}: missing field {missing[0]!r} ({src} must give columns "
                               f"{', '.join(want)})")
    out = {}
    for c in list(want) + [c for c in optional if c in raw]:
        v, declared = raw[c]
        if c in _ENERGY_COLUMNS:
            v = v * ENERGY_UNITS[_unit_of(c, declared, units, where)]
        out[c] = v
    if len({len(v) for v in out.values()}) != 1:
        raise DatasetFileError(f"{where}: columns {', '.join(out)} differ in length")
    return out


def _check_energy_scale(E: np.ndarray, rng: tuple[float, float], where: str) -> None:
    """Energies [keV] that miss range_keV entirely: name the unit that would fit."""
    lo, hi = float(np.min(E)), float(np.max(E))
    if hi >= rng[0] and lo <= rng[1]:
        return
    hint = ""
    for f, say in ((1e-3, "eV (declare units: {E: eV} or name the column *_eV)"),
                   (1e3, "MeV or the column is not keV")):
        if hi * f >= rng[0] and lo * f <= rng[1]:
            hint = f"; they would overlap it if they were in {say}"
    raise DatasetFileError(f"{where}: energies {lo:g}..{hi:g} keV do not overlap range_keV "
                           f"[{rng[0]:g}, {rng[1]:g}]{hint}")


def _bins_from(cols: dict[str, np.ndarray], where: str) -> np.ndarray:
    """Bin edges [keV] from edges | lo, hi | centre, width (contiguous bins)."""
    if "edges" in cols:
        return cols["edges"]
    if "lo" in cols and "hi" in cols:
        lo, hi = cols["lo"], cols["hi"]
    elif "centre" in cols and "width" in cols:
        if np.any(cols["width"] <= 0):
            raise DatasetFileError(f"{where}: bin widths must be > 0")
        lo, hi = cols["centre"] - cols["width"] / 2, cols["centre"] + cols["width"] / 2
    else:
        raise DatasetFileError(f"{where}: give the bins as edges_keV, as lo_keV and hi_keV, or "
                               "as centre_keV and width_keV")
    tol = 1e-6 * np.minimum(hi - lo, 1.0)[:-1] if len(lo) > 1 else np.empty(0)
    gap = np.abs(lo[1:] - hi[:-1])
    if np.any(gap > tol):
        i = int(np.argmax(gap > tol))
        raise DatasetFileError(f"{where}: bins are not contiguous: bin {i} ends at {hi[i]:g} keV "
                               f"but bin {i + 1} starts at {lo[i + 1]:g} keV (gaps and overlaps "
                               "are not supported)")
    return np.append(lo, hi[-1])


def _binned_table(spec: Any, value_cols: tuple[str, ...], where: str, read
                  ) -> tuple[np.ndarray, str, np.ndarray, dict]:
    """(edges [keV], which value column, values, all columns) of a binned table."""
    if not isinstance(spec, dict):
        raise DatasetFileError(f"{where}: expected a mapping (edges_keV and counts, ...) or 'file'")
    energy_opt = ("lo", "hi", "centre", "width")
    cols = None
    for vc in value_cols:
        try:
            cols = _table(spec, (vc,), where, read, optional=energy_opt)
            break
        except DatasetFileError as exc:
            if f"missing field {vc!r}" not in str(exc):
                raise
    if cols is None:
        raise DatasetFileError(f"{where}: missing field {value_cols[0]!r} (give "
                               f"{' or '.join(value_cols)} per bin)")
    vc = next(c for c in value_cols if c in cols)
    edges = _bins_from(cols, where)
    if len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise DatasetFileError(f"{where}: bin edges must be at least 2 strictly increasing values")
    if len(edges) != len(cols[vc]) + 1:
        raise DatasetFileError(f"{where}: edges_keV has {len(edges)} values but {vc} has "
                               f"{len(cols[vc])}; need len(edges) = len({vc}) + 1")
    return edges, vc, cols[vc], cols


# --- inline {edges_keV: [...], counts: [...]} has unequal lengths, so read it separately
def _inline_edges_table(spec: dict, value_cols: tuple[str, ...], where: str):
    units = spec.get("units", {}) or {}
    ekey = next((k for k in spec if _canonical(k)[0] == "edges"), None)
    if ekey is None:
        return None
    unit = _unit_of("edges", _canonical(ekey)[1], units, where)
    edges = _floats(spec[ekey], f"{where}.{ekey}") * ENERGY_UNITS[unit]
    vc = next((c for c in value_cols if c in spec), None)
    if vc is None:
        raise DatasetFileError(f"{where}: missing field {value_cols[0]!r} (give "
                               f"{' or '.join(value_cols)} per bin)")
    vals = _floats(spec[vc], f"{where}.{vc}")
    if len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise DatasetFileError(f"{where}.{ekey}: bin edges must be at least 2 strictly "
                               "increasing values")
    if len(edges) != len(vals) + 1:
        raise DatasetFileError(f"{where}: {ekey} has {len(edges)} values but {vc} has "
                               f"{len(vals)}; need len(edges) = len({vc}) + 1")
    return edges, vc, vals


def _any_binned(spec, value_cols, where, read):
    if isinstance(spec, dict) and "file" not in spec:
        got = _inline_edges_table(spec, value_cols, where)
        if got is not None:
            return got
    e, vc, v, _ = _binned_table(spec, value_cols, where, read)
    return e, vc, v


def _response(spec: Any, rng: tuple[float, float], read, where: str) -> Response:
    where = f"{where}: response"
    kw: dict[str, Any] = {}
    for key, arg in (("a_sqrt_keV", "a"), ("b", "b"), ("threshold_keV", "threshold")):
        if key == "threshold_keV" and isinstance(spec, dict) and spec.get(key) is None:
            kw[arg] = 0.0  # optional: no cut beyond range_keV
            continue
        try:
            kw[arg] = float(_need(spec, key, where))
        except (TypeError, ValueError) as exc:
            raise DatasetFileError(f"{where}.{key} must be a number") from exc
    _check_threshold(kw["threshold"], rng, f"{where}.threshold_keV")
    eff = _need(spec, "efficiency", where)
    if isinstance(eff, (int, float)) and not isinstance(eff, bool):
        kw["efficiency"] = float(eff)
        if not 0 <= eff <= 1:
            raise DatasetFileError(f"{where}.efficiency={eff} must lie in [0, 1]")
    else:
        cols = _table(eff, ("E", "efficiency"), f"{where}.efficiency", read)
        _check_energy_scale(cols["E"], rng, f"{where}.efficiency")
        f = cols["efficiency"]
        if np.any((f < 0) | (f > 1)):
            bad = f[(f < 0) | (f > 1)][0]
            raise DatasetFileError(f"{where}.efficiency has the value {bad:g}; efficiencies must "
                                   "lie in [0, 1]")
        kw.update(efficiency_E=cols["E"], efficiency=f)
    try:
        return Response(window=rng, **kw)
    except NuemValueError as exc:
        raise DatasetFileError(f"{where}: {exc}") from exc


def _check_threshold(thr: float, rng: tuple[float, float], where: str) -> None:
    """The threshold sets the efficiency to zero below it, for the signal only (background
    templates are observed rates).  At or below range_keV[0] it has no effect; above it
    would silently remove signal inside the range, so it is an error."""
    if thr > rng[0] + 1e-12:
        raise DatasetFileError(f"{where}={thr:g} keV lies inside range_keV [{rng[0]:g}, "
                               f"{rng[1]:g}]: it would remove the signal (not the background) "
                               f"between {rng[0]:g} and {thr:g} keV; raise range_keV[0] to "
                               f"{thr:g} or put the cut into the efficiency table")


def _prior(norm: Any, w: str) -> tuple[str, float | None, str | None]:
    """(prior, sigma, nuisance name) of a normalisation entry."""
    if norm in ("free", None):
        return "free", None, None
    if norm == "fixed":
        return "fixed", 0.0, None
    if isinstance(norm, dict):
        nuis = norm.get("nuisance")
        kind = norm.get("prior", "gaussian" if "sigma" in norm else "free")
        if kind not in NORMALISATIONS:
            raise DatasetFileError(f"{w}.normalisation.prior={kind!r} must be one of "
                                   f"{', '.join(NORMALISATIONS)}")
        if kind in ("gaussian", "lognormal"):
            try:
                sigma = float(_need(norm, "sigma", f"{w}.normalisation"))
            except (TypeError, ValueError) as exc:
                raise DatasetFileError(f"{w}.normalisation.sigma must be a number") from exc
            if not (np.isfinite(sigma) and sigma > 0):
                raise DatasetFileError(f"{w}.normalisation.sigma={sigma} must be finite and > 0")
            return kind, sigma, nuis
        return kind, (None if kind == "free" else 0.0), nuis
    raise DatasetFileError(f"{w}.normalisation={norm!r} must be 'free', 'fixed' or "
                           "{prior: gaussian|lognormal, sigma: <relative uncertainty>}")


def _template(c: dict, rng, read, w: str, X: float):
    """(binned, nodes or edges [keV], values [events/(t yr keV)], reader for up/down)."""
    has_t, has_b = "table" in c, "binned" in c
    if has_t == has_b:
        raise DatasetFileError(f"{w}: give exactly one of 'table' (rate at points) or 'binned' "
                               "(counts or rate per bin)")
    if has_t:
        def parse(spec, where):
            cols = _table(spec, ("E", "rate"), where, read)
            E, R = cols["E"], cols["rate"]
            _check_energy_scale(E, rng, where)
            if np.any(np.diff(E) <= 0):
                raise DatasetFileError(f"{where}: E_keV must increase strictly")
            return E, R
        E, R = parse(c["table"], f"{w}.table")
        if E[0] > rng[0] + 1e-9 or E[-1] < rng[1] - 1e-9:
            raise DatasetFileError(f"{w}.table covers {E[0]:g}..{E[-1]:g} keV, not the whole "
                                   f"range_keV [{rng[0]:g}, {rng[1]:g}] (for a background "
                                   "given per bin, use 'binned' instead of 'table')")
        return False, E, R, parse

    def parse(spec, where):
        edges, vc, vals = _any_binned(spec, ("counts", "rate"), where, read)
        _check_energy_scale(edges, rng, where)
        if vc == "counts":  # expected counts for this exposure -> rate per bin
            vals = vals / (X * np.diff(edges))
        return edges, vals
    edges, R = parse(c["binned"], f"{w}.binned")
    if edges[0] > rng[0] + 1e-9 or edges[-1] < rng[1] - 1e-9:
        raise DatasetFileError(f"{w}.binned covers {edges[0]:g}..{edges[-1]:g} keV, not the whole "
                               f"range_keV [{rng[0]:g}, {rng[1]:g}]")
    return True, edges, R, parse


def _modifiers(specs: Any, nodes: np.ndarray, nominal: np.ndarray, parse, w: str,
               cname: str) -> tuple[Modifier, ...]:
    if specs is None:
        return ()
    if not isinstance(specs, list):
        raise DatasetFileError(f"{w}.modifiers must be a list")
    out = []
    for i, m in enumerate(specs):
        mw = f"{w}.modifiers[{i}]"
        kind = _need(m, "type", mw)
        if kind not in MODIFIERS:
            raise DatasetFileError(f"{mw}.type={kind!r} must be one of {', '.join(MODIFIERS)}")
        name = str(m.get("name", f"{kind}_{cname}"))
        if kind == "histosys":
            ud = []
            for key in ("up", "down"):
                x, v = parse(_need(m, key, mw), f"{mw}.{key}")
                if len(x) != len(nodes) or not np.allclose(x, nodes, rtol=1e-9, atol=1e-12):
                    raise DatasetFileError(f"{mw}.{key}: its energies/edges must be those of the "
                                           "nominal template")
                if np.any(v < 0):
                    raise DatasetFileError(f"{mw}.{key}: negative value {v[v < 0][0]:g}")
                ud.append(v)
            out.append(Modifier("histosys", name, up=ud[0], down=ud[1], explicit="name" in m))
        else:
            rel = _floats(_need(m, "rel", mw), f"{mw}.rel")
            if len(rel) != len(nominal):
                raise DatasetFileError(f"{mw}.rel has {len(rel)} values; the template has "
                                       f"{len(nominal)} bins/nodes")
            if np.any(rel < 0):
                raise DatasetFileError(f"{mw}.rel has the negative value {rel[rel < 0][0]:g}")
            out.append(Modifier(kind, name, rel=rel, explicit="name" in m))
    return tuple(out)


def _background(spec: Any, rng, read, where: str, X: float
                ) -> tuple[bool, tuple[BackgroundComponent, ...]]:
    where = f"{where}: background"
    comps = _need(spec, "components", where)
    if not isinstance(comps, list) or not comps:
        raise DatasetFileError(f"{where}.components must be a non-empty list")
    out = []
    for i, c in enumerate(comps):
        w = f"{where}.components[{i}]"
        name = str(_need(c, "name", w))
        binned, E, R, parse = _template(c, rng, read, w, X)
        if np.any(R < 0):
            raise DatasetFileError(f"{w}: rate has the negative value {R[R < 0][0]:g}; "
                                   "rates must be >= 0")
        prior, sigma, nuis = _prior(c.get("normalisation", "free"), w)
        mods = _modifiers(c.get("modifiers"), E, R, parse, w, name)
        out.append(BackgroundComponent(name, E, R, sigma, prior, binned,
                                       None if nuis is None else str(nuis), mods))
    if len({c.name for c in out}) != len(out):
        raise DatasetFileError(f"{where}.components: names must differ")
    included = spec.get("solar_sm_included", True)
    if not isinstance(included, bool):
        raise DatasetFileError(f"{where}.solar_sm_included must be true or false")
    return included, tuple(out)


def _observed_bins(spec: Any, rng, read, where: str) -> tuple[np.ndarray, np.ndarray]:
    w = f"{where}: bins"
    edges, _, counts = _any_binned(spec, ("counts",), w, read)
    edges = _edges(edges, f"{w}.edges_keV", rng)
    if np.any(counts < 0):
        i = int(np.argmax(counts < 0))
        raise DatasetFileError(f"{w}.counts[{i}]={counts[i]:g} is negative; counts must be >= 0")
    frac = np.abs(counts - np.round(counts))
    if np.any(frac > 1e-9) and spec.get("allow_non_integer") is not True:
        i = int(np.argmax(frac > 1e-9))
        raise DatasetFileError(f"{w}.counts[{i}]={counts[i]:g} is not a whole number; observed "
                               "counts must be integers (for digitised data set "
                               "allow_non_integer: true to fit them with the Poisson likelihood "
                               "ratio continued to real n)")
    return edges, counts


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
        _check_threshold(base.response.threshold, rng,
                         f"{where}: detector {base.name!r} threshold_keV")
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
        raise DatasetFileError(f"{where}: give exactly one of 'events' (unbinned) or 'bins' "
                               "(both are top-level keys)")
    events = edges = counts = None
    n_out = 0
    if has_ev:
        spec = cfg["events"]
        ev = (_floats(spec, f"{where}: events") if isinstance(spec, list)
              else _table(spec, ("E",), f"{where}: events", read)["E"])
        if np.any(ev <= 0):
            raise DatasetFileError(f"{where}: events contain the energy {ev[ev <= 0][0]:g} keV; "
                                   "energies must be > 0")
        _check_energy_scale(ev, rng, f"{where}: events")
        inside = (ev >= rng[0]) & (ev <= rng[1])
        if not np.any(inside):
            raise DatasetFileError(
                f"{where}: events: none of the {len(ev)} energies ({ev.min():g}..{ev.max():g}) "
                f"lies inside range_keV [{rng[0]:g}, {rng[1]:g}]; energies must be in keV")
        events, n_out = np.sort(ev[inside]), int(np.sum(~inside))
    else:
        edges, counts = _observed_bins(cfg["bins"], rng, read, where)
    included, bkg = _background(_need(cfg, "background", where), rng, read, where, exposure)
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
