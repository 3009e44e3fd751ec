"""A sweep configuration, read and checked: wandb's format, the same keys and distributions.

    {"method": "random",                       # grid | random | bayes
     "metric": {"name": "val_loss", "goal": "minimize"},
     "parameters": {
         "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
         "batch_size": {"values": [16, 32, 64]},
         "epochs": {"value": 3},
         "optimizer": {"parameters": {"momentum": {"min": 0.0, "max": 0.99}}}}}

Every parameter maps a coordinate to a value: a categorical one an index into its
values, an integer one the integer itself, every continuous one a number ``u`` in
[0, 1) through its distribution's inverse CDF. Random search draws coordinates
uniformly; Bayesian search (optuna's TPE) searches the same coordinates, so its prior is
exactly the distribution the config names; grid search walks the discrete values.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

METHODS = ("grid", "random", "bayes")
GOALS = ("minimize", "maximize")
#: distribution -> required keys (besides "distribution")
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "categorical": ("values",),
    "int_uniform": ("min", "max"),
    "uniform": ("min", "max"),
    "q_uniform": ("min", "max"),
    "log_uniform": ("min", "max"),
    "log_uniform_values": ("min", "max"),
    "q_log_uniform": ("min", "max"),
    "q_log_uniform_values": ("min", "max"),
    "inv_log_uniform": ("min", "max"),
    "inv_log_uniform_values": ("min", "max"),
    "normal": (),
    "q_normal": (),
    "log_normal": (),
    "q_log_normal": (),
}
_PARAM_KEYS = {"distribution", "value", "values", "probabilities", "min", "max", "q", "mu", "sigma", "parameters"}
_TOP_KEYS = {"method", "metric", "parameters", "name", "description", "project", "entity", "program", "command",
             "early_terminate", "run_cap", "controller"}
_EDGE = 1e-12


class SweepConfigError(ValueError):
    """A sweep configuration nbtrack cannot run; the message says what to change."""


@dataclass(frozen=True)
class Param:
    """One searched (or fixed) parameter; ``path`` is its place in the nested config."""

    path: tuple[str, ...]
    distribution: str
    spec: dict[str, Any]
    values: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The parameter's key in points: its path joined by dots."""
        return ".".join(self.path)

    @property
    def kind(self) -> str:
        """"fixed", "categorical", "int" or "float": how a coordinate maps to a value."""
        if self.distribution == "constant":
            return "fixed"
        if self.distribution == "categorical":
            return "categorical"
        if self.distribution == "int_uniform":
            return "int"
        return "float"

    def grid_values(self) -> list[Any] | None:
        """Every value this parameter takes in a grid, or None if it is continuous."""
        if self.kind == "fixed":
            return [self.spec["value"]]
        if self.kind == "categorical":
            return list(self.values)
        if self.kind == "int":
            return list(range(int(self.spec["min"]), int(self.spec["max"]) + 1))
        if self.distribution == "q_uniform":
            lo, hi, q = float(self.spec["min"]), float(self.spec["max"]), float(self.spec.get("q", 1.0))
            n = int(math.floor((hi - lo) / q + 1e-9))
            return [_q_round(lo + i * q, q) for i in range(n + 1)]
        return None

    def draw(self, rng: random.Random) -> Any:
        """A random coordinate (see the module doc)."""
        if self.kind == "categorical":
            weights = self.spec.get("probabilities")
            return rng.choices(range(len(self.values)), weights=weights)[0]
        if self.kind == "int":
            return rng.randint(int(self.spec["min"]), int(self.spec["max"]))
        if self.kind == "fixed":
            return 0
        return rng.random()

    def value(self, coordinate: Any) -> Any:
        """The parameter's value at a coordinate."""
        if self.kind == "fixed":
            return self.spec["value"]
        if self.kind == "categorical":
            return self.values[int(coordinate)]
        if self.kind == "int":
            return int(coordinate)
        return self._continuous(min(max(float(coordinate), _EDGE), 1.0 - _EDGE))

    def _continuous(self, u: float) -> Any:
        d, s = self.distribution, self.spec
        q = s.get("q", 1.0)
        if d in ("uniform", "q_uniform"):
            x = float(s["min"]) + u * (float(s["max"]) - float(s["min"]))
        elif d in ("log_uniform", "q_log_uniform"):
            x = math.exp(float(s["min"]) + u * (float(s["max"]) - float(s["min"])))
        elif d in ("log_uniform_values", "q_log_uniform_values"):
            lo, hi = math.log(float(s["min"])), math.log(float(s["max"]))
            x = math.exp(lo + u * (hi - lo))
        elif d == "inv_log_uniform":
            x = 1.0 / math.exp(float(s["min"]) + u * (float(s["max"]) - float(s["min"])))
        elif d == "inv_log_uniform_values":
            lo, hi = math.log(1.0 / float(s["max"])), math.log(1.0 / float(s["min"]))
            x = 1.0 / math.exp(lo + u * (hi - lo))
        else:  # normal family
            x = NormalDist(float(s.get("mu", 0.0)), float(s.get("sigma", 1.0))).inv_cdf(u)
            if d in ("log_normal", "q_log_normal"):
                x = math.exp(x)
        if d.startswith("q_"):
            return _q_round(x, q)
        return x


def _q_round(x: float, q: Any) -> Any:
    value = round(x / float(q)) * float(q)
    return int(round(value)) if isinstance(q, int) and not isinstance(q, bool) else value


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep configuration."""

    method: str
    params: tuple[Param, ...]
    metric: str | None
    goal: str
    run_cap: int | None
    config: dict[str, Any]

    def params_at(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """The nested config a point stands for."""
        out: dict[str, Any] = {}
        for p in self.params:
            node = out
            for part in p.path[:-1]:
                node = node.setdefault(part, {})
            node[p.path[-1]] = p.value(point.get(p.name, 0))
        return out


def _infer_distribution(name: str, spec: Mapping[str, Any]) -> str:
    if "distribution" in spec:
        dist = str(spec["distribution"])
        if dist not in DISTRIBUTIONS:
            raise SweepConfigError(
                f"sweep parameter {name!r}: unknown distribution {dist!r}; use one of {', '.join(DISTRIBUTIONS)}.")
        return dist
    if "value" in spec:
        return "constant"
    if "values" in spec:
        return "categorical"
    if "min" in spec and "max" in spec:
        ints = all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ("min", "max"))
        return "int_uniform" if ints else "uniform"
    if "mu" in spec or "sigma" in spec:
        return "normal"
    raise SweepConfigError(
        f"sweep parameter {name!r} needs 'value', 'values', 'min' and 'max', or a 'distribution'; got {dict(spec)}.")


def _param(path: tuple[str, ...], spec: Any) -> list[Param]:
    name = ".".join(path)
    if not isinstance(spec, Mapping):
        raise SweepConfigError(
            f"sweep parameter {name!r} must be a dict such as {{'values': [1, 2]}} or {{'value': 1}}, got {spec!r}.")
    unknown = set(spec) - _PARAM_KEYS
    if unknown:
        raise SweepConfigError(f"sweep parameter {name!r}: unknown key(s) {sorted(unknown)}; "
                               f"a parameter takes {sorted(_PARAM_KEYS)}.")
    if "parameters" in spec:
        return _params(spec["parameters"], path)
    dist = _infer_distribution(name, spec)
    missing = [k for k in DISTRIBUTIONS[dist] if k not in spec]
    if missing:
        raise SweepConfigError(f"sweep parameter {name!r}: distribution {dist!r} needs {missing}.")
    values: list[Any] = []
    if dist == "categorical":
        values = list(spec["values"])
        if not values:
            raise SweepConfigError(f"sweep parameter {name!r}: 'values' is empty.")
        probs = spec.get("probabilities")
        if probs is not None and (len(probs) != len(values) or any(p < 0 for p in probs) or sum(probs) <= 0):
            raise SweepConfigError(f"sweep parameter {name!r}: 'probabilities' needs one weight >= 0 per value.")
    if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
        raise SweepConfigError(f"sweep parameter {name!r}: min {spec['min']} is greater than max {spec['max']}.")
    if dist in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values") and spec["min"] <= 0:
        raise SweepConfigError(f"sweep parameter {name!r}: {dist} needs min > 0.")
    return [Param(path, dist, dict(spec), values)]


def _params(parameters: Any, prefix: tuple[str, ...] = ()) -> list[Param]:
    if not isinstance(parameters, Mapping) or not parameters:
        where = ".".join(prefix) or "the sweep"
        raise SweepConfigError(f"'parameters' of {where} must be a non-empty dict of name -> parameter spec.")
    out: list[Param] = []
    for key, spec in parameters.items():
        out.extend(_param((*prefix, str(key)), spec))
    return out


def parse(config: Mapping[str, Any]) -> SweepSpec:
    """Check a sweep configuration (wandb's format) and read it into a SweepSpec."""
    if not isinstance(config, Mapping):
        raise SweepConfigError(f"nbtrack.sweep: the sweep config must be a dict, got {type(config).__name__}.")
    config = dict(config)
    unknown = set(config) - _TOP_KEYS
    if unknown:
        raise SweepConfigError(f"sweep config: unknown key(s) {sorted(unknown)}; known keys are {sorted(_TOP_KEYS)}.")
    method = config.get("method")
    if method not in METHODS:
        raise SweepConfigError(f"sweep config: 'method' must be one of {', '.join(METHODS)}, got {method!r}.")
    metric = config.get("metric") or {}
    if isinstance(metric, str):
        metric = {"name": metric}
    if not isinstance(metric, Mapping):
        raise SweepConfigError("sweep config: 'metric' must be a dict such as {'name': 'val_loss', 'goal': 'minimize'}.")
    goal = str(metric.get("goal", "minimize"))
    if goal not in GOALS:
        raise SweepConfigError(f"sweep config: metric goal must be 'minimize' or 'maximize', got {goal!r}.")
    metric_name = metric.get("name")
    if method == "bayes" and not metric_name:
        raise SweepConfigError("sweep config: method 'bayes' needs a metric to optimise, "
                               "e.g. 'metric': {'name': 'val_loss', 'goal': 'minimize'}.")
    params = _params(config.get("parameters"))
    if method == "grid":
        continuous = [p.name for p in params if p.grid_values() is None]
        if continuous:
            raise SweepConfigError(
                f"sweep config: grid search needs discrete parameters ('values', 'value', int_uniform or q_uniform); "
                f"{', '.join(continuous)} are continuous. Use method 'random' or 'bayes', or list their values.")
    run_cap = config.get("run_cap")
    if run_cap is not None and (not isinstance(run_cap, int) or run_cap < 1):
        raise SweepConfigError(f"sweep config: 'run_cap' must be a positive integer, got {run_cap!r}.")
    if config.get("early_terminate"):
        warnings.warn("nbtrack.sweep: 'early_terminate' is not supported; every run of the sweep runs to its end.",
                      stacklevel=3)
    return SweepSpec(method, tuple(params), str(metric_name) if metric_name else None, goal, run_cap, config)
