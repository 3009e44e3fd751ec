"""Issue 12 item 3 (and wandb.sklearn of item 10): wandb's integration import paths, the
legacy Keras callbacks, and the scikit-learn plots, in wandb-docs-style notebooks."""

from __future__ import annotations

import importlib.util

import pytest

import nbtrack


def _need(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"needs {module}")


KERAS = [
    """import numpy as np
import keras
import nbtrack as wandb
from nbtrack.integration.keras import WandbMetricsLogger, WandbModelCheckpoint, WandbEvalCallback
from nbtrack.keras import WandbCallback   # wandb's legacy path
rng = np.random.default_rng(0)
x = rng.random((96, 8, 8, 1)).astype("float32")
y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
x_val, y_val = x[:16], y[:16]
def model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(2, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m""",
    """run = wandb.init(project="keras-compat", name="metrics-logger")
model().fit(x, y, epochs=2, validation_data=(x_val, y_val), verbose=0,
            callbacks=[WandbMetricsLogger(log_freq=2), WandbModelCheckpoint("ckpt.keras")])
wandb.finish()""",
    """run = wandb.init(project="keras-compat", name="legacy")
model().fit(x, y, epochs=3, validation_data=(x_val, y_val), verbose=0,
            callbacks=[WandbCallback(monitor="val_loss", log_weights=True, validation_data=(x_val, y_val),
                                     input_type="image", labels=["dark", "light"], log_evaluation=True, predictions=4)])
wandb.finish()""",
    """class PredictionsCallback(WandbEvalCallback):
    def __init__(self, data, labels):
        super().__init__(["idx", "image", "label"], ["epoch", "idx", "image", "label", "pred"])
        self.x, self.y = data, labels
    def add_ground_truth(self, logs=None):
        for i, (img, label) in enumerate(zip(self.x, self.y)):
            self.data_table.add_data(i, wandb.Image(img), int(label))
    def add_model_predictions(self, epoch, logs=None):
        preds = self.model.predict(self.x, verbose=0).argmax(axis=1)
        for row, pred in zip(self.data_table_ref.data, preds):
            self.pred_table.add_data(epoch, row[0], row[1], row[2], int(pred))

run = wandb.init(project="keras-compat", name="eval-callback")
model().fit(x, y, epochs=2, verbose=0, callbacks=[WandbMetricsLogger(), PredictionsCallback(x_val[:5], y_val[:5])])
wandb.finish()""",
]


def test_keras_paths_legacy_callback_and_eval_callback(wandb_notebook):
    _need("keras", "torch")
    nb, store = wandb_notebook(KERAS)
    api = nbtrack.Api(dir=store)
    runs = {r.name: r for r in api.runs("keras-compat")}
    assert set(runs) == {"metrics-logger", "legacy", "eval-callback"}
    assert {r.state for r in runs.values()} == {"finished"}
    assert runs["metrics-logger"].summary["epoch/epoch"] == 1
    legacy = runs["legacy"]
    history = legacy.history()
    assert list(history["epoch"].dropna()) == [0, 1, 2] and history["val_loss"].notna().sum() == 3
    assert legacy.summary["best_epoch"] in (0, 1, 2) and "best_val_loss" in legacy.summary
    assert any(c.startswith("parameters/") for c in history.columns)
    examples = history["examples"].dropna().iloc[-1]
    assert examples["count"] == 4 and {i["caption"] for i in examples["items"]} <= {"dark", "light"}
    evaluation = history["validation_evaluation"].dropna().iloc[-1]
    assert evaluation["columns"] == ["input", "target", "prediction"] and evaluation["nrows"] == 4
    assert evaluation["data"][0][0]["_type"] == "image-file"
    best = api.artifact(f"model-{legacy.name}:best")
    assert best.type == "model" and [f.path for f in best.files()] == ["model-best.keras"]
    assert f"epoch_{legacy.summary['best_epoch']}" in best.aliases
    evalrun = runs["eval-callback"]
    data = api.artifact("val:latest")
    assert data.type == "dataset" and data.get("val_data").columns == ["idx", "image", "label"]
    assert [a.collection_name for a in evalrun.used_artifacts()] == ["val"]
    preds = api.artifact_versions(f"run_{evalrun.id}_pred")
    assert len(preds) == 2  # one version per epoch
    table = preds[-1].get("eval_data")
    assert table.columns == ["epoch", "idx", "image", "label", "pred"] and len(table.data) == 5
    assert isinstance(table.data[0][2], nbtrack.Image) and table.data[0][0] == 1
    assert evalrun.history()["eval_data"].dropna().iloc[-1]["nrows"] == 5


BOOSTERS = [
    """import numpy as np
import nbtrack as wandb
rng = np.random.default_rng(0)
X = rng.random((200, 4))
y = (X[:, 0] + 0.3 * X[:, 1] > 0.6).astype(int)""",
    """import xgboost as xgb
from nbtrack.integration.xgboost import WandbCallback
run = wandb.init(project="boosters", name="xgb")
clf = xgb.XGBClassifier(n_estimators=5, max_depth=2, eval_metric="logloss",
                        callbacks=[WandbCallback(log_model=True, importance_type="weight")])
clf.fit(X[:150], y[:150], eval_set=[(X[150:], y[150:])], verbose=False)
wandb.finish()""",
    """import lightgbm as lgb
from nbtrack.lightgbm import wandb_callback, log_summary   # wandb's legacy path
run = wandb.init(project="boosters", name="lgbm")
train, valid = lgb.Dataset(X[:150], y[:150]), lgb.Dataset(X[150:], y[150:])
booster = lgb.train({"objective": "binary", "metric": "binary_logloss", "verbose": -1, "num_leaves": 4},
                    train, 5, valid_sets=[valid], callbacks=[wandb_callback()])
log_summary(booster, save_model_checkpoint=True, log_trees=True)
wandb.finish()""",
]


def test_xgboost_and_lightgbm_with_wandb_arguments(wandb_notebook):
    _need("xgboost", "lightgbm")
    nb, store = wandb_notebook(BOOSTERS)
    api = nbtrack.Api(dir=store)
    runs = {r.name: r for r in api.runs("boosters")}
    xgb_run, lgb_run = runs["xgb"], runs["lgbm"]
    assert xgb_run.history()["validation_0-logloss"].notna().sum() == 5
    assert xgb_run.history()["feature_importance"].dropna().iloc[-1]["source"] == "weight"
    assert [f.path for f in api.artifact(f"{xgb_run.id}_model:latest").files()] == ["model.json"]
    assert lgb_run.history()["valid_0_binary_logloss"].notna().sum() == 5
    assert [f.path for f in api.artifact(f"{lgb_run.id}_model:latest").files()] == ["model.txt"]
    trees = lgb_run.history()["trees"].dropna().iloc[-1]
    assert trees["columns"] == ["tree_index", "num_leaves", "shrinkage"] and trees["nrows"] == 5


SKLEARN = [
    """import numpy as np
import nbtrack as wandb
from sklearn.datasets import load_iris, load_diabetes
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge
from sklearn.cluster import KMeans
from sklearn.model_selection import train_test_split
X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
labels = ["setosa", "versicolor", "virginica"]""",
    """run = wandb.init(project="sklearn-plots", name="classifier")
clf = RandomForestClassifier(n_estimators=20, random_state=0).fit(X_train, y_train)
y_pred, y_probas = clf.predict(X_test), clf.predict_proba(X_test)
wandb.sklearn.plot_classifier(clf, X_train, X_test, y_train, y_test, y_pred, y_probas, labels,
                              model_name="RandomForest", feature_names=["sl", "sw", "pl", "pw"])
wandb.sklearn.plot_confusion_matrix(y_test, y_pred, labels, normalize=True)
wandb.finish()""",
    """Xr, yr = load_diabetes(return_X_y=True)
run = wandb.init(project="sklearn-plots", name="regressor")
reg = Ridge().fit(Xr[:300], yr[:300])
wandb.sklearn.plot_regressor(reg, Xr[:300], Xr[300:], yr[:300], yr[300:], model_name="Ridge")
wandb.finish()
run = wandb.init(project="sklearn-plots", name="clusterer")
km = KMeans(n_clusters=3, n_init=2, random_state=0).fit(X)
wandb.sklearn.plot_clusterer(km, X, km.labels_, model_name="KMeans")
wandb.finish()""",
]


def test_sklearn_plots(wandb_notebook):
    _need("sklearn", "matplotlib")
    nb, store = wandb_notebook(SKLEARN)
    runs = {r.name: r for r in nbtrack.Api(dir=store).runs("sklearn-plots")}

    def last(run, key):
        return run.history()[key].dropna().iloc[-1]

    clf = runs["classifier"]
    assert last(clf, "feature_importances")["labels"][0] in {"pl", "pw"}
    assert len(last(clf, "roc")["series"]) == 3 and last(clf, "pr")["kind"] == "pr"
    assert last(clf, "confusion_matrix")["labels"] == ["setosa", "versicolor", "virginica"]
    assert all(abs(sum(row) - 1) < 1e-3 for row in last(clf, "confusion_matrix")["matrix"])  # normalized
    assert "setosa (train)" in last(clf, "class_proportions")["labels"]
    assert last(clf, "summary_metrics")["labels"] == ["accuracy", "f1", "precision", "recall"]
    assert {"charts/roc", "charts/confusion_matrix"} <= set(clf.history().columns)
    reg = runs["regressor"]
    assert {"summary_metrics", "learning_curve", "outlier_candidates", "residuals"} <= set(reg.history().columns)
    assert last(reg, "outlier_candidates")["y_label"] == "Cook's distance"
    clu = runs["clusterer"]
    assert len(last(clu, "elbow_curve")["series"][0]["x"]) == 5
    assert -1 <= last(clu, "silhouette_plot")["silhouette_score"] <= 1
