"""Seed a store with runs for the table's tests: config, summary, curves, code, env."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

XSS = "<img src=x onerror=alert(1)>"


def notebook(lr: float, optimizer: str) -> bytes:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# Train a model"},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": f"import nbtrack\nrun = nbtrack.init(project='demo', config={{'lr': {lr}, 'optimizer': '{optimizer}'}})"},
        {"cell_type": "code", "metadata": {}, "execution_count": 2,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": f"training with lr={lr}\n"}],
         "source": f"for step in range(100):\n    loss = 1 / (step + 1) + {lr}\n    nbtrack.log({{'loss': loss}})\nprint('training with lr={lr}')"},
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    return json.dumps(nb).encode()


def seed(dir: str | Path, n: int = 8, steps: int = 200, project: str = "demo", xss: bool = True) -> list[str]:
    """Write ``n`` finished runs; return their ids (oldest first). Final loss grows with lr."""
    from nbtrack.store.live_writers import open_run
    from nbtrack.store.records import history_row
    from nbtrack.store.store import Store

    store = Store(dir)
    ids = []
    t0 = time.time() - 3600
    lrs = [10 ** (-4 + 3 * i / max(1, n - 1)) for i in range(n)]
    for i in range(n):
        lr = lrs[i]
        opt = "adam" if i % 2 == 0 else "sgd"
        rid = f"run{i:03d}"
        name = XSS if (xss and i == 1) else f"run-{i}-lr{lr:.0e}"
        final = 0.1 + 5 * lr + 0.01 * ((i * 7) % 3)
        rec = {"id": rid, "project": project, "name": name, "notes": f"note {i}", "tags": ["base"] + (["best"] if i == 0 else []),
               "state": "finished", "created_at": t0 + i * 60, "finished_at": t0 + i * 60 + 30 + i,
               "heartbeat_at": t0 + i * 60 + 30, "host": "h", "pid": 1, "pid_started_at": 0.0,
               "config": {"lr": lr, "optimizer": opt, "seed": (i * 37) % 11, "model": {"depth": 2 + i % 3}},
               "summary": {"loss": final, "val/acc": 1 - final / 2}, "metrics": {},
               "environment": {"python": "3.11.9", "platform": "Linux", "git": {"commit": f"abc{i:04d}", "branch": "main"},
                               "packages": {"numpy": "2.0", "nbtrack": "0.1.0"}},
               "last_step": steps - 1}
        w = open_run(store, rec, flush_interval=0.05)
        for s in range(steps):
            loss = final + 2 * math.exp(-s / (steps / 8))
            w.rows.append(history_row(s, t0 + i * 60 + s * 0.1, {"loss": loss, "val/acc": 1 - loss / 2}))
        w.add_file("code/train.ipynb", "code", data=notebook(lr, opt))
        w.start()
        w.close(wait=True, timeout=30)
        ids.append(rid)
    return ids
