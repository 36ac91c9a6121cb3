"""Neutrino propagation with spin and spin-flavour precession (see the submodules).

``System`` builds H = M/E + K(x) for N flavours x two helicities (Dirac or Majorana),
``profiles`` gives matter and field profiles, ``propagate`` solves the evolution with the
method and backend of your choice, and ``resonance`` finds level crossings and their
Landau-Zener adiabaticity.
"""

from nuem.propagation.hamiltonian import HamiltonianError, System, check_hermitian
from nuem.propagation.profiles import Profile, ProfileError
from nuem.propagation.solvers import METHODS, BACKENDS, Propagation, propagate

__all__ = ["System", "Profile", "Propagation", "propagate", "METHODS", "BACKENDS",
           "HamiltonianError", "ProfileError", "check_hermitian"]
