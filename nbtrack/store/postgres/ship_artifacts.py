"""Shipping artifacts and lineage to the team store, idempotently.

A local store numbers an artifact's versions by itself (it may be offline), so a local
version is not the team's: on the way, each local version is mapped to the team version
with the same content digest, or becomes the next team version of that name (its row,
files and a ledger entry in ``nbtrack_artifact_shipped``, in one transaction). Aliases
move in the team store when they moved locally since the last pass
(``nbtrack_alias_shipped`` remembers what each machine shipped), so a machine that
re-ships never moves ``latest`` back. Lineage rows are inserted once (a primary key),
for the runs this machine owns in the team store. Edits of a version's description,
metadata or tags are shipped when they changed locally. The blobs of the versions'
files go to the team's blob store first, only the missing ones.

A hash of the local artifact tables (``nbtrack_artifacts_state``) makes a pass with
nothing new one query. The whole merge runs under an advisory lock, so two machines
never give two versions one number.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..store import Store
from .blob_store import upload_missing
from .connect import Transaction
from .downsample import text_array

#: serialises artifact merges across clients (version numbering)
_LOCK_KEY = 7254190002

Key = tuple[str, str]
VersionKey = tuple[str, str, int]


@dataclass
class LocalArtifacts:
    """The artifact tables of a local store, as rows."""

    artifacts: list[tuple[Any, ...]] = field(default_factory=list)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    files: list[tuple[Any, ...]] = field(default_factory=list)
    aliases: list[tuple[Any, ...]] = field(default_factory=list)
    lineage: list[tuple[Any, ...]] = field(default_factory=list)
    #: ids of the local runs that have lineage rows
    runs: set[str] = field(default_factory=set)

    def digest(self) -> str:
        """A hash of everything the tables hold."""
        h = hashlib.sha256()
        for rows in (self.artifacts, self.versions, self.files, self.aliases, self.lineage):
            h.update(json.dumps(rows, default=str, sort_keys=True).encode())
            h.update(b"\0")
        return h.hexdigest()


@dataclass
class ArtifactsShipped:
    """What one artifact pass shipped."""

    versions: int = 0
    aliases: int = 0
    lineage: int = 0
    blobs: int = 0
    missing_blobs: int = 0
    #: "project/name" whose type differs in the team store (not shipped)
    conflicts: list[str] = field(default_factory=list)


def read_local(con: Any) -> LocalArtifacts:
    """The artifact rows of a local store open as ``con`` (ordered, so the hash is stable)."""
    return LocalArtifacts(
        artifacts=con.execute("SELECT project, name, type, description, created_at FROM artifacts "
                              "ORDER BY project, name").fetchall(),
        versions=con.execute("SELECT project, name, version, digest, description, metadata::VARCHAR, size, "
                             "file_count, tags, created_at, created_by_run FROM artifact_versions "
                             "ORDER BY project, name, version").fetchall(),
        files=con.execute("SELECT project, name, version, path, sha256, size FROM artifact_files "
                          "ORDER BY project, name, version, path").fetchall(),
        aliases=con.execute("SELECT project, name, alias, version FROM artifact_aliases "
                            "ORDER BY project, name, alias, version").fetchall(),
        lineage=con.execute("SELECT run_id, project, name, version, direction, min(created_at) FROM lineage "
                            "GROUP BY ALL ORDER BY ALL").fetchall(),
        runs={r[0] for r in con.execute("SELECT id FROM runs WHERE id IN (SELECT run_id FROM lineage)").fetchall()},
    )


def ship_artifacts(store: Store, team: Any, origin: str, local: LocalArtifacts | None = None) -> ArtifactsShipped:
    """Ship what the local store's artifact tables hold that the team store lacks.

    ``team`` is an open :class:`~nbtrack.store.postgres.ship.Connection`; ``local`` the
    rows as the caller read them (else they are read here; their blobs come from
    ``store``). Raises for trouble with either store (nothing half-shipped: one
    transaction); the next pass ships what is left.
    """
    result = ArtifactsShipped()
    if local is None:
        if not store.db_path.exists():
            return result
        with store.read() as con:
            local = read_local(con)
    if not local.versions and not local.lineage:
        return result
    # a blob store named later (none before) makes the next pass upload the blobs
    state = f"{local.digest()}:{getattr(team.blobs, 'location', '')}"
    con = team.con
    with Transaction(con) as cur:
        cur.execute("SELECT state_hash FROM nbtrack_artifacts_state WHERE origin = $1", (origin,))
        found = cur.fetchall()
        con.commit()
        if found and found[0][0] == state:
            return result
        # blobs before the rows that name them (only missing ones travel)
        shas = {str(f[4]) for f in local.files if f[4]}
        result.blobs, missing = upload_missing(store, team.blobs, shas)
        result.missing_blobs = len(missing)
        cur.execute("SELECT pg_advisory_xact_lock($1)", (_LOCK_KEY,))
        complete = _merge(cur, origin, local, result)
        if shas - missing:
            _record_blobs(cur, local, missing)
        if complete:
            cur.execute("INSERT INTO nbtrack_artifacts_state VALUES ($1, $2) ON CONFLICT (origin) "
                        "DO UPDATE SET state_hash = EXCLUDED.state_hash", (origin, state))
        con.commit()
        return result


def _merge(cur: Any, origin: str, local: LocalArtifacts, result: ArtifactsShipped) -> bool:
    """Versions, aliases and lineage, inside the caller's transaction; True when nothing
    was left for a later pass (a run not shipped yet)."""
    cur.execute("SELECT project, name, type FROM artifacts")
    team_types: dict[Key, str] = {(p, n): t for p, n, t in cur.fetchall()}
    skip: set[Key] = set()
    for project, name, type_, description, created_at in local.artifacts:
        key = (project, name)
        if key not in team_types:
            cur.execute("INSERT INTO artifacts VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        (project, name, type_, description, created_at))
        elif team_types[key] != type_:
            skip.add(key)
            result.conflicts.append(f"{project}/{name}")
    mapping = _map_versions(cur, origin, local, skip, result)
    _move_aliases(cur, origin, local, mapping, result)
    return _add_lineage(cur, origin, local, mapping, result)


def _map_versions(cur: Any, origin: str, local: LocalArtifacts, skip: set[Key],
                  result: ArtifactsShipped) -> dict[VersionKey, int]:
    """Local version -> team version, adding the versions the team lacks."""
    cur.execute("SELECT project, name, local_version, version, edit_hash FROM nbtrack_artifact_shipped "
                "WHERE origin = $1", (origin,))
    known: dict[VersionKey, tuple[int, str | None]] = {(p, n, lv): (v, h) for p, n, lv, v, h in cur.fetchall()}
    files_of: dict[VersionKey, list[tuple[Any, ...]]] = {}
    for f in local.files:
        files_of.setdefault((f[0], f[1], int(f[2])), []).append(f)
    mapping: dict[VersionKey, int] = {}
    for project, name, lv, digest, description, metadata, size, n_files, tags, created_at, by_run in local.versions:
        if (project, name) in skip:
            continue
        key = (project, name, int(lv))
        edit = _edit_hash(description, metadata, tags)
        tag_list = text_array(list(tags or []))
        if key in known:
            version, shipped_edit = known[key]
            if shipped_edit != edit:
                cur.execute("UPDATE artifact_versions SET description = $4, metadata = $5, tags = $6::text[] "
                            "WHERE project = $1 AND name = $2 AND version = $3",
                            (project, name, version, description, metadata, tag_list))
                cur.execute("UPDATE nbtrack_artifact_shipped SET edit_hash = $5 WHERE origin = $1 AND "
                            "project = $2 AND name = $3 AND local_version = $4", (origin, project, name, int(lv), edit))
            mapping[key] = version
            continue
        cur.execute("SELECT min(version) FROM artifact_versions WHERE project = $1 AND name = $2 AND digest = $3",
                    (project, name, digest))
        same = cur.fetchall()[0][0]
        if same is not None:
            version = int(same)
        else:
            cur.execute("SELECT coalesce(max(version) + 1, 0) FROM artifact_versions WHERE project = $1 AND name = $2",
                        (project, name))
            version = int(cur.fetchall()[0][0])
            cur.execute("INSERT INTO artifact_versions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11)",
                        (project, name, version, digest, description, metadata, size, n_files, tag_list,
                         created_at, by_run))
            _insert_files(cur, project, name, version, files_of.get(key, []))
            result.versions += 1
        cur.execute("INSERT INTO nbtrack_artifact_shipped VALUES ($1, $2, $3, $4, $5, $6)",
                    (origin, project, name, int(lv), version, edit))
        mapping[key] = version
    return mapping


def _insert_files(cur: Any, project: str, name: str, version: int, files: list[tuple[Any, ...]]) -> None:
    if not files:
        return
    table = pa.table({"path": pa.array([f[3] for f in files], pa.string()),
                      "sha256": pa.array([f[4] for f in files], pa.string()),
                      "size": pa.array([f[5] for f in files], pa.int64())})
    cur.adbc_ingest("_nbtrack_artifact_files_in", table, mode="replace", temporary=True)
    cur.execute("INSERT INTO artifact_files SELECT $1, $2, $3, path, sha256, size FROM _nbtrack_artifact_files_in "
                "ON CONFLICT DO NOTHING", (project, name, version))


def _move_aliases(cur: Any, origin: str, local: LocalArtifacts, mapping: dict[VersionKey, int],
                  result: ArtifactsShipped) -> None:
    """Move the team's aliases that moved here since the last pass; drop the ones removed here."""
    cur.execute("SELECT project, name, alias, local_version FROM nbtrack_alias_shipped WHERE origin = $1", (origin,))
    shipped = {(p, n, a): int(lv) for p, n, a, lv in cur.fetchall()}
    here = {(p, n, a): int(v) for p, n, a, v in local.aliases}
    for (project, name, alias), lv in here.items():
        version = mapping.get((project, name, lv))
        if version is None or shipped.get((project, name, alias)) == lv:
            continue
        cur.execute("INSERT INTO artifact_aliases VALUES ($1, $2, $3, $4) ON CONFLICT (project, name, alias) "
                    "DO UPDATE SET version = EXCLUDED.version", (project, name, alias, version))
        cur.execute("INSERT INTO nbtrack_alias_shipped VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
                    "(origin, project, name, alias) DO UPDATE SET local_version = EXCLUDED.local_version",
                    (origin, project, name, alias, lv))
        result.aliases += 1
    for (project, name, alias), lv in shipped.items():
        if (project, name, alias) in here:
            continue
        version = mapping.get((project, name, lv))
        if version is not None:  # removed here: removed there too, unless it moved there since
            cur.execute("DELETE FROM artifact_aliases WHERE project = $1 AND name = $2 AND alias = $3 "
                        "AND version = $4", (project, name, alias, version))
        cur.execute("DELETE FROM nbtrack_alias_shipped WHERE origin = $1 AND project = $2 AND name = $3 "
                    "AND alias = $4", (origin, project, name, alias))


def _add_lineage(cur: Any, origin: str, local: LocalArtifacts, mapping: dict[VersionKey, int],
                 result: ArtifactsShipped) -> bool:
    """Lineage of the runs this machine owns in the team store; False if a run is not shipped yet."""
    run_ids = sorted({str(r[0]) for r in local.lineage})
    cur.execute("SELECT run_id, origin FROM nbtrack_shipped WHERE run_id = ANY($1::text[])", (text_array(run_ids),))
    owner = {r: o for r, o in cur.fetchall()}
    complete = True
    rows = []
    for run_id, project, name, lv, direction, created_at in local.lineage:
        version = mapping.get((project, name, int(lv)))
        if owner.get(run_id) is None:
            complete = complete and run_id not in local.runs  # a local run is shipped by a later pass
        elif owner[run_id] == origin and version is not None:
            rows.append((run_id, project, name, version, direction, created_at))
    if rows:
        table = pa.table({
            "run_id": pa.array([r[0] for r in rows], pa.string()),
            "project": pa.array([r[1] for r in rows], pa.string()),
            "name": pa.array([r[2] for r in rows], pa.string()),
            "version": pa.array([r[3] for r in rows], pa.int32()),
            "direction": pa.array([r[4] for r in rows], pa.string()),
            "created_at": pa.array([r[5] for r in rows], pa.float64()),
        })
        cur.adbc_ingest("_nbtrack_lineage_in", table, mode="replace", temporary=True)
        cur.execute("WITH added AS (INSERT INTO lineage SELECT * FROM _nbtrack_lineage_in ON CONFLICT DO NOTHING "
                    "RETURNING 1) SELECT count(*) FROM added")
        result.lineage += int(cur.fetchall()[0][0])
    return complete


def _record_blobs(cur: Any, local: LocalArtifacts, missing: set[str]) -> None:
    """List the artifact files' blobs in ``blobs`` (what the team's blob store holds)."""
    sizes: dict[str, int] = {str(f[4]): int(f[5] or 0) for f in local.files if f[4] and f[4] not in missing}
    table = pa.table({"sha256": pa.array(list(sizes), pa.string()),
                      "size": pa.array(list(sizes.values()), pa.int64())})
    cur.adbc_ingest("_nbtrack_blobs_in", table, mode="replace", temporary=True)
    cur.execute("INSERT INTO blobs SELECT sha256, size, $1::double precision FROM _nbtrack_blobs_in "
                "ON CONFLICT (sha256) DO NOTHING", (time.time(),))


def _edit_hash(description: Any, metadata: Any, tags: Any) -> str:
    return hashlib.sha256(json.dumps([description, metadata, list(tags or [])], default=str).encode()).hexdigest()
