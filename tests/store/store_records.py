"""A full RunRecord for tests of the store (imported by tests and by the worker subprocess)."""

from __future__ import annotations

import os
import socket
import time

from nbtrack.store.liveness import process_started_at


def make_run(run_id: str = "run1", **fields):
    """A full RunRecord for this process."""
    rec = {
        "id": run_id, "project": "proj", "name": f"name-{run_id}", "notes": None,
        "tags": ["t1"], "group": None, "job_type": None, "state": "running",
        "created_at": time.time(), "heartbeat_at": time.time(),
        "host": socket.gethostname(), "pid": os.getpid(),
        "pid_started_at": process_started_at(), "config": {"lr": 0.1}, "summary": {},
        "metrics": {}, "environment": {}, "last_step": None,
    }
    rec.update(fields)
    return rec
