"""wandb's legacy Keras callback `WandbCallback` (`from wandb.keras import WandbCallback`).

    model.fit(x, y, validation_data=(xv, yv), epochs=5, callbacks=[WandbCallback()])

What it keeps, as wandb's did:

- every epoch: Keras' logs (`loss`, `accuracy`, `val_loss`, ...) and `epoch`, one step
  per epoch; with `log_batch_frequency=n`, every n-th batch's logs as `batch/<metric>`;
- the best value of `monitor` (`mode` "auto"/"min"/"max") in the summary as
  `best_<monitor>` (prefix `log_best_prefix`) and `best_epoch`; with `save_model`
  (default) the model at each improvement as the next version of the "model" artifact
  `model-<run name>` (aliases `latest`, `best`, `epoch_<e>`); `save_weights_only` keeps
  the weights file instead;
- `log_weights=True`: a histogram of every weight tensor per epoch (`parameters/<name>`);
- `validation_data` with `input_type="image"` or `output_type="image"`: up to
  `predictions` inputs/outputs as images under `examples`; with `log_evaluation=True`, a
  Table of the validation inputs, targets and predictions under `validation_evaluation`
  (images as images, other values as lists).

`log_gradients`, `compute_flops` and `save_graph` are accepted; gradients need a
backend-specific gradient tape that Keras 3 does not expose, so they are not logged
(a warning says so). Importing this module imports keras.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from ..media import Histogram, Image, Table
from ._common import _log_checkpoint, resolve_run
from .keras import _to_number

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["WandbCallback"]


def _improved(mode: str, monitor: str) -> Any:
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.startswith("fmeasure") or "auc" in monitor) else "min"
    if mode not in ("min", "max"):
        raise ValueError(f'WandbCallback: mode must be "auto", "min" or "max", got {mode!r}.')
    return (lambda new, best: new < best) if mode == "min" else (lambda new, best: new > best)


class WandbCallback(keras.callbacks.Callback):
    """wandb's legacy all-in-one Keras callback (see the module doc)."""

    def __init__(self, monitor: str = "val_loss", verbose: int = 0, mode: str = "auto", save_weights_only: bool = False,
                 log_weights: bool = False, log_gradients: bool = False, save_model: bool = True,
                 training_data: Any = None, validation_data: Any = None, labels: list[str] | None = None,
                 predictions: int = 36, generator: Any = None, input_type: str | None = None,
                 output_type: str | None = None, log_evaluation: bool = False, validation_steps: int | None = None,
                 class_colors: Any = None, log_batch_frequency: int | None = None, log_best_prefix: str = "best_",
                 save_graph: bool = True, validation_indexes: Any = None, validation_row_processor: Any = None,
                 prediction_row_processor: Any = None, infer_missing_processors: bool = True,
                 log_evaluation_frequency: int = 0, compute_flops: bool = False, run: Run | None = None,
                 **kwargs: Any) -> None:
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self._better = _improved(mode, monitor)
        self.best = math.inf if self._better(0, 1) else -math.inf
        self.save_weights_only = save_weights_only
        self.save_model = save_model
        self.log_weights = log_weights
        self.validation_data = validation_data if validation_data is not None else generator
        self.labels = list(labels or [])
        self.predictions = int(predictions)
        self.input_type = input_type
        self.output_type = output_type
        self.log_evaluation = log_evaluation
        self.log_evaluation_frequency = int(log_evaluation_frequency or 0)
        self.log_batch_frequency = log_batch_frequency
        self.log_best_prefix = log_best_prefix
        self._explicit_run = run
        self._batches = 0
        if log_gradients or compute_flops:
            warnings.warn("WandbCallback: log_gradients and compute_flops are not supported by nbtrack under Keras 3 "
                          "(no backend-independent gradient tape); metrics, weights and models are logged.",
                          stacklevel=2)

    @property
    def run(self) -> Run:
        """The run this callback logs to (the active one unless one was given)."""
        return resolve_run(self._explicit_run, "WandbCallback")

    # -- per batch / epoch ------------------------------------------------------------------
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._batches += 1
        if self.log_batch_frequency and batch % int(self.log_batch_frequency) == 0:
            row = {f"batch/{k}": _to_number(v) for k, v in (logs or {}).items()}
            row["batch/batch_step"] = self._batches
            self.run.log(row, commit=False)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        run = self.run
        logs = {k: _to_number(v) for k, v in (logs or {}).items()}
        extra: dict[str, Any] = {}
        if self.log_weights:
            extra.update(self._weights())
        if self.validation_data is not None and "image" in (self.input_type, self.output_type):
            examples = self._examples()
            if examples:
                extra["examples"] = examples
        evaluate = self.log_evaluation and (not self.log_evaluation_frequency or epoch % self.log_evaluation_frequency == 0)
        if evaluate and self.validation_data is not None:
            extra["validation_evaluation"] = self._evaluation_table()
        run.log({**extra, "epoch": epoch, **logs})
        current = logs.get(self.monitor)
        if isinstance(current, (int, float)) and self._better(current, self.best):
            self.best = float(current)
            run.summary[f"{self.log_best_prefix}{self.monitor}"] = self.best
            run.summary["best_epoch"] = epoch
            if self.save_model:
                self._save(run, epoch)

    # -- pieces ---------------------------------------------------------------------------
    def _weights(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for layer in self.model.layers:
            for weight in layer.weights:
                values = keras.ops.convert_to_numpy(weight)
                name = getattr(weight, "path", None) or f"{layer.name}/{weight.name}"
                out[f"parameters/{name}"] = Histogram(values.ravel())
        return out

    def _validation(self) -> tuple[Any, Any]:
        data = self.validation_data
        if isinstance(data, (tuple, list)) and len(data) >= 2:
            return np.asarray(data[0])[: self.predictions], np.asarray(data[1])[: self.predictions]
        raise ValueError("WandbCallback: validation_data must be (inputs, targets) for examples and evaluation.")

    def _predict(self, x: Any) -> Any:
        return keras.ops.convert_to_numpy(self.model.predict(x, verbose=0))

    def _label(self, value: Any) -> Any:
        arr = np.asarray(value)
        index = int(arr.argmax()) if arr.ndim >= 1 and arr.size > 1 else int(round(float(arr.ravel()[0])))
        return self.labels[index] if 0 <= index < len(self.labels) else index

    def _examples(self) -> list[Image]:
        x, y = self._validation()
        predicted = self._predict(x)
        if self.output_type == "image":
            return [Image(p, caption=f"prediction {i}") for i, p in enumerate(predicted)]
        return [Image(xi, caption=str(self._label(pi))) for xi, pi in zip(x, predicted)]

    def _evaluation_table(self) -> Table:
        x, y = self._validation()
        predicted = self._predict(x)
        table = Table(columns=["input", "target", "prediction"])
        for xi, yi, pi in zip(x, y, predicted):
            cell = Image(xi) if self.input_type == "image" else np.asarray(xi).tolist()
            target = self._label(yi) if self.labels or np.asarray(yi).size > 1 else np.asarray(yi).tolist()
            pred = Image(pi) if self.output_type == "image" else self._label(pi)
            table.add_data(cell, target, pred)
        return table

    def _save(self, run: Run, epoch: int) -> None:
        with tempfile.TemporaryDirectory(prefix="nbtrack-keras-") as tmp:
            if self.save_weights_only:
                path = os.path.join(tmp, "model-best.weights.h5")
                self.model.save_weights(path)
            else:
                path = os.path.join(tmp, "model-best.keras")
                self.model.save(path)
            _log_checkpoint(run, path, epoch, ["latest", "best", f"epoch_{epoch}"], f"model-{_safe(run.name)}")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
