"""Several processes write one store while another reads; kill -9 loses <= ~1 s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nbtrack.store.reader import StoreReader

WORKER = Path(__file__).with_name("worker.py")
STEPS = 100_000


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _status(proc: subprocess.Popen, timeout: float) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Warning" not in err, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_four_writers_one_reader(store):
    store.root.mkdir(parents=True)
    writers = [_spawn("log", str(store.root), f"run{i}", str(STEPS)) for i in range(4)]
    reader = _spawn("read", str(store.root), "120")
    statuses = [_status(p, 180) for p in writers]
    (store.root / "STOP").write_text("")
    rstatus = _status(reader, 30)
    for s in statuses:
        assert s["flushed"] is True and s["warnings"] == []
    assert rstatus["warnings"] == [] and rstatus["reads"] > 3
    r = StoreReader(store)
    counts = r.query(
        "SELECT run_id, count(*) AS n, count(DISTINCT step) AS d, min(step) AS lo, "
        "max(step) AS hi, count(DISTINCT (step, key)) AS u FROM history "
        "GROUP BY run_id ORDER BY run_id").to_pylist()
    assert counts == [{"run_id": f"run{i}", "n": 4 * STEPS, "d": STEPS, "lo": 0,
                       "hi": STEPS - 1, "u": 4 * STEPS} for i in range(4)]
    runs = r.runs()
    assert sorted(x["id"] for x in runs) == [f"run{i}" for i in range(4)]
    assert all(x["state"] == "finished" and x["last_step"] == STEPS - 1 for x in runs)


@pytest.mark.slow
def test_kill_9_loses_at_most_a_flush(store):
    store.root.mkdir(parents=True)
    proc = _spawn("crashlog", str(store.root), "victim")
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(3.3)
    killed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    r = StoreReader(store)
    run = r.run("victim")
    assert run is not None and run["state"] == "crashed"  # dead pid on this host
    t = r.query("SELECT count(*) AS n, count(DISTINCT step) AS d, max(step) AS hi, "
                "max(ts) AS last_ts FROM history WHERE run_id = ?", ["victim"]).to_pylist()[0]
    assert t["n"] == 4 * t["d"] and t["d"] == t["hi"] + 1  # contiguous, no duplicates
    # everything logged up to one flush interval (+ slack for the flush itself) survived
    assert t["last_ts"] >= killed_at - 1.0 - 1.0, killed_at - t["last_ts"]


@pytest.mark.slow
def test_atexit_drains_after_close(store):
    store.root.mkdir(parents=True)
    proc = _spawn("exitlog", str(store.root), "quick", "300000")
    _status(proc, 120)
    r = StoreReader(store)
    t = r.query("SELECT count(*) AS n FROM history WHERE run_id = ?", ["quick"]).to_pylist()[0]
    assert t["n"] == 4 * 300_000
    assert r.run("quick")["state"] == "finished"
