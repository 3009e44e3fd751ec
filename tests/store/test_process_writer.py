"""One writer per process and store: many runs, one thread, one transaction per flush;
bad items dropped alone; deleted runs stay deleted; a taken id gets a new one."""

from __future__ import annotations

import threading
import time
import warnings

import pytest
from store_records import make_run

from nbtrack.store import live_writers, run_writer
from nbtrack.store.duckdb_sink import DuckDBSink
from nbtrack.store.editor import StoreEditor
from nbtrack.store.errors import NbtrackStorageWarning
from nbtrack.store.live_writers import open_run, writer_for
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import history_row


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "nbtrack-writer"]


def _storage_warnings(caught) -> list[str]:
    return [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]


def test_many_runs_share_one_thread_and_one_commit(store, monkeypatch):
    commits: list[int] = []
    real = DuckDBSink.commit

    def counting(self, batches, timeout=10.0):
        commits.append(len(batches))
        return real(self, batches, timeout)

    monkeypatch.setattr(DuckDBSink, "commit", counting)
    writers = [open_run(store, make_run(f"r{i}"), flush_interval=60.0) for i in range(50)]
    for i, w in enumerate(writers):
        w.rows.append(history_row(0, 1.0, {"x": float(i)}))
    assert len(_writer_threads()) == 1
    assert writers[0].flush(10)
    assert commits == [50]  # every run's data in one transaction
    for w in writers:
        w.close()
    assert writers[0].flush(10)
    deadline = time.monotonic() + 5
    while _writer_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _writer_threads() == []  # nothing left to write: no thread
    assert StoreReader(store).query("SELECT count(*) AS n FROM history")["n"][0].as_py() == 50


def test_bad_values_are_escaped_or_dropped_alone(store):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cyclic: dict = {}
        cyclic["self"] = cyclic
        w = open_run(store, make_run("r1", name="bad\udcffname"), flush_interval=0.05)
        w.rows.append(history_row(0, 1.0, {"ok": 1.0, "key\udcff": 2.0, "text": "val\udcff"}))
        w.rows.append(history_row(1, 2.0, {"ok": 2.0}))
        w.update_run({"summary": {"tuple": {(1, 2): 3}, "cycle": cyclic, "fine": 1}})
        assert w.flush(10)
    reader = StoreReader(store)
    keys = reader.query("SELECT key, num, text FROM history ORDER BY step, key").to_pylist()
    assert {"key": "ok", "num": 2.0, "text": None} in keys
    assert {"key": "key\\udcff", "num": 2.0, "text": None} in keys
    assert {"key": "text", "num": None, "text": "val\\udcff"} in keys
    rec = reader.run("r1")
    assert rec["name"] == "bad\\udcffname"
    assert rec["summary"]["fine"] == 1 and rec["summary"]["tuple"] == {"(1, 2)": 3}
    assert rec["summary"]["cycle"] == {"self": "<cycle>"}
    assert _storage_warnings(caught) == []  # escaped, nothing lost


def test_a_file_removed_before_its_copy_is_dropped_alone(store, tmp_path, monkeypatch):
    monkeypatch.setattr(run_writer, "SMALL_FILE", 0)  # copy later, as for a big checkpoint
    ckpt = tmp_path / "ckpt.pt"
    ckpt.write_bytes(b"weights")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=60.0)
        w.add_file("ckpt.pt", "file", source_path=str(ckpt))
        w.add_file("notes.txt", "file", data=b"kept")
        w.rows.append(history_row(0, 1.0, {"loss": 1.0}))
        ckpt.unlink()  # checkpoint rotation
        assert w.flush(10)
    reader = StoreReader(store)
    assert [f["path"] for f in reader.files("r1")] == ["notes.txt"]
    assert reader.history("r1").num_rows == 1
    msgs = _storage_warnings(caught)
    assert len(msgs) == 1 and "'ckpt.pt'" in msgs[0] and "removed" in msgs[0]


def test_a_failing_part_is_dropped_and_the_rest_is_stored(store, monkeypatch):
    from nbtrack.store import duckdb_sink

    real = duckdb_sink.runsql.update_run

    def picky(con, run_id, fields):
        if "summary" in fields and fields["summary"].get("poison"):
            raise ValueError("cannot store this")
        return real(con, run_id, fields)

    monkeypatch.setattr(duckdb_sink.runsql, "update_run", picky)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=60.0)
        assert w.flush(10)
        w.rows.append(history_row(0, 1.0, {"loss": 1.0}))
        w.add_file("a.txt", "file", data=b"a")
        w.update_run({"summary": {"poison": True}})
        assert w.flush(10)
        w.update_run({"summary": {"loss": 1.0}})
        assert w.flush(10)
    reader = StoreReader(store)
    assert reader.history("r1").num_rows == 1
    assert [f["path"] for f in reader.files("r1")] == ["a.txt"]
    assert reader.run("r1")["summary"] == {"loss": 1.0}
    msgs = _storage_warnings(caught)
    assert len(msgs) == 1 and "record of run r1" in msgs[0] and "cannot store this" in msgs[0]


def test_nothing_storable_at_all_is_retried_not_dropped(store, monkeypatch):
    from nbtrack.store import duckdb_sink

    broken = {"on": True}
    real = duckdb_sink._apply

    def failing(con, batches):
        if broken["on"]:
            raise RuntimeError("a bug in nbtrack, not a bad value")
        return real(con, batches)

    monkeypatch.setattr(duckdb_sink, "_apply", failing)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.05)
        w.rows.append(history_row(0, 1.0, {"loss": 1.0}))
        assert not w.flush(1.0)
        broken["on"] = False
        assert w.flush(15)
    assert StoreReader(store).history("r1").num_rows == 1  # kept and written once it could be


def test_a_deleted_run_stays_deleted(store):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.05)
        w.rows.append(history_row(0, 1.0, {"loss": 1.0}))
        assert w.flush(10)
        assert StoreEditor(store).delete(["r1"], force=True) == ["r1"]
        for i in range(1, 100):
            w.rows.append(history_row(i, 1.0, {"loss": 1.0}))
        w.update_run({"summary": {"loss": 1.0}})
        assert w.flush(10)
        w.rows.append(history_row(100, 1.0, {"loss": 1.0}))
        w.close(wait=True, timeout=10)
    reader = StoreReader(store)
    assert reader.runs() == []  # no ghost row
    assert reader.query("SELECT count(*) AS n FROM history")["n"][0].as_py() == 0
    msgs = _storage_warnings(caught)
    assert len(msgs) == 1 and "deleted" in msgs[0]


def test_a_taken_id_gets_a_new_one(store):
    first = open_run(store, make_run("same"), flush_interval=0.05)
    first.rows.append(history_row(0, 1.0, {"a": 1.0}))
    assert first.flush(10)
    renamed: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = open_run(store, make_run("same", name="other"), flush_interval=0.05, on_new_id=renamed.append)
        second.rows.append(history_row(0, 1.0, {"a": 2.0}))
        second.add_file("f.txt", "file", data=b"x")
        assert second.flush(10)
    assert len(renamed) == 1 and renamed[0].startswith("same-") and second.run_id == renamed[0]
    reader = StoreReader(store)
    assert {r["id"]: r["name"] for r in reader.runs()} == {"same": "name-same", renamed[0]: "other"}
    assert reader.history("same")["num"].to_pylist() == [1.0]
    assert reader.history(renamed[0])["num"].to_pylist() == [2.0]
    assert [f["path"] for f in reader.files(renamed[0])] == ["f.txt"]
    assert any("already taken" in m for m in _storage_warnings(caught))


def test_updates_after_close_are_stored(store):
    w = open_run(store, make_run("r1"), flush_interval=0.05)
    w.close(wait=True, timeout=10)
    w.update_run({"summary": {"edited": 1}})
    assert StoreReader(store).run("r1")["summary"] == {"edited": 1}  # the reader flushes first


def test_storage_trouble_is_one_warning_per_episode_for_all_runs(store, failing_store):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writers = [open_run(store, make_run(f"r{i}"), flush_interval=0.05) for i in range(20)]
        for w in writers:
            w.rows.append(history_row(0, 1.0, {"a": 1.0}))
        assert not writers[0].flush(0.5)
        for w in writers:
            w.close()
        failing_store.broken = False
        assert writers[0].flush(15)
    msgs = _storage_warnings(caught)
    assert len(msgs) == 2 and "IOException" in msgs[0] and "recovered" in msgs[1]
    assert StoreReader(store).query("SELECT count(*) AS n FROM history")["n"][0].as_py() == 20


def test_writer_per_store_and_flush_store(store, tmp_path):
    from nbtrack.store.store import Store

    other = Store(tmp_path / "other")
    assert writer_for(store) is writer_for(Store(store.root))
    assert writer_for(store) is not writer_for(other)
    w = open_run(other, make_run("o1"), flush_interval=60.0)
    w.rows.append(history_row(0, 1.0, {"a": 1.0}))
    assert live_writers.flush_store(store, 1.0)  # nothing of this store pending
    assert StoreReader(other).history("o1").num_rows == 1  # its own writer was flushed
    w.close(wait=True, timeout=10)


@pytest.mark.parametrize("n", [3])
def test_heartbeat_keeps_open_runs_alive(store, n):
    opened_at = time.time()
    writers = [open_run(store, make_run(f"r{i}", heartbeat_at=0.0), heartbeat_interval=0.1) for i in range(n)]
    deadline = time.monotonic() + 30
    reader = StoreReader(store)
    while time.monotonic() < deadline:  # every run beats after it was opened (no data logged)
        beats = [r["heartbeat_at"] for r in reader.runs()]
        if len(beats) == n and all(b >= opened_at for b in beats):
            break
        time.sleep(0.1)
    assert len(beats) == n and all(b >= opened_at for b in beats), (opened_at, beats)
    # the run reads as alive to another reader (heartbeat younger than the crash timeout)
    assert all(r["state"] == "running" for r in reader.runs())
    for w in writers:
        w.close(wait=True, timeout=10)
