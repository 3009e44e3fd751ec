"""Edits of team-store runs from any machine: ``Api().run().update()`` over a team store.

An edit sets the columns in PostgreSQL and stamps each with its time in
``nbtrack_edits``, under the run's ledger row lock (as a shipping pass takes it), so the
origin machine's later shipments keep it unless they carry a newer edit of that column
(see ``edits.py``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ..editor import RunNotFound, edit_fields
from ..runsql import to_columns
from .connect import TeamStoreError, Transaction
from .downsample import text_array
from .ship import Connection
from .url import redact, redact_text


class TeamEditor:
    """Edits of runs in the team store from any machine (the read API over a team store).

    Same ``update`` as the local editor; the edit is stamped with its time
    (``nbtrack_edits``), so it stays unless the origin machine edits that column later.
    Deleting and adding files are done on the machine that logged the run.
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def update(self, run_id: str, *, name: str | None = None, notes: str | None = None,
               tags: Sequence[str] | None = None, group: str | None = None, job_type: str | None = None,
               config: dict[str, Any] | None = None, summary: dict[str, Any] | None = None,
               project: str | None = None) -> None:
        """Set the given fields of one run in the team store; ``RunNotFound`` if absent."""
        fields = to_columns(edit_fields(name=name, notes=notes, tags=tags, group=group, job_type=job_type,
                                        config=config, summary=summary))
        if not fields:
            return
        team: Connection | None = None
        try:
            team = Connection(self.url)
            _update(team.con, run_id, fields, project, time.time())
        except (RunNotFound, TeamStoreError):
            raise
        except Exception as exc:  # e.g. a viewer role may not write; the driver's text may carry the URL
            raise TeamStoreError(f"editing run {run_id} in {redact(self.url)} failed: "
                                 f"{redact_text(str(exc), self.url).strip()}") from None
        finally:
            if team is not None:
                team.close()

    def delete(self, run_ids: Sequence[str], force: bool = False, project: str | None = None) -> list[str]:
        """Refused: a run is deleted on the machine that logged it, and the deletion shipped."""
        raise ValueError("runs in the team store are read-only for deletion here: delete a run on the machine "
                         "that logged it (its local store); `nbtrack sync` ships the deletion.")

    def add_file(self, run_id: str, name: str, source_path: str, kind: str = "file") -> dict[str, Any]:
        """Refused: files are added on the machine that logged the run."""
        raise ValueError("files are added to a run on the machine that logged it (its local store), "
                         "then shipped with `nbtrack sync`.")


def _update(con: Any, run_id: str, fields: dict[str, Any], project: str | None, at: float) -> None:
    with Transaction(con) as cur:
        # the ledger row first, as a shipping pass locks it: edits and passes take turns
        cur.execute("SELECT run_id FROM nbtrack_shipped WHERE run_id = $1 FOR UPDATE", (run_id,))
        cur.fetchall()
        scope = "" if project is None else " AND project = $2"
        cur.execute(f"SELECT id FROM runs WHERE id = $1{scope} FOR UPDATE", (run_id,) if project is None
                    else (run_id, project))
        if not cur.fetchall():
            raise RunNotFound(run_id if project is None else f"{run_id} (in project {project!r})")
        sets, params = [], [run_id]
        for column, value in fields.items():
            params.append(text_array(value) if column == "tags" and value is not None else value)
            sets.append(f"{column} = ${len(params)}" + ("::text[]" if column == "tags" else ""))
        cur.execute(f"UPDATE runs SET {', '.join(sets)} WHERE id = $1", tuple(params))
        cur.execute("INSERT INTO nbtrack_edits SELECT $1, unnest($2::text[]), $3 ON CONFLICT (run_id, field) "
                    "DO UPDATE SET edited_at = EXCLUDED.edited_at",
                    (run_id, text_array(list(fields)), at))
        con.commit()
