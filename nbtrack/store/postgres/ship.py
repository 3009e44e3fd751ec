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

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from ..liveness import effective_state
from ..records import RunRecord
from ..schema import JSON_RUN_COLUMNS, RUN_COLUMNS
from ..sqlutil import fetch_table
from ..store import Store
from . import edits, levels
from .blob_store import BlobStore, normalise, open_blob_store, upload_missing
from .blobs import ENV_TEAM_BLOBS
from .connect import Transaction, connect
from .downsample import text_array
from .schema import PG_RUN_COLUMNS, check_version, ensure_schema, get_meta, set_meta_once
from .ship_artifacts import ArtifactsShipped, read_local, ship_artifacts

#: history rows per PostgreSQL transaction (rounded up to a whole step)
CHUNK_ROWS = 250_000
#: runs per PostgreSQL transaction at most
CHUNK_RUNS = 2_000
#: no step is held back
NO_CAP = 2**63 - 1
_LIVENESS = ("state", "host", "pid", "pid_started_at", "heartbeat_at", "created_at")
_RUN_SELECT = ", ".join(f"{n}::VARCHAR AS {n}" if n in JSON_RUN_COLUMNS else n for n, _ in RUN_COLUMNS)
#: a shipped record's columns: the run's own taken as read (``last_step`` only grows), the
#: editable ones only where ``_set_<column>`` says the local edit is the newest (edits.py)
_RECORD_SET = ", ".join(
    f"{n} = GREATEST(r.{n}, i.{n})" if n == "last_step"
    else f"{n} = CASE WHEN i._set_{n} THEN i.{n} ELSE r.{n} END" if n in edits.EDITABLE
    else f"{n} = i.{n}"
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
    #: runs deleted locally whose deletion was shipped
    deleted: int = 0
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
        self.deleted += other.deleted
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
        with contextlib.suppress(Exception):
            self.con.close()


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
        tables = {r[0] for r in lcon.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        tombstones = ([r[0] for r in lcon.execute(edits.LOCAL_DELETIONS).fetchall()]
                      if "deleted_runs" in tables else [])
        lcon.register("_nbtrack_shipped", shipped)
        local = lcon.execute(
            "SELECT r.id, md5(to_json(r)::VARCHAR), coalesce(s.wm, -1) AS wm, "
            "(SELECT count(*) FROM history h WHERE h.run_id = r.id AND h.step > coalesce(s.wm, -1)), "
            "(SELECT count(*) FROM files f WHERE f.run_id = r.id), "
            "(SELECT max(step) FROM history h WHERE h.run_id = r.id), "
            "(SELECT count(*) FROM history h WHERE h.run_id = r.id AND h.step > coalesce(s.wm, -1) "
            " AND h.step = (SELECT max(step) FROM history t WHERE t.run_id = r.id)), "
            "r.state, r.host, r.pid, r.pid_started_at, r.heartbeat_at, r.created_at "
            f"FROM runs r LEFT JOIN _nbtrack_shipped s ON s.run_id = r.id{where} ORDER BY r.id", params).fetchall()
        lcon.unregister("_nbtrack_shipped")
        artifacts = read_local(lcon)  # in the same read: a pass opens the local store once
    todo: list[_Pending] = []
    for run_id, record_hash, watermark, pending, n_files, top, at_top, *liveness in local:
        # a live run's last step may still get rows (a system metrics sample is written at the
        # step being logged, before the step's own rows): it ships once a later step exists
        cap = NO_CAP
        if top is not None and effective_state(cast(RunRecord, dict(zip(_LIVENESS, liveness, strict=True)))) == "running":
            cap, pending = top - 1, pending - at_top
        found = ledger.get(run_id)
        if found is not None and found[0] != origin:
            result.conflicts.append(run_id)
        elif found is None or found[2] != record_hash or pending or found[3] < n_files:
            todo.append(_Pending(run_id, record_hash, watermark, pending, n_files, cap))
    for group in _groups(todo, chunk_rows):
        _ship_group(store, team, origin, group, chunk_rows, result, on_chunk)
    gone = [r for r in tombstones if r in ledger and ledger[r][0] == origin and (run_ids is None or r in run_ids)]
    if gone:
        result.deleted += _ship_deletions(team.con, origin, gone)
    _add_artifacts(result, ship_artifacts(store, team, origin, artifacts))
    return result


def _ship_deletions(con: Any, origin: str, run_ids: list[str]) -> int:
    """Delete runs this origin shipped (and deleted since) with their rows; one transaction."""
    with Transaction(con) as cur:
        cur.execute("SELECT run_id FROM nbtrack_shipped WHERE run_id = ANY($1::text[]) AND origin = $2 "
                    "ORDER BY run_id FOR UPDATE", (text_array(run_ids), origin))
        found = [r[0] for r in cur.fetchall()]
        mine = text_array(found)
        for table in ("history", "history_m4", "files", "nbtrack_edits"):
            cur.execute(f"DELETE FROM {table} WHERE run_id = ANY($1::text[])", (mine,))
        cur.execute("DELETE FROM runs WHERE id = ANY($1::text[])", (mine,))
        cur.execute("DELETE FROM nbtrack_shipped WHERE run_id = ANY($1::text[])", (mine,))
        con.commit()
        return len(found)


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
    #: the highest step to ship now (a live run's last step waits)
    cap: int = NO_CAP


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
                      "wm": pa.array([p.watermark for p in group], pa.int64()),
                      "cap": pa.array([p.cap for p in group], pa.int64())})
    with store.read() as lcon:
        read_at = time.time()  # passes that read later see later local edits
        lcon.register("_nbtrack_group", marks)
        history = fetch_table(lcon, "SELECT h.run_id, h.step, h.ts, h.key, h.num, h.text, h.json::VARCHAR AS json "
                              "FROM history h JOIN _nbtrack_group g ON h.run_id = g.run_id WHERE h.step > g.wm AND h.step <= g.cap "
                              "ORDER BY h.run_id, h.step")
        records = fetch_table(lcon, f"SELECT {_RUN_SELECT} FROM runs WHERE id IN (SELECT run_id FROM _nbtrack_group)")
        files = fetch_table(lcon, "SELECT run_id, path, sha256, size, kind, created_at FROM files "
                            "WHERE run_id IN (SELECT run_id FROM _nbtrack_group)")
        local_edits: dict[str, dict[str, float]] = {}
        if lcon.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'run_edits'").fetchall()[0][0]:
            for run_id, column, at in lcon.execute(edits.LOCAL_EDITS).fetchall():
                local_edits.setdefault(run_id, {})[column] = at
        lcon.unregister("_nbtrack_group")
    chunks = _step_chunks(history, chunk_rows) if len(group) == 1 else [history]
    ids = [p.run_id for p in group]
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        if last and files.num_rows:
            copied, missing = _copy_blobs(store, team.blobs, files)
            result.blobs += copied
            result.missing_blobs += missing
        rows, conflicts = _ship_chunk(team.con, origin, group, chunk, _Records(records, local_edits, read_at),
                                      files if last else None, last)
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


@dataclass
class _Records:
    """A group's local run records, the local editor's edit times, and when they were read."""

    table: pa.Table
    local_edits: dict[str, dict[str, float]]
    read_at: float


def _ship_chunk(con: Any, origin: str, group: list[_Pending], chunk: pa.Table, records: _Records,
                files: pa.Table | None, last: bool) -> tuple[int, list[str]]:
    """One transaction: (history rows appended, ids another machine's store owns)."""
    with Transaction(con) as cur:
        ids = pa.table({"run_id": pa.array([p.run_id for p in group], pa.string()),
                        "origin": pa.array([origin] * len(group), pa.string())})
        cur.adbc_ingest("_nbtrack_ids", ids, mode="replace", temporary=True)
        cur.execute("INSERT INTO nbtrack_shipped (run_id, origin) SELECT run_id, origin FROM _nbtrack_ids "
                    "ORDER BY run_id ON CONFLICT (run_id) DO NOTHING")
        cur.execute("SELECT s.run_id, s.origin, s.max_step, s.field_hashes, s.record_at FROM nbtrack_shipped s "
                    "JOIN _nbtrack_ids i ON s.run_id = i.run_id ORDER BY s.run_id FOR UPDATE OF s")
        locked = cur.fetchall()
        shipped_at = {r[0]: (json.loads(r[3]) if r[3] else None, r[4]) for r in locked if r[1] == origin}
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
            buckets = levels.compute(rows)
            if buckets.num_rows:
                cur.adbc_ingest("_nbtrack_m4_in", buckets, mode="replace", temporary=True)
                cur.execute(levels.MERGE)
        applied = _ship_records(cur, records, records.table.filter(pc.is_in(records.table.column("id"),
                                                                              value_set=ok_ids)), shipped_at)
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
            "hash": pa.array([p.record_hash if last and p.run_id in applied else None for p in mine], pa.string()),
            "fh": pa.array([json.dumps(applied[p.run_id]) if p.run_id in applied else None for p in mine],
                           pa.string()),
            "rat": pa.array([records.read_at if p.run_id in applied else None for p in mine], pa.float64()),
            "files": pa.array([p.files if last else 0 for p in mine], pa.int32()),
        })
        if update.num_rows:
            cur.adbc_ingest("_nbtrack_ledger_in", update, mode="replace", temporary=True)
            cur.execute("UPDATE nbtrack_shipped s SET max_step = GREATEST(s.max_step, u.top), shipped_at = $1, "
                        "record_hash = COALESCE(u.hash, s.record_hash), files = GREATEST(s.files, u.files), "
                        "field_hashes = COALESCE(u.fh, s.field_hashes), record_at = COALESCE(u.rat, s.record_at) "
                        "FROM _nbtrack_ledger_in u WHERE s.run_id = u.run_id", (time.time(),))
        con.commit()
        return rows.num_rows, conflicts


def _ship_records(cur: Any, records: _Records, mine: pa.Table,
                  shipped: dict[str, tuple[dict[str, str] | None, float | None]]) -> dict[str, dict[str, str]]:
    """Insert new run records, update shipped ones (editable columns only where the local
    edit is the newest, see edits.py); the column hashes of each record applied, by id."""
    if not mine.num_rows:
        return {}
    ids = text_array(mine.column("id").to_pylist())
    cur.execute("SELECT run_id, field, edited_at FROM nbtrack_edits WHERE run_id = ANY($1::text[])", (ids,))
    team_edits: dict[str, dict[str, float]] = {}
    for run_id, column, at in cur.fetchall():
        team_edits.setdefault(run_id, {})[column] = at
    cur.execute("SELECT id FROM runs WHERE id = ANY($1::text[])", (ids,))
    in_team = {r[0] for r in cur.fetchall()}
    hashes = edits.field_hashes(mine)
    plans: dict[str, dict[str, float]] = {}
    for run_id in mine.column("id").to_pylist():
        before, previous_read = shipped.get(run_id, (None, None))
        plan = edits.columns_to_set(hashes[run_id], before, records.local_edits.get(run_id, {}),
                                    team_edits.get(run_id, {}), previous_read, records.read_at, run_id in in_team)
        if plan is not None:
            plans[run_id] = plan
    if not plans:
        return {}
    staged = mine.filter(pc.is_in(mine.column("id"), value_set=pa.array(list(plans), pa.string())))
    order = staged.column("id").to_pylist()
    for column in edits.EDITABLE:
        staged = staged.append_column(f"_set_{column}", pa.array([column in plans[r] for r in order], pa.bool_()))
    cur.adbc_ingest("_nbtrack_run_in", staged, mode="replace", temporary=True)
    cols = ", ".join(n for n, _ in PG_RUN_COLUMNS)
    cur.execute(f"INSERT INTO runs ({cols}) SELECT {cols} FROM _nbtrack_run_in ON CONFLICT (id) DO NOTHING")
    cur.execute(f"UPDATE runs r SET {_RECORD_SET} FROM _nbtrack_run_in i WHERE r.id = i.id")
    stamps = [(r, c, at) for r in order for c, at in plans[r].items()]
    if stamps:
        cur.adbc_ingest("_nbtrack_edits_in", pa.table({
            "run_id": pa.array([s[0] for s in stamps], pa.string()),
            "field": pa.array([s[1] for s in stamps], pa.string()),
            "edited_at": pa.array([s[2] for s in stamps], pa.float64())}), mode="replace", temporary=True)
        cur.execute("INSERT INTO nbtrack_edits SELECT run_id, field, edited_at FROM _nbtrack_edits_in "
                    "ON CONFLICT (run_id, field) DO UPDATE SET edited_at = EXCLUDED.edited_at")
    return {r: hashes[r] for r in order}
