"""Queries and statements on the team store from a test (a fresh connection each).

A module of its own name: ``from conftest import ...`` finds whichever conftest was
imported first when several test folders are collected together.
"""

from __future__ import annotations

from typing import Any


def pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a query."""
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(url) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def pg_execute(url: str, sql: str) -> None:
    """Run one statement and commit it."""
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(url) as con:
        with con.cursor() as cur:
            cur.execute(sql)
        con.commit()
