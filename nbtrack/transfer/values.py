"""Shape imported values as nbtrack stores them: nested dicts flattened to "a/b" keys,
media references (``_type`` dicts) kept whole, history rows built in the store's format."""

from __future__ import annotations

from typing import Any


def set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    """``target[path[0]][path[1]]... = value``, creating dicts on the way."""
    node = target
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as "a/b" keys (wandb's panel paths); dicts with a "_type" stay whole."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and "_type" not in value:
            out.update(flatten(value, name + "/"))
        else:
            out[name] = value
    return out
