"""Which hyperparameters matter for a metric: correlation and a random-forest importance.

As wandb's parameter-importance panel: a random forest (scikit-learn, when installed)
regresses the metric on the config values; its impurity-based feature importances are
the score, and Pearson correlation gives the direction. Without scikit-learn the score is
the absolute correlation, and the method says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

MAX_ROWS = 5000
MIN_ROWS = 3
_F32_MAX = float(np.finfo(np.float32).max)


def _encode(values: Sequence[Any]) -> tuple[np.ndarray, bool]:
    """Numeric array (NaN for missing) and whether the column was numeric."""
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float), True
    cats = {c: i for i, c in enumerate(sorted({str(v) for v in values if v is not None}))}
    return np.array([math.nan if v is None else float(cats[str(v)]) for v in values], dtype=float), False


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < MIN_ROWS:
        return None
    xs, ys = x[ok], y[ok]
    if xs.std() == 0 or ys.std() == 0:
        return None
    return float(np.corrcoef(xs, ys)[0, 1])


def importance(params: Mapping[str, Sequence[Any]], metric: Sequence[Any], use_sklearn: bool = True,
               seed: int = 0) -> dict[str, Any]:
    """``{"method": str, "rows": [{"param", "importance", "corr"}], "n": runs used}``, best first."""
    y = np.array([math.nan if not isinstance(v, (int, float)) or isinstance(v, bool) else float(v)
                  for v in metric], dtype=float)
    keep = np.isfinite(y)
    cols: dict[str, np.ndarray] = {}
    corr: dict[str, float | None] = {}
    for name, values in params.items():
        x, numeric = _encode(values)
        x = x[keep]
        if np.isfinite(x).sum() < MIN_ROWS or np.nanstd(x) == 0:
            continue
        cols[name] = x
        corr[name] = _pearson(x, y[keep]) if numeric else None
    y = y[keep]
    n = int(len(y))
    if n < MIN_ROWS or not cols:
        return {"method": "not enough runs with this metric and varying parameters", "rows": [], "n": n}
    names = list(cols)
    method = "absolute Pearson correlation (scikit-learn is not installed)"
    scores: list[float | None] = [abs(c) if (c := corr[k]) is not None else None for k in names]
    forest = None
    if use_sklearn:
        try:
            from sklearn.ensemble import RandomForestRegressor

            forest = RandomForestRegressor
        except ImportError:
            forest = None
    if forest is not None:
        X = np.column_stack([cols[k] for k in names])
        med = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0)
        X = np.where(np.isfinite(X), X, np.nan_to_num(med)[None, :])
        X = np.clip(X, -_F32_MAX, _F32_MAX)  # scikit-learn's trees work in float32
        if n > MAX_ROWS:
            pick = np.random.default_rng(seed).choice(n, MAX_ROWS, replace=False)
            X, yy = X[pick], y[pick]
        else:
            yy = y
        model = forest(n_estimators=100, max_depth=8, random_state=seed, n_jobs=1)
        model.fit(X, yy)
        scores = [float(v) for v in model.feature_importances_]
        method = (f"random forest importance (scikit-learn, 100 trees, {len(yy)} runs) "
                  "+ Pearson correlation")
    else:
        total = sum(s for s in scores if s is not None) or 1.0
        scores = [None if s is None else s / total for s in scores]
    rows: list[dict[str, Any]] = [{"param": k, "importance": s, "corr": corr[k]} for k, s in zip(names, scores)]
    rows.sort(key=lambda r: -(r["importance"] or 0.0))
    return {"method": method, "rows": rows, "n": n}
