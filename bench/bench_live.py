"""Benchmarks of the live panel.

    .venv/bin/python bench/bench_live.py            # everything (needs /usr/bin/chromium)
    .venv/bin/python bench/bench_live.py --no-browser

Measures: bytes per push vs points logged (flat per new point), the kernel's cost of
100k log calls/s with the pusher running, bundle size, saved state per widget, time from
log() to pixels in JupyterLab (median), browser render time of a 1M-step run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbtrack.live import LiveFeed
from nbtrack.live.pusher import LiveData, Pusher
from nbtrack.store.records import history_row


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n## {title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))


def bench_bytes() -> None:
    rows_out = []
    for rate in (100, 1_000, 10_000, 100_000):
        rows: list = []
        sent: list = []
        p = Pusher(rows, LiveData("r"), lambda m, b, sent=sent: sent.append((m, b)), interval=999)
        per_tick = max(1, rate // 4)
        step = 0
        sizes, news = [], []
        for _tick in range(40):  # 10 s of logging at `rate` rows/s, 3 keys
            for _ in range(per_tick):
                rows.append(history_row(step, step * 1e-3, {"loss": 1 / (step + 1), "acc": step % 7 / 7, "lr": 0.1}))
                step += 1
            p.flush()
            m, b = sent[-1]
            sizes.append(sum(len(x) for x in b) + len(json.dumps(m)))
            news.append(per_tick * 3)
        per_pt = [s / n for s, n in zip(sizes, news)]
        rows_out.append([f"{rate:,}", f"{per_tick * 3:,}", f"{statistics.median(sizes):,.0f}",
                         f"{statistics.median(per_pt[5:]):.1f}", f"{max(per_pt[5:]):.1f}",
                         f"{max(len(m) for m in p.data.series.values())}"])
    table("bytes per push (4 pushes/s, 3 keys, 10 s)",
          ["rows/s", "new pts/push", "bytes/push (med)", "B/new pt (med)", "B/new pt (max)", "mirror pts"], rows_out)


def bench_kernel_overhead() -> None:
    def paced(rows: list, seconds: float = 2.0, rate: int = 100_000) -> float:
        """Append ~rate rows/s for `seconds`; the loop's own ns per row (sleep excluded)."""
        busy = 0.0
        done = 0
        t_start = time.perf_counter()
        while time.perf_counter() - t_start < seconds:
            t0 = time.perf_counter()
            for i in range(done, done + 1000):
                rows.append(history_row(i, 0.0, {"loss": 1.0 / (i + 1), "acc": 0.5}))
            busy += time.perf_counter() - t0
            done += 1000
            lag = done / rate - (time.perf_counter() - t_start)
            if lag > 0:
                time.sleep(lag)
            if len(rows) > 1_000_000 and not hasattr(rows, "live"):
                del rows[:]
        return busy / done * 1e9

    base, with_pusher, sends = [], [], []
    for _ in range(3):
        base.append(paced([]))
        live = LiveFeed({"id": "b", "name": "b", "project": "p", "state": "running", "started_at": time.time()},
                           earlier_runs=0)
        with_pusher.append(paced(live.rows))
        live.close()
        sends.append(live.stats["sends"] / 2.0)
    table("kernel cost of logging 100k rows/s (median of 3 x 2 s; includes building the row dict)",
          ["case", "ns per row"],
          [["append only, no pusher", f"{statistics.median(base):.0f}"],
           ["append while the pusher drains them", f"{statistics.median(with_pusher):.0f}"],
           ["pusher sends per second", f"{statistics.median(sends):.1f}"]])


def bench_sizes() -> None:
    js = (ROOT / "nbtrack/static/widget.js").read_bytes()
    css = (ROOT / "nbtrack/static/widget.css").read_bytes()
    live = LiveFeed({"id": "s", "name": "s", "project": "p", "state": "running", "started_at": time.time()},
                       earlier_runs=0)
    for i in range(100_000):
        live.rows.append(history_row(i, 1e9 + i, {"train/loss": 1 / (i + 1), "train/acc": i % 9, "val/loss": 0.3,
                                       "lr": 0.1, "system/cpu": 50.0}))
    live.set_state("finished")
    live.close()
    state = live.widget.get_state()
    data = {k: v for k, v in state.items() if k not in ("_esm", "_css")}
    data_bytes = len(json.dumps(data))
    table("sizes", ["what", "raw", "gzip"],
          [["widget.js", f"{len(js):,}", f"{len(gzip.compress(js)):,}"],
           ["widget.css", f"{len(css):,}", f"{len(gzip.compress(css)):,}"],
           ["saved state: data traits (5 keys x 100k steps)", f"{data_bytes:,}",
            f"{len(gzip.compress(json.dumps(data).encode())):,}"],
           ["saved state: whole widget incl. _esm/_css", f"{len(json.dumps(state)):,}", ""]])


LATENCY_SETUP = """\
import time
from nbtrack.live import LiveFeed
from nbtrack.store.records import history_row
live = LiveFeed({"id": "lat", "name": "latency", "project": "bench", "state": "running", "started_at": time.time()},
                   earlier_runs=0)
live.show()
"""
LATENCY_RUN = """\
sent = []
for k in range(1, 41):
    t = time.time()
    live.rows.append(history_row(k, t, {"loss": 1.0 / k}))
    sent.append((k, t))
    time.sleep(0.137)
print("SENT", sent)
"""
BIG_SETUP = """\
import time, math
from nbtrack.live import LiveFeed
from nbtrack.store.records import history_row
big = LiveFeed({"id": "big", "name": "1M steps", "project": "bench", "state": "running", "started_at": time.time()},
                  earlier_runs=0, push_interval=3600)
for i in range(1_000_000):
    big.rows.append(history_row(i, 1e9 + i * 0.01, {"loss": math.exp(-i / 2e5) + 0.01 * math.sin(i), "acc": 1 - math.exp(-i / 3e5), "lr": 0.1}))
big._pusher.flush()
big.show()
"""
BIG_PUSH = """\
for i in range(1_000_000, 1_010_000):
    big.rows.append(history_row(i, 1e9 + i * 0.01, {"loss": 0.01, "acc": 0.99, "lr": 0.1}))
big._pusher.force_reset = True
big._pusher.flush()
"""


def bench_browser() -> None:
    import nbformat
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from jupyter_lab import CHROME_ARGS, CHROMIUM, running_lab  # the browser tests' recipe

    with running_lab(Path(tempfile.mkdtemp())) as lab:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(LATENCY_SETUP), nbformat.v4.new_code_cell(LATENCY_RUN),
                    nbformat.v4.new_code_cell(BIG_SETUP), nbformat.v4.new_code_cell(BIG_PUSH)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, lab.root / "bench.ipynb")
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            pg = b.new_page(viewport={"width": 1280, "height": 1000})
            lab.open(pg, "/lab/tree/bench.ipynb?reset")
            # record when each step's pixels are on screen: after the frame that rendered it
            pg.evaluate("""() => { window.__seen = {}; const tick = () => {
                const p = document.querySelector('.nbt-panel');
                if (p && p.dataset.step && !(p.dataset.step in window.__seen)) window.__seen[p.dataset.step] = Date.now() / 1000;
                const big = document.querySelectorAll('.nbt-panel')[1];
                if (big && big.dataset.renders !== window.__bigRenders) {
                  window.__bigRenders = big.dataset.renders;
                  (window.__big = window.__big || []).push([big.dataset.step, Number(big.dataset.renderMs), Number(big.dataset.points)]);
                }
                requestAnimationFrame(tick); }; requestAnimationFrame(tick); }""")
            pg.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            pg.wait_for_function("() => document.querySelectorAll('.nbt-panel').length >= 2"
                                 " && document.querySelectorAll('.nbt-panel')[1].dataset.points > 0", timeout=120_000)
            out = pg.locator(".jp-OutputArea-output pre").all_inner_texts()
            sent_line = next(t for t in out if t.startswith("SENT"))
            sent = dict(eval(sent_line[5:]))  # our own kernel output
            seen = {int(k): v for k, v in pg.evaluate("() => window.__seen").items() if k}
            # a step is on screen once any step >= it has been drawn (pushes batch several)
            lat = []
            for k, t in sent.items():
                later = [seen[j] for j in seen if j >= k]
                if later:
                    lat.append((min(later) - t) * 1000)
            pg.wait_for_function("() => (window.__big || []).some(r => r[0] === '1009999')", timeout=120_000)
            time.sleep(0.5)
            big_log = pg.evaluate("() => window.__big")
            first = next(r for r in big_log if r[2] > 0)
            reset = [r for r in big_log if r[0] == "1009999"]
            first_ms, pts, reset_ms = first[1], first[2], [r[1] for r in reset]
            pg.locator(".nbt-panel").nth(1).scroll_into_view_if_needed()
            pg.screenshot(path=str(ROOT / "test-output" / "bench_1m.png"))
            b.close()
        table("browser (JupyterLab, headless Chromium)", ["what", "value"],
              [["log() -> pixels, median ms", f"{statistics.median(lat):.0f}" if lat else "n/a"],
               ["log() -> pixels, p90 ms", f"{np.percentile(lat, 90):.0f}" if lat else "n/a"],
               ["samples", str(len(lat))],
               ["1M-step run (3 keys): first render ms", f"{first_ms:.1f}"],
               ["1M-step run: points held in browser", f"{pts:,}"],
               ["1M-step run: render after a full reset, ms", ", ".join(f"{x:.1f}" for x in reset_ms)]])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    (ROOT / "test-output").mkdir(exist_ok=True)
    bench_bytes()
    bench_kernel_overhead()
    bench_sizes()
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        bench_browser()


if __name__ == "__main__":
    main()
