"""Runs as a notebook user makes them: a sweep of many short runs in one process, reads
right after finish() and during a run, a store locked by another process, SIGTERM, ids
reused, edits after finish, values the store cannot take as they are."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import nbtrack
from nbtrack.store.errors import NbtrackStorageWarning

WORKER = Path(__file__).resolve().parents[1] / "store" / "worker.py"

SWEEP = r"""
import json, sys, threading
import nbtrack
runs, steps = int(sys.argv[1]), int(sys.argv[2])
for r in range(runs):
    run = nbtrack.init(project="sweep", config={"lr": 10 ** -(r % 5), "seed": r})
    for i in range(steps):
        nbtrack.log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
    run.summary["best"] = r
    run.finish()
threads = sorted(t.name for t in threading.enumerate() if t.name.startswith("nbtrack"))
df = nbtrack.runs("sweep")
table = nbtrack.table("sweep")
rows = nbtrack.sql("select count(*) from history").fetchall()[0][0]
print(json.dumps({"threads": threads, "runs_seen": len(df), "finished": int((df["state"] == "finished").sum()),
                  "best": sorted(int(b) for b in df["summary.best"]), "table": table.total, "rows": rows}))
"""


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_a_sweep_of_300_runs_in_one_process():
    runs, steps = 300, 20
    proc = _python(SWEEP, str(runs), str(steps))
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr  # nothing printed into the user's output but run lines
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["threads"] in ([], ["nbtrack-writer"])  # no thread per run: at most the store's writer
    assert out["runs_seen"] == runs and out["finished"] == runs  # read right after the loop
    assert out["best"] == list(range(runs))
    assert out["table"] == runs
    assert out["rows"] == runs * steps * 4


def test_reads_see_a_running_run_and_a_finished_one():
    run = nbtrack.init(project="ryw", config={"lr": 0.1})
    for i in range(1000):
        nbtrack.log({"loss": 1.0 / (i + 1)})
    api_run = nbtrack.Api().run(run.id)
    assert len(api_run.history()) == 1000  # the running run's latest steps
    assert nbtrack.sql("select max(step) from history where run_id = ?", [run.id]).fetchall()[0][0] == 999
    run.summary["best"] = 0.5
    run.finish()
    df = nbtrack.runs("ryw")
    assert list(df["state"]) == ["finished"] and float(df["summary.best"].iloc[0]) == 0.5
    assert nbtrack.table("ryw").total == 1


def test_finish_is_durable_for_another_process():
    run = nbtrack.init(project="durable")
    for i in range(500):
        nbtrack.log({"loss": float(i)})
    run.finish()
    other = _python(f"import nbtrack, json; r = nbtrack.Api().run({run.id!r}); "
                    "print(json.dumps([r.state, len(r.history())]))")
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout.strip().splitlines()[-1]) == ["finished", 500]


@pytest.mark.slow
def test_a_store_locked_longer_than_the_timeout_during_a_sweep(tmp_path, monkeypatch):
    store = Path(os.environ["NBTRACK_DIR"])
    monkeypatch.setenv("NBTRACK_LOCK_TIMEOUT", "0.3")
    nbtrack.init(project="locked").finish()  # the store exists
    holder = subprocess.Popen([sys.executable, str(WORKER), "hold", str(store), "3"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.monotonic()
        for r in range(20):
            run = nbtrack.init(project="locked", config={"r": r})
            for i in range(50):
                nbtrack.log({"loss": float(i)})
            run.finish()
        sweep_s = time.monotonic() - t0
        holder.wait(30)
        df = nbtrack.runs("locked")  # waits for this process's data once the store is free
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    trouble = [m for m in msgs if "could not write" in m]
    assert len(trouble) == 1, msgs  # one warning for the episode, not one per run
    assert any("recovered" in m for m in msgs)
    assert len(df) == 21 and (df["state"] == "finished").all()
    assert nbtrack.sql("select count(*) from history").fetchall()[0][0] == 20 * 50
    assert sweep_s < 3 + 20 * 2.0  # finish did not wait 2 s per run while the store was failing


TERMINATED = r"""
import sys, time
import nbtrack
run = nbtrack.init(project="term")
print(run.id, flush=True)
i = 0
while True:
    nbtrack.log({"loss": 1.0 / (i + 1)})
    if i % 100 == 0:
        with open(sys.argv[1], "w") as f:
            f.write(str(i))
    i += 1
    time.sleep(0.0005)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_write_out_and_mark_killed(tmp_path, sig):
    progress = tmp_path / "progress"
    env = {**os.environ, "NBTRACK_FLUSH_INTERVAL": "30"}  # nothing would reach the disk on its own
    proc = subprocess.Popen([sys.executable, "-c", TERMINATED, str(progress)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    run_id = proc.stdout.readline().strip()
    deadline = time.monotonic() + 30
    while (not progress.exists() or int(progress.read_text() or 0) < 2000) and time.monotonic() < deadline:
        time.sleep(0.05)
    last = int(progress.read_text())
    proc.send_signal(sig)
    proc.wait(30)
    assert proc.returncode == -sig  # the signal still ended the process as before
    run = nbtrack.Api().run(run_id)
    assert run.state == "killed"
    stored = nbtrack.sql("select max(step), count(distinct step) from history where run_id = ?", [run_id]).fetchall()[0]
    assert stored[0] >= last and stored[1] == stored[0] + 1


def test_an_explicit_id_is_one_run():
    first = nbtrack.init(project="ids", id="fixed-id")
    nbtrack.log({"a": 1.0})
    first.finish()
    with pytest.raises(nbtrack.UsageError, match="already exists.*resume='allow'"):
        nbtrack.init(project="ids", id="fixed-id")
    again = nbtrack.init(project="ids", id="fixed-id", resume="allow")
    nbtrack.log({"a": 2.0})
    again.finish()
    hist = nbtrack.Api().run("fixed-id").history()
    assert list(hist["_step"]) == [0, 1] and list(hist["a"]) == [1.0, 2.0]
    assert len(nbtrack.runs("ids")) == 1


@pytest.mark.slow
def test_resume_never_raises_for_a_locked_store(monkeypatch):
    from nbtrack import session

    store = Path(os.environ["NBTRACK_DIR"])
    nbtrack.init(project="res", id="res-1").finish()
    monkeypatch.setattr(session, "RESUME_READ_TIMEOUT", 0.3)
    holder = subprocess.Popen([sys.executable, str(WORKER), "hold", str(store), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = nbtrack.init(project="res", id="res-1", resume="allow", config={"extra": 1})
        nbtrack.log({"x": 1.0})
        run.finish()
        holder.wait(10)
        rec = nbtrack.Api().run("res-1")
    assert any("could not read run 'res-1'" in str(c.message) for c in caught)
    assert rec.state == "finished" and rec.config["extra"] == 1
    assert len(nbtrack.runs("res")) == 1


def test_edits_after_finish_are_stored():
    run = nbtrack.init(project="edits", config={"lr": 0.1})
    nbtrack.log({"loss": 1.0})
    run.finish()
    run.summary["test_acc"] = 0.9
    run.config.update({"note": "after"})
    run.name = "renamed"
    rec = nbtrack.Api().run(run.id)
    assert rec.summary["test_acc"] == 0.9
    assert rec.config["note"] == "after" and rec.name == "renamed"


def test_values_the_store_cannot_take_as_they_are(tmp_path):
    odd = tmp_path / os.fsdecode(b"ckpt-\xff.pt")
    odd.write_bytes(b"weights")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = nbtrack.init(project="odd", config={"path": os.fsdecode(b"data-\xff")})
        nbtrack.log({"loss": 1.0, "per-file/" + odd.name: 2.0, "label": os.fsdecode(b"\xfe")})
        nbtrack.log({"loss": 0.5})
        run.summary["by_pair"] = {(0, 1): 0.5}
        run.save(str(odd), base_path=str(tmp_path), policy="now")
        run.finish()
    assert not [c for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    api_run = nbtrack.Api().run(run.id)
    assert api_run.state == "finished"
    assert list(api_run.history()["loss"]) == [1.0, 0.5]
    assert api_run.summary["by_pair"] == {"(0, 1)": 0.5}
    assert api_run.config["path"] == "data-\\udcff"  # escaped, as text
    assert [f.name for f in api_run.files() if not f.name.startswith("code/")] == ["ckpt-\\udcff.pt"]


@pytest.mark.slow
def test_another_process_reads_a_running_run_up_to_its_latest_step(tmp_path):
    progress = tmp_path / "progress"
    env = {**os.environ, "NBTRACK_FLUSH_INTERVAL": "30"}  # nothing reaches the disk on schedule
    proc = subprocess.Popen([sys.executable, "-c", TERMINATED, str(progress)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        run_id = proc.stdout.readline().strip()
        deadline = time.monotonic() + 30
        while (not progress.exists() or int(progress.read_text() or 0) < 1000) and time.monotonic() < deadline:
            time.sleep(0.05)
        logged = int(progress.read_text())
        # as `!nbtrack show RUN` in the kernel's notebook would: a reader in another process
        cli = subprocess.run([sys.executable, "-m", "nbtrack.cli", "sql",
                              f"select max(step) from history where run_id = '{run_id}'"],
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0, cli.stderr
        assert int(cli.stdout.split()[-1]) >= logged  # not 30 s behind: the trainer flushed on request
        seen = nbtrack.sql("select max(step) from history where run_id = ?", [run_id]).fetchall()[0][0]
        assert seen is not None and seen >= logged
    finally:
        proc.kill()
        proc.wait(10)
