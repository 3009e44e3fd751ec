"""Subprocess helper for the store tests: ``python worker.py MODE STORE_DIR ARGS...``.

Modes: ``log RUN_ID N`` logs N steps of a 4-scalar dict at a steady pace;
``crashlog RUN_ID`` logs forever (until SIGKILL); ``read SECONDS`` reads in a loop;
``hold SECONDS`` holds the exclusive store lock; ``exitlog RUN_ID N`` logs N steps then
closes without waiting and exits (the atexit hook must drain). Prints a JSON status line.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_records import make_run

from nbtrack.store.live_writers import open_run
from nbtrack.store.lock import file_lock
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import history_row
from nbtrack.store.store import Store


def main() -> None:
    mode, root = sys.argv[1], sys.argv[2]
    store = Store(root)
    status: dict = {"mode": mode}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if mode in ("log", "crashlog", "exitlog"):
            run_id = sys.argv[3]
            n = int(sys.argv[4]) if len(sys.argv) > 4 else 10**12
            w = open_run(store, make_run(run_id), flush_interval=1.0)
            rows = w.rows
            chunk = 1000
            i = 0
            while i < n:
                for j in range(i, min(i + chunk, n)):
                    rows.append(history_row(j, time.time(), {"loss": 1.0 / (j + 1), "acc": j * 1e-6,
                                                 "lr": 0.001, "epoch": j // 1000}))
                i += chunk
                if mode == "crashlog" and i == chunk:
                    w.flush(10)
                    print("ready", flush=True)
                time.sleep(0.02 if mode != "exitlog" else 0.0)
            if mode == "log":
                w.update_run({"state": "finished", "finished_at": time.time()})
                status["flushed"] = w.flush(timeout=120)
                w.close(wait=True)
            else:
                w.update_run({"state": "finished"})
                w.close()
                print(json.dumps(status), flush=True)
                return  # atexit drains
        elif mode == "read":
            reader = StoreReader(store)
            stop = time.monotonic() + float(sys.argv[3])
            reads = 0
            while time.monotonic() < stop and not Path(root, "STOP").exists():
                runs = reader.runs()
                for r in runs[:2]:
                    reader.query("SELECT count(*) AS n, max(step) AS s FROM history "
                                 "WHERE run_id = ?", [r["id"]])
                reads += 1
                time.sleep(0.2)
            status["reads"] = reads
        elif mode == "hold":
            store.root.mkdir(parents=True, exist_ok=True)
            with file_lock(store.lock_path, shared=False, timeout=10):
                print("locked", flush=True)
                time.sleep(float(sys.argv[3]))
    status["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(status), flush=True)


if __name__ == "__main__":
    main()
