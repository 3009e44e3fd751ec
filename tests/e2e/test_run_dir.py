"""wandb's run.dir: files written there are kept with the run at finish."""

from __future__ import annotations

import os

import nbtrack as wandb


def test_files_written_into_run_dir_are_kept():
    run = wandb.init(project="rundir")
    assert os.path.isdir(wandb.run.dir) and run.id in wandb.run.dir
    with open(os.path.join(wandb.run.dir, "model.h5"), "wb") as fh:
        fh.write(b"weights v1")
    wandb.save(os.path.join(wandb.run.dir, "model.h5"))  # named relative to run.dir, no duplicate at finish
    os.makedirs(os.path.join(run.dir, "plots"))
    with open(os.path.join(run.dir, "plots", "loss.txt"), "w") as fh:
        fh.write("0.1")
    wandb.finish()
    files = [f.name for f in wandb.Api().run(run.id).files() if not f.name.startswith("code/")]
    assert files == ["model.h5", "plots/loss.txt"]


def test_a_file_changed_after_save_is_kept_as_it_ends():
    run = wandb.init(project="rundir")
    path = os.path.join(run.dir, "best.txt")
    with open(path, "w") as fh:
        fh.write("epoch 1")
    run.save(path, policy="now")
    with open(path, "w") as fh:
        fh.write("epoch 9, better")
    run.finish()
    api_run = wandb.Api().run(run.id)
    kept = [f for f in api_run.files() if f.name == "best.txt"]
    assert kept and kept[-1].size == len("epoch 9, better")  # the version at finish is what the run keeps


def test_disabled_run_dir_is_a_temporary_folder():
    run = wandb.init(project="rundir", mode="disabled")
    assert os.path.isdir(run.dir)
    run.finish()


def test_save_policies_keep_what_each_promises(tmp_path):
    """"live" is kept now and again at finish if it changed, "now" only now, "end" at finish."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("live.txt", "now.txt", "end.txt", "same.txt"):
        (out / name).write_text(f"{name} at save")
    run = wandb.init(project="policies")
    wandb.save(str(out / "live.txt"), base_path=str(tmp_path))  # "live" is the default, as in wandb
    wandb.save(str(out / "same.txt"), base_path=str(tmp_path), policy="live")
    wandb.save(str(out / "now.txt"), base_path=str(tmp_path), policy="now")
    wandb.save(str(out / "end.txt"), base_path=str(tmp_path), policy="end")
    for name in ("live.txt", "now.txt", "end.txt"):
        (out / name).write_text(f"{name} at finish, longer")
    run.finish()
    kept = wandb.sql("SELECT path, size FROM files WHERE run_id = ? AND kind = 'file' ORDER BY created_at, size",
                     [run.id]).fetchall()
    sizes: dict[str, list[int]] = {}
    for path, size in kept:
        sizes.setdefault(path, []).append(size)
    def at_save(name: str) -> int:
        return len(f"{name} at save")

    def at_finish(name: str) -> int:
        return len(f"{name} at finish, longer")

    assert sizes == {
        "out/live.txt": [at_save("live.txt"), at_finish("live.txt")],
        "out/same.txt": [at_save("same.txt")],  # unchanged: not kept twice
        "out/now.txt": [at_save("now.txt")],
        "out/end.txt": [at_finish("end.txt")],
    }
    latest = {f.name: f.read() for f in wandb.Api().run(run.id).files() if not f.name.startswith("code/")}
    assert latest["out/live.txt"] == b"live.txt at finish, longer" and latest["out/now.txt"] == b"now.txt at save"
