"""Parameter scans and toy ensembles over any registered computation, on Dask.

``nuem.scan.run(spec, store)`` evaluates a computation (:mod:`nuem.scan.computations`:
``bound``, ``sfp``, ``limit``; more with :func:`register`) over a grid or a list of
parameter points (:mod:`nuem.scan.spec`), one Dask task per chunk
(:mod:`nuem.scan.engine`), and writes the results chunk by chunk into a Zarr store
holding an :class:`xarray.Dataset` (:mod:`nuem.scan.store`).  Runs resume where they
stopped, and random toys are seeded per point from one root seed, so the numbers do
not depend on the number of workers or the order in which they finish.

Needs the ``scan`` extra (dask[distributed], xarray, zarr); ``--cluster`` needs
``cluster`` (dask-jobqueue).
"""

from __future__ import annotations

from nuem.scan.registry import COMPUTATIONS, Computation, Output, Parameter, get, register
from nuem.scan.spec import ScanSpec, as_spec, load, parse

__all__ = ["COMPUTATIONS", "Computation", "Output", "Parameter", "ScanSpec", "ScanResult",
           "as_spec", "get", "load", "open_store", "parse", "register", "run", "serial",
           "summary", "plot"]


def run(*args, **kwargs):
    """:func:`nuem.scan.engine.run` (imports Dask on first use)."""
    from nuem.scan.engine import run as _run

    return _run(*args, **kwargs)


def serial(*args, **kwargs):
    """:func:`nuem.scan.engine.serial`: the scan as a plain loop in this process."""
    from nuem.scan.engine import serial as _serial

    return _serial(*args, **kwargs)


def summary(path):
    """:func:`nuem.scan.engine.summary`."""
    from nuem.scan.engine import summary as _summary

    return _summary(path)


def open_store(path):
    """:func:`nuem.scan.store.open_store`: the stored :class:`xarray.Dataset`."""
    from nuem.scan.store import open_store as _open

    return _open(path)


def plot(path, out=None):
    """:func:`nuem.scan.figures.plot_store`: figures of a finished store."""
    from nuem.scan.figures import plot_store

    return plot_store(path, out)


def __getattr__(name):
    if name == "ScanResult":
        from nuem.scan.engine import ScanResult

        return ScanResult
    raise AttributeError(name)
