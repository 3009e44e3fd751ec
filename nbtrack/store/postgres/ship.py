"""One shipping pass: copy what a local store holds to the team store, idempotently.

For each local run the pass compares the local store with the ledger ``nbtrack_shipped``
(highest step shipped, a hash of the run record shipped, files shipped) and sends only the
difference. History goes in chunks of whole steps (a step's rows are committed together
locally, so ``step > watermark`` is exactly what is missing); each chunk is ONE
PostgreSQL transaction that locks the run's ledger row, drops rows at or below the
watermark it finds there (another process may have shipped them meanwhile), appends the
rest with binary COPY (ADBC ingest), upserts the run record and moves the watermark. A
retry, an interrupted sync or two processes shipping the same local store therefore never
duplicate a row. Blobs are copied to the shared directory before the files that name
them. A run id already shipped from another machine's store is not merged into it.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import JSON_RUN_COLUMNS, RUN_COLUMNS
from ..sqlutil import fetch_table
from ..store import Store
from .blobs import ENV_TEAM_BLOBS, SharedBlobs
from .connect import connect
from .schema import PG_RUN_COLUMNS, ensure_schema, get_meta, set_meta_once

#: history rows per PostgreSQL transaction (rounded up to a whole step)
CHUNK_ROWS = 250_000
_RUN_SELECT = ", ".join(f"{n}::VARCHAR AS {n}" if n in JSON_RUN_COLUMNS else n for n, _ in RUN_COLUMNS)
_UPSERT_SET = ", ".join(
    f"{n} = GREATEST(runs.{n}, EXCLUDED.{n})" if n == "last_step" else f"{n} = EXCLUDED.{n}"
    for n, _ in PG_RUN_COLUMNS if n != "id")


@dataclass
class ShipResult:
    """What one pass shipped."""

    runs: int = 0
    rows: int = 0
    files: int = 0
    blobs: int = 0
    #: run ids already in the team store from another machine's store (not shipped)
    conflicts: list[str] = field(default_factory=list)
    #: blobs the pass could not copy (no shared blob directory, or missing locally)
    missing_blobs: int = 0

    def add(self, other: ShipResult) -> None:
        """Add another pass's counts to this one."""
        self.runs += other.runs
        self.rows += other.rows
        self.files += other.files
        self.blobs += other.blobs
        self.conflicts += [c for c in other.conflicts if c not in self.conflicts]
        self.missing_blobs += other.missing_blobs


def origin_of(store: Store) -> str:
    """Where a run comes from: this machine and its local store."""
    return f"{socket.gethostname()}:{store.root}"


def resolve_blob_dir(con: Any, blob_dir: str | os.PathLike[str] | None = None) -> SharedBlobs | None:
    """The team's shared blob directory: given > NBTRACK_TEAM_BLOBS > recorded in the database."""
    named = blob_dir or os.environ.get(ENV_TEAM_BLOBS)
    if named:
        set_meta_once(con, "blob_dir", os.path.abspath(os.path.expanduser(os.fspath(named))))
        return SharedBlobs(named)
    recorded = get_meta(con, "blob_dir")
    return SharedBlobs(recorded) if recorded else None


class Connection:
    """An open connection to the team store with its schema ensured (reused across passes)."""

    def __init__(self, url: str, blob_dir: str | os.PathLike[str] | None = None) -> None:
        self.url = url
        self.con = connect(url)
        try:
            ensure_schema(self.con)
            self.blobs = resolve_blob_dir(self.con, blob_dir)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection (errors of a connection already lost are ignored)."""
        try:
            self.con.close()
        except Exception:  # noqa: BLE001
            pass


def ship(store: Store, team: Connection, run_ids: list[str] | None = None,
         chunk_rows: int = CHUNK_ROWS, on_chunk: Callable[[ShipResult], None] | None = None) -> ShipResult:
    """Ship every run of ``store`` (or only ``run_ids``) that has something new.

    Raises for trouble with either store (nothing half-shipped: each chunk is one
    transaction); a second call ships what is left.
    """
    result = ShipResult()
    if not store.db_path.exists():
        return result
    origin = origin_of(store)
    ledger = _ledger(team.con)
    with store.read() as lcon:
        where = "" if run_ids is None else " WHERE list_contains($ids::VARCHAR[], r.id)"
        params: dict[str, Any] = {} if run_ids is None else {"ids": list(run_ids)}
        local = lcon.execute(
            "SELECT r.id, md5(to_json(r)::VARCHAR), (SELECT max(step) FROM history h WHERE h.run_id = r.id), "
            f"(SELECT count(*) FROM files f WHERE f.run_id = r.id) FROM runs r{where}",
            params).fetchall()
    for run_id, record_hash, max_step, n_files in local:
        shipped = ledger.get(run_id)
        if shipped is not None and shipped[0] != origin:
            result.conflicts.append(run_id)
            continue
        watermark = -1 if shipped is None else shipped[1]
        if shipped is not None and shipped[2] == record_hash and (max_step is None or max_step <= watermark) \
                and shipped[3] >= n_files:
            continue
        one = _ship_run(store, team, run_id, origin, watermark, record_hash, n_files, chunk_rows, on_chunk)
        result.add(one)
    return result


def _ledger(con: Any) -> dict[str, tuple[str, int, str | None, int]]:
    cur = con.cursor()
    try:
        cur.execute("SELECT run_id, origin, max_step, record_hash, files FROM nbtrack_shipped")
        rows = cur.fetchall()
        con.commit()
    finally:
        cur.close()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def _ship_run(store: Store, team: Connection, run_id: str, origin: str, watermark: int, record_hash: str,
              n_files: int, chunk_rows: int, on_chunk: Callable[[ShipResult], None] | None) -> ShipResult:
    result = ShipResult(runs=1)
    with store.read() as lcon:
        history = fetch_table(lcon, "SELECT run_id, step, ts, key, num, text, json::VARCHAR AS json FROM history "
                              "WHERE run_id = $run AND step > $wm ORDER BY step", {"run": run_id, "wm": watermark})
        record = fetch_table(lcon, f"SELECT {_RUN_SELECT} FROM runs WHERE id = $run", {"run": run_id})
        files = fetch_table(lcon, "SELECT run_id, path, sha256, size, kind, created_at FROM files WHERE run_id = $run",
                            {"run": run_id})
    chunks = _step_chunks(history, chunk_rows)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        if last and files.num_rows:
            result.blobs, result.missing_blobs = _copy_blobs(store, team.blobs, files)
        part = _ship_chunk(team.con, run_id, origin, chunk, record, files if last else None,
                           record_hash if last else None, n_files)
        if part is None:
            result.conflicts.append(run_id)
            result.runs = 0
            return result
        result.rows += part
        if last:
            result.files = files.num_rows
        if on_chunk is not None:
            on_chunk(result)
    return result


def _step_chunks(history: pa.Table, chunk_rows: int) -> list[pa.Table]:
    """Split rows ordered by step into tables of about ``chunk_rows``, never inside a step."""
    n = history.num_rows
    if n <= chunk_rows:
        return [history]
    steps = history.column("step").to_numpy(zero_copy_only=False)
    chunks, start = [], 0
    while start < n:
        end = min(start + chunk_rows, n)
        while end < n and steps[end] == steps[end - 1]:
            end += 1
        chunks.append(history.slice(start, end - start))
        start = end
    return chunks


def _copy_blobs(store: Store, blobs: SharedBlobs | None, files: pa.Table) -> tuple[int, int]:
    shas = set(files.column("sha256").to_pylist()) - {None}
    if blobs is None:
        return 0, len(shas)
    copied = missing = 0
    for sha in shas:
        if blobs.has(sha):
            continue
        if blobs.copy_from(store.root, sha):
            copied += 1
        else:
            missing += 1
    return copied, missing


def _ship_chunk(con: Any, run_id: str, origin: str, chunk: pa.Table, record: pa.Table, files: pa.Table | None,
                record_hash: str | None, n_files: int) -> int | None:
    """One transaction; the number of rows appended, or None if the run is another origin's."""
    cur = con.cursor()
    try:
        cur.execute("INSERT INTO nbtrack_shipped (run_id, origin) VALUES ($1, $2) ON CONFLICT (run_id) DO NOTHING",
                    (run_id, origin))
        cur.execute("SELECT origin, max_step FROM nbtrack_shipped WHERE run_id = $1 FOR UPDATE", (run_id,))
        found_origin, watermark = cur.fetchall()[0]
        if found_origin != origin:
            con.rollback()
            return None
        rows = chunk
        if rows.num_rows and watermark >= 0:
            rows = rows.filter(pc.greater(rows.column("step"), pa.scalar(watermark, pa.int64())))
        if rows.num_rows:
            cur.adbc_ingest("history", rows, mode="append")
        cur.adbc_ingest("_nbtrack_run_in", record, mode="replace", temporary=True)
        cols = ", ".join(n for n, _ in PG_RUN_COLUMNS)
        cur.execute(f"INSERT INTO runs ({cols}) SELECT {cols} FROM _nbtrack_run_in "
                    f"ON CONFLICT (id) DO UPDATE SET {_UPSERT_SET}")
        if files is not None and files.num_rows:
            cur.adbc_ingest("_nbtrack_files_in", files, mode="replace", temporary=True)
            cur.execute("INSERT INTO files SELECT run_id, path, sha256, size, kind, created_at FROM _nbtrack_files_in "
                        "ON CONFLICT (run_id, path, sha256) DO NOTHING")
            cur.execute("INSERT INTO blobs SELECT DISTINCT sha256, size, $1::double precision FROM _nbtrack_files_in "
                        "WHERE sha256 IS NOT NULL ON CONFLICT (sha256) DO NOTHING", (time.time(),))
        top = pc.max(rows.column("step")).as_py() if rows.num_rows else None
        cur.execute("UPDATE nbtrack_shipped SET max_step = GREATEST(max_step, $2), shipped_at = $3, "
                    "record_hash = COALESCE($4, record_hash), files = GREATEST(files, $5) WHERE run_id = $1",
                    (run_id, -1 if top is None else int(top), time.time(), record_hash,
                     n_files if files is not None else 0))
        con.commit()
        return rows.num_rows
    except BaseException:
        try:
            con.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone
            pass
        raise
    finally:
        cur.close()
