"""One Store object per store directory, and the active-run registry the layers below the
session read, seen the way users reach them (`import nbtrack as wandb`)."""

from __future__ import annotations

from pathlib import Path

import nbtrack as wandb
from nbtrack import active_runs
from nbtrack.store.store import store_at


def test_every_reader_and_writer_of_a_store_shares_one_store_object(tmp_path: Path) -> None:
    store_dir = tmp_path / "runs"
    run = wandb.init(project="p", dir=store_dir)
    assert isinstance(run.store_dir, Path) and run.store_dir == store_dir
    assert run.store is store_at(store_dir)
    assert run.store_writer is not None and run.store_writer.store is run.store
    assert store_at(tmp_path / "runs" / ".." / "runs") is run.store  # any spelling of the path

    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    artifact = wandb.Artifact("model", "model")
    artifact.add_file(str(model))  # hashed into the active run's store
    assert artifact.store is run.store
    run.log_artifact(artifact).wait()
    run.finish()

    api = wandb.Api(dir=str(store_dir))
    assert api._reader.store is run.store
    stored = api.artifact("p/model:latest")
    assert stored.store is run.store
    assert stored.logged_by().id == run.id  # the read API answers the artifact's lineage


def test_the_active_run_registry_follows_init_and_finish(tmp_path: Path) -> None:
    assert active_runs.active() is None
    first = wandb.init(project="p", reinit="create_new")
    second = wandb.init(project="p", reinit="create_new")
    assert active_runs.open_runs() == [first, second]
    assert active_runs.active() is second is wandb.run
    second.finish()
    assert active_runs.active() is first is wandb.run
    first.finish()
    assert active_runs.active() is None and wandb.run is None


def test_a_draft_saved_without_a_run_starts_one_through_the_registered_starter(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    artifact = wandb.Artifact("data", "dataset")
    artifact.add_file(str(data))
    artifact.save(project="auto")  # no active run: a short run of its own, as wandb does
    assert artifact.version == "v0"
    assert active_runs.active() is None
    run = artifact.logged_by()
    assert run is not None and run.job_type == "auto" and run.project == "auto"
