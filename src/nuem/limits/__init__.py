"""The published-limits database (``published.yaml``) and nuem's own theory expectations.

:func:`load` reads and validates every entry (schema in the file header);
:func:`select` filters; :func:`theory_expectations` computes the Standard-Model Dirac
moment and the Bell et al. naturalness bound with :mod:`nuem.theory` for the global plot.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml

from nuem._errors import NuemValueError, require_choice

KINDS = ("experiment", "astrophysics", "cosmology", "theory")
QUANTITIES = ("mu", "charge-radius", "millicharge")
UNITS = {"mu": "mu_B", "charge-radius": "cm^2", "millicharge": "e"}
MOMENTS = ("solar-effective", "reactor-nuebar-e", "accelerator-nu-mu", "accelerator-nu-tau",
           "flavour-universal", "dirac-diagonal", "majorana-transition", "nu-e", "nu-mu",
           "nu-tau")
CHECKED = ("abstract", "secondary", "unchecked")
_REQUIRED = ("id", "experiment", "kind", "quantity", "moment", "value", "unit", "cl", "year",
             "reference", "arxiv", "checked")


class LimitsFileError(NuemValueError):
    """An entry of the limits database breaks the schema (the message names it)."""


@dataclass(frozen=True)
class Limit:
    id: str
    experiment: str
    kind: str
    quantity: str
    moment: str
    value: float
    unit: str
    cl: float | None
    year: int
    reference: str
    arxiv: str | None
    checked: str
    interval: tuple[float, float] | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["interval"] = list(self.interval) if self.interval else None
        return d


def validate(entries: Any, where: str = "published.yaml") -> list[Limit]:
    """Check every entry against the schema; return them as :class:`Limit` objects."""
    if not isinstance(entries, list):
        raise LimitsFileError(f"{where}: the top level must be a list of entries")
    out, seen = [], set()
    for i, e in enumerate(entries):
        w = f"{where} entry {i} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
        if not isinstance(e, dict):
            raise LimitsFileError(f"{w}: must be a mapping")
        for k in _REQUIRED:
            if k not in e:
                raise LimitsFileError(f"{w}: missing field {k!r}")
        unknown = set(e) - set(_REQUIRED) - {"interval", "note"}
        if unknown:
            raise LimitsFileError(f"{w}: unknown fields {sorted(unknown)}")
        if e["id"] in seen:
            raise LimitsFileError(f"{w}: duplicate id")
        seen.add(e["id"])
        for key, allowed in (("kind", KINDS), ("quantity", QUANTITIES), ("moment", MOMENTS),
                             ("checked", CHECKED)):
            if e[key] not in allowed:
                raise LimitsFileError(f"{w}: {key}={e[key]!r} is not one of {', '.join(allowed)}")
        if e["unit"] != UNITS[e["quantity"]]:
            raise LimitsFileError(f"{w}: unit={e['unit']!r} must be {UNITS[e['quantity']]!r} "
                                  f"for quantity {e['quantity']!r}")
        v = e["value"]
        if not isinstance(v, (int, float)) or not np.isfinite(v) or v <= 0:
            raise LimitsFileError(f"{w}: value={v!r} must be a positive number")
        cl = e["cl"]
        if cl is not None and not (isinstance(cl, float) and 0 < cl < 1):
            raise LimitsFileError(f"{w}: cl={cl!r} must be a fraction in (0, 1) or null")
        if not isinstance(e["year"], int) or not 1950 <= e["year"] <= 2100:
            raise LimitsFileError(f"{w}: year={e['year']!r} is not a year")
        if e["arxiv"] is not None and not isinstance(e["arxiv"], str):
            raise LimitsFileError(f"{w}: arxiv must be a string id or null")
        iv = e.get("interval")
        if iv is not None:
            if (not isinstance(iv, list) or len(iv) != 2 or not iv[0] < iv[1]
                    or not np.isclose(max(abs(iv[0]), abs(iv[1])), v, rtol=1e-9, atol=0.0)):
                raise LimitsFileError(f"{w}: interval={iv!r} must be [lo, hi] with "
                                      "max(|lo|, |hi|) = value")
        out.append(Limit(e["id"], e["experiment"], e["kind"], e["quantity"], e["moment"],
                         float(v), e["unit"], cl, e["year"], e["reference"], e["arxiv"],
                         e["checked"], tuple(map(float, iv)) if iv else None, e.get("note", "")))
    return out


def load() -> list[Limit]:
    """Every entry of the shipped database, validated."""
    return list(_load_shipped())


@functools.lru_cache(maxsize=1)
def _load_shipped() -> tuple[Limit, ...]:
    """The shipped database parsed (libyaml's loader where available) and validated once
    per process; the entries are frozen."""
    text = resources.files("nuem.limits").joinpath("published.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return tuple(validate(yaml.load(text, Loader=loader)))


def select(quantity: str | None = None, kind: str | None = None) -> list[Limit]:
    """Entries filtered by quantity and kind, newest first."""
    if quantity is not None:
        require_choice("type", quantity, QUANTITIES)
    if kind is not None:
        require_choice("kind", kind, KINDS)
    rows = [x for x in load() if (quantity is None or x.quantity == quantity)
            and (kind is None or x.kind == kind)]
    return sorted(rows, key=lambda x: (-x.year, x.value))


def theory_expectations(m_nu=(0.01, 0.8), scale_TeV: float = 1.0,
                        delta_m: float = 1.0) -> dict[str, Any]:
    """Theory reference values computed by nuem (mu_B):

    * ``sm``: the Dirac SM moment for m_nu in the range ``m_nu`` [eV]
      (:func:`nuem.theory.sm.dirac_magnetic_moment`);
    * ``naturalness``: Bell et al. (2005) Eq. (27) bound for Lambda = ``scale_TeV`` and
      delta m = ``delta_m`` eV (:func:`nuem.theory.naturalness.bound`, leading-log, r = 0).
    """
    from nuem.theory import naturalness, sm
    from nuem.units import TeV

    lo, hi = (float(x) for x in sm.dirac_magnetic_moment(np.asarray(m_nu, float)))
    nat = float(naturalness.bound(scale_TeV * TeV, delta_m=delta_m, r=0.0))
    return {"sm": {"range": (lo, hi), "m_nu_eV": tuple(map(float, m_nu)),
                   "label": f"SM Dirac, m_nu = {m_nu[0]:g}-{m_nu[1]:g} eV"},
            "naturalness": {"value": nat, "label": f"Dirac naturalness, Lambda = {scale_TeV:g} TeV, "
                            f"dm = {delta_m:g} eV"}}
