"""Queries over a seeded store, the importance score, the diff, the editor, the widget's answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from seed import XSS, seed

import nbtrack
from nbtrack.runs_table import diff
from nbtrack.runs_table.importance import importance
from nbtrack.runs_table.widget import RunsTable
from nbtrack.store.editor import RunNotFound, StoreEditor
from nbtrack.store.store import Store


@pytest.fixture
def store_dir(tmp_path):
    d = tmp_path / "seeded"
    seed(d, n=6, steps=300)
    return d


def test_load_table_columns_and_values(store_dir):
    t = nbtrack.table("demo", dir=store_dir)
    keys = [c["key"] for c in t.columns]
    assert keys[:8] == ["name", "state", "created_at", "duration", "tags", "notes", "id", "project"]
    assert {"config.lr", "config.optimizer", "config.model.depth", "summary.loss", "summary.val/acc"} <= set(keys)
    kinds = {c["key"]: c["kind"] for c in t.columns}
    assert kinds["config.lr"] == "num" and kinds["config.optimizer"] == "str" and kinds["tags"] == "tags"
    assert t.total == 6 and t.page["ids"][0] == "run005"  # newest first
    assert XSS in t.page["cols"]["name"]["v"]
    assert t.ids("lr < 0.01") == ["run003", "run002", "run001", "run000"]
    assert nbtrack.table("nothing", dir=store_dir).total == 0


def test_requests(store_dir):
    t = RunsTable("demo", dir=store_dir)
    sent = []
    t.send = lambda content, buffers=None: sent.append((content, buffers))
    t._on_custom(t, {"type": "load", "rid": 1}, [])
    reply, bufs = sent[-1]
    assert reply["ok"] and reply["rid"] == 1 and reply["total"] == 6
    lr = np.frombuffer(bufs[reply["rows"]["cols"]["config.lr"]["buf"]], "<f8")
    assert len(lr) == 6 and lr[0] == pytest.approx(0.1)
    t._on_custom(t, {"type": "curves", "rid": 2, "ids": ["run000", "run001"], "key": "loss", "width": 50}, [])
    reply, bufs = sent[-1]
    assert [s["run"] for s in reply["series"]] == ["run000", "run001"]
    s0 = reply["series"][0]
    pts = np.frombuffer(bufs[s0["buf"]], "<f8")
    assert s0["n"] < 300 and len(pts) == 2 * s0["n"] and np.all(np.diff(pts[: s0["n"]]) > 0)  # M4-downsampled, sorted
    t._on_custom(t, {"type": "nonsense", "rid": 3}, [])
    assert sent[-1][0]["ok"] is False and "unknown request" in sent[-1][0]["error"]
    t._on_custom(t, {"type": "detail", "rid": 4, "id": "run001"}, [])
    run = sent[-1][0]["run"]
    assert run["name"] == XSS and run["config"]["model.depth"] == 3 and run["environment"]["git"]["commit"] == "abc0001"
    assert [c["type"] for c in run["cells"]] == ["markdown", "code", "code"] and "training with lr=" in run["cells"][2]["outputs"][0]
    assert "numpy==2.0" in run["packages"]
    t._on_custom(t, {"type": "diff", "rid": 5, "a": "run000", "b": "run003"}, [])
    d = sent[-1][0]
    assert any(line.startswith("+run = nbtrack.init") for line in d["code"])
    assert {r["key"] for r in d["config"]} >= {"lr", "optimizer"}
    t._on_custom(t, {"type": "importance", "rid": 6, "metric": "summary.loss", "ids": None}, [])
    imp = sent[-1][0]
    assert imp["ok"] and imp["rows"][0]["param"] == "config.lr" and imp["rows"][0]["corr"] > 0.9


def test_importance_synthetic():
    rng = np.random.default_rng(1)
    n = 80
    lr = 10 ** rng.uniform(-4, -1, n)
    seed_ = rng.integers(0, 1000, n)
    loss = 1 + 30 * lr + rng.normal(0, 0.02, n)
    params = {"config.lr": list(lr), "config.seed": [int(s) for s in seed_], "config.opt": ["a", "b"] * 40}
    out = importance(params, list(loss))
    assert "random forest" in out["method"]
    rows = {r["param"]: r for r in out["rows"]}
    assert out["rows"][0]["param"] == "config.lr"
    assert rows["config.lr"]["corr"] > 0.9 and abs(rows["config.seed"]["corr"]) < 0.3
    assert rows["config.opt"]["corr"] is None
    plain = importance(params, list(loss), use_sklearn=False)
    assert "correlation" in plain["method"] and "not installed" in plain["method"]
    assert plain["rows"][0]["param"] == "config.lr"
    neg = importance({"config.lr": list(lr)}, list(-loss))
    assert neg["rows"][0]["corr"] < -0.9
    assert importance({"config.lr": [1, 2]}, [1, 2])["rows"] == []


def test_diff():
    lines = diff.text_diff("a\nb\nc\n", "a\nB\nc\n", "one", "two")
    assert lines[:2] == ["--- one", "+++ two"] and "-b" in lines and "+B" in lines
    rows = diff.config_diff({"lr": 0.1, "m": {"d": 2}, "x": 1}, {"lr": 0.2, "m": {"d": 2}, "y": "s"})
    assert rows == [{"key": "lr", "a": "0.1", "b": "0.2"}, {"key": "x", "a": "1", "b": None}, {"key": "y", "a": None, "b": '"s"'}]
    cells = diff.notebook_cells({"cells": [{"cell_type": "code", "source": ["x = 1\n", "x"],
                                            "outputs": [{"output_type": "execute_result", "data": {"text/plain": "1"}},
                                                        {"output_type": "error", "ename": "E", "evalue": "v"}]}]})
    assert cells == [{"type": "code", "source": "x = 1\nx", "outputs": ["1", "E: v"]}]


def test_editor(store_dir):
    ed = StoreEditor(Store(store_dir))
    ed.update("run000", name="best one", notes="keep", tags=["a", "a", " b "])
    r = nbtrack.Api(dir=store_dir).run("run000")
    assert (r.name, r.notes, r.tags) == ("best one", "keep", ["a", "b"])
    assert r.config["optimizer"] == "adam"  # untouched
    with pytest.raises(RunNotFound):
        ed.update("nope", name="x")
    with pytest.raises(ValueError):
        ed.update("run000", name="  ")
    assert ed.delete(["run001", "missing"]) == ["run001"]
    assert len(nbtrack.Api(dir=store_dir).runs()) == 5
    reader = nbtrack.Api(dir=store_dir)._reader
    assert reader.query("SELECT count(*) AS n FROM history WHERE run_id = 'run001'").column("n")[0].as_py() == 0
    assert reader.query("SELECT count(*) AS n FROM files WHERE run_id = 'run001'").column("n")[0].as_py() == 0


def test_rename_survives_the_running_writer(tmp_path):
    run = nbtrack.init(project="live", dir=str(tmp_path / "s"), name="orig")
    run.log({"loss": 1.0})
    run._writer.flush(5)
    ed = StoreEditor(Store(tmp_path / "s"))
    ed.update(run.id, name="renamed", tags=["t"])
    with pytest.raises(ValueError, match="still running"):
        ed.delete([run.id])
    for i in range(5):
        run.log({"loss": 1.0 / (i + 2)})
    run.summary["x"] = 3
    run.finish()
    got = nbtrack.Api(dir=str(tmp_path / "s")).run(run.id)
    assert got.name == "renamed" and got.tags == ["t"] and got.state == "finished"


def test_magic_runs_returns_the_table(store_dir, monkeypatch, capsys):
    from nbtrack.notebook.magic import nbtrack_magic

    monkeypatch.setenv("NBTRACK_DIR", str(store_dir))
    w = nbtrack_magic("runs demo")
    assert isinstance(w, RunsTable) and w.total == 6
    assert nbtrack_magic("runs empty") is None and "no runs" in capsys.readouterr().out


def test_table_function_survives_importing_the_package():
    import nbtrack.runs_table.filters

    assert callable(nbtrack.table) and nbtrack.table.__module__ == "nbtrack.runs_table"


def test_nbclient_saves_widget_state(store_dir, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import nbtrack\nt = nbtrack.table('demo', dir={str(store_dir)!r})\nt")]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    tables = [m["state"] for m in state.values() if m["state"].get("page")]
    assert tables and tables[0]["total"] == 6 and XSS in tables[0]["page"]["cols"]["name"]["v"]
    assert json.dumps(tables[0]).count("config.lr") >= 2
