"""The sweep config parser and the searches, without a notebook."""

from __future__ import annotations

import math
import random
import statistics

import pytest

import nbtrack
from nbtrack.sweeps import search
from nbtrack.sweeps.spec import SweepConfigError, parse


def test_distributions_map_coordinates_like_wandb():
    spec = parse({"method": "random", "parameters": {
        "lu": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "lx": {"distribution": "log_uniform", "min": 0, "max": 1},
        "qu": {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2},
        "n": {"distribution": "normal", "mu": 5, "sigma": 2},
        "i": {"min": 1, "max": 3},
        "c": {"values": ["a", "b"], "probabilities": [0.0, 1.0]},
    }})
    params = {p.name: p for p in spec.params}
    assert params["i"].kind == "int" and params["c"].kind == "categorical"
    assert params["lu"].value(0.0) == pytest.approx(1e-4) and params["lu"].value(0.5) == pytest.approx(math.sqrt(1e-5))
    assert params["lx"].value(1.0) == pytest.approx(math.e)
    assert params["qu"].value(0.33) == 4
    assert params["n"].value(0.5) == pytest.approx(5)
    rng = random.Random(0)
    for _ in range(50):
        _, values = search.random_point(spec, rng)
        assert 1e-4 <= values["lu"] <= 1e-1 and values["i"] in (1, 2, 3) and values["c"] == "b"


@pytest.mark.parametrize("config, message", [
    ({"method": "hyperband", "parameters": {"a": {"value": 1}}}, "method"),
    ({"method": "bayes", "parameters": {"a": {"min": 0.0, "max": 1.0}}}, "needs a metric"),
    ({"method": "grid", "parameters": {"a": {"min": 0.0, "max": 1.0}}}, "grid search needs discrete"),
    ({"method": "random", "parameters": {"a": {"distribution": "beta", "min": 0, "max": 1}}}, "unknown distribution"),
    ({"method": "random", "parameters": {"a": {"min": 2, "max": 1}}}, "greater than max"),
    ({"method": "random", "parameters": {}}, "non-empty"),
])
def test_bad_configs_say_what_to_change(config, message):
    with pytest.raises(SweepConfigError, match=message):
        parse(config)
    with pytest.raises(SweepConfigError, match=message):
        nbtrack.sweep(config)


def test_bayes_search_concentrates_near_good_results():
    pytest.importorskip("optuna")
    from nbtrack.sweeps import bayes

    spec = parse({"method": "bayes", "metric": {"name": "loss"}, "parameters": {"x": {"min": -5.0, "max": 5.0}}})
    (p,) = spec.params
    rng = random.Random(1)
    trials = []
    for i in range(30):
        u = rng.random()
        x = p.value(u)
        trials.append({"run_id": str(i), "params": {"x": x}, "point": {"x": u}, "created_at": i,
                       "state": "finished", "summary": {"loss": (x - 2) ** 2}})
    proposals = [bayes.next_point(spec, trials, seed=s)[1]["x"] for s in range(20)]
    # uniform proposals on [-5, 5] are on average 2.9 away from 2; TPE's should be much closer
    assert statistics.mean(abs(x - 2) for x in proposals) < 1.5


def test_agent_refuses_clearly():
    with pytest.raises(nbtrack.UsageError, match="no sweep"):
        nbtrack.agent("nope1234", function=lambda: None)
    sid = nbtrack.sweep({"method": "random", "parameters": {"a": {"values": [1]}}})
    with pytest.raises(nbtrack.UsageError, match="function="):
        nbtrack.agent(sid)


def test_function_that_starts_no_run_is_counted_and_stops():
    sid = nbtrack.sweep({"method": "random", "parameters": {"a": {"values": [1, 2]}}}, project="p")
    calls = []
    with pytest.warns(UserWarning, match="started no run"):
        nbtrack.agent(sid, function=lambda: calls.append(1), count=20)
    assert len(calls) == 5  # MAX_INITIAL_FAILURES
    assert nbtrack.Api().sweep(sid).runs == []


def test_a_second_init_in_the_same_call_continues_the_sweep_run():
    sid = nbtrack.sweep({"method": "grid", "parameters": {"a": {"values": [1, 2]}}}, project="again")

    def train():
        nbtrack.init(config={"b": 0})
        nbtrack.log({"x": 1})
        nbtrack.finish()
        run = nbtrack.init(project="elsewhere", config={"c": 3})  # e.g. a library's callback
        nbtrack.log({"x": 2})
        assert run.config["a"] in (1, 2)

    nbtrack.agent(sid, train)
    runs = nbtrack.Api().runs("again")
    assert len(runs) == 2 and not nbtrack.Api().runs("elsewhere")
    for r in runs:
        assert r.state == "finished" and r.sweep_id == sid
        assert list(r.history()["x"]) == [1, 2] and list(r.history()["_step"]) == [0, 1]
        assert r.config["b"] == 0 and r.config["c"] == 3
