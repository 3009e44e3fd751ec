"""`nbtrack.sweep(config)` and `nbtrack.agent(sweep_id, function, count=)`, run in the notebook.

The agent asks the local controller for a run (a run id and sampled parameters), then
calls ``function()`` in this process. ``nbtrack.init()`` inside it starts that run: its
config gets the sampled values (over the function's own defaults, as wandb does) and
the run is stored with the sweep's id; a second init() in the same call continues the
same run, as in wandb. A run the function leaves open is
finished when it returns; an exception marks it failed and the agent goes on to the
next run (a traceback is printed); Ctrl+C (interrupting the cell) stops the agent.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import session
from ..errors import UsageError
from ..names import new_run_id
from ..store.reader import StoreReader
from ..store.records import RunRecord, RunState
from ..store.store import store_at
from ..store.sweeps import SweepStore
from ..tracking.config import Config
from . import controller
from .spec import SweepConfigError

#: Consecutive failed runs (none succeeding yet) after which the agent stops.
MAX_INITIAL_FAILURES = 5

_local = threading.local()


def _project(explicit: str | None, config: Mapping[str, Any] | None = None) -> str:
    return (explicit or (config or {}).get("project") or os.environ.get("NBTRACK_PROJECT")
            or os.environ.get("WANDB_PROJECT") or session.DEFAULT_PROJECT)


def _sweep_id(path: str) -> str:
    """wandb writes sweeps as "entity/project/id"; the id is the last part."""
    if not isinstance(path, str) or not path.strip("/"):
        raise TypeError(f"nbtrack.agent: sweep_id must be the string nbtrack.sweep() returned, got {path!r}.")
    return path.rstrip("/").split("/")[-1]


def _store(dir: str | os.PathLike[str] | None) -> SweepStore:
    return SweepStore(store_at(dir))


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


@dataclass
class _Call:
    """The agent's call of the function in progress: its run, and whether it started."""

    assignment: controller.Assignment
    started: bool = False


#: run fields a later init() in the same call keeps from the run already stored (as a resume)
_CONTINUED = ("created_at", "summary", "metrics", "last_step", "name", "notes", "tags")


def _give_assignment(record: RunRecord, cfg: Config, store_dir: Path | None) -> None:
    """init() hook: a run started during an agent's call is the sweep's run: its reserved
    id, the sweep's project and id, the sampled values over the function's defaults.

    As in wandb, every init() during the call is that same run: code that finishes the
    run and starts it again (transformers' hyperparameter search does) continues it.
    """
    call: _Call | None = getattr(_local, "call", None)
    if call is None:
        return
    assignment = call.assignment
    record["id"] = assignment.run_id
    record["project"] = assignment.project  # as in wandb, a sweep's runs live in the sweep's project
    record["sweep_id"] = assignment.sweep_id
    if call.started and store_dir is not None:
        stored = StoreReader(store_at(store_dir)).run(assignment.run_id)
        for key in _CONTINUED if stored is not None else ():
            if stored is not None and stored.get(key) is not None:
                record[key] = stored[key]  # type: ignore[literal-required] # each key is a RunRecord key
        if stored:
            cfg.update(_deep_merge(dict(stored.get("config") or {}), cfg.as_dict()))
    call.started = True
    cfg.update(_deep_merge(cfg.as_dict(), assignment.params))
    record["config"] = cfg.as_dict()


if _give_assignment not in session.init_hooks:
    session.init_hooks.append(_give_assignment)


def sweep(sweep: Mapping[str, Any] | Callable[[], Mapping[str, Any]], entity: str | None = None,
          project: str | None = None, prior_runs: list[str] | None = None,
          dir: str | os.PathLike[str] | None = None) -> str:
    """Create a sweep from a wandb-style config and return its id (for ``nbtrack.agent``).

    ``method`` is "grid", "random" or "bayes" (Bayesian search needs optuna);
    ``metric`` ({"name", "goal"}) is what "bayes" optimises and ``best_run()`` ranks by.
    The sweep lives in the store (``dir`` or NBTRACK_DIR), in ``project``.
    """
    config = sweep() if callable(sweep) else sweep
    if not isinstance(config, Mapping):
        raise TypeError(f"nbtrack.sweep: expected a dict sweep config, got {type(config).__name__}.")
    if prior_runs:
        warnings.warn("nbtrack.sweep: prior_runs is not supported; the sweep starts without them.", stacklevel=2)
    config = {k: v for k, v in config.items() if k != "entity"}
    sweep_id = new_run_id()
    record = controller.create(_store(dir), sweep_id, dict(config), _project(project, config))
    n = len(record["config"].get("parameters") or {})
    print(f"nbtrack: created {record['method']} sweep {sweep_id} over {n} parameter(s) in project "
          f"{record['project']!r}; run it with nbtrack.agent({sweep_id!r}, function=train, count=N)",
          file=sys.stderr)
    return sweep_id


def agent(sweep_id: str, function: Callable[[], Any] | None = None, entity: str | None = None,
          project: str | None = None, count: int | None = None, dir: str | os.PathLike[str] | None = None) -> None:
    """Run ``function`` once per sweep run, in this process, until ``count`` runs are done
    or the sweep has none left (grid exhausted, ``run_cap`` reached).

    Inside ``function``, ``nbtrack.init()`` starts the sweep's run and ``nbtrack.config``
    holds the sampled parameters.
    """
    if function is None:
        raise UsageError("nbtrack.agent runs a function in this process: pass function=train "
                         "(a function that calls nbtrack.init() and logs the sweep's metric).")
    if not callable(function):
        raise TypeError(f"nbtrack.agent: function must be callable, got {type(function).__name__}.")
    if count is not None and (not isinstance(count, int) or count < 0):
        raise ValueError(f"nbtrack.agent: count must be a non-negative integer, got {count!r}.")
    sid = _sweep_id(sweep_id)
    sweeps = _store(dir)
    try:
        _, spec = controller.load(sweeps, sid)
    except controller.SweepNotFound:
        raise UsageError(f"nbtrack.agent: no sweep {sid!r} in {sweeps.store.root}; create one with "
                         "sweep_id = nbtrack.sweep(config) (and the same store directory).") from None
    except SweepConfigError as exc:
        raise UsageError(f"nbtrack.agent: sweep {sid!r} cannot run: {exc}") from None
    done = failures = 0
    succeeded = False
    while count is None or done < count:
        assignment = controller.next_assignment(sweeps, spec, sid, new_run_id())
        if assignment is None:
            print(f"nbtrack: sweep {sid} has no runs left", file=sys.stderr)
            return
        ok = _run_one(function, assignment)
        done += 1
        if ok is None:
            return  # interrupted
        if ok:
            succeeded = True
            failures = 0
        else:
            failures += 1
            if not succeeded and failures >= MAX_INITIAL_FAILURES:
                print(f"nbtrack: the first {failures} runs of sweep {sid} all failed; the agent stops. "
                      "Fix the function, then call nbtrack.agent again.", file=sys.stderr)
                return


def _run_one(function: Callable[[], Any], assignment: controller.Assignment) -> bool | None:
    """Call the function for one assigned run; True if it returned, False if it raised,
    None if it was interrupted."""
    call = _local.call = _Call(assignment)
    exit_code = 0
    state: RunState | None = None
    outcome: bool | None = True
    try:
        function()
    except KeyboardInterrupt:
        print("nbtrack: interrupted; the agent stops.", file=sys.stderr)
        exit_code, state, outcome = 1, "killed", None
    except Exception:  # a failing run must not end the sweep
        traceback.print_exc()
        print(f"nbtrack: sweep run {assignment.run_id} failed; the agent goes on.", file=sys.stderr)
        exit_code, outcome = 1, False
    finally:
        started = call.started
        _local.call = None
    run = session.active()
    if run is not None and run.id == assignment.run_id and not run.finished:
        run.finish(exit_code=exit_code, state=state)
    if not started:
        warnings.warn("nbtrack.agent: the sweep function started no run; call nbtrack.init() inside it "
                      "so the sweep's config reaches it.", stacklevel=3)
        return False if outcome else outcome
    return outcome
