"""``StoreReader`` over the team store: the same read API, answered from PostgreSQL."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ..reader import StoreReader
from ..records import FileRecord, RunRecord
from .artifact_tables import names_artifact_tables
from .shipper import shippers_to
from .team_store import TeamStore

_HISTORY = re.compile(r"\bhistory\b", re.IGNORECASE)
#: set to 1 to bin curves in PostgreSQL instead of in the kernel
ENV_M4_IN_POSTGRES = "NBTRACK_M4_IN_POSTGRES"


class TeamReader(StoreReader):
    """Reads the team's runs; each call loads only the history it needs.

    Before reading, this process's shippers to the same database ship what they have
    (read-your-writes, a few seconds at most; skipped while the server is unreachable).
    """

    def __init__(self, store: TeamStore, flush_timeout: float = 5.0) -> None:
        super().__init__(store, flush_timeout=flush_timeout)  # type: ignore[arg-type] # a TeamStore reads like a Store
        self._team = store
        self._history_runs: Sequence[str] | None = ()
        self._history_keys: Sequence[str] | None = None
        self._numeric_only = False
        self._curve_px: int | None = None
        self._artifacts = False

    @contextmanager
    def _scope(self, history_runs: Sequence[str] | None, keys: Sequence[str] | None = None) -> Iterator[None]:
        previous = self._history_runs, self._history_keys
        self._history_runs, self._history_keys = history_runs, (list(keys) if keys is not None else None)
        try:
            yield
        finally:
            self._history_runs, self._history_keys = previous

    def _read(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        store = self._team
        for shipper in shippers_to(store.url):
            if not shipper.failing:
                shipper.flush(self.flush_timeout)
        return store.read(self._history_runs, history_keys=self._history_keys, numeric_only=self._numeric_only,
                          curve_px=self._curve_px, artifacts=self._artifacts)

    def runs(self, project: str | None = None, ids: Sequence[str] | None = None) -> list[RunRecord]:
        """Runs, newest first (no history is loaded)."""
        with self._scope(()):
            return super().runs(project, ids)

    def projects(self) -> list[str]:
        """Project names, sorted."""
        with self._scope(()):
            return super().projects()

    def files(self, run_id: str, kind: str | None = None) -> list[FileRecord]:
        """Files recorded for a run."""
        with self._scope(()):
            return super().files(run_id, kind)

    def history(self, run_id: str, keys: Sequence[str] | None = None) -> pa.Table:
        """Long history of one run."""
        with self._scope([run_id], keys):
            return super().history(run_id, keys)

    def history_wide(self, run_id: str, keys: Sequence[str] | None = None,
                     start_time: float | None = None) -> pd.DataFrame:
        """One row per step of one run."""
        with self._scope([run_id], keys):
            return super().history_wide(run_id, keys, start_time)

    def downsample(self, run_ids: Sequence[str], keys: Sequence[str] | None = None,
                   width_px: int = 800, x: str = "step") -> pa.Table:
        """M4-downsampled series of the given runs.

        By default DuckDB bins them in the kernel over what comes as Arrow: a short
        series' rows, a long one's curve levels (per-bucket extremes written when it was
        shipped, ``levels.py``; over the step only), so an overlay of 20 x 1M steps reads
        ~0.3M bucket rows, not 20M rows (see bench/bench_team_store.py); with
        ``NBTRACK_M4_IN_POSTGRES=1`` PostgreSQL bins them and only ~4 points per pixel
        column travel (for a server behind a slow link).
        """
        if os.environ.get(ENV_M4_IN_POSTGRES, "").lower() not in ("1", "true", "yes", "on"):
            with self._scope(list(run_ids), keys):
                self._numeric_only = True  # M4 reads numbers only: fetch no text/json
                self._curve_px = width_px if x == "step" else None  # long curves from their levels
                try:
                    return super().downsample(run_ids, keys, width_px, x)
                finally:
                    self._numeric_only = False
                    self._curve_px = None
        store = self._team
        for shipper in shippers_to(store.url):
            if not shipper.failing:
                shipper.flush(self.flush_timeout)
        return store.downsample(list(run_ids), keys, width_px, x)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pa.Table:
        """Read-only SQL over the team's tables (the whole history is loaded only for a
        query that names it)."""
        with self._scope(None if _HISTORY.search(sql) else ()):
            self._artifacts = names_artifact_tables(sql)  # artifacts and lineage: only when named
            try:
                return super().query(sql, params)
            finally:
                self._artifacts = False
