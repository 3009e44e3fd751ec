"""SQL for one row of ``runs``: RunRecord <-> columns, insert/update by id in code."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .records import RunRecord
from .safe_values import clean_text, json_text
from .schema import JSON_RUN_COLUMNS, RUN_COLUMNS

#: RunRecord key -> column name, where they differ
_KEY_TO_COL = {"group": "group_name"}
_COL_TO_KEY = {v: k for k, v in _KEY_TO_COL.items()}
_COLUMNS = {name for name, _ in RUN_COLUMNS}
_TIME_COLUMNS = frozenset({"created_at", "finished_at", "heartbeat_at", "pid_started_at"})
_MAX_TIME = 253_402_300_799.0  # 9999-12-31T23:59:59Z, the last second datetime can show


def to_columns(fields: RunRecord | dict[str, Any]) -> dict[str, Any]:
    """Map RunRecord keys to ``runs`` columns and encode JSON columns; drop unknown keys."""
    out: dict[str, Any] = {}
    items: Iterable[tuple[str, Any]] = fields.items()  # a RunRecord's values are of many types
    for key, value in items:
        col = _KEY_TO_COL.get(key, key)
        if col not in _COLUMNS:
            continue
        if col in JSON_RUN_COLUMNS and value is not None:
            value = json_text(value)
        elif col == "tags" and value is not None:
            value = [clean_text(str(t)) for t in value]
        elif isinstance(value, str):
            value = clean_text(value)
        out[col] = value
    return out


def from_row(names: list[str], row: tuple[Any, ...]) -> RunRecord:
    """Build a RunRecord from a ``runs`` row (JSON decoded, tags a list).

    A store may be shared or edited by hand, so the row is read defensively: a JSON
    column that is not an object (``[1, 2]``, ``3``) reads as ``{}``, and a time that is
    not a finite number (NaN, infinity, past year 9999) reads as None; JSON nested
    deeper than Python can decode reads as ``{}``.
    """
    rec: dict[str, Any] = {}
    for name, value in zip(names, row):
        if name in JSON_RUN_COLUMNS:
            try:
                value = json.loads(value) if value is not None else {}
            except (RecursionError, ValueError):  # nested deeper than Python decodes
                value = {}
            if not isinstance(value, dict):
                value = {}
        elif name == "tags":
            value = [str(t) for t in value] if isinstance(value, (list, tuple)) else []
        elif name in _TIME_COLUMNS and value is not None and not (isinstance(value, (int, float))
                                                                   and abs(value) < _MAX_TIME):
            value = None  # NaN fails the comparison too
        rec[_COL_TO_KEY.get(name, name)] = value
    return rec  # type: ignore[return-value] # a dict of RunRecord keys, built from the table's columns


def upsert_run(con: Any, run_id: str, fields: RunRecord | dict[str, Any]) -> None:
    """Insert the run if absent, else update the given columns (``last_step`` only grows)."""
    if run_exists(con, run_id):
        update_run(con, run_id, fields)
    else:
        insert_run(con, run_id, fields)


def run_exists(con: Any, run_id: str) -> bool:
    """True if ``runs`` holds a row with this id."""
    return bool(con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0])


def existing_ids(con: Any, run_ids: list[str]) -> set[str]:
    """Which of ``run_ids`` have a row in ``runs``."""
    rows = con.execute("SELECT DISTINCT id FROM runs WHERE list_contains(?::VARCHAR[], id)", [run_ids]).fetchall()
    return {r[0] for r in rows}


def stored_run(con: Any, run_id: str) -> RunRecord | None:
    """The stored row of one run (decoded), or None."""
    cur = con.execute("SELECT * FROM runs WHERE id = ?", [run_id])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return from_row(names, rows[0]) if rows else None


def insert_run(con: Any, run_id: str, fields: RunRecord | dict[str, Any]) -> None:
    """Insert a new ``runs`` row with the given fields (the caller knows it is absent)."""
    cols = to_columns(fields)
    cols.pop("id", None)
    names = ["id", *cols]
    marks = ", ".join("?" for _ in names)
    con.execute(f"INSERT INTO runs ({', '.join(names)}) VALUES ({marks})", [run_id, *cols.values()])


def update_run(con: Any, run_id: str, fields: RunRecord | dict[str, Any]) -> None:
    """Update the given columns of an existing run (``last_step`` only grows)."""
    cols = to_columns(fields)
    cols.pop("id", None)
    if not cols:
        return
    sets = []
    params: list[Any] = []
    for col, value in cols.items():
        if col == "last_step" and value is not None:
            sets.append("last_step = greatest(coalesce(last_step, ?), ?)")
            params += [value, value]
        else:
            sets.append(f"{col} = ?")
            params.append(value)
    con.execute(f"UPDATE runs SET {', '.join(sets)} WHERE id = ?", [*params, run_id])
