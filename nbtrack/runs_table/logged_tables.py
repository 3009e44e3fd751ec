"""The tables a run logged, shaped for its page in the runs table: text cells and image
thumbnails.

For each key under which the run logged a `Table`, the last logged version is shown:
at most MAX_ROWS rows and MAX_COLS columns; an image cell becomes a PNG thumbnail
(128 px, data URL) made from the stored blob, up to MAX_THUMBS per page; every other
cell becomes text (the browser shows it with textContent).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..media.thumbs import make_thumbnail
from ..store.reader import StoreReader

MAX_TABLES = 8
MAX_ROWS = 50
MAX_COLS = 20
MAX_THUMBS = 120
MAX_TEXT = 200


def logged_tables(reader: StoreReader, run_id: str) -> list[dict[str, Any]]:
    """[{key, step, columns, rows, nrows, ncols}] for the run's logged tables; a row is a
    list of cells `{"text": ...}` or `{"image": data URL, "caption": ...}`."""
    budget = [MAX_THUMBS]
    out = []
    for key, step, text in reader.latest_typed(run_id, "table")[:MAX_TABLES]:
        try:
            ref = json.loads(text)
        except ValueError:
            continue
        columns = [str(c) for c in (ref.get("columns") or [])][:MAX_COLS]
        rows = [[_cell(reader, cell, budget) for cell in row[:MAX_COLS]] for row in (ref.get("data") or [])[:MAX_ROWS]]
        out.append({"key": key, "step": int(step), "columns": columns, "rows": rows,
                    "nrows": int(ref.get("nrows", len(ref.get("data") or []))), "ncols": int(ref.get("ncols", len(columns)))})
    return out


def _cell(reader: StoreReader, cell: Any, budget: list[int]) -> dict[str, Any]:
    if isinstance(cell, dict) and cell.get("_type") == "image-file" and isinstance(cell.get("sha256"), str):
        caption = str(cell.get("caption") or "")
        if budget[0] > 0:
            try:
                thumb = make_thumbnail(reader.store.read_blob(cell["sha256"]))
            except Exception:  # a missing or unreadable blob shows as text
                thumb = None
            if thumb is not None:
                budget[0] -= 1
                return {"image": "data:image/png;base64," + base64.b64encode(thumb).decode("ascii"), "caption": caption}
        return {"text": f"image {cell.get('width', '?')}x{cell.get('height', '?')}" + (f" {caption}" if caption else "")}
    if isinstance(cell, str):
        text = cell
    elif cell is None:
        text = ""
    else:
        text = json.dumps(cell, default=str)
    return {"text": text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"}
