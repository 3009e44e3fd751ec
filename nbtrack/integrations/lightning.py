"""PyTorch Lightning: ``NbtrackLogger``, a Lightning ``Logger`` writing to an nbtrack run.

    from nbtrack.integrations.lightning import NbtrackLogger
    trainer = lightning.Trainer(logger=NbtrackLogger(project="mnist"), max_epochs=3)

Like Lightning's ``WandbLogger``: metrics are logged with ``trainer/global_step`` as their
x axis (``define_metric("*", step_metric="trainer/global_step")``), so Lightning's
repeated global steps (train and validation at one step) never drop values. With
``log_model=True`` each checkpoint Lightning's ``ModelCheckpoint`` writes becomes a version
of the "model" artifact ``model-<run id>`` (as in wandb). The run is the active one, or
one started on first use with the given ``nbtrack.init`` arguments. Works with
``lightning`` or ``pytorch_lightning``.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typed against the current package name, whichever is installed
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities.rank_zero import rank_zero_only
else:
    try:
        from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
        from lightning.pytorch.utilities.rank_zero import rank_zero_only
    except ImportError:  # the older package name
        from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment
        from pytorch_lightning.utilities.rank_zero import rank_zero_only

from .. import active_runs
from ._common import _log_checkpoint, plain

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["NbtrackLogger", "WandbLogger"]


class NbtrackLogger(Logger):
    """A Lightning logger for nbtrack (see the module doc).

    ``run``: log to this run; otherwise the active run, or ``nbtrack.init(project=...,
    name=..., config=..., dir=..., **init_kwargs)`` on first use. ``log_model=True``: each
    checkpoint Lightning saves becomes the next version of the artifact ``model-<run id>``
    (aliases ``latest`` and ``epoch_<e>``).
    """

    def __init__(
        self,
        project: str | None = None,
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        dir: str | os.PathLike[str] | None = None,
        log_model: bool = False,
        run: Run | None = None,
        prefix: str = "",
        **init_kwargs: Any,
    ) -> None:
        super().__init__()
        self._project = project
        self._name = name
        self._config = dict(config or {})
        self._dir = dir
        self._log_model = log_model
        self._run = run
        self._prefix = prefix
        self._init_kwargs = init_kwargs
        self._defined: str | None = None

    @property
    @rank_zero_experiment
    def experiment(self) -> Run:
        """The nbtrack run (started on first use when none is active)."""
        if self._run is None or self._run.finished:
            active = active_runs.active()
            if active is not None and (self._project is None or active.project == self._project):
                self._run = active
            else:
                self._run = active_runs.start_run(project=self._project, name=self._name, config=self._config or None,
                                         dir=self._dir, **self._init_kwargs)
        if self._defined != self._run.id:
            self._defined = self._run.id
            self._run.define_metric("trainer/global_step")
            self._run.define_metric("*", step_metric="trainer/global_step")
        return self._run

    @property
    def name(self) -> str:
        """The project name."""
        return self._run.project if self._run is not None else (self._project or "nbtrack")

    @property
    def version(self) -> str:
        """The run id."""
        return self._run.id if self._run is not None else ""

    @property
    def save_dir(self) -> str | None:
        """The store directory."""
        if self._run is not None:
            return os.fspath(self._run.store_dir) if self._run.store_dir is not None else None
        return os.fspath(self._dir) if self._dir else None

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        """Merge the hyperparameters into the run's config."""
        if isinstance(params, Namespace):
            params = vars(params)
        self.experiment.config.update({str(k): plain(v) for k, v in dict(params or {}).items()})

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Log one row of metrics; ``trainer/global_step`` carries Lightning's step."""
        row: dict[str, Any] = {f"{self._prefix}{k}" if self._prefix else k: v for k, v in metrics.items()}
        if step is not None:
            row["trainer/global_step"] = step
        self.experiment.log(row)

    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        """With ``log_model=True``, log the checkpoint Lightning just wrote as a "model" artifact version."""
        if not self._log_model:
            return
        path = getattr(checkpoint_callback, "last_model_path", None) or getattr(checkpoint_callback, "best_model_path", None)
        if path and os.path.exists(path):
            epoch = _epoch_of(path)
            run = self.experiment
            aliases = ["latest"] + ([f"epoch_{epoch}"] if epoch is not None else [])
            _log_checkpoint(run, path, epoch, aliases, f"model-{run.id}")

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Leave the run open (as WandbLogger does): ``nbtrack.finish()`` or the next init ends it."""


def _epoch_of(path: str) -> int | None:
    """The epoch in Lightning's default checkpoint names (``epoch=3-step=120.ckpt``)."""
    base = os.path.basename(path)
    if "epoch=" not in base:
        return None
    digits = base.split("epoch=", 1)[1].split("-", 1)[0].split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


#: Lightning's name for the wandb logger, pointing at nbtrack's.
WandbLogger = NbtrackLogger
