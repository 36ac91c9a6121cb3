"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no
docstring the API pages cannot render, the CLI reference generated from the click group)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import nuem

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install '.[docs]')")
    pytest.importorskip("mkdocstrings")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    src = str(Path(nuem.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                          str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    cli = (tmp_path / "site" / "cli" / "index.html").read_text(encoding="utf-8")
    for command in ("report", "bound", "limit", "sfp", "spectrum"):
        assert f"nuem {command}" in cli
    assert (tmp_path / "site" / "tutorials" / "naturalness" / "index.html").is_file()
