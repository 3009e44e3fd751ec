"""Helpers shared by the artifact tests."""

from __future__ import annotations


def write(path, data):
    """Write bytes or text to ``path`` (parents created); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path
