"""The numbers behind the classifier charts, in numpy: PR and ROC curves, confusion counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _binary_counts(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative true/false positives at each distinct score, highest first."""
    order = np.argsort(-scores, kind="mergesort")
    scores, truth = scores[order], truth[order]
    last = np.r_[np.where(np.diff(scores))[0], truth.size - 1]  # last index of each distinct score
    tps = np.cumsum(truth)[last]
    fps = (1 + last) - tps
    return tps.astype(float), fps.astype(float), scores[last]


def roc(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr) from (0, 0) to (1, 1) for one class against the rest."""
    tps, fps, _ = _binary_counts(truth, scores)
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.zeros_like(fps)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.zeros_like(tps)
    return fpr, tpr


def precision_recall(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(precision, recall) by decreasing threshold, starting at recall 0 with precision 1."""
    tps, fps, _ = _binary_counts(truth, scores)
    precision = tps / np.maximum(tps + fps, 1)
    recall = tps / tps[-1] if tps[-1] > 0 else np.zeros_like(tps)
    return np.r_[1.0, precision], np.r_[0.0, recall]


def interpolate_pr(precision: np.ndarray, recall: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` recall points in [0, 1], each with the best precision at that recall or
    more (the usual interpolated PR curve; wandb's ``interp_size``)."""
    grid = np.linspace(0.0, 1.0, size)
    best = np.maximum.accumulate(precision[::-1])[::-1]  # max precision at recall >= r
    idx = np.searchsorted(recall, grid, side="left")
    out = np.where(idx < best.size, best[np.minimum(idx, best.size - 1)], 0.0)
    return out, grid


def class_indices(n_classes: int, labels: Sequence[Any] | None, classes_to_plot: Sequence[Any] | None) -> list[int]:
    """The classes to draw: all, or those named in ``classes_to_plot`` (index or label)."""
    if classes_to_plot is None:
        return list(range(n_classes))
    wanted = set(classes_to_plot)
    names = list(labels) if labels is not None else []
    return [i for i in range(n_classes) if i in wanted or (i < len(names) and names[i] in wanted)]


def as_probas(y_true: Any, y_probas: Any) -> tuple[np.ndarray, np.ndarray]:
    """y_true as class indices (n,) and y_probas as (n, classes); a 1-D y_probas is P(class 1)."""
    truth = np.asarray(y_true)
    probas = np.asarray(y_probas, dtype=float)
    if probas.ndim == 1:
        probas = np.stack([1 - probas, probas], axis=1)
    if probas.ndim != 2 or probas.shape[0] != truth.shape[0]:
        raise ValueError(f"y_probas must have shape (n, classes) with n = len(y_true) = {truth.shape[0]}, "
                         f"got {tuple(np.asarray(y_probas).shape)}")
    return truth, probas


def confusion(y_true: Sequence[Any], preds: Sequence[Any], class_names: Sequence[Any] | None) -> tuple[list[Any], np.ndarray]:
    """(class names, counts[actual, predicted]); without names, the classes seen, sorted."""
    truth, pred = list(y_true), list(preds)
    if len(truth) != len(pred):
        raise ValueError(f"y_true and preds differ in length ({len(truth)} != {len(pred)})")
    if class_names is not None:
        names = list(class_names)
        index = {i: i for i in range(len(names))}
        index.update({name: i for i, name in enumerate(names)})
    else:
        names = sorted(set(truth) | set(pred), key=lambda v: (str(type(v)), v))
        index = {name: i for i, name in enumerate(names)}
    counts = np.zeros((len(names), len(names)), dtype=int)
    for t, p in zip(truth, pred):
        t, p = _plain(t), _plain(p)
        if t not in index or p not in index:
            raise ValueError(f"class {t if t not in index else p!r} is not in class_names {names}")
        counts[index[t], index[p]] += 1
    return names, counts


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v
