"""Every code block of the tutorials (docs/tutorials/*.md) runs: the python blocks of a
page in order in one fresh interpreter, each bash line that calls ``nuem`` through
``python -m nuem``.  Pages marked ``<!-- test: slow -->`` run under the slow marker."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import nuem

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted((DOCS / "tutorials").glob("*.md"))
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(page: Path, lang: str) -> list[str]:
    return [code for kind, code in FENCE.findall(page.read_text(encoding="utf-8"))
            if kind == lang]


def _env() -> dict[str, str]:
    src = str(Path(nuem.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    return env


def _params():
    for page in PAGES:
        slow = "<!-- test: slow -->" in page.read_text(encoding="utf-8")
        yield pytest.param(page, id=page.stem, marks=[pytest.mark.slow] if slow else [])


def test_there_are_tutorials_with_code():
    assert len(PAGES) >= 4
    for page in PAGES:
        assert blocks(page, "python"), f"{page.name} has no python block"


@pytest.mark.parametrize("page", list(_params()))
def test_tutorial_code_runs(page, tmp_path):
    code = "\n\n".join(blocks(page, "python"))
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{page.name}:\n{run.stderr[-3000:]}"
    for block in blocks(page, "bash"):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            args = shlex.split(line)
            assert args[0] == "nuem", f"{page.name}: only nuem commands run here: {line}"
            res = subprocess.run([sys.executable, "-m", "nuem", *args[1:]], cwd=tmp_path,
                                 env=_env(), capture_output=True, text=True, timeout=600)
            assert res.returncode == 0, f"{page.name}: {line}\n{res.stderr[-2000:]}"
