"""wandb's `WandbEvalCallback`: build tables of validation data and of each epoch's predictions.

Subclass it and fill two tables, as with wandb:

    class PredictionsCallback(WandbEvalCallback):
        def add_ground_truth(self, logs=None):
            for i, (img, label) in enumerate(zip(x_val, y_val)):
                self.data_table.add_data(i, nbtrack.Image(img), label)

        def add_model_predictions(self, epoch, logs=None):
            preds = self.model.predict(x_val, verbose=0).argmax(axis=1)
            for row, pred in zip(self.data_table_ref.data, preds):
                self.pred_table.add_data(epoch, row[0], row[1], row[2], pred)

    model.fit(..., callbacks=[PredictionsCallback(["idx", "image", "label"], ["epoch", "idx", "image", "label", "pred"])])

At train begin the data table is kept as the artifact `val` (type "dataset", table
`val_data`), used by the run, and read back as `self.data_table_ref` (image cells are
Images again). After each epoch the predictions table is the next version of the
artifact `run_<id>_pred` (type "evaluation", table `eval_data`) and is also logged
under `eval_data`, so the run's page shows it. Importing this module imports keras.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

import keras

from ..artifacts import Artifact
from ..media import Table
from ._common import resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["WandbEvalCallback"]


class WandbEvalCallback(keras.callbacks.Callback, abc.ABC):
    """Base class of evaluation callbacks that log tables (see the module doc)."""

    def __init__(self, data_table_columns: list[str], pred_table_columns: list[str], *args: Any, **kwargs: Any) -> None:
        self._explicit_run: Run | None = kwargs.pop("run", None)
        super().__init__(*args, **kwargs)
        resolve_run(self._explicit_run, "WandbEvalCallback")  # fail now, as wandb does, without a run
        self.data_table_columns = list(data_table_columns)
        self.pred_table_columns = list(pred_table_columns)
        self.data_table: Table | None = None
        self.pred_table: Table | None = None
        self.data_table_ref: Table | None = None

    @property
    def run(self) -> Run:
        """The run the tables go to (the active one unless one was given)."""
        return resolve_run(self._explicit_run, "WandbEvalCallback")

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.init_data_table(column_names=self.data_table_columns)
        self.add_ground_truth(logs)
        self.log_data_table()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.init_pred_table(column_names=self.pred_table_columns)
        self.add_model_predictions(epoch, logs)
        self.log_pred_table()

    @abc.abstractmethod
    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        """Fill `self.data_table` with the validation data (called once at train begin)."""

    @abc.abstractmethod
    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Fill `self.pred_table` with this epoch's predictions (`self.data_table_ref` holds the data)."""

    def init_data_table(self, column_names: list[str]) -> None:
        """A fresh data table with these columns."""
        self.data_table = Table(columns=column_names, allow_mixed_types=True)

    def init_pred_table(self, column_names: list[str]) -> None:
        """A fresh predictions table with these columns."""
        self.pred_table = Table(columns=column_names)

    def log_data_table(self, name: str = "val", type: str = "dataset", table_name: str = "val_data") -> None:
        """Keep the data table as an artifact the run uses; `self.data_table_ref` reads it back."""
        artifact = Artifact(name, type=type)
        artifact.add(self.data_table, table_name)
        self.run.use_artifact(artifact)
        artifact.wait()
        self.data_table_ref = artifact.get(table_name)

    def log_pred_table(self, type: str = "evaluation", table_name: str = "eval_data",
                       aliases: list[str] | None = None) -> None:
        """Keep the predictions table as the next version of `run_<id>_pred` and log it."""
        run = self.run
        artifact = Artifact(f"run_{run.id}_pred", type=type)
        artifact.add(self.pred_table, table_name)
        run.log_artifact(artifact, aliases=aliases or ["latest"])
        run.log({table_name: self.pred_table}, commit=False)
