"""Hugging Face ``transformers``: ``NbtrackCallback``, a ``TrainerCallback`` logging to nbtrack.

    from nbtrack.integrations.transformers import NbtrackCallback
    trainer = Trainer(..., args=TrainingArguments(..., report_to="none"), callbacks=[NbtrackCallback()])

Logs as transformers' own ``WandbCallback`` does: ``train/<key>`` for training logs,
``eval/<key>`` and ``test/<key>`` for ``eval_``/``test_`` prefixed ones, with
``train/global_step`` as the x axis; the TrainingArguments and the model's config go
into the run's config (and the parameter count into ``config["model"]``); single
values such as ``train_runtime`` go to the summary at the end of training.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from transformers import TrainerCallback

from .. import active_runs
from ._common import plain, put_model_info

if TYPE_CHECKING:
    from ..tracking.run import Run

_log = logging.getLogger(__name__)

__all__ = ["NbtrackCallback", "rewrite_logs"]

_END_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss")


def rewrite_logs(logs: Mapping[str, Any]) -> dict[str, Any]:
    """``eval_x`` -> ``eval/x``, ``test_x`` -> ``test/x``, anything else -> ``train/x``."""
    out: dict[str, Any] = {}
    for key, value in logs.items():
        if key.startswith("eval_"):
            out["eval/" + key[5:]] = value
        elif key.startswith("test_"):
            out["test/" + key[5:]] = value
        else:
            out["train/" + key] = value
    return out


class NbtrackCallback(TrainerCallback):
    """Log a ``Trainer``'s metrics to nbtrack (see the module doc).

    ``run``: the run to log to; else the active run, or ``nbtrack.init(project=...,
    **init_kwargs)`` at train begin (project from WANDB_PROJECT/NBTRACK_PROJECT if unset).
    """

    def __init__(self, run: Run | None = None, project: str | None = None, **init_kwargs: Any) -> None:
        self._explicit_run = run
        self._run: Run | None = run
        self._project = project
        self._init_kwargs = init_kwargs

    def _ensure_run(self) -> Run:
        if self._run is None or self._run.finished:
            self._run = self._explicit_run or active_runs.active() or active_runs.start_run(project=self._project, **self._init_kwargs)
            self._run.define_metric("train/global_step")
            self._run.define_metric("*", step_metric="train/global_step")
        return self._run

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not getattr(state, "is_world_process_zero", True):
            return
        run = self._ensure_run()
        config: dict[str, Any] = {}
        to_dict = getattr(args, "to_sanitized_dict", None) or getattr(args, "to_dict", None)
        if callable(to_dict):
            config.update({str(k): plain(v) for k, v in to_dict().items()})
        model_config = getattr(model, "config", None)
        if model_config is not None and hasattr(model_config, "to_dict"):
            config["model_config"] = plain(model_config.to_dict())
        if config:
            run.config.update(config)
        if model is not None and hasattr(model, "parameters"):
            try:
                params = list(model.parameters())
                put_model_info(run, {"class": type(model).__name__,
                                     "total_params": sum(p.numel() for p in params),
                                     "trainable_params": sum(p.numel() for p in params if p.requires_grad)})
            except Exception:  # boundary: not a torch model; the parameter count is a nicety
                _log.debug("no parameter count for %r", type(model).__name__, exc_info=True)

    def on_log(self, args: Any, state: Any, control: Any, logs: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        if not getattr(state, "is_world_process_zero", True) or not logs:
            return
        run = self._ensure_run()
        numbers = {k: v for k, v in logs.items() if k not in _END_KEYS}
        end = {k: v for k, v in logs.items() if k in _END_KEYS}
        if end:
            run.summary.update({f"train/{k}": plain(v) for k, v in end.items()})
        if numbers:
            row = rewrite_logs(numbers)
            row["train/global_step"] = int(getattr(state, "global_step", 0))
            run.log(row)
