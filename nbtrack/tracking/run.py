"""The Run: one training run's step/commit rules, config, summary and files.

`log()` is the hot path: it flattens the payload, merges it into the pending step and,
on commit, appends one `HistoryRow` (its values, then `_step` and `_timestamp`) to the store writer's list (and to the live panel's
list when one is shown). It never touches the disk and never raises for storage
trouble; the writer thread does the I/O.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..flatten import RESERVED_KEYS, flatten_row, is_media, to_storable
from ..names import check_tags
from ..run_identity import InitOptions
from ..store.records import STEP_KEY, TIME_KEY, history_row
from ._saved_files import SavedFileWatcher, absolute_glob_warning, check_policy, expand_save
from ._wandb_methods import WandbRunMethods
from .alerts import AlertLog
from .config import Config
from .summary import MetricDefinition, Summary, parse_summary

if TYPE_CHECKING:
    from ..api import Api
    from ..live import LiveFeed
    from ..store.records import RunRecord, RunState
    from ..store.run_writer import RunWriter
    from ..store.store import Store

_FAST_VALUES = frozenset({int, float, bool, str})
_now = time.time


#: How often (seconds) the summary is handed to the writer while steps are committed.
SUMMARY_PUSH_INTERVAL = 1.0
#: the folder of the store that holds each run's run.dir
RUN_FILES_DIR = "run-files"
#: How long finish() waits for the run to be on disk before it goes on without (seconds).
FINISH_WAIT = 2.0
#: The largest step log() accepts: 2**53 - 1, the largest integer a float64 (the live
#: panel's and the browser's numbers, DuckDB's DOUBLE casts) holds exactly; history
#: steps are BIGINT, so a step past 2**63 would be lost in conversion.
MAX_STEP = 2**53 - 1


class _Discard(list[Any]):
    """The rows list of a run that keeps nothing (mode="disabled")."""

    def append(self, item: Any) -> None:  # list protocol
        pass


class Run(WandbRunMethods):
    """A run started by `nbtrack.init()`; wandb's `Run` API for notebooks."""

    def __init__(
        self, record: RunRecord, config: Config, writer: RunWriter | None, store: Store | None,
        before_finish: Callable[[Run], None] | None = None, on_finish: Callable[[Run], None] | None = None,
    ) -> None:
        """Made by `nbtrack.init()`: `writer` and `store` are None when the run keeps nothing
        (mode="disabled"); `before_finish` runs at finish before the final record is written
        (the session stores the executed cells), `on_finish` after (the session forgets the run)."""
        self._record = record
        self.id: str = record["id"]
        self.project: str = record["project"]
        self._name: str = record["name"]
        self._notes: str | None = record.get("notes")
        self._tags: tuple[str, ...] = tuple(record.get("tags") or ())
        self.group: str | None = record.get("group")
        self.job_type: str | None = record.get("job_type")
        self.start_time: float = record["created_at"]
        #: the store the run is kept in (None with mode="disabled"), and its directory
        self.store: Store | None = store
        self.store_dir: Path | None = store.root if store is not None else None
        self._files_dir: str | None = None  # run.dir, made on first use
        self._kept = SavedFileWatcher()  # every file kept, as it was when kept
        self.config = config
        self.summary = Summary(on_change=self._push_summary, convert=self._summary_value)
        self.summary.restore(record.get("summary") or {})  # a resumed run keeps its summary
        self._observe = self.summary.observe
        self._remember = self.summary.remember
        self._writer: RunWriter | None = writer
        self._append_row = writer.rows.append if writer is not None else _Discard().append
        self._writer_warming = writer is not None  # until its first commit (see StoreWriter.wait_ready)
        self._live: LiveFeed | None = None
        self._append_live: Any = None
        self._live_cell_pending = False  # set by the notebook hooks on each new cell
        self._step = int(record.get("last_step", -1)) + 1
        self._pending: dict[str, Any] = {}
        self._next_summary_push = 0.0
        self._warned_out_of_order = False
        self._live_files = SavedFileWatcher()  # saved with policy "live": kept again at finish if changed
        self._end_files: list[tuple[str, str]] = []
        self._finished = False
        self.capture_thread: threading.Thread | None = None
        self.system_monitor: Any = None  # nbtrack.tracking._system_metrics.SystemMonitor, started by init()
        self.team_shipper: Any = None  # nbtrack.store.postgres.shipper.Shipper, when init(store=URL)
        self._state: RunState = "running"
        self._lock = threading.Lock()  # guards finish() against a concurrent atexit finish
        self._fast = False  # log()'s fast path; decided after each slow call (see _fast_allowed)
        self._before_finish = before_finish  # e.g. store the cells executed by now
        self._on_finish = on_finish  # e.g. the session forgets the run
        if writer is not None:
            writer.on_new_id = self._new_id
        self._options = InitOptions()  # what init() was given beyond the record (set_init_options)
        self.preempting = False  # set by mark_preempting()
        self._alerts = AlertLog(self)

    # -- identity ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The run's display name (settable)."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = str(value)
        self._update({"name": self._name})

    def _label(self, code: str | None = None, repo: str | None = None, code_version: str | None = None,
               **kwargs: Any) -> None:
        """wandb's telemetry label for the integration that made the run (transformers
        calls it); nbtrack sends no telemetry, so it only keeps the name."""
        self._integration_label = code

    @property
    def sweep_id(self) -> str | None:
        """The sweep that chose this run's config (``nbtrack.agent``), else None."""
        return self._record.get("sweep_id")

    @property
    def notes(self) -> str | None:
        """The run's notes (settable: `run.notes = "..."` is stored)."""
        return self._notes

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._notes = None if value is None else str(value)
        self._update({"notes": self._notes})

    @property
    def tags(self) -> tuple[str, ...]:
        """The run's tags (settable: `run.tags = run.tags + ("best",)` is stored)."""
        return self._tags

    @tags.setter
    def tags(self, value: Any) -> None:
        self._tags = tuple(check_tags(value, "run.tags"))
        self._update({"tags": list(self._tags)})

    @property
    def dir(self) -> str:
        """The run's own folder (wandb's ``run.dir``): files written here are kept with
        the run when it finishes. ``<store>/run-files/<id>``; a temporary folder when the
        run keeps nothing (mode="disabled")."""
        if self._files_dir is None:
            if self.store_dir is not None:
                folder = Path(self.store_dir) / RUN_FILES_DIR / self.id
                folder.mkdir(parents=True, exist_ok=True)
            else:
                folder = Path(tempfile.mkdtemp(prefix=f"nbtrack-{self.id}-"))
            self._files_dir = str(folder)
        return self._files_dir

    @property
    def store_writer(self) -> RunWriter | None:
        """The run's buffers in the store writer (None with mode="disabled"): how the
        artifacts, alerts and code capture hand it files and operations."""
        return self._writer

    def read_api(self) -> Api:
        """The read API over this run's store (what its artifacts answer `logged_by()` from)."""
        from ..api import Api  # loads pyarrow/pandas: only when asked

        return Api(dir=self.store_dir)

    def with_lineage(self, artifact: Any) -> Any:
        """`artifact`, answering `logged_by()` / `used_by()` from this run's store."""
        if self.store_dir is not None and artifact is not None:
            artifact.bind_lineage(self.read_api)
        return artifact

    @property
    def step(self) -> int:
        """The step the next committed log() lands on."""
        return self._step

    @property
    def state(self) -> RunState:
        """running, finished, failed, crashed or killed."""
        return self._state

    @property
    def finished(self) -> bool:
        """True once finish() was called."""
        return self._finished

    def __repr__(self) -> str:
        return f"<nbtrack.Run {self._name!r} id={self.id} project={self.project!r} state={self._state}>"

    # -- logging -------------------------------------------------------------------------
    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
        """Record metrics for a step, with wandb's rules.

        Without `step`, each call commits a new step unless `commit=False`, in which case
        values accumulate into the current step. With `step`, values merge into that step
        until a higher step arrives (or `commit=True`). A step lower than the current one
        is stored anyway, with one warning (wandb drops it silently). A step must be an
        integer from 0 to `MAX_STEP` (2**53 - 1, the largest a browser's number holds
        exactly); others raise ValueError and nothing of the call is logged.
        """
        if self._fast and step is None and commit is None and type(data) is dict:
            # The common call, log({"loss": 0.1, ...}) between plain steps, in as few
            # operations as possible: it runs on every step of the user's loop.
            for key, value in data.items():  # the same test as flatten_row's fast path
                if (type(key) is not str or type(value) not in _FAST_VALUES or not key
                        or key in RESERVED_KEYS or "\x00" in key):
                    break
            else:
                row = data.copy()
                self._remember(row)  # the summary's last values (no define_metric here)
                row[STEP_KEY] = step = self._step
                self._step = step + 1
                row[TIME_KEY] = now = _now()
                self._append_row(row)
                if self._append_live is not None:
                    self._append_live(row)
                if now >= self._next_summary_push:
                    self._next_summary_push = now + SUMMARY_PUSH_INTERVAL
                    self._update({"summary": self.summary.as_dict(), "last_step": step})
                return
        if self._finished:
            raise UsageError(f"run {self._name!r} is finished; start a new one with nbtrack.init() before log().")
        if type(data) is not dict and not isinstance(data, Mapping):  # the exact-type test is the fast path
            raise TypeError(
                f"nbtrack.log expects a dict of metrics such as {{'loss': 0.1}}, got {type(data).__name__}."
            )
        if step is not None and (type(step) is not int or not 0 <= step <= MAX_STEP):
            step = _as_step(step)  # before flattening: a refused call stores nothing (no media either)
        row = flatten_row(data, self._media)
        if step is None:
            if commit is None or commit:
                if self._pending:
                    self._pending.update(row)
                    row = self._pending
                    self._pending = {}
                self._commit_row(row)
            else:
                self._pending.update(row)
        else:
            if step > self._step:
                if self._pending:
                    self._commit()
                self._step = step
            elif step < self._step:
                self._log_out_of_order(step, row)
                return
            self._pending.update(row)
            if commit:
                self._commit()
        if self._live_cell_pending:
            self._show_live_in_cell()
        self._fast = self._fast_allowed()

    def _fast_allowed(self) -> bool:
        """Whether the next plain log() may take the fast path (nothing pending or special)."""
        return not (self._finished or self._pending or self._writer_warming or self._live_cell_pending
                    or self.summary.has_definitions)

    @property
    def live_cell_pending(self) -> bool:
        """Set by the notebook hooks on each new cell: the next log() shows the panel there."""
        return self._live_cell_pending

    @live_cell_pending.setter
    def live_cell_pending(self, value: bool) -> None:
        self._live_cell_pending = bool(value)
        self._fast = self._fast_allowed()

    def _commit(self) -> None:
        row = self._pending
        self._pending = {}
        self._commit_row(row)

    def _commit_row(self, row: dict[str, Any]) -> None:
        step = self._step
        self._step = step + 1
        if not row:
            return
        if self._writer_warming and self._writer is not None:  # warming is only ever set with a writer
            self._writer_warming = False
            self._writer.wait_ready()
        if STEP_KEY in row or TIME_KEY in row:  # a user's own "_step": the run's own wins, and goes last
            row.pop(STEP_KEY, None)
            row.pop(TIME_KEY, None)
        self._observe(row)
        now = time.time()
        row[STEP_KEY] = step  # the row is now a HistoryRow: values, then step and time
        row[TIME_KEY] = now
        self._append_row(row)
        if self._append_live is not None:
            self._append_live(row)
        if now >= self._next_summary_push:
            self._next_summary_push = now + SUMMARY_PUSH_INTERVAL
            self._update({"summary": self.summary.as_dict(), "last_step": step})

    def _log_out_of_order(self, step: int, row: dict[str, Any]) -> None:
        if not self._warned_out_of_order:
            self._warned_out_of_order = True
            warnings.warn(
                f"nbtrack.log: step {step} is lower than the current step {self._step}; it is stored "
                "anyway as its own row (wandb would drop it). Later out-of-order steps are stored "
                "without this warning.",
                stacklevel=3,
            )
        entry = history_row(step, time.time(), row)
        self._append_row(entry)
        if self._append_live is not None:
            self._append_live(entry)
        self._observe(row)

    def _media(self, key: str, value: Any) -> Any:
        """Turn media (and matplotlib/plotly figures) into stored references; the writer keeps their bytes."""
        from ..media import as_media, media_blobs, media_path, media_ref

        value = as_media(value)
        ref = media_ref(value)
        if self._writer is not None:
            for sha, data in media_blobs(value):
                self._writer.add_file(media_path(ref, sha), "media", data=data)
            if isinstance(ref, dict) and ref.get("_type") == "table":  # also the artifact run-<id>-<key>, as wandb
                from ..artifacts.run_tables import log_run_table

                log_run_table(self, key, ref)
        return ref

    def _summary_value(self, key: str, value: Any) -> Any:
        """A value set with `run.summary[key] = value`: media are stored as with log();
        anything else is made plain data by the summary (an array stays a list)."""
        if is_media(value) or (isinstance(value, (list, tuple)) and value and all(is_media(v) for v in value)):
            return to_storable(key, value, self._media)
        return value

    def log_system(self, values: dict[str, float]) -> None:
        """Record machine/process samples (keys like "system/cpu") at the current step.

        Unlike log(), this commits nothing and leaves the step counter and summary alone,
        so a background sampler never shifts the user's steps.
        """
        if self._finished or not values:
            return
        entry = history_row(max(self._step - 1, 0), time.time(), values)
        self._append_row(entry)
        if self._append_live is not None:
            self._append_live(entry)

    def watch(self, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
              idx: int | None = None, log_graph: bool = False) -> None:
        """Log a PyTorch model's gradient and/or parameter histograms every `log_freq` steps."""
        from ..integrations.torch import watch

        watch(self, models, criterion=criterion, log=log, log_freq=log_freq, idx=idx, log_graph=log_graph)

    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
    ) -> MetricDefinition:
        """Say how a metric (or glob such as "val/*") is summarised and plotted."""
        if not isinstance(name, str) or not name:
            raise TypeError("define_metric: name must be a non-empty string such as 'val/loss' or 'val/*'.")
        if goal is not None and goal not in ("minimize", "maximize"):
            raise ValueError("define_metric: goal must be 'minimize' or 'maximize'.")
        definition = self.summary.define(
            MetricDefinition(name, step_metric, parse_summary(summary), goal, bool(hidden))
        )
        definitions = self.summary.definitions()
        self._update({"metrics": definitions})
        self._fast = self._fast_allowed()
        if self._live is not None:
            self._live.set_metrics(definitions)
        return definition

    # -- files ---------------------------------------------------------------------------
    def save(self, glob_str: str | os.PathLike[str], base_path: str | None = None, policy: str = "live") -> list[str]:
        """Keep files with the run (content-addressed beside the store).

        The glob expands now. "now" copies them now, "live" now and again at finish if
        they changed, "end" at finish. Returns the names the files have in the run. A glob
        inside ``run.dir`` names files relative to it (as wandb does).
        """
        check_policy(policy)
        if base_path is None and self._files_dir is not None and _inside(str(glob_str), self._files_dir):
            base_path = self._files_dir
        note = absolute_glob_warning(str(glob_str), base_path)
        if note:
            warnings.warn(note, stacklevel=2)
        matches = expand_save(str(glob_str), base_path)
        if not matches:
            warnings.warn(f"nbtrack.save: nothing matches {str(glob_str)!r}; no file saved.", stacklevel=2)
            return []
        for name, path in matches:
            if policy == "end":
                self._end_files.append((name, str(path)))
                continue
            self._save_file(name, str(path))
            if policy == "live":
                self._live_files.add(name, path)
        return [name for name, _ in matches]

    def _save_file(self, name: str, path: str) -> None:
        if self._writer is not None:
            self._kept.add(name, path)
            self._writer.add_file(name, "file", source_path=path)

    def _save_run_dir(self) -> None:
        """At finish: keep what was written into run.dir (not already kept unchanged)."""
        if self._files_dir is None or self._writer is None:
            return
        for folder, _, names in os.walk(self._files_dir):
            for fname in sorted(names):
                path = os.path.join(folder, fname)
                name = os.path.relpath(path, self._files_dir).replace(os.sep, "/")
                if not self._kept.unchanged(name, path):
                    self._save_file(name, path)

    # -- artifacts -----------------------------------------------------------------------
    def log_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,
                     aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
        """Log an Artifact (or a file/directory path) as its next version; returns the
        Artifact at once, its ``version`` known after ``artifact.wait()``."""
        from ..artifacts.runside import log_artifact  # loads pyarrow: only when an artifact is logged

        return self.with_lineage(log_artifact(self, artifact_or_path, name, type, aliases, tags))

    def use_artifact(self, artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                     use_as: str | None = None) -> Any:
        """Record that this run uses an artifact ("name:alias", "name:v3" or an Artifact); returns it."""
        from ..artifacts.runside import use_artifact  # loads pyarrow: only when an artifact is used

        return self.with_lineage(use_artifact(self, artifact_or_name, type, aliases, use_as))

    # -- store updates -------------------------------------------------------------------
    def _update(self, fields: RunRecord) -> None:
        if self._writer is not None:
            self._writer.update_run(fields)

    def _push_summary(self) -> None:
        self._update({"summary": self.summary.as_dict()})

    # -- live panel ----------------------------------------------------------------------
    def attach_live(self, live: LiveFeed) -> None:
        """Feed a live panel with every committed row from now on (and the definitions
        that say which metrics are x axes or hidden)."""
        self._live = live
        self._append_live = live.rows.append
        definitions = self.summary.definitions()
        if definitions:
            live.set_metrics(definitions)

    @property
    def live(self) -> LiveFeed | None:
        """The live panel of this run, if one is shown."""
        return self._live

    def _show_live_in_cell(self) -> None:
        self._live_cell_pending = False
        if self._live is not None:
            self._live.show()

    # -- the end -------------------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None, *, state: RunState | None = None) -> None:
        """End the run: state finished (exit_code 0/None) or failed; returns at once.

        The last rows reach the disk on the writer thread; the process waits for them at
        exit, and readers in this process wait for them before reading.
        """
        with self._lock:
            if self._finished:
                return
            self._finished = True
            self._fast = False
        if self.system_monitor is not None:
            self.system_monitor.stop()
        if self._pending:
            self._commit()
        final: RunState = state or ("finished" if not exit_code else "failed")
        self._state = final
        changed = [(name, str(path)) for name, path in self._live_files.changed()]
        for name, path in self._end_files + changed:
            if os.path.exists(path):
                self._save_file(name, path)
        self._save_run_dir()
        if self._before_finish is not None:
            self._before_finish(self)
        self._update(
            {
                "state": final,
                "exit_code": exit_code,
                "finished_at": time.time(),
                "summary": self.summary.as_dict(),
                "last_step": self._step - 1,
            }
        )
        self._write_out()
        if self._live is not None:
            self._live.set_state(final, self.summary.as_dict())
            self._live.close()
        if self._on_finish is not None:
            self._on_finish(self)

    def _write_out(self) -> None:
        """Durable finish: wait (at most FINISH_WAIT s) until the run is on disk.

        The writer keeps up while the run logs, so this writes only the last interval.
        Under storage trouble the run stays in memory and is retried in the background
        (the process waits for it at exit): finish does not wait then, and says so once
        per episode, not once per run.
        """
        writer = self._writer
        if writer is None:
            return
        deadline = time.monotonic() + FINISH_WAIT
        capture = self.capture_thread
        if capture is not None and capture.is_alive():
            capture.join(FINISH_WAIT / 2)  # the code snapshot found at init goes with the run
        writer.close()
        if not writer.failing:
            writer.flush(max(0.05, deadline - time.monotonic()))
        if writer.failing:
            # A write merely waiting its turn at the lock lands shortly (and any read in
            # this process waits for it first): only trouble is worth a word.
            writer.warn_pending_at_finish(self._name)

    def _new_id(self, run_id: str) -> None:
        """The store gave this run a new id (its own was taken by another run)."""
        self.id = run_id

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.finish()
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish(exit_code=1, state="killed")
        else:
            self.finish(exit_code=1)


def _as_step(step: Any) -> int:
    if isinstance(step, bool):
        raise TypeError(f"nbtrack.log: step must be an integer, got {step!r}.")
    try:
        value = int(step)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"nbtrack.log: step must be an integer, got {step!r}.") from None
    if value != step:
        raise TypeError(f"nbtrack.log: step must be an integer, got {step!r}.")
    if not 0 <= value <= MAX_STEP:
        raise ValueError(f"nbtrack.log: step must be between 0 and {MAX_STEP} (2**53 - 1), got {value}; "
                         "nothing of this call was logged.")
    return value


def _inside(path: str, folder: str) -> bool:
    full = os.path.abspath(os.path.expanduser(path))
    return os.path.isabs(os.path.expanduser(path)) and full.startswith(os.path.abspath(folder) + os.sep)

