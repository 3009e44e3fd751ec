"""Edit stored runs from a reader's side (the runs table, the read API): rename, notes,
tags, group, job type, config, summary, add a file, delete.

Each call takes the store's exclusive lock, changes only the named columns (a partial
UPDATE through ``runsql.upsert_run``) and releases it. A running run's own writer sends
only the columns that changed in its process (its first batch carries the whole record;
later ones only history, summary, heartbeat, config and the like, and ``name`` only if
the process renames the run itself), so a rename made here is not undone.

Each edit records when it set which columns (``run_edits``) and each deletion leaves a
tombstone (``deleted_runs``): a team store ships them after the run (newest edit wins).

Deleting removes the run's rows from ``runs``, ``history``, ``files`` and ``lineage``;
the blobs stay (they are content-addressed and may be shared with other runs or
artifacts). A run that is still running is refused unless ``force``: its writer would
insert the run again at its next batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from . import edit_listeners, live_writers, runsql
from .liveness import effective_state
from .store import Store

_TABLES = ("history", "files", "lineage")


class RunNotFound(KeyError):
    """No run with that id in the store."""


class StoreEditor:
    def __init__(self, store: Store, lock_timeout: float = 10.0) -> None:
        self.store = store
        self.lock_timeout = lock_timeout

    def update(self, run_id: str, *, name: str | None = None, notes: str | None = None,
               tags: Sequence[str] | None = None, group: str | None = None, job_type: str | None = None,
               config: dict[str, Any] | None = None, summary: dict[str, Any] | None = None,
               project: str | None = None) -> None:
        """Set the given fields of one run (others untouched); RunNotFound if absent.

        ``config`` and ``summary`` replace the stored dicts whole (the read API edits a
        copy and writes it back). With ``project``, a run of another project counts as
        absent (checked under the exclusive lock, in the same statement that finds the run).
        """
        fields = edit_fields(name=name, notes=notes, tags=tags, group=group, job_type=job_type,
                             config=config, summary=summary)
        if not fields:
            return
        live_writers.flush_store(self.store, timeout=5.0)
        with self.store.write(timeout=self.lock_timeout) as con:
            scope, params = _scope(project)
            if not con.execute(f"SELECT count(*) FROM runs WHERE id = ?{scope}", [run_id, *params]).fetchall()[0][0]:
                raise RunNotFound(run_id if project is None else f"{run_id} (in project {project!r})")
            con.execute("BEGIN TRANSACTION")
            try:
                runsql.upsert_run(con, run_id, fields)  # the run exists: a partial UPDATE
                _record_edits(con, run_id, [_COLUMN.get(f, f) for f in fields], time.time())
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        edit_listeners.edited(self.store)

    def add_file(self, run_id: str, name: str, source_path: str, kind: str = "file") -> dict[str, Any]:
        """Keep a file with a stored run (content-addressed blob + a ``files`` row); its record."""
        sha, size = self.store.put_blob_file(source_path)
        now = time.time()
        live_writers.flush_store(self.store, timeout=5.0)
        with self.store.write(timeout=self.lock_timeout) as con:
            if not con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0]:
                raise RunNotFound(run_id)
            con.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", [run_id, name, sha, size, kind, now])
        edit_listeners.edited(self.store)
        return {"run_id": run_id, "path": name, "sha256": sha, "size": size, "kind": kind, "created_at": now}

    def apply(self, operation: Callable[[Any], Any]) -> Any:
        """Run a writer-style operation (a function of the connection) under the exclusive lock."""
        live_writers.flush_store(self.store, timeout=5.0)
        with self.store.write(timeout=self.lock_timeout) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                result = operation(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return result

    def delete(self, run_ids: Sequence[str], force: bool = False, project: str | None = None) -> list[str]:
        """Delete runs and their history/files/lineage rows; return the ids deleted.

        With ``project``, only runs of that project are deleted (others are left alone
        and not returned).
        """
        ids = [str(i) for i in run_ids]
        if not ids:
            return []
        live_writers.flush_store(self.store, timeout=5.0)
        with self.store.write(timeout=self.lock_timeout) as con:
            scope, params = _scope(project)
            cur = con.execute(f"SELECT * FROM runs WHERE list_contains(?::VARCHAR[], id){scope}", [ids, *params])
            names = [d[0] for d in cur.description]
            recs = [runsql.from_row(names, r) for r in cur.fetchall()]
            running = [r["id"] for r in recs if effective_state(r) == "running"]
            if running and not force:
                raise ValueError(f"run(s) still running: {', '.join(running)}; finish them first")
            found = [r["id"] for r in recs]
            if not found:
                return []
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            con.execute("BEGIN TRANSACTION")
            try:
                for t in _TABLES:
                    if t in tables:
                        con.execute(f"DELETE FROM {t} WHERE list_contains(?::VARCHAR[], run_id)", [found])
                con.execute("DELETE FROM runs WHERE list_contains(?::VARCHAR[], id)", [found])
                if "deleted_runs" in tables:  # remembered, so a team store deletes them too
                    con.execute("DELETE FROM run_edits WHERE list_contains(?::VARCHAR[], run_id)", [found])
                    con.execute("INSERT INTO deleted_runs SELECT unnest(?::VARCHAR[]), ?", [found, time.time()])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        edit_listeners.edited(self.store)
        return found


def edit_fields(*, name: str | None = None, notes: str | None = None, tags: Sequence[str] | None = None,
                group: str | None = None, job_type: str | None = None, config: dict[str, Any] | None = None,
                summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fields an edit sets (None: left alone), checked and cleaned: a name is not
    empty, tags are stripped and unique. Keys as ``RunRecord``'s (``group``)."""
    fields: dict[str, Any] = {}
    for key, value in (("group", group), ("job_type", job_type), ("config", config), ("summary", summary)):
        if value is not None:
            fields[key] = value
    if name is not None:
        name = str(name).strip()
        if not name:
            raise ValueError("a run's name cannot be empty")
        fields["name"] = name
    if notes is not None:
        fields["notes"] = str(notes)
    if tags is not None:
        clean: list[str] = []
        for t in tags:
            t = str(t).strip()
            if t and t not in clean:
                clean.append(t)
        fields["tags"] = clean
    return fields


#: the editor's field names that are not the column's
_COLUMN = {"group": "group_name"}


def _record_edits(con: Any, run_id: str, columns: Sequence[str], at: float) -> None:
    """When these columns of a run were last edited (``run_edits``, read when shipping)."""
    con.execute("DELETE FROM run_edits WHERE run_id = ? AND list_contains(?::VARCHAR[], field)",
                [run_id, list(columns)])
    con.execute("INSERT INTO run_edits SELECT ?, unnest(?::VARCHAR[]), ?", [run_id, list(columns), at])


def _scope(project: str | None) -> tuple[str, list[Any]]:
    """The extra WHERE clause (and its parameter) restricting runs to one project."""
    return ("", []) if project is None else (" AND project = ?", [project])
