"""The example notebooks (notebooks/pytorch.ipynb, keras.ipynb, sklearn.ipynb) run headless
in a real kernel with the live panel on, and their runs land in the store."""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _need(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"notebooks example needs {module}, which is not installed")


def _run(name: str, tmp_path: Path, monkeypatch) -> tuple[nbformat.NotebookNode, Path, float]:
    store = tmp_path / "store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    monkeypatch.setenv("NBTRACK_LIVE", "1")  # as in a user's notebook: the live panel shows
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    shutil.copy(NOTEBOOKS / name, tmp_path / name)
    nb = nbformat.read(tmp_path / name, as_version=4)
    t0 = time.monotonic()
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   store_widget_state=True).execute()
    return nb, store, time.monotonic() - t0


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def _live_panels(nb: nbformat.NotebookNode) -> int:
    return sum(1 for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))


def test_pytorch_notebook(tmp_path, monkeypatch):
    _need("torch", "sklearn")
    import nbtrack

    nb, store, _ = _run("pytorch.ipynb", tmp_path, monkeypatch)
    assert not _errors(nb)
    assert _live_panels(nb) >= 3
    runs = nbtrack.Api(dir=store).runs("pytorch-digits")
    assert len(runs) == 3 and {r.state for r in runs} == {"finished"}
    assert sorted(r.config["lr"] for r in runs) == [0.01, 0.05, 0.2]
    best = max(runs, key=lambda r: r.summary["val/acc"]["max"])
    assert best.summary["val/acc"]["max"] > 0.9
    api = nbtrack.Api(dir=store)
    checkpoints = api.artifact_versions("mlp")  # save_checkpoint(name="mlp"): one version per run
    assert [v.version for v in checkpoints] == ["v0", "v1", "v2"]
    assert {v.type for v in checkpoints} == {"model"} and {v.metadata["epoch"] for v in checkpoints} == {11}
    assert sorted(api.artifact("mlp:latest").aliases) == ["epoch_11", "latest"]
    (mine,) = best.logged_artifacts()
    assert mine.collection_name == "mlp" and [f.path for f in mine.files()] == ["mlp.pt"]
    assert (tmp_path / "artifacts" / f"mlp:{mine.version}" / "mlp.pt").is_file()  # the notebook downloaded it
    assert any(c.startswith("gradients/") for c in best.history().columns)


def test_keras_notebook(tmp_path, monkeypatch):
    _need("keras", "torch", "sklearn")
    import nbtrack

    nb, store, _ = _run("keras.ipynb", tmp_path, monkeypatch)
    assert not _errors(nb)
    assert _live_panels(nb) >= 3
    api = nbtrack.Api(dir=store)
    runs = api.runs("keras-digits")
    assert len(runs) == 3 and {r.state for r in runs} == {"finished"}
    assert sorted(r.config["dropout"] for r in runs) == [0.0, 0.3, 0.6]
    for r in runs:
        assert r.config["model"]["total_params"] > 0
        assert r.summary["epoch/epoch"] == 11
        versions = api.artifact_versions(f"run_{r.id}_model")  # one per improvement of val_accuracy
        assert versions and {v.type for v in versions} == {"model"}
        assert [a.name for a in r.logged_artifacts()] == [v.name for v in versions]
        latest = api.artifact(f"run_{r.id}_model:latest")
        assert [f.path for f in latest.files()] == ["best.keras"]
        assert f"epoch_{latest.metadata['epoch']}" in latest.aliases
        assert r.summary["checkpoint/epoch"] == latest.metadata["epoch"]
    assert (tmp_path / "restored" / "best.keras").is_file()  # the notebook downloaded one


def test_sklearn_notebook(tmp_path, monkeypatch):
    _need("sklearn")
    import nbtrack

    nb, store, _ = _run("sklearn.ipynb", tmp_path, monkeypatch)
    assert not _errors(nb)
    api = nbtrack.Api(dir=store)
    runs = api.runs("sklearn-digits")
    assert sorted(r.name for r in runs) == ["forest-50", "logreg-C0.01", "logreg-C1"]
    assert all(r.summary["accuracy"] > 0.85 for r in runs)
    assert api.runs("sklearn-regression")[0].summary["r2"] > 0.5
