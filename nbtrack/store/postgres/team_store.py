"""Reading the team store: its tables as Arrow (ADBC), queried with DuckDB in the kernel.

``TeamStore.read(history_runs)`` yields an in-memory DuckDB connection with the local
store's schema where ``runs`` and ``files`` hold the team's rows and ``history`` the rows
of ``history_runs`` (all runs for None, none for an empty list), so the local reader's
SQL runs unchanged. Blobs are read from the shared blob directory.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..schema import JSON_RUN_COLUMNS, RUN_COLUMNS, ensure_schema
from ..sqlutil import fetch_table
from ..store import connect, empty_store
from . import levels
from .artifact_tables import fetch_artifact_tables, load_artifact_tables
from .blob_store import BlobStore
from .connect import TeamStoreError
from .downsample import downsample_query, empty
from .downsample import text_array as _array
from .schema import check_version
from .ship import Connection
from .url import redact, redact_text

_RUNS = ", ".join(f"{n}::JSON AS {n}" if n in JSON_RUN_COLUMNS else n for n, _ in RUN_COLUMNS)


class TeamStore:
    """The team's PostgreSQL database, read through ADBC."""

    #: read by code above the store that treats a team store apart (artifacts' blobs)
    is_team_store = True

    def __init__(self, url: str, blob_dir: str | os.PathLike[str] | None = None, use_levels: bool = True) -> None:
        self.url = url
        #: the URL without credentials, for messages (``root`` as a local store's)
        self.root = redact(url)
        self.location = self.root
        self._blob_dir = blob_dir
        #: read long curves from their levels (``levels.py``); False reads every row
        self.use_levels = use_levels
        self._team: Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TeamStore({self.root!r})"

    def _connection(self) -> Connection:
        if self._team is None:
            self._team = Connection(self.url, self._blob_dir, read_only=True)
        return self._team

    def _fetch(self, sql: str, params: tuple[Any, ...] = ()) -> pa.Table:
        """A query's result as Arrow (one reconnect if the connection was lost)."""
        with self._lock:
            for attempt in range(2):
                team = self._connection()
                cur = team.con.cursor()
                try:
                    if attempt == 0 and not params:
                        check_version(cur)
                    cur.execute(sql, params or None)
                    table = cur.fetch_arrow_table()
                    team.con.commit()
                    return table
                except TeamStoreError:
                    raise
                except Exception as exc:  # a lost connection: try a fresh one once
                    team.close()
                    self._team = None
                    if attempt == 1 or not _lost(exc):
                        raise TeamStoreError(f"reading {self.root} failed: {redact_text(str(exc), self.url)}") from None
                finally:
                    with contextlib.suppress(Exception):
                        cur.close()
        raise AssertionError("unreachable")

    @contextmanager
    def read(self, history_runs: Sequence[str] | None = None, timeout: float | None = None,
             history_keys: Sequence[str] | None = None, numeric_only: bool = False,
             curve_px: int | None = None, artifacts: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection over the team's runs (see the module docstring);
        ``history_keys`` (if given) limits the history to those keys, ``numeric_only`` to
        rows with a number (text and json are NULL): less to fetch for curves.
        ``curve_px`` (with ``numeric_only``): the history is what an M4 of that many
        pixel columns over the step needs, long series read from their curve levels
        (``levels.py``) instead of whole; ``artifacts`` loads the artifact and lineage
        tables too."""
        with self._lock:
            empty = self._connection().empty
        if empty:  # nbtrack never wrote to this database (maybe not yet): no runs
            self.close()
            with empty_store() as con:
                yield con
            return
        runs = self._fetch("SELECT * FROM runs")
        files = self._fetch("SELECT run_id, path, sha256, size, kind, created_at FROM files")
        buckets: pa.Table | None = None
        if history_runs is None:
            history = self._fetch("SELECT run_id, step, ts, key, num, text, json FROM history")
        elif history_runs and numeric_only and curve_px is not None and self.use_levels:
            history, buckets = self._curve_rows(history_runs, history_keys, curve_px)
        elif history_runs:
            cols = "run_id, step, ts, key, num" if numeric_only else "run_id, step, ts, key, num, text, json"
            sql = f"SELECT {cols} FROM history WHERE run_id = ANY($1::text[])"
            if numeric_only:
                sql += " AND num IS NOT NULL"
            params: tuple[Any, ...] = (_array(history_runs),)
            if history_keys is not None:
                sql += " AND key = ANY($2::text[])"
                params += (_array(history_keys),)
            history = self._fetch(sql, params)
        else:
            history = None
        artifact_tables = self._artifact_tables() if artifacts else {}
        con = connect(":memory:")
        try:
            ensure_schema(con)
            con.register("_team_runs", runs)
            con.execute(f"INSERT INTO runs SELECT {_RUNS} FROM _team_runs")
            con.unregister("_team_runs")
            con.register("_team_files", files)
            con.execute("INSERT INTO files SELECT * FROM _team_files")
            con.unregister("_team_files")
            if buckets is not None and buckets.num_rows:
                con.register("_nbtrack_buckets", buckets)
                points = fetch_table(con, levels.POINTS)
                con.unregister("_nbtrack_buckets")
                history = pa.concat_tables([history, points.cast(history.schema)]) if history is not None else points
            if history is not None and history.num_rows:
                # a view over the Arrow table: no copy of the (large) history
                con.execute("DROP TABLE history")
                con.register("_team_history", history)
                rest = ("text, json::JSON AS json" if "json" in history.column_names
                        else "CAST(NULL AS VARCHAR) AS text, CAST(NULL AS JSON) AS json")
                con.execute(f"CREATE VIEW history AS SELECT run_id, step, ts, key, num, {rest} FROM _team_history")
            load_artifact_tables(con, artifact_tables)
            yield con
        finally:
            con.close()

    def _curve_rows(self, run_ids: Sequence[str], keys: Sequence[str] | None,
                    width_px: int) -> tuple[pa.Table | None, pa.Table | None]:
        """(whole rows of the short series, bucket rows of the long ones) for a chart."""
        params: tuple[Any, ...] = (_array(run_ids),)
        if keys is not None:
            params += (_array(keys),)
        stats = self._fetch(levels.STATS.format(key_filter=levels.key_filter(keys, 2)), params)
        plan = levels.plan(stats, width_px)
        raw = buckets = None
        if plan.raw:
            run_col, key_col = levels.unzip(plan.raw, 2)
            raw = self._fetch(levels.RAW, (_array(run_col), _array(key_col)))
        if plan.levels:
            run_col, key_col, width_col = levels.unzip(plan.levels, 3)
            buckets = self._fetch(levels.BUCKETS, (_array(run_col), _array(key_col),
                                                   "{" + ",".join(str(w) for w in width_col) + "}"))
        return raw, buckets

    def _artifact_tables(self) -> dict[str, pa.Table]:
        """The artifact tables (none while the database has the schema of an older nbtrack)."""
        if not self._fetch("SELECT to_regclass('artifact_versions') IS NOT NULL AS found").column(0)[0].as_py():
            return {}
        return fetch_artifact_tables(self._fetch)

    def downsample(self, run_ids: Sequence[str], keys: Sequence[str] | None = None,
                   width_px: int = 800, x: str = "step") -> pa.Table:
        """M4-downsampled numeric series computed in PostgreSQL: run_id, key, step, ts, num."""
        with self._lock:
            empty_db = self._connection().empty
        if empty_db or not run_ids:
            return empty()
        sql, params = downsample_query(run_ids, keys, width_px, x)
        table = self._fetch(sql, params)
        return table.cast(empty().schema) if table.num_rows else empty()

    # -- blobs ---------------------------------------------------------------------------
    def _blobs(self) -> BlobStore:
        with self._lock:
            blobs = self._connection().blobs
        if blobs is None:
            raise FileNotFoundError(f"no shared blob store is set for {self.root} (set NBTRACK_TEAM_BLOBS "
                                    "to a directory or an s3://bucket/prefix every machine reaches)")
        return blobs

    def blob_path(self, sha: str, entry: str = "") -> Path:
        """A local file with the blob's content: its place in a shared directory, or its
        download from an object store (checked against the digest)."""
        return self._blobs().local_path(sha, entry)

    def has_blob(self, sha: str) -> bool:
        """True if the blob is in the team's blob store."""
        return self._blobs().has(sha)

    def read_blob(self, sha: str, entry: str = "") -> bytes:
        """A blob's bytes from the team's blob store (checked against its digest)."""
        return self._blobs().read(sha, entry)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._team is not None:
                self._team.close()
                self._team = None




def _lost(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("connection", "server closed", "terminating", "broken pipe", "eof"))
