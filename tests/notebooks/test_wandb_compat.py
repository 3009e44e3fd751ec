"""`import nbtrack as wandb` runs wandb notebook code unchanged, and the read API returns it all."""

from __future__ import annotations


import pytest

import nbtrack

WANDB_CELLS = [
    "import numpy as np\nimport nbtrack as wandb",
    """run = wandb.init(project="compat", config={"lr": 0.01, "layers": [64, 32]}, tags=["baseline"], notes="first",
                 settings=wandb.Settings(start_method="thread"), entity="someone")
for step in range(50):
    wandb.log({"loss": 1 / (step + 1), "acc": step / 50, "train": {"grad_norm": np.float32(0.5)}})
images = [wandb.Image(np.random.default_rng(i).random((8, 8, 3)), caption=f"sample {i}") for i in range(3)]
wandb.log({"examples": images})
table = wandb.Table(columns=["x", "pred"], data=[[1, 0.5]])
table.add_data(2, np.float64(0.75))
wandb.log({"predictions": table, "weights": wandb.Histogram(np.arange(10.0), num_bins=5)}, step=51)
wandb.summary["best_acc"] = 0.98
wandb.config.update({"epochs": 3})
with open("model.txt", "w") as f:
    f.write("weights v1")
wandb.save("model.txt")
first_id = run.id
wandb.finish()""",
    """run2 = wandb.init(project="compat", name="second", config={"lr": 0.1})
wandb.log({"loss": 0.5})
from nbtrack.sdk import wandb_run
wandb_run.finish()
assert wandb.run is None""",
    "%load_ext nbtrack",
    "%nbtrack init --project compat --name magic lr=1e-3 opt=adam",
    "wandb.log({'loss': 0.25})\nprint(wandb.config.lr, wandb.config.opt)",
    "%nbtrack finish",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("compat-store")


def test_wandb_notebook_runs_and_reads_back(run_notebook, monkeypatch, store):
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(WANDB_CELLS)
    assert "0.001 adam" in nb.cells[5].outputs[0]["text"]

    api = nbtrack.Api(dir=store)
    runs = {r.name: r for r in api.runs("compat")}
    assert set(runs) >= {"second", "magic"} and len(runs) == 3
    assert all(r.state == "finished" for r in runs.values())
    first = next(r for name, r in runs.items() if name not in ("second", "magic"))

    assert first.config == {"lr": 0.01, "layers": [64, 32], "epochs": 3}
    assert first.tags == ["baseline"] and first.notes == "first"
    assert first.summary["best_acc"] == 0.98 and first.summary["loss"] == pytest.approx(1 / 50)
    history = first.history()
    assert list(history["_step"]) == list(range(52))
    assert {"_step", "_timestamp", "_runtime", "loss", "acc", "train/grad_norm", "examples"} <= set(history.columns)
    assert history["loss"].iloc[:50].tolist() == pytest.approx([1 / (s + 1) for s in range(50)])
    assert (history["_runtime"] >= 0).all()

    names = [f.name for f in first.files()]
    assert "model.txt" in names
    assert first.file("model.txt").read() == b"weights v1"
    media = [n for n in names if n.startswith("media/")]
    assert len(media) == 3, names  # three distinct images, content-addressed
    gallery = history["examples"].iloc[50]
    assert "sample 0" in str(gallery)
    predictions = history["predictions"].iloc[51]
    assert predictions["_type"] == "table" and predictions["data"] == [[1, 0.5], [2, 0.75]]
    assert history["weights"].iloc[51]["values"] == [2, 2, 2, 2, 2]

    code = first.code()
    sources = "\n".join(c.source for c in code.cells)
    assert "wandb.init(project=\"compat\"" in sources
    assert first.metadata["python"]["version"].startswith(".".join(map(str, __import__("sys").version_info[:2])))

    magic = runs["magic"]
    assert magic.config == {"lr": 0.001, "opt": "adam"}
    assert magic.history()["loss"].tolist() == [0.25]

    frame = nbtrack.runs("compat", dir=store)
    assert len(frame) == 3 and {"config.lr", "summary.loss", "summary.best_acc"} <= set(frame.columns)
    assert nbtrack.sql("select count(distinct run_id) from history", dir=store).fetchall()[0][0] == 3


def test_misuse_gets_clear_errors():
    with pytest.raises(nbtrack.UsageError, match="nbtrack.init"):
        nbtrack.log({"a": 1})
    with pytest.raises(nbtrack.UsageError, match="nbtrack.init"):
        nbtrack.config.lr = 1
    with pytest.raises(TypeError, match="tags must be a list"):
        nbtrack.init(project="p", tags="oops")
