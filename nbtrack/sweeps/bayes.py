"""Bayesian search with optuna's TPE sampler, rebuilt from the sweep's ledger each time.

Why optuna: it is maintained, small to drive (ask/tell), and its TPE handles what sweep
configs hold (categorical, integer, continuous parameters) without a GP's assumptions;
scikit-optimize, the other candidate, is no longer maintained. optuna is optional
(``pip install optuna``); grid and random search need nothing.

A study lives in memory only: every call adds the finished trials (their coordinates and
metric) and asks for one new point, so the store stays the single source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..store.sweeps import TrialRecord
from .search import Choice, metric_value
from .spec import Param, SweepSpec

_DONE = ("finished",)
_FAILED = ("failed", "crashed", "killed")


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise ImportError("nbtrack: sweep method 'bayes' uses optuna; install it with `pip install optuna` "
                          "(or use method 'random' or 'grid').") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _distribution(optuna: Any, p: Param) -> Any:
    if p.kind == "categorical":
        return optuna.distributions.CategoricalDistribution(list(range(len(p.values))))
    if p.kind == "int":
        return optuna.distributions.IntDistribution(int(p.spec["min"]), int(p.spec["max"]))
    return optuna.distributions.FloatDistribution(0.0, 1.0)


def next_point(spec: SweepSpec, trials: Sequence[TrialRecord], seed: int | None = None) -> Choice:
    """A point TPE proposes after the sweep's finished trials (random for the first 10)."""
    optuna = _optuna()
    searched = [p for p in spec.params if p.kind != "fixed"]
    dists = {p.name: _distribution(optuna, p) for p in searched}
    direction = "maximize" if spec.goal == "maximize" else "minimize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    for t in trials:
        point = t["point"] or {}
        if any(name not in point for name in dists):
            continue
        value = metric_value(t["summary"], spec.metric or "")
        params = {name: point[name] for name in dists}
        if t["state"] in _DONE and value is not None:
            study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=value))
        elif t["state"] in _FAILED or t["state"] is None or t["state"] in _DONE:
            study.add_trial(optuna.trial.create_trial(params=params, distributions=dists,
                                                      state=optuna.trial.TrialState.FAIL))
    trial = study.ask(dists)
    point = {name: trial.params[name] for name in dists}
    return point, spec.params_at(point)
