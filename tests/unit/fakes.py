"""A stand-in for the store writer that records what a run hands it."""

from __future__ import annotations

from typing import Any

from nbtrack.store.records import STEP_KEY, TIME_KEY
from nbtrack.tracking.config import Config
from nbtrack.tracking.run import Run


class RecordingWriter:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.files: list[tuple[str, str, bytes | None, str | None]] = []
        self.blobs: list[bytes] = []
        self.operations: list[Any] = []
        self.closed = False
        self.failing = False

    def wait_ready(self, timeout: float = 30.0) -> None:
        pass

    def update_run(self, fields: dict[str, Any]) -> None:
        self.updates.append(dict(fields))

    def add_file(self, path: str, kind: str, data: bytes | None = None, source_path: str | None = None) -> None:
        self.files.append((path, kind, data, source_path))

    def add_blob(self, data: bytes) -> str:
        import hashlib

        self.blobs.append(bytes(data))
        return hashlib.sha256(data).hexdigest()

    def add_operation(self, apply: Any, on_commit: Any = None, on_error: Any = None) -> None:
        self.operations.append(apply)

    def close(self, wait: bool = False) -> None:
        self.closed = True

    def flush(self, timeout: float | None = None) -> bool:
        return True

    def merged(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for update in self.updates:
            out.update(update)
        return out

    def steps(self) -> list[tuple[int, dict[str, Any]]]:
        return [(r[STEP_KEY], {k: v for k, v in r.items() if k not in (STEP_KEY, TIME_KEY)}) for r in self.rows]


def make_run(config: dict[str, Any] | None = None) -> tuple[Run, RecordingWriter]:
    writer = RecordingWriter()
    record = {"id": "abc12345", "project": "p", "name": "test-run", "created_at": 1000.0, "last_step": -1}
    cfg = Config(config)
    cfg.bind(lambda data: writer.update_run({"config": data}))
    return Run(record, cfg, writer, None), writer
