from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
from store_records import make_run

from nbtrack.store.liveness import effective_state, process_started_at
from nbtrack.store.reader import StoreReader
from nbtrack.store.runsql import upsert_run


def test_alive_run_is_running():
    assert effective_state(make_run()) == "running"


def test_final_states_are_kept():
    for state in ("finished", "failed", "killed", "crashed"):
        assert effective_state(make_run(state=state, heartbeat_at=0.0, pid=1)) == state


def test_dead_pid_same_host_is_crashed():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    started = process_started_at(proc.pid)
    proc.wait()
    assert effective_state(make_run(pid=proc.pid, pid_started_at=started)) == "crashed"


def test_reused_pid_is_crashed():
    assert effective_state(make_run(pid_started_at=process_started_at() - 3600)) == "crashed"


def test_stale_heartbeat_other_host_is_crashed(store):
    now = time.time()
    other = make_run("remote", host="some-other-host", pid=1, heartbeat_at=now - 61)
    fresh = make_run("remote2", host="some-other-host", pid=1, heartbeat_at=now - 5)
    assert effective_state(other) == "crashed"
    assert effective_state(fresh) == "running"  # other host: pid is not checked
    with store.write() as con:
        upsert_run(con, "remote", other)
        upsert_run(con, "remote2", fresh)
    states = {r["id"]: r["state"] for r in StoreReader(store).runs()}
    assert states == {"remote": "crashed", "remote2": "running"}


def test_unknown_start_time_leaves_the_pid_to_decide():
    """A run whose start time could not be read (0.0) is judged by its pid and heartbeat."""
    assert effective_state(make_run(pid_started_at=0.0)) == "running"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert process_started_at(proc.pid) == 0.0  # gone: unknown, not an error
    assert effective_state(make_run(pid=proc.pid, pid_started_at=0.0)) == "crashed"


def test_own_start_time_is_the_process_creation_time():
    assert process_started_at() == process_started_at(os.getpid()) == psutil.Process().create_time()
