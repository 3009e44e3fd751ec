"""Choosing a sweep's next run: grid, random, or Bayesian (optuna's TPE, see ``bayes.py``).

Each search is a function of the sweep's spec and its trials so far (what the ledger
in the store holds), so any agent in any process continues the same sweep.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..store.sweeps import TrialRecord
from .spec import SweepSpec

#: a search's choice: the coordinates (kept in the ledger) and the config they stand for
Choice = tuple[dict[str, Any], dict[str, Any]]


def metric_value(summary: Mapping[str, Any], name: str) -> float | None:
    """The run's summary value of the sweep metric ("a/b" also found nested), else None."""
    value: Any = summary.get(name)
    if value is None and "/" in name:
        node: Any = summary
        for part in name.split("/"):
            node = node.get(part) if isinstance(node, Mapping) else None
        value = node
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def grid(spec: SweepSpec, trials: Sequence[TrialRecord]) -> Choice | None:
    """The first grid point no trial has had yet (product order), or None when all are done."""
    axes = [p.grid_values() or [] for p in spec.params]
    used = {tuple((t["point"] or {}).get(p.name) for p in spec.params) for t in trials}
    for index in itertools.product(*(range(len(a)) for a in axes)):
        if index in used:
            continue
        point = {p.name: i for p, i in zip(spec.params, index)}
        params: dict[str, Any] = {}
        for p, i, values in zip(spec.params, index, axes):
            node = params
            for part in p.path[:-1]:
                node = node.setdefault(part, {})
            node[p.path[-1]] = values[i]
        return point, params
    return None


def random_point(spec: SweepSpec, rng: random.Random | None = None) -> Choice:
    """Coordinates drawn from each parameter's distribution."""
    rng = rng or random.Random()
    point = {p.name: p.draw(rng) for p in spec.params if p.kind != "fixed"}
    return point, spec.params_at(point)


def grid_size(spec: SweepSpec) -> int:
    """How many runs a grid sweep has."""
    return math.prod(len(p.grid_values() or []) for p in spec.params)
