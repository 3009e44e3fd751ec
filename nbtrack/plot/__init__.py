"""``nbtrack.plot``: wandb's preset charts. Each returns a ``CustomChart`` to log:

    table = wandb.Table(data=[[x, y] for x, y in zip(xs, ys)], columns=["x", "y"])
    wandb.log({"my_line": wandb.plot.line(table, "x", "y", title="Custom Y vs X")})

The chart keeps its data as a ``Table`` (queryable like any logged table) and a static
plotly figure built from it (``chart.figure``; stored as JSON beside the run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..media.chart import CustomChart
from ..media.data import Table
from . import curves, figures

__all__ = ["CustomChart", "bar", "confusion_matrix", "histogram", "line", "line_series", "plot_table", "pr_curve",
           "roc_curve", "scatter"]


def _column(table: Table, name: str, chart: str) -> list[Any]:
    if not isinstance(table, Table):
        raise TypeError(f"nbtrack.plot.{chart}: expected an nbtrack.Table, got {type(table).__name__}")
    if name not in table.columns:
        raise ValueError(f"nbtrack.plot.{chart}: the table has no column {name!r}; its columns are {table.columns}")
    i = table.columns.index(name)
    return [row[i] for row in table.data]


def line(table: Table, x: str, y: str, stroke: str | None = None, title: str = "", split_table: bool = False) -> CustomChart:
    """A line of ``y`` against ``x``; with ``stroke``, one line per value of that column."""
    xs, ys = _column(table, x, "line"), _column(table, y, "line")
    if stroke is None:
        series = [(y, xs, ys)]
    else:
        keys = _column(table, stroke, "line")
        series = [(str(k), [a for a, s in zip(xs, keys) if s == k], [b for b, s in zip(ys, keys) if s == k])
                  for k in dict.fromkeys(keys)]
    fields = {"x": x, "y": y, **({"stroke": stroke} if stroke else {})}
    return CustomChart("line", table, fields, title, figures.lines(series, title, x, y))


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    """A scatter plot of ``y`` against ``x``."""
    xs, ys = _column(table, x, "scatter"), _column(table, y, "scatter")
    return CustomChart("scatter", table, {"x": x, "y": y}, title, figures.lines([(y, xs, ys)], title, x, y, "markers"))


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """One bar per row: ``value`` for each ``label``."""
    labels, values = _column(table, label, "bar"), _column(table, value, "bar")
    return CustomChart("bar", table, {"label": label, "value": value}, title,
                       figures.bars(labels, values, title, label, value))


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """The distribution of one column."""
    values = _column(table, value, "histogram")
    return CustomChart("histogram", table, {"value": value}, title, figures.histogram(values, title, value))


def line_series(xs: Sequence[Any] | Sequence[Sequence[Any]], ys: Sequence[Sequence[Any]],
                keys: Sequence[str] | None = None, title: str = "", xname: str = "x",
                split_table: bool = False) -> CustomChart:
    """Several lines on one chart: ``xs`` shared or one list per line, ``ys`` one list per line."""
    ys = [list(np.asarray(y).tolist()) for y in ys]
    xs_list = list(xs)
    if xs_list and not isinstance(xs_list[0], (list, tuple, np.ndarray)):
        xs_per = [list(xs_list)] * len(ys)
    else:
        xs_per = [list(np.asarray(x).tolist()) for x in xs_list]
    if len(xs_per) != len(ys):
        raise ValueError(f"nbtrack.plot.line_series: {len(xs_per)} x lists for {len(ys)} y lists")
    names = [str(k) for k in keys] if keys is not None else [f"key_{i}" for i in range(len(ys))]
    if len(names) != len(ys):
        raise ValueError(f"nbtrack.plot.line_series: {len(names)} keys for {len(ys)} lines")
    rows = [[name, yv, xv] for name, xl, yl in zip(names, xs_per, ys) for xv, yv in zip(xl, yl)]
    table = Table(columns=["lineKey", "lineVal", "step"], data=rows)
    series = [(name, xl[:len(yl)], yl) for name, xl, yl in zip(names, xs_per, ys)]
    return CustomChart("line_series", table, {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"}, title,
                       figures.lines(series, title, xname, "y"))


def pr_curve(y_true: Any, y_probas: Any, labels: Sequence[Any] | None = None,
             classes_to_plot: Sequence[Any] | None = None, interp_size: int = 21,
             title: str = "Precision-Recall Curve", split_table: bool = False) -> CustomChart:
    """Precision against recall for each class (one against the rest), interpolated at
    ``interp_size`` recall points."""
    truth, probas = curves.as_probas(y_true, y_probas)
    rows, series = [], []
    for i in curves.class_indices(probas.shape[1], labels, classes_to_plot):
        name = str(labels[i]) if labels is not None and i < len(labels) else str(i)
        precision, recall = curves.precision_recall(_is_class(truth, i, labels), probas[:, i])
        precision, recall = curves.interpolate_pr(precision, recall, interp_size)
        rows += [[name, float(p), float(r)] for p, r in zip(precision, recall)]
        series.append((name, recall.tolist(), precision.tolist()))
    table = Table(columns=["class", "precision", "recall"], data=rows)
    return CustomChart("pr_curve", table, {"x": "recall", "y": "precision", "class": "class"}, title,
                       figures.lines(series, title, "recall", "precision"))


def roc_curve(y_true: Any, y_probas: Any, labels: Sequence[Any] | None = None,
              classes_to_plot: Sequence[Any] | None = None, title: str = "ROC Curve",
              split_table: bool = False) -> CustomChart:
    """True positive rate against false positive rate for each class (one against the rest)."""
    truth, probas = curves.as_probas(y_true, y_probas)
    rows, series = [], []
    for i in curves.class_indices(probas.shape[1], labels, classes_to_plot):
        name = str(labels[i]) if labels is not None and i < len(labels) else str(i)
        fpr, tpr = curves.roc(_is_class(truth, i, labels), probas[:, i])
        rows += [[name, float(f), float(t)] for f, t in zip(fpr, tpr)]
        series.append((name, fpr.tolist(), tpr.tolist()))
    table = Table(columns=["class", "fpr", "tpr"], data=rows)
    return CustomChart("roc_curve", table, {"x": "fpr", "y": "tpr", "class": "class"}, title,
                       figures.lines(series, title, "False positive rate", "True positive rate"))


def confusion_matrix(probs: Any = None, y_true: Any = None, preds: Any = None,
                     class_names: Sequence[Any] | None = None, title: str = "Confusion Matrix Curve",
                     split_table: bool = False) -> CustomChart:
    """Counts of each (actual, predicted) pair; give ``preds`` or ``probs`` (argmax is taken)."""
    if y_true is None:
        raise ValueError("nbtrack.plot.confusion_matrix needs y_true (the true classes)")
    if (probs is None) == (preds is None):
        raise ValueError("nbtrack.plot.confusion_matrix needs exactly one of preds= or probs=")
    if probs is not None:
        preds = np.argmax(np.asarray(probs), axis=1).tolist()
    truth = np.asarray(y_true).tolist()
    names, counts = curves.confusion(truth, list(np.asarray(preds).tolist()), class_names)
    rows = [[names[a], names[p], int(counts[a, p])] for a in range(len(names)) for p in range(len(names))]
    table = Table(columns=["Actual", "Predicted", "nPredictions"], data=rows)
    return CustomChart("confusion_matrix", table, {"Actual": "Actual", "Predicted": "Predicted",
                                                   "nPredictions": "nPredictions"}, title,
                       figures.heatmap(names, counts, title))


def plot_table(vega_spec_name: str, data_table: Table, fields: dict[str, Any],
               string_fields: dict[str, Any] | None = None, split_table: bool = False) -> CustomChart:
    """A chart of a table under a named Vega spec (wandb's custom charts). The table and
    the field mapping are stored; the figure is drawn when the fields name an x and a y
    (a line), else the chart keeps only its data."""
    if not isinstance(fields, dict):
        raise TypeError("nbtrack.plot_table: fields must be a dict mapping the spec's fields to table columns")
    title = str((string_fields or {}).get("title", ""))
    figure = None
    if "x" in fields and "y" in fields:
        xs, ys = _column(data_table, fields["x"], "plot_table"), _column(data_table, fields["y"], "plot_table")
        figure = figures.lines([(fields["y"], xs, ys)], title, fields["x"], fields["y"])
    return CustomChart(str(vega_spec_name), data_table, fields, title, figure, string_fields)


def _is_class(truth: np.ndarray, i: int, labels: Sequence[Any] | None) -> np.ndarray:
    """1 where the true class is class ``i`` (given as its index or, with labels, its name)."""
    hit = truth == i
    if labels is not None and i < len(labels) and truth.dtype.kind in "OUS":
        hit = hit | (truth == labels[i])
    return hit.astype(int)
