"""Store benchmarks: the raw DuckDB limit against what StoreWriter achieves.

Run: ``python bench/bench_store.py [--repeats 5]``. Prints medians of several repeats.
Figures:
  * convert   - HistoryRow list -> long Arrow table (rows_to_arrow)
  * limit     - one Arrow batch inserted straight into a fresh DuckDB file (connect,
                create, insert, close), conversion excluded
  * writer    - StoreWriter: append N rows to ``writer.rows``, then flush() returns
                (conversion + lock + open + insert + run update + close)
  * cycle     - Store.write(): lock + open + insert 2,000 rows + close, on a store
                that already holds 400k history rows
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb

from nbtrack.store.convert import rows_to_arrow
from nbtrack.store.live_writers import open_run
from nbtrack.store.records import history_row
from nbtrack.store.store import Store


def make_rows(n: int) -> list:
    t0 = time.time()
    return [history_row(i, t0 + i * 1e-3, {"loss": 1.0 / (i + 1), "acc": i * 1e-6, "lr": 0.001,
                                "epoch": i // 1000}) for i in range(n)]


def run_record(run_id: str) -> dict:
    return {"id": run_id, "project": "bench", "name": run_id, "state": "running",
            "created_at": time.time(), "host": socket.gethostname(), "pid": os.getpid()}


def bench_convert(rows: list) -> float:
    t = time.perf_counter()
    rows_to_arrow(rows)
    return time.perf_counter() - t


def bench_limit(rows: list, tmp: Path) -> float:
    table = rows_to_arrow(rows)
    path = tmp / f"limit-{time.monotonic_ns()}.duckdb"
    t = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE history (run_id VARCHAR, step BIGINT, ts DOUBLE, key VARCHAR, "
                "num DOUBLE, text VARCHAR, json JSON)")
    con.register("batch", table)
    con.execute("INSERT INTO history SELECT 'r', step, ts, key, num, text, json FROM batch")
    con.close()
    return time.perf_counter() - t


def bench_writer(rows: list, tmp: Path) -> float:
    store = Store(tmp / f"writer-{time.monotonic_ns()}")
    w = open_run(store, run_record("w"), flush_interval=1.0)
    assert w.flush(30)  # run record and schema written: measure the history only
    t = time.perf_counter()
    append = w.rows.append
    for r in rows:
        append(r)
    ok = w.flush(120)
    elapsed = time.perf_counter() - t
    w.close(wait=True)
    assert ok
    return elapsed


def bench_cycle(tmp: Path, n_cycles: int = 20) -> list[float]:
    store = Store(tmp / "cycle")
    w = open_run(store, run_record("base"))
    w.rows.extend(make_rows(100_000))
    w.close(wait=True)
    batch = rows_to_arrow(make_rows(500))  # 2,000 history rows
    times = []
    for _ in range(n_cycles):
        t = time.perf_counter()
        with store.write() as con:
            con.register("b", batch)
            con.execute("INSERT INTO history SELECT 'c', step, ts, key, num, text, json FROM b")
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nbtrack-bench-"))
    table: list[tuple[str, str, float, float]] = []
    try:
        for n in (10_000, 100_000):
            rows = make_rows(n)
            for name, fn in (("convert", lambda rows=rows: bench_convert(rows)),
                             ("limit", lambda rows=rows: bench_limit(rows, tmp)),
                             ("writer", lambda rows=rows: bench_writer(rows, tmp))):
                fn()  # warm up
                times = [fn() for _ in range(args.repeats)]
                med = statistics.median(times)
                table.append((name, f"{n:,} steps x 4", med, 4 * n / med))
                print(f"{name:8s} {n:>7,} steps x 4: median {med * 1e3:8.1f} ms "
                      f"(all: {', '.join(f'{x * 1e3:.0f}' for x in times)})", flush=True)
        cyc = bench_cycle(tmp)
        med = statistics.median(cyc)
        table.append(("cycle", "open+insert 2k rows+close", med, 2000 / med))
        print(f"cycle    open+insert+close: median {med * 1e3:.1f} ms over {len(cyc)}")
        print("\n| figure | size | median ms | values/s |\n| --- | --- | ---: | ---: |")
        for name, size, m, rate in table:
            print(f"| {name} | {size} | {m * 1e3:.1f} | {rate:,.0f} |")
        print(f"\nduckdb {duckdb.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
