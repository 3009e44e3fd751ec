"""Benchmarks of the local sweep controller.

    .venv/bin/python bench/bench_sweeps.py

Measures, with a store already holding N finished trials of a sweep, the median time one
agent waits for its next run (``controller.next_assignment``: flush, exclusive lock,
read the ledger, choose, record), for grid, random and Bayesian (optuna TPE) search; and
the whole agent overhead per run of a function that only logs one metric.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbtrack
from nbtrack.names import new_run_id
from nbtrack.notebook._snapshot import wait_for_captures
from nbtrack.store.live_writers import flush_all
from nbtrack.store.store import Store
from nbtrack.store.sweeps import SweepStore
from nbtrack.sweeps import controller

PARAMS = {"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
          "dropout": {"values": [0.1, 0.2, 0.3, 0.4, 0.5]}, "layers": {"min": 1, "max": 8}}
GRID = {"lr": {"values": [10 ** -i for i in range(1, 11)]}, "dropout": {"values": [0.1, 0.2, 0.3, 0.4, 0.5]},
        "layers": {"values": list(range(1, 9))}}


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n## {title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))


def fill(store_dir: Path, method: str, n: int) -> str:
    """A sweep with n finished runs (through the real agent)."""
    sid = nbtrack.sweep({"method": method, "metric": {"name": "loss"}, "parameters": GRID if method == "grid" else PARAMS},
                        project="bench", dir=store_dir)

    def train() -> None:
        nbtrack.init(dir=store_dir, live=False)
        nbtrack.log({"loss": nbtrack.config.lr * nbtrack.config.layers})

    nbtrack.agent(sid, train, count=n, dir=store_dir)
    wait_for_captures()  # the last run's code snapshot and writer are done before the store is timed (or removed)
    flush_all(timeout=30)
    return sid


def bench_choice() -> None:
    rows = []
    for method in ("grid", "random", "bayes"):
        for n in (10, 100, 300):
            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                sid = fill(Path(tmp), method, n)
                sweeps = SweepStore(Store(tmp))
                _, spec = controller.load(sweeps, sid)
                times = []
                for _ in range(15):
                    t0 = time.perf_counter()
                    controller.next_assignment(sweeps, spec, sid, new_run_id())
                    times.append(time.perf_counter() - t0)
                rows.append([method, n, f"{statistics.median(times) * 1000:.1f}"])
    table("next run for an agent (median of 15), after N finished runs", ["method", "N", "ms"], rows)


def bench_agent() -> None:
    rows = []
    for method in ("random", "bayes"):
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            t0 = time.perf_counter()
            fill(Path(tmp), method, 40)
            rows.append([method, 40, f"{(time.perf_counter() - t0) / 40 * 1000:.0f}"])
    table("agent: whole cost per run (init, one log, finish, choice), 40 runs", ["method", "runs", "ms/run"], rows)


if __name__ == "__main__":
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()):
        bench_choice()
        bench_agent()
