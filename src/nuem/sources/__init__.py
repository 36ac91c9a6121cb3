"""Neutrino sources with one interface.

Every source is a list of :class:`Component` objects.  A component is either a
continuum (``shape(E)``, unit integral, in eV^-1) or a line (``line_energy``), with a
total ``flux`` at the detector in natural units (eV^3 = 1/(area time)).  The source
also says what arrives at the detector: ``arrival(E, component)`` gives the flavour
probabilities P(produced -> beta) and the mass-state amplitudes or probabilities the
effective-moment code needs, so interaction and detector code never special-case a
source.  ``spectrum(E)`` is the summed continuum in eV^2 (1/(area time energy)); convert
with ``x / units.per_cm2_s_MeV``.  :class:`TableSource` reads a user's flux table
(E, dPhi/dE) from a file.
"""

from nuem.sources.base import Component, Source
from nuem.sources.table import FluxFileError, TableSource

__all__ = ["Component", "Source", "TableSource", "FluxFileError"]
