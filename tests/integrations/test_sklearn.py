"""nbtrack.integrations.sklearn.log_estimator on a classifier and a regressor."""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn", reason="the scikit-learn integration needs scikit-learn")

import numpy as np
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nbtrack
from nbtrack.errors import UsageError
from nbtrack.integrations.sklearn import log_estimator

try:
    import matplotlib  # noqa: F401

    HAVE_MPL = True
except ImportError:
    HAVE_MPL = False


def _digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X[:400], y[:400], test_size=0.3, random_state=0)


def test_classifier_metrics_config_plots_and_learning_curve(store, stored):
    X_train, X_test, y_train, y_test = _digits()
    clf = LogisticRegression(max_iter=300).fit(X_train, y_train)
    run = nbtrack.init(dir=store, project="sk", live=False)
    results = log_estimator(clf, X_test, y_test, X_train, y_train)
    api_run = stored(run)
    assert api_run.config["model"]["class"] == "LogisticRegression"
    assert api_run.config["model"]["max_iter"] == 300
    for key in ("accuracy", "f1", "precision", "recall", "roc_auc"):
        assert 0.5 < api_run.summary[key] <= 1.0
        assert results[key] == pytest.approx(api_run.summary[key])
    assert results["accuracy"] == pytest.approx(clf.score(X_test, y_test))
    h = api_run.history()
    last = h.iloc[-1]
    cm = last["confusion_matrix"]
    assert cm["_type"] == "confusion-matrix" and cm["labels"] == [str(i) for i in range(10)]
    assert np.asarray(cm["matrix"]).sum() == len(y_test)
    assert np.trace(np.asarray(cm["matrix"])) == round(results["accuracy"] * len(y_test))
    assert last["roc"]["_type"] == "curve" and len(last["roc"]["series"]) == 10
    assert all(len(s["x"]) == len(s["y"]) <= 200 for s in last["pr"]["series"])
    bars = last["feature_importances"]
    assert bars["_type"] == "bar" and bars["source"] == "|coef_|" and len(bars["labels"]) == 30
    # the learning curve: 5 steps against the train size, then the plot data
    curve = h.dropna(subset=["learning_curve/train_size"])
    assert len(curve) == 5 and curve["learning_curve/train_size"].is_monotonic_increasing
    assert last["learning_curve/curve"]["series"][1]["name"] == "cross-validation"
    if HAVE_MPL:
        for name in ("confusion_matrix", "roc", "pr", "feature_importances", "learning_curve"):
            ref = last[f"charts/{name}"]
            assert ref["_type"] == "image-file"
            assert api_run.file(ref["path"]).read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_binary_classifier_pipeline_with_labels_no_charts(store, stored):
    X, y = make_classification(200, 6, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[:150], y[:150])
    run = nbtrack.init(dir=store, project="sk", live=False)
    log_estimator(model, X[150:], y[150:], labels=["no", "yes"], learning_curve=False, charts=False)
    api_run = stored(run)
    h = api_run.history()
    assert len(h) == 1
    row = h.iloc[0]
    assert [s["name"] for s in row["roc"]["series"]] == ["yes"]  # binary: the positive class only
    assert row["confusion_matrix"]["labels"] == ["no", "yes"]
    assert len(row["feature_importances"]["values"]) == 6  # from the pipeline's last step
    assert not [c for c in h.columns if c.startswith(("charts/", "learning_curve"))]
    assert api_run.config["model"]["class"] == "Pipeline"
    assert isinstance(api_run.config["model"]["steps"], list)


def test_regressor_metrics_residuals_and_importances(store, stored):
    X, y = make_regression(240, 5, noise=5.0, random_state=0)
    reg = RandomForestRegressor(n_estimators=15, random_state=0).fit(X[:180], y[:180])
    run = nbtrack.init(dir=store, project="sk", live=False)
    results = log_estimator(reg, X[180:], y[180:], X[:180], y[:180])
    api_run = stored(run)
    assert set(results) == {"r2", "mae", "rmse"}
    assert 0 < api_run.summary["r2"] <= 1 and api_run.summary["rmse"] >= api_run.summary["mae"] > 0
    last = api_run.history().iloc[-1]
    assert last["residuals"]["_type"] == "scatter" and len(last["residuals"]["x"]) == 60
    assert last["residuals_histogram"]["_type"] == "histogram"
    assert last["feature_importances"]["source"] == "feature_importances_"
    assert sum(last["feature_importances"]["values"]) == pytest.approx(1.0)
    assert api_run.config["model"]["n_estimators"] == 15


def test_needs_a_run():
    X_train, X_test, y_train, y_test = _digits()
    with pytest.raises(UsageError):
        log_estimator(LogisticRegression(max_iter=1000).fit(X_train, y_train), X_test, y_test)
