"""How much does tracking cost the training loop? nbtrack's log() against the limit.

For 10k and 100k steps of a 4-scalar dict it measures, each in a fresh process:
- log() per call: median and p99 with the writer thread running;
- amortized cost per step with persistence: (loop time + time until all of it is on disk) / steps;
- the limit: the same rows built into columns and inserted into DuckDB as Arrow batches of
  10k steps; and the bare call log() is compared with, appending the same dict to a list;
- init and finish time; peak RSS above the interpreter's baseline;
finish time at the end of a run that logged 1M points (250k steps x 4) at full speed, and
with all 1M points still pending in memory (flush interval of an hour).

Peers (wandb offline, trackio, mlflow) are measured side by side when PEERS_PYTHON names
an interpreter that has them installed (bench/peers.py runs there).

    .venv/bin/python bench/bench_log.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MEMORY = r"""
import json, psutil, sys, tempfile, time
import nbtrack
proc = psutil.Process()
run = nbtrack.init(project="memory", dir=tempfile.mkdtemp(prefix="nbtrack-bench-"), live=False)
marks = {int(m) for m in sys.argv[1].split(",")}
peak = 0
out = []
for i in range(max(marks)):
    nbtrack.log({"loss": 1.0 / (i + 1), "acc": 0.5, "lr": 1e-3, "grad_norm": 0.5})
    if i % 10_000 == 0:
        peak = max(peak, proc.memory_info().rss)
    if i + 1 in marks:
        out.append((i + 1, proc.memory_info().rss / 2**20, peak / 2**20))
nbtrack.finish()
print(json.dumps(out))
"""

CHILD = r"""
import json, os, resource, sys, tempfile, time
steps, mode = int(sys.argv[1]), sys.argv[2]
store = tempfile.mkdtemp(prefix="nbtrack-bench-")
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {}
if mode == "limit":
    import duckdb, pyarrow as pa
    warm = duckdb.connect(os.path.join(store, "warm.duckdb"))  # pay one-time library set-up outside the timing,
    warm.execute("create table t as select * from (select 1 as a)")  # as the nbtrack side does with a warm-up run
    warm_batch = pa.table({"a": [1.0], "k": ["x"]}); warm.execute("create table u as select * from warm_batch"); warm.close()
    # the same rows built into columns in the loop and inserted as Arrow batches of 10k steps
    t0 = time.perf_counter()
    con = duckdb.connect(os.path.join(store, "limit.duckdb"))
    con.execute("create table history (run_id varchar, step bigint, ts double, key varchar, num double)")
    def insert(cols):
        batch = pa.table(dict(zip(("run_id", "step", "ts", "key", "num"), cols)))
        con.execute("insert into history select * from batch")
    cols = ([], [], [], [], [])
    for i in range(steps):
        now = time.time()
        for k, v in (("loss", 1.0 / (i + 1)), ("acc", i / steps), ("lr", 1e-3), ("grad_norm", 0.5)):
            cols[0].append("r"); cols[1].append(i); cols[2].append(now); cols[3].append(k); cols[4].append(v)
        if (i + 1) % 10_000 == 0:
            insert(cols); cols = ([], [], [], [], [])
    if cols[0]:
        insert(cols)
    con.close()
    out["total_s"] = time.perf_counter() - t0
    # the bare call the log() call is compared with: appending the same dict to a list
    rows = []
    append = rows.append
    lat = []
    clock = time.perf_counter_ns
    for i in range(steps):
        t = clock()
        append({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
        lat.append(clock() - t)
    lat.sort()
    out["append_median_us"] = lat[len(lat) // 2] / 1000
else:
    import nbtrack
    from nbtrack.notebook._snapshot import wait_for_captures
    from nbtrack.store.live_writers import flush_all
    warm = nbtrack.init(project="warmup", dir=store, live=False); warm.finish()
    wait_for_captures(30); flush_all(30)  # the warm-up run is entirely on disk before timing starts
    t0 = time.perf_counter()
    run = nbtrack.init(project="bench", dir=store, live=False)
    out["init_ms"] = (time.perf_counter() - t0) * 1000
    log = nbtrack.log
    if mode in ("pending", "fullspeed"):
        for i in range(steps):
            log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
        t = time.perf_counter(); run.finish(); out["finish_ms"] = (time.perf_counter() - t) * 1000
        out["durable_at_finish"] = nbtrack.sql("select count(*) from history where run_id = ?", [run.id],
                                               dir=store).fetchall()[0][0]
        flush_all(120)
    else:
        # throughput: the loop as a user writes it, until this run's rows are committed
        t_loop = time.perf_counter()
        for i in range(steps):
            log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
        out["loop_s"] = time.perf_counter() - t_loop
        run._writer.flush(120)
        out["on_disk_s"] = time.perf_counter() - t_loop
        t = time.perf_counter(); run.finish(); out["finish_ms"] = (time.perf_counter() - t) * 1000
        wait_for_captures(30); flush_all(30)
        rows = nbtrack.sql("select count(*) from history where run_id = ?", [run.id], dir=store).fetchall()[0][0]
        out["rows_stored"] = rows
        # latency: a second run, each call timed
        run = nbtrack.init(project="bench-latency", dir=store, live=False)
        log = nbtrack.log
    lat = []
    clock = time.perf_counter_ns
    for i in range(steps if mode not in ("pending", "fullspeed") else 0):
        t = clock()
        log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
        lat.append(clock() - t)
    run.finish()
    flush_all(60)
    if lat:
        lat.sort()
        out["median_us"] = lat[len(lat) // 2] / 1000
        out["p99_us"] = lat[int(len(lat) * 0.99)] / 1000
    if mode in ("pending", "fullspeed"):
        out["rows_stored"] = nbtrack.sql("select count(*) from history where run_id = ?", [run.id], dir=store).fetchall()[0][0]
out["peak_rss_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
print(json.dumps(out))
"""


def child(steps: int, mode: str, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(steps), mode], capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"bench child ({steps} steps, {mode}) failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {args.repeats} fresh processes\n")
    print("| steps | log() median us | list.append of the dict us | call ratio | p99 us | amortized us/step (to disk) | limit us/step (Arrow batches of 10k) | ratio | init ms | finish ms | peak RSS MB | rows stored |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for steps in (10_000, 100_000):
        ours = [child(steps, "nbtrack") for _ in range(args.repeats)]
        limit = [child(steps, "limit") for _ in range(args.repeats)]
        amortized = med([o["on_disk_s"] for o in ours]) / steps * 1e6
        lim = med([o["total_s"] for o in limit]) / steps * 1e6
        call, bare = med([o['median_us'] for o in ours]), med([o['append_median_us'] for o in limit])
        print(f"| {steps:,} | {call:.2f} | {bare:.2f} | {call / bare:.1f}x | {med([o['p99_us'] for o in ours]):.1f} | "
              f"{amortized:.2f} | {lim:.2f} | {amortized / lim:.2f}x | {med([o['init_ms'] for o in ours]):.1f} | "
              f"{med([o['finish_ms'] for o in ours]):.1f} | {med([o['peak_rss_mb'] for o in ours]):.0f} | "
              f"{ours[0]['rows_stored']:,} of {steps * 4:,} |")
    full = [child(250_000, "fullspeed") for _ in range(args.repeats)]
    print(f"\nfinish() at the end of a run that logged 1M points (250k steps x 4) at full speed: median "
          f"{med([p['finish_ms'] for p in full]):.1f} ms (max {max(p['finish_ms'] for p in full):.1f}); on disk when "
          f"finish returned: {min(p['durable_at_finish'] for p in full):,} of 1,000,000 rows")
    pending = [child(250_000, "pending", {"NBTRACK_FLUSH_INTERVAL": "3600"}) for _ in range(args.repeats)]
    print(f"\nfinish() with 1M points (250k steps x 4) pending: median {med([p['finish_ms'] for p in pending]):.1f} ms; "
          f"on disk when it returned: {min(p['durable_at_finish'] for p in pending):,}; all "
          f"{pending[0]['rows_stored']:,} rows on disk afterwards; peak RSS {med([p['peak_rss_mb'] for p in pending]):.0f} MB")
    marks = [250_000, 1_000_000, 2_000_000, 4_000_000]
    result = subprocess.run([sys.executable, "-c", MEMORY, ",".join(map(str, marks))], capture_output=True, text=True)
    if result.returncode == 0:
        points = json.loads(result.stdout.strip().splitlines()[-1])
        print("\nmemory while logging at full speed (RSS, MB): " + "; ".join(
            f"{steps:,} steps: {rss:.0f} (peak so far {peak:.0f})" for steps, rss, peak in points))
    peers_python = os.environ.get("PEERS_PYTHON")
    if peers_python:
        print("\npeers on this machine (same 4-scalar dict, same steps):")
        subprocess.run([peers_python, str(HERE / "peers.py"), "--repeats", str(args.repeats)], check=False)
    else:
        print("\n(peers: set PEERS_PYTHON to an interpreter with wandb/trackio/mlflow to measure them side by side)")


if __name__ == "__main__":
    main()
