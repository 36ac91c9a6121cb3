"""Theory side: the dimension-6 Dirac-neutrino EFT, SM running, naturalness bounds."""
