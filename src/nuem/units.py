"""Units as multiplication, in natural units with eV = 1 (hbar = c = 1).

Write ``E = 10 * keV`` to put a value in, and ``x / cm`` to get it out.  Every
conversion factor in nuem lives here and is derived from the exact SI values of
hbar and c (CODATA 2018) and the Bohr magneton, through :mod:`nuem.constants`.

Magnetic fields use Heaviside-Lorentz units with e = sqrt(4 pi alpha), so that the
Bohr magneton is ``constants.mu_B = e / (2 m_e)`` in eV^-1 and ``mu_B * B`` is an
energy in eV when ``B`` is expressed with :data:`tesla` or :data:`gauss`.
"""

from __future__ import annotations

import math

from nuem.constants import TABLE, mu_B

# energy
eV: float = 1.0
meV: float = 1e-3
keV: float = 1e3
MeV: float = 1e6
GeV: float = 1e9
TeV: float = 1e12

# length and time from hbar c and hbar (exact in the 2019 SI)
_hbar_c_eV_m = TABLE["hbar_c"].value * 1e6 * 1e-15  # MeV fm -> eV m
_hbar_eV_s = TABLE["hbar"].value
meter: float = 1.0 / _hbar_c_eV_m  # 1 m in eV^-1
cm: float = 1e-2 * meter
km: float = 1e3 * meter
fm: float = 1e-15 * meter
second: float = 1.0 / _hbar_eV_s  # 1 s in eV^-1
day: float = 86400.0 * second  # 1 d in eV^-1
year: float = 365.25 * day  # Julian year (bitwise the same as 365.25 * 86400 s)

# magnetic field: mu_B [eV/T] * B[T] = mu_B[eV^-1] * B[eV^2]
tesla: float = TABLE["mu_B"].value / mu_B  # 1 T in eV^2 (= 195.35 eV^2)
gauss: float = 1e-4 * tesla

# energy and power in SI/cgs: 1 J = (1 / e[C]) eV
joule: float = 1.0 / TABLE["e_SI"].value
erg: float = 1e-7 * joule
watt: float = joule / second

# astronomical lengths: the astronomical unit is exact (IAU 2012 Resolution B2) and the
# parsec is defined from it as au * 648000 / pi (IAU 2015 Resolution B2)
au: float = 149_597_870_700.0 * meter
parsec: float = au * 648_000.0 / math.pi
kpc: float = 1e3 * parsec

# cross sections
barn: float = 1e-24 * cm**2

# flux edges: 1 / (cm^2 s MeV) and event-rate edges: 1 / (tonne year keV) per target unit
per_cm2_s_MeV: float = 1.0 / (cm**2 * second * MeV)
per_cm2_s: float = 1.0 / (cm**2 * second)

__all__ = ["eV", "meV", "keV", "MeV", "GeV", "TeV", "meter", "cm", "km", "fm", "second", "day",
           "year", "tesla", "gauss", "barn", "watt", "joule", "erg", "au", "parsec", "kpc",
           "per_cm2_s_MeV", "per_cm2_s"]
