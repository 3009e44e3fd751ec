"""SQL for hyperparameter sweeps: the ``sweeps`` table and the controller's ledger.

A sweep is created once (``insert_sweep``). Each time an agent asks for a run, the
controller reads the sweep's trials (``trials``: the ledger joined with the runs the
trials became) and records the run it hands out (``add_trial``), all inside one
exclusive connection (``SweepLedger``), so two agents in two kernels never get the
same grid point and a Bayesian search sees every earlier result.
"""

from __future__ import annotations

import builtins  # `list` below is a method name inside SweepStore
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

from . import live_writers
from .liveness import effective_state
from .store import Store


class SweepRecord(TypedDict):
    """One row of ``sweeps``: the config is the dict given to ``nbtrack.sweep``."""

    id: str
    project: str
    name: str
    method: str
    config: dict[str, Any]
    state: str  # "RUNNING" or "FINISHED" (wandb's spelling)
    created_at: float


class TrialRecord(TypedDict):
    """One run a sweep handed out, with what became of it."""

    run_id: str
    params: dict[str, Any]
    point: dict[str, Any] | None
    created_at: float
    state: str | None  # the run's effective state; None if the function never started a run
    summary: dict[str, Any]


_SWEEP_COLS = "id, project, name, method, config::VARCHAR, state, created_at"
_KEYS = ("id", "project", "name", "method", "config", "state", "created_at")


def _sweep(row: tuple[Any, ...]) -> SweepRecord:
    rec = dict(zip(_KEYS, row))
    rec["config"] = json.loads(rec["config"]) if rec["config"] else {}
    return rec  # type: ignore[return-value] # a dict of SweepRecord keys, built from the table's columns


def insert_sweep(con: Any, sweep: SweepRecord) -> None:
    """Add a new sweep."""
    con.execute(
        "INSERT INTO sweeps (id, project, name, method, config, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [sweep["id"], sweep["project"], sweep["name"], sweep["method"], json.dumps(sweep["config"], default=str),
         sweep["state"], sweep["created_at"]],
    )


def find_sweeps(con: Any, sweep_id: str | None = None, project: str | None = None) -> list[SweepRecord]:
    """Sweeps by id and/or project, newest first."""
    where, params = [], []
    if sweep_id is not None:
        where.append("id = ?")
        params.append(sweep_id)
    if project is not None:
        where.append("project = ?")
        params.append(project)
    sql = f"SELECT {_SWEEP_COLS} FROM sweeps"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = con.execute(sql + " ORDER BY created_at DESC", params).fetchall()
    return [_sweep(r) for r in rows]


def set_state(con: Any, sweep_id: str, state: str) -> None:
    """Mark a sweep RUNNING or FINISHED."""
    con.execute("UPDATE sweeps SET state = ? WHERE id = ?", [state, sweep_id])


_TRIAL_RUN_COLS = ("id", "state", "created_at", "heartbeat_at", "host", "pid", "pid_started_at")


def trials(con: Any, sweep_id: str) -> list[TrialRecord]:
    """Every run the sweep handed out, oldest first, with its run's state and summary
    (only the columns a choice needs: the environment's package list stays unread)."""
    run_cols = ", ".join(f"r.{c}" for c in _TRIAL_RUN_COLS)
    rows = con.execute(
        f"SELECT l.run_id, l.params::VARCHAR, l.point::VARCHAR, l.created_at, r.summary::VARCHAR, {run_cols} "
        "FROM sweep_runs l LEFT JOIN runs r ON r.id = l.run_id "
        "WHERE l.sweep_id = ? ORDER BY l.created_at, l.run_id",
        [sweep_id],
    ).fetchall()
    out: list[TrialRecord] = []
    for run_id, params, point, created_at, summary, *rest in rows:
        run = dict(zip(_TRIAL_RUN_COLS, rest)) if rest[0] is not None else None
        out.append({
            "run_id": run_id,
            "params": json.loads(params) if params else {},
            "point": json.loads(point) if point else None,
            "created_at": created_at,
            "state": effective_state(run) if run is not None else None,  # type: ignore[arg-type] # the stored run's columns as a RunRecord
            "summary": json.loads(summary) if summary else {},
        })
    return out


def add_trial(con: Any, sweep_id: str, run_id: str, params: dict[str, Any], point: dict[str, Any] | None) -> None:
    """Record that the sweep handed ``params`` to the run ``run_id``."""
    con.execute(
        "INSERT INTO sweep_runs (sweep_id, run_id, params, point, created_at) VALUES (?, ?, ?, ?, ?)",
        [sweep_id, run_id, json.dumps(params, default=str), None if point is None else json.dumps(point),
         time.time()],
    )


class SweepStore:
    """Sweeps in one store: short exclusive or shared connections, as everywhere else."""

    def __init__(self, store: Store, lock_timeout: float = 30.0) -> None:
        self.store = store
        self.lock_timeout = lock_timeout

    @contextmanager
    def ledger(self) -> Iterator[Any]:
        """An exclusive connection (this process's writes flushed first) for one decision."""
        live_writers.flush_all(timeout=10.0)
        with self.store.write(timeout=self.lock_timeout) as con:
            yield con

    def create(self, sweep: SweepRecord) -> None:
        """Store a new sweep."""
        with self.store.write(timeout=self.lock_timeout) as con:
            insert_sweep(con, sweep)

    def get(self, sweep_id: str) -> SweepRecord | None:
        """One sweep, or None."""
        with self.store.read(timeout=self.lock_timeout) as con:
            found = find_sweeps(con, sweep_id=sweep_id)
        return found[0] if found else None

    def list(self, project: str | None = None) -> list[SweepRecord]:
        """Sweeps (of a project), newest first."""
        with self.store.read(timeout=self.lock_timeout) as con:
            return find_sweeps(con, project=project)

    def trials(self, sweep_id: str) -> builtins.list[TrialRecord]:
        """The sweep's trials (this process's writes flushed first)."""
        live_writers.flush_all(timeout=10.0)
        with self.store.read(timeout=self.lock_timeout) as con:
            return trials(con, sweep_id)

    def run_ids(self, sweep_id: str) -> builtins.list[str]:
        """Ids of the stored runs that belong to the sweep, oldest first."""
        live_writers.flush_all(timeout=10.0)
        with self.store.read(timeout=self.lock_timeout) as con:
            rows = con.execute("SELECT id FROM runs WHERE sweep_id = ? ORDER BY created_at, id", [sweep_id]).fetchall()
        return [r[0] for r in rows]
