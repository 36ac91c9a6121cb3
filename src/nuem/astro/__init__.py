"""Astrophysics: plasmons and their decay into neutrino pairs (:mod:`nuem.astro.plasma`)
and radiative neutrino decay with the cosmic-background line (:mod:`nuem.astro.decay`)."""
