"""Differences between two runs' code and config, computed with difflib, sent as lines."""

from __future__ import annotations

import difflib
import json
from typing import Any

from .queries import flat

MAX_OUTPUT = 4000


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _outputs(cell: Any) -> list[str]:
    out = []
    for o in cell.get("outputs", []) or []:
        kind = o.get("output_type")
        if kind == "stream":
            text = o.get("text", "")
        elif kind == "error":
            text = f"{o.get('ename', '')}: {o.get('evalue', '')}"
        else:
            data = o.get("data", {}) or {}
            text = data.get("text/plain", "")
            if not text and data:
                text = "[" + ", ".join(sorted(data)) + "]"
        text = "".join(text) if isinstance(text, list) else str(text)
        if len(text) > MAX_OUTPUT:
            text = text[:MAX_OUTPUT] + f"\n... ({len(text) - MAX_OUTPUT} more characters)"
        out.append(text)
    return out


def notebook_cells(nb: Any) -> list[dict[str, Any]]:
    """Cells as ``{"type", "source", "outputs": [text]}`` (outputs as text only)."""
    if nb is None:
        return []
    return [{"type": c.get("cell_type", "code"), "source": _source(c),
             "outputs": _outputs(c) if c.get("cell_type") == "code" else []} for c in nb.get("cells", [])]


def code_text(cells: list[dict[str, Any]]) -> str:
    """The cells' sources as one text, each cell headed by a ``# %%`` marker."""
    parts = []
    for i, c in enumerate(cells):
        marker = "# %%" if c["type"] == "code" else f"# %% [{c['type']}]"
        parts.append(f"{marker} cell {i + 1}\n{c['source'].rstrip()}\n")
    return "\n".join(parts)


def text_diff(a: str, b: str, a_name: str, b_name: str, context: int = 3) -> list[str]:
    """Unified diff lines (no trailing newlines)."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        a.splitlines(), b.splitlines(), a_name, b_name, n=context, lineterm="")]


def config_diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Flattened keys whose values differ: ``{"key", "a", "b"}`` (JSON text, None when absent)."""
    fa, fb = flat(a), flat(b)
    rows = []
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key, _ABSENT), fb.get(key, _ABSENT)
        if va != vb:
            rows.append({"key": key, "a": None if va is _ABSENT else json.dumps(va, default=str),
                         "b": None if vb is _ABSENT else json.dumps(vb, default=str)})
    return rows


_ABSENT = object()
