"""scikit-learn: log a fitted estimator's parameters, test metrics and evaluation plots.

    clf = LogisticRegression(max_iter=500).fit(X_train, y_train)
    nbtrack.init(project="digits")
    log_estimator(clf, X_test, y_test, X_train, y_train)

What lands in the run:

- config ``model``: ``{"class": "LogisticRegression", <get_params()>}``;
- summary (classifiers): ``accuracy``, ``f1``, ``precision``, ``recall`` (macro
  averages); (regressors): ``r2``, ``mae``, ``rmse``;
- one history step with the evaluation data as JSON values that keep the numbers
  (``confusion_matrix`` ``{"_type": "confusion-matrix", "labels", "matrix"}``;
  ``roc`` / ``pr`` / ``learning_curve/curve`` ``{"_type": "curve", "series": [{"name", "x",
  "y", ...}], "x_label", "y_label"}``; ``feature_importances`` ``{"_type": "bar",
  "labels", "values"}``; ``residuals`` ``{"_type": "scatter", "x", "y"}``) and, when
  matplotlib is installed, each drawn as a PNG image under ``charts/<name>``;
- the learning curve also as steps: ``learning_curve/train_size``,
  ``learning_curve/train_score``, ``learning_curve/test_score`` (plotted against the
  train size).

Importing this module imports scikit-learn (and numpy).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn import metrics as skm
from sklearn.base import is_classifier, is_regressor

from ._common import plain, put_model_info, resolve_run

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = ["log_estimator"]

_MAX_CURVE_POINTS = 200
_MAX_SCATTER_POINTS = 500
_MAX_BARS = 30


def log_estimator(
    estimator: Any,
    X_test: Any,
    y_test: Any,
    X_train: Any = None,
    y_train: Any = None,
    run: Run | None = None,
    learning_curve: bool = True,
    labels: Sequence[Any] | None = None,
    charts: bool = True,
) -> dict[str, float]:
    """Log a fitted estimator (see the module doc for what is stored); returns the test metrics.

    `labels` names the classes in the order of ``estimator.classes_``. The learning curve
    (``sklearn.model_selection.learning_curve``, 3-fold, 5 sizes, refits clones of the
    estimator) needs `X_train`/`y_train`; pass ``learning_curve=False`` to skip it.
    ``charts=False`` stores only the JSON data, no PNGs.
    """
    run = resolve_run(run, "log_estimator()")
    put_model_info(run, {"class": type(estimator).__name__, **_params(estimator)})
    y_true = np.asarray(y_test)
    y_pred = estimator.predict(X_test)
    plots: dict[str, dict[str, Any]] = {}
    if is_classifier(estimator):
        results = _classifier_metrics(y_true, y_pred)
        classes = list(getattr(estimator, "classes_", np.unique(y_true)))
        names = [str(n) for n in labels] if labels is not None else [str(c) for c in classes]
        plots["confusion_matrix"] = _confusion(y_true, y_pred, classes, names)
        scores = _scores(estimator, X_test)
        if scores is not None:
            plots["roc"], plots["pr"] = _roc_pr(y_true, scores, classes, names)
            results["roc_auc"] = float(np.mean([s["auc"] for s in plots["roc"]["series"]]))
    elif is_regressor(estimator):
        results = _regressor_metrics(y_true, y_pred)
        plots["residuals"] = _residuals(y_true, y_pred)
    else:
        results = {}
    importances = _importances(estimator, X_test)
    if importances is not None:
        plots["feature_importances"] = importances
    if learning_curve and X_train is not None and y_train is not None:
        curve = _learning_curve(run, estimator, X_train, y_train)
        if curve is not None:
            plots["learning_curve/curve"] = curve
    run.summary.update(results)
    row: dict[str, Any] = dict(plots)
    if is_regressor(estimator):
        row["residuals_histogram"] = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    if charts:
        row.update(_charts(plots))
    run.log(row)
    return results


# -- config ------------------------------------------------------------------------------


def _params(estimator: Any) -> dict[str, Any]:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # not a real sklearn estimator
        return {}
    return {str(k): plain(v) for k, v in params.items()}


# -- metrics -----------------------------------------------------------------------------


def _classifier_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "f1": float(skm.f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "precision": float(skm.precision_score(y_true, y_pred, average="macro", zero_division=0)),
        "recall": float(skm.recall_score(y_true, y_pred, average="macro", zero_division=0)),
    }


def _regressor_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    mse = float(skm.mean_squared_error(y_true, y_pred))
    return {
        "r2": float(skm.r2_score(y_true, y_pred)),
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "rmse": mse ** 0.5,
    }


# -- plot data ---------------------------------------------------------------------------


def _confusion(y_true: Any, y_pred: Any, classes: list[Any], names: list[str]) -> dict[str, Any]:
    matrix = skm.confusion_matrix(y_true, y_pred, labels=classes)
    return {"_type": "confusion-matrix", "labels": names, "matrix": matrix.tolist(),
            "x_label": "predicted", "y_label": "actual"}


def _scores(estimator: Any, X: Any) -> np.ndarray | None:
    """Per-class scores (n_samples, n_classes) from predict_proba or decision_function."""
    for method in ("predict_proba", "decision_function"):
        fn = getattr(estimator, method, None)
        if fn is None:
            continue
        try:
            scores = np.asarray(fn(X), dtype=float)
        except Exception:  # e.g. SVC(probability=False).predict_proba
            continue
        if scores.ndim == 1:  # binary decision_function: score of the positive class
            scores = np.stack([-scores, scores], axis=1)
        return scores
    return None


def _thin(x: np.ndarray, y: np.ndarray, limit: int = _MAX_CURVE_POINTS) -> tuple[list[float], list[float]]:
    if len(x) > limit:
        keep = np.unique(np.linspace(0, len(x) - 1, limit).round().astype(int))
        x, y = x[keep], y[keep]
    return [round(float(v), 6) for v in x], [round(float(v), 6) for v in y]


def _roc_pr(y_true: Any, scores: np.ndarray, classes: list[Any], names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One-vs-rest ROC and precision-recall curves (binary: the positive class only)."""
    indices = [1] if len(classes) == 2 else range(len(classes))
    roc_series, pr_series = [], []
    for i in indices:
        positive = np.asarray(y_true) == classes[i]
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = skm.roc_curve(positive, scores[:, i])
        precision, recall, _ = skm.precision_recall_curve(positive, scores[:, i])
        x, y = _thin(fpr, tpr)
        roc_series.append({"name": names[i], "x": x, "y": y, "auc": float(skm.auc(fpr, tpr))})
        x, y = _thin(recall[::-1], precision[::-1])
        pr_series.append({"name": names[i], "x": x, "y": y,
                          "average_precision": float(skm.average_precision_score(positive, scores[:, i]))})
    roc = {"_type": "curve", "kind": "roc", "x_label": "false positive rate", "y_label": "true positive rate",
           "series": roc_series}
    pr = {"_type": "curve", "kind": "pr", "x_label": "recall", "y_label": "precision", "series": pr_series}
    return roc, pr


def _residuals(y_true: Any, y_pred: Any) -> dict[str, Any]:
    predicted = np.asarray(y_pred, dtype=float).ravel()
    residual = np.asarray(y_true, dtype=float).ravel() - predicted
    if len(predicted) > _MAX_SCATTER_POINTS:
        keep = np.random.default_rng(0).choice(len(predicted), _MAX_SCATTER_POINTS, replace=False)
        predicted, residual = predicted[keep], residual[keep]
    return {"_type": "scatter", "kind": "residuals", "x_label": "predicted", "y_label": "actual - predicted",
            "x": [round(float(v), 6) for v in predicted], "y": [round(float(v), 6) for v in residual]}


def _final_estimator(estimator: Any) -> Any:
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _importances(estimator: Any, X: Any) -> dict[str, Any] | None:
    """feature_importances_, or |coef_| (mean over classes), with feature names."""
    model = _final_estimator(estimator)
    values = getattr(model, "feature_importances_", None)
    source = "feature_importances_"
    if values is None:
        coef = getattr(model, "coef_", None)
        if coef is None:
            return None
        coef = np.asarray(coef, dtype=float)
        values = np.abs(coef).mean(axis=0) if coef.ndim == 2 else np.abs(coef)
        source = "|coef_|"
    values = np.asarray(values, dtype=float).ravel()
    names = getattr(estimator, "feature_names_in_", None)
    if names is None and hasattr(X, "columns"):
        names = list(X.columns)
    if names is None or len(names) != len(values):
        names = [f"f{i}" for i in range(len(values))]
    order = np.argsort(-values)[:_MAX_BARS]
    return {"_type": "bar", "kind": "feature_importances", "source": source,
            "labels": [str(names[i]) for i in order], "values": [float(values[i]) for i in order]}


def _learning_curve(run: Run, estimator: Any, X: Any, y: Any) -> dict[str, Any] | None:
    from sklearn.base import clone
    from sklearn.model_selection import learning_curve

    try:
        sizes, train_scores, test_scores = learning_curve(
            clone(estimator), X, y, cv=3, train_sizes=np.linspace(0.2, 1.0, 5), shuffle=True, random_state=0)
    except Exception:  # too little data per class for 3 folds, etc.
        return None
    run.define_metric("learning_curve/*", step_metric="learning_curve/train_size")
    train_mean, test_mean = train_scores.mean(axis=1), test_scores.mean(axis=1)
    for n, tr, te in zip(sizes, train_mean, test_mean):
        run.log({"learning_curve/train_size": int(n), "learning_curve/train_score": float(tr),
                 "learning_curve/test_score": float(te)})
    x = [int(n) for n in sizes]
    return {"_type": "curve", "kind": "learning_curve", "x_label": "training examples", "y_label": "score",
            "series": [{"name": "train", "x": x, "y": [float(v) for v in train_mean]},
                       {"name": "cross-validation", "x": x, "y": [float(v) for v in test_mean]}]}


# -- charts (PNG via matplotlib, when installed) -------------------------------------------


def _charts(plots: dict[str, dict[str, Any]]) -> dict[str, Any]:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return {}
    from ..media import Image

    out: dict[str, Any] = {}
    for name, data in plots.items():
        fig = Figure(figsize=(4.2, 3.6), dpi=80)
        ax = fig.add_subplot()
        kind = data["_type"]
        if kind == "confusion-matrix":
            matrix = np.asarray(data["matrix"])
            ax.imshow(matrix, cmap="Blues")
            ticks = range(len(data["labels"]))
            ax.set_xticks(list(ticks), data["labels"], fontsize=7)
            ax.set_yticks(list(ticks), data["labels"], fontsize=7)
            if matrix.size <= 144:
                top = matrix.max() or 1
                for (i, j), v in np.ndenumerate(matrix):
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=6,
                            color="white" if v > top / 2 else "black")
        elif kind == "curve":
            for series in data["series"][:12]:
                ax.plot(series["x"], series["y"], label=series["name"], linewidth=1)
            if data.get("kind") == "roc":
                ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=0.8)
            if len(data["series"]) <= 12:
                ax.legend(fontsize=6)
        elif kind == "bar":
            labels, values = data["labels"][:15][::-1], data["values"][:15][::-1]
            ax.barh(range(len(values)), values)
            ax.set_yticks(range(len(labels)), labels, fontsize=7)
        elif kind == "scatter":
            ax.scatter(data["x"], data["y"], s=6, alpha=0.6)
            ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_title(name.split("/")[0].replace("_", " "), fontsize=9)
        ax.set_xlabel(data.get("x_label", ""), fontsize=8)
        ax.set_ylabel(data.get("y_label", ""), fontsize=8)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        from PIL import Image as PILImage

        name = name.split("/")[0]
        out[f"charts/{name}"] = Image(PILImage.open(io.BytesIO(buffer.getvalue())), caption=name.replace("_", " "))
    return out
