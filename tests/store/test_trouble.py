"""Storage trouble never raises into the caller: warn, keep rows in memory, retry."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

from store_records import make_run

from nbtrack.store import runsql
from nbtrack.store.errors import NbtrackStorageWarning
from nbtrack.store.live_writers import open_run
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import history_row
from nbtrack.store.store import Store

WORKER = Path(__file__).with_name("worker.py")


def _rows(w, start, n):
    for i in range(start, start + n):
        w.rows.append(history_row(i, time.time(), {"a": float(i), "b": 1.0}))


def _assert_exact(store, run_id, n):
    t = StoreReader(store).query(
        "SELECT count(*) AS c, count(DISTINCT step) AS d, min(step) AS lo, max(step) AS hi "
        "FROM history WHERE run_id = ?", [run_id]).to_pylist()[0]
    assert t == {"c": 2 * n, "d": n, "lo": 0, "hi": n - 1}


def _wait(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_lock_held_by_other_process(store):
    holder = subprocess.Popen([sys.executable, str(WORKER), "hold", str(store.root), "2.5"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.2, lock_timeout=0.3)
        _rows(w, 0, 5000)
        assert _wait(lambda: w.failing, 5)
        _rows(w, 5000, 5000)
        assert w.flush(timeout=20)
        holder.wait(10)
        w.close(wait=True, timeout=10)
    _assert_exact(store, "r1", 10_000)
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    assert len([m for m in msgs if "LockTimeout" in m]) == 1  # rate limited
    assert any("recovered" in m for m in msgs)
    assert w.warnings == msgs


def test_failing_connection_then_recovery(store, failing_store):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.1)
        _rows(w, 0, 3000)
        w.update_run({"summary": {"a": 1.0}})
        assert not w.flush(timeout=1.0)  # nothing raised, just not durable yet
        _rows(w, 3000, 3000)
        w.update_run({"summary": {"a": 2.0}})
        failing_store.broken = False
        assert w.flush(timeout=15)
        w.close(wait=True, timeout=10)
    _assert_exact(store, "r1", 6000)
    assert StoreReader(store).run("r1")["summary"] == {"a": 2.0}
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    assert len(msgs) == 2 and "IOException" in msgs[0] and "recovered" in msgs[1]


def test_failure_mid_transaction_is_not_half_committed(store, monkeypatch):
    calls = {"n": 0}
    real = runsql.insert_run

    def failing_upsert(con, run_id, fields):
        calls["n"] += 1
        if calls["n"] <= 2:  # after the history INSERT, before COMMIT
            raise OSError(28, "No space left on device")
        return real(con, run_id, fields)

    monkeypatch.setattr(runsql, "insert_run", failing_upsert)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.1)
        _rows(w, 0, 2000)
        assert w.flush(timeout=15)
        w.close(wait=True, timeout=10)
    assert calls["n"] >= 3
    _assert_exact(store, "r1", 2000)


def test_store_path_is_a_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    store = Store(blocker / "store")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.1)
        _rows(w, 0, 1000)
        w.add_file("media/x.txt", "media", data=b"payload")
        assert not w.flush(timeout=0.8)
        assert w.failing
        blocker.unlink()  # the trouble is fixed
        _rows(w, 1000, 1000)
        assert w.flush(timeout=15)
        w.close(wait=True, timeout=10)
    _assert_exact(store, "r1", 2000)
    assert [f["path"] for f in StoreReader(store).files("r1")] == ["media/x.txt"]
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    assert msgs and "recovered" in msgs[-1]
