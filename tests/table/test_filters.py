"""The filter language: parsed into data, evaluated in Python; bad input says why."""

from __future__ import annotations

import pytest

from nbtrack.runs_table import filters
from nbtrack.runs_table.filters import Clause, FilterError, parse

COLS = ["name", "state", "tags", "notes", "id", "created_at", "duration", "config.lr", "config.optimizer",
        "config.model.depth", "summary.loss", "summary.val/acc", "config.loss"]
KINDS = {"name": "str", "state": "str", "tags": "tags", "notes": "str", "id": "str", "created_at": "time",
         "duration": "num", "config.lr": "num", "config.optimizer": "str", "config.model.depth": "num",
         "summary.loss": "num", "summary.val/acc": "num", "config.loss": "num"}


def test_numbers_and_short_names():
    f = parse("lr < 0.01", COLS, KINDS)
    assert f.clauses == [Clause("config.lr", "<", 0.01)]
    assert parse("lr<1e-3", COLS, KINDS).clauses == [Clause("config.lr", "<", 0.001)]
    assert parse("model.depth >= 3", COLS, KINDS).clauses == [Clause("config.model.depth", ">=", 3.0)]
    assert parse("summary.val/acc > .5", COLS, KINDS).clauses == [Clause("summary.val/acc", ">", 0.5)]
    assert parse("val/acc == 1", COLS, KINDS).clauses == [Clause("summary.val/acc", "=", 1.0)]


def test_strings_and_and():
    f = parse("state = finished and optimizer != 'sgd' AND tags ~ bas", COLS, KINDS)
    assert f.clauses == [Clause("state", "=", "finished"), Clause("config.optimizer", "!=", "sgd"), Clause("tags", "~", "bas")]
    f = parse('resnet "two words" status=running', COLS, KINDS)
    assert f.text == ["resnet", "two words"] and f.clauses == [Clause("state", "=", "running")]


@pytest.mark.parametrize("text, msg", [
    ("lr < abc", "not a number"),
    ("lr <", "needs a value"),
    ("< 3", "needs a column"),
    ("nope = 3", "unknown column"),
    ("loss < 1", "ambiguous"),
    ("lr < 1 or lr > 2", "'or' is not supported"),
    ("name < 3x", "holds text"),
    ("lr ~ 3", "numeric"),
    ("lr < 1 !", "unexpected"),
])
def test_bad_input_says_why(text, msg):
    with pytest.raises(FilterError, match=msg):
        parse(text, COLS, KINDS)


def test_injection_attempts_stay_data():
    data = {"name": ["a'; DROP TABLE runs; --", "b"], "config.lr": [0.1, 0.001], "tags": [[], []], "state": ["x", "y"]}
    kinds = {"name": "str", "config.lr": "num", "tags": "tags", "state": "str"}
    f = parse("name = \"a'; DROP TABLE runs; --\"", list(data), kinds)
    assert f.clauses == [Clause("name", "=", "a'; DROP TABLE runs; --")]
    assert filters.apply(f, data, kinds, 2) == [True, False]
    with pytest.raises(FilterError):
        parse('"lr; DROP TABLE runs" < 3', list(data), kinds)  # a column name cannot be quoted


def test_apply():
    data = {"name": ["alpha", "beta", "gamma"], "config.lr": [0.1, 0.001, None], "tags": [["x"], ["y", "best"], []],
            "state": ["finished", "failed", "finished"]}
    kinds = {"name": "str", "config.lr": "num", "tags": "tags", "state": "str"}
    run = lambda t: filters.apply(parse(t, list(data), kinds), data, kinds, 3)  # noqa: E731
    assert run("lr < 0.01") == [False, True, False]  # missing never matches
    assert run("tags = best") == [False, True, False]
    assert run("tags != best") == [True, False, True]
    assert run("state = FINISHED") == [True, False, True]
    assert run("name ~ amm") == [False, False, True]
    assert run("BEST") == [False, True, False]  # free text searches tags too
    assert run("") == [True, True, True]
