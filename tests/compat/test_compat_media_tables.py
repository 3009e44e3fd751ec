"""Issue 12 items 2 and 5: tables of images, and tables inside artifacts, as wandb's intro
notebook and its artifact tutorials write them."""

from __future__ import annotations

import pytest

import nbtrack
from nbtrack.runs_table.logged_tables import logged_tables
from nbtrack.store.reader import StoreReader
from nbtrack.store.store import Store

# the shape of wandb's intro notebook: train, then a predictions table with the images
INTRO = [
    """import random
import numpy as np
import nbtrack as wandb
wandb.login()""",
    """config = {"epochs": 3, "batch_size": 32, "lr": 1e-3, "architecture": "CNN"}
run = wandb.init(project="intro-tables", config=config)
rng = np.random.default_rng(0)
images = rng.random((12, 28, 28))
targets = rng.integers(0, 10, 12)
for epoch in range(config["epochs"]):
    wandb.log({"train/loss": 1.0 / (epoch + 1), "val/accuracy": 0.5 + 0.1 * epoch, "epoch": epoch})""",
    """def log_image_table(images, predicted, labels, probs):
    table = wandb.Table(columns=["image", "pred", "target"] + [f"score_{i}" for i in range(10)])
    for img, pred, targ, prob in zip(images, predicted, labels, probs):
        table.add_data(wandb.Image(img * 255), pred, targ, *prob)
    wandb.log({"predictions_table": table}, commit=False)

probs = rng.dirichlet(np.ones(10), size=12)
log_image_table(images, probs.argmax(1), targets, probs)
# the constructor form, with captions
wandb.log({"samples": wandb.Table(columns=["img", "label"],
                                  data=[[wandb.Image(images[i], caption=f"label {targets[i]}"), int(targets[i])] for i in range(3)])})
first_id = run.id
wandb.finish()""",
    # wandb's docs read a logged table back through the artifact every logged table becomes
    """run = wandb.init(project="intro-tables", job_type="analysis")
back = run.use_artifact(f"run-{first_id}-predictions_table:latest").get("predictions_table")
print("read back", len(back.data), type(back.data[0][0]).__name__, back.columns[:3])
wandb.finish()""",
]


def test_intro_notebook_table_of_images_is_stored_and_shown(wandb_notebook):
    nb, store = wandb_notebook(INTRO, live=True)  # the live panel is on, as in a user's notebook
    run = nbtrack.Api(dir=store).runs("intro-tables", filters={"job_type": None})[0]
    assert run.state == "finished" and run.config["architecture"] == "CNN"
    history = run.history()
    table = history["predictions_table"].dropna().iloc[-1]
    assert table["_type"] == "table" and table["nrows"] == 12
    assert table["columns"][:3] == ["image", "pred", "target"] and len(table["columns"]) == 13
    cells = [row[0] for row in table["data"]]
    assert all(c["_type"] == "image-file" and c["width"] == 28 for c in cells)
    files = {f.name: f for f in run.files()}
    for cell in cells:  # every image's bytes are in the store, under the path the table names
        assert files[cell["path"]].read()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run.summary["predictions_table"] == {"_type": "table", "columns": table["columns"], "nrows": 12, "ncols": 13}
    samples = history["samples"].dropna().iloc[-1]
    assert [row[0]["caption"] for row in samples["data"]] == [f"label {row[1]}" for row in samples["data"]]
    # the run page of the runs table gets both tables, image cells as thumbnails
    shown = {t["key"]: t for t in logged_tables(StoreReader(Store(store)), run.id)}
    assert set(shown) == {"predictions_table", "samples"}
    first_row = shown["predictions_table"]["rows"][0]
    assert first_row[0]["image"].startswith("data:image/png;base64,") and first_row[1]["text"].isdigit()
    assert shown["samples"]["rows"][0][0]["caption"].startswith("label ")
    # the run page payload and `nbtrack show` carry the summary (ApiRun.summary is a dict)
    from nbtrack.runs_table.service import TableService

    detail, _ = TableService("intro-tables", dir=store).handle({"type": "detail", "id": run.id})
    assert detail["run"]["summary"]["val/accuracy"] == pytest.approx(0.7) and len(detail["run"]["tables"]) == 2
    # each logged table is also the artifact run-<id>-<key> (type run_table), as in wandb
    assert "read back 12 Image ['image', 'pred', 'target']" in "\n".join(o.get("text", "") for c in nb.cells for o in c.outputs)
    assert sorted(a.collection_name for a in run.logged_artifacts()) == [f"run-{run.id}-predictions_table",
                                                                         f"run-{run.id}-samples"]
    assert {a.type for a in run.logged_artifacts()} == {"run_table"}


ARTIFACT_TABLES = [
    """import numpy as np
import nbtrack as wandb
rng = np.random.default_rng(1)
run = wandb.init(project="artifact-tables", job_type="upload")
art = wandb.Artifact("mnist-sample", type="dataset", description="raw sample", metadata={"source": "synthetic"})
table = wandb.Table(columns=["id", "image", "label"])
for i in range(4):
    table.add_data(i, wandb.Image(rng.random((8, 8, 3)), caption=f"img {i}"), i % 2)
art.add(table, "samples")
for part in range(2):
    art.add(wandb.Table(columns=["id", "score"], data=[[i, i / 10] for i in range(part * 2, part * 2 + 2)]), f"scores/part_{part}")
art.add(wandb.data_types.PartitionedTable(parts_path="scores"), "all_scores")
art.add(wandb.JoinedTable("samples", "scores/part_0", "id"), "joined")
run.log_artifact(art)
wandb.finish()""",
    """run = wandb.init(project="artifact-tables", job_type="analysis")
used = run.use_artifact("mnist-sample:latest")
samples = used.get("samples")
assert isinstance(samples.data[0][1], wandb.Image) and samples.data[2][1].caption == "img 2"
assert [row for _, row in used.get("all_scores").iterrows()] == [[0, 0.0], [1, 0.1], [2, 0.2], [3, 0.3]]
joined = used.get("joined").join()
print("joined", joined.columns, len(joined.data))
# edit the stored version: description, metadata, a new alias; then save
used.description = "curated sample"
used.metadata["reviewed"] = True
used.aliases.append("reviewed")
used.save()
wandb.finish()""",
    """api = wandb.Api()
art = api.artifact("mnist-sample:v0")
art.metadata = {"source": "synthetic", "reviewed": True, "rows": 4}
art.save()
print("aliases", sorted(api.artifact("mnist-sample:reviewed").aliases))""",
]


def test_tables_in_artifacts_and_edits_of_a_logged_version(wandb_notebook):
    nb, store = wandb_notebook(ARTIFACT_TABLES)
    api = nbtrack.Api(dir=store)
    art = api.artifact("mnist-sample:latest")
    names = sorted(f.path for f in art.files())
    assert {"samples.table.json", "all_scores.partitioned-table.json", "joined.joined-table.json",
            "scores/part_0.table.json", "scores/part_1.table.json"} <= set(names)
    assert len([n for n in names if n.startswith("media/images/")]) == 4
    assert art.description == "curated sample"  # edited by another run, then saved
    assert art.metadata == {"source": "synthetic", "reviewed": True, "rows": 4}  # edited through the Api
    assert sorted(art.aliases) == ["latest", "reviewed"]
    samples = art.get("samples")
    assert samples.get_column("label") == [0, 1, 0, 1]
    assert [img.caption for img in samples.get_column("image")] == [f"img {i}" for i in range(4)]
    joined = art.get("joined").join()
    assert joined.columns == ["id", "image", "label", "score"] and [r[0] for r in joined.data] == [0, 1]
    analysis = next(r for r in api.runs("artifact-tables") if r.job_type == "analysis")
    assert [a.name for a in analysis.used_artifacts()] == ["mnist-sample:v0"]
    assert "joined ['id', 'image', 'label', 'score'] 2" in "\n".join(o.get("text", "") for c in nb.cells for o in c.outputs)


def test_artifact_add_refuses_what_it_cannot_keep():
    art = nbtrack.Artifact("x", "dataset")
    with pytest.raises(TypeError, match="add a Table"):
        art.add({"a": 1}, "thing")
    with pytest.raises(KeyError, match="no table or image"):
        art.get("missing")
