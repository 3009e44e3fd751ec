"""Derive a run's effective state: a ``running`` run whose process is gone is ``crashed``."""

from __future__ import annotations

import socket
import time

import psutil

from .records import RunRecord, RunState

#: a running run whose heartbeat is older than this (seconds) is reported crashed
HEARTBEAT_TIMEOUT = 60.0
#: tolerance when comparing process start times (pid reuse check)
START_TOLERANCE = 1.0
_HOST = socket.gethostname()


def process_alive(pid: int, started_at: float | None = None) -> bool:
    """True if ``pid`` runs on this host (not a zombie) and, if given, started at ``started_at``."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        # a start time that differs means the pid was reused by another process (written so a NaN
        # start time, which compares false, reads as alive, as before)
        return not (started_at is not None and abs(proc.create_time() - started_at) > START_TOLERANCE)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except (ValueError, TypeError, OverflowError):  # a pid no process can have (a hand-edited store)
        return False
    except psutil.AccessDenied:
        return True


def process_started_at(pid: int | None = None) -> float:
    """Creation time of a process (default: this one), for ``RunRecord.pid_started_at``."""
    return float(psutil.Process(pid).create_time())


def effective_state(record: RunRecord, now: float | None = None) -> RunState:
    """The state a reader should report for a stored run.

    A ``running`` run is ``crashed`` if on this host its pid is not alive or was reused
    (``pid_started_at`` differs), or, on any host, its heartbeat is older than 60 s.
    """
    state = record.get("state") or "running"
    if state != "running":
        return state
    now = time.time() if now is None else now
    beat = record.get("heartbeat_at") or record.get("created_at")
    if isinstance(beat, (int, float)) and not now - beat <= HEARTBEAT_TIMEOUT:  # NaN too
        return "crashed"
    pid = record.get("pid")
    if record.get("host") == _HOST and pid and not process_alive(pid, record.get("pid_started_at")):
        return "crashed"
    return "running"
