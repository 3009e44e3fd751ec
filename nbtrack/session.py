"""The process's runs and the module-level API: `nbtrack.init()`, `nbtrack.log()`, ...

In a notebook a new `init()` finishes the previous run (as wandb does), so re-running a
cell never leaves a zombie run behind. At interpreter exit every run still open is
finished (failed when a script died of an exception, killed on KeyboardInterrupt) and the
writers drain to disk.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Callable

from . import notebook_hooks
from .exit_hooks import at_exit
from .run_config import Config
from .errors import NoActiveRun, UsageError, no_active_run
from .names import new_run_id, new_run_name
from .tracked_run import Run
from .store import live_writers as _live_writers  # noqa: F401 - registered first, its exit drain runs after ours
from .store.paths import resolve_store_dir
from .store.records import RunRecord

DEFAULT_PROJECT = "uncategorized"
_REINIT = {
    None: "finish_previous",
    True: "finish_previous",
    False: "return_previous",
    "default": "finish_previous",
    "finish_previous": "finish_previous",
    "return_previous": "return_previous",
    "create_new": "create_new",
}

_runs: list[Run] = []  # open runs, the active one last
#: Called by init() with the new run's record, its config and the store directory (None
#: for mode="disabled") before the run starts, to add to them (the sweep agent hands its
#: sampled config and the run's sweep this way).
init_hooks: list[Callable[[RunRecord, Config, Path | None], None]] = []
_exit_exception: list[BaseException] = []


def active() -> Run | None:
    """The active run, or None."""
    return _runs[-1] if _runs else None


def require(what: str) -> Run:
    """The active run, or a UsageError saying to call init() first."""
    if not _runs:
        raise no_active_run(what)
    return _runs[-1]


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
    **wandb_kwargs: Any,
) -> Run:
    """Start a run and make it the active one; returns the Run (usable as a context manager).

    Takes wandb's arguments; the ones that only mean something to wandb's servers
    (entity, anonymous, settings, ...) are accepted and ignored. `dir` (or NBTRACK_DIR)
    names the store directory, default ./nbtrack. `mode="disabled"` keeps nothing.
    `resume="allow"|"must"|True` with `id` continues a stored run. `live=False` shows no
    live panel in a notebook.
    """
    policy = _REINIT.get(reinit)  # type: ignore[arg-type]
    if policy is None:
        raise ValueError(f"nbtrack.init: reinit must be one of {sorted(k for k in _REINIT if isinstance(k, str))}.")
    previous = active()
    if previous is not None:
        if policy == "return_previous":
            return previous
        if policy == "finish_previous":
            previous.finish()
    project = _check_str("project", project) or os.environ.get("NBTRACK_PROJECT") or os.environ.get("WANDB_PROJECT") or DEFAULT_PROJECT
    name = _check_str("name", name) or os.environ.get("WANDB_NAME") or new_run_name()
    cfg = Config(config)
    if mode not in (None, "online", "offline", "disabled", "shared"):
        raise ValueError("nbtrack.init: mode must be 'online', 'offline' or 'disabled'.")
    store_dir = None if mode == "disabled" else resolve_store_dir(dir)
    record: RunRecord = {
        "id": _check_str("id", id) or os.environ.get("WANDB_RUN_ID") or new_run_id(),
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
        "pid_started_at": _process_started_at(),
        "config": cfg.as_dict(),
        "summary": {},
        "metrics": {},
        "environment": {},
        "last_step": -1,
    }
    for hook in list(init_hooks):
        hook(record, cfg, store_dir)
    if store_dir is not None and resume:
        _resume_into(record, cfg, store_dir, resume)
    writer = None
    if store_dir is not None:
        from .store.store import Store
        from .store.writer import StoreWriter

        writer = StoreWriter(Store(store_dir), record, flush_interval=_flush_interval())
        writer.start()
        cfg.bind(lambda data: writer.update_run({"config": data}))
    run = Run(record, cfg, writer, store_dir)
    if writer is not None:
        from .system_metrics import start_monitor

        run.system_monitor = start_monitor(run)
    from .snapshot import capture_at_init

    run.capture_thread = capture_at_init(run)
    _runs.append(run)
    _publish(run)
    shell = notebook_hooks.install()
    if shell is None:
        _watch_script_exit()
        where = f"stored in {store_dir}" if store_dir is not None else "kept nowhere (mode='disabled')"
        print(f"nbtrack: run {run.name} ({run.id}) in project {run.project!r}, {where}", file=sys.stderr)
    elif _live_enabled(live, shell):
        from .live.session import LiveSession

        session = LiveSession(
            {"id": run.id, "name": run.name, "project": run.project, "state": "running", "started_at": run.start_time},
            store_root=str(store_dir) if store_dir is not None else None,
        )
        run.attach_live(session)
        session.show()
    return run


def _resume_into(record: RunRecord, cfg: Config, store_dir: Any, resume: bool | str) -> None:
    from .store.reader import StoreReader
    from .store.store import Store

    stored = StoreReader(Store(store_dir)).run(record["id"]) if record["id"] else None
    if stored is None:
        if resume == "must":
            raise UsageError(f"nbtrack.init(resume='must'): no run with id {record['id']!r} in {store_dir}.")
        return
    if resume == "never":
        raise UsageError(f"nbtrack.init(resume='never'): run {record['id']!r} already exists in {store_dir}.")
    for key in ("project", "name", "notes", "tags", "group", "job_type", "created_at", "summary", "metrics", "last_step"):
        if stored.get(key) is not None:
            record[key] = stored[key]  # type: ignore[literal-required]
    cfg.update({**(stored.get("config") or {}), **cfg.as_dict()})
    record["config"] = cfg.as_dict()


def _flush_interval() -> float:
    """Seconds between writes to disk (NBTRACK_FLUSH_INTERVAL, default 1; kill -9 loses at most this)."""
    try:
        return max(0.05, float(os.environ.get("NBTRACK_FLUSH_INTERVAL", "1.0")))
    except ValueError:
        return 1.0


def _live_enabled(live: bool | None, shell: Any) -> bool:
    if live is not None:
        return bool(live)
    if os.environ.get("NBTRACK_LIVE", "1").lower() in ("0", "false", "no", "off"):
        return False
    return notebook_hooks.is_kernel(shell)


_process_start: list[float] = []


def _process_started_at() -> float:
    if not _process_start:
        try:
            import psutil

            _process_start.append(psutil.Process().create_time())
        except Exception:  # noqa: BLE001 - liveness falls back to the heartbeat
            _process_start.append(0.0)
    return _process_start[0]


def forget(run: Run) -> None:
    """Called by Run.finish(): the run is no longer open."""
    if run in _runs:
        _runs.remove(run)
    _publish(active())


def _publish(run: Run | None) -> None:
    package = sys.modules.get(__package__ or "nbtrack")
    if package is None:
        return
    package.run = run  # type: ignore[attr-defined]
    # nbtrack.log is the active run's own method (one call less on the hot path, as wandb does)
    package.log = run.log if run is not None else log  # type: ignore[attr-defined]
    package.config = run.config if run is not None else NoActiveRun("config")  # type: ignore[attr-defined]
    package.summary = run.summary if run is not None else NoActiveRun("summary")  # type: ignore[attr-defined]


# -- module-level API --------------------------------------------------------------------


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
    """Log metrics to the active run (see `Run.log`)."""
    if not _runs:
        raise no_active_run("nbtrack.log()")
    _runs[-1].log(data, step, commit)


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


class Settings:
    """wandb's `Settings`, accepted so `init(settings=wandb.Settings(...))` runs as is.

    Its options tune wandb's service process and network, which nbtrack does not have.
    """

    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)

    def __repr__(self) -> str:
        return f"Settings({self.__dict__!r})"


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

    hook._nbtrack = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def _finish_all_at_exit() -> None:
    from .snapshot import wait_for_captures

    exc = _exit_exception[0] if _exit_exception else None
    for run in list(reversed(_runs)):
        try:
            if isinstance(exc, KeyboardInterrupt):
                run.finish(exit_code=1, state="killed")
            else:
                run.finish(exit_code=1 if exc is not None else None)
        except Exception:  # noqa: BLE001 - never fail the interpreter's exit
            pass
    wait_for_captures()


at_exit(_finish_all_at_exit)
