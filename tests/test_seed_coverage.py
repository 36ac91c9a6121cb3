"""docs/seed-coverage.md: every equation and number of the two source texts is accounted for.

The coverage tables are parsed here: every row must name tests that exist, or say
"implemented, not tested against this number" (naming the nuem code), or give a
"not implemented:" reason; every ``nuem.`` name and every limits-database entry a row
names must exist; the summary line must match the tables.

The second half checks the numbers of the seminar (S. Jana, "Exploring Electromagnetic
Properties of Neutrinos", FLASY 2024) and of Bell et al., PRL 95, 151802 (2005), that
the limits database should carry.  The values are typed here from the source texts.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import lru_cache
from pathlib import Path

import pytest

from nuem import limits

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "seed-coverage.md"

TESTED = "tested"
UNTESTED = "implemented, not tested against this number"
MISSING = "not implemented:"
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::([\w:]+(?:\[[^\]]*\])?)")
NUEM_NAME = re.compile(r"`(nuem(?:\.\w+)+)`")
ENTRY = re.compile(r"entry `([\w.-]+)`")


def _cells(line: str) -> list[str]:
    """Cells of a markdown table row (escaped pipes stay inside a cell)."""
    body = line.strip()
    assert body.startswith("|") and body.endswith("|"), line
    return [c.strip() for c in re.split(r"(?<!\\)\|", body[1:-1])]


@lru_cache(maxsize=1)
def _tables() -> dict[str, list[list[str]]]:
    """{table heading: rows (cells)}, header and separator rows dropped."""
    tables: dict[str, list[list[str]]] = {}
    current = None
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            tables[current] = []
        elif current is not None and line.strip().startswith("|"):
            cells = _cells(line)
            if cells[0] in ("ID",) or set(cells[0]) <= set("-: "):
                continue
            tables[current].append(cells)
    return tables


def _rows() -> list[list[str]]:
    return [r for rows in _tables().values() for r in rows]


def _status(row: list[str]) -> str:
    last = row[-1]
    if last.startswith(MISSING):
        return MISSING
    if last.startswith(UNTESTED):
        return UNTESTED
    if last.startswith("tests/"):
        return TESTED
    raise AssertionError(f"row {row[0]}: last column must start with a tests/...py::name "
                         f"reference, {UNTESTED!r} or {MISSING!r}, got {last[:60]!r}")


@lru_cache(maxsize=None)
def _test_names(path: str) -> frozenset[str]:
    """Names defined in a test file: module-level functions and Class::method."""
    tree = ast.parse((ROOT / path).read_text("utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}::{sub.name}")
    return frozenset(names)


def _resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and get the rest as attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_doc_has_both_tables_with_rows():
    t = _tables()
    paper = [k for k in t if "Bell" in k]
    seminar = [k for k in t if "Jana" in k]
    assert len(paper) == 1 and len(seminar) == 1, list(t)
    assert len(t[paper[0]]) >= 27 and len(t[seminar[0]]) >= 30
    ids = [r[0] for r in _rows()]
    assert len(ids) == len(set(ids)), "duplicate row IDs"
    # every numbered equation (1)-(27) of the paper has a row
    text = " ".join(r[1] for r in t[paper[0]])
    eqs = set()
    for a, b in re.findall(r"Eqs?\. \((\d+)\)(?:-\((\d+)\))?", text):
        eqs.update(range(int(a), int(b or a) + 1))
    assert set(range(1, 28)) <= eqs, sorted(set(range(1, 28)) - eqs)


def test_every_row_has_a_test_or_a_reason():
    for row in _rows():
        assert len(row) == 4, f"row {row[0]} has {len(row)} cells, not 4"
        st = _status(row)
        if st == TESTED:
            assert TEST_REF.search(row[-1]), row[0]
        elif st == MISSING:
            assert len(row[-1]) > len(MISSING) + 10, f"row {row[0]}: give the reason"
        else:
            assert NUEM_NAME.search(row[2]), f"row {row[0]}: name the code that implements it"
            assert len(row[-1]) > len(UNTESTED) + 10, f"row {row[0]}: say why it is untested"


def test_every_referenced_test_exists():
    refs = [(r[0], m.group(1), m.group(2)) for r in _rows()
            for m in TEST_REF.finditer(" ".join(r))]
    assert refs
    for row_id, path, name in refs:
        assert (ROOT / path).is_file(), f"row {row_id}: no file {path}"
        base = name.split("[", 1)[0]
        assert base in _test_names(path), f"row {row_id}: {path}::{base} does not exist"


def test_every_named_nuem_object_exists():
    named = [d for row in _rows() for d in NUEM_NAME.findall(" ".join(row[1:]))]
    assert named, "docs/seed-coverage.md names no nuem object"
    for row in _rows():
        for dotted in NUEM_NAME.findall(" ".join(row[1:])):
            try:
                _resolve(dotted)
            except (ImportError, AttributeError) as exc:
                raise AssertionError(f"row {row[0]}: {dotted} does not resolve ({exc})") from exc


def test_every_named_limits_entry_exists():
    ids = {e.id for e in limits.load()}
    named = [(r[0], m) for r in _rows() for m in ENTRY.findall(" ".join(r))]
    assert named
    for row_id, entry in named:
        assert entry in ids, f"row {row_id}: no entry {entry!r} in published.yaml"


def test_summary_line_matches_the_tables():
    m = re.search(r"Summary: (\d+) rows; (\d+) tested; (\d+) implemented, not tested against "
                  r"this number; (\d+) not implemented\.", DOC.read_text("utf-8"))
    assert m, "summary line missing"
    counts = {TESTED: 0, UNTESTED: 0, MISSING: 0}
    for row in _rows():
        counts[_status(row)] += 1
    assert tuple(int(x) for x in m.groups()) == (
        len(_rows()), counts[TESTED], counts[UNTESTED], counts[MISSING]), counts


# --------------------------------------------------------------------------------------
# The limits database against the numbers of the source texts (typed from the texts).

def _entries(quantity: str, kind: str | None = None, moment: str | None = None,
             words: tuple[str, ...] = ()) -> list[limits.Limit]:
    out = [e for e in limits.load() if e.quantity == quantity
           and (kind is None or e.kind == kind) and (moment is None or e.moment == moment)
           and all(w.lower() in e.experiment.lower() for w in words)]
    assert out, f"no {quantity} entry ({kind}, {moment}, {words}) in published.yaml"
    return out


def _has_value(entries: list[limits.Limit], value: float, rel: float = 1e-9) -> bool:
    return any(e.value == pytest.approx(value, rel=rel, abs=0) for e in entries)


def test_db_red_giant_seminar():
    """Seminar: 'the best limit on mu_nu arises from red giant branch of globular clusters:
    mu_nu < 1.5e-12 mu_B' (Raffelt et al. 2013, 2021)."""
    assert _has_value(_entries("mu", "astrophysics", words=("red-giant",)), 1.5e-12)


def test_db_left_right_seminar():
    """Seminar: left-right symmetric models, 'mu_nu < 1e-15 mu_B'."""
    assert _has_value(_entries("mu", "theory", words=("left-right",)), 1e-15)


def test_db_susy_seminar():
    """Seminar: supersymmetric models, 'of the order at most about 1e-15 mu_B'."""
    assert _has_value(_entries("mu", "theory", words=("supersymmetric",)), 1e-15)


def test_db_sm_majorana_transition_seminar():
    """Seminar: SM Majorana transition moments 'at most of order 1e-23 mu_B'."""
    assert _has_value(_entries("mu", "theory", "majorana-transition"), 1e-23)


def test_db_sm_dirac_seminar():
    """Seminar: Fujikawa-Shrock 3e-20 mu_B (m_nu/0.1 eV); the entry is at m_nu = 0.1 eV
    and agrees to the seminar's one significant figure."""
    e = _entries("mu", "theory", "dirac-diagonal", words=("Standard Model",))
    assert _has_value(e, 3e-20, rel=0.1)


def test_db_millicharge_star_turning_seminar():
    """Seminar: 'q_nu <= 1e-19 e from astrophysical limit (neutrino star turning)'."""
    assert _has_value(_entries("millicharge", "astrophysics", words=("star turning",)), 1e-19)


def test_db_millicharge_reactor_seminar():
    """Seminar: 'q_nu <= 1.5e-11 e from reactor neutrino constraint'."""
    assert _has_value(_entries("millicharge", moment="reactor-nuebar-e"), 1.5e-11)


def test_db_neutrality_seminar():
    """Seminar: 'q_nu ~ 1e-21 e from neutrality of the hydrogen atom' (one order); the
    database's neutrality-of-matter bound must lie within a factor 3 of it."""
    e = _entries("millicharge", words=("neutrality",))
    assert any(max(x.value / 1e-21, 1e-21 / x.value) <= 3 * (1 + 1e-12) for x in e), \
        [x.value for x in e]


@pytest.mark.parametrize("moment, lo, hi", [
    ("nu-e", -2.6e-33, 6.6e-32),
    ("nu-mu", -5.2e-33, 6.8e-33),
])
def test_db_charge_radius_ccfr_charm2_seminar(moment, lo, hi):
    """Seminar: 'the best constraints (in cm^2) come from CCFR and CHARM-II:
    -2.6e-33 < <r^2_nu_e> < 6.6e-32, -5.2e-33 < <r^2_nu_mu> < 6.8e-33'."""
    e = [x for x in _entries("charge-radius", "experiment", moment) if x.interval]
    assert any(x.interval[0] == pytest.approx(lo, rel=1e-9, abs=0)
               and x.interval[1] == pytest.approx(hi, rel=1e-9, abs=0) for x in e), \
        [x.interval for x in e]


@pytest.mark.parametrize("moment, value", [("nu-e", 4.1e-33), ("nu-mu", 2.4e-33),
                                           ("nu-tau", 1.5e-33)])
def test_db_sm_charge_radius_seminar(moment, value):
    """Seminar: <r^2_nu_e>_SM = 4.1e-33, <r^2_nu_mu>_SM = 2.4e-33, <r^2_nu_tau>_SM = 1.5e-33 cm^2."""
    assert _has_value(_entries("charge-radius", "theory", moment), value)


def test_db_reactor_limit_bell2005():
    """Bell et al. 2005: '|mu_nu| <~ 0.9e-10 mu_B (reactor)' (MUNU, hep-ex/0502037)."""
    e = _entries("mu", "experiment", "reactor-nuebar-e", words=("MUNU",))
    assert _has_value(e, 0.9e-10)


def test_db_naturalness_bound_bell2005():
    """Bell et al. 2005, after Eq. (27): '|mu_nu| <~ 8e-15 mu_B'."""
    assert _has_value(_entries("mu", "theory", words=("naturalness",)), 8e-15)


def test_db_paper_solar_limit_beacom_vogel():
    """Bell et al. 2005: '|mu_nu| <~ 1.5e-10 mu_B (solar)' (Beacom & Vogel 1999)."""
    assert _has_value(_entries("mu", "experiment", "solar-effective", words=("Beacom",)), 1.5e-10)


def test_db_paper_astrophysical_limit_raffelt():
    """Bell et al. 2005: 'from the analysis performed in Ref. [5], |mu_nu| <~ 3e-12 mu_B'."""
    assert _has_value(_entries("mu", "astrophysics"), 3e-12)


def test_db_seminar_bbn():
    """Seminar: 'Cosmological limits arising from big bang nucleosynthesis ... of order 1e-10'."""
    assert _has_value(_entries("mu", "cosmology", words=("nucleosynthesis",)), 1e-10)
