"""Datasets, likelihoods and limits (iminuit): :mod:`.datasets`, :mod:`.likelihood`, :mod:`.limits`."""
