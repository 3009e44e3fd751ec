"""`nbtrack sync`: ship a local store's runs to the team store on PostgreSQL.

Idempotent: it ships only what the team store's ledger does not have yet, in chunks that
each commit whole, so it can be retried or interrupted (Ctrl-C, a lost connection) any
number of times without a duplicate.
"""

from __future__ import annotations

import os
import sys
import time

from .store.errors import StoreVersionError
from .store.paths import resolve_store_dir
from .store.postgres.connect import TeamStoreError
from .store.postgres.ship import Connection, ShipResult, ship
from .store.postgres.url import redact, redact_text, team_url
from .store.store import store_at


def sync(dir: str | os.PathLike[str] | None = None, store: str | None = None,
         team_blobs: str | os.PathLike[str] | None = None) -> ShipResult:
    """Ship every run of the local store (``dir``) to the team store (``store`` or NBTRACK_STORE).

    Returns what was shipped. Raises ``TeamStoreError`` if the server cannot be reached.
    """
    url = team_url(store) if store else team_url(None, None)
    if url is None:
        raise ValueError("nbtrack sync needs the team store: pass --store postgresql://user@host/db "
                         "or set NBTRACK_STORE.")
    team = Connection(url, team_blobs)
    try:
        return ship(store_at(dir), team)
    finally:
        team.close()


def sync_command(dir: str | None, store: str | None) -> int:
    """The CLI's `sync`: one summary line, or one error line (no credentials) and exit code 1."""
    local = resolve_store_dir(dir)
    started = time.perf_counter()
    try:
        result = sync(dir, store)
    except (ValueError, TeamStoreError, StoreVersionError, OSError) as exc:
        print(f"nbtrack sync: {redact_text(str(exc), store)}", file=sys.stderr)
        return 1
    except Exception as exc:  # the driver's errors may carry the URL
        print(f"nbtrack sync: failed ({type(exc).__name__}: {redact_text(str(exc), store)}); "
              "run it again: nothing is shipped twice.", file=sys.stderr)
        return 1
    url = team_url(store) if store else team_url(None, None)
    where = redact(url) if url else "?"
    print(f"nbtrack sync: {result.runs} run(s), {result.rows:,} history row(s), {result.files} file(s), "
          f"{result.artifacts} artifact version(s), {result.blobs} new blob(s) from {local} to {where} in {time.perf_counter() - started:.1f} s")
    if result.conflicts:
        print(f"nbtrack sync: not shipped, ids already in {where} from another machine: "
              + ", ".join(result.conflicts), file=sys.stderr)
    if result.artifact_conflicts:
        print(f"nbtrack sync: not shipped, artifacts of another type in {where}: "
              + ", ".join(result.artifact_conflicts), file=sys.stderr)
    if result.missing_blobs:
        print(f"nbtrack sync: {result.missing_blobs} blob(s) not copied: set NBTRACK_TEAM_BLOBS to a directory "
              "or an s3://bucket/prefix every machine reaches.", file=sys.stderr)
    return 0
