"""The Zarr store of a scan: an :class:`xarray.Dataset` written one chunk at a time.

Layout: one variable per output of the computation, with the scan dimensions first (a
grid: one per parameter, the parameter values as coordinates; a list: dimension
``point`` with the parameters as coordinates along it), then the output's own
dimensions.  The Zarr chunks are the scan's chunks, so each task's result is one region
write that touches no other task's files.  ``chunk_status`` (0 pending, 1 done, 2 failed)
and ``chunk_error`` (the error of a failed chunk) have one Zarr chunk per scan chunk; the
status is written after the data, and Zarr's local store writes each file atomically
(temporary file and rename), so a chunk is marked done only once its data are on disk.
Attributes: ``nuem_spec`` (the canonical spec, JSON), ``nuem_version``, ``computation``.

Format: Zarr v2 (its fixed-width string type holds the detector names and errors).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from nuem._errors import NuemValueError
from nuem.scan.spec import Chunk, ScanSpec

PENDING, DONE, FAILED = 0, 1, 2
ERROR_CHARS = 400
ZARR = {"consolidated": False}


def _xr():
    try:
        import xarray as xr
    except ImportError as exc:  # pragma: no cover - the [scan] extra is missing
        raise ImportError("nuem.scan needs xarray, zarr and dask: "
                          "pip install 'nuem[scan]'") from exc
    return xr


def template(spec: ScanSpec):
    """The empty dataset (dask arrays of NaN, chunked like the scan) of ``spec``."""
    import dask.array as da

    from nuem import __version__

    xr = _xr()
    comp = spec.comp
    extra = {k: np.asarray(v) for k, v in comp.coords(spec.options).items()}
    dims, shape = spec.dims, spec.shape
    chunks = tuple(spec.chunks[d] for d in dims)
    data_vars = {}
    for name, out in comp.layout(spec.options).items():
        eshape = tuple(len(extra[d]) for d in out.dims)
        data_vars[name] = (dims + out.dims,
                           da.full(shape + eshape, np.nan, chunks=chunks + eshape),
                           {"units": out.unit, "description": out.help})
    nc = spec.n_chunks
    data_vars["chunk_status"] = (("chunk",), da.zeros(nc, dtype="i1", chunks=1),
                                 {"description": "0 pending, 1 done, 2 failed"})
    data_vars["chunk_error"] = (("chunk",), da.full(nc, "", dtype=f"<U{ERROR_CHARS}", chunks=1),
                                {"description": "error of a failed chunk"})
    coords: dict[str, Any] = {}
    if spec.mode == "grid":
        for p, v in spec.params.items():
            coords[p] = (p, v, {"units": comp.parameters[p].unit})
    else:
        coords["point"] = np.arange(spec.n_points)
        for p, v in spec.params.items():
            coords[p] = ("point", v, {"units": comp.parameters[p].unit})
    coords.update(extra)
    attrs = {"nuem_spec": spec.canonical(), "nuem_version": __version__,
             "computation": spec.computation}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def read_spec(path: str | Path) -> str | None:
    """The canonical spec a store was written with, or None if it is not a scan store."""
    import zarr

    try:
        g = zarr.open_group(str(path), mode="r")
        return g.attrs.get("nuem_spec")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    except Exception as exc:  # zarr raises its own types for foreign folders
        if type(exc).__module__.startswith("zarr"):
            return None
        raise


def check(path: str | Path, spec: ScanSpec, *, resume: bool, overwrite: bool) -> bool:
    """Check the store at ``path`` against ``spec`` and the flags, changing nothing;
    True when it is to be (re)created.  A store is never replaced without ``overwrite``."""
    path = Path(path)
    if resume and overwrite:
        raise NuemValueError("--resume and --overwrite exclude each other")
    if not path.exists():
        if resume:
            raise NuemValueError(f"--resume {path}: no store there")
        return True
    old = read_spec(path)
    if resume:
        if old is None:
            raise NuemValueError(f"--resume {path}: not a nuem scan store")
        if old != spec.canonical():
            raise NuemValueError(f"store {path} was written by another spec "
                                 f"({_first_difference(json.loads(old), spec.to_dict())}); "
                                 "use a new store or --overwrite")
        return False
    if not overwrite:
        raise NuemValueError(f"store {path} exists: pass --resume to continue it or "
                             "--overwrite to replace it")
    if old is None and not (path.is_dir() and not any(path.iterdir())):
        raise NuemValueError(f"--overwrite {path}: refusing to delete a folder that is not a "
                             "nuem scan store")
    return True


def create(path: str | Path, spec: ScanSpec) -> Path:
    """Write the empty store of ``spec`` at ``path`` (replacing what :func:`check` allowed)."""
    path = Path(path)
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    template(spec).to_zarr(str(path), mode="w-", compute=False, zarr_format=2, **ZARR)
    return path


def _first_difference(a: dict, b: dict, prefix: str = "") -> str:
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            return f"{prefix}{k} differs"
        if isinstance(a[k], dict) and isinstance(b[k], dict):
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{prefix}{k}.")
        elif a[k] != b[k]:
            return f"{prefix}{k}: {a[k]!r} in the store, {b[k]!r} now"
    return "same content"


def status(path: str | Path) -> np.ndarray:
    """chunk_status of the store (0 pending, 1 done, 2 failed)."""
    import zarr

    return np.asarray(zarr.open_group(str(path), mode="r")["chunk_status"][:])


def _group(path: str | Path):
    import zarr

    return zarr.open_group(str(path), mode="r+", zarr_format=2)


def write_chunk(path: str | Path, spec: ScanSpec, chunk: Chunk,
                result: dict[str, np.ndarray]) -> None:
    """Region-write one chunk's outputs, then mark it done.

    Written through zarr directly (the layout was fixed by :func:`create` with xarray):
    one store open per chunk instead of xarray's metadata round trip per variable, which
    took ~60 ms of the scheduler process's CPU per chunk."""
    comp = spec.comp
    g = _group(path)
    scan_idx = tuple(chunk.region[d] for d in spec.dims)
    for name, out in comp.layout(spec.options).items():
        arr = np.asarray(result[name], dtype=float)
        g[name][scan_idx + (slice(None),) * len(out.dims)] = arr
    _mark(path, chunk.index, DONE, "", group=g)


def write_failed(path: str | Path, index: int, error: str) -> None:
    """Record chunk ``index`` as failed with its error (first line, truncated)."""
    _mark(path, index, FAILED, error)


def _mark(path: str | Path, index: int, code: int, error: str, group=None) -> None:
    g = _group(path) if group is None else group
    err = (error.strip().splitlines() or [""])[0][:ERROR_CHARS]
    g["chunk_error"][index:index + 1] = np.array([err], dtype=f"<U{ERROR_CHARS}")
    g["chunk_status"][index:index + 1] = np.array([code], dtype="i1")


def open_store(path: str | Path):
    """The scan's :class:`xarray.Dataset` (lazy)."""
    path = Path(path)
    if read_spec(path) is None:
        raise NuemValueError(f"store={str(path)!r} is not a nuem scan store")
    return _xr().open_zarr(str(path), **ZARR)
