"""The registry of computations a scan can run.

A computation is a function of one point of parameter space,

    func(point: dict[str, float], options: dict[str, Any], rng: numpy.random.Generator | None)
        -> dict[str, float | numpy.ndarray]

registered under a name with its parameters (what a scan may vary, each with its unit and
valid range), its fixed options (with defaults) and the layout of its outputs (names, the
extra dimensions beyond the scan's own, with their coordinates).  ``rng`` is ``None``
unless the computation is ``stochastic``; then it is a generator seeded for that point
alone (see :mod:`nuem.scan.spec`), and it must be the only source of randomness.

A new computation is one decorator call, e.g. for a dipole-portal limit::

    @register("portal-limit", parameters=[Parameter("m_N", "MeV", "sterile mass", lo=0)],
              options={"flavour": "mu"}, layout=lambda opts: {"d_max": Output((), "MeV^-1")})
    def portal_limit(point, options, rng):
        return {"d_max": ...}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nuem._errors import NuemValueError


@dataclass(frozen=True)
class Parameter:
    """A scannable parameter: name, unit, help and the valid range [lo, hi] (or (lo, hi]
    with ``lo_open``); ``default`` is used when a scan neither varies nor fixes it (None:
    the spec must give it)."""

    name: str
    unit: str = ""
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    default: float | None = None

    def check(self, values: np.ndarray) -> None:
        """Raise :class:`NuemValueError` naming the parameter if a value is out of range."""
        v = np.asarray(values, dtype=float)
        bad = ~np.isfinite(v)
        if self.lo is not None:
            bad |= (v <= self.lo) if self.lo_open else (v < self.lo)
        if self.hi is not None:
            bad |= v > self.hi
        if np.any(bad):
            x = v[bad].flat[0]
            lo = "-inf" if self.lo is None else f"{self.lo:g}"
            hi = "inf" if self.hi is None else f"{self.hi:g}"
            unit = f" {self.unit}" if self.unit else ""
            raise NuemValueError(f"{self.name}={x!r}{unit} outside the valid range "
                                 f"{'(' if self.lo_open else '['}{lo}, {hi}] (finite)")


@dataclass(frozen=True)
class Output:
    """One output variable: its extra dimensions (after the scan's) and unit."""

    dims: tuple[str, ...] = ()
    unit: str = ""
    help: str = ""


@dataclass(frozen=True)
class Computation:
    """A registered computation (see the module docstring)."""

    name: str
    func: Callable[[dict[str, float], dict[str, Any], Any], Mapping[str, Any]]
    parameters: dict[str, Parameter]
    options: dict[str, Any]
    layout: Callable[[dict[str, Any]], dict[str, Output]]
    coords: Callable[[dict[str, Any]], dict[str, np.ndarray]]
    stochastic: bool = False
    check: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None
    summary: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    doc: str = field(default="", compare=False)


COMPUTATIONS: dict[str, Computation] = {}


def register(name: str, *, parameters: Iterable[Parameter], layout, options=None,
             coords=None, stochastic: bool = False, check=None, summary=None):
    """Decorator registering ``func`` as computation ``name`` (module docstring).

    ``layout(options) -> {output: Output}``; ``coords(options) -> {extra dim: values}``
    for the extra dimensions the outputs use; ``check(scanned, options)`` may reject a
    combination with :class:`NuemValueError`; ``summary(dataset, options)`` condenses a
    finished store into a dict (printed by ``nuem scan``).
    """
    params = {p.name: p for p in parameters}

    def deco(func):
        if name in COMPUTATIONS:
            raise NuemValueError(f"computation {name!r} is already registered")
        COMPUTATIONS[name] = Computation(
            name, func, params, dict(options or {}), layout,
            coords or (lambda opts: {}), stochastic, check, summary,
            (func.__doc__ or "").strip())
        return func

    return deco


def get(name: str) -> Computation:
    """The computation registered as ``name`` (the built-in ones are loaded first)."""
    from nuem.scan import computations  # noqa: F401  (registers sfp, limit, bound)

    if name not in COMPUTATIONS:
        raise NuemValueError(f"computation={name!r} is not registered; known: "
                             f"{', '.join(sorted(COMPUTATIONS))}")
    return COMPUTATIONS[name]
