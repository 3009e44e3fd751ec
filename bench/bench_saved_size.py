"""Saved size of a notebook showing 20 live panels (issue 11).

    PYTHONPATH=. .venv/bin/python bench/bench_saved_size.py [--runs 20]

Executes, headless with nbclient (which saves every widget's state, as JupyterLab does
with saveState), one notebook cell that trains 20 runs the way notebooks/quickstart.ipynb
does (numpy MLP, 600 steps of train/loss + train/acc, val metrics every 20 steps, a
decision-boundary image every 100, system metrics), once with the shared widget code
(the default) and once with NBTRACK_WIDGET_CODE=inline (every panel its own bundle, as
before). Prints the file size and where the bytes go: the code holder, each panel's state
(median), each panel's static SVG (median). Sizes do not vary between runs beyond a few
bytes (names, timings), so one execution per mode is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"

CELL = """\
for r in range({runs}):
    run = nbtrack.init(project="bench-saved", config={{"lr": 0.3 + 0.1 * r}})
    nbtrack.define_metric("val/acc", summary="max")
    train(lr=run.config.lr, hidden=32, iterations=600, delay=0.0)
    nbtrack.finish()
"""


def build(runs: int) -> nbformat.NotebookNode:
    """The quickstart's imports, data and train() cells, then one cell training `runs` runs."""
    source = nbformat.read(QUICKSTART, as_version=4)
    code = [c for c in source.cells if c.cell_type == "code"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.source) for c in code[:3]] + [nbformat.v4.new_code_cell(CELL.format(runs=runs))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(runs: int, mode: str, work: Path) -> dict[str, object]:
    nb = build(runs)
    env = {"NBTRACK_DIR": str(work / f"store-{mode}"), "NBTRACK_LIVE": "1", "NBTRACK_WIDGET_CODE": mode,
           "NBTRACK_SYSTEM_INTERVAL": "1", "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    t0 = time.perf_counter()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(work)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    path = work / f"twenty-{mode}.ipynb"
    nbformat.write(nb, path)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    panels = [m for m in state.values() if "snapshot" in m["state"]]
    holders = [m for m in state.values() if "code" in m["state"] and "digest" in m["state"]]
    svgs = [o["data"]["image/svg+xml"] for c in nb.cells for o in c.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})]
    per_panel = [len(json.dumps(m)) for m in panels]
    snapshots = [len(json.dumps(m["state"]["snapshot"])) for m in panels]
    return {"mode": mode, "file": path.stat().st_size, "panels": len(panels), "holder": sum(len(json.dumps(m)) for m in holders),
            "panel_median": statistics.median(per_panel) if per_panel else 0,
            "snapshot_median": statistics.median(snapshots) if snapshots else 0,
            "svg_median": statistics.median(len(s) for s in svgs) if svgs else 0, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("shared", "inline"):
            rows.append(execute(args.runs, mode, Path(tmp)))
    header = ["widget code", "saved .ipynb", "panels", "code holder", "panel state (median)",
              "of which snapshot", "SVG per panel (median)", "execute s"]
    print(f"\n## Saved notebook with {args.runs} quickstart-like panels")
    table = [header] + [[r["mode"], f"{r['file']:,}", r["panels"], f"{r['holder']:,}", f"{int(r['panel_median']):,}",
                         f"{int(r['snapshot_median']):,}", f"{int(r['svg_median']):,}", f"{r['seconds']:.1f}"] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(*table)]
    for i, r in enumerate(table):
        print("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
