"""PostgreSQL URLs: recognise them and keep their credentials out of every message."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
#: the environment variable naming the team store (as ``init(store=...)``)
ENV_STORE = "NBTRACK_STORE"

_PASSWORD_PARAM = re.compile(r"(?i)([?&]password=)[^&#]*")
_USERINFO = re.compile(r"(?i)(postgres(?:ql)?://)([^@/?#\s]*)@")


def is_postgres_url(value: object) -> bool:
    """True if ``value`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(value, str) and value.strip().lower().startswith(SCHEMES)


def redact(url: str) -> str:
    """The URL without a password (in the user part or as a ``password=`` parameter)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(unreadable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    query = _PASSWORD_PARAM.sub(r"\1***", "?" + parts.query)[1:] if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def redact_text(text: str, *secrets: str | None) -> str:
    """``text`` with every URL's password and each given secret replaced by ``***``."""
    def keep_user(m: re.Match[str]) -> str:
        return f"{m.group(1)}{m.group(2).split(':', 1)[0]}@"

    out = _USERINFO.sub(keep_user, text)
    out = _PASSWORD_PARAM.sub(r"\1***", out)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return out


def password_of(url: str) -> str | None:
    """The password written in the URL, if any (to redact it from driver messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.password:
        return parts.password
    m = re.search(r"(?i)[?&]password=([^&#]*)", url)
    return m.group(1) if m else None


def team_url(store: str | None = None, dir: str | os.PathLike[str] | None = None) -> str | None:
    """The team store a run or a read uses, or None for the local store only.

    ``store`` (a PostgreSQL URL) > ``dir`` given (local only) > ``NBTRACK_STORE``.
    """
    if store:
        if not is_postgres_url(store):
            raise ValueError("store= takes a PostgreSQL URL (postgresql://user@host/db); "
                             "a local store directory goes in dir=.")
        return store.strip()
    if dir:
        return None
    env = os.environ.get(ENV_STORE, "").strip()
    return env if is_postgres_url(env) else None
