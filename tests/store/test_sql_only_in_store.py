"""All SQL and DDL of nbtrack lives in nbtrack/store/: callers call named functions.

The check reads every module's string literals (f-strings included, docstrings left
out) and fails on one that reads as a SQL statement. ``nbtrack/store/`` is exempt, as
is the allow-list below, each entry with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbtrack

PACKAGE = Path(nbtrack.__file__).parent
STORE = PACKAGE / "store"

#: the start of a SQL statement or clause, as nbtrack writes them (upper-case keywords)
SQL = re.compile(
    r"\b(SELECT\s+(\*|DISTINCT|[\w.]+\s*(,|\bFROM\b|\bAS\b))|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|VIEW|SCHEMA|TYPE|SEQUENCE)|ALTER\s+TABLE|DROP\s+(TABLE|INDEX|VIEW)"
    r"|WHERE\s+[\w.]+\s*(=|IN\b|IS\b|LIKE\b)|ORDER\s+BY\s+[\w.]+|GROUP\s+BY\s+[\w.]+|JOIN\s+\w+\s+\w+\s+ON)"
)

#: module (relative to nbtrack/) -> why SQL may appear there; keep it short
ALLOWED: dict[str, str] = {}


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def sql_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal in ``source`` that reads as SQL (docstrings skipped)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if SQL.search(text):
            found.append((node.lineno, text))
    return found


def test_detector_sees_sql_and_not_prose():
    assert sql_literals('q = "SELECT type FROM artifacts WHERE project = ?"')
    assert sql_literals('q = f"{cols} FROM t WHERE {where} ORDER BY v.project"')
    assert sql_literals('con.execute("ALTER TABLE runs ADD COLUMN x DOUBLE")')
    assert sql_literals('con.execute("DELETE FROM meta WHERE key = ?")')
    assert sql_literals('q = ("SELECT " "v.name, a.type FROM x")')  # implicit concatenation is one literal
    assert not sql_literals('"""Runs of a project: sort, filter, select, overlay curves."""')
    assert not sql_literals('msg = "select the runs to compare, then update the table"')
    assert not sql_literals('def f():\n    """SELECT * FROM runs, in a docstring, is documentation."""\n')


def test_no_sql_outside_the_store():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(STORE):
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in ALLOWED:
            continue
        for line, text in sql_literals(path.read_text(encoding="utf-8")):
            offenders.append(f"nbtrack/{rel}:{line}: {text[:80]!r}")
    assert not offenders, ("SQL outside nbtrack/store/; move it behind a named function there:\n"
                           + "\n".join(offenders))


def test_allow_list_is_current():
    for rel, reason in ALLOWED.items():
        assert (PACKAGE / rel).is_file(), f"{rel} is allowed SQL but no longer exists"
        assert reason.strip(), f"{rel} needs a reason"
