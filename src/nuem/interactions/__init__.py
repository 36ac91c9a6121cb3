"""Neutrino interactions: electrons (free and atomic-bound) and nuclei."""
