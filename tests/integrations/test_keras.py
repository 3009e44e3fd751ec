"""nbtrack.integrations.keras (Keras 3, torch backend): MetricsLogger and ModelCheckpoint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("torch", reason="the Keras tests run on the torch backend")
keras = pytest.importorskip("keras", reason="the Keras integration needs keras (Keras 3)")
pytest.importorskip("sklearn", reason="the Keras tests train on sklearn's digits")

import numpy as np
from sklearn.datasets import load_digits

import nbtrack
from nbtrack.errors import UsageError
from nbtrack.integrations.keras import MetricsLogger, ModelCheckpoint

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # keras saving, torch backend

X, Y = load_digits(return_X_y=True)
X, Y = (X[:200] / 16.0).astype("float32"), Y[:200]


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, callbacks, epochs=2):
    model.fit(X, Y, epochs=epochs, batch_size=32, validation_split=0.2, verbose=0, callbacks=callbacks)


def test_metrics_logger_logs_epochs_batches_lr_and_param_count(store, stored):
    run = nbtrack.init(dir=store, project="k", live=False)
    model = _model()
    _fit(model, [MetricsLogger(log_freq=2)])
    api_run = stored(run)
    h = api_run.history()
    epochs = h.dropna(subset=["epoch/epoch"])
    assert epochs["epoch/epoch"].tolist() == [0, 1]
    assert {"epoch/loss", "epoch/accuracy", "epoch/val_loss", "epoch/val_accuracy", "epoch/learning_rate"} <= set(h.columns)
    assert epochs["epoch/learning_rate"].iloc[0] == pytest.approx(0.01)
    # 160 training examples / 32 = 5 batches per epoch; every 2nd batch of each epoch
    assert h["batch/batch_step"].dropna().tolist() == [0, 2, 4, 5, 7, 9]
    assert {"batch/loss", "batch/accuracy", "batch/learning_rate"} <= set(h.columns)
    assert api_run.config["model"] == {"total_params": model.count_params(), "trainable_params": model.count_params(),
                                       "non_trainable_params": 0}
    assert api_run.summary["epoch/epoch"] == 1
    assert isinstance(api_run.summary["epoch/val_loss"], float)


def test_metrics_logger_epoch_only_and_wandb_names(store, stored):
    from nbtrack.keras import WandbMetricsLogger, WandbModelCheckpoint

    assert WandbMetricsLogger is MetricsLogger and WandbModelCheckpoint is ModelCheckpoint
    run = nbtrack.init(dir=store, project="k", live=False, config={"model": "mlp"})
    _fit(_model(), [WandbMetricsLogger()], epochs=1)
    api_run = stored(run)
    assert not [c for c in api_run.history().columns if c.startswith("batch/")]
    assert api_run.config["model"] == "mlp"  # the user's value is kept
    assert api_run.config["model_info"]["total_params"] > 0


def test_metrics_logger_needs_a_run_and_a_valid_log_freq():
    with pytest.raises(ValueError):
        MetricsLogger(log_freq=0)
    with pytest.raises(ValueError):
        MetricsLogger(log_freq="sometimes")
    with pytest.raises(UsageError):
        _fit(_model(), [MetricsLogger()], epochs=1)


def test_model_checkpoint_logs_each_saved_file_as_a_model_artifact_version(store, stored, tmp_path):
    run = nbtrack.init(dir=store, project="k", live=False)
    pattern = tmp_path / "ckpt" / "model-{epoch:02d}.keras"
    callback = ModelCheckpoint(pattern)
    _fit(_model(), [MetricsLogger(), callback])
    api_run = stored(run)
    api = nbtrack.Api(dir=store)
    name = f"run_{run.id}_model"
    versions = api.artifact_versions(name)
    assert [v.version for v in versions] == ["v0", "v1"]
    assert {v.type for v in versions} == {"model"}
    assert [v.metadata for v in versions] == [{"epoch": 0}, {"epoch": 1}]
    assert api.artifact(f"{name}:latest").version == "v1"
    assert sorted(api.artifact(f"{name}:v1").aliases) == ["epoch_1", "latest"]
    assert api.artifact(f"{name}:v0").aliases == ["epoch_0"]
    assert api.artifact(f"{name}:epoch_0").version == "v0"
    for version, file_name in (("v0", "model-01.keras"), ("v1", "model-02.keras")):
        art = api.artifact(f"{name}:{version}")
        assert [f.path for f in art.files()] == [file_name]
        root = art.download(tmp_path / "back" / version)
        on_disk = (tmp_path / "ckpt" / file_name).read_bytes()
        assert (tmp_path / "back" / version / file_name).read_bytes() == on_disk
    assert keras.saving.load_model(os.path.join(root, "model-02.keras")).count_params() > 0
    assert [a.name for a in api_run.logged_artifacts()] == [f"{name}:v0", f"{name}:v1"]
    assert api_run.history()["checkpoint/epoch"].dropna().tolist() == [0, 1]
    assert not [f for f in api_run.files() if f.name.startswith("checkpoints/")]  # no plain run files
    assert "checkpoint/latest" not in api_run.summary and "checkpoint/aliases" not in api_run.summary


def test_model_checkpoint_save_best_only_without_improvement_logs_no_version(store, stored, tmp_path):
    run = nbtrack.init(dir=store, project="k", live=False)
    model = _model()
    model.optimizer.learning_rate.assign(0.0)  # val_loss never improves after the first epoch
    _fit(model, [ModelCheckpoint(tmp_path / "best.keras", save_best_only=True)], epochs=3)
    stored(run)
    api = nbtrack.Api(dir=store)
    versions = api.artifact_versions(f"run_{run.id}_model")
    assert [(v.version, sorted(v.aliases), v.metadata) for v in versions] == [("v0", ["epoch_0", "latest"], {"epoch": 0})]


def test_model_checkpoint_skipped_saves_store_nothing(store, stored, tmp_path):
    run = nbtrack.init(dir=store, project="k", live=False)
    # nothing beats a val_loss threshold of 0: Keras never saves, nothing is stored
    best = ModelCheckpoint(tmp_path / "best.weights.h5", save_best_only=True, save_weights_only=True,
                           initial_value_threshold=0.0)
    _fit(_model(), [best])
    api_run = stored(run)
    assert api_run.logged_artifacts() == []
    assert not nbtrack.Api(dir=store).artifact_exists(f"run_{run.id}_model")


def test_model_checkpoint_batch_frequency(store, stored, tmp_path):
    run = nbtrack.init(dir=store, project="k", live=False)
    path = tmp_path / "w.weights.h5"
    # 5 batches per epoch, a save every 3rd batch: epoch 0 batch 2, epoch 1 batch 0, epoch 1 batch 3
    _fit(_model(), [ModelCheckpoint(path, save_weights_only=True, save_freq=3)], epochs=2)
    api_run = stored(run)
    versions = nbtrack.Api(dir=store).artifact_versions(f"run_{run.id}_model")
    assert [v.version for v in versions] == ["v0", "v1", "v2"]
    assert [sorted(a for a in v.aliases if a != "latest") for v in versions] == [
        ["epoch_0_batch_2"], ["epoch_1_batch_0"], ["epoch_1_batch_3"]]
    assert "latest" in versions[-1].aliases
    assert [v.metadata["epoch"] for v in versions] == [0, 1, 1]
    latest = versions[-1]
    assert [f.path for f in latest.files()] == ["w.weights.h5"]
    assert (Path(latest.download(tmp_path / "back")) / "w.weights.h5").read_bytes() == path.read_bytes()
    assert np.isfinite(api_run.summary["checkpoint/epoch"])
