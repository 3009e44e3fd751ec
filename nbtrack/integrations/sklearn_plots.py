"""wandb's `wandb.sklearn.plot_*` functions on top of the scikit-learn integration.

    import nbtrack as wandb
    wandb.init(project="iris")
    wandb.sklearn.plot_classifier(clf, X_train, X_test, y_train, y_test, y_pred, y_probas, labels)

Each plot is logged as one step, as wandb does: its data as a JSON value that keeps the
numbers under wandb's key (`confusion_matrix`, `roc`, `pr`, `feature_importances`,
`learning_curve`, `class_proportions`, `summary_metrics`, `calibration_curve`,
`elbow_curve`, `silhouette_plot`, `residuals`, `outlier_candidates`), in the same shapes
as `log_estimator` (`confusion-matrix`, `curve`, `bar`, `scatter`), and, when
matplotlib is installed, drawn as a PNG under `charts/<key>`. Importing this module
imports scikit-learn.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn import metrics as skm
from sklearn.base import clone, is_classifier, is_regressor

from ._common import resolve_run
from .sklearn import (
    _charts,
    _classifier_metrics,
    _confusion,
    _importances,
    _learning_curve,
    _regressor_metrics,
    _residuals,
    _roc_pr,
    _thin,
)

if TYPE_CHECKING:
    from ..tracking.run import Run

__all__ = [
    "plot_calibration_curve", "plot_class_proportions", "plot_classifier", "plot_clusterer", "plot_confusion_matrix",
    "plot_elbow_curve", "plot_feature_importances", "plot_learning_curve", "plot_outlier_candidates",
    "plot_precision_recall", "plot_regressor", "plot_residuals", "plot_roc", "plot_silhouette", "plot_summary_metrics",
]

_MAX_OUTLIER_ROWS = 2000


def _log(key: str, data: dict[str, Any] | None, run: Run | None = None) -> dict[str, Any] | None:
    if data is None:
        return None
    target = resolve_run(run, f"nbtrack.sklearn.plot_{key}")
    target.log({key: data, **_charts({key: data})})
    return data


def _names(classes: Sequence[Any], labels: Sequence[Any] | None) -> list[str]:
    """Class names: `labels[c]` for integer classes (wandb's convention), else the classes."""
    out = []
    for c in classes:
        if labels is not None and isinstance(c, (int, np.integer)) and 0 <= int(c) < len(labels):
            out.append(str(labels[int(c)]))
        else:
            out.append(str(c))
    return out


def plot_confusion_matrix(y_true: Any, y_pred: Any, labels: Sequence[Any] | None = None, true_labels: Any = None,
                          pred_labels: Any = None, normalize: bool = False, run: Run | None = None) -> dict[str, Any] | None:
    """Log the confusion matrix of predictions (rows actual, columns predicted)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    classes = list(np.unique(np.concatenate([y_true, y_pred])))
    data = _confusion(y_true, y_pred, classes, _names(classes, labels))
    if normalize:
        matrix = np.asarray(data["matrix"], dtype=float)
        rows = matrix.sum(axis=1, keepdims=True)
        data["matrix"] = np.round(np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0), 4).tolist()
    return _log("confusion_matrix", data, run)


def plot_roc(y_true: Any, y_probas: Any, labels: Sequence[Any] | None = None, plot_micro: bool = True,
             plot_macro: bool = True, classes_to_plot: Sequence[Any] | None = None, run: Run | None = None) -> dict[str, Any] | None:
    """Log one-vs-rest ROC curves from class probabilities (n_samples, n_classes)."""
    roc, _ = _curves(y_true, y_probas, labels, classes_to_plot)
    return _log("roc", roc, run)


def plot_precision_recall(y_true: Any, y_probas: Any, labels: Sequence[Any] | None = None, plot_micro: bool = True,
                          classes_to_plot: Sequence[Any] | None = None, run: Run | None = None) -> dict[str, Any] | None:
    """Log one-vs-rest precision-recall curves from class probabilities."""
    _, pr = _curves(y_true, y_probas, labels, classes_to_plot)
    return _log("pr", pr, run)


def _curves(y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    y_true = np.asarray(y_true)
    scores = np.asarray(y_probas, dtype=float)
    if scores.ndim == 1:
        scores = np.stack([1 - scores, scores], axis=1)
    classes = list(np.unique(y_true))
    if len(classes) != scores.shape[1]:
        raise ValueError(f"plot_roc/plot_precision_recall: y_probas has {scores.shape[1]} columns for "
                         f"{len(classes)} classes in y_true.")
    roc, pr = _roc_pr(y_true, scores, classes, _names(classes, labels))
    if classes_to_plot is not None:
        keep = set(_names(list(classes_to_plot), labels))
        roc["series"] = [s for s in roc["series"] if s["name"] in keep]
        pr["series"] = [s for s in pr["series"] if s["name"] in keep]
    return roc, pr


def plot_feature_importances(model: Any, feature_names: Sequence[str] | None = None, title: str = "Feature Importance",
                             max_num_features: int = 50, run: Run | None = None) -> dict[str, Any] | None:
    """Log a fitted model's feature importances (or |coef_|) as bars."""
    data = _importances(model, None)
    if data is None:
        raise ValueError("plot_feature_importances: the model has neither feature_importances_ nor coef_ (fit it first).")
    if feature_names is not None:
        names = list(feature_names)
        data["labels"] = [names[int(n[1:])] if n.startswith("f") and n[1:].isdigit() and int(n[1:]) < len(names) else n
                          for n in data["labels"]]
    data["labels"], data["values"] = data["labels"][:max_num_features], data["values"][:max_num_features]
    data["title"] = title
    return _log("feature_importances", data, run)


def plot_learning_curve(model: Any, X: Any, y: Any, cv: Any = None, shuffle: bool = False, random_state: Any = None,
                        train_sizes: Any = None, n_jobs: int = 1, scoring: Any = None, run: Run | None = None) -> dict[str, Any] | None:
    """Log train and cross-validation scores against the training set size (refits clones)."""
    target = resolve_run(run, "nbtrack.sklearn.plot_learning_curve")
    return _log("learning_curve", _learning_curve(target, model, X, y), target)


def plot_class_proportions(y_train: Any, y_test: Any, labels: Sequence[Any] | None = None,
                           run: Run | None = None) -> dict[str, Any] | None:
    """Log how many examples of each class the train and test sets hold."""
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    classes = list(np.unique(np.concatenate([y_train, y_test])))
    names = _names(classes, labels)
    bar_labels, values = [], []
    for c, name in zip(classes, names):
        bar_labels += [f"{name} (train)", f"{name} (test)"]
        values += [int((y_train == c).sum()), int((y_test == c).sum())]
    data = {"_type": "bar", "kind": "class_proportions", "labels": bar_labels, "values": values,
            "x_label": "examples", "y_label": "class"}
    return _log("class_proportions", data, run)


def plot_summary_metrics(model: Any, X: Any = None, y: Any = None, X_test: Any = None, y_test: Any = None,
                         run: Run | None = None) -> dict[str, Any] | None:
    """Log a fitted model's test metrics as bars (classifier: accuracy, f1, precision,
    recall; regressor: r2, mae, rmse)."""
    if X_test is None or y_test is None:
        raise ValueError("plot_summary_metrics needs X_test and y_test.")
    predicted = model.predict(X_test)
    if is_classifier(model):
        metrics = _classifier_metrics(np.asarray(y_test), predicted)
    elif is_regressor(model):
        metrics = _regressor_metrics(np.asarray(y_test), predicted)
    else:
        raise ValueError("plot_summary_metrics: the model is neither a classifier nor a regressor.")
    data = {"_type": "bar", "kind": "summary_metrics", "labels": list(metrics), "values": list(metrics.values())}
    return _log("summary_metrics", data, run)


def plot_calibration_curve(clf: Any, X: Any, y: Any, clf_name: str = "Classifier", run: Run | None = None) -> dict[str, Any] | None:
    """Log the reliability curve (fraction of positives against mean predicted
    probability) of a fitted binary classifier on (X, y)."""
    from sklearn.calibration import calibration_curve

    y = np.asarray(y)
    classes = list(getattr(clf, "classes_", np.unique(y)))
    if len(classes) != 2:
        raise ValueError("plot_calibration_curve: needs a binary classifier.")
    scores = np.asarray(clf.predict_proba(X), dtype=float)[:, 1]
    prob_true, prob_pred = calibration_curve(y == classes[1], scores, n_bins=10)
    data = {"_type": "curve", "kind": "calibration_curve", "x_label": "mean predicted probability",
            "y_label": "fraction of positives",
            "series": [{"name": clf_name, "x": [float(v) for v in prob_pred], "y": [float(v) for v in prob_true]},
                       {"name": "perfectly calibrated", "x": [0.0, 1.0], "y": [0.0, 1.0]}]}
    return _log("calibration_curve", data, run)


def plot_residuals(regressor: Any, X: Any, y: Any, run: Run | None = None) -> dict[str, Any] | None:
    """Log a fitted regressor's residuals (actual - predicted) against its predictions."""
    return _log("residuals", _residuals(np.asarray(y), regressor.predict(X)), run)


def plot_outlier_candidates(regressor: Any, X: Any, y: Any, run: Run | None = None) -> dict[str, Any] | None:
    """Log Cook's distance of each example for a fitted regressor (on at most 2,000 rows);
    points far above 4/n are outlier candidates."""
    X = np.asarray(X, dtype=float)[:_MAX_OUTLIER_ROWS]
    y = np.asarray(y, dtype=float)[:_MAX_OUTLIER_ROWS]
    n = len(y)
    design = np.column_stack([np.ones(n), X.reshape(n, -1)])
    leverage = np.einsum("ij,ji->i", design, np.linalg.pinv(design))
    residual = y - np.asarray(regressor.predict(X), dtype=float).ravel()
    p = design.shape[1]
    mse = float(residual @ residual) / max(n - p, 1)
    cooks = residual ** 2 / (p * mse) * leverage / np.clip((1 - leverage) ** 2, 1e-12, None) if mse > 0 else np.zeros(n)
    x, yv = _thin(np.arange(n, dtype=float), cooks, limit=500)
    data = {"_type": "scatter", "kind": "outlier_candidates", "x_label": "example", "y_label": "Cook's distance",
            "x": x, "y": yv, "threshold": 4 / n if n else 0.0}
    return _log("outlier_candidates", data, run)


def plot_elbow_curve(clusterer: Any, X: Any, cluster_ranges: Sequence[int] | None = None, n_jobs: int = 1,
                     show_cluster_time: bool = True, run: Run | None = None) -> dict[str, Any] | None:
    """Log the clustering score (sum of squared distances) against the number of clusters
    (refits clones with each `n_clusters`)."""
    if not hasattr(clusterer, "n_clusters"):
        raise ValueError("plot_elbow_curve: the clusterer has no n_clusters (use KMeans or similar).")
    ranges = list(cluster_ranges) if cluster_ranges is not None else list(range(1, 10, 2))
    scores, seconds = [], []
    for k in ranges:
        start = time.perf_counter()
        model = clone(clusterer).set_params(n_clusters=int(k)).fit(X)
        seconds.append(time.perf_counter() - start)
        scores.append(float(getattr(model, "inertia_", -model.score(X))))
    series = [{"name": "sum of squared errors", "x": [int(k) for k in ranges], "y": scores}]
    if show_cluster_time:
        series.append({"name": "clustering seconds", "x": [int(k) for k in ranges], "y": seconds})
    data = {"_type": "curve", "kind": "elbow_curve", "x_label": "number of clusters", "y_label": "score",
            "series": series}
    return _log("elbow_curve", data, run)


def plot_silhouette(clusterer: Any, X: Any, cluster_labels: Any = None, labels: Sequence[Any] | None = None,
                    metric: str = "euclidean", kmeans: bool = True, run: Run | None = None) -> dict[str, Any] | None:
    """Log the mean silhouette coefficient of each cluster (bars) and the overall score."""
    if cluster_labels is None:
        cluster_labels = clusterer.fit_predict(X) if kmeans else clusterer.labels_
    cluster_labels = np.asarray(cluster_labels)
    values = skm.silhouette_samples(X, cluster_labels, metric=metric)
    clusters = list(np.unique(cluster_labels))
    data = {"_type": "bar", "kind": "silhouette", "labels": _names(clusters, labels),
            "values": [float(values[cluster_labels == c].mean()) for c in clusters],
            "silhouette_score": float(values.mean()), "x_label": "mean silhouette coefficient", "y_label": "cluster"}
    return _log("silhouette_plot", data, run)


def plot_classifier(model: Any, X_train: Any, X_test: Any, y_train: Any, y_test: Any, y_pred: Any, y_probas: Any,
                    labels: Sequence[Any] | None = None, is_binary: bool = False, model_name: str = "Classifier",
                    feature_names: Sequence[str] | None = None, log_learning_curve: bool = False,
                    run: Run | None = None) -> None:
    """Log wandb's set of classifier plots: feature importances (when the model has them),
    class proportions, learning curve (with `log_learning_curve`), ROC, precision-recall,
    confusion matrix, summary metrics, and the calibration curve for a binary model."""
    if _importances(model, None) is not None:
        plot_feature_importances(model, feature_names, run=run)
    plot_class_proportions(y_train, y_test, labels, run=run)
    if log_learning_curve:
        plot_learning_curve(model, X_train, y_train, run=run)
    plot_roc(y_test, y_probas, labels, run=run)
    plot_precision_recall(y_test, y_probas, labels, run=run)
    plot_confusion_matrix(y_test, y_pred, labels, run=run)
    plot_summary_metrics(model, X_train, y_train, X_test, y_test, run=run)
    if is_binary:
        plot_calibration_curve(model, X_test, y_test, model_name, run=run)


def plot_regressor(model: Any, X_train: Any, X_test: Any, y_train: Any, y_test: Any, model_name: str = "Ridge",
                   run: Run | None = None) -> None:
    """Log wandb's set of regressor plots: summary metrics, learning curve, outlier
    candidates and residuals."""
    plot_summary_metrics(model, X_train, y_train, X_test, y_test, run=run)
    plot_learning_curve(model, X_train, y_train, run=run)
    plot_outlier_candidates(model, X_train, y_train, run=run)
    plot_residuals(model, X_train, y_train, run=run)


def plot_clusterer(model: Any, X_train: Any, cluster_labels: Any, labels: Sequence[Any] | None = None,
                   model_name: str = "Clusterer", run: Run | None = None) -> None:
    """Log wandb's set of clustering plots: the elbow curve (for models with
    n_clusters) and the silhouette plot."""
    if hasattr(model, "n_clusters"):
        plot_elbow_curve(model, X_train, run=run)
    plot_silhouette(model, X_train, cluster_labels, labels, kmeans=False, run=run)
