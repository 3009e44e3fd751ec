"""Benchmark of reports: 50 runs x 100k steps (3 metrics each, 15M history values).

    .venv/bin/python bench/bench_report.py               # everything (needs /usr/bin/chromium)
    .venv/bin/python bench/bench_report.py --no-browser

Seeds the store straight through ``store/importer.py`` (Arrow insert), then measures,
as medians of ``--repeat`` runs: building the report (``nbtrack.report()``: the store
read, M4 downsampling in DuckDB, importance, packing, HTML), the file's size, and
opening the file in headless Chromium with every non-file request aborted: time from
navigation to the report's data decoded and its tables built (``ready``), and to the
first charts drawn.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbtrack.reports import report
from nbtrack.store.importer import import_run
from nbtrack.store.store import Store

RUNS = 50
STEPS = 100_000
KEYS = ("train/loss", "train/acc", "val/loss")
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]


def seed(dir: Path) -> None:
    store = Store(dir)
    rng = np.random.default_rng(0)
    t0 = time.time() - 86400
    steps = np.arange(STEPS, dtype=np.int64)
    for i in range(RUNS):
        lr = 10 ** rng.uniform(-4, -1)
        start = t0 + i * 600
        cols = {"step": [], "ts": [], "key": [], "num": []}
        final = {}
        for _k, key in enumerate(KEYS):
            base = np.exp(-steps / (5000 + 300 * i)) + lr * 5
            y = base + rng.normal(0, 0.02, STEPS) if "loss" in key else 1 - base / 2 + rng.normal(0, 0.01, STEPS)
            cols["step"].append(steps)
            cols["ts"].append(start + steps * 0.01)
            cols["key"].append(np.full(STEPS, key, dtype=object))
            cols["num"].append(y)
            final[key] = float(y[-1])
        table = pa.table({"step": np.concatenate(cols["step"]), "ts": np.concatenate(cols["ts"]),
                          "key": pa.array(np.concatenate(cols["key"]), type=pa.string()),
                          "num": np.concatenate(cols["num"]),
                          "text": pa.nulls(STEPS * len(KEYS), pa.string()),
                          "json": pa.nulls(STEPS * len(KEYS), pa.string())})
        rec = {"id": f"r{i:03d}", "project": "bench", "name": f"run-{i}", "state": "finished",
               "created_at": start, "finished_at": start + STEPS * 0.01, "heartbeat_at": start + STEPS * 0.01,
               "config": {"lr": lr, "batch": int(rng.choice([32, 64, 128])), "opt": str(rng.choice(["adam", "sgd"]))},
               "summary": final, "metrics": {}, "tags": [], "environment": {}, "last_step": STEPS - 1}
        import_run(store, rec, table)


def build(dir: Path, out: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds (all threads of this process: DuckDB's too) of one build."""
    t, c = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        r = report("bench", dir=dir, path=out, notes="Benchmark: **50 runs x 100k steps**")
    return time.perf_counter() - t, time.process_time() - c, r.size


def open_in_browser(path: Path, repeat: int) -> tuple[list[float], list[float], list[str]]:
    from playwright.sync_api import sync_playwright

    ready, drawn, blocked = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS, headless=True)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else (blocked.append(route.request.url), route.abort()))
            page.goto(path.as_uri())
            page.wait_for_function("() => document.getElementById('nbt-report-app').dataset.state === 'ready'", timeout=60_000)
            ready.append(page.evaluate("() => performance.now()") / 1000)
            page.wait_for_function("() => Number(document.querySelector('.nbt-report-charts').dataset.drawn || 0) >= 2",
                                   timeout=60_000)
            drawn.append(page.evaluate("() => performance.now()") / 1000)
            page.close()
        browser.close()
    return ready, drawn, blocked


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        t = time.perf_counter()
        seed(store)
        print(f"seeded {RUNS} runs x {STEPS:,} steps x {len(KEYS)} metrics in {time.perf_counter() - t:.1f} s")
        out = Path(tmp) / "report.html"
        times, cpu, size = [], [], 0
        for _ in range(args.repeat):
            dt, dc, size = build(store, out)
            times.append(dt)
            cpu.append(dc)
        print(f"build report: median {statistics.median(times):.2f} s wall (runs: {', '.join(f'{x:.2f}' for x in times)}), "
              f"{statistics.median(cpu):.2f} s CPU; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"file size: {size / 1e6:.2f} MB")
        if not args.no_browser:
            ready, drawn, blocked = open_in_browser(out, args.repeat)
            print(f"open in Chromium, data decoded + tables built: median {statistics.median(ready):.2f} s")
            print(f"open in Chromium, first charts drawn: median {statistics.median(drawn):.2f} s "
                  f"(runs: {', '.join(f'{x:.2f}' for x in drawn)})")
            print(f"requests aborted (non-file): {len(blocked)}")


if __name__ == "__main__":
    main()
