"""Benchmarks of the runs table.

    .venv/bin/python bench/bench_table.py               # everything (needs /usr/bin/chromium)
    .venv/bin/python bench/bench_table.py --no-browser

Seeds (SQL + Arrow straight into the store) 10,000 runs with 25 config and 25 summary
keys, 20 of which also hold a 1M-step `loss` curve. Measures: the kernel's load (query +
flatten) and serialisation, opening the table in JupyterLab until all rows are in the
browser, sorting and filtering in the browser (ms, medians), and the overlaid curves of
20 runs x 1M steps (DuckDB M4 downsample in the kernel, then fetch + render in the page).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbtrack.store.store import Store

N_RUNS = 10_000
N_CFG = 25
N_SUM = 25
CURVE_RUNS = 20
STEPS = 1_000_000


def seed(dir: Path) -> None:
    rng = np.random.default_rng(0)
    t0 = time.time() - 86400
    cfg = rng.random((N_RUNS, N_CFG))
    ids = [f"h{i:02d}" if i < CURVE_RUNS else f"r{i:05d}" for i in range(N_RUNS)]
    rows = {
        "id": ids, "project": ["bench"] * N_RUNS,
        "name": [f"hist-{i}" if i < CURVE_RUNS else f"run-{i}" for i in range(N_RUNS)],
        "notes": [None] * N_RUNS, "tags": [["a"] if i % 3 else ["b"] for i in range(N_RUNS)],
        "state": ["finished"] * N_RUNS, "created_at": [t0 + i for i in range(N_RUNS)],
        "finished_at": [t0 + i + 60 for i in range(N_RUNS)], "heartbeat_at": [t0 + i + 60 for i in range(N_RUNS)],
        "config": [json.dumps({"lr": float(10 ** (-5 + 4 * c[0])), "opt": ["adam", "sgd"][i % 2],
                               **{f"p{k}": float(c[k]) for k in range(2, N_CFG)}}) for i, c in enumerate(cfg)],
        "summary": [json.dumps({"loss": float(c[0] + 0.1 * c[2]), **{f"m{k}": float(c[k] * 2) for k in range(1, N_SUM)}})
                    for c in cfg],
    }
    table = pa.table(rows)
    with Store(dir).write() as con:
        con.register("seed_runs", table)
        con.execute("INSERT INTO runs (id, project, name, notes, tags, state, created_at, finished_at, heartbeat_at, "
                    "config, summary) SELECT id, project, name, notes, tags, state, created_at, finished_at, "
                    "heartbeat_at, config, summary FROM seed_runs")
        con.execute("INSERT INTO history SELECT 'h' || lpad(CAST(r AS VARCHAR), 2, '0'), s, s * 0.01, 'loss', "
                    "exp(-s / 200000.0) * (1 + r / 20.0) + random() * 0.02, NULL, NULL "
                    f"FROM range({CURVE_RUNS}) t1(r), range({STEPS}) t2(s)")


def bench_kernel(dir: Path) -> None:
    from nbtrack.runs_table.queries import curves, load_table
    from nbtrack.runs_table.widget import RunsTable
    from nbtrack.store.reader import StoreReader

    reader = StoreReader(Store(dir))
    loads, sers, widgets, downs = [], [], [], []
    for _ in range(5):
        t = time.perf_counter()
        data = load_table(reader, "bench")
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows, bufs = data.rows(binary=True)
        blob = json.dumps(rows)
        sers.append(time.perf_counter() - t)
        t = time.perf_counter()
        w = RunsTable("bench", dir=dir)
        widgets.append(time.perf_counter() - t)
        w.close()
        t = time.perf_counter()
        series, cbufs = curves(reader, [f"h{i:02d}" for i in range(CURVE_RUNS)], "loss", 1200)
        downs.append(time.perf_counter() - t)
    page = json.dumps(w.page)
    print(f"kernel: load_table 10k runs x {len(data.columns)} columns: median {statistics.median(loads) * 1000:.0f} ms")
    print(f"kernel: serialise all rows: median {statistics.median(sers) * 1000:.0f} ms, "
          f"{(len(blob) + sum(map(len, bufs))) / 1e6:.2f} MB (JSON {len(blob) / 1e6:.2f} MB + Float64 buffers "
          f"{sum(map(len, bufs)) / 1e6:.2f} MB); saved first page {len(page) / 1e3:.0f} KB")
    print(f"kernel: RunsTable(...) construction: median {statistics.median(widgets) * 1000:.0f} ms")
    print(f"kernel: downsample 20 runs x 1M steps (M4, 1200 px) in DuckDB: median {statistics.median(downs) * 1000:.0f} ms, "
          f"{sum(s['n'] for s in series)} points sent")


def bench_browser(dir: Path) -> None:
    import nbformat
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from jupyter_lab import CHROME_ARGS, CHROMIUM, running_lab  # the browser tests' recipe

    with running_lab(Path(tempfile.mkdtemp())) as lab:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(f"import nbtrack\nt = nbtrack.table('bench', dir={str(dir)!r})\nt")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, lab.root / "bench_table.ipynb")
        sel = ".nbt-table"
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            pg = b.new_page(viewport={"width": 1280, "height": 1000})
            lab.open(pg, "/lab/tree/bench_table.ipynb?reset")
            # warm the kernel's imports once (a user's second table), then time a fresh open
            t0 = time.time()
            pg.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            pg.wait_for_function(f"() => {{ const e = document.querySelector('{sel}'); return e && e.dataset.loaded === 'full' && e.dataset.view === '{N_RUNS}'; }}", timeout=120_000)
            first = time.time() - t0
            opens = []
            for _ in range(3):
                t0 = time.time()
                pg.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
                pg.wait_for_function(f"() => {{ const e = document.querySelector('{sel}'); return e && e.dataset.loaded === 'full' && e.dataset.view === '{N_RUNS}' && e.dataset.stamp !== 'old'; }}", timeout=120_000)
                opens.append(time.time() - t0)
                pg.evaluate(f"() => {{ document.querySelector('{sel}').dataset.stamp = 'old'; }}")
            rendered = int(pg.eval_on_selector(f"{sel} .nbt-grid", "e => e.dataset.rendered"))
            load_ms = float(pg.eval_on_selector(sel, "e => e.dataset.loadMs"))
            # sort: click a header, time until the next frame is painted
            sorts, sort_cpu = [], []
            for key in ["config.lr", "summary.loss", "config.p5", "name", "summary.m7", "config.opt", "created_at"] * 2:
                ms = pg.evaluate(f"""(key) => new Promise(res => {{
                    const t = performance.now();
                    document.querySelector(`{sel} .nbt-hcell[data-key="${{key}}"]`).click();
                    requestAnimationFrame(() => setTimeout(() => res(performance.now() - t), 0)); }})""", key)
                sorts.append(ms)
                sort_cpu.append(float(pg.eval_on_selector(sel, "e => e.dataset.sortMs")))
            filters, filter_cpu = [], []
            for text in ["lr < 0.001", "lr < 0.01 and m3 > 1", "opt = adam", "run-12", "p4 >= 0.5 and tags = b", ""] * 2:
                ms = pg.evaluate(f"""(text) => new Promise(res => {{
                    const inp = document.querySelector('{sel} input[data-role=filter]');
                    const root = document.querySelector('{sel}');
                    const before = root.dataset.renderMs + root.dataset.filterMs + Math.random();
                    inp.value = text; const t = performance.now(); inp.dispatchEvent(new Event('input'));
                    const wait = () => {{ if (root.dataset.filterText !== text) {{}} }};
                    setTimeout(() => requestAnimationFrame(() => res(performance.now() - t - 120)), 125); }})""", text)
                filters.append(ms)
                filter_cpu.append(float(pg.eval_on_selector(sel, "e => e.dataset.filterMs")) + float(pg.eval_on_selector(sel, "e => e.dataset.sortMs")) + float(pg.eval_on_selector(sel, "e => e.dataset.renderMs")))
            # overlay 20 runs x 1M steps
            pg.locator(f"{sel} input[data-role=filter]").fill("name ~ hist")
            pg.wait_for_function(f"() => document.querySelector('{sel}').dataset.view === '{CURVE_RUNS}'", timeout=10_000)
            pg.locator(f"{sel} .nbt-hcell[data-key='name']").click()
            t0 = time.time()
            pg.evaluate(f"""() => {{ for (const cb of document.querySelectorAll('{sel} .nbt-row input[data-role=select]')) {{ cb.checked = true; cb.dispatchEvent(new Event('change')); }} }}""")
            pg.wait_for_function(f"() => document.querySelector('{sel} .nbt-overlay').dataset.series === '{CURVE_RUNS}' && document.querySelector('{sel} .nbt-overlay').dataset.fetchMs", timeout=120_000)
            overlay_wall = time.time() - t0
            ov = pg.eval_on_selector(f"{sel} .nbt-overlay", "e => ({fetch: e.dataset.fetchMs, render: e.dataset.renderMs, points: e.dataset.points})")
            pg.screenshot(path=str(ROOT / "test-output" / "bench_table.png"), full_page=True)
            b.close()
        print(f"browser: open (run the cell -> all {N_RUNS} rows in the page): first {first:.2f} s, then median {statistics.median(opens):.2f} s "
              f"(kernel answer of the 'load' request {load_ms:.0f} ms); rows in the DOM {rendered}")
        print(f"browser: sort 10k rows, click -> painted: median {statistics.median(sorts):.1f} ms "
              f"(sort itself median {statistics.median(sort_cpu):.1f} ms)")
        print(f"browser: filter 10k rows (filter+sort+render, ms): median {statistics.median(filter_cpu):.1f} ms; "
              f"input -> painted after the 120 ms typing debounce: median {statistics.median(filters):.1f} ms")
        print(f"browser: overlay 20 runs x 1M steps: select -> drawn {overlay_wall:.2f} s; request (DuckDB M4 + transfer) "
              f"{float(ov['fetch']):.0f} ms, uPlot render {float(ov['render']):.0f} ms, {ov['points']} points")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    dir = Path(tempfile.mkdtemp()) / "store"
    t = time.perf_counter()
    seed(dir)
    print(f"seed: {N_RUNS} runs x {N_CFG + N_SUM} config/summary keys + {CURVE_RUNS} x {STEPS:,} steps in {time.perf_counter() - t:.1f} s")
    bench_kernel(dir)
    if not args.no_browser:
        (ROOT / "test-output").mkdir(exist_ok=True)
        bench_browser(dir)


if __name__ == "__main__":
    main()
