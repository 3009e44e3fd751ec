"""wandb's step/commit rules, with nbtrack's one difference: lower steps are kept."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from fakes import make_run

from nbtrack.errors import UsageError


def test_each_call_commits_a_new_step():
    run, w = make_run()
    for i in range(3):
        run.log({"loss": 1.0 / (i + 1)})
    assert w.steps() == [(0, {"loss": 1.0}), (1, {"loss": 0.5}), (2, {"loss": 1 / 3})]
    assert run.step == 3


def test_commit_false_accumulates_into_one_step():
    run, w = make_run()
    run.log({"a": 1}, commit=False)
    run.log({"b": 2}, commit=False)
    run.log({"c": 3})
    assert w.steps() == [(0, {"a": 1, "b": 2, "c": 3})]


def test_explicit_step_merges_until_a_higher_step_arrives():
    run, w = make_run()
    run.log({"a": 1}, step=5)
    run.log({"b": 2}, step=5)
    assert w.steps() == []  # step given: commit defaults to False
    run.log({"a": 3}, step=7)
    assert w.steps() == [(5, {"a": 1, "b": 2})]
    run.log({"b": 4}, step=7, commit=True)
    assert w.steps()[-1] == (7, {"a": 3, "b": 4})
    assert run.step == 8


def test_lower_step_is_stored_with_one_warning():
    run, w = make_run()
    run.log({"x": 1}, step=10, commit=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.log({"x": 0.5}, step=3)
        run.log({"x": 0.25}, step=4)
    assert len([c for c in caught if "lower than the current step" in str(c.message)]) == 1
    assert (3, {"x": 0.5}) in w.steps() and (4, {"x": 0.25}) in w.steps()
    assert run.step == 11


def test_nested_dicts_become_slash_keys_and_scalars_are_coerced():
    run, w = make_run()
    run.log({"train": {"loss": np.float32(0.5), "acc": np.int64(3)}, "note": "ok", "flag": np.bool_(True)})
    (_, row), = w.steps()
    assert row == {"train/loss": 0.5, "train/acc": 3, "note": "ok", "flag": True}
    assert type(row["train/loss"]) is float and type(row["train/acc"]) is int


def test_arrays_become_histograms():
    run, w = make_run()
    run.log({"weights": np.arange(1000.0)})
    (_, row), = w.steps()
    assert row["weights"]["_type"] == "histogram"
    assert sum(row["weights"]["values"]) == 1000


def test_user_dict_is_copied():
    run, w = make_run()
    data = {"loss": 1.0}
    run.log(data)
    data["loss"] = 2.0
    assert w.steps() == [(0, {"loss": 1.0})]


@pytest.mark.parametrize("bad", [[1, 2], "loss", 3.0, None])
def test_non_dict_payload_is_a_clear_type_error(bad):
    run, _ = make_run()
    with pytest.raises(TypeError, match="expects a dict"):
        run.log(bad)


def test_non_string_keys_and_unstorable_values_name_the_key():
    run, _ = make_run()
    with pytest.raises(TypeError, match="keys must be strings"):
        run.log({1: 2.0})
    with pytest.raises(TypeError, match="'obj'"):
        run.log({"obj": object()})
    with pytest.raises(TypeError, match="step must be an integer"):
        run.log({"a": 1}, step="x")


def test_log_after_finish_says_to_init():
    run, w = make_run()
    run.log({"a": 1})
    run.finish()
    assert w.closed
    with pytest.raises(UsageError, match="nbtrack.init"):
        run.log({"a": 2})


def test_finish_commits_pending_and_records_state():
    run, w = make_run()
    run.log({"a": 1}, step=4)
    run.finish(exit_code=2)
    assert w.steps() == [(4, {"a": 1})]
    merged = w.merged()
    assert merged["state"] == "failed" and merged["exit_code"] == 2 and merged["last_step"] == 4
    assert run.state == "failed"


def test_context_manager_marks_failed_and_killed():
    run, w = make_run()
    with pytest.raises(RuntimeError):
        with run:
            raise RuntimeError("boom")
    assert w.merged()["state"] == "failed"
    run2, w2 = make_run()
    with pytest.raises(KeyboardInterrupt):
        with run2:
            raise KeyboardInterrupt
    assert w2.merged()["state"] == "killed"


def test_torch_scalars_are_numbers_and_tensors_histograms():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    run, w = make_run()
    run.log({"loss": torch.tensor(0.25), "w": torch.ones(10)})
    (_, row), = w.steps()
    assert row["loss"] == 0.25 and type(row["loss"]) is float
    assert row["w"]["_type"] == "histogram"


def test_buffered_rows_are_not_tracked_by_the_garbage_collector():
    import gc

    run, w = make_run()
    run.log({"loss": 0.5, "acc": 1})
    run.log({"loss": 0.25, "_step": 99})  # a user's own "_step" does not move the step
    assert not any(gc.is_tracked(r) for r in w.rows)
    assert [list(r)[-2:] for r in w.rows] == [["_step", "_timestamp"]] * 2
    assert w.steps() == [(0, {"loss": 0.5, "acc": 1}), (1, {"loss": 0.25})]
