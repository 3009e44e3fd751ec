"""Schema v2 of the team store: artifacts, their versions, files, aliases, lineage, and
the ledgers that make shipping them idempotent.

The artifact tables have the local store's columns (``metadata`` as JSON text, ``tags``
as text[]), with the keys the local store keeps by its writer enforced here by
constraints: many machines write. A version number belongs to the team store: a local
version is mapped to the team version with the same digest, or numbered after the
team's latest (``nbtrack_artifact_shipped``); aliases shipped are remembered per machine
(``nbtrack_alias_shipped``) so an alias is moved only when it moved locally; and
``nbtrack_artifacts_state`` holds a hash of what a machine's artifact tables held when
they were last shipped whole, so a pass with nothing new costs one query.
"""

from __future__ import annotations

from typing import Any

ARTIFACT_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS artifacts (project text NOT NULL, name text NOT NULL, type text, "
    "description text, created_at double precision, PRIMARY KEY (project, name))",
    "CREATE TABLE IF NOT EXISTS artifact_versions (project text NOT NULL, name text NOT NULL, "
    "version integer NOT NULL, digest text, description text, metadata text, size bigint, file_count integer, "
    "tags text[], created_at double precision, created_by_run text, PRIMARY KEY (project, name, version))",
    "CREATE INDEX IF NOT EXISTS artifact_versions_digest ON artifact_versions (project, name, digest)",
    "CREATE TABLE IF NOT EXISTS artifact_files (project text NOT NULL, name text NOT NULL, "
    "version integer NOT NULL, path text NOT NULL, sha256 text, size bigint, "
    "PRIMARY KEY (project, name, version, path))",
    "CREATE TABLE IF NOT EXISTS artifact_aliases (project text NOT NULL, name text NOT NULL, "
    "alias text NOT NULL, version integer NOT NULL, PRIMARY KEY (project, name, alias))",
    "CREATE TABLE IF NOT EXISTS lineage (run_id text NOT NULL, project text NOT NULL, name text NOT NULL, "
    "version integer NOT NULL, direction text NOT NULL, created_at double precision, "
    "PRIMARY KEY (run_id, project, name, version, direction))",
    "CREATE INDEX IF NOT EXISTS lineage_version ON lineage (project, name, version)",
    "CREATE TABLE IF NOT EXISTS nbtrack_artifact_shipped (origin text NOT NULL, project text NOT NULL, "
    "name text NOT NULL, local_version integer NOT NULL, version integer NOT NULL, edit_hash text, "
    "PRIMARY KEY (origin, project, name, local_version))",
    "CREATE TABLE IF NOT EXISTS nbtrack_alias_shipped (origin text NOT NULL, project text NOT NULL, "
    "name text NOT NULL, alias text NOT NULL, local_version integer NOT NULL, "
    "PRIMARY KEY (origin, project, name, alias))",
    "CREATE TABLE IF NOT EXISTS nbtrack_artifacts_state (origin text PRIMARY KEY, state_hash text NOT NULL)",
)


def create_artifact_tables(cur: Any) -> None:
    """The migration to schema v2."""
    for ddl in ARTIFACT_DDL:
        cur.execute(ddl)
