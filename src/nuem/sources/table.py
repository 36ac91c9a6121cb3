"""A neutrino flux given by the user as a table: E [MeV], dPhi/dE [cm^-2 s^-1 MeV^-1].

The file is plain text, two columns (whitespace or comma separated) per line: the
neutrino energy E in MeV and the differential flux dPhi/dE *at the detector* in
cm^-2 s^-1 MeV^-1.  Lines starting with '#' are comments; two header keys are read from
them (case-insensitive), ``# flavour: e|mu|tau`` and ``# anti: true|false``, giving the
flavour the flux consists of.  Arguments to :meth:`TableSource.from_file` take precedence
over the header; without either the flux is nu_e.

Conventions (stated once here):

* Support: [E_first, E_last] of the table.  The flux is zero outside it; nothing is
  extrapolated (the user's table defines the source).
* Interpolation: a power law (linear in log E - log dPhi/dE) on every interval whose two
  end values are positive; linear in E on an interval with a zero end (so a spectrum may
  end at zero flux).  The total flux is the exact integral of that interpolant.
* Propagation: none.  The flux is taken to arrive as the flavour it is declared to be
  (P(alpha -> beta) = delta_alpha beta): the table is already the flux at the detector.
  For the magnetic-moment rate the effective moment is then the coherent
  mu_eff^2 = sum_j |sum_k U_alpha k lambda_kj|^2 at zero baseline
  (:meth:`nuem.moments.MomentMatrix.mu2_coherent`, Giunti & Studenikin, RMP 87, 531
  (2015)).

Malformed files (unreadable, non-numeric entries, one or three columns, NaN or infinity,
E <= 0, E not strictly increasing, negative flux, fewer than two rows, zero total flux)
raise :class:`FluxFileError` naming the file and the line.  Units inside: E in eV, the
flux density in eV^2 (natural units), the integrated flux in eV^3.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from nuem._errors import NuemValueError, require_choice
from nuem.data import read_xy_table
from nuem.sources.base import Component, Source
from nuem.units import MeV, per_cm2_s_MeV

FLAVOURS: tuple[str, ...] = ("e", "mu", "tau")
_KEY = re.compile(r"^#\s*(flavour|flavor|anti)\s*[:=]\s*(\S+)\s*$", re.IGNORECASE)
_COLUMNS = "E [MeV] and dPhi/dE [cm^-2 s^-1 MeV^-1], E > 0 increasing, dPhi/dE >= 0"
_TRUE = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class FluxFileError(NuemValueError):
    """A user flux table is malformed (the message names the file and the line)."""


def _segment_integrals(E: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Exact integral of the interpolant (module docstring) over each interval."""
    e0, e1, f0, f1 = E[:-1], E[1:], f[:-1], f[1:]
    out = 0.5 * (f0 + f1) * (e1 - e0)  # linear intervals (a zero end)
    pos = (f0 > 0) & (f1 > 0)
    if np.any(pos):
        r = np.log(e1[pos] / e0[pos])
        k1 = np.log(f1[pos] / f0[pos]) / r + 1.0  # power k + 1
        x = k1 * r
        # f0 e0 ((e1/e0)^(k+1) - 1)/(k+1) = f0 e0 r (e^x - 1)/x, stable at k = -1
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(np.abs(x) > 1e-12, np.expm1(x) / np.where(x == 0, 1.0, x), 1.0 + 0.5 * x)
        out[pos] = f0[pos] * e0[pos] * r * g
    return out


def interpolate(E_nodes: np.ndarray, f_nodes: np.ndarray, E) -> np.ndarray:
    """The table interpolant (log-log on positive intervals, else linear) at E; zero
    outside [E_nodes[0], E_nodes[-1]]."""
    E = np.asarray(E, dtype=float)
    inside = (E >= E_nodes[0]) & (E <= E_nodes[-1])
    E = np.clip(E, E_nodes[0], E_nodes[-1])  # evaluate inside only (no overflow outside)
    i = np.clip(np.searchsorted(E_nodes, E, side="right") - 1, 0, len(E_nodes) - 2)
    e0, e1, f0, f1 = E_nodes[i], E_nodes[i + 1], f_nodes[i], f_nodes[i + 1]
    pos = (f0 > 0) & (f1 > 0)
    t = (E - e0) / (e1 - e0)
    lin = f0 + (f1 - f0) * t
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.log(np.where(pos, f1, 1.0) / np.where(pos, f0, 1.0)) / np.log(e1 / e0)
        pw = np.where(pos, f0, 0.0) * np.power(E / e0, k)
    return np.where(inside, np.where(pos, pw, lin), 0.0)


class TableSource(Source):
    """A flux table (module docstring).  ``E`` [eV] strictly increasing and > 0,
    ``dphi_dE`` [eV^2] >= 0, not all zero; ``flavour`` e, mu or tau; ``anti`` for
    antineutrinos.  Use :meth:`from_file` for the text format."""

    def __init__(self, E, dphi_dE, flavour: str = "e", anti: bool = False,
                 name: str = "table", where: str = "flux table") -> None:
        require_choice("flavour", flavour, FLAVOURS)
        E = np.asarray(E, dtype=float)
        f = np.asarray(dphi_dE, dtype=float)
        if E.ndim != 1 or f.shape != E.shape or len(E) < 2:
            raise FluxFileError(f"{where}: needs two equal columns of at least 2 rows, "
                                f"got {E.shape} and {f.shape}")
        if not (np.all(np.isfinite(E)) and np.all(np.isfinite(f))):
            raise FluxFileError(f"{where}: contains NaN or infinity")
        if np.any(E <= 0) or np.any(np.diff(E) <= 0):
            raise FluxFileError(f"{where}: energies must be > 0 and strictly increasing")
        if np.any(f < 0):
            raise FluxFileError(f"{where}: dPhi/dE={f.min():g} must be >= 0")
        seg = _segment_integrals(E, f)
        total = float(np.sum(seg))
        if not total > 0:
            raise FluxFileError(f"{where}: the flux is zero everywhere")
        self.E, self.dphi_dE, self.total = E, f, total
        self.flavour, self.anti = flavour, bool(anti)
        self.name = name

    @classmethod
    def from_file(cls, path: str | Path, flavour: str | None = None,
                  anti: bool | None = None) -> "TableSource":
        """Read the text format of the module docstring (E [MeV], dPhi/dE
        [cm^-2 s^-1 MeV^-1]); ``flavour``/``anti`` override the header keys."""
        where = f"flux file {str(path)!r}"
        E, v, comments = read_xy_table(path, "flux", _COLUMNS, x="E", x_unit="MeV",
                                       y="dPhi/dE", error=FluxFileError)
        head: dict[str, str] = {}
        for line in comments:
            m = _KEY.match(line.strip())
            if m:
                head[m.group(1).lower().replace("flavor", "flavour")] = m.group(2).lower()
        if flavour is None:
            flavour = head.get("flavour", "e")
            if flavour not in FLAVOURS:
                raise FluxFileError(f"{where}: header flavour={flavour!r} is not one of "
                                    f"{', '.join(FLAVOURS)}")
        if anti is None:
            a = head.get("anti", "false")
            if a not in _TRUE:
                raise FluxFileError(f"{where}: header anti={a!r} must be true or false")
            anti = _TRUE[a]
        return cls(np.asarray(E) * MeV, np.asarray(v) * per_cm2_s_MeV, flavour, anti,
                   name=Path(str(path)).name, where=where)

    def components(self) -> list[Component]:
        E, f, total = self.E, self.dphi_dE, self.total

        def shape(x):
            return interpolate(E, f, x) / total

        return [Component(self.name, total, float(E[-1]), shape, nodes=E, e_min=float(E[0]))]

    def arrival(self, E, component: Component) -> dict[str, np.ndarray]:
        """No oscillation: P(alpha -> beta) = delta (module docstring)."""
        E = np.asarray(E, dtype=float)
        P = np.zeros(E.shape + (3,))
        P[..., FLAVOURS.index(self.flavour)] = 1.0
        return {"flavour": P}

    def mu2(self, E, component: Component, moments) -> np.ndarray:
        """Effective mu^2 [mu_B^2] of the unoscillated (anti)nu_alpha beam."""
        E = np.asarray(E, dtype=float)
        return np.full(E.shape, float(moments.mu2_coherent(self.flavour, anti=self.anti)))
