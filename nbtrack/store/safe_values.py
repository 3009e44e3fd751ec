"""Make user values storable whatever they hold: a bad value is escaped, never fatal.

DuckDB refuses text with lone surrogates (what ``os.fsdecode`` gives for a non-UTF-8 file
name) and ``json.dumps`` refuses dicts with tuple keys and cycles. The writer would then
retry the whole batch forever; instead every string and JSON value passes through here
on its way to the store and comes out encodable.
"""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

#: nesting kept in a JSON value; deeper levels are replaced by their repr
MAX_DEPTH = 64


def clean_text(text: str) -> str:
    """``text`` with lone surrogates escaped as ``\\udcff`` (valid UTF-8 afterwards)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def json_text(value: Any) -> str:
    """JSON text for ``value``; never raises (odd keys, cycles, depth are made plain).

    A lone surrogate in a string becomes the text ``\\udcff`` (as ``clean_text`` writes
    it): DuckDB's JSON refuses the escape ``\udcff`` that ``json.dumps`` would write.
    """
    try:
        text = json.dumps(value, default=str, allow_nan=True, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(_plain(value, 0, set()), default=str, allow_nan=True, ensure_ascii=False)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", _ESCAPE_IN_JSON).decode("utf-8")


def _escape_in_json(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeEncodeError)
    bad = err.object[err.start:err.end]
    return "".join(f"\\\\u{ord(c):04x}" for c in bad), err.end


_ESCAPE_IN_JSON = "nbtrack-escape-in-json"
codecs.register_error(_ESCAPE_IN_JSON, _escape_in_json)


def _plain(value: Any, depth: int, seen: set[int]) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_DEPTH:
        return repr(value)[:200]
    if isinstance(value, dict):
        if id(value) in seen:
            return "<cycle>"
        seen.add(id(value))
        out = {str(k): _plain(v, depth + 1, seen) for k, v in value.items()}
        seen.discard(id(value))
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        if id(value) in seen:
            return "<cycle>"
        seen.add(id(value))
        items = [_plain(v, depth + 1, seen) for v in value]
        seen.discard(id(value))
        return items
    return str(value)
