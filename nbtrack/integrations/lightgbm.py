"""LightGBM: ``nbtrack_callback()`` logs each boosting round; ``log_summary()`` the result.

    from nbtrack.integrations.lightgbm import nbtrack_callback, log_summary
    booster = lgb.train(params, train_set, 100, valid_sets=[valid], callbacks=[nbtrack_callback()])
    log_summary(booster)

Each round logs ``<data>_<metric>`` (``valid_0_l2``, as wandb's callback does) and
``iteration``; ``log_summary`` puts ``best_iteration`` and the best scores in the summary
and logs the feature importance as ``{"_type": "bar", "labels", "values"}``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..media import Table
from ._common import _log_checkpoint, plain, resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["log_summary", "nbtrack_callback", "wandb_callback", "wandb_log_summary"]


class _RoundLogger:
    """The callback `nbtrack_callback` returns: logs one boosting round per call."""

    #: LightGBM runs callbacks sorted by ``order``: with its record_evaluation (20), after log_evaluation (10)
    order = 20

    def __init__(self, run: Run | None, log_params: bool, define_metric: bool) -> None:
        self.run, self.log_params, self.define_metric = run, log_params, define_metric
        self.first = True

    def __call__(self, env: Any) -> None:
        target = resolve_run(self.run, "lightgbm nbtrack_callback")
        if self.first:
            self.first = False
            if self.log_params and env.params:
                target.config.update({"lightgbm": {str(k): plain(v) for k, v in env.params.items()}})
            if self.define_metric:
                target.define_metric("iteration")
                target.define_metric("*", step_metric="iteration")
        row: dict[str, Any] = {f"{item[0]}_{item[1]}": float(item[2]) for item in env.evaluation_result_list or []}
        row["iteration"] = env.iteration
        target.log(row)


def nbtrack_callback(run: Run | None = None, log_params: bool = True, define_metric: bool = True) -> Callable[[Any], None]:
    """A LightGBM callback logging every round's evaluation results to `run` (default: active)."""
    return _RoundLogger(run, log_params, define_metric)


def log_summary(model: Any, run: Run | None = None, feature_importance: bool = True) -> None:
    """Summary ``best_iteration`` and ``best_score/<data>/<metric>``; feature importance (gain) as a bar value."""
    target = resolve_run(run, "lightgbm log_summary")
    booster = getattr(model, "booster_", model)
    best = getattr(booster, "best_iteration", None)
    if best is not None:
        target.summary["best_iteration"] = int(best)
    for data, metrics in (getattr(booster, "best_score", None) or {}).items():
        for metric, value in metrics.items():
            target.summary[f"best_score/{data}/{metric}"] = float(value)
    if feature_importance:
        values = booster.feature_importance(importance_type="gain")
        names = booster.feature_name()
        ordered = sorted(zip(names, values), key=lambda kv: -kv[1])[:30]
        target.log({"feature_importance": {"_type": "bar", "kind": "feature_importances", "source": "gain",
                                           "labels": [str(k) for k, _ in ordered], "values": [float(v) for _, v in ordered]}},
                   commit=False)


def wandb_callback(log_params: bool = True, define_metric: bool = True, run: Run | None = None) -> Callable[[Any], None]:
    """wandb's `wandb_callback(log_params, define_metric)`: `nbtrack_callback` with wandb's argument order."""
    return nbtrack_callback(run=run, log_params=log_params, define_metric=define_metric)


def wandb_log_summary(model: Any, log_trees: bool = False, save_model_checkpoint: bool = False,
                      log_feature_importance: bool = True, run: Run | None = None) -> None:
    """wandb's `log_summary(model, log_trees, save_model_checkpoint, log_feature_importance)`:
    the summary and importance of `log_summary`, the booster kept as the "model" artifact
    `<run id>_model` with `save_model_checkpoint`, and with `log_trees` each tree's shape
    (leaves, depth) as a Table `trees`."""
    target = resolve_run(run, "lightgbm log_summary")
    log_summary(model, run=target, feature_importance=log_feature_importance)
    booster = getattr(model, "booster_", model)
    if log_trees:
        info = booster.dump_model().get("tree_info", [])
        table = Table(columns=["tree_index", "num_leaves", "shrinkage"])
        for tree in info:
            table.add_data(int(tree.get("tree_index", 0)), int(tree.get("num_leaves", 0)), float(tree.get("shrinkage", 1.0)))
        target.log({"trees": table}, commit=False)
    if save_model_checkpoint:
        with tempfile.TemporaryDirectory(prefix="nbtrack-lightgbm-") as tmp:
            path = os.path.join(tmp, "model.txt")
            booster.save_model(path)
            _log_checkpoint(target, path, None, ["latest"], f"{target.id}_model")
