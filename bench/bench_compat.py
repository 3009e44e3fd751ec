"""Benchmarks of the wandb-compat surface (issue 12): tables of images and run filters.

    .venv/bin/python bench/bench_compat.py

Measures (medians of REPEATS, in ms):
- building a wandb-style predictions Table of 64 images (28x28) and logging it;
- the run page's Tables tab payload for that run (50 rows shown, 50 thumbnails made
  from the stored blobs);
- `Api().runs(project, filters=...)` over 2,000 stored runs with a MongoDB-style filter
  (`$or` of a config equality and a summary comparison): the whole call, and the filter
  evaluation alone (compiled once, applied to every run record).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbtrack
from nbtrack.api_filters import compile_filter
from nbtrack.runs_table.logged_tables import logged_tables
from nbtrack.store import runsql
from nbtrack.store.reader import StoreReader
from nbtrack.store.store import Store

REPEATS = 5
N_IMAGES = 64
N_RUNS = 2_000
FILTER = {"$or": [{"config.optimizer": "adam"}, {"summary.val/acc": {"$gt": 0.95}}]}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def bench_tables(store: Path) -> dict[str, float]:
    rng = np.random.default_rng(0)
    images = rng.random((N_IMAGES, 28, 28))
    run = nbtrack.init(project="bench-tables", dir=store, live=False)

    def log_table() -> None:
        table = nbtrack.Table(columns=["image", "pred", "target"])
        for i, img in enumerate(images):
            table.add_data(nbtrack.Image(img * 255), i % 10, (i + 1) % 10)
        run.log({"predictions": table})

    log_ms = [timed(log_table) for _ in range(REPEATS)]
    run.finish()
    reader = StoreReader(Store(store))
    page_ms = [timed(lambda: logged_tables(reader, run.id)) for _ in range(REPEATS)]
    return {"log_table_64_images_ms": statistics.median(log_ms), "run_page_tables_ms": statistics.median(page_ms)}


def seed_runs(store: Path) -> None:
    rng = np.random.default_rng(1)
    s = Store(store)
    with s.write() as con:
        for i in range(N_RUNS):
            runsql.upsert_run(con, f"r{i:05d}", {
                "project": "bench-filters", "name": f"run-{i}", "state": "finished", "tags": ["a"] if i % 7 else ["b"],
                "created_at": time.time() - i, "config": {"lr": float(rng.random()), "optimizer": "adam" if i % 3 else "sgd"},
                "summary": {"val/acc": float(rng.random()), "loss": float(rng.random())}, "last_step": 10})


def bench_filters(store: Path) -> dict[str, float]:
    seed_runs(store)
    api = nbtrack.Api(dir=store)
    whole = [timed(lambda: api.runs("bench-filters", filters=FILTER)) for _ in range(REPEATS)]
    records = StoreReader(Store(store)).runs(project="bench-filters")
    keep = compile_filter(FILTER)
    alone = [timed(lambda: [r for r in records if keep(r)]) for _ in range(REPEATS)]
    matched = len(api.runs("bench-filters", filters=FILTER))
    return {"runs_filtered_2000_ms": statistics.median(whole), "filter_eval_2000_ms": statistics.median(alone),
            "matched": matched}


def main() -> None:
    os.environ["NBTRACK_LIVE"] = "0"
    with tempfile.TemporaryDirectory(prefix="nbtrack-bench-compat-") as tmp:
        out = {**bench_tables(Path(tmp) / "tables"), **bench_filters(Path(tmp) / "filters")}
    print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}, indent=2))


if __name__ == "__main__":
    main()
