"""Every example of docs/datasets.md runs (issue 22, must show 5).

The markdown marks each example file with ``<!-- file: PATH -->`` before its fenced block;
this test writes them all to a folder, loads every dataset, fits a limit from each (and
the joint example jointly, through the CLI), and runs the page's Python block there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nuem.stats import datasets, likelihood
from nuem.stats import limits as lim

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"
_BLOCK = re.compile(r"(?:<!-- file: (?P<path>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```",
                    re.S)


def _blocks():
    return [(m["path"], m["lang"], m["body"]) for m in _BLOCK.finditer(DOC.read_text())]


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("doc_examples")
    for path, _, body in _blocks():
        if path:
            f = root / path
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(body)
    return root


def test_every_data_block_is_a_fixture():
    """No YAML or CSV block of the page escapes the tests: each has a file marker."""
    blocks = _blocks()
    assert sum(1 for p, _, _ in blocks if p) >= 10
    for path, lang, body in blocks:
        if lang in ("yaml", "csv"):
            assert path, f"unmarked {lang} block: {body[:60]!r}"


def _datasets(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml"))


def test_every_example_dataset_loads_and_fits(examples):
    files = _datasets(examples)
    assert len(files) == 6
    for f in files:
        ds = datasets.load(f)
        r = lim.upper_limit(likelihood.Model(ds, ("mu",)), "mu", 0.9)
        assert 1e-12 < r.limit < 1e-9, f
        assert set(r.extra["nuisances"]["at_limit"]) == set(r.extra["nuisances"]["best_fit"])


def test_example_forms_are_read_as_documented(examples):
    """The eV events with a column map, the centre+width bins and the eV edges of the
    counts template come out in keV; counts per bin are reproduced exactly."""
    ev = datasets.load(examples / "unbinned" / "dataset.yaml")
    assert ev.events[0] == pytest.approx(1.2100) and len(ev.events) == 17
    bc = datasets.load(examples / "binned-counts" / "dataset.yaml")
    assert list(bc.edges) == pytest.approx([1, 2, 3, 4, 5, 6, 7, 8, 9])
    m = likelihood.Model(bc, ("mu",))
    x = m.start()
    x[m.param_index("mu")] = 0.0
    sm = likelihood.Model(bc, ("mu",)).expected_binned(x) - [10, 11, 11, 12, 12, 12, 13, 13]
    assert sm == pytest.approx(m._sig_bins[0], rel=1e-12)  # only the added SM rate remains
    sh = likelihood.Model(datasets.load(examples / "shapes" / "dataset.yaml"), ("mu",))
    assert "energy_scale" in sh.names and sum(n.startswith("staterror_betas[") for n in sh.names) == 6


def test_joint_example_on_the_cli(examples):
    r = subprocess.run([sys.executable, "-m", "nuem", "limit", str(examples / "joint/run1.yaml"),
                        str(examples / "joint/run2.yaml"), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["datasets"] == ["run1", "run2"]
    assert "radon" in out["nuisances"]["best_fit"]  # shared by name
    assert "run1/b_materials" in out["nuisances"]["best_fit"]  # separate
    assert "run2/b_materials" in out["nuisances"]["best_fit"]


def test_python_block_runs(examples):
    code = [b for p, lang, b in _blocks() if lang == "python"]
    assert code
    cwd = os.getcwd()
    try:
        os.chdir(examples)
        for c in code:
            exec(compile(c, str(DOC), "exec"), {})
    finally:
        os.chdir(cwd)
