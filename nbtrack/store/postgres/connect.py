"""ADBC connections to the team store; credentials stay in memory and out of messages.

The password comes from the URL, from libpq's own ``PGPASSWORD`` / ``~/.pgpass``, or, in
an interactive session whose server asks for one, from a prompt; it is kept in this
process's memory only (never in a run, a snapshot, the environment or a notebook).
"""

from __future__ import annotations

import contextlib
import getpass
import sys
import threading
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .url import password_of, redact, redact_text

#: passwords typed at a prompt, by redacted URL (this process only)
_prompted: dict[str, str] = {}
_prompt_lock = threading.Lock()


class TeamStoreError(Exception):
    """The team store cannot be reached or used; the message holds no credentials."""


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" if user else f":{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _needs_password(message: str) -> bool:
    m = message.lower()
    return "password" in m and ("no password supplied" in m or "authentication failed" in m)


def connect(url: str, interactive: bool | None = None) -> Any:
    """An ADBC DB-API connection (autocommit off).

    Raises :class:`TeamStoreError` (credentials redacted) when the server cannot be
    reached or refuses the login; ``ImportError`` with what to install without the driver.
    """
    try:
        import adbc_driver_postgresql.dbapi as dbapi
    except ImportError as exc:
        raise ImportError("nbtrack's team store needs the PostgreSQL ADBC driver: "
                          "pip install 'nbtrack[postgres]' (adbc-driver-postgresql)") from exc
    safe = redact(url)
    typed = _prompted.get(safe)
    target = _with_password(url, typed) if typed else url
    try:
        return dbapi.connect(target)
    except Exception as exc:  # the driver's errors carry the URL
        message = redact_text(str(exc), password_of(target), typed)
        if interactive is None:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        if typed is None and interactive and _needs_password(message):
            with _prompt_lock:
                password = getpass.getpass(f"Password for {safe}: ")
            _prompted[safe] = password
            return connect(url, interactive=False)
        raise TeamStoreError(f"could not connect to {safe}: {message.strip().splitlines()[0] if message.strip() else type(exc).__name__}") from None


class Transaction:
    """``with Transaction(con) as cur``: a cursor for one transaction, which the block
    commits where its work is complete. If the block raises, the transaction is rolled
    back (a rollback that fails on a lost connection is not reported over the block's own
    error); the cursor is closed either way."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.cur: Any = None

    def __enter__(self) -> Any:
        self.cur = self.con.cursor()
        return self.cur

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is not None:
                with contextlib.suppress(Exception):  # the connection may be gone
                    self.con.rollback()
        finally:
            self.cur.close()
