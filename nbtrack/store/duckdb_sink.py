"""The sink of a local DuckDB store: every run's batch of one flush in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import IO, Any

import pyarrow as pa

from . import runsql
from .records import FileRecord, RunRecord
from .sink import BatchOutcome, OperationError, RunBatch
from .store import Store

_log = logging.getLogger(__name__)

#: stored fields a resumed run keeps when it is merged into its stored row
_KEPT_ON_RESUME = ("project", "name", "notes", "tags", "group", "job_type", "created_at")


class DuckDBSink:
    """Commits writer batches into a :class:`Store` under its exclusive lock."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.location = str(store.root)

    def has_blob(self, sha: str) -> bool:
        """True if the blob is stored."""
        return self.store.has_blob(sha)

    def put_blob(self, data: bytes, sha: str | None = None) -> str:
        """Store bytes as a blob; return the sha256 hex."""
        return self.store.put_blob(data, sha)

    def put_blob_stream(self, src: IO[bytes]) -> tuple[str, int]:
        """Store a stream as a blob; return (sha256, size)."""
        return self.store.put_blob_stream(src)

    def commit(self, batches: Sequence[RunBatch], timeout: float | None = 10.0) -> list[BatchOutcome]:
        """Insert history, upsert runs, add files and apply operations in ONE transaction.

        Takes the store's write lock for the duration; any failure rolls everything back.
        """
        with self.store.write(timeout=timeout) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                outcomes = _apply(con, batches)
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except Exception:  # boundary: the connection may be gone (close() rolls back); the first error is raised
                    _log.debug("ROLLBACK failed", exc_info=True)
                raise
        return outcomes


def _apply(con: Any, batches: Sequence[RunBatch]) -> list[BatchOutcome]:
    existing = runsql.existing_ids(con, [b.run_id for b in batches])
    outcomes: list[BatchOutcome] = []
    histories: list[pa.Table] = []
    files: list[FileRecord] = []
    for b in batches:
        there = b.run_id in existing
        if b.first and there and not b.resume:
            outcomes.append(BatchOutcome("conflict"))
        elif not b.first and not there:
            outcomes.append(BatchOutcome("deleted"))
        else:
            outcomes.append(BatchOutcome("stored"))
            histories.extend(_with_run_id(t, b.run_id) for t in b.history if t.num_rows)
            files.extend({**f, "run_id": b.run_id} for f in b.files)
    if histories:
        con.register("_nbtrack_batch", pa.concat_tables(histories) if len(histories) > 1 else histories[0])
        con.execute("INSERT INTO history SELECT run_id, step, ts, key, num, text, json FROM _nbtrack_batch")
        con.unregister("_nbtrack_batch")
    for b, outcome in zip(batches, outcomes):
        if outcome.status != "stored":
            continue
        if b.run_id not in existing:
            runsql.insert_run(con, b.run_id, b.update)
            existing.add(b.run_id)
        elif b.first and b.resume:
            runsql.update_run(con, b.run_id, _merged_into_stored(con, b.run_id, b.update))
        else:
            runsql.update_run(con, b.run_id, b.update)
    if files:
        con.register("_nbtrack_files", pa.Table.from_pylist(files))
        con.execute("INSERT INTO files SELECT run_id, path, sha256, size, kind, created_at FROM _nbtrack_files")
        con.unregister("_nbtrack_files")
    for b, outcome in zip(batches, outcomes):
        if outcome.status != "stored":
            continue
        for index, apply in enumerate(b.operations):
            try:
                outcome.results.append(apply(con))
            except Exception as exc:  # any error of one operation: wrapped to name it, bad_items decides
                raise OperationError(b.run_id, index, exc) from exc
    return outcomes


def _with_run_id(table: pa.Table, run_id: str) -> pa.Table:
    return table.add_column(0, "run_id", pa.repeat(pa.scalar(run_id, pa.string()), table.num_rows))


def _merged_into_stored(con: Any, run_id: str, update: RunRecord) -> RunRecord:
    """A resumed run's first batch, merged into what the store holds for it."""
    stored = runsql.stored_run(con, run_id) or {}
    merged: dict[str, Any] = {k: v for k, v in update.items() if k not in _KEPT_ON_RESUME or not stored.get(k)}
    for key in ("config", "summary", "metrics"):
        if isinstance(stored.get(key), dict) and key in update:
            merged[key] = {**stored[key], **(update.get(key) or {})}
    return merged  # type: ignore[return-value] # a dict of RunRecord keys, built from the update
