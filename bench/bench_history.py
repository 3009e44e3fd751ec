"""history() of a run with many keys: copy out under the lock, pivot outside it.

Run: ``python bench/bench_history.py [--repeats 5]``. Builds a store per shape (rows
inserted straight as Arrow, not through a run) and prints the median wall time of
``Api(dir).run(id).history()`` and of the part spent holding the store's shared lock.
Target (issue 9): 10,000 keys x 100 steps in about a second.

Measured here (2 shared cores, 5 repeats): 1,000 x 5 in 0.028 s, 3,000 x 5 in 0.034 s,
1,000 x 100 in 0.045 s, 10,000 x 100 in 0.31 s with the lock held 0.07 s. The SQL pivot
this replaced took 24.4 s for 1,000 x 5, all of it under the shared lock.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pyarrow as pa

import nbtrack as wandb
from nbtrack.store import store as store_module
from nbtrack.store.runsql import upsert_run
from nbtrack.store.store import Store

SHAPES = [(1_000, 5), (3_000, 5), (1_000, 100), (10_000, 100)]


def build(root: Path, n_keys: int, n_steps: int) -> None:
    n = n_keys * n_steps
    steps = np.repeat(np.arange(n_steps, dtype=np.int64), n_keys)
    keys = [f"layer{k // 100}/unit{k % 100}" for k in range(n_keys)] * n_steps
    table = pa.table({"run_id": pa.array(["r"] * n), "step": steps, "ts": 1e9 + steps.astype(float),
                      "key": pa.array(keys), "num": np.random.default_rng(0).random(n),
                      "text": pa.nulls(n, pa.string()), "json": pa.nulls(n, pa.string())})
    with Store(root).write() as con:
        upsert_run(con, "r", {"project": "bench", "name": "r", "state": "finished", "created_at": 1e9})
        con.register("batch", table)
        con.execute("INSERT INTO history SELECT * FROM batch")
        con.unregister("batch")


def timed_lock() -> list[float]:
    """Patch Store.read to record how long each shared lock is held."""
    held: list[float] = []
    original = store_module.Store.read

    def read(self, timeout=10.0):
        from contextlib import contextmanager

        @contextmanager
        def cm():
            with original(self, timeout) as con:
                t = time.perf_counter()
                try:
                    yield con
                finally:
                    held.append(time.perf_counter() - t)
        return cm()

    store_module.Store.read = read
    return held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    held = timed_lock()
    for n_keys, n_steps in SHAPES:
        tmp = Path(tempfile.mkdtemp(prefix="nbtrack-bench-history-"))
        try:
            build(tmp, n_keys, n_steps)
            run = wandb.Api(dir=tmp).run("r")
            walls, locks = [], []
            for _ in range(args.repeats):
                held.clear()
                t = time.perf_counter()
                frame = run.history()
                walls.append(time.perf_counter() - t)
                locks.append(sum(held))
            assert frame.shape == (n_steps, n_keys + 3), frame.shape
            print(f"{n_keys:>6} keys x {n_steps:>3} steps: history() median {statistics.median(walls):.3f} s, "
                  f"shared lock held {statistics.median(locks):.3f} s ({args.repeats} repeats)")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
