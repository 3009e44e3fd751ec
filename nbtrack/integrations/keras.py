"""Keras 3 callbacks: ``MetricsLogger`` and ``ModelCheckpoint`` (wandb's ``WandbMetricsLogger``
and ``WandbModelCheckpoint``, under both names).

    import nbtrack
    from nbtrack.keras import MetricsLogger, ModelCheckpoint

    nbtrack.init(project="digits", config={"lr": 1e-3})
    model.fit(x, y, validation_split=0.2, epochs=5,
              callbacks=[MetricsLogger(), ModelCheckpoint("ckpt/model-{epoch:02d}.keras")])

Works with every Keras 3 backend (torch, jax, tensorflow). Importing this module imports keras.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import keras

from ..kept_files import file_signature
from ._common import _log_checkpoint, put_model_info, resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

_log = logging.getLogger(__name__)

__all__ = ["MetricsLogger", "ModelCheckpoint", "WandbMetricsLogger", "WandbModelCheckpoint"]


def _to_number(value: Any) -> Any:
    """Keras logs hold python floats or backend scalars; convert the latter to numbers."""
    if isinstance(value, (int, float, bool)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):  # e.g. a backend array without __float__
        pass
    try:
        return float(keras.ops.convert_to_numpy(value))
    except Exception:  # leave it to log()'s own coercion
        return value


def _learning_rate(model: Any) -> float | None:
    """The optimizer's current learning rate (schedules evaluated at the current iteration)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    try:
        lr = optimizer.learning_rate
        if callable(lr) and not hasattr(lr, "numpy"):
            lr = lr(optimizer.iterations)
        try:
            return float(lr.value if hasattr(lr, "value") else lr)
        except Exception:  # fall back to a numpy conversion
            return float(keras.ops.convert_to_numpy(lr))
    except Exception:  # an optimizer without a readable rate
        return None


def _count_params(model: Any) -> dict[str, int]:
    trainable = sum(int(w.size if hasattr(w, "size") else keras.ops.size(w)) for w in model.trainable_weights)
    total = sum(int(w.size if hasattr(w, "size") else keras.ops.size(w)) for w in model.weights)
    return {"total_params": total, "trainable_params": trainable, "non_trainable_params": total - trainable}


class MetricsLogger(keras.callbacks.Callback):
    """Log a Keras model's metrics to the run, as wandb's ``WandbMetricsLogger`` does.

    - every epoch: ``epoch/<metric>`` for each value in Keras' logs (loss, accuracy,
      val_loss, ...), ``epoch/epoch`` (0-based) and ``epoch/learning_rate``;
    - with ``log_freq="batch"`` (every batch) or an int n (every n-th batch of an epoch):
      ``batch/<metric>``, ``batch/batch_step`` and ``batch/learning_rate`` as well;
    - at train begin: the model's parameter counts in ``run.config["model"]``
      (``total_params``, ``trainable_params``, ``non_trainable_params``).

    ``epoch/*`` is plotted against ``epoch/epoch`` and ``batch/*`` against
    ``batch/batch_step`` (``define_metric``). ``initial_global_step`` is where
    ``batch/batch_step`` starts (for runs resumed with ``initial_epoch``).
    ``run`` defaults to the run active when training begins.
    """

    def __init__(self, log_freq: str | int = "epoch", initial_global_step: int = 0, run: Run | None = None) -> None:
        super().__init__()
        if log_freq == "batch":
            log_freq = 1
        if log_freq != "epoch" and (not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1):
            raise ValueError(f'MetricsLogger: log_freq must be "epoch", "batch" or a positive int, got {log_freq!r}.')
        self.logging_batch_wise = isinstance(log_freq, int)
        self.log_freq: int | None = log_freq if isinstance(log_freq, int) else None
        self.global_step = int(initial_global_step)
        self._explicit_run = run
        self._run: Run | None = run
        self._defined_for: str | None = None

    @property
    def run(self) -> Run:
        """The run this callback logs to."""
        if self._run is None or (self._explicit_run is None and self._run.finished):
            self._run = resolve_run(self._explicit_run, "MetricsLogger")
        return self._run

    def _define_metrics(self, run: Run) -> None:
        if self._defined_for == run.id:
            return
        self._defined_for = run.id
        run.define_metric("epoch/epoch")
        run.define_metric("epoch/*", step_metric="epoch/epoch")
        if self.logging_batch_wise:
            run.define_metric("batch/batch_step")
            run.define_metric("batch/*", step_metric="batch/batch_step")

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        run = self.run
        self._define_metrics(run)
        try:
            put_model_info(run, _count_params(self.model))
        except Exception:  # boundary: a model not built yet has no weights to count; training goes on
            _log.debug("no parameter count for %r", type(self.model).__name__, exc_info=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row = {f"epoch/{k}": _to_number(v) for k, v in (logs or {}).items()}
        row["epoch/epoch"] = epoch
        lr = _learning_rate(self.model)
        if lr is not None:
            row["epoch/learning_rate"] = lr
        self.run.log(row)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self.global_step
        self.global_step += 1
        if self.log_freq is not None and batch % self.log_freq == 0:  # None unless logging batch-wise
            row = {f"batch/{k}": _to_number(v) for k, v in (logs or {}).items()}
            row["batch/batch_step"] = step
            lr = _learning_rate(self.model)
            if lr is not None:
                row["batch/learning_rate"] = lr
            self.run.log(row)


class ModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keras' ``ModelCheckpoint`` that also keeps every checkpoint it writes with the run.

    Same arguments as ``keras.callbacks.ModelCheckpoint``. Each time Keras writes the
    file (every epoch, every ``save_freq`` batches, or only on improvement with
    ``save_best_only=True``), it becomes the next version of the "model" artifact
    ``run_<run id>_model`` (as in wandb), with aliases ``latest`` and ``epoch_<e>``
    (``epoch_<e>_batch_<b>`` for batch saves) and metadata ``{"epoch": e}``;
    ``checkpoint/epoch`` is logged as a hidden metric (no chart). Read it back with
    ``nbtrack.Api().artifact(f"run_{run_id}_model:latest").download(dir)``.
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        run: Run | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filepath=os.fspath(filepath),
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
            **kwargs,
        )
        self._explicit_run = run

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        filepath = self._get_file_path(epoch, batch, logs)
        before = file_signature(filepath)
        super()._save_model(epoch, batch, logs)
        if file_signature(filepath) in (before, None):
            return  # Keras decided not to save (save_best_only without improvement)
        aliases = ["latest", f"epoch_{epoch}" if batch is None else f"epoch_{epoch}_batch_{batch}"]
        run = resolve_run(self._explicit_run, "ModelCheckpoint")
        if not run.finished:
            _log_checkpoint(run, filepath, epoch, aliases, f"run_{run.id}_model")


#: wandb's names, so ``from wandb.integration.keras import ...`` code ports by changing the import.
WandbMetricsLogger = MetricsLogger
WandbModelCheckpoint = ModelCheckpoint
