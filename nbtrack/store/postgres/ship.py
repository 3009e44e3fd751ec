"""One shipping pass: copy what a local store holds to the team store, idempotently.

For each local run the pass compares the local store with the ledger ``nbtrack_shipped``
(highest step shipped, a hash of the run record shipped, files shipped) and sends only the
difference. History goes in chunks of whole steps (a step's rows are committed together
locally, so ``step > watermark`` is exactly what is missing): many small runs share a
chunk, a long run is cut into several. Each chunk is ONE PostgreSQL transaction that
locks its runs' ledger rows, drops rows at or below the watermark it finds there
(another process may have shipped them meanwhile), appends the rest with binary COPY
(ADBC ingest), upserts the run records and moves the watermarks. A
retry, an interrupted sync or two processes shipping the same local store therefore never
duplicate a row. Blobs are copied to the shared directory before the files that name
them. A run id already shipped from another machine's store is not merged into it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import JSON_RUN_COLUMNS, RUN_COLUMNS
from ..sqlutil import fetch_table
from ..store import Store
from .blob_store import BlobStore, normalise, open_blob_store, upload_missing
from .blobs import ENV_TEAM_BLOBS
from .connect import connect
from .schema import PG_RUN_COLUMNS, check_version, ensure_schema, get_meta, set_meta_once
from .ship_artifacts import ArtifactsShipped, read_local, ship_artifacts

#: history rows per PostgreSQL transaction (rounded up to a whole step)
CHUNK_ROWS = 250_000
#: runs per PostgreSQL transaction at most
CHUNK_RUNS = 2_000
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
    #: artifact versions added to the team store
    artifacts: int = 0
    #: artifacts ("project/name") whose type differs in the team store (not shipped)
    artifact_conflicts: list[str] = field(default_factory=list)

    def add(self, other: ShipResult) -> None:
        """Add another pass's counts to this one."""
        self.runs += other.runs
        self.rows += other.rows
        self.files += other.files
        self.blobs += other.blobs
        self.conflicts += [c for c in other.conflicts if c not in self.conflicts]
        self.missing_blobs += other.missing_blobs
        self.artifacts += other.artifacts
        self.artifact_conflicts += [c for c in other.artifact_conflicts if c not in self.artifact_conflicts]


def origin_of(store: Store) -> str:
    """Where a run comes from: this machine and its local store."""
    return f"{socket.gethostname()}:{store.root}"


def resolve_blob_dir(con: Any, blob_dir: str | os.PathLike[str] | None = None,
                     record: bool = True) -> BlobStore | None:
    """The team's blob store (a shared directory or an ``s3://bucket/prefix``): given >
    NBTRACK_TEAM_BLOBS > recorded in the database.

    ``record``: a location named here is recorded for the clients that name none.
    """
    named = blob_dir or os.environ.get(ENV_TEAM_BLOBS)
    if named and not record:
        return open_blob_store(named)
    if named:
        set_meta_once(con, "blob_dir", normalise(named))
        return open_blob_store(named)
    recorded = get_meta(con, "blob_dir")
    return open_blob_store(recorded) if recorded else None


class Connection:
    """An open connection to the team store (reused across passes).

    A writing connection creates or migrates the schema; a ``read_only`` one (what a
    viewer role can do) only checks its version: ``empty`` when nbtrack never wrote there.
    """

    def __init__(self, url: str, blob_dir: str | os.PathLike[str] | None = None, read_only: bool = False) -> None:
        self.url = url
        self.con = connect(url)
        self.empty = False
        self.blobs: BlobStore | None = None
        try:
            if read_only:
                cur = self.con.cursor()
                try:
                    self.empty = check_version(cur) == 0
                finally:
                    cur.close()
                self.con.commit()
                self.blobs = None if self.empty else resolve_blob_dir(self.con, blob_dir, record=False)
            else:
                ensure_schema(self.con)
                self.blobs = resolve_blob_dir(self.con, blob_dir)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection (errors of a connection already lost are ignored)."""
        try:
            self.con.close()
        except Exception:
            pass


def ship(store: Store, team: Connection, run_ids: list[str] | None = None,
         chunk_rows: int = CHUNK_ROWS, on_chunk: Callable[[ShipResult], None] | None = None) -> ShipResult:
    """Ship every run of ``store`` (or only ``run_ids``) that has something new.

    Raises for trouble with either store (nothing half-shipped: each chunk is one
    transaction); a second call ships what is left. ``on_chunk`` is called with the
    running totals after each committed chunk.
    """
    result = ShipResult()
    if not store.db_path.exists():
        return result
    origin = origin_of(store)
    ledger = _ledger(team.con)
    shipped = pa.table({"run_id": pa.array(list(ledger), pa.string()),
                        "wm": pa.array([v[1] for v in ledger.values()], pa.int64())})
    where = "" if run_ids is None else " WHERE list_contains($ids::VARCHAR[], r.id)"
    params: dict[str, Any] = {} if run_ids is None else {"ids": list(run_ids)}
    with store.read() as lcon:
        lcon.register("_nbtrack_shipped", shipped)
        local = lcon.execute(
            "SELECT r.id, md5(to_json(r)::VARCHAR), coalesce(s.wm, -1) AS wm, "
            "(SELECT count(*) FROM history h WHERE h.run_id = r.id AND h.step > coalesce(s.wm, -1)), "
            "(SELECT count(*) FROM files f WHERE f.run_id = r.id) "
            f"FROM runs r LEFT JOIN _nbtrack_shipped s ON s.run_id = r.id{where} ORDER BY r.id", params).fetchall()
        lcon.unregister("_nbtrack_shipped")
        artifacts = read_local(lcon)  # in the same read: a pass opens the local store once
    todo: list[_Pending] = []
    for run_id, record_hash, watermark, pending, n_files in local:
        found = ledger.get(run_id)
        if found is not None and found[0] != origin:
            result.conflicts.append(run_id)
        elif found is None or found[2] != record_hash or pending or found[3] < n_files:
            todo.append(_Pending(run_id, record_hash, watermark, pending, n_files))
    for group in _groups(todo, chunk_rows):
        _ship_group(store, team, origin, group, chunk_rows, result, on_chunk)
    _add_artifacts(result, ship_artifacts(store, team, origin, artifacts))
    return result


def _add_artifacts(result: ShipResult, shipped: ArtifactsShipped) -> None:
    result.artifacts += shipped.versions
    result.blobs += shipped.blobs
    result.missing_blobs += shipped.missing_blobs
    result.artifact_conflicts += [c for c in shipped.conflicts if c not in result.artifact_conflicts]


@dataclass
class _Pending:
    run_id: str
    record_hash: str
    watermark: int
    rows: int
    files: int


def _groups(todo: list[_Pending], chunk_rows: int) -> list[list[_Pending]]:
    """Runs to ship together: small runs share a group, a run over ``chunk_rows`` is alone."""
    groups: list[list[_Pending]] = []
    current: list[_Pending] = []
    rows = 0
    for p in todo:
        if p.rows > chunk_rows:
            groups.append([p])
            continue
        if current and (rows + p.rows > chunk_rows or len(current) >= CHUNK_RUNS):
            groups.append(current)
            current, rows = [], 0
        current.append(p)
        rows += p.rows
    if current:
        groups.append(current)
    return groups


def _ledger(con: Any) -> dict[str, tuple[str, int, str | None, int]]:
    cur = con.cursor()
    try:
        cur.execute("SELECT run_id, origin, max_step, record_hash, files FROM nbtrack_shipped")
        rows = cur.fetchall()
        con.commit()
    finally:
        cur.close()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def _ship_group(store: Store, team: Connection, origin: str, group: list[_Pending], chunk_rows: int,
                result: ShipResult, on_chunk: Callable[[ShipResult], None] | None) -> None:
    marks = pa.table({"run_id": pa.array([p.run_id for p in group], pa.string()),
                      "wm": pa.array([p.watermark for p in group], pa.int64())})
    with store.read() as lcon:
        lcon.register("_nbtrack_group", marks)
        history = fetch_table(lcon, "SELECT h.run_id, h.step, h.ts, h.key, h.num, h.text, h.json::VARCHAR AS json "
                              "FROM history h JOIN _nbtrack_group g ON h.run_id = g.run_id WHERE h.step > g.wm "
                              "ORDER BY h.run_id, h.step")
        records = fetch_table(lcon, f"SELECT {_RUN_SELECT} FROM runs WHERE id IN (SELECT run_id FROM _nbtrack_group)")
        files = fetch_table(lcon, "SELECT run_id, path, sha256, size, kind, created_at FROM files "
                            "WHERE run_id IN (SELECT run_id FROM _nbtrack_group)")
        lcon.unregister("_nbtrack_group")
    chunks = _step_chunks(history, chunk_rows) if len(group) == 1 else [history]
    ids = [p.run_id for p in group]
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        if last and files.num_rows:
            copied, missing = _copy_blobs(store, team.blobs, files)
            result.blobs += copied
            result.missing_blobs += missing
        rows, conflicts = _ship_chunk(team.con, origin, group, chunk, records, files if last else None, last)
        result.rows += rows
        result.conflicts += [c for c in conflicts if c not in result.conflicts]
        if last:
            result.runs += len(ids) - len(conflicts)
            if files.num_rows:
                ok = pc.invert(pc.is_in(files.column("run_id"), pa.array(conflicts, pa.string())))
                result.files += pc.sum(ok.cast(pa.int64())).as_py() or 0
        if on_chunk is not None:
            on_chunk(result)
        if len(conflicts) == len(ids):
            return


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


def _copy_blobs(store: Store, blobs: BlobStore | None, files: pa.Table) -> tuple[int, int]:
    shas = set(files.column("sha256").to_pylist()) - {None}
    copied, missing = upload_missing(store, blobs, shas)
    return copied, len(missing)


def _ship_chunk(con: Any, origin: str, group: list[_Pending], chunk: pa.Table, records: pa.Table,
                files: pa.Table | None, last: bool) -> tuple[int, list[str]]:
    """One transaction: (history rows appended, ids another machine's store owns)."""
    cur = con.cursor()
    try:
        ids = pa.table({"run_id": pa.array([p.run_id for p in group], pa.string()),
                        "origin": pa.array([origin] * len(group), pa.string())})
        cur.adbc_ingest("_nbtrack_ids", ids, mode="replace", temporary=True)
        cur.execute("INSERT INTO nbtrack_shipped (run_id, origin) SELECT run_id, origin FROM _nbtrack_ids "
                    "ORDER BY run_id ON CONFLICT (run_id) DO NOTHING")
        cur.execute("SELECT s.run_id, s.origin, s.max_step FROM nbtrack_shipped s JOIN _nbtrack_ids i "
                    "ON s.run_id = i.run_id ORDER BY s.run_id FOR UPDATE OF s")
        locked = cur.fetchall()
        conflicts = [r[0] for r in locked if r[1] != origin]
        marks = {r[0]: r[2] for r in locked if r[1] == origin}
        ok_ids = pa.array(list(marks), pa.string())
        rows = chunk
        if rows.num_rows:
            # what another process shipped meanwhile (or another machine's run) is dropped here
            position = pc.index_in(rows.column("run_id"), value_set=ok_ids)
            floor = pc.take(pa.array(list(marks.values()), pa.int64()), position)
            keep = pc.and_kleene(pc.is_valid(position), pc.greater(rows.column("step"), floor))
            rows = rows.filter(pc.fill_null(keep, False))
        if rows.num_rows:
            cur.adbc_ingest("history", rows, mode="append")
        mine_records = records.filter(pc.is_in(records.column("id"), value_set=ok_ids))
        if mine_records.num_rows:
            cur.adbc_ingest("_nbtrack_run_in", mine_records, mode="replace", temporary=True)
            cols = ", ".join(n for n, _ in PG_RUN_COLUMNS)
            cur.execute(f"INSERT INTO runs ({cols}) SELECT {cols} FROM _nbtrack_run_in "
                        f"ON CONFLICT (id) DO UPDATE SET {_UPSERT_SET}")
        if files is not None and files.num_rows:
            mine_files = files.filter(pc.is_in(files.column("run_id"), value_set=ok_ids))
            if mine_files.num_rows:
                cur.adbc_ingest("_nbtrack_files_in", mine_files, mode="replace", temporary=True)
                cur.execute("INSERT INTO files SELECT run_id, path, sha256, size, kind, created_at "
                            "FROM _nbtrack_files_in ON CONFLICT (run_id, path, sha256) DO NOTHING")
                cur.execute("INSERT INTO blobs SELECT DISTINCT ON (sha256) sha256, size, $1::double precision "
                            "FROM _nbtrack_files_in WHERE sha256 IS NOT NULL ON CONFLICT (sha256) DO NOTHING",
                            (time.time(),))
        tops: dict[str, int] = {}
        if rows.num_rows:
            agg = rows.group_by("run_id").aggregate([("step", "max")])
            tops = dict(zip(agg.column("run_id").to_pylist(), agg.column("step_max").to_pylist()))
        mine = [p for p in group if p.run_id in marks]
        update = pa.table({
            "run_id": pa.array([p.run_id for p in mine], pa.string()),
            "top": pa.array([tops.get(p.run_id, -1) for p in mine], pa.int64()),
            "hash": pa.array([p.record_hash if last else None for p in mine], pa.string()),
            "files": pa.array([p.files if last else 0 for p in mine], pa.int32()),
        })
        if update.num_rows:
            cur.adbc_ingest("_nbtrack_ledger_in", update, mode="replace", temporary=True)
            cur.execute("UPDATE nbtrack_shipped s SET max_step = GREATEST(s.max_step, u.top), shipped_at = $1, "
                        "record_hash = COALESCE(u.hash, s.record_hash), files = GREATEST(s.files, u.files) "
                        "FROM _nbtrack_ledger_in u WHERE s.run_id = u.run_id", (time.time(),))
        con.commit()
        return rows.num_rows, conflicts
    except BaseException:
        try:
            con.rollback()
        except Exception:  # the connection may be gone
            pass
        raise
    finally:
        cur.close()
