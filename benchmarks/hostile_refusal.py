"""Refusals of requests that cannot fit (issue 21, must show 3).  Run:
    python benchmarks/hostile_refusal.py

For each request, the real entry point ``python -m nuem`` runs in a subprocess; printed:
the exit status, the wall time of the whole process (interpreter start and imports
included), the time from the command's start to the refusal (measured in-process with
click's runner, imports excluded), the peak resident memory of the process (ru_maxrss of
that child alone) and the one-line message.  On c159a87 the first was killed by the
kernel at 24 GB and the second failed after 17 s with a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REQUESTS = [
    ["sfp", "--energies", "1:10:100000000", "--json"],
    ["spectrum", "--target", "xenon", "--bins", "100000000"],
    ["spectrum", "--detector", "xenonnt-sr0", "--bins", "1000000000000"],
    ["bound", "--scale", "1000", "--r", "1e300"],
]


def in_process_seconds(args: list[str]) -> float:
    from click.testing import CliRunner

    from nuem.cli import cli

    runner = CliRunner()
    runner.invoke(cli, args)  # warm: lazy imports inside the command
    t0 = time.perf_counter()
    res = runner.invoke(cli, args)
    dt = time.perf_counter() - t0
    assert res.exit_code == 2, res.output
    return dt


def main() -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    sys.path.insert(0, str(src))
    for args in REQUESTS:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "nuem", *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode().strip()
        p.stdout.read()
        code = os.waitstatus_to_exitcode(status)
        print(f"nuem {' '.join(args)}")
        print(f"  exit {code}, process wall {wall:.2f} s (CPU {usage.ru_utime + usage.ru_stime:.2f} s), command {in_process_seconds(args):.4f} s "
              f"(imports excluded), peak RSS {usage.ru_maxrss / 1024:.0f} MiB")
        print(f"  {err}")


if __name__ == "__main__":
    main()
