"""Scan specifications: what to compute, over which points, in which chunks, with which seed.

A spec is a YAML mapping::

    computation: sfp                 # a registered computation (nuem.scan.registry)
    options:                         # fixed options and fixed parameters
      energies: [5, 20]
      tol: 1.0e-3
    grid:                            # outer product over the parameters (or ``points:``)
      mu: {geomspace: [1.0e-13, 1.0e-11, 4]}
      b0: [1.0e6, 1.0e7, 1.0e8, 1.0e9]
    chunks: {mu: 1, b0: 2}           # points per chunk along each dimension (default 1)
    seed: 20261130                   # root seed (required for stochastic computations)
    retries: 1                       # extra attempts of a failed chunk (default 1)

``grid`` values are a list of numbers or ``{linspace: [a, b, n]}`` /
``{geomspace: [a, b, n]}``; the stored dataset then has one dimension per parameter, in
the order given.  ``points:`` instead lists equal-length value lists, one entry per point
(dimension ``point``), and ``chunks`` is then one integer.

Randomness: point k (its flat C-order index in the grid, or its index in ``points``)
draws from ``numpy.random.SeedSequence(seed).spawn(n_points)[k]``: the streams depend on
the root seed and the point alone, not on chunking, workers or the order chunks finish.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nuem._errors import NuemValueError
from nuem.scan.registry import Computation, get

KEYS = ("computation", "options", "grid", "points", "chunks", "seed", "retries", "store",
        "cluster")
MAX_RETRIES = 10


@dataclass(frozen=True)
class Chunk:
    """One task: its id, the region of the store it fills and the points it computes."""

    index: int
    region: dict[str, slice]
    shape: tuple[int, ...]
    flat: np.ndarray          # flat point indices (seed keys), C order within the region
    values: dict[str, np.ndarray]  # parameter values per point


@dataclass(frozen=True)
class ScanSpec:
    """A validated scan (see the module docstring).  ``options`` holds the computation's
    defaults merged with the spec's fixed options and parameters."""

    computation: str
    options: dict[str, Any]
    mode: str                       # "grid" or "points"
    params: dict[str, np.ndarray]   # scanned parameter -> values (grid axis or per point)
    chunks: dict[str, int]          # dim -> points per chunk
    seed: int | None
    retries: int = 1
    store: str | None = None
    cluster: dict[str, Any] | None = None

    # --- derived ---------------------------------------------------------------------
    @property
    def comp(self) -> Computation:
        return get(self.computation)

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.params) if self.mode == "grid" else ("point",)

    @property
    def shape(self) -> tuple[int, ...]:
        if self.mode == "grid":
            return tuple(len(v) for v in self.params.values())
        return (len(next(iter(self.params.values()))),)

    @property
    def n_points(self) -> int:
        return math.prod(self.shape)

    @property
    def block_shape(self) -> tuple[int, ...]:
        """Number of chunks along each dimension."""
        return tuple(-(-n // self.chunks[d]) for d, n in zip(self.dims, self.shape))

    @property
    def n_chunks(self) -> int:
        return math.prod(self.block_shape)

    def chunk(self, index: int) -> Chunk:
        """Chunk ``index`` (C order over the blocks)."""
        blk = np.unravel_index(index, self.block_shape)
        region = {d: slice(int(b) * self.chunks[d], min((int(b) + 1) * self.chunks[d], n))
                  for d, b, n in zip(self.dims, blk, self.shape)}
        sl = tuple(region.values())
        idx = np.indices(self.shape)[(slice(None),) + sl].reshape(len(self.dims), -1)
        flat = np.ravel_multi_index(tuple(idx), self.shape)
        if self.mode == "grid":
            values = {p: v[idx[i]] for i, (p, v) in enumerate(self.params.items())}
        else:
            values = {p: v[idx[0]] for p, v in self.params.items()}
        return Chunk(index, region, tuple(s.stop - s.start for s in sl), flat, values)

    def iter_chunks(self) -> Iterator[Chunk]:
        for i in range(self.n_chunks):
            yield self.chunk(i)

    def seed_sequence(self, flat_index: int) -> np.random.SeedSequence:
        """The stream of point ``flat_index``: child ``flat_index`` of
        ``SeedSequence(seed).spawn(n_points)`` (children carry spawn_key=(k,))."""
        return np.random.SeedSequence(self.seed, spawn_key=(int(flat_index),))

    def to_dict(self) -> dict[str, Any]:
        """Plain, canonical form (what the store keeps and resumes against)."""
        key = "grid" if self.mode == "grid" else "points"
        return {"computation": self.computation, "options": _plain(self.options),
                "dims": list(self.dims),
                key: {p: [float(x) for x in v] for p, v in self.params.items()},
                "chunks": dict(self.chunks) if self.mode == "grid" else self.chunks["point"],
                "seed": self.seed, "retries": self.retries}

    def canonical(self) -> str:
        """JSON text of :meth:`to_dict`, keys sorted (exact float round trip)."""
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)


def _plain(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _values(name: str, v: Any) -> np.ndarray:
    if isinstance(v, Mapping):
        if len(v) != 1 or next(iter(v)) not in ("linspace", "geomspace"):
            raise NuemValueError(f"grid {name}: give a list or {{linspace: [a, b, n]}} or "
                                 f"{{geomspace: [a, b, n]}}, not {dict(v)!r}")
        kind, args = next(iter(v.items()))
        if not isinstance(args, (list, tuple)) or len(args) != 3:
            raise NuemValueError(f"grid {name}: {kind} needs [start, stop, count], got {args!r}")
        a, b = (float(_number(f"{name} {kind}", x)) for x in args[:2])
        n = args[2]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise NuemValueError(f"grid {name}: {kind} count={n!r} must be an integer >= 1")
        if not (math.isfinite(a) and math.isfinite(b)):
            raise NuemValueError(f"grid {name}: {kind} ends {a!r}, {b!r} must be finite")
        if kind == "geomspace" and not (a > 0 and b > 0):
            raise NuemValueError(f"grid {name}: geomspace ends {a:g}, {b:g} must be > 0")
        return np.linspace(a, b, n) if kind == "linspace" else np.geomspace(a, b, n)
    if not isinstance(v, (list, tuple)):
        v = [v]
    arr = np.array([_number(name, x) for x in v], dtype=float)
    return arr


def _number(name: str, x: Any) -> float:
    if isinstance(x, str):  # PyYAML reads 1e-12 (no dot) as a string
        try:
            x = float(x)
        except ValueError:
            raise NuemValueError(f"{name}={x!r} is not a number") from None
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise NuemValueError(f"{name}={x!r} is not a number")
    if not math.isfinite(x):
        raise NuemValueError(f"{name}={x!r} must be finite (got NaN or infinity)")
    return float(x)


def _int(name: str, x: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < lo or (hi is not None and x > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise NuemValueError(f"{name}={x!r} must be an integer {rng}")
    return x


def parse(raw: Mapping[str, Any], source: str = "spec") -> ScanSpec:
    """Validate a spec mapping (module docstring) into a :class:`ScanSpec`.  A stored
    canonical spec (:meth:`ScanSpec.to_dict`) parses back to the same spec."""
    if not isinstance(raw, Mapping):
        raise NuemValueError(f"{source}: a scan spec is a mapping, got {type(raw).__name__}")
    if "dims" in raw:  # canonical form: parameter keys were sorted, the order is in dims
        raw = dict(raw)
        dims = raw.pop("dims")
        key = "grid" if "grid" in raw else "points"
        if key == "grid" and isinstance(raw.get(key), Mapping) and set(dims) == set(raw[key]):
            raw[key] = {d: raw[key][d] for d in dims}
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise NuemValueError(f"{source}: unknown key(s) {', '.join(unknown)}; known: "
                             f"{', '.join(KEYS)}")
    if "computation" not in raw:
        raise NuemValueError(f"{source}: 'computation' is required")
    comp = get(str(raw["computation"]))
    if ("grid" in raw) == ("points" in raw):
        raise NuemValueError(f"{source}: give exactly one of 'grid' or 'points'")
    mode = "grid" if "grid" in raw else "points"
    table = raw[mode]
    if not isinstance(table, Mapping) or not table:
        raise NuemValueError(f"{source}: {mode} must map parameters to values (got {table!r})")
    params: dict[str, np.ndarray] = {}
    for name, v in table.items():
        if name not in comp.parameters:
            raise NuemValueError(f"{mode}: parameter {name!r} is not a parameter of "
                                 f"{comp.name}; known: {', '.join(comp.parameters)}")
        arr = _values(name, v)
        if arr.size == 0:
            raise NuemValueError(f"{mode}: {name} has no values (empty grid)")
        comp.parameters[name].check(arr)
        if mode == "grid" and len(np.unique(arr)) != arr.size:
            raise NuemValueError(f"grid: {name} has repeated values")
        params[str(name)] = arr
    if mode == "points" and len({a.size for a in params.values()}) != 1:
        raise NuemValueError("points: every parameter needs the same number of values, got "
                             + ", ".join(f"{p}: {a.size}" for p, a in params.items()))
    fixed = dict(raw.get("options") or {})
    if not isinstance(fixed, Mapping):
        raise NuemValueError(f"options must be a mapping, got {fixed!r}")
    options = dict(comp.options)
    for k, v in fixed.items():
        if k in params:
            raise NuemValueError(f"options: {k!r} is scanned in {mode}; it cannot also be fixed")
        if k in comp.parameters:
            comp.parameters[k].check(np.array([_number(k, v)]))
            options[k] = float(v)
        elif k in comp.options:
            options[k] = v
        else:
            raise NuemValueError(f"options: {k!r} is not an option of {comp.name}; known: "
                                 f"{', '.join(list(comp.options) + list(comp.parameters))}")
    for p in comp.parameters.values():
        if p.name not in params and p.name not in options and p.default is not None:
            options[p.name] = p.default
    if comp.check is not None:
        comp.check(tuple(params), options)
    dims = tuple(params) if mode == "grid" else ("point",)
    ch = raw.get("chunks", 1)
    if mode == "points":
        chunks = {"point": _int("chunks", ch, 1)}
    elif isinstance(ch, int) and not isinstance(ch, bool):
        chunks = {d: _int("chunks", ch, 1) for d in dims}
    elif isinstance(ch, Mapping):
        bad = sorted(set(ch) - set(dims))
        if bad:
            raise NuemValueError(f"chunks: {', '.join(map(repr, bad))} is not a scanned "
                                 f"dimension ({', '.join(dims)})")
        chunks = {d: _int(f"chunks[{d}]", ch.get(d, 1), 1) for d in dims}
    else:
        raise NuemValueError(f"chunks={ch!r} must be an integer or a mapping dim -> integer")
    seed = raw.get("seed")
    if seed is not None:
        seed = _int("seed", seed, 0)
    elif comp.stochastic:
        raise NuemValueError(f"seed is required: {comp.name} is stochastic (give a root seed, "
                             "an integer >= 0)")
    retries = _int("retries", raw.get("retries", 1), 0, MAX_RETRIES)
    store = raw.get("store")
    cluster = raw.get("cluster")
    if cluster is not None and not isinstance(cluster, Mapping):
        raise NuemValueError(f"cluster must be a mapping of dask-jobqueue options, got {cluster!r}")
    return ScanSpec(comp.name, options, mode, params, chunks, seed, retries,
                    None if store is None else str(store),
                    None if cluster is None else dict(cluster))


def load(path: str | Path) -> ScanSpec:
    """Read and validate a YAML spec file."""
    from nuem.data import read_user_text

    path = Path(path)
    text = read_user_text(path, "spec")  # one line for missing, directory, binary, non-UTF-8
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NuemValueError(f"spec file {str(path)!r} is not valid YAML: "
                             f"{str(exc).splitlines()[0]}") from exc
    return parse(raw, source=str(path))


def as_spec(spec: ScanSpec | Mapping[str, Any] | str | Path) -> ScanSpec:
    """A :class:`ScanSpec` from itself, a mapping or a YAML path."""
    if isinstance(spec, ScanSpec):
        return spec
    if isinstance(spec, Mapping):
        return parse(spec)
    return load(spec)
