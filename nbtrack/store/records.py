"""Typed records that cross the boundary between a run and its store.

A run never talks SQL: it hands the store writer these records and committed history
rows, and the store reader gives them back. A future team store (a database server)
implements the same writer/reader contract over the same records.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

RunState = Literal["running", "finished", "failed", "crashed", "killed"]

#: The step and unix time of a history row, its last two keys (wandb's names).
STEP_KEY = "_step"
TIME_KEY = "_timestamp"

#: One committed history step as the run produces it: its flat values, then STEP_KEY and
#: TIME_KEY as the last two keys. Values are already flattened ("a/b" keys) and coerced:
#: int/float/bool for numbers, str for text, and a dict with a "_type" key (media
#: references, histograms) or a list for anything else that is JSON-serialisable.
#: A dict, not a (step, time, values) tuple: a dict of numbers is never tracked by
#: Python's cyclic garbage collector, while such a tuple stays tracked for good, and
#: 100k buffered steps then made every full collection of the user's process longer.
HistoryRow = dict[str, Any]


def history_row(step: int, ts: float, values: dict[str, Any]) -> HistoryRow:
    """A new history row: a copy of `values` with STEP_KEY and TIME_KEY last."""
    row = {k: v for k, v in values.items() if k != STEP_KEY and k != TIME_KEY}
    row[STEP_KEY] = step
    row[TIME_KEY] = ts
    return row


class RunRecord(TypedDict, total=False):
    """One run as the store keeps it (the `runs` table); partial dicts update a run."""

    id: str
    project: str
    name: str
    notes: str | None
    tags: list[str]
    group: str | None
    job_type: str | None
    state: RunState
    exit_code: int | None
    created_at: float  # unix seconds
    finished_at: float | None
    heartbeat_at: float  # unix seconds, refreshed by the writer while the run lives
    host: str
    pid: int
    pid_started_at: float  # process creation time, guards against pid reuse
    config: dict[str, Any]
    summary: dict[str, Any]
    metrics: dict[str, Any]  # define_metric definitions by name
    environment: dict[str, Any]
    last_step: int
    sweep_id: str | None  # the sweep that handed this run its config (nbtrack.agent)


class FileRecord(TypedDict):
    """A file kept with a run: saved files, code snapshots, media. Content lives in blobs."""

    run_id: str
    path: str  # name inside the run, e.g. "code/train.ipynb", "media/images/x_3_ab12.png"
    sha256: str
    size: int
    kind: Literal["file", "code", "media"]
    created_at: float
