"""The local sweep controller: creates sweeps and hands each agent its next run.

It keeps no state of its own: the sweep's config and its ledger of handed-out runs live
in the store (``nbtrack/store/sweeps.py``), and each decision is made under the store's
exclusive lock, so agents in several kernels share one sweep without a server.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from ..store.sweeps import SweepRecord, SweepStore, add_trial, find_sweeps, set_state, trials
from . import search
from .spec import SweepSpec, parse

RUNNING = "RUNNING"
FINISHED = "FINISHED"


class SweepNotFound(LookupError):
    """No sweep with that id in the store."""


@dataclass(frozen=True)
class Assignment:
    """The run an agent starts next: its id and the config values the sweep chose."""

    sweep_id: str
    project: str
    run_id: str
    params: dict[str, Any]


def create(sweeps: SweepStore, sweep_id: str, config: dict[str, Any], project: str) -> SweepRecord:
    """Check ``config`` and store it as a new RUNNING sweep."""
    spec = parse(config)
    record: SweepRecord = {
        "id": sweep_id,
        "project": project,
        "name": str(config.get("name") or sweep_id),
        "method": spec.method,
        "config": spec.config,
        "state": RUNNING,
        "created_at": time.time(),
    }
    sweeps.create(record)
    return record


def load(sweeps: SweepStore, sweep_id: str) -> tuple[SweepRecord, SweepSpec]:
    """The stored sweep and its parsed spec; SweepNotFound if absent."""
    record = sweeps.get(sweep_id)
    if record is None:
        raise SweepNotFound(sweep_id)
    return record, parse(record["config"])


def next_assignment(sweeps: SweepStore, spec: SweepSpec, sweep_id: str, run_id: str,
                    rng: random.Random | None = None) -> Assignment | None:
    """Reserve the sweep's next run for ``run_id``; None when the sweep is over
    (grid exhausted, ``run_cap`` reached, or marked FINISHED)."""
    if spec.method == "bayes":
        from . import bayes  # optional dependency (optuna): loaded only for Bayesian sweeps

        bayes._optuna()  # import it before taking the lock
    with sweeps.ledger() as con:
        found = find_sweeps(con, sweep_id=sweep_id)
        if not found or found[0]["state"] == FINISHED:
            return None
        project = found[0]["project"]
        done = trials(con, sweep_id)
        if spec.run_cap is not None and len(done) >= spec.run_cap:
            set_state(con, sweep_id, FINISHED)
            return None
        if spec.method == "grid":
            choice = search.grid(spec, done)
        elif spec.method == "random":
            choice = search.random_point(spec, rng)
        else:
            choice = bayes.next_point(spec, done)
        if choice is None:
            set_state(con, sweep_id, FINISHED)
            return None
        point, params = choice
        add_trial(con, sweep_id, run_id, params, point)
        if spec.method == "grid" and len(done) + 1 >= search.grid_size(spec):
            set_state(con, sweep_id, FINISHED)
    return Assignment(sweep_id, project, run_id, params)
