"""The published-limits database and the global picture (issue 4)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from nuem import limits
from nuem.limits import LimitsFileError


def test_database_validates_and_covers_required_results():
    """Issue 4 asks at least for these experiments and arguments."""
    rows = limits.load()
    names = " ".join(r.experiment for r in rows)
    for must in ("XENONnT", "LZ", "PandaX", "XENON1T", "Borexino", "GEMMA", "TEXONO", "CONUS",
                 "MUNU", "Super-Kamiokande", "red-giant", "globular", "white", "SN 1987A",
                 "N_eff", "Standard Model", "naturalness", "left-right", "supersymmetric"):
        assert must in names, must
    kinds = {r.kind for r in rows}
    assert kinds == set(limits.KINDS)
    assert {r.quantity for r in rows} == set(limits.QUANTITIES)


def test_every_entry_is_cited():
    for r in limits.load():
        assert r.reference.strip()
        assert r.arxiv is None or re.fullmatch(r"(\d{4}\.\d{4,5}|[a-z-]+/\d{7})", r.arxiv), r.id
        assert r.cl is None or 0 < r.cl < 1


def test_xenonnt_entry_matches_dataset_published_value():
    from nuem.stats import datasets

    entry = {r.id: r for r in limits.load()}["xenonnt-2022"]
    assert datasets.load("xenonnt-2022").published["mu"]["limit"] == entry.value


@pytest.mark.parametrize("bad,msg", [
    ({"value": -1.0}, "value"),
    ({"unit": "e"}, "unit"),
    ({"kind": "rumour"}, "kind"),
    ({"cl": 90}, "cl"),
    ({"interval": [1e-11, 2e-11]}, "interval"),
    ({"colour": "red"}, "unknown"),
])
def test_schema_rejects_bad_entries(bad, msg):
    good = {"id": "x", "experiment": "X", "kind": "experiment", "quantity": "mu",
            "moment": "solar-effective", "value": 1e-11, "unit": "mu_B", "cl": 0.9, "year": 2020,
            "reference": "ref", "arxiv": None, "checked": "abstract"}
    limits.validate([good])
    with pytest.raises(LimitsFileError, match=msg):
        limits.validate([{**good, **bad}])
    with pytest.raises(LimitsFileError, match="duplicate"):
        limits.validate([good, good])
    with pytest.raises(LimitsFileError, match="missing"):
        limits.validate([{k: v for k, v in good.items() if k != "year"}])


def test_theory_expectations_are_computed():
    """Computed by nuem.theory, not read from the file: SM Dirac moment 3.2e-19 (m/eV) mu_B
    (Fujikawa & Shrock 1980, as quoted in Beda et al. arXiv:0705.4576 Eq. 1: '~3e-19') and
    the Bell et al. bound at 1 TeV (issue 2: 9.65e-15 with PDG 2024 inputs)."""
    th = limits.theory_expectations(m_nu=(0.1, 1.0))
    assert th["sm"]["range"][1] == pytest.approx(3.2e-19, rel=0.01, abs=0)
    assert th["sm"]["range"][0] == pytest.approx(th["sm"]["range"][1] / 10, rel=1e-12, abs=0)
    assert th["naturalness"]["value"] == pytest.approx(9.65e-15, rel=0.01, abs=0)


@pytest.mark.slow
def test_cli_limits_and_global_plot(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nuem", "limits", "--type", "millicharge", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)["limits"]
    assert d and all(x["quantity"] == "millicharge" for x in d)
    out = tmp_path / "global.png"
    r = subprocess.run([sys.executable, "-m", "nuem", "plot", "global", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 20000
    r = subprocess.run([sys.executable, "-m", "nuem", "limits", "--type", "anapole"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2


def test_shipped_file_is_plain_yaml_list():
    from importlib import resources

    text = resources.files("nuem.limits").joinpath("published.yaml").read_text("utf-8")
    assert isinstance(yaml.safe_load(text), list)
