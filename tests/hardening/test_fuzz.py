"""Fuzz: random keys and values thrown at log(), config and summary (issue 9).

Whatever is thrown, a call either works or raises a documented TypeError/ValueError;
afterwards the store opens, every sentinel row logged around the fuzz is there, and
history(), runs() and the runs table's handlers answer. Lone surrogates are left out of
the alphabet: what the writer does with them is the write path's (issue 8).
A second fuzz sends random requests to a runs table and checks that none reaches the
run of another project. NBTRACK_FUZZ_EXAMPLES scales both (default 30).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nbtrack as wandb
from nbtrack.runs_table.widget import RunsTable

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


class Mode(enum.Enum):
    A = "a"
    B = 2


class TorchLikeScalar:
    """A number-like object from an unknown array library (float()-able, module 'torch')."""

    __module__ = "torchlike.scalar"

    def __init__(self, v: float) -> None:
        self.v = v

    def __float__(self) -> float:
        return self.v


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = st.one_of(TEXT, st.sampled_from(["", "_runtime", "_step", "_timestamp", "a\x00", "a", "a/b", "a.b",
                                        "\n\t", "😀/ü", "x" * 300, "SELECT 1; --", '"quoted"']))
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.sampled_from([5e-324, 1.7976931348623157e308, -0.0, 2**53 + 1, 10**400]),
)


def _numpy(v: float):
    return st.sampled_from([np.float32(v) if math.isfinite(v) and abs(v) < 3e38 else np.float32(1),
                            np.float16(0.5), np.int64(7), np.bool_(False), np.array(v), np.arange(3),
                            np.array(["x", "y"]), np.full((2, 2), v)])


SCALARS = st.one_of(
    st.none(), st.booleans(), NUMBERS, TEXT,
    st.floats(allow_nan=False, allow_infinity=False, width=32).flatmap(_numpy),
    st.floats(allow_nan=False).map(TorchLikeScalar),
    st.sampled_from([dt.datetime(2026, 1, 1), dt.date(2026, 1, 2), Path("a/b"), {1, 2}, Mode.A, Mode.B,
                     decimal.Decimal("1.5")]),
    *([st.floats(allow_nan=True, width=32).map(lambda v: torch.tensor(v))] if torch is not None else []),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)
PAYLOADS = st.dictionaries(KEYS, VALUES, max_size=5)


def _try(call, *args, **kwargs) -> bool:
    """Run a call; True if it worked, False for a documented refusal, anything else fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(*args, **kwargs)
            return True
        except (TypeError, ValueError) as exc:
            assert "nbtrack" in str(exc) or "step" in str(exc), f"undocumented refusal: {exc!r}"
            return False


@settings(max_examples=int(os.environ.get("NBTRACK_FUZZ_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                    HealthCheck.function_scoped_fixture])
@given(logs=st.lists(PAYLOADS, min_size=1, max_size=4), config=PAYLOADS, summary=PAYLOADS,
       step=st.one_of(st.none(), st.integers(min_value=-5, max_value=2**64)))
def test_fuzz_log_config_summary(logs, config, summary, step):
    store = tempfile.mkdtemp(prefix="nbtrack-fuzz-")  # a store per example: examples stay independent
    old = os.environ.get("NBTRACK_DIR")
    os.environ["NBTRACK_DIR"] = store
    try:
        _one_example(logs, config, summary, step)
    finally:
        if old is not None:
            os.environ["NBTRACK_DIR"] = old
        shutil.rmtree(store, ignore_errors=True)


def _one_example(logs, config, summary, step) -> None:
    run = wandb.init(project="fuzz", config={"seed": 1})
    sentinels = []
    for i, payload in enumerate(logs):
        run.log({"sentinel": float(i)})
        sentinels.append(float(i))
        _try(run.log, payload)
    _try(run.log, {"stepped": 1.0}, step=step)
    _try(run.config.update, config)
    for key, value in summary.items():
        _try(run.summary.__setitem__, key, value)
    run.log({"sentinel": -1.0})
    sentinels.append(-1.0)
    run.finish()

    api = wandb.Api()
    stored = api.run(run.id)
    h = stored.history()
    assert [v for v in h["sentinel"].tolist() if v == v] == sentinels  # every other row is there
    assert list(h.columns[:3]) == ["_step", "_timestamp", "_runtime"] and len(set(h.columns)) == len(h.columns)
    assert h["_step"].is_monotonic_increasing or (step is not None and 0 <= step <= 2**53 - 1)
    assert stored.config.get("seed") == 1
    frame = wandb.runs("fuzz")
    assert run.id in set(frame["id"])
    table = RunsTable(project="fuzz")
    service = table.service
    assert service.handle({"type": "load"})[0]["total"] >= 1
    body, _ = service.handle({"type": "curves", "ids": [run.id], "key": "sentinel", "width": 100})
    assert body["series"] and body["series"][0]["n"] == len(sentinels)
    for column in h.columns[3:8]:  # a few of the fuzzed keys (each is a store read)
        service.handle({"type": "curves", "ids": [run.id], "key": column, "width": 100})
    assert service.handle({"type": "detail", "id": run.id})[0]["run"]["id"] == run.id
    assert service.handle({"type": "diff", "a": run.id, "b": run.id})[0]["a"]["id"] == run.id
    service.handle({"type": "importance", "metric": "summary.sentinel"})


FIELDS = st.one_of(st.just("theirs"), st.just(["theirs", "mine"]), st.none(), st.booleans(), st.integers(),
                   st.floats(), TEXT,
                   st.lists(st.one_of(TEXT, st.integers()), max_size=3),
                   st.dictionaries(TEXT, st.integers(), max_size=2))


@settings(max_examples=int(os.environ.get("NBTRACK_FUZZ_EXAMPLES", "30")) * 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(messages=st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["load", "curves", "detail", "diff", "edit", "delete", "importance", "bogus", 3])},
    optional={"ids": FIELDS, "id": FIELDS, "a": FIELDS, "b": FIELDS, "key": FIELDS, "width": FIELDS,
              "name": FIELDS, "notes": FIELDS, "tags": FIELDS, "metric": FIELDS}), min_size=1, max_size=6))
def test_fuzz_table_requests_never_reach_another_project(messages):
    """Random requests (what a hostile or buggy browser could send) to a table of project
    "mine": each is answered or refused with an Exception (the widget turns those into
    replies), and the run of project "theirs" is never shown, changed or deleted."""
    store = tempfile.mkdtemp(prefix="nbtrack-fuzz-table-")
    try:
        theirs = wandb.init(project="theirs", name="keep", dir=store)
        theirs.log({"loss": 1.0})
        theirs.finish()
        mine = wandb.init(project="mine", dir=store)
        mine.log({"loss": 2.0})
        mine.finish()
        service = RunsTable(project="mine", dir=store).service
        for msg in messages:
            for field in ("ids", "id", "a", "b", "metric"):  # aim at the runs by their real ids
                if msg.get(field) == "theirs":
                    msg[field] = theirs.id
                elif msg.get(field) == ["theirs", "mine"]:
                    msg[field] = [theirs.id, mine.id]
            if msg.get("type") == "delete" and "ids" not in msg:
                msg["ids"] = [theirs.id]
            try:
                body, _ = service.handle(msg)
            except Exception:  # refused: the widget replies with the error
                continue
            assert theirs.id not in json.dumps(body, default=str)
        kept = wandb.Api(dir=store).run(theirs.id)
        assert kept.name == "keep" and kept.history()["loss"].tolist() == [1.0]
    finally:
        shutil.rmtree(store, ignore_errors=True)
