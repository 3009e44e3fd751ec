"""The optional integrations: Lightning logger, Hugging Face callback, XGBoost and LightGBM callbacks.

Each test is skipped (with the reason) when its framework is not installed.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

import nbtrack


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_lightning_logger(store, stored, tmp_path):
    pytest.importorskip("lightning", reason="the Lightning logger test needs the lightning package")
    torch = pytest.importorskip("torch", reason="Lightning needs torch")
    import lightning as L

    from nbtrack.integrations.lightning import NbtrackLogger, WandbLogger

    assert WandbLogger is NbtrackLogger

    class Tiny(L.LightningModule):
        def __init__(self, lr: float = 0.05) -> None:
            super().__init__()
            self.save_hyperparameters()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.layer(x), y)
            self.log("train/loss", loss)
            return loss

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val/loss", torch.nn.functional.mse_loss(self.layer(x), y))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    torch.manual_seed(0)
    x = torch.randn(64, 4)
    data = torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True))
    loader = torch.utils.data.DataLoader(data, batch_size=8)
    logger = NbtrackLogger(project="pl", dir=store, log_model=True, live=False)
    trainer = L.Trainer(max_epochs=2, logger=logger, log_every_n_steps=2, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=str(tmp_path), accelerator="cpu", devices=1)
    trainer.fit(Tiny(), loader, loader)
    run = logger.experiment
    assert logger.version == run.id and logger.name == "pl"
    api_run = stored(run)
    h = api_run.history()
    assert {"train/loss", "val/loss", "trainer/global_step", "epoch"} <= set(h.columns)
    assert h["trainer/global_step"].dropna().is_monotonic_increasing
    assert api_run.config["lr"] == 0.05
    # every checkpoint Lightning wrote is a version of model-<run id> (it deletes the older file on disk)
    api = nbtrack.Api(dir=store)
    versions = api.artifact_versions(f"model-{run.id}")
    assert [(v.version, v.type, v.metadata) for v in versions] == [("v0", "model", {"epoch": 0}),
                                                                  ("v1", "model", {"epoch": 1})]
    assert [[f.path for f in v.files()] for v in versions] == [["epoch=0-step=8.ckpt"], ["epoch=1-step=16.ckpt"]]
    assert versions[0].aliases == ["epoch_0"] and sorted(versions[1].aliases) == ["epoch_1", "latest"]
    assert [a.name for a in api_run.logged_artifacts()] == [f"model-{run.id}:v0", f"model-{run.id}:v1"]
    root = api.artifact(f"model-{run.id}:epoch_0").download(tmp_path / "back")
    state = torch.load(f"{root}/epoch=0-step=8.ckpt", weights_only=False)
    assert state["epoch"] == 0 and set(state["state_dict"]) == {"layer.weight", "layer.bias"}


def test_transformers_callback(store, stored):
    pytest.importorskip("transformers", reason="the Hugging Face callback test needs transformers")
    from transformers import TrainerControl, TrainerState

    from nbtrack.integrations.transformers import NbtrackCallback, rewrite_logs

    assert rewrite_logs({"loss": 1, "eval_loss": 2, "test_acc": 3}) == {"train/loss": 1, "eval/loss": 2, "test/acc": 3}
    run = nbtrack.init(dir=store, project="hf", live=False)
    callback = NbtrackCallback()
    args = types.SimpleNamespace(to_sanitized_dict=lambda: {"learning_rate": 5e-5, "num_train_epochs": 1})
    state, control = TrainerState(), TrainerControl()
    model = types.SimpleNamespace(config=types.SimpleNamespace(to_dict=lambda: {"hidden_size": 8}))
    callback.on_train_begin(args, state, control, model=model)
    for step, loss in ((10, 0.9), (20, 0.7)):
        state.global_step = step
        callback.on_log(args, state, control, logs={"loss": loss, "learning_rate": 1e-5})
    callback.on_log(args, state, control, logs={"eval_loss": 0.8, "eval_accuracy": 0.6})
    callback.on_log(args, state, control, logs={"train_runtime": 1.5, "train_loss": 0.8})
    api_run = stored(run)
    h = api_run.history()
    assert h["train/global_step"].tolist() == [10, 20, 20]
    assert h["train/loss"].dropna().tolist() == [0.9, 0.7]
    assert h["eval/accuracy"].dropna().tolist() == [0.6]
    assert api_run.config["learning_rate"] == 5e-5 and api_run.config["model_config"] == {"hidden_size": 8}
    assert api_run.summary["train/train_runtime"] == 1.5


def test_xgboost_callback(store, stored):
    xgb = pytest.importorskip("xgboost", reason="the XGBoost callback test needs xgboost (xgboost-cpu)")
    from nbtrack.integrations.xgboost import NbtrackCallback

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = X[:, 0] * 2 + rng.normal(scale=0.1, size=200)
    dtrain, dvalid = xgb.DMatrix(X[:150], y[:150]), xgb.DMatrix(X[150:], y[150:])
    run = nbtrack.init(dir=store, project="xgb", live=False)
    xgb.train({"max_depth": 2, "eta": 0.3, "eval_metric": "rmse"}, dtrain, 8,
              evals=[(dtrain, "train"), (dvalid, "valid")], early_stopping_rounds=3, callbacks=[NbtrackCallback()],
              verbose_eval=False)
    api_run = stored(run)
    h = api_run.history()
    assert h["epoch"].dropna().astype(int).tolist()[:3] == [0, 1, 2]
    assert h["valid-rmse"].dropna().is_monotonic_decreasing
    assert "best_score" in api_run.summary and "best_iteration" in api_run.summary
    bars = h["feature_importance"].dropna().iloc[-1]
    assert bars["_type"] == "bar" and bars["labels"][0] == "f0"


def test_lightgbm_callback_and_summary(store, stored):
    lgb = pytest.importorskip("lightgbm", reason="the LightGBM callback test needs lightgbm")
    from nbtrack.integrations.lightgbm import log_summary, nbtrack_callback

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = X[:, 1] * 3 + rng.normal(scale=0.1, size=300)
    train, valid = lgb.Dataset(X[:200], y[:200]), lgb.Dataset(X[200:], y[200:])
    run = nbtrack.init(dir=store, project="lgb", live=False)
    booster = lgb.train({"objective": "regression", "verbose": -1, "num_leaves": 4}, train, 6, valid_sets=[valid],
                        callbacks=[nbtrack_callback()])
    log_summary(booster)
    api_run = stored(run)
    h = api_run.history()
    assert h["iteration"].dropna().astype(int).tolist() == [0, 1, 2, 3, 4, 5]
    assert h["valid_0_l2"].dropna().is_monotonic_decreasing
    assert api_run.config["lightgbm"]["num_leaves"] == 4
    assert h["feature_importance"].dropna().iloc[-1]["labels"][0] == "Column_1"
