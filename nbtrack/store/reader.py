"""Read runs, history and files out of a store, holding the shared lock only briefly.

Every call first flushes this process's writer of the store (read-your-writes), then
takes the shared lock, copies the answer out (Arrow / Python objects) and releases it.
(The CLI also asks the writers of other processes to flush, see ``flush_requests``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from . import live_writers
from .downsample import downsample_sql
from .liveness import effective_state
from .pivot import pivot_history
from .records import FileRecord, RunRecord
from .runsql import from_row
from .sqlutil import fetch_table
from .store import Store

if TYPE_CHECKING:
    import duckdb

_HISTORY_COLS = "step, ts, key, num, text, json"
_LONG_COLS = "step, ts, key, num, text, json::VARCHAR AS json"


class StoreReader:
    """Read API over a :class:`Store`; states are reported as derived (crashed runs)."""

    def __init__(self, store: Store, lock_timeout: float = 10.0, flush_timeout: float = 5.0) -> None:
        self.store = store
        self.lock_timeout = lock_timeout
        self.flush_timeout = flush_timeout

    def _read(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        live_writers.flush_store(self.store, timeout=self.flush_timeout)
        return self.store.read(timeout=self.lock_timeout)

    # -- runs ----------------------------------------------------------------------------
    def runs(self, project: str | None = None, ids: Sequence[str] | None = None) -> list[RunRecord]:
        """Runs, newest first (JSON columns decoded, ``tags`` a list, derived ``state``)."""
        where: list[str] = []
        params: list[Any] = []
        if project is not None:
            where.append("project = ?")
            params.append(project)
        if ids is not None:
            where.append("list_contains(?::VARCHAR[], id)")
            params.append(list(ids))
        sql = "SELECT * FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC NULLS LAST, id"
        with self._read() as con:
            cur = con.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        out = [from_row(names, r) for r in rows]
        for rec in out:
            rec["state"] = effective_state(rec)
        return out

    def run(self, run_id: str) -> RunRecord | None:
        """One run by id, or None."""
        found = self.runs(ids=[run_id])
        return found[0] if found else None

    def projects(self) -> list[str]:
        """Project names, sorted."""
        with self._read() as con:
            rows = con.execute(
                "SELECT DISTINCT project FROM runs WHERE project IS NOT NULL ORDER BY project"
            ).fetchall()
        return [r[0] for r in rows]

    def files(self, run_id: str, kind: str | None = None) -> list[FileRecord]:
        """Files recorded for a run (optionally of one kind), in creation order.

        Rows a hand-edited store may hold with NULLs read as "" / 0, so sorting and size
        checks never meet None (names and digests are checked where they are used).
        """
        sql = "SELECT run_id, path, sha256, size, kind, created_at FROM files WHERE run_id = ?"
        params: list[Any] = [run_id]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        with self._read() as con:
            rows = con.execute(sql + " ORDER BY created_at, path", params).fetchall()
        return [{"run_id": r[0], "path": r[1] or "", "sha256": r[2] or "", "size": r[3] or 0,
                 "kind": r[4] or "file", "created_at": r[5] or 0.0} for r in rows]

    # -- history -------------------------------------------------------------------------
    def history(self, run_id: str, keys: Sequence[str] | None = None) -> pa.Table:
        """Long history: step, ts, key, num, text, json, ordered by step then key."""
        sql = f"SELECT {_HISTORY_COLS} FROM history WHERE run_id = $run"
        params: dict[str, Any] = {"run": run_id}
        if keys is not None:
            sql += " AND list_contains($keys::VARCHAR[], key)"
            params["keys"] = list(keys)
        with self._read() as con:
            return fetch_table(con, sql + " ORDER BY step, key", params)

    def history_keys(self, run_id: str) -> list[str]:
        """The distinct history keys of a run, sorted."""
        with self._read() as con:
            rows = con.execute("SELECT DISTINCT key FROM history WHERE run_id = ? ORDER BY key", [run_id]).fetchall()
        return [r[0] for r in rows]

    def latest_typed(self, run_id: str, type_name: str) -> list[tuple[str, int, str]]:
        """(key, step, json text) of the last value of each key whose JSON has `_type` = type_name."""
        with self._read() as con:
            found: list[tuple[str, int, str]] = con.execute(
                "SELECT key, max(step), arg_max(json::VARCHAR, step) FROM history WHERE run_id = ? "
                "AND json IS NOT NULL AND json_extract_string(json, '$._type') = ? GROUP BY key ORDER BY key",
                [run_id, type_name]).fetchall()
            return found

    def history_wide(
        self, run_id: str, keys: Sequence[str] | None = None, start_time: float | None = None
    ) -> pd.DataFrame:
        """One row per step: ``_step``, ``_timestamp``, ``_runtime`` and a column per key.

        The run's long rows are copied out under the shared lock and pivoted after it is
        released (``pivot.py``), so a run with many keys never holds writers back.
        Numeric keys are float, text keys str, JSON keys decoded. ``_runtime`` is
        ``ts - start_time`` (default: the run's ``created_at``).
        """
        sql = f"SELECT {_LONG_COLS} FROM history WHERE run_id = $run"
        params: dict[str, Any] = {"run": run_id}
        if keys is not None:
            sql += " AND list_contains($keys::VARCHAR[], key)"
            params["keys"] = list(keys)
        with self._read() as con:
            long = fetch_table(con, sql, params)
            if start_time is None:
                row = con.execute("SELECT created_at FROM runs WHERE id = ?", [run_id]).fetchall()
                start_time = row[0][0] if row and row[0][0] is not None else None
        return pivot_history(long, start_time)

    def downsample(
        self, run_ids: Sequence[str], keys: Sequence[str] | None = None,
        width_px: int = 800, x: str = "step",
    ) -> pa.Table:
        """M4-downsampled numeric series: run_id, key, step, ts, num (see downsample.py)."""
        with self._read() as con:
            return downsample_sql(con, run_ids, keys, width_px=width_px, x=x)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pa.Table:
        """Run a read-only, parameterised query; the result is copied out as Arrow."""
        with self._read() as con:
            return fetch_table(con, sql, params)
