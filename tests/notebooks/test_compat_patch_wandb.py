"""`nbtrack.patch_wandb()` / `%nbtrack init --as-wandb`: libraries that import wandb
themselves (transformers' Trainer with report_to="wandb", Lightning's WandbLogger) log
into the nbtrack store, unchanged, in a notebook kernel."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import nbtrack

TRANSFORMERS_CELLS = [
    """import os
os.environ["HF_HUB_OFFLINE"] = "1"
import nbtrack
nbtrack.patch_wandb()
import importlib.util, importlib.metadata
print("SPEC", importlib.util.find_spec("wandb") is not None, importlib.metadata.version("wandb"))""",
    """import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, max_position_embeddings=16, num_labels=2)
model = BertForSequenceClassification(config)  # a tiny model built here: nothing is downloaded

class Toy(torch.utils.data.Dataset):
    def __init__(self, n):
        g = torch.Generator().manual_seed(n)
        self.x = torch.randint(1, 64, (n, 8), generator=g)
        self.y = (self.x[:, 0] > 32).long()
    def __len__(self):
        return len(self.y)
    def __getitem__(self, i):
        return {"input_ids": self.x[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": self.y[i]}

args = TrainingArguments(output_dir="out", report_to="wandb", run_name="tiny-bert", max_steps=12,
                         logging_steps=3, eval_strategy="steps", eval_steps=6, per_device_train_batch_size=8,
                         learning_rate=1e-3, save_strategy="no", use_cpu=True, disable_tqdm=True)
trainer = Trainer(model=model, args=args, train_dataset=Toy(64), eval_dataset=Toy(16))
trainer.train()""",
    """import wandb
print("SAME", wandb is nbtrack, wandb.run.name)
wandb.finish()""",
]


def test_transformers_trainer_reports_to_nbtrack(run_notebook, monkeypatch, tmp_path):
    pytest.importorskip("torch", reason="the Trainer trains a torch model")
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    store = tmp_path / "hf-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(TRANSFORMERS_CELLS)
    assert "SPEC True 0.31.0+nbtrack" in nb.cells[0].outputs[0]["text"]
    assert "SAME True tiny-bert" in "".join(o.get("text", "") for o in nb.cells[2].outputs)

    (run,) = nbtrack.Api(dir=store).runs("huggingface")  # transformers' default WANDB_PROJECT
    assert run.name == "tiny-bert" and run.state == "finished"
    # the Trainer's arguments and the model's config went into the run's config
    assert run.config["learning_rate"] == 1e-3 and run.config["max_steps"] == 12
    assert run.config["hidden_size"] == 16 and run.config["model/num_parameters"] > 0
    history = run.history()
    train = history.dropna(subset=["train/loss"])
    assert list(train["train/global_step"]) == [3, 6, 9, 12]
    assert history["eval/loss"].notna().sum() == 2
    assert run.summary["train/global_step"] == 12 and "train_runtime" in run.summary
    # define_metric("*", step_metric="train/global_step") was stored
    assert run._record["metrics"]


LIGHTNING_CELLS = [
    "%load_ext nbtrack",
    "%nbtrack init --as-wandb --project lit-demo --name tiny-lit seed=0",
    """import torch
import lightning as L
from lightning.pytorch.loggers import WandbLogger
from torch.utils.data import DataLoader, TensorDataset

class Regressor(L.LightningModule):
    def __init__(self, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.layer = torch.nn.Linear(3, 1)
    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss)
        return loss
    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y))
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

torch.manual_seed(0)
x = torch.randn(64, 3)
data = TensorDataset(x, x.sum(dim=1, keepdim=True))
wandb_logger = WandbLogger(project="lit-demo", log_model=False)
trainer = L.Trainer(max_epochs=3, logger=wandb_logger, log_every_n_steps=2, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
trainer.fit(Regressor(), DataLoader(data, batch_size=8), DataLoader(data, batch_size=32))
print("EXPERIMENT", type(wandb_logger.experiment).__module__, wandb_logger.experiment.name)""",
    "%nbtrack finish",
]


def test_lightning_wandb_logger_logs_to_nbtrack(run_notebook, monkeypatch, tmp_path):
    pytest.importorskip("lightning")
    store = tmp_path / "lit-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(LIGHTNING_CELLS)
    text = "".join(o.get("text", "") for o in nb.cells[2].outputs)
    assert "EXPERIMENT nbtrack.tracking.run tiny-lit" in text, text

    (run,) = nbtrack.Api(dir=store).runs("lit-demo")
    assert run.name == "tiny-lit" and run.state == "finished"
    assert run.config["seed"] == 0 and run.config["lr"] == 0.05  # the magic's config, then log_hyperparams
    history = run.history()
    train = history.dropna(subset=["train_loss"])
    assert len(train) == 12  # 3 epochs x 8 batches, every 2nd step
    assert list(train["trainer/global_step"]) == list(range(1, 24, 2))
    assert history["val_loss"].notna().sum() == 3 and set(history["epoch"].dropna()) == {0, 1, 2}


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_refuses_when_the_real_wandb_is_imported():
    done = _python("""
        import sys, types
        real = types.ModuleType("wandb")
        real.__file__ = "/site-packages/wandb/__init__.py"
        sys.modules["wandb"] = real   # what `import wandb` leaves behind when wandb is installed
        import nbtrack
        try:
            nbtrack.patch_wandb()
        except nbtrack.UsageError as exc:
            print("REFUSED", exc)
        import wandb
        print("STILL REAL", wandb is real)
    """)
    assert "REFUSED nbtrack.patch_wandb: the real wandb is already imported" in done.stdout, done.stderr
    assert "Restart the kernel" in done.stdout and "STILL REAL True" in done.stdout


def test_alias_is_the_same_module_and_can_be_undone():
    done = _python("""
        import importlib.util, importlib.metadata
        import nbtrack
        assert importlib.util.find_spec("wandb") is None or "nbtrack" not in str(importlib.util.find_spec("wandb").origin)
        nbtrack.patch_wandb()
        nbtrack.patch_wandb()  # twice is fine
        import wandb, wandb.sdk.wandb_run, wandb.plot
        from wandb.sdk.lib import RunDisabled
        assert wandb is nbtrack and wandb.sdk.wandb_run is nbtrack.sdk.wandb_run
        assert nbtrack.__spec__.name == "nbtrack"  # nbtrack keeps its own spec
        assert importlib.util.find_spec("wandb") is not None
        assert importlib.metadata.version("wandb") == "0.31.0+nbtrack"
        try:
            import wandb.not_a_module
        except ModuleNotFoundError as exc:
            print("MISSING", exc.name)
        nbtrack.unpatch_wandb()
        assert "wandb" not in sys.modules if (sys := __import__("sys")) else True
        assert importlib.util.find_spec("wandb") is None
        print("OK")
    """)
    assert "MISSING wandb.not_a_module" in done.stdout and "OK" in done.stdout, done.stderr


HP_SEARCH_CELLS = [
    TRANSFORMERS_CELLS[0],
    TRANSFORMERS_CELLS[1].split("trainer = Trainer")[0].replace('run_name="tiny-bert", ', ""),
    """def model_init(trial=None):
    torch.manual_seed(0)
    return BertForSequenceClassification(config)

def hp_space(trial):
    return {"method": "random", "metric": {"name": "eval/loss", "goal": "minimize"},
            "parameters": {"learning_rate": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2},
                           "seed": {"values": [1, 2]}}}

trainer = Trainer(model_init=model_init, args=args, train_dataset=Toy(64), eval_dataset=Toy(16))
best = trainer.hyperparameter_search(backend="wandb", hp_space=hp_space, n_trials=3, direction="minimize",
                                     project="hf-sweep")
print("BEST", best.run_id, best.hyperparameters["learning_rate"])""",
]


def test_transformers_hyperparameter_search_uses_the_local_sweep(run_notebook, monkeypatch, tmp_path):
    pytest.importorskip("torch", reason="the Trainer trains a torch model")
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    store = tmp_path / "hf-sweep-store"
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    nb = run_notebook(HP_SEARCH_CELLS)
    best_line = next(line for o in nb.cells[2].outputs for line in o.get("text", "").splitlines() if line.startswith("BEST"))
    _, best_id, best_lr = best_line.split()

    runs = nbtrack.Api(dir=store).runs("hf-sweep")
    assert len(runs) == 3 and len({r.sweep_id for r in runs}) == 1
    for r in runs:
        assert 1e-4 <= r.config["learning_rate"] <= 1e-2 and r.config["seed"] in (1, 2)
        assert r.history()["eval/loss"].notna().sum() == 2
    sweep = nbtrack.Api(dir=store).sweep(runs[0].sweep_id)
    assert sweep.config["metric"] == {"name": "eval/loss", "goal": "minimize"}
    # transformers' own choice of the best trial and the sweep's agree
    assert sweep.best_run().id == best_id
    assert float(best_lr) == pytest.approx(sweep.best_run().config["learning_rate"])
