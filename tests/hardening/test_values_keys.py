"""Bad values and keys: one documented behaviour each, and no other data lost."""

from __future__ import annotations

import datetime as dt
import enum
import os
import warnings
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

import nbtrack as wandb
from nbtrack.plain_values import MAX_DEPTH
from nbtrack.runs_table.widget import RunsTable
from nbtrack.store import live_writers
from nbtrack.store.store import Store
from nbtrack.tracking.run import MAX_STEP


class Color(enum.Enum):
    RED = "red"
    BLUE = 2
    ODD = (1, 2)


class _Thing:
    def __str__(self) -> str:
        return "a thing"


def _history(run) -> object:
    return wandb.Api().run(run.id).history()


# -- config ----------------------------------------------------------------------------

def test_numpy_and_torch_in_config_are_lists_and_numbers():
    run = wandb.init(project="p", config={"arr": np.arange(4), "m": np.eye(2, dtype=np.float32),
                                          "f": np.float32(0.5), "i": np.int64(3), "b": np.bool_(True)})
    run.config.update({"later": np.array([1.5, 2.5])})
    run.finish()
    cfg = wandb.Api().run(run.id).config
    assert cfg["arr"] == [0, 1, 2, 3] and cfg["m"] == [[1.0, 0.0], [0.0, 1.0]]
    assert cfg["f"] == 0.5 and cfg["i"] == 3 and cfg["b"] is True and cfg["later"] == [1.5, 2.5]
    torch = pytest.importorskip("torch")
    run = wandb.init(project="p", config={"t": torch.arange(3), "s": torch.tensor(0.25),
                                          "bf": torch.ones(2, dtype=torch.bfloat16)})
    run.finish()
    cfg = wandb.Api().run(run.id).config
    assert cfg["t"] == [0, 1, 2] and cfg["s"] == 0.25 and cfg["bf"] == [1.0, 1.0]


def test_config_datetime_path_set_enum_are_stored_as_text_lists_values():
    when = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc)
    run = wandb.init(project="p", config={
        "when": when, "day": dt.date(2026, 12, 1), "path": Path("/data/train"), "pure": PurePosixPath("a/b"),
        "tags": {"b", "a", "c"}, "mixed": {1, "x"}, "color": Color.RED, "num": Color.BLUE, "odd": Color.ODD,
        "delta": dt.timedelta(minutes=2), "raw": b"\xffab", "obj": _Thing(),
    })
    run.finish()
    cfg = wandb.Api().run(run.id).config
    assert cfg["when"] == "2026-12-01T09:30:00+00:00" and cfg["day"] == "2026-12-01"
    assert cfg["path"] == "/data/train" and cfg["pure"] == "a/b"
    assert cfg["tags"] == ["a", "b", "c"] and sorted(map(str, cfg["mixed"])) == ["1", "x"]
    assert cfg["color"] == "red" and cfg["num"] == 2 and cfg["odd"] == "ODD"
    assert cfg["delta"] == 120.0 and cfg["raw"] == "\\xffab" and cfg["obj"] == "a thing"


def test_config_dotted_key_and_nested_path_both_show():
    run = wandb.init(project="p", config={"a": {"b": 1}, "a.b": 2, "c": {"d.e": 3}, "c.d": {"e": 4}})
    run.finish()
    frame = wandb.runs("p")
    assert frame["config.a.b"].iloc[0] == 1 and frame["config.[a.b]"].iloc[0] == 2
    assert {frame["config.c.[d.e]"].iloc[0], frame["config.[c.d].e"].iloc[0]} == {3, 4}
    table = RunsTable(project="p")
    cols = {c["key"] for c in table.columns}
    assert {"config.a.b", "config.[a.b]"} <= cols
    data = table.service.data
    assert data.data["config.a.b"] == [1] and data.data["config.[a.b]"] == [2]
    assert table.ids("config.[a.b] = 2") == [run.id] and table.ids("config.a.b = 2") == []
    assert [r.id for r in wandb.Api().runs("p", filters={"config.[a.b]": 2})] == [run.id]


def test_deep_config_is_a_clear_error_not_a_recursion_error():
    deep: dict = {}
    node = deep
    for _ in range(5 * MAX_DEPTH):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ValueError, match="nested deeper"):
        wandb.init(project="p", config={"deep": deep})
    loop: dict = {}
    loop["self"] = loop
    run = wandb.init(project="p", config={"ok": 1})
    with pytest.raises(ValueError, match="contains itself"):
        run.config.update({"loop": loop})
    assert run.config["ok"] == 1


# -- summary ---------------------------------------------------------------------------

def test_summary_values_are_plain_data():
    run = wandb.init(project="p")
    run.log({"loss": 0.5})
    run.summary["best"] = np.float32(0.25)
    run.summary["arr"] = np.arange(3)
    run.summary.update({"when": dt.date(2026, 1, 2), 7: "seven"})
    run.finish()
    s = wandb.Api().run(run.id).summary
    assert s["best"] == 0.25 and isinstance(s["best"], float)
    assert s["arr"] == [0, 1, 2] and s["when"] == "2026-01-02" and s["7"] == "seven" and s["loss"] == 0.5


# -- keys ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["", "a\x00b", "_runtime", "_step", "_timestamp"])
def test_bad_keys_are_dropped_with_a_warning_and_the_row_kept(bad):
    run = wandb.init(project="p")
    run.log({"a": 0.0, "ab": 0.0})
    with pytest.warns(UserWarning, match="dropped the key"):
        run.log({"a": 1.0, bad: 5.0, "ab": 2.0})
    with pytest.warns(UserWarning, match="dropped the key"):
        run.log({bad: "text", "a": 3.0})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.log({"nested": {"x": 1}, bad: {"y": 2}})  # under a dict, the key is a path segment
    assert len(caught) == ("\x00" in bad)  # ... and a NUL anywhere in a key drops it
    run.finish()
    h = _history(run)
    assert list(h["_step"]) == [0, 1, 2, 3]
    assert h["a"].tolist()[:3] == [0.0, 1.0, 3.0] and h["ab"].tolist()[:2] == [0.0, 2.0]
    assert list(h.columns[:3]) == ["_step", "_timestamp", "_runtime"]
    assert len(set(h.columns)) == len(h.columns) and (h["_runtime"] >= 0).all()
    kept = [] if "\x00" in bad else [f"{bad}/y"]
    assert h["nested/x"].tolist()[3] == 1 and all(h[k].tolist()[3] == 2 for k in kept)
    assert [c for c in h.columns if c not in ("_step", "_timestamp", "_runtime")] == sorted(
        ["a", "ab", "nested/x", *kept])


def test_a_store_holding_such_keys_still_answers_history():
    """A store written by an older nbtrack (or by hand) may hold them: history() works and
    shows each key apart, the run's own columns keeping their names."""
    run = wandb.init(project="p")
    run.log({"a": 1.0})
    run.finish()
    live_writers.flush_all(timeout=30)
    with Store(os.environ["NBTRACK_DIR"]).write() as con:
        for key, value in (("", 1.0), ("a\x00", 2.0), ("_runtime", 3.0), ('we"ird', 4.0)):
            con.execute("INSERT INTO history VALUES (?, 0, 1e9, ?, ?, NULL, NULL)", [run.id, key, value])
    h = _history(run)
    assert h[""].iloc[0] == 1.0 and h["a\x00"].iloc[0] == 2.0 and h["a"].iloc[0] == 1.0
    assert h["_runtime (logged)"].iloc[0] == 3.0 and h['we"ird'].iloc[0] == 4.0
    assert h["_runtime"].iloc[0] != 3.0
    table = RunsTable(project="p")
    body, _ = table.service.handle({"type": "curves", "ids": [run.id], "key": "", "width": 100})
    assert body["series"][0]["n"] == 1


def test_non_string_keys_are_a_type_error():
    run = wandb.init(project="p")
    with pytest.raises(TypeError, match="keys must be strings"):
        run.log({1: 2.0})
    run.log({"ok": 1})
    run.finish()
    assert _history(run)["ok"].tolist() == [1.0]


# -- steps -----------------------------------------------------------------------------

def test_step_bounds():
    run = wandb.init(project="p")
    run.log({"x": 0}, step=0)
    for bad, err in ((2**63, ValueError), (MAX_STEP + 1, ValueError), (-1, ValueError), (True, TypeError),
                     (1.5, TypeError), (float("inf"), TypeError), (np.uint64(2**64 - 1), ValueError)):
        with pytest.raises(err, match="step must be"):
            run.log({"x": 1, "lost": 1}, step=bad)
    run.log({"x": 2}, step=5)
    run.log({"x": 3}, step=np.int64(6))
    run.log({"x": 4}, step=MAX_STEP)
    run.log({"y": 5})  # merges into the pending step MAX_STEP (wandb's rule)
    run.log({"x": 6})  # the step after it is still stored exactly
    run.finish()
    h = _history(run)
    assert h["_step"].tolist() == [0, 5, 6, MAX_STEP, MAX_STEP + 1]
    assert h["x"].tolist()[:4] == [0, 2, 3, 4] and h["x"].tolist()[4] == 6 and "lost" not in h.columns


# -- nesting and odd values ------------------------------------------------------------

def test_deep_nesting_in_log_is_a_value_error_not_a_recursion_error():
    run = wandb.init(project="p")
    deep: dict = {}
    node = deep
    for _ in range(20_000):
        node["k"] = {}
        node = node["k"]
    with pytest.raises(ValueError, match="nested deeper"):
        run.log({"deep": deep, "loss": 1.0})
    deep_list: list = []
    node_l = deep_list
    for _ in range(20_000):
        node_l.append([])
        node_l = node_l[0]
    with pytest.raises(ValueError, match="nested deeper"):
        run.log({"lst": deep_list})
    loop: dict = {}
    loop["again"] = loop
    with pytest.raises(ValueError, match="contains itself"):
        run.log({"loop": loop})
    fine: dict = {}
    node = fine
    for _ in range(MAX_DEPTH - 2):
        node["k"] = {}
        node = node["k"]
    node["v"] = 1.0
    run.log({"fine": fine, "loss": 0.5})
    run.finish()
    h = _history(run)
    assert h["loss"].tolist() == [0.5] and len(h) == 1
    assert h["fine/" + "k/" * (MAX_DEPTH - 2) + "v"].tolist() == [1.0]


def test_odd_log_values():
    run = wandb.init(project="p")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.log({"names": np.array(["a", "b"]), "when": dt.datetime(2026, 1, 1), "path": Path("x/y"),
                 "day": np.datetime64("2026-01-02"), "big": 10**400, "tiny": 5e-324, "nan": float("nan"),
                 "color": Color.BLUE, "objs": np.array([{"a": 1}, None], dtype=object)})
    torch = pytest.importorskip("torch")
    run.log({"bf": torch.ones(100, dtype=torch.bfloat16), "half": torch.tensor(0.5, dtype=torch.float16),
             "c": torch.ones(4, dtype=torch.complex64)})
    run.finish()
    h = _history(run)
    assert h["names"].iloc[0] == ["a", "b"] and h["when"].iloc[0] == "2026-01-01T00:00:00"
    assert h["path"].iloc[0] == "x/y" and h["day"].iloc[0] == "2026-01-02"
    assert h["big"].iloc[0] == 10**400 and h["tiny"].iloc[0] == 5e-324 and np.isnan(h["nan"].iloc[0])
    assert h["color"].iloc[0] == 2 and h["objs"].iloc[0] == [{"a": 1}, None]
    assert h["bf"].iloc[1]["_type"] == "histogram" and h["half"].iloc[1] == 0.5
    assert h["c"].iloc[1]["_type"] == "histogram"


def test_artifact_metadata_is_kept_like_config(tmp_path):
    src = tmp_path / "w.bin"
    src.write_bytes(b"w")
    run = wandb.init(project="p")
    art = wandb.Artifact("m", "model", metadata={"arr": np.arange(3), "when": dt.date(2026, 1, 1),
                                                  "f": np.float32(0.5)})
    art.add_file(str(src))
    run.log_artifact(art).wait()
    run.finish()
    meta = wandb.Api().artifact("m:latest").metadata
    assert meta == {"arr": [0, 1, 2], "when": "2026-01-01", "f": 0.5}
