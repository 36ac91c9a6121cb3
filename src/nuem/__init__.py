"""nuem: electromagnetic properties of neutrinos.

Internally every quantity is a plain float (or numpy array) in natural units with
eV = 1 (hbar = c = 1, Heaviside-Lorentz, e = sqrt(4 pi alpha)).  Conversions to
laboratory units live in :mod:`nuem.units`; physical constants in :mod:`nuem.constants`.
"""

from __future__ import annotations

from nuem._errors import NuemValueError

__all__ = ["NuemValueError", "__version__"]
__version__ = "0.1.0"
