"""history() pivots outside the lock, in numpy; no connection prints DuckDB's progress bar."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

import nbtrack as wandb
from nbtrack.store.pivot import pivot_history
from nbtrack.store.store import Store


def _long(rows):
    step, ts, key, num, text, js = zip(*rows)
    return pa.table({"step": pa.array(step, pa.int64()), "ts": pa.array(ts, pa.float64()),
                     "key": pa.array(key, pa.string()), "num": pa.array(num, pa.float64()),
                     "text": pa.array(text, pa.string()), "json": pa.array(js, pa.string())})


def test_pivot_rules():
    frame = pivot_history(_long([
        (3, 10.0, "loss", 0.5, None, None),
        (1, 5.0, "loss", 1.0, None, None),
        (1, 7.0, "loss", 0.9, None, None),      # same step, later ts: wins
        (1, 6.0, "phase", None, "train", None),
        (3, 11.0, "phase", 2.0, None, None),    # a number under a text key shows as text
        (1, 5.0, "img", None, None, json.dumps({"_type": "image"})),
        (3, 10.0, "img", 4.0, None, None),      # a number under a JSON key stays a number
        (2, 8.0, "b", 1.0, None, None),
    ]), start_time=4.0)
    assert list(frame.columns) == ["_step", "_timestamp", "_runtime", "b", "img", "loss", "phase"]
    assert frame["_step"].tolist() == [1, 2, 3]
    assert frame["_timestamp"].tolist() == [7.0, 8.0, 11.0] and frame["_runtime"].tolist() == [3.0, 4.0, 7.0]
    assert frame["loss"].tolist()[0] == 0.9 and np.isnan(frame["loss"].tolist()[1])
    assert frame["phase"].tolist() == ["train", None, "2.0"]
    assert frame["img"].tolist() == [{"_type": "image"}, None, 4.0]
    assert frame["b"].dtype.kind == "f"


def test_wide_history_of_many_keys_through_the_api():
    run = wandb.init(project="p")
    for step in range(20):
        run.log({f"layer{k // 10}/unit{k % 10}": step * 1000 + k for k in range(300)})
    run.finish()
    h = wandb.Api().run(run.id).history()
    assert h.shape == (20, 303)
    assert h["layer29/unit9"].tolist() == [s * 1000 + 299.0 for s in range(20)]
    narrow = wandb.Api().run(run.id).history(keys=["layer0/unit1", "missing"])
    assert list(narrow.columns) == ["_step", "_timestamp", "_runtime", "layer0/unit1"]
    assert wandb.Api().run(run.id).history(keys=["missing"]).shape == (0, 3)


def test_no_connection_prints_a_progress_bar(tmp_path):
    store = Store(tmp_path / "s")
    assert not store.db_path.exists()
    with store.read() as con:  # in-memory, no database yet
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]
    with store.write() as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]
    with store.read() as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]
    rel = wandb.sql("SELECT 1 AS x", dir=tmp_path / "s")
    assert rel.query("r", "SELECT current_setting('enable_progress_bar') AS p FROM r").fetchall() == [(False,)]


WRITER = r"""
import sys, warnings
warnings.simplefilter("error")  # a lock timeout (storage warning) fails the writer
import nbtrack
run = nbtrack.init(project="w", dir=sys.argv[1])
for i in range(3000):
    nbtrack.log({"loss": 1.0 / (i + 1)})
nbtrack.finish()
print("done", run.id)
"""


def test_reading_a_wide_history_does_not_hold_writers_back(tmp_path):
    """Another process keeps writing (warnings are errors there) while this one reads the
    history of a 3,000-key run again and again: the pivot runs outside the lock, so the
    writer never times out (the SQL pivot held the lock for over 100 s at this size)."""
    import subprocess
    import sys

    store = tmp_path / "shared"
    wide = wandb.init(project="wide", dir=str(store))
    for _ in range(5):
        wide.log({f"k{k}": float(k) for k in range(3000)})
    wide.finish()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    reads = 0
    while writer.poll() is None or reads == 0:
        assert wandb.Api(dir=store).run(wide.id).history().shape == (5, 3003)
        reads += 1
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0 and "Warning" not in err, err
    written = wandb.Api(dir=store).runs("w")[0].history()
    assert len(written) == 3000 and reads >= 1
