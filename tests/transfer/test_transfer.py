"""`nbtrack export` and the wandb importers, through the CLI as users run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import nbtrack
from nbtrack.cli import main
from nbtrack.store.store import Store
from nbtrack.transfer import import_wandb_csv, import_wandb_offline
from nbtrack.transfer.wandb_csv import CsvShapeError
from nbtrack.transfer.wandb_records import WandbFileError, chunks_to_records

FIXTURES = Path(__file__).parent / "fixtures"
OFFLINE = next((FIXTURES / "wandb").glob("offline-run-*"))


@pytest.fixture
def store(tmp_path):
    import nbtrack as wandb

    d = tmp_path / "store"
    for project, lr in (("a", 0.1), ("a", 0.01), ("b", 0.5)):
        run = wandb.init(project=project, dir=str(d), config={"lr": lr}, tags=["x"])
        for s in range(20):
            wandb.log({"loss": lr / (s + 1), "phase": "warm" if s < 5 else "main"})
        run.finish()
    return d


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_formats_read_back(store, tmp_path, fmt, capsys):
    out = tmp_path / f"out-{fmt}"
    assert main(["--dir", str(store), "export", "--project", "a", "--format", fmt, str(out)]) == 0
    assert "history ->" in capsys.readouterr().out
    if fmt == "parquet":
        runs, hist = pq.read_table(out / "runs.parquet").to_pandas(), pq.read_table(out / "history.parquet").to_pandas()
        assert list(runs.loc[0, "tags"]) == ["x"]
    elif fmt == "csv":
        runs, hist = pd.read_csv(out / "runs.csv"), pd.read_csv(out / "history.csv")
        assert json.loads(runs.loc[0, "tags"]) == ["x"]
    else:
        runs = pd.read_json(out / "runs.jsonl", lines=True)
        hist = pd.read_json(out / "history.jsonl", lines=True)
        assert runs.loc[0, "config"] == {"lr": 0.1} or runs.loc[0, "config"] == {"lr": 0.01}
    assert sorted(runs["project"]) == ["a", "a"]
    assert len(hist) == 2 * 20 * 2  # two runs, 20 steps, loss + phase
    loss = hist[hist["key"] == "loss"]
    assert sorted(loss["num"].round(6))[:1] == [round(0.01 / 20, 6)]
    assert set(hist[hist["key"] == "phase"]["text"]) == {"warm", "main"}
    assert (out / f"files.{fmt}").exists()


def test_export_unknown_project_is_one_line(store, tmp_path, capsys):
    assert main(["--dir", str(store), "export", "-p", "zzz", str(tmp_path / "o")]) == 1
    assert "no project 'zzz'" in capsys.readouterr().err


def test_import_real_wandb_offline_run(tmp_path, capsys):
    dest = tmp_path / "s"
    assert main(["--dir", str(dest), "import", str(OFFLINE.parent)]) == 0
    assert "imported 1 run" in capsys.readouterr().out
    run = nbtrack.Api(dir=dest).run("kj6i93xt")
    assert (run.name, run.project, run.state, run.tags) == ("<b>wb run</b>", "wbproj", "finished", ["a", "b"])
    assert run.notes == "imported <i>notes</i>"
    assert run.config == {"lr": 0.01, "model": {"depth": 3, "act": "relu"}, "opt": "adam"}
    assert run.summary["best"] == 0.99 and run.summary["train/loss"] == pytest.approx(0.02)
    hist = run.history()
    assert hist["train/loss"].dropna().tolist()[:3] == pytest.approx([1, 0.5, 1 / 3])
    assert hist["val/loss"].dropna().index.tolist() == [1, 11, 21, 31, 41]
    assert hist.loc[hist["_step"] == 52, "deep/a"].item() == 1
    image = hist.loc[hist["_step"] == 50, "sample"].item()
    assert image["_type"] == "image-file" and image["caption"] == "half" and (image["width"], image["height"]) == (8, 8)
    assert Store(dest).read_blob(image["sha256"])[:4] == b"\x89PNG"
    table = hist.loc[hist["_step"] == 51, "preds"].item()
    assert table == {"_type": "table", "columns": ["x", "y"], "data": [[1, 0.5], [2, 0.25]], "nrows": 2, "ncols": 2}
    # importing again is refused, --replace re-imports
    assert main(["--dir", str(dest), "import", str(OFFLINE)]) == 1
    assert "already in" in capsys.readouterr().err
    assert main(["--dir", str(dest), "import", "--replace", "--project", "moved", str(OFFLINE)]) == 0
    assert nbtrack.Api(dir=dest).run("kj6i93xt").project == "moved"
    assert len(nbtrack.Api(dir=dest).runs()) == 1


def test_a_crashed_offline_run_keeps_what_was_written(tmp_path):
    run_dir = tmp_path / "offline-run-x-kj6i93xt"
    shutil.copytree(OFFLINE, run_dir)
    log = next(run_dir.glob("*.wandb"))
    data = log.read_bytes()
    log.write_bytes(data[: len(data) // 2])  # the process died mid-run
    ids = import_wandb_offline(run_dir, Store(tmp_path / "s"))
    run = nbtrack.Api(dir=tmp_path / "s").run(ids[0])
    assert run.state == "crashed"
    assert 0 < len(run.history()) < 53


def test_offline_run_files_code_and_metadata_come_along(tmp_path):
    run_dir = tmp_path / OFFLINE.name
    shutil.copytree(OFFLINE, run_dir)
    (run_dir / "files" / "wandb-metadata.json").write_text(json.dumps(
        {"python": "CPython 3.11.9", "os": "Linux", "host": "gpu1", "program": "train.py", "git": {"commit": "abc"}}))
    (run_dir / "files" / "code").mkdir()
    (run_dir / "files" / "code" / "train.py").write_text("print('training')\n")
    (run_dir / "files" / "output.log").write_text("epoch 1\n")
    ids = import_wandb_offline(run_dir, Store(tmp_path / "s"))
    run = nbtrack.Api(dir=tmp_path / "s").run(ids[0])
    assert run.metadata["host"] == "gpu1" and run.metadata["git"] == {"commit": "abc"}
    assert {f.name: f.kind for f in run.files()} == {
        "code/train.py": "code", "output.log": "file", "wandb-metadata.json": "file",
        "media/images/sample_50_302ce047f63abce07234.png": "media"}
    assert run.code().cells[0].source == "print('training')\n"
    assert run.file("output.log").read() == b"epoch 1\n"


def test_not_a_wandb_log_is_refused(tmp_path):
    with pytest.raises(WandbFileError, match="bad header"):
        list(chunks_to_records(b"hello world, not wandb"))
    with pytest.raises(WandbFileError, match="no wandb offline run"):
        import_wandb_offline(tmp_path, Store(tmp_path / "s"))


def test_import_wandb_runs_table_csv(tmp_path):
    csv = tmp_path / "runs.csv"
    csv.write_text('"Name","State","Notes","User","Tags","Created","Runtime","Sweep","lr","batch","loss","acc"\n'
                   '"bright-sun-3","finished","<b>x</b>","me","a, b","2025-03-01T10:00:00.000Z","120","","0.01","64","0.3","0.91"\n'
                   '"dark-moon-2","crashed","","me","","2025-03-01T09:00:00.000Z","60","","0.1","32","0.9",""\n')
    ids = import_wandb_csv(csv, Store(tmp_path / "s"), project="p", config_columns=["lr", "batch"])
    runs = {r.name: r for r in nbtrack.Api(dir=tmp_path / "s").runs("p")}
    assert set(runs) == {"bright-sun-3", "dark-moon-2"} and len(ids) == 2
    sun = runs["bright-sun-3"]
    assert sun.config == {"lr": 0.01, "batch": 64} and sun.summary == {"loss": 0.3, "acc": 0.91}
    assert sun.tags == ["a", "b"] and sun.notes == "<b>x</b>" and sun.state == "finished"
    assert runs["dark-moon-2"].state == "crashed"
    assert sun.created_at.isoformat().startswith("2025-03-01T10:00:00")


def test_import_wandb_chart_csv(tmp_path):
    csv = tmp_path / "chart.csv"
    csv.write_text('"Step","run-a - loss","run-a - loss__MIN","run-a - loss__MAX","run-b - loss"\n'
                   '"0","1.0","1.0","1.0","2.0"\n"10","0.5","0.4","0.6",""\n"20","0.25","0.2","0.3","1.0"\n')
    import_wandb_csv(csv, Store(tmp_path / "s"))
    runs = {r.name: r for r in nbtrack.Api(dir=tmp_path / "s").runs("imported")}
    a = runs["run-a"].history()
    assert a["_step"].tolist() == [0, 10, 20] and a["loss"].tolist() == [1.0, 0.5, 0.25]
    assert runs["run-b"].history()["loss"].tolist() == [2.0, 1.0]


def test_import_history_csv_and_unknown_csv(tmp_path):
    csv = tmp_path / "my-run.csv"
    pd.DataFrame({"_step": [0, 1, 2], "_timestamp": [1e9, 1e9 + 1, 1e9 + 2], "loss": [3.0, 2.0, 1.0],
                  "phase": ["a", "b", "b"]}).to_csv(csv, index=False)
    import_wandb_csv(csv, Store(tmp_path / "s"), project="h")
    run = nbtrack.Api(dir=tmp_path / "s").runs("h")[0]
    assert run.name == "my-run" and run.history()["loss"].tolist() == [3.0, 2.0, 1.0]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CsvShapeError, match="not a wandb CSV export"):
        import_wandb_csv(bad, Store(tmp_path / "s"))


def test_cli_report_command(store, tmp_path):
    out = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "nbtrack.cli", "--dir", str(store), "report", "-p", "a",
                           "--title", "CLI report", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"report of 2 runs written to {out}" in proc.stdout and "KB)" in proc.stdout
    assert "<title>CLI report</title>" in out.read_text()
    proc = subprocess.run([sys.executable, "-m", "nbtrack.cli", "--dir", str(store), "report", "--runs", "nope",
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "no run 'nope'" in proc.stderr
