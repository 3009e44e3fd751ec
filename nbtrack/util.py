"""`wandb.util` helpers that notebook code calls: `generate_id`, `make_artifact_name_safe`,
`to_forward_slash_path`, and the terminal printers."""

from __future__ import annotations

import re
import secrets
import string

from .term import termerror, termlog, termwarn

__all__ = ["generate_id", "make_artifact_name_safe", "termerror", "termlog", "termwarn", "to_forward_slash_path"]

_ID_ALPHABET = string.ascii_lowercase + string.digits


def generate_id(length: int = 8) -> str:
    """A random id of lowercase letters and digits (wandb's run-id shape), for `init(id=...)`."""
    if length < 1:
        raise ValueError("generate_id: length must be at least 1.")
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def make_artifact_name_safe(name: str) -> str:
    """Replace characters an artifact name cannot hold with "_" (at most 128 characters)."""
    cleaned = re.sub(r"[^a-zA-Z0-9_\-.]", "_", name)
    return cleaned if len(cleaned) <= 128 else cleaned[:64] + "..." + cleaned[-61:]


def to_forward_slash_path(path: str) -> str:
    """A path with "/" separators."""
    return path.replace("\\", "/")
