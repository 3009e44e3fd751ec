"""A hyperparameter sweep in one process: many short runs, as a notebook loop starts them.

Each run is ``init`` + N ``log`` of 4 scalars + ``summary[...] =`` + ``finish``. Measures,
in fresh processes:
- the sweep's total time and time per run, and the slowest ``finish()``;
- nbtrack threads alive after the loop, warnings printed, rows stored;
- ``runs()`` right after the loop (how many runs it sees, how long it takes);
- ``nbtrack.table()`` over the project (building the widget and its first page);
and the same sweep run by 4 processes into one store at once (warnings, lost rows).

    .venv/bin/python bench/bench_sweep.py [--runs 1000] [--steps 100] [--procs 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, threading, time, warnings
runs, steps, store, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
import nbtrack
out = {}
caught = []
def show(message, category, filename, lineno, file=None, line=None):
    caught.append(f"{category.__name__}: {message}")
warnings.showwarning = show
warnings.simplefilter("always")
finish_ms = []
t0 = time.perf_counter()
for r in range(runs):
    run = nbtrack.init(project="sweep", dir=store, config={"lr": 10 ** -(r % 5), "seed": r, "tag": tag}, live=False)
    for i in range(steps):
        nbtrack.log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
    run.summary["best"] = r
    t = time.perf_counter()
    run.finish()
    finish_ms.append((time.perf_counter() - t) * 1000)
out["loop_s"] = time.perf_counter() - t0
out["finish_max_ms"] = max(finish_ms)
out["finish_median_ms"] = sorted(finish_ms)[len(finish_ms) // 2]
out["threads_after"] = sorted(t.name for t in threading.enumerate() if t.name.startswith("nbtrack"))
t = time.perf_counter()
df = nbtrack.runs("sweep", dir=store)
out["runs_s"] = time.perf_counter() - t
out["runs_seen"] = int((df["config.tag"] == tag).sum()) if len(df) else 0
if sys.argv[5] == "table":
    t = time.perf_counter()
    table = nbtrack.table("sweep", dir=store)
    out["table_s"] = time.perf_counter() - t
    out["table_rows"] = int(table.total)
out["rows_stored"] = int(nbtrack.sql(
    "select count(*) from history h join runs r on r.id = h.run_id where r.config->>'tag' = ? "
    "and h.key not like 'system/%'",  # the system sampler adds system/* rows to runs past 10 s
    [tag], dir=store).fetchall()[0][0])
out["warnings"] = caught
print(json.dumps(out))
"""


def sweep(runs: int, steps: int, store: str, tag: str, table: bool) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(runs), str(steps), store, tag,
                             "table" if table else "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"sweep child failed:\n{err}")
    return json.loads(out.strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, s = args.runs, args.steps
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {n} runs x {s} steps x 4 scalars; "
          f"medians of {args.repeats} fresh processes\n")
    one = [result(sweep(n, s, tempfile.mkdtemp(prefix="nbtrack-sweep-"), "solo", True)) for _ in range(args.repeats)]
    print("one process:")
    print(f"- sweep total {med([o['loop_s'] for o in one]):.2f} s ({med([o['loop_s'] for o in one]) / n * 1000:.2f} ms "
          f"per run); finish() median {med([o['finish_median_ms'] for o in one]):.1f} ms, "
          f"slowest {max(o['finish_max_ms'] for o in one):.0f} ms")
    print(f"- nbtrack threads alive after the loop: {max(len(o['threads_after']) for o in one)} "
          f"({sorted({t for o in one for t in o['threads_after']})})")
    print(f"- warnings printed: {max(len(o['warnings']) for o in one)}")
    print(f"- rows stored: {min(o['rows_stored'] for o in one):,} of {n * s * 4:,}")
    print(f"- runs() right after the loop: sees {min(o['runs_seen'] for o in one)} of {n} runs in "
          f"{med([o['runs_s'] for o in one]):.3f} s")
    print(f"- nbtrack.table() over {min(o['table_rows'] for o in one)} runs: {med([o['table_s'] for o in one]):.3f} s")
    for o in one:
        for w in o["warnings"][:3]:
            print(f"  warning: {w[:200]}")

    store = tempfile.mkdtemp(prefix="nbtrack-sweep4-")
    procs = [sweep(n, s, store, f"p{i}", False) for i in range(args.procs)]
    many = [result(p) for p in procs]
    print(f"\n{args.procs} processes into one store at once:")
    totals = ", ".join(f"{o['loop_s']:.1f} s" for o in many)
    print(f"- sweep total per process: {totals}")
    print(f"- warnings printed: {sum(len(o['warnings']) for o in many)}")
    print(f"- rows stored: {sum(o['rows_stored'] for o in many):,} of {args.procs * n * s * 4:,}; "
          f"runs seen right after each loop: {', '.join(str(o['runs_seen']) for o in many)} of {n}")
    for o in many:
        for w in o["warnings"][:3]:
            print(f"  warning: {w[:200]}")


if __name__ == "__main__":
    main()
