"""--help of every leaf command (issue 21): each option explained, with its unit and its
default as a value; --json and --cite described; every leaf command accepts --json."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from nuem._checks import Real
from nuem.cli import cli
from tests.hostile.test_hostile import LEAVES


@pytest.mark.parametrize("path", list(LEAVES), ids=[" ".join(p) for p in LEAVES])
def test_help_states_units_and_defaults(path):
    cmd = LEAVES[path]
    res = CliRunner().invoke(cli, list(path) + ["--help"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "nuem." not in text.split("Options:", 1)[1], "a default shown as a constant name"
    flags = [p for p in cmd.params if isinstance(p, click.Option)]
    assert any(p.opts[0] == "--json" for p in flags), "every leaf command accepts --json"
    for p in flags:
        assert p.help and len(p.help) > 5, p.opts
        if isinstance(p.type, Real) and p.type.unit:
            assert f"[{p.type.unit}]" in p.help, (p.opts, p.help)
        unset = getattr(click.core, "UNSET", None)
        if not (p.is_flag or p.required or p.multiple or p.default is None
                or (unset is not None and p.default is unset)):
            shown = re.search(re.escape(p.opts[0]) + r" .*?\[default: ([^\]]+)\]", text)
            assert shown, (p.opts, text)
    if any(p.opts[0] == "--json" for p in flags):
        assert "Print one JSON object" in text
    if any(p.opts[0] == "--cite" for p in flags):
        assert "papers this computation used" in text
