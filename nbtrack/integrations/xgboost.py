"""XGBoost: ``NbtrackCallback``, a training callback logging each boosting round.

    from nbtrack.integrations.xgboost import NbtrackCallback
    xgb.train(params, dtrain, 100, evals=[(dvalid, "valid")], callbacks=[NbtrackCallback()])
    XGBClassifier(n_estimators=100, callbacks=[NbtrackCallback()]).fit(X, y, eval_set=[(Xv, yv)])

Each round logs ``<data>-<metric>`` (``valid-logloss``, as wandb's callback does) and
``epoch`` (the round); at the end ``best_score``/``best_iteration`` go to the summary
and, with ``log_feature_importance``, a ``feature_importance`` bar value
(``{"_type": "bar", "labels", "values"}``, gain) is logged.
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import TYPE_CHECKING, Any

import xgboost

from ._common import _log_checkpoint, resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

_log = logging.getLogger(__name__)

__all__ = ["NbtrackCallback", "WandbCallback"]


class NbtrackCallback(xgboost.callback.TrainingCallback):
    """Log XGBoost's evaluation results every boosting round (see the module doc)."""

    def __init__(self, run: Run | None = None, log_feature_importance: bool = True, define_metric: bool = True,
                 importance_type: str = "gain", log_model: bool = False) -> None:
        super().__init__()
        self._explicit_run = run
        self.log_feature_importance = log_feature_importance
        self.define_metric = define_metric
        self.importance_type = importance_type
        self.log_model = log_model

    @property
    def run(self) -> Run:
        """The run this callback logs to (the active one unless one was given)."""
        return resolve_run(self._explicit_run, "xgboost NbtrackCallback")

    def before_training(self, model: Any) -> Any:
        run = self.run
        if self.define_metric:
            run.define_metric("epoch")
            run.define_metric("*", step_metric="epoch")
        try:
            import json

            params = json.loads(model.save_config())["learner"]
            run.config.update({"xgboost": {"objective": params["objective"]["name"],
                                           "num_feature": model.num_features()}})
        except Exception:  # boundary: an older Booster without these; the config entry is a nicety
            _log.debug("no xgboost config recorded", exc_info=True)
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, dict[str, Any]]) -> bool:
        row: dict[str, Any] = {}
        for data, metrics in evals_log.items():
            for metric, values in metrics.items():
                last = values[-1]
                row[f"{data}-{metric}"] = float(last[0] if isinstance(last, tuple) else last)
        row["epoch"] = epoch
        self.run.log(row)
        return False

    def after_training(self, model: Any) -> Any:
        run = self.run
        for attr in ("best_score", "best_iteration"):
            value = getattr(model, attr, None)
            if value is None:
                try:
                    value = model.attr(attr)
                except Exception:  # boundary: a Booster without attr() or that attribute; the summary is a nicety
                    value = None
            if value is not None:
                run.summary[attr] = float(value) if attr == "best_score" else int(value)
        if self.log_feature_importance:
            try:
                scores = model.get_score(importance_type=self.importance_type)
            except Exception:  # linear boosters have none
                scores = {}
            if scores:
                ordered = sorted(scores.items(), key=lambda kv: -kv[1])[:30]
                run.log({"feature_importance": {"_type": "bar", "kind": "feature_importances", "source": self.importance_type,
                                                "labels": [k for k, _ in ordered], "values": [float(v) for _, v in ordered]}},
                        commit=False)
        if self.log_model:
            with tempfile.TemporaryDirectory(prefix="nbtrack-xgboost-") as tmp:
                path = os.path.join(tmp, "model.json")
                model.save_model(path)
                _log_checkpoint(run, path, None, ["latest"], f"{run.id}_model")
        return model


class WandbCallback(NbtrackCallback):
    """wandb's XGBoost callback, with wandb's arguments: `log_model` keeps the trained
    booster as the "model" artifact `<run id>_model`; `importance_type` picks XGBoost's
    feature importance ("gain", "weight", "cover", ...)."""

    def __init__(self, log_model: bool = False, log_feature_importance: bool = True, importance_type: str = "gain",
                 define_metric: bool = True, run: Run | None = None) -> None:
        super().__init__(run=run, log_feature_importance=log_feature_importance, define_metric=define_metric,
                         importance_type=importance_type, log_model=log_model)
