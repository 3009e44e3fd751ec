"""MongoDB-style run filters (nbtrack.api_filters) on run records, as Api().runs() applies them."""

from __future__ import annotations

import pytest

from nbtrack.api_filters import FilterError, compile_filter, sort_key, value_of

RUNS = [
    {"id": "a1", "name": "cnn-small", "state": "finished", "tags": ["baseline"], "group": "g1", "created_at": 1_700_000_000.0,
     "config": {"lr": 0.1, "optimizer": {"name": "sgd"}, "use_bn": True}, "summary": {"val/acc": {"max": 0.81}, "loss": 0.5}},
    {"id": "b2", "name": "cnn-large", "state": "crashed", "tags": ["candidate", "best"], "group": "g2",
     "created_at": 1_800_000_000.0, "config": {"lr": 0.01, "optimizer": {"name": "adam"}, "use_bn": 1},
     "summary": {"val/acc": {"max": 0.93}, "loss": 0.2}},
    {"id": "c3", "name": "MLP", "state": "finished", "tags": [], "group": None, "created_at": 1_750_000_000.0,
     "config": {"lr": 0.001}, "summary": {}},
]


def ids(spec):
    keep = compile_filter(spec)
    return [r["id"] for r in RUNS if keep(r)]


def test_operators():
    assert ids({"$or": [{"config.lr": 0.1}, {"summary.val/acc.max": {"$gt": 0.9}}]}) == ["a1", "b2"]
    assert ids({"$and": [{"state": "finished"}, {"config.lr": {"$lt": 0.01}}]}) == ["c3"]
    assert ids({"$nor": [{"state": "crashed"}, {"tags": "baseline"}]}) == ["c3"]
    assert ids({"config.lr": {"$not": {"$gte": 0.01}}}) == ["c3"]
    assert ids({"config.lr": {"$in": [0.1, 0.001]}}) == ["a1", "c3"] and ids({"config.lr": {"$nin": [0.1]}}) == ["b2", "c3"]
    assert ids({"config.optimizer": {"$exists": False}}) == ["c3"]
    assert ids({"display_name": {"$regex": "^cnn"}}) == ["a1", "b2"]
    assert ids({"display_name": {"$regex": "^mlp", "$options": "i"}}) == ["c3"]
    assert ids({"tags": {"$all": ["best", "candidate"]}}) == ["b2"] and ids({"tags": {"$size": 0}}) == ["c3"]
    assert ids({"config.lr": {"$ne": 0.1}}) == ["b2", "c3"]


def test_fields_as_wandb_spells_them():
    assert ids({"config.optimizer.name": "adam"}) == ids({"config.optimizer.name.value": "adam"}) == ["b2"]
    assert ids({"summary_metrics.val.acc.max": {"$gte": 0.9}}) == ["b2"]
    assert ids({"summary.val/acc": {"$gt": 0.9}}) == ["b2"]  # a one-aggregate summary compares by its value
    assert ids({"name": "b2"}) == ["b2"] and ids({"name": "MLP"}) == ["c3"]  # wandb's "name" is the id
    assert ids({"createdAt": {"$gt": "2024-01-01T00:00:00"}}) == ["b2", "c3"]
    assert ids({"created_at": {"$lt": 1_710_000_000}}) == ["a1"]
    assert ids({"config.use_bn": True}) == ["a1"]  # True is not 1
    assert ids({"group": None}) == ["c3"] and ids({"jobType": None}) == ["a1", "b2", "c3"]


def test_refusals_name_what_is_supported():
    with pytest.raises(FilterError, match=r"unknown filter operator '\$near'.*\$gt"):
        compile_filter({"summary.loss": {"$near": 1}})
    with pytest.raises(FilterError, match="unknown filter field 'lr'"):
        compile_filter({"lr": 0.1})
    with pytest.raises(FilterError, match=r"\$regex on 'name'"):
        compile_filter({"name": {"$regex": "("}})
    with pytest.raises(FilterError, match="must be a dict"):
        compile_filter([("state", "finished")])


def test_order_keys():
    assert sort_key("-summary_metrics.loss") == ("summary_metrics.loss", True)
    assert sort_key("+created_at") == ("created_at", False)
    assert [value_of(r, "summary.loss") for r in RUNS] == [0.5, 0.2, None]
    with pytest.raises(FilterError):
        sort_key("-nonsense")
