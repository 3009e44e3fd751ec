"""Summary (last value, define_metric aggregates, overrides) and config access."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from fakes import make_run


def test_summary_is_last_value_by_default():
    run, w = make_run()
    for v in (3.0, 1.0, 2.0):
        run.log({"loss": v})
    assert run.summary["loss"] == 2.0
    run.finish()
    assert w.merged()["summary"] == {"loss": 2.0}


def test_define_metric_min_max_mean_and_globs():
    run, _ = make_run()
    run.define_metric("loss", summary="min")
    run.define_metric("loss", summary="max")
    run.define_metric("val/*", summary="mean")
    run.define_metric("acc", summary="best", goal="maximize")
    for loss, val, acc in ((3.0, 1.0, 0.1), (1.0, 3.0, 0.9), (2.0, 2.0, 0.5)):
        run.log({"loss": loss, "val/x": val, "acc": acc})
    assert run.summary["loss"] == {"min": 1.0, "max": 3.0}
    assert run.summary["val/x"] == {"mean": 2.0}
    assert run.summary["acc"] == {"best": 0.9}


def test_define_metric_none_hides_and_bad_kind_is_clear():
    run, _ = make_run()
    run.define_metric("noise", summary="none")
    run.log({"noise": 1.0, "loss": 2.0})
    assert "noise" not in run.summary.as_dict()
    with pytest.raises(ValueError, match="unknown summary"):
        run.define_metric("x", summary="median")


def test_summary_override_wins_and_is_stored():
    run, w = make_run()
    run.log({"acc": 0.5})
    run.summary["acc"] = 0.99
    run.summary["best_epoch"] = 3
    run.log({"acc": 0.6})
    assert run.summary["acc"] == 0.99
    assert w.merged()["summary"]["best_epoch"] == 3


def test_config_attribute_item_update_and_namespace():
    run, w = make_run({"lr": 1e-3, "model": {"depth": 2}})
    assert run.config.lr == 1e-3 and run.config["model"] == {"depth": 2}
    run.config.batch = np.int64(32)
    run.config.update(argparse.Namespace(epochs=3))
    run.config["opt"] = "adam"
    assert w.merged()["config"] == {"lr": 1e-3, "model": {"depth": 2}, "batch": 32, "epochs": 3, "opt": "adam"}
    assert type(w.merged()["config"]["batch"]) is int
    with pytest.raises(AttributeError, match="config has no key"):
        _ = run.config.missing
    assert dict(run.config.items())["opt"] == "adam"


def test_a_logged_table_is_summarised_by_its_shape():
    from nbtrack.media import Table

    run, w = make_run()
    run.log({"preds": Table(columns=["a"], data=[[1], [2]])})
    assert run.summary["preds"] == {"_type": "table", "columns": ["a"], "nrows": 2, "ncols": 1}
    assert w.steps()[0][1]["preds"]["data"] == [[1], [2]]
    assert len(w.operations) == 1 and b'"data": [[1], [2]]' in w.blobs[0]  # also the artifact run-<id>-preds
