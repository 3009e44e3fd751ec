from __future__ import annotations

import json
import time

import pytest
from store_records import make_run

from nbtrack.store.convert import rows_to_arrow
from nbtrack.store.live_writers import flush_store, open_run
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import history_row
from nbtrack.store.runsql import upsert_run


def test_upsert_and_json_round_trip(store):
    run = make_run("r1", config={"opt": {"lr": 0.1, "betas": [0.9, 0.99]}, "name": "x"},
                   environment={"python": "3.11"}, tags=["a", "b"], group="g1")
    with store.write() as con:
        upsert_run(con, "r1", run)
        upsert_run(con, "r1", {"summary": {"loss": 0.5}, "last_step": 10})
        upsert_run(con, "r1", {"last_step": 5, "notes": "hi"})  # last_step only grows
        assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 1
    rec = StoreReader(store).run("r1")
    assert rec["config"] == {"opt": {"lr": 0.1, "betas": [0.9, 0.99]}, "name": "x"}
    assert rec["summary"] == {"loss": 0.5}
    assert rec["environment"] == {"python": "3.11"}
    assert rec["tags"] == ["a", "b"] and rec["group"] == "g1"
    assert rec["last_step"] == 10 and rec["notes"] == "hi"
    assert rec["state"] == "running"


def test_runs_order_and_filters(store):
    with store.write() as con:
        upsert_run(con, "old", make_run("old", created_at=1e9 + 1e6 * 1, project="a"))
        upsert_run(con, "new", make_run("new", created_at=time.time(), project="b"))
    reader = StoreReader(store)
    assert [r["id"] for r in reader.runs()] == ["new", "old"]
    assert [r["id"] for r in reader.runs(project="a")] == ["old"]
    assert [r["id"] for r in reader.runs(ids=["old", "zzz"])] == ["old"]
    assert reader.projects() == ["a", "b"]
    assert reader.run("missing") is None


def test_convert_mixed_types():
    rows = [history_row(0, 1.0, {"a": 1, "b": True, "c": "txt", "d": {"_type": "image", "sha": "x"},
                      "e": [1, 2], "f": None, "g": 2.5})]
    t = rows_to_arrow(rows).to_pylist()
    by = {r["key"]: r for r in t}
    assert by["a"]["num"] == 1.0 and by["b"]["num"] == 1.0 and by["g"]["num"] == 2.5
    assert by["c"]["text"] == "txt" and by["c"]["num"] is None
    assert json.loads(by["d"]["json"]) == {"_type": "image", "sha": "x"}
    assert json.loads(by["e"]["json"]) == [1, 2]
    assert by["f"]["num"] is None and by["f"]["text"] is None and by["f"]["json"] is None
    assert rows_to_arrow([]).num_rows == 0


def test_history_wide_mixed_types(store):
    run = make_run("r1", created_at=1000.0)
    w = open_run(store, run)
    w.rows.append(history_row(0, 1001.0, {"loss": 1.0, "phase": "train", "img": {"_type": "image", "w": 2}}))
    w.rows.append(history_row(1, 1002.5, {"loss": 0.5, "flag": True}))
    w.rows.append(history_row(2, 1003.0, {"phase": "eval", "lst": [1, "a"]}))
    w.close(wait=True, timeout=10)
    reader = StoreReader(store)
    df = reader.history_wide("r1")
    assert list(df["_step"]) == [0, 1, 2]
    assert list(df["_runtime"]) == [1.0, 2.5, 3.0]
    assert df["loss"].dtype.kind == "f" and df["loss"].iloc[1] == 0.5 and df["loss"].isna().iloc[2]
    assert df["flag"].iloc[1] == 1.0
    assert list(df["phase"]) == ["train", None, "eval"] or list(df["phase"].fillna("-")) == ["train", "-", "eval"]
    assert df["img"].iloc[0] == {"_type": "image", "w": 2}
    assert df["lst"].iloc[2] == [1, "a"]
    narrow = reader.history_wide("r1", keys=["loss"], start_time=1000.5)
    assert list(narrow.columns) == ["_step", "_timestamp", "_runtime", "loss"]
    assert list(narrow["_runtime"]) == [0.5, 2.0]
    long = reader.history("r1", keys=["loss", "phase"])
    assert long.num_rows == 4 and long.column_names == ["step", "ts", "key", "num", "text", "json"]


def test_downsample_keeps_extremes(store):
    w = open_run(store, make_run("r1"))
    n = 50_000
    for i in range(n):
        v = 1.0 + (i % 7) * 0.01
        if i == 31_337:
            v = 1000.0  # spike
        if i == 12_345:
            v = -500.0  # dip
        w.rows.append(history_row(i, 1e9 + i, {"loss": v, "short": float(i)} if i < 100 else {"loss": v}))
    w.close(wait=True, timeout=30)
    reader = StoreReader(store)
    t = reader.downsample(["r1"], width_px=200)
    steps = [s for k, s in zip(t["key"].to_pylist(), t["step"].to_pylist()) if k == "loss"]
    assert len(steps) <= 4 * 200 and len(steps) > 200
    assert 31_337 in steps and 12_345 in steps and 0 in steps and n - 1 in steps
    assert steps == sorted(steps)
    short = [s for k, s in zip(t["key"].to_pylist(), t["step"].to_pylist()) if k == "short"]
    assert short == list(range(100))  # short series come back whole
    t2 = reader.downsample(["r1"], keys=["loss"], width_px=100, x="ts")
    assert set(t2["key"].to_pylist()) == {"loss"} and 31_337 in t2["step"].to_pylist()
    assert t2.column_names == ["run_id", "key", "step", "ts", "num"]
    with pytest.raises(ValueError):
        reader.downsample(["r1"], x="bogus")


def test_blobs_dedup_and_files(store, tmp_path):
    sha = store.put_blob(b"hello")
    assert store.put_blob(b"hello") == sha
    assert store.read_blob(sha) == b"hello"
    assert store.blob_path(sha) == store.root / "blobs" / sha[:2] / sha
    src = tmp_path / "f.bin"
    src.write_bytes(b"x" * 3_000_000)
    sha2, size = store.put_blob_file(src)
    assert size == 3_000_000 and store.read_blob(sha2) == src.read_bytes()
    assert store.put_blob_file(src) == (sha2, size)
    assert not [p for p in store.blobs_dir.rglob("*.tmp")]

    w = open_run(store, make_run("r1"))
    rec = w.add_file("code/f.bin", "code", source_path=str(src))
    src.write_bytes(b"changed")  # content was taken at call time
    rec2 = w.add_file("media/a.txt", "media", data=b"hello")
    blob_sha = w.add_blob(b"raw blob")
    assert w.flush(10)
    files = StoreReader(store).files("r1")
    assert [f["path"] for f in files] == ["code/f.bin", "media/a.txt"]
    assert files[0]["sha256"] == sha2 == rec["sha256"] and files[1]["sha256"] == sha == rec2["sha256"]
    assert StoreReader(store).files("r1", kind="media") == [rec2]
    assert store.read_blob(blob_sha) == b"raw blob"
    w.close(wait=True, timeout=10)


def test_flush_store_read_your_writes(store):
    w = open_run(store, make_run("r1"), flush_interval=60.0)
    assert w.flush(10)
    for i in range(1000):
        w.rows.append(history_row(i, time.time(), {"x": float(i)}))
    w.update_run({"summary": {"x": 999.0}})
    reader = StoreReader(store)  # reader flushes its store first
    assert reader.history("r1").num_rows == 1000
    assert reader.run("r1")["summary"] == {"x": 999.0}
    assert reader.run("r1")["last_step"] == 999
    assert flush_store(store, 5)
    w.close(wait=True, timeout=10)


def test_a_million_values_pending_at_close_all_land(store):
    # how long init/close take is measured in bench/bench_log.py, not asserted here
    w = open_run(store, make_run("r1"))
    rows = [history_row(i, 0.0, {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}) for i in range(250_000)]
    w.rows.extend(rows)  # 1M values pending
    w.close()
    assert w.close(wait=True, timeout=60)
    assert StoreReader(store).query("SELECT count(*) AS n FROM history")["n"][0].as_py() == 1_000_000


def test_heartbeat_without_data(store):
    opened_at = time.time()
    w = open_run(store, make_run("r1", heartbeat_at=0.0), heartbeat_interval=0.1)
    reader = StoreReader(store)
    beats: list[float] = []
    deadline = time.monotonic() + 30
    while len(set(beats)) < 2 and time.monotonic() < deadline:  # two beats without any data logged
        run = reader.run("r1")
        if run is not None and run["heartbeat_at"] >= opened_at:
            beats.append(run["heartbeat_at"])
        time.sleep(0.25)  # each read flushes the writer: poll gently
    assert len(set(beats)) >= 2, beats
    w.close(wait=True, timeout=10)
