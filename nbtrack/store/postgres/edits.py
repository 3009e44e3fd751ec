"""Edits after shipping: the newest edit of each editable column wins in the team store.

A run's record keeps changing after it was first shipped: its own writer (summary,
state, heartbeat), the local editor (rename, notes, tags, config and summary through the
runs table or ``Api().run().update()``), and, in the team store itself, a teammate's
edit through a reader of the team store (``team_editor.TeamEditor``). Columns the run's own
process owns (state, times, ``last_step``, environment, ...) are simply taken from the
newest local read. The editable columns (``EDITABLE``) are merged per column, last
writer wins by edit time:

- ``nbtrack_edits`` (PostgreSQL) holds, per run and column, the edit time in force;
- the ledger ``nbtrack_shipped`` holds a hash per editable column of what the origin
  last shipped (``field_hashes``) and when that record was read (``record_at``);
- a pass sets a column only if the origin changed it since its last shipment, at the
  local editor's time (``run_edits``) or, for a change by the run's writer, the pass's
  read time, and only if that is not older than the edit in force. A pass that read the
  local store before the last one shipped (two shippers of one store) changes nothing.

Everything happens in the shipping transaction, under the ledger row's lock, so a retry
changes nothing twice. Deletions are shipped from the local tombstones
(``deleted_runs``): only a run this origin shipped is deleted, with its rows.
"""

from __future__ import annotations

import hashlib
import json
import math

import pyarrow as pa

#: the columns a person edits (the runs table, the read API); the rest belong to the run
EDITABLE: tuple[str, ...] = ("name", "notes", "tags", "group_name", "job_type", "config", "summary")

#: PostgreSQL DDL of the edit bookkeeping (team schema v3)
DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS nbtrack_edits (run_id text NOT NULL, field text NOT NULL, "
    "edited_at double precision NOT NULL, PRIMARY KEY (run_id, field))",
    "ALTER TABLE nbtrack_shipped ADD COLUMN IF NOT EXISTS field_hashes text",
    "ALTER TABLE nbtrack_shipped ADD COLUMN IF NOT EXISTS record_at double precision",
)

#: the local editor's edit times (DuckDB; ``run_edits`` exists from local schema v4)
LOCAL_EDITS = ("SELECT run_id, field, max(edited_at) FROM run_edits "
               "WHERE run_id IN (SELECT run_id FROM _nbtrack_group) GROUP BY run_id, field")
#: runs deleted locally and not logged again since (DuckDB)
LOCAL_DELETIONS = "SELECT DISTINCT run_id FROM deleted_runs WHERE run_id NOT IN (SELECT id FROM runs)"


def field_hashes(records: pa.Table) -> dict[str, dict[str, str]]:
    """Per run id, a hash of each editable column's value (JSON columns as stored text)."""
    out: dict[str, dict[str, str]] = {}
    columns = {c: records.column(c).to_pylist() for c in EDITABLE}
    for i, run_id in enumerate(records.column("id").to_pylist()):
        out[run_id] = {c: hashlib.md5(json.dumps(columns[c][i], sort_keys=True, default=str).encode(),
                                      usedforsecurity=False).hexdigest() for c in EDITABLE}
    return out


def columns_to_set(local: dict[str, str], shipped: dict[str, str] | None, local_edits: dict[str, float],
                   team_edits: dict[str, float], previous_read: float | None, read_at: float,
                   in_team: bool) -> dict[str, float] | None:
    """The editable columns a local record sets in the team store, each with its edit time.

    ``local``/``shipped``: column hashes now and as last shipped; ``local_edits``: the
    local editor's times; ``team_edits``: the times in force in the team store;
    ``previous_read``/``read_at``: when the record last shipped and this one were read.
    None: this read is older than the one shipped last (the pass changes nothing).
    """
    if previous_read is not None and previous_read > read_at:
        return None
    out: dict[str, float] = {}
    for column in EDITABLE:
        edited = local_edits.get(column)
        # an editor's edit since the last shipment has its own time; the writer's changes are "now"
        at = edited if edited is not None and (previous_read is None or edited > previous_read) else read_at
        changed = shipped is None or shipped.get(column) != local[column]
        if not in_team or (changed and at >= team_edits.get(column, -math.inf)):
            out[column] = at
    return out
