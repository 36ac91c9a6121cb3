"""Common source interface (see :mod:`nuem.sources`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nuem._errors import NuemValueError, require_positive


@dataclass(frozen=True)
class Component:
    """One flux component: a continuum with ``shape`` on [e_min, e_max] (zero outside;
    e_min = 0 unless the source says otherwise) or a line at ``line_energy``."""

    name: str
    flux: float  # eV^3: number per area per time (natural units)
    e_max: float  # eV: the endpoint (the line energy for a line)
    shape: Callable[[np.ndarray], np.ndarray] | None = None  # eV^-1, unit integral
    line_energy: float | None = None
    nodes: np.ndarray | None = field(default=None, repr=False)  # tabulation nodes (eV), if any
    e_min: float = 0.0  # eV: the lower end of the support (a table's first energy)

    @property
    def is_line(self) -> bool:
        return self.line_energy is not None


class Source(ABC):
    """Base class: a named list of components of one produced flavour."""

    name: str = "source"
    flavour: str = "e"
    anti: bool = False

    @abstractmethod
    def components(self) -> list[Component]:
        """The flux components at the detector."""

    def component(self, name: str) -> Component:
        for c in self.components():
            if c.name == name:
                return c
        raise NuemValueError(f"component={name!r} is not one of "
                             f"{', '.join(c.name for c in self.components())}")

    def spectrum(self, E, flavour: str | None = None) -> np.ndarray:
        """Produced continuum flux density sum_c Phi_c shape_c(E) [eV^2]; lines excluded.

        ``flavour`` (default: the produced one) other than the produced flavour gives 0:
        sources emit one flavour; oscillations are applied by :meth:`arrival`.
        """
        E = require_positive("E", E, "eV")
        if flavour is not None and flavour != self.flavour:
            return np.zeros_like(E)
        out = np.zeros_like(E)
        for c in self.components():
            if not c.is_line:
                out = out + c.flux * c.shape(E)
        return out

    def lines(self) -> list[tuple[str, float, float]]:
        """(name, energy [eV], flux [eV^3]) of each line component."""
        return [(c.name, float(c.line_energy), c.flux) for c in self.components() if c.is_line]

    @abstractmethod
    def arrival(self, E, component: Component) -> dict[str, np.ndarray]:
        """At the detector: ``flavour`` probabilities (..., 3) over (e, mu, tau)."""

    @abstractmethod
    def mu2(self, E, component: Component, moments) -> np.ndarray:
        """Effective mu^2 [mu_B^2] at energy E for a :class:`~nuem.moments.MomentMatrix`."""
