"""nbtrack.integrations.torch: watch/unwatch histograms, parameter counts, checkpoints."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="the PyTorch integration needs torch")

import nbtrack
from nbtrack.integrations import torch as nbtorch


def _mlp() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))


def _train(run, model, steps, log=True):
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(16, 4)
    y = x.sum(1, keepdim=True)
    for _ in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if log:
            run.log({"loss": loss.item()})


def test_watch_gradients_every_log_freq_steps_join_the_users_step(store, stored):
    run = nbtrack.init(dir=store, project="t", live=False)
    model = _mlp()
    run.watch(model, log_freq=2)
    _train(run, model, 6)
    h = stored(run).history()
    grads = [c for c in h.columns if c.startswith("gradients/")]
    assert sorted(grads) == ["gradients/0.bias", "gradients/0.weight", "gradients/2.bias", "gradients/2.weight"]
    assert not [c for c in h.columns if c.startswith("parameters/")]
    logged = h.loc[h["gradients/0.weight"].notna(), "_step"].tolist()
    assert logged == [1, 3, 5]  # the 2nd, 4th, 6th backward pass, on the user's steps
    assert h["loss"].notna().all() and len(h) == 6
    ref = h["gradients/0.weight"].dropna().iloc[0]
    assert ref["_type"] == "histogram" and sum(ref["values"]) == 32 and len(ref["bins"]) == 65


def test_watch_all_and_several_models_prefix(store, stored):
    run = nbtrack.init(dir=store, project="t", live=False)
    a, b = _mlp(), _mlp()
    nbtrack.watch([a, b], log="all", log_freq=1)
    _train(run, a, 2)
    _train(run, b, 1)
    cols = set(stored(run).history().columns)
    assert {"parameters/0.weight", "gradients/0.weight", "parameters/graph_1/0.weight", "gradients/graph_1/2.bias"} <= cols


def test_watch_parameters_only_in_training_mode(store, stored):
    run = nbtrack.init(dir=store, project="t", live=False)
    model = _mlp()
    run.watch(model, log="parameters", log_freq=1)
    model.eval()
    with torch.no_grad():
        model(torch.randn(2, 4))
    run.log({"x": 1})
    model.train()
    model(torch.randn(2, 4))
    run.log({"x": 2})
    h = stored(run).history()
    assert h["parameters/0.weight"].notna().tolist() == [False, True]
    assert not [c for c in h.columns if c.startswith("gradients/")]


def test_unwatch_rewatch_and_finish_remove_hooks(store, stored):
    run = nbtrack.init(dir=store, project="t", live=False)
    model = _mlp()
    run.watch(model, log_freq=1)
    run.watch(model, log_freq=1)  # a re-run cell: replaces, does not double
    assert sum(w.model is model for w in nbtorch._watches) == 1
    _train(run, model, 1)
    nbtorch.unwatch(models=model)
    assert not [w for w in nbtorch._watches if w.model is model]
    _train(run, model, 1)
    h = stored(run).history()
    assert h["gradients/0.weight"].notna().tolist() == [True, False]

    run2 = nbtrack.init(dir=store, project="t", live=False)
    run2.watch(model, log_freq=1)
    run2.finish()
    _train(run2, model, 1, log=False)  # backward after finish: silent, hooks gone
    assert not [w for w in nbtorch._watches if w.model is model]
    assert not model[0].weight._backward_hooks


def test_watch_log_graph_and_bad_arguments(store, stored):
    run = nbtrack.init(dir=store, project="t", live=False)
    model = _mlp()
    run.watch(model, log=None, log_graph=True)
    with pytest.raises(ValueError):
        run.watch(model, log="weights")
    with pytest.raises(ValueError):
        run.watch(model, log_freq=0)
    with pytest.raises(TypeError):
        run.watch("not a model")
    text = stored(run).file("graph/0.txt").read().decode()
    assert "Linear(in_features=4" in text and "total 49, trainable 49" in text


def test_count_parameters_counts_frozen_and_shared_once():
    model = _mlp()
    model[0].weight.requires_grad_(False)
    assert nbtorch.count_parameters(model) == {"total": 49, "trainable": 17}
    tied = torch.nn.Sequential(model[2], model[2])
    assert nbtorch.count_parameters(tied)["total"] == 9


def test_save_checkpoint_logs_versions_of_a_model_artifact(store, stored, tmp_path):
    run = nbtrack.init(dir=store, project="t", live=False)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters())
    _train(run, model, 2)
    first = nbtorch.save_checkpoint(run, model, opt, epoch=1, val_loss=0.5)
    assert isinstance(first, nbtrack.Artifact) and first.type == "model"
    assert first.wait().version == "v0" and first.name == "model:v0"
    weights_at_1 = {k: v.clone() for k, v in model.state_dict().items()}
    _train(run, model, 2)
    second = nbtorch.save_checkpoint(run, model, opt, epoch=2).wait()
    again = nbtorch.save_checkpoint(run, model, opt, epoch=2).wait()
    assert second.version == "v1" and again.version == "v1"  # the same content reuses its version
    final = nbtorch.save_checkpoint(None, model, name="final")  # the active run
    assert final.wait().version == "v0"
    api_run = stored(run)
    api = nbtrack.Api(dir=store)
    assert [v.version for v in api.artifact_versions("model")] == ["v0", "v1"]
    v0 = api.artifact("model:epoch_1", type="model")
    assert v0.version == "v0" and v0.metadata == {"epoch": 1} and v0.aliases == ["epoch_1"]
    assert [f.path for f in v0.files()] == ["model.pt"]
    state = torch.load(os.path.join(v0.download(tmp_path / "v0"), "model.pt"))
    assert state["epoch"] == 1 and state["val_loss"] == 0.5 and "optimizer" in state
    fresh = _mlp()
    fresh.load_state_dict(state["model"])
    assert all(torch.equal(fresh.state_dict()[k], w) for k, w in weights_at_1.items())
    latest = api.artifact("model:latest")
    assert latest.version == "v1" and sorted(latest.aliases) == ["epoch_2", "latest"]
    assert latest.metadata == {"epoch": 2}
    latest_state = torch.load(os.path.join(latest.download(tmp_path / "v1"), "model.pt"))
    assert latest_state["epoch"] == 2 and torch.equal(latest_state["model"]["0.weight"], model[0].weight)
    assert api.artifact("final:latest").metadata == {}
    assert [a.name for a in api_run.logged_artifacts()] == ["final:v0", "model:v0", "model:v1"]
    assert api_run.history()["checkpoint/epoch"].dropna().tolist() == [1, 2]
    assert run.summary.definitions()["checkpoint/epoch"]["hidden"]  # bookkeeping: in the history, in no chart
    assert "checkpoint/latest" not in api_run.summary
    for bad in ("a/b", "has space", ""):
        with pytest.raises(ValueError, match="artifact name"):
            nbtorch.save_checkpoint(run, model, name=bad)


def test_tensor_histogram_skips_non_finite_values():
    ref = nbtorch.tensor_histogram(torch.tensor([1.0, float("nan"), 2.0, float("inf")]))
    assert sum(ref["values"]) == 2
    assert nbtorch.tensor_histogram(torch.tensor([3.0, 3.0]))["values"][32] == 2
    assert nbtorch.tensor_histogram(torch.tensor([float("nan")])) == {"_type": "histogram", "values": [], "bins": []}
    assert sum(nbtorch.tensor_histogram(torch.ones(3, dtype=torch.bfloat16))["values"]) == 3
