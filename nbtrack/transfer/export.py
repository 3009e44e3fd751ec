"""``nbtrack export``: a store's runs, history and file list as Parquet, CSV or JSON Lines.

Writes ``runs.<ext>``, ``history.<ext>`` and ``files.<ext>`` into the output directory.
History stays in the store's long format (run_id, step, ts, key, num, text, json: one
row per logged value), which every tool reads and pivots; ``config``, ``summary``,
``metrics`` and ``environment`` are JSON (text in Parquet and CSV, objects in JSON Lines).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..store import report_queries
from ..store.reader import StoreReader
from ..store.store import store_at

FORMATS = ("parquet", "csv", "jsonl")
_JSON_COLUMNS = {"config", "summary", "metrics", "environment", "json"}


def _lists_as_json(table: pa.Table) -> pa.Table:
    """CSV has no lists: tags become JSON text."""
    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type):
            values = [None if v is None else json.dumps(v) for v in table.column(i).to_pylist()]
            table = table.set_column(i, field.name, pa.array(values, type=pa.string()))
    return table


def _write_jsonl(table: pa.Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for batch in table.to_batches(max_chunksize=50_000):
            for row in batch.to_pylist():
                for key in _JSON_COLUMNS & row.keys():
                    if isinstance(row[key], str):
                        row[key] = json.loads(row[key])
                for key, value in row.items():
                    if isinstance(value, float) and not math.isfinite(value):
                        row[key] = None  # JSON has no NaN or Infinity
                fh.write(json.dumps(row, default=str) + "\n")


def export(out: str | os.PathLike[str], project: str | None = None, format: str = "parquet",
           dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Write the store's (or one project's) tables into directory ``out``; returns name -> file."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    reader = StoreReader(store_at(dir))
    if project is not None and project not in reader.projects():
        raise ValueError(f"no project {project!r} in {reader.store.root}; projects: {', '.join(reader.projects()) or 'none'}")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name in report_queries.EXPORT_TABLES:
        table = report_queries.export_table(reader, name, project)
        path = target / f"{name}.{format}"
        if format == "parquet":
            pq.write_table(table, path, compression="zstd")
        elif format == "csv":
            pacsv.write_csv(_lists_as_json(table), path)
        else:
            _write_jsonl(table, path)
        written[name] = path
    return written


__all__ = ["FORMATS", "export"]
