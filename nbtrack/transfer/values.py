"""Shape imported values: nested config dicts rebuilt from wandb's dotted paths.

(Nested dicts are flattened to stored "a/b" keys by ``nbtrack.flatten.flatten_nested``,
the one flattening rule.)
"""

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
