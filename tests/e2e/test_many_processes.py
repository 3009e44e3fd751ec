"""The whole stack across processes: nbtrack.init/log in several trainers sharing one
store with a reader, and a trainer killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import nbtrack

TRAINER = r"""
import sys, time, warnings
warnings.simplefilter("error")  # any storage warning fails the trainer
import nbtrack
steps = int(sys.argv[2])
run = nbtrack.init(project="shared", name=sys.argv[1], config={"seed": sys.argv[1]})
for i in range(steps):
    nbtrack.log({"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5})
nbtrack.finish()
print("done", run.id)
"""

FOREVER = r"""
import sys, time
import nbtrack
run = nbtrack.init(project="shared", name="doomed")
print(run.id, flush=True)
i = 0
while True:
    nbtrack.log({"loss": 1.0 / (i + 1)})
    i += 1
    if i % 100 == 0:
        with open(sys.argv[1], "w") as f:
            f.write(f"{i - 1} {time.time()}")
    time.sleep(0.0005)
"""

READER = r"""
import sys, time, warnings
warnings.simplefilter("error")
import nbtrack
deadline = time.time() + float(sys.argv[1])
reads = 0
while time.time() < deadline:
    frame = nbtrack.runs("shared")
    nbtrack.sql("select run_id, count(*) from history group by run_id").fetchall()
    reads += 1
    time.sleep(0.2)
print("reads", reads)
"""


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_four_trainers_and_a_reader_share_one_store():
    steps = 100_000
    trainers = [_spawn(TRAINER, f"t{i}", str(steps)) for i in range(4)]
    reader = _spawn(READER, "8")
    for proc in trainers + [reader]:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Warning" not in err and "Traceback" not in err, err
    runs = {r.name: r for r in nbtrack.Api().runs("shared")}
    assert sorted(runs) == ["t0", "t1", "t2", "t3"]
    for run in runs.values():
        assert run.state == "finished"
        counts = nbtrack.sql(
            "select count(*), count(distinct step), min(step), max(step) from history "
            "where run_id = ? and key not like 'system/%'", [run.id]  # the sampler logs system/* past 10 s
        ).fetchall()[0]
        assert counts == (steps * 4, steps, 0, steps - 1)
        assert run.summary["loss"] == pytest.approx(1 / steps)


@pytest.mark.slow
def test_kill_9_loses_at_most_about_a_second_and_reads_as_crashed(tmp_path):
    progress = tmp_path / "progress"
    proc = _spawn(FOREVER, str(progress))
    run_id = proc.stdout.readline().strip()
    time.sleep(3)
    parts: list[str] = []
    while len(parts) != 2:  # the trainer rewrites the file: read until a whole line is there
        parts = progress.read_text().split()
    last_step = parts[0]
    os.kill(proc.pid, signal.SIGKILL)
    killed_at = time.time()
    proc.wait(10)
    run = nbtrack.Api().run(run_id)
    assert run.state == "crashed"  # same host, dead pid: at once
    stored = nbtrack.sql("select max(step), max(ts) from history where run_id = ?", [run_id]).fetchall()[0]
    assert stored[0] is not None and stored[0] >= int(last_step) - 2500  # ~1 s at <= 2k steps/s
    assert killed_at - stored[1] < 2.5  # at most ~1 s (+ the write in flight) was lost
    steps = nbtrack.sql("select count(distinct step), max(step) from history where run_id = ?", [run_id]).fetchall()[0]
    assert steps[0] == steps[1] + 1  # no hole: every step up to the last stored one is there
