"""Matter and magnetic-field profiles along a neutrino path.

A :class:`Profile` gives, at path coordinate x in [start, end] (eV^-1), the electron
density n_e and neutron density n_n [eV^3], the transverse field B_perp [eV^2] and the
twist rate phi'(x) [eV] of the field direction (B_x + i B_y = B_perp e^{i phi}).  Each
of the four may be a number, a callable of x, or tabulated values on a grid of x
(:func:`tabulated`, monotone PCHIP interpolation; outside the table is an error, never an
extrapolation).

Densities in g/cm^3 convert with n_e = rho Y_e N_A / cm^3 and n_n = rho (1 - Y_e) N_A / cm^3
(neutral matter of nucleons; the nucleon mass is taken as the atomic mass unit, a 0.8%
approximation that :func:`electron_density` states).

Built-in profiles (each cites its model; parameters are arguments, the defaults are the
cited values):

* :func:`constant` - a uniform slab.
* :func:`sun` - the Sun from the production point to the surface: n_e from Bahcall's
  exponential fit to the standard solar model (:func:`nuem.mixing.solar_electron_density`),
  n_n = n_e (1 - X)/(1 + X) with hydrogen mass fraction X (so that Y_n/Y_e for H + He4),
  and a convective-zone field (:func:`convective_zone_field`).
* :func:`supernova` - pre-explosion ``rho = rho0 (r0/r)^3`` (the power law of Dighe &
  Smirnov, PRD 62, 033007 (2000), Sec. II) with the Y_e
  step at the iron-core edge (Totani & Sato, PRD 54, 5975 (1996); Ando & Sato, PRD 68,
  023003 (2003)), or post-bounce ``rho ~ r^-2.4`` with a forward shock (Fogli, Lisi,
  Mirizzi & Montanino, JCAP 0504, 002 (2005)); fields ``B0 (r0/r)^k``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nuem import citations, constants, mixing
from nuem._errors import NuemValueError, as_finite_array
from nuem.units import cm, km

Field = Callable[[np.ndarray], np.ndarray]
#: solar radius [km] (IAU 2015 nominal, Resolution B3)
R_SUN_KM = 6.957e5


class ProfileError(NuemValueError):
    """A profile is unphysical: negative density, non-monotonic radii, x outside the path."""


def electron_density(rho_gcc, ye) -> np.ndarray:
    """n_e [eV^3] for mass density rho [g/cm^3] and electron fraction Y_e (n_e = rho Y_e N_A)."""
    return np.asarray(rho_gcc, dtype=float) * np.asarray(ye, dtype=float) * constants.N_A / cm**3


def _as_field(name: str, value, positive: bool) -> Field:
    if callable(value):
        return value
    v = float(as_finite_array(name, value))
    if positive and v < 0:
        raise ProfileError(f"{name}={v:g} must be >= 0")
    return lambda x, v=v: np.full(np.shape(x), v)


@dataclass(frozen=True, eq=False)
class Profile:
    """n_e, n_n [eV^3], B_perp [eV^2] and phi' [eV] on the path [start, end] (eV^-1).

    ``breaks`` lists interior points where a profile is not smooth (a Y_e step, a shock);
    the solvers put layer edges there.
    """

    start: float
    end: float
    n_e: Field
    n_n: Field
    b_perp: Field
    twist: Field
    name: str = "profile"
    breaks: tuple[float, ...] = ()
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        s, e = float(self.start), float(self.end)
        if not (np.isfinite(s) and np.isfinite(e)) or e <= s:
            raise ProfileError(f"path must run from start to end > start, got [{s:g}, {e:g}] eV^-1")
        for nm in ("n_e", "n_n", "b_perp", "twist"):
            v = getattr(self, nm)
            if not callable(v):
                object.__setattr__(self, nm, _as_field(nm, v, nm in ("n_e", "n_n")))
        object.__setattr__(self, "breaks", tuple(sorted(b for b in self.breaks if s < b < e)))
        # a coarse scan for negative densities anywhere on the path
        xs = np.linspace(s, e, 257)
        self.evaluate(xs)

    @property
    def length(self) -> float:
        return float(self.end) - float(self.start)

    def evaluate(self, x) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(n_e, n_n, B_perp, phi') at x [eV^-1]; x outside [start, end] raises."""
        x = np.asarray(x, dtype=float)
        tol = 1e-12 * max(abs(self.start), abs(self.end), self.length)
        if np.any(x < self.start - tol) or np.any(x > self.end + tol):
            raise ProfileError(f"x must lie on the path [{self.start:.6g}, {self.end:.6g}] eV^-1, "
                               f"got {x.min():.6g}..{x.max():.6g}")
        out = []
        for nm in ("n_e", "n_n", "b_perp", "twist"):
            v = np.broadcast_to(np.asarray(getattr(self, nm)(x), dtype=float), x.shape)
            if not np.all(np.isfinite(v)):
                raise ProfileError(f"{nm} is NaN or infinite on the path")
            if nm in ("n_e", "n_n") and np.any(v < 0):
                i = np.argmin(v)
                raise ProfileError(f"{nm} must be >= 0, got {v.flat[i]:.4g} eV^3 at "
                                   f"x={x.flat[i]:.6g} eV^-1 ({x.flat[i] / km:.6g} km)")
            out.append(v)
        return out[0], out[1], out[2], out[3]


def tabulated(x, n_e, n_n=0.0, b_perp=0.0, twist=0.0, name: str = "tabulated") -> Profile:
    """A profile from values on a grid x [eV^-1] (strictly increasing); each of n_e, n_n,
    B_perp, phi' is an array on the grid or a number.  Monotone cubic (PCHIP) interpolation;
    asking outside [x[0], x[-1]] raises :class:`ProfileError`."""
    from scipy.interpolate import PchipInterpolator

    x = as_finite_array("x", x)
    if x.ndim != 1 or x.size < 2:
        raise ProfileError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    d = np.diff(x)
    if np.any(d <= 0):
        i = int(np.argmax(d <= 0))
        raise ProfileError(f"radii must be strictly increasing; x[{i + 1}]={x[i + 1]:.6g} <= "
                           f"x[{i}]={x[i]:.6g} eV^-1")
    fields = {}
    for nm, v in (("n_e", n_e), ("n_n", n_n), ("b_perp", b_perp), ("twist", twist)):
        if np.ndim(v) == 0 and not callable(v):
            fields[nm] = v
            continue
        if callable(v):
            fields[nm] = v
            continue
        a = as_finite_array(nm, v)
        if a.shape != x.shape:
            raise ProfileError(f"{nm} has {a.shape} values for a grid of {x.shape}")
        if nm in ("n_e", "n_n") and np.any(a < 0):
            i = int(np.argmin(a))
            raise ProfileError(f"{nm} must be >= 0, got {a[i]:.4g} eV^3 at x[{i}]={x[i]:.6g}")
        fields[nm] = PchipInterpolator(x, a, extrapolate=False)
    return Profile(float(x[0]), float(x[-1]), name=name, **fields)


def constant(length, density_gcc: float = 0.0, ye: float = 0.5, b_perp: float = 0.0,
             twist: float = 0.0) -> Profile:
    """A uniform slab of ``length`` [eV^-1]: rho [g/cm^3], Y_e, B_perp [eV^2], phi' [eV]."""
    if not 0.0 <= ye <= 1.0:
        raise ProfileError(f"ye={ye!r} must lie in [0, 1]")
    if density_gcc < 0:
        raise ProfileError(f"density={density_gcc!r} g/cm^3 must be >= 0")
    ne = float(electron_density(density_gcc, ye))
    nn = float(electron_density(density_gcc, 1.0 - ye))
    return Profile(0.0, float(length), ne, nn, float(b_perp), float(twist), name="constant",
                   meta={"density_gcc": density_gcc, "ye": ye})


# --- magnetic-field shapes ------------------------------------------------------------
def power_law_field(b0: float, r0: float, k: float) -> Field:
    """B(r) = b0 (r0 / r)^k [eV^2]; k = 3 is a dipole's equatorial fall-off, k = 2 a
    flux-frozen radial field (the forms used by Ando & Sato, PRD 68, 023003 (2003))."""
    citations.register("AndoSato2003")
    return lambda r: b0 * (r0 / np.asarray(r, dtype=float)) ** k


def convective_zone_field(b0: float, r_in: float = 0.713, r_peak: float = 0.85,
                          r_out: float = 1.0) -> Field:
    """Field confined to the solar convective zone, as a function of x = r/R_sun: 0 below
    ``r_in`` (the base of the convective zone, 0.713 R_sun from helioseismology, Basu &
    Antia, MNRAS 287, 189 (1997)), rising linearly to ``b0`` [eV^2] at ``r_peak`` and falling
    linearly to 0 at ``r_out``: a triangular convective-zone profile of the kind used in
    solar RSFP fits (Akhmedov & Pulido, PLB 553, 7 (2003)); their exact profiles are not
    reproduced here, and any other shape can be passed as a callable."""
    citations.register("AkhmedovPulido2003")
    if not 0 <= r_in < r_peak < r_out:
        raise ProfileError(f"need 0 <= r_in < r_peak < r_out, got {r_in}, {r_peak}, {r_out}")

    def f(x):
        x = np.asarray(x, dtype=float)
        up = (x - r_in) / (r_peak - r_in)
        down = (r_out - x) / (r_out - r_peak)
        return b0 * np.clip(np.minimum(up, down), 0.0, None)

    return f


# --- the Sun ---------------------------------------------------------------------------
#: hydrogen mass fraction used for n_n/n_e in the Sun: the present-day photospheric value
#: X = 0.7381 of Asplund, Grevesse, Sauval & Scott, ARA&A 47, 481 (2009), Table 4.  The core
#: (X ~ 0.35 at the centre) has relatively more neutrons; this matters only for the
#: neutral-current difference between active and sterile states deep inside.
SUN_X_HYDROGEN = 0.7381


def sun(b_perp: Field | float = 0.0, twist: Field | float = 0.0, start: float = 0.05,
        end: float = 1.0, x_hydrogen: float = SUN_X_HYDROGEN) -> Profile:
    """The Sun from r = start R_sun to end R_sun (path coordinate x = r in eV^-1).

    n_e: Bahcall's exponential fit (:func:`nuem.mixing.solar_electron_density`).
    n_n = n_e (1 - X)/(1 + X) for hydrogen plus helium-4 of hydrogen mass fraction X.
    ``b_perp`` and ``twist`` are numbers [eV^2], [eV] or callables of r/R_sun (for example
    :func:`convective_zone_field`).
    """
    citations.register("Bahcall1989")
    citations.register("Asplund2009")
    if not 0 <= start < end <= 1:
        raise ProfileError(f"need 0 <= start < end <= 1 (units of R_sun), got {start}, {end}")
    R = R_SUN_KM * km
    ratio = (1.0 - x_hydrogen) / (1.0 + x_hydrogen)
    bf = _as_field("b_perp", b_perp, False)
    tf = _as_field("twist", twist, False)
    return Profile(start * R, end * R,
                   n_e=lambda r: mixing.solar_electron_density(np.asarray(r) / R),
                   n_n=lambda r: ratio * mixing.solar_electron_density(np.asarray(r) / R),
                   b_perp=lambda r: bf(np.asarray(r) / R),
                   twist=lambda r: tf(np.asarray(r) / R), name="sun")


# --- supernova ---------------------------------------------------------------------------
def supernova(model: str = "pre-explosion", r_start_km: float = 100.0, r_end_km: float = 1e5,
              rho0_gcc: float = 1e10, r0_km: float = 100.0, ye_core: float = 0.46,
              ye_envelope: float = 0.5, r_fe_km: float = 1500.0, fe_width_km: float = 20.0,
              b_perp: Field | float = 0.0, twist: Field | float = 0.0,
              shock_km: float = 5000.0, shock_jump: float = 10.0) -> Profile:
    """A supernova envelope along a radial path (x = r in eV^-1).

    ``pre-explosion``: rho = rho0 (r0/r)^3 (Dighe & Smirnov 2000, Sec. II: rho r^3 =
    10^13 C (10 km)^3 g/cm^3 with C of order 1-15; the default rho0 = 1e10 g/cm^3 at
    100 km is C = 10).  Y_e = ye_core inside the iron core and ye_envelope outside, joined by
    a tanh step of width ``fe_width_km`` at ``r_fe_km``: the neutron excess of the core is
    what makes the nu_e <-> nu-bar_{mu,tau} resonance possible at all (Totani & Sato 1996;
    Ando & Sato 2003).  The core values are model dependent; pass those of your progenitor.

    ``post-bounce``: rho = rho0 (r0/r)^2.4 outside a forward shock at ``shock_km`` and
    ``shock_jump`` times that inside it (the shape of Fogli et al. 2005, without
    their time dependence; give the shock radius for the time you want).

    Fields are numbers [eV^2], [eV] or callables of r [eV^-1] (:func:`power_law_field`).
    """
    citations.register("DigheSmirnov2000")
    if model not in ("pre-explosion", "post-bounce"):
        raise ProfileError(f"model={model!r} is not one of pre-explosion, post-bounce")
    for nm, v in (("ye_core", ye_core), ("ye_envelope", ye_envelope)):
        if not 0 < v <= 1:
            raise ProfileError(f"{nm}={v!r} must lie in (0, 1]")
    if rho0_gcc < 0:
        raise ProfileError(f"rho0={rho0_gcc!r} g/cm^3 must be >= 0")
    if not 0 < r_start_km < r_end_km:
        raise ProfileError(f"need 0 < r_start < r_end, got {r_start_km}, {r_end_km} km")
    r0 = r0_km * km
    rfe, wfe = r_fe_km * km, fe_width_km * km
    breaks: tuple[float, ...] = ()
    if model == "pre-explosion":
        citations.register("TotaniSato1996")

        def rho(r):
            return rho0_gcc * (r0 / np.asarray(r, dtype=float)) ** 3
    else:
        citations.register("Fogli2005")
        rs = shock_km * km
        breaks = (rs,)

        def rho(r):
            r = np.asarray(r, dtype=float)
            return rho0_gcc * (r0 / r) ** 2.4 * np.where(r < rs, shock_jump, 1.0)

    def ye(r):
        t = 0.5 * (1.0 + np.tanh((np.asarray(r, dtype=float) - rfe) / wfe))
        return ye_core + (ye_envelope - ye_core) * t

    return Profile(r_start_km * km, r_end_km * km,
                   n_e=lambda r: electron_density(rho(r), ye(r)),
                   n_n=lambda r: electron_density(rho(r), 1.0 - ye(r)),
                   b_perp=b_perp, twist=twist, name=f"supernova ({model})", breaks=breaks,
                   meta={"rho": rho, "ye": ye})
