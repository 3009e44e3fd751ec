"""Read-only SQL behind the runs table widget (``nbtrack.runs_table``).

The table reads only the columns it shows (the environment, with its package list, is
read per run when its page opens); JSON columns come back as text, decoded by the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from .reader import StoreReader

_RUNS = ("SELECT id, project, name, notes, tags, state, created_at, finished_at, heartbeat_at, host, pid, "
         "pid_started_at, sweep_id, config::VARCHAR AS config, summary::VARCHAR AS summary FROM runs")


def table_runs(reader: StoreReader, project: str | None = None) -> pa.Table:
    """The runs of ``project`` (all projects when None), newest first, with the table's columns."""
    sql, params = _RUNS, []
    if project is not None:
        sql += " WHERE project = ?"
        params.append(project)
    return reader.query(sql + " ORDER BY created_at DESC NULLS LAST, id", params)
