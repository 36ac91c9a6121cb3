"""Running a scan on Dask (``dask.distributed``).

One task per chunk.  The client (this process) submits every pending chunk, and as each
task finishes it writes the chunk into the Zarr store (:mod:`nuem.scan.store`) and marks
it done, so a run killed at any moment loses only the chunks in flight; ``resume=True``
computes only the chunks not marked done.  A task that raises is retried ``retries``
times by Dask, then recorded as failed with its error while the others go on.

Clusters: by default a :class:`distributed.LocalCluster` of worker processes (one thread
each), as many as the machine has cores or ``workers``; ``scheduler="tcp://HOST:PORT"``
connects to a running scheduler; ``cluster="slurm" | "pbs"`` starts a
``dask-jobqueue`` cluster (the spec's ``cluster:`` mapping gives its options: cores,
memory, queue, ...) with ``workers`` jobs.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nuem._errors import NuemValueError
from nuem.scan import store as st
from nuem.scan.registry import Computation
from nuem.scan.spec import ScanSpec, as_spec

CONNECT_TIMEOUT_S = 5.0
CLUSTERS = ("slurm", "pbs")
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+:\d{1,5}$")


@dataclass
class ScanResult:
    """What a run did: the store, chunk counts, failures (chunk -> error), wall time."""

    store: Path
    n_chunks: int
    computed: int
    skipped: int
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"store": str(self.store), "chunks": self.n_chunks, "computed": self.computed,
                "skipped": self.skipped, "failed": {str(k): v for k, v in self.failed.items()},
                "seconds": self.seconds, "workers": self.workers}


def run_chunk(comp: Computation, options: dict[str, Any], values: dict[str, np.ndarray],
              flat: np.ndarray, seed: int | None, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Evaluate ``comp`` at each point of one chunk (runs on a worker).

    Point k uses its own generator seeded by ``SeedSequence(seed, spawn_key=(flat[k],))``
    (see :mod:`nuem.scan.spec`).  Returns each output shaped ``shape`` + its own dims.
    """
    layout = comp.layout(options)
    extra = comp.coords(options)
    fixed = {p: float(options[p]) for p in comp.parameters if p in options}
    rows: dict[str, list[np.ndarray]] = {name: [] for name in layout}
    for k in range(len(flat)):
        point = dict(fixed)
        point.update({p: float(v[k]) for p, v in values.items()})
        rng = None
        if comp.stochastic:
            ss = np.random.SeedSequence(seed, spawn_key=(int(flat[k]),))
            rng = np.random.Generator(np.random.PCG64(ss))
        res = comp.func(point, options, rng)
        for name, out in layout.items():
            if name not in res:
                raise ValueError(f"computation {comp.name} returned no {name!r}")
            arr = np.asarray(res[name], dtype=float)
            want = tuple(len(extra[d]) for d in out.dims)
            if arr.shape != want:
                raise ValueError(f"computation {comp.name}: {name} has shape {arr.shape}, "
                                 f"expected {want}")
            rows[name].append(arr)
    return {name: np.stack(r).reshape(shape + r[0].shape) for name, r in rows.items()}


def serial(spec: ScanSpec | Mapping[str, Any] | str | Path) -> dict[str, np.ndarray]:
    """The whole scan in this process, one chunk after another, no Dask and no store:
    {output: array over the scan dims + its own} (a reference for the distributed run)."""
    spec = as_spec(spec)
    comp = spec.comp
    layout = comp.layout(spec.options)
    extra = comp.coords(spec.options)
    full = {n: np.full(spec.shape + tuple(len(extra[d]) for d in o.dims), np.nan)
            for n, o in layout.items()}
    for ch in spec.iter_chunks():
        res = run_chunk(comp, spec.options, ch.values, ch.flat, spec.seed, ch.shape)
        for n in layout:
            full[n][tuple(ch.region.values())] = res[n]
    return full


def _first_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` on one line (whitespace collapsed, at most ``limit`` characters)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:limit].rstrip(": ")


def _client(stack: ExitStack, spec: ScanSpec, scheduler: str | None, cluster: str | None,
            workers: int | None, timeout: float):
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if cluster is not None or workers is not None:
            raise NuemValueError("--scheduler connects to a running cluster: it excludes "
                                 "--cluster and --workers")
        if not _ADDRESS.match(scheduler):
            raise NuemValueError(f"scheduler={scheduler!r} is not an address like "
                                 "tcp://HOST:PORT")
        try:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise NuemValueError(f"scheduler={scheduler!r}: no Dask scheduler answered within "
                                 f"{timeout:g} s ({_first_line(exc)})") from None
        return stack.enter_context(client)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise NuemValueError(f"workers={workers!r} must be an integer >= 1")
    if cluster is not None:
        if cluster not in CLUSTERS:
            raise NuemValueError(f"cluster={cluster!r} is not one of {', '.join(CLUSTERS)}")
        try:
            import dask_jobqueue
        except ImportError:
            raise NuemValueError(f"--cluster {cluster} needs dask-jobqueue: "
                                 "pip install 'nuem[cluster]'") from None
        import dask

        cls = {"slurm": dask_jobqueue.SLURMCluster, "pbs": dask_jobqueue.PBSCluster}[cluster]
        opts = spec.cluster or {}
        missing = [k for k in ("cores", "memory")
                   if k not in opts and dask.config.get(f"jobqueue.{cluster}.{k}", None) is None]
        if missing:
            raise NuemValueError(f"--cluster {cluster}: set {' and '.join(missing)} per job in "
                                 "the spec's cluster: mapping (e.g. cluster: {cores: 8, memory: "
                                 "16GB}) or in the dask jobqueue config")
        try:
            jq = stack.enter_context(cls(**opts))
        except (ValueError, TypeError) as exc:
            raise NuemValueError(f"--cluster {cluster}: {_first_line(exc)} (set it in the "
                                 "spec's cluster: mapping or the dask jobqueue config)") from None
        jq.scale(jobs=workers or 1)
        return stack.enter_context(Client(jq, set_as_default=False))
    n = workers or os.cpu_count() or 1
    # worker logs are silenced below CRITICAL: failures reach the store through the tasks'
    # exceptions, and heartbeats that race the shutdown would only print tracebacks
    lc = stack.enter_context(LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                          dashboard_address=":0", silence_logs=logging.CRITICAL))
    return stack.enter_context(Client(lc, set_as_default=False))


class _Progress:
    """Chunks done / failed / remaining with an ETA, on stderr; silent off a terminal."""

    def __init__(self, total: int, skipped: int, show: bool | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        show = console.is_terminal if show is None else show
        self.bar = Progress(TextColumn("scan"), BarColumn(),
                            TextColumn("{task.fields[done]} done, {task.fields[failed]} failed, "
                                       "{task.fields[remaining]} remaining"),
                            TextColumn("ETA"), TimeRemainingColumn(),
                            console=console, disable=not show, transient=False)
        self.done, self.failed, self.total = skipped, 0, total
        self.task = self.bar.add_task("scan", total=total - skipped, done=skipped, failed=0,
                                      remaining=total - skipped)

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def step(self, ok: bool) -> None:
        self.done += ok
        self.failed += not ok
        self.bar.update(self.task, advance=1, done=self.done, failed=self.failed,
                        remaining=self.total - self.done - self.failed)


def run(spec: ScanSpec | Mapping[str, Any] | str | Path, store: str | Path | None = None, *,
        resume: bool = False, overwrite: bool = False, scheduler: str | None = None,
        cluster: str | None = None, workers: int | None = None, progress: bool | None = None,
        timeout: float = CONNECT_TIMEOUT_S) -> ScanResult:
    """Run ``spec`` (a :class:`ScanSpec`, a mapping or a YAML path) into the Zarr ``store``
    (default: the spec's ``store:``) on Dask; see the module docstring.

    ``resume``: continue an existing store of the same spec (chunks marked done are
    skipped; failed ones are tried again).  ``overwrite``: replace an existing store.
    Without either an existing store is an error.  ``progress``: None shows it only on a
    terminal.  ``timeout`` [s]: connecting to ``scheduler``.
    """
    from distributed import as_completed

    t0 = time.perf_counter()
    spec = as_spec(spec)
    path = store if store is not None else spec.store
    if path is None:
        raise NuemValueError("store is required (an argument, or store: in the spec)")
    if workers is not None and scheduler is None and (isinstance(workers, bool)
                                                      or not isinstance(workers, int)
                                                      or workers < 1):
        raise NuemValueError(f"workers={workers!r} must be an integer >= 1")
    path = Path(path)
    fresh = st.check(path, spec, resume=resume, overwrite=overwrite)
    if not fresh and not np.any(st.status(path) != st.DONE):
        return ScanResult(path, spec.n_chunks, 0, spec.n_chunks,
                          seconds=time.perf_counter() - t0)
    comp = spec.comp
    with ExitStack() as stack:
        client = _client(stack, spec, scheduler, cluster, workers, timeout)  # before any write
        if fresh:
            st.create(path, spec)
        state = st.status(path)
        todo = [i for i in range(spec.n_chunks) if state[i] != st.DONE]
        result = ScanResult(path, spec.n_chunks, 0, spec.n_chunks - len(todo))
        result.workers = len(client.scheduler_info(n_workers=-1)["workers"])
        chunks = {i: spec.chunk(i) for i in todo}
        futures = {client.submit(run_chunk, comp, spec.options, ch.values, ch.flat, spec.seed,
                                 ch.shape, retries=spec.retries, pure=False): ch
                   for ch in chunks.values()}
        with _Progress(spec.n_chunks, result.skipped, progress) as bar:
            for fut in as_completed(futures, loop=client.loop):
                ch = futures.pop(fut)
                ok = fut.status == "finished"
                if ok:
                    try:
                        st.write_chunk(path, spec, ch, fut.result())
                    except (ValueError, KeyError) as exc:
                        ok, err = False, _first_line(exc)
                else:
                    exc = fut.exception()
                    err = _first_line(exc) if exc is not None else f"task {fut.status}"
                if ok:
                    result.computed += 1
                else:
                    st.write_failed(path, ch.index, err)
                    result.failed[ch.index] = err
                fut.release()
                bar.step(ok)
    result.seconds = time.perf_counter() - t0
    return result


def summary(path: str | Path) -> dict[str, Any]:
    """The computation's summary of a store (e.g. the Feldman-Cousins interval)."""
    import json

    from nuem.scan.spec import parse

    ds = st.open_store(path)
    spec = parse(json.loads(ds.attrs["nuem_spec"]), source=f"store {path}")
    return spec.comp.summary(ds.load(), spec.options) if spec.comp.summary else {}


__all__ = ["run", "serial", "run_chunk", "summary", "ScanResult"]
