"""Counts the hostile inputs the suite ran and prints the count at the end of the run."""

from __future__ import annotations

_COUNT = {"run": 0, "clean": 0}


def pytest_runtest_logreport(report):
    if report.when != "call" or "::test_hostile_" not in report.nodeid:
        return
    _COUNT["run"] += 1
    if report.passed:
        _COUNT["clean"] += 1


def pytest_terminal_summary(terminalreporter):
    if _COUNT["run"]:
        terminalreporter.write_line(
            f"hostile inputs: {_COUNT['run']} run over every leaf command, "
            f"{_COUNT['clean']} clean (exit 2, one line naming the option or file, no "
            f"traceback, no file modified)")
