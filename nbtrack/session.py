"""The process's runs and the module-level API: `nbtrack.init()`, `nbtrack.log()`, ...

In a notebook a new `init()` finishes the previous run (as wandb does), so re-running a
cell never leaves a zombie run behind. At interpreter exit every run still open is
finished (failed when a script died of an exception, killed on KeyboardInterrupt) and the
writers drain to disk.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import active_runs
from .errors import NoActiveRun, UsageError, no_active_run
from .exit_hooks import at_exit
from .names import new_run_id, new_run_name
from .notebook import _hooks as notebook_hooks
from .notebook._snapshot import capture_at_finish, capture_at_init, wait_for_captures
from .projects import check_project, check_run_id
from .run_identity import InitOptions
from .store import live_writers  # registered first: its exit drain runs after ours
from .store.errors import NbtrackStorageWarning
from .store.liveness import process_started_at
from .store.paths import resolve_store_dir
from .store.postgres.url import team_url
from .store.records import RunRecord
from .store.store import Store, store_at
from .termination import on_termination
from .tracking.config import Config
from .tracking.run import Run

_log = logging.getLogger(__name__)

DEFAULT_PROJECT = "uncategorized"
#: how long init() waits to read a stored run (resume, or a taken id) before it goes on
RESUME_READ_TIMEOUT = 10.0
#: how long a SIGTERM/SIGHUP waits for the data to reach the disk before the process ends
FLUSH_ON_SIGNAL = 5.0
_REINIT = {
    None: "finish_previous",
    True: "finish_previous",
    False: "return_previous",
    "default": "finish_previous",
    "finish_previous": "finish_previous",
    "return_previous": "return_previous",
    "create_new": "create_new",
}

#: Called by init() with the new run's record, its config and the store directory (None
#: for mode="disabled") before the run starts, to add to them (the sweep agent hands its
#: sampled config and the run's sweep this way).
init_hooks: list[Callable[[RunRecord, Config, Path | None], None]] = []
_exit_exception: list[BaseException] = []


def active() -> Run | None:
    """The active run, or None."""
    return active_runs.active()


def require(what: str) -> Run:
    """The active run, or a UsageError saying to call init() first."""
    run = active_runs.active()
    if run is None:
        raise no_active_run(what)
    return run


def _check_str(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"nbtrack.init: {name} must be a string, got {type(value).__name__}.")


def _check_tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str) or not isinstance(tags, Sequence) or not all(isinstance(t, str) for t in tags):
        raise TypeError("nbtrack.init: tags must be a list of strings, e.g. tags=['baseline'].")
    return list(dict.fromkeys(tags))


def _project(project: Any) -> str:
    """The project of a new run: the argument, else NBTRACK_PROJECT / WANDB_PROJECT, checked."""
    if project is not None and project != "":
        return check_project(project)
    for var in ("NBTRACK_PROJECT", "WANDB_PROJECT"):
        if os.environ.get(var):
            return check_project(os.environ[var], f"nbtrack.init: the project in ${var}")
    return DEFAULT_PROJECT


def _run_id(run_id: Any) -> str:
    """The id of a new run: the argument, else WANDB_RUN_ID, else a new one; checked."""
    if run_id is not None and run_id != "":
        return check_run_id(run_id)
    if os.environ.get("WANDB_RUN_ID"):
        return check_run_id(os.environ["WANDB_RUN_ID"], "nbtrack.init: the id in $WANDB_RUN_ID")
    return new_run_id()


def init(
    project: str | None = None,
    name: str | None = None,
    config: Mapping[str, Any] | Any = None,
    notes: str | None = None,
    tags: Sequence[str] | None = None,
    group: str | None = None,
    job_type: str | None = None,
    dir: str | os.PathLike[str] | None = None,
    resume: bool | str | None = None,
    reinit: bool | str | None = None,
    id: str | None = None,
    mode: str | None = None,
    live: bool | None = None,
    store: str | None = None,
    **wandb_kwargs: Any,
) -> Run:
    """Start a run and make it the active one; returns the Run (usable as a context manager).

    Takes wandb's arguments; the ones that only mean something to wandb's servers
    (entity, anonymous, settings, ...) are accepted and ignored. `dir` (or NBTRACK_DIR)
    names the store directory, default ./nbtrack. `mode="disabled"` keeps nothing.
    `resume="allow"|"must"|True` with `id` continues a stored run. `live=False` shows no
    live panel in a notebook. `store="postgresql://user@host/db"` (or NBTRACK_STORE) also
    ships the run to the team store on PostgreSQL: it is written locally first and shipped
    in the background, so training goes on while the server is unreachable.
    """
    policy = _REINIT.get(reinit)
    if policy is None:
        raise ValueError(f"nbtrack.init: reinit must be one of {sorted(k for k in _REINIT if isinstance(k, str))}.")
    previous = active()
    if previous is not None:
        if policy == "return_previous":
            return previous
        if policy == "finish_previous":
            previous.finish()
    project = _project(project)
    name = _check_str("name", name) or os.environ.get("WANDB_NAME") or new_run_name()
    cfg = Config(config)
    if mode not in (None, "online", "offline", "disabled", "shared"):
        raise ValueError("nbtrack.init: mode must be 'online', 'offline' or 'disabled'.")
    store_dir = None if mode == "disabled" else resolve_store_dir(dir)
    team = None if mode in ("disabled", "offline") else team_url(store)
    record: RunRecord = {
        "id": _run_id(id),
        "project": project,
        "name": name,
        "notes": _check_str("notes", notes),
        "tags": _check_tags(tags),
        "group": _check_str("group", group),
        "job_type": _check_str("job_type", job_type),
        "state": "running",
        "exit_code": None,
        "created_at": time.time(),
        "finished_at": None,
        "heartbeat_at": time.time(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_started_at": process_started_at(),
        "config": cfg.as_dict(),
        "summary": {},
        "metrics": {},
        "environment": {},
        "last_step": -1,
    }
    fresh_created_at = record["created_at"]
    for hook in list(init_hooks):
        hook(record, cfg, store_dir)
    continued = record["created_at"] != fresh_created_at  # a hook continued a stored run (a sweep's)
    store_handle = store_at(store_dir) if store_dir is not None else None
    if store_handle is not None:
        if resume:
            _resume_into(record, cfg, store_handle, resume)
        elif not continued and (id is not None or os.environ.get("WANDB_RUN_ID")):
            _refuse_taken_id(record["id"], store_handle)
    writer = None
    if store_handle is not None:
        writer = live_writers.open_run(store_handle, record, flush_interval=_env_seconds("NBTRACK_FLUSH_INTERVAL", 1.0),
                                       lock_timeout=_env_seconds("NBTRACK_LOCK_TIMEOUT", 10.0),
                                       resume=bool(resume) or continued)
        cfg.bind(lambda data: writer.update_run({"config": data}))
    run = Run(record, cfg, writer, store_handle, before_finish=capture_at_finish, on_finish=forget)
    run.set_init_options(InitOptions(entity=wandb_kwargs.get("entity"), mode=mode, settings=wandb_kwargs.get("settings"),
                                     resumed=record["created_at"] != fresh_created_at))
    if writer is not None and team is not None:
        run.team_shipper = _team_shipper(writer.store, team, record["id"])
    if writer is not None:
        from .tracking._system_metrics import start_monitor

        run.system_monitor = start_monitor(run)
    run.capture_thread = capture_at_init(run)
    active_runs.add(run)
    on_termination(_finish_all_on_signal)
    _publish(run)
    shell = notebook_hooks.install()
    if shell is None:
        _watch_script_exit()
        where = f"stored in {store_dir}" if store_dir is not None else "kept nowhere (mode='disabled')"
        if run.team_shipper is not None:
            where += f", shipped to {run.team_shipper.location}"
        print(f"nbtrack: run {run.name} ({run.id}) in project {run.project!r}, {where}", file=sys.stderr)
    elif _live_enabled(live, shell):
        from .live import LiveFeed

        feed = LiveFeed(
            {"id": run.id, "name": run.name, "project": run.project, "state": "running", "started_at": run.start_time},
            store_dir=store_dir,
        )
        run.attach_live(feed)
        feed.show()
    return run


def _team_shipper(store: Store, url: str, run_id: str) -> Any:
    """Ship the run to the team store from this process's shipper of ``store``."""
    # loads the PostgreSQL driver: only for a run that names a team store
    from .store.postgres.shipper import shipper_for

    shipper = shipper_for(store, url)
    shipper.track(run_id)
    return shipper


def _resume_into(record: RunRecord, cfg: Config, store: Store, resume: bool | str) -> None:
    """Continue a stored run: its fields, config and step come from the store.

    If the store cannot be read in time (locked by another process, say), the run starts
    anyway with one warning; its writer merges it into the stored run when it can.
    """
    try:
        stored = _stored_run(store, record["id"])
    except OSError as exc:
        warnings.warn(f"nbtrack.init: could not read run {record['id']!r} in {store.root} to resume it "
                      f"({type(exc).__name__}: {exc}); it is merged into the stored run when the store is "
                      "free, and its steps count from 0.", NbtrackStorageWarning, stacklevel=3)
        return
    if stored is None:
        if resume == "must":
            raise UsageError(f"nbtrack.init(resume='must'): no run with id {record['id']!r} in {store.root}.")
        return
    if resume == "never":
        raise UsageError(f"nbtrack.init(resume='never'): run {record['id']!r} already exists in {store.root}.")
    for key in ("project", "name", "notes", "tags", "group", "job_type", "created_at", "summary", "metrics", "last_step"):
        if stored.get(key) is not None:
            record[key] = stored[key]
    cfg.update({**(stored.get("config") or {}), **cfg.as_dict()})
    record["config"] = cfg.as_dict()


def _stored_run(store: Store, run_id: str) -> RunRecord | None:
    # the reader loads pandas and pyarrow (~0.3 s cold): only when a stored run is asked for
    from .store.reader import StoreReader

    return StoreReader(store, lock_timeout=RESUME_READ_TIMEOUT).run(run_id)


def _refuse_taken_id(run_id: str, store: Store) -> None:
    """An explicit id without ``resume`` must be new: one run, one history (as wandb)."""
    try:
        stored = _stored_run(store, run_id)
    except OSError:
        return  # the writer finds out when it stores the run, and gives it a new id
    if stored is not None:
        raise UsageError(
            f"nbtrack.init: a run with id {run_id!r} already exists in {store.root} (state "
            f"{stored.get('state')}). Pass resume='allow' to continue it, or leave out id= for a new run."
        )


def _env_seconds(name: str, default: float) -> float:
    """Seconds from an environment variable (NBTRACK_FLUSH_INTERVAL: between writes, so what
    kill -9 loses at most; NBTRACK_LOCK_TIMEOUT: the store lock wait before a try counts as
    failed)."""
    try:
        return max(0.05, float(os.environ.get(name, default)))
    except ValueError:
        return default


def _live_enabled(live: bool | None, shell: Any) -> bool:
    if live is not None:
        return bool(live)
    if os.environ.get("NBTRACK_LIVE", "1").lower() in ("0", "false", "no", "off"):
        return False
    return notebook_hooks.is_kernel(shell)


def forget(run: Run) -> None:
    """The on-finish callback init() hands each Run: the run is no longer open."""
    active_runs.remove(run)
    if run.team_shipper is not None:
        run.team_shipper.release(run.id)
    _publish(active())


def _publish(run: Run | None) -> None:
    package = sys.modules.get(__package__ or "nbtrack")
    if package is None:
        return
    # the package's namespace: nbtrack.run, nbtrack.log, nbtrack.config, nbtrack.summary;
    # nbtrack.log is the active run's own method (one call less on the hot path, as wandb does)
    vars(package).update(
        run=run,
        log=run.log if run is not None else log,
        config=run.config if run is not None else NoActiveRun("config"),
        summary=run.summary if run is not None else NoActiveRun("summary"),
    )


# -- module-level API --------------------------------------------------------------------


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
    """Log metrics to the active run (see `Run.log`)."""
    run = active_runs.active()
    if run is None:
        raise no_active_run("nbtrack.log()")
    run.log(data, step, commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the active run (a no-op without one)."""
    run = active()
    if run is not None:
        run.finish(exit_code=exit_code)


def define_metric(name: str, step_metric: str | None = None, step_sync: bool | None = None, hidden: bool | None = None,
                  summary: str | None = None, goal: str | None = None, overwrite: bool | None = None) -> Any:
    """Define how a metric is summarised on the active run (see `Run.define_metric`)."""
    return require("nbtrack.define_metric()").define_metric(name, step_metric, step_sync, hidden, summary, goal, overwrite)


def save(glob_str: str | os.PathLike[str], base_path: str | None = None, policy: str = "live") -> list[str]:
    """Keep files with the active run (see `Run.save`)."""
    return require("nbtrack.save()").save(glob_str, base_path, policy)


def watch(models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
          idx: int | None = None, log_graph: bool = False) -> None:
    """Watch a PyTorch model on the active run (see `Run.watch`)."""
    require("nbtrack.watch()").watch(models, criterion, log, log_freq, idx, log_graph)


def log_artifact(artifact_or_path: Any, name: str | None = None, type: str | None = None,
                 aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
    """Log an artifact with the active run (see `Run.log_artifact`)."""
    return require("nbtrack.log_artifact()").log_artifact(artifact_or_path, name, type, aliases, tags)


def use_artifact(artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                 use_as: str | None = None) -> Any:
    """Use an artifact in the active run (see `Run.use_artifact`)."""
    return require("nbtrack.use_artifact()").use_artifact(artifact_or_name, type, aliases, use_as)


def login(*args: Any, **kwargs: Any) -> bool:
    """No account is needed: runs stay on this machine. Kept so wandb code runs as is."""
    print("nbtrack: no login needed; runs are kept in a local DuckDB file.", file=sys.stderr)
    return True


# -- the end of the process --------------------------------------------------------------


def _watch_script_exit() -> None:
    if getattr(sys.excepthook, "_nbtrack", False):
        return
    previous = sys.excepthook

    def hook(exc_type: Any, exc: BaseException, tb: Any) -> None:
        _exit_exception.append(exc)
        previous(exc_type, exc, tb)

    hook._nbtrack = True  # type: ignore[attr-defined] # marks our hook so a second init() does not wrap it again
    sys.excepthook = hook


def _finish_all_on_signal(signum: int) -> None:
    """SIGTERM/SIGHUP: every open run reads killed and is written out before the signal acts."""
    for run in reversed(active_runs.open_runs()):
        try:
            run.finish(exit_code=128 + signum, state="killed")
        except Exception:  # boundary: the signal must still do what it did before
            _log.debug("finishing run %s on signal %d failed", run.id, signum, exc_info=True)
    live_writers.flush_all(timeout=FLUSH_ON_SIGNAL)


def _finish_all_at_exit() -> None:
    exc = _exit_exception[0] if _exit_exception else None
    for run in reversed(active_runs.open_runs()):
        try:
            if isinstance(exc, KeyboardInterrupt):
                run.finish(exit_code=1, state="killed")
            else:
                run.finish(exit_code=1 if exc is not None else None)
        except Exception:  # boundary: never fail the interpreter's exit
            _log.debug("finishing run %s at exit failed", run.id, exc_info=True)
    wait_for_captures()


at_exit(_finish_all_at_exit)
