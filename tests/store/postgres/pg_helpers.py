"""Statements on the team store from a test (a fresh connection, committed)."""

from __future__ import annotations


def pg_execute(url: str, sql: str) -> None:
    """Run one statement and commit it."""
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(url) as con:
        with con.cursor() as cur:
            cur.execute(sql)
        con.commit()
