"""The team store on PostgreSQL: local-first shipping, idempotent sync, reads, outages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import pg_rows

import nbtrack as wandb
from nbtrack.store.errors import StoreVersionError
from nbtrack.store.liveness import effective_state
from nbtrack.store.postgres.ship import Connection, ship
from nbtrack.store.postgres.url import redact, redact_text
from nbtrack.store.store import Store
from nbtrack.sync import sync

WORKER = Path(__file__).with_name("pg_worker.py")
ROOT = Path(__file__).resolve().parents[3]


def _log_locally(local: Path, steps: int, name: str = "local") -> str:
    run = wandb.init(project="team", name=name, dir=str(local), config={"lr": 0.1})
    for i in range(steps):
        wandb.log({"loss": 1.0 / (i + 1), "acc": i / steps})
    wandb.finish()
    return run.id


def _counts(url: str, key: str | None = None) -> tuple[int, int]:
    """(history rows, distinct (run, step, key)), of one key if given: equal when nothing
    is duplicated."""
    where = "" if key is None else f" WHERE key = '{key}'"
    return pg_rows(url, f"SELECT count(*), count(DISTINCT (run_id, step, key)) FROM history{where}")[0]


def test_sync_ships_once_however_often_it_runs(pg_url, tmp_path):
    run_id = _log_locally(tmp_path / "local", 3000)
    first = sync(dir=tmp_path / "local", store=pg_url)
    assert (first.runs, first.rows) == (1, 6000)
    again = sync(dir=tmp_path / "local", store=pg_url)
    assert (again.runs, again.rows) == (0, 0)
    assert _counts(pg_url) == (6000, 6000)
    assert pg_rows(pg_url, f"SELECT state, last_step FROM runs WHERE id = '{run_id}'") == [("finished", 2999)]


def test_an_interrupted_sync_resumes_without_duplicates(pg_url, tmp_path):
    _log_locally(tmp_path / "local", 5000)
    store = Store(tmp_path / "local")
    team = Connection(pg_url)

    def interrupt(result):
        raise KeyboardInterrupt  # Ctrl-C after the first chunk was committed

    with pytest.raises(KeyboardInterrupt):
        ship(store, team, chunk_rows=1500, on_chunk=interrupt)
    shipped, _ = _counts(pg_url)
    assert 0 < shipped < 10_000
    rest = ship(store, team, chunk_rows=1500)
    team.close()
    assert rest.rows == 10_000 - shipped
    assert _counts(pg_url) == (10_000, 10_000)


def test_a_run_is_shipped_while_it_trains_and_read_back(pg_url, tmp_path):
    (tmp_path / "weights.txt").write_text("w=1")
    run = wandb.init(project="team", name="live", dir=str(tmp_path / "local"), store=pg_url,
                     config={"lr": 0.01, "opt": {"name": "adam"}}, tags=["a", "b"])
    for i in range(500):
        wandb.log({"loss": 1.0 / (i + 1), "phase": "warmup" if i < 10 else "main"})
    wandb.save(str(tmp_path / "weights.txt"), base_path=str(tmp_path))
    assert run.team_shipper.flush(30)
    # while the run is open, the team sees it running with its steps so far
    frame = wandb.runs("team", store=pg_url)
    assert list(frame["id"]) == [run.id] and list(frame["state"]) == ["running"]
    wandb.finish()
    assert run.team_shipper.flush(30)

    frame = wandb.runs("team", store=pg_url)
    assert frame.loc[0, "state"] == "finished" and frame.loc[0, "config.opt.name"] == "adam"
    assert frame.loc[0, "tags"] == ["a", "b"] and frame.loc[0, "last_step"] == 499
    api_run = wandb.Api(store=pg_url).run(run.id)
    hist = api_run.history()
    assert list(hist["_step"]) == list(range(500)) and hist["phase"].iloc[-1] == "main"
    assert {f.name: f.read() for f in api_run.files()}["weights.txt"] == b"w=1"
    assert wandb.sql("SELECT count(*) FROM history WHERE key = 'loss'", store=pg_url).fetchall() == [(500,)]
    # the blob went to the shared directory, not only the local store
    sha = next(f.sha256 for f in api_run.files() if f.name == "weights.txt")
    assert (tmp_path / "team-blobs" / sha[:2] / sha).read_bytes() == b"w=1"


def test_nbtrack_store_env_and_cli(pg_url, tmp_path, monkeypatch):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NBTRACK_DIR": str(tmp_path / "local")}
    run_id = _log_locally(tmp_path / "local", 50, name="cli")
    out = subprocess.run([sys.executable, "-m", "nbtrack.cli", "sync", "--store", pg_url], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 run(s), 100 history row(s)" in out.stdout
    env["NBTRACK_STORE"] = pg_url
    listed = subprocess.run([sys.executable, "-m", "nbtrack.cli", "runs"], env={**env, "NBTRACK_DIR": str(tmp_path / "empty")},
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and run_id in listed.stdout, listed.stderr
    monkeypatch.setenv("NBTRACK_STORE", pg_url)
    assert list(wandb.runs("team")["id"]) == [run_id]


def test_credentials_are_redacted_and_never_stored(pg_url, tmp_path):
    secret = "s3cr-et-pw"
    bad = f"postgresql://nbtrack:{secret}@127.0.0.1:1/nobody"
    assert redact(bad) == "postgresql://nbtrack@127.0.0.1:1/nobody"
    assert secret not in redact_text(f"failed for {bad} and postgresql://x@h/d?password={secret}")
    with pytest.warns(wandb.store.NbtrackStorageWarning) as caught:
        run = wandb.init(project="team", dir=str(tmp_path / "local"), store=bad)
        wandb.log({"loss": 1.0})
        run.team_shipper.flush(2)
        wandb.finish()
    messages = " ".join(str(w.message) for w in caught)
    assert "could not ship" in messages and secret not in messages
    out = subprocess.run([sys.executable, "-m", "nbtrack.cli", "sync", "--dir", str(tmp_path / "local"),
                          "--store", bad], env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "could not connect" in out.stderr and secret not in out.stderr + out.stdout
    wandb.store.flush_all(10)
    stored = [path for path in (tmp_path / "local").rglob("*") if path.is_file()]
    assert stored  # the local store was written: there is something to search
    for path in stored:
        assert secret.encode() not in path.read_bytes(), path


def test_an_older_client_refuses_a_newer_schema(pg_url, tmp_path):
    _log_locally(tmp_path / "local", 10)
    sync(dir=tmp_path / "local", store=pg_url)
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(pg_url) as con, con.cursor() as cur:
        cur.execute("UPDATE nbtrack_meta SET value = '99' WHERE key = 'schema_version'")
        con.commit()
    with pytest.raises(StoreVersionError, match="99"):
        sync(dir=tmp_path / "local", store=pg_url)
    with pytest.raises(Exception, match="99"):
        wandb.runs(store=pg_url)


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _status(proc: subprocess.Popen, timeout: float) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return json.loads(out.strip().splitlines()[-1])


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"no {path.name}"
        time.sleep(0.02)


def test_a_server_outage_never_blocks_training_and_loses_nothing(pg, pg_url, tmp_path):
    signals = tmp_path / "signals"
    signals.mkdir()
    proc = _spawn("pause", str(tmp_path / "local"), pg_url, "outage", "20000", str(signals))
    _wait_for(signals / "half", proc)
    pg.stop()
    try:
        (signals / "go").write_text("")
        # the second half is logged while the server is down: training does not wait for it
        _wait_for(signals / "done", proc)
        assert proc.poll() is None
    finally:
        pg.start()
    (signals / "end").write_text("")
    status = _status(proc, 120)
    assert any("could not ship" in w for w in status["warnings"])
    assert _counts(pg_url) == (20_000, 20_000)
    assert pg_rows(pg_url, "SELECT state, last_step FROM runs") == [("finished", 19_999)]


@pytest.mark.slow
def test_four_machines_one_database_and_a_reader(pg_url, tmp_path):
    steps = int(os.environ.get("NBTRACK_PG_TEST_STEPS", "100000"))
    writers = [_spawn("log", str(tmp_path / f"machine{i}"), pg_url, f"m{i}", str(steps)) for i in range(4)]
    polls, errors = 0, []
    while any(p.poll() is None for p in writers):
        try:
            wandb.runs("team", store=pg_url)
            polls += 1
        except Exception as exc:  # counted: the test wants none
            errors.append(repr(exc))
    statuses = [_status(p, 300) for p in writers]
    assert errors == [] and polls > 0
    assert all(s["warnings"] == [] for s in statuses), statuses
    # a slow machine also logs system/* metrics: the training's key is counted
    rows, distinct = _counts(pg_url)
    assert rows == distinct and _counts(pg_url, "loss") == (4 * steps, 4 * steps)
    frame = wandb.runs("team", store=pg_url)
    assert sorted(frame["state"]) == ["finished"] * 4 and set(frame["last_step"]) == {steps - 1}


def _shipped_rows(url: str, run_id: str) -> int:
    if not pg_rows(url, "SELECT to_regclass('history') IS NOT NULL")[0][0]:
        return 0  # the first shipment has not created the schema yet
    return pg_rows(url, f"SELECT count(*) FROM history WHERE run_id = '{run_id}'")[0][0]


def test_a_killed_writer_reads_crashed_elsewhere(pg_url, tmp_path):
    proc = _spawn("forever", str(tmp_path / "local"), pg_url, "doomed")
    try:
        run_id = json.loads(proc.stdout.readline())["id"]
        deadline = time.monotonic() + 60
        while not _shipped_rows(pg_url, run_id):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    record = wandb.Api(store=pg_url).run(run_id)
    assert record.state == "crashed"  # this host: its process is gone
    # another machine cannot see the pid: the heartbeat (every 10 s) goes stale within a minute
    raw = dict(zip(("state", "heartbeat_at"), pg_rows(pg_url, f"SELECT state, heartbeat_at FROM runs WHERE id = '{run_id}'")[0]))
    elsewhere = {**raw, "host": "another-machine", "pid": 1}
    assert raw["state"] == "running"
    assert effective_state(elsewhere, now=raw["heartbeat_at"] + 61) == "crashed"
    assert effective_state(elsewhere, now=raw["heartbeat_at"] + 5) == "running"


def test_table_compare_and_report_over_the_team(pg_url, tmp_path):
    a = _log_locally(tmp_path / "laptop", 200, name="on-laptop")
    b = _log_locally(tmp_path / "cluster", 300, name="on-cluster")
    sync(dir=tmp_path / "laptop", store=pg_url)
    sync(dir=tmp_path / "cluster", store=pg_url)
    table = wandb.table("team", store=pg_url)
    assert table.total == 2
    assert sorted(table.service.load().ids) == sorted([a, b])
    with pytest.raises(ValueError, match="read-only"):
        table.service.handle({"type": "delete", "ids": [a]})
    panel = wandb.compare(project="team", store=pg_url)
    assert {s["run"] for s in panel.snapshot["series"]} == {a, b}
    out = wandb.report("team", store=pg_url, path=tmp_path / "team.html", quiet=True)
    assert out.runs == 2 and Path(out.path).stat().st_size > 0


def test_code_snapshots_keep_no_password():
    from nbtrack.notebook._snapshot import without_credentials

    code = b'wandb.init(store="postgresql://bob:hunter2@db.lab/runs")\n%nbtrack init --store postgres://h/d?password=pw2'
    kept = without_credentials(code)
    assert b"hunter2" not in kept and b"pw2" not in kept and b"postgresql://bob@db.lab/runs" in kept


def test_a_run_id_from_another_machine_is_not_merged(pg_url, tmp_path):
    for machine, steps in (("a", 30), ("b", 40)):
        wandb.init(project="team", id="same-id", dir=str(tmp_path / machine))
        for i in range(steps):
            wandb.log({"loss": float(i)})
        wandb.finish()
    assert sync(dir=tmp_path / "a", store=pg_url).rows == 30
    other = sync(dir=tmp_path / "b", store=pg_url)
    assert other.conflicts == ["same-id"] and other.rows == 0
    assert _counts(pg_url) == (30, 30)


def test_many_small_runs_ship_together(pg_url, tmp_path):
    ids = [_log_locally(tmp_path / "local", 5, name=f"r{i}") for i in range(30)]
    store, team = Store(tmp_path / "local"), Connection(pg_url)
    chunks = []
    result = ship(store, team, chunk_rows=100, on_chunk=lambda r: chunks.append(r.rows))
    team.close()
    assert result.runs == 30 and result.rows == 300 and len(chunks) == 3
    assert sorted(r[0] for r in pg_rows(pg_url, "SELECT id FROM runs")) == sorted(ids)


def test_a_viewer_role_reads_and_cannot_write(pg, pg_url, tmp_path):
    run_id = _log_locally(tmp_path / "local", 20)
    sync(dir=tmp_path / "local", store=pg_url)
    db = pg_url.rsplit("/", 1)[1]
    grants = ["DO $$ BEGIN CREATE ROLE nbtrack_viewer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
              f"GRANT CONNECT ON DATABASE {db} TO nbtrack_viewer",
              "GRANT USAGE ON SCHEMA public TO nbtrack_viewer",
              "GRANT SELECT ON ALL TABLES IN SCHEMA public TO nbtrack_viewer"]
    for i, sql in enumerate(grants):  # the role by the superuser, the grants by the tables' owner
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres" if i == 0 else "nbtrack", "-d", db,
                        "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, stdout=subprocess.DEVNULL)
    viewer = pg_url.replace("postgresql://nbtrack@", "postgresql://nbtrack_viewer@")
    assert list(wandb.runs("team", store=viewer)["id"]) == [run_id]
    assert len(wandb.Api(store=viewer).run(run_id).history()) == 20
    _log_locally(tmp_path / "local", 5, name="more")
    with pytest.raises(Exception, match="permission denied"):
        sync(dir=tmp_path / "local", store=viewer)
    # nor edit: one error without credentials
    from nbtrack.store.postgres.connect import TeamStoreError

    seen = wandb.Api(store=viewer).run(run_id)
    seen.name = "not-allowed"
    with pytest.raises(TeamStoreError, match="permission denied"):
        seen.update()
    assert wandb.Api(store=pg_url).run(run_id).name == "local"


def test_m4_in_postgres_keeps_the_points_of_the_local_m4(pg_url, tmp_path, monkeypatch):
    import math

    from nbtrack.store.postgres.reader import TeamReader
    from nbtrack.store.postgres.team_store import TeamStore
    from nbtrack.store.reader import StoreReader

    run = wandb.init(project="team", dir=str(tmp_path / "local"))
    for i in range(20_000):
        wandb.log({"wave": math.sin(i / 300.0) + i * 1e-7, "short": float(i)} if i < 50 else
                  {"wave": math.sin(i / 300.0) + i * 1e-7})
    wandb.finish()
    sync(dir=tmp_path / "local", store=pg_url)
    for x, where in (("step", "1"), ("ts", "1"), ("step", "0")):
        monkeypatch.setenv("NBTRACK_M4_IN_POSTGRES", where)  # binned in PostgreSQL, or in the kernel
        local = StoreReader(Store(tmp_path / "local")).downsample([run.id], width_px=200, x=x)
        # the kernel's M4 over every row (curve levels, which read long curves from
        # per-bucket extremes, are tested in test_curve_levels.py)
        team = TeamReader(TeamStore(pg_url, use_levels=False)).downsample([run.id], width_px=200, x=x)
        assert 0 < team.num_rows < 20_000
        assert sorted(zip(*[team.column(c).to_pylist() for c in ("key", "step", "num")])) == \
            sorted(zip(*[local.column(c).to_pylist() for c in ("key", "step", "num")]))


def test_the_store_comes_from_init_the_environment_or_the_magic(pg_url, tmp_path, monkeypatch):
    from nbtrack.notebook.magic import parse_init

    kwargs, config = parse_init(["--store", pg_url, "--dir", str(tmp_path / "m"), "lr=0.1"])
    assert kwargs["store"] == pg_url and config == {"lr": 0.1}
    with pytest.raises(ValueError, match="PostgreSQL URL"):
        wandb.init(project="team", dir=str(tmp_path / "local"), store="team-db")
    monkeypatch.setenv("NBTRACK_STORE", pg_url)
    run = wandb.init(project="team", dir=str(tmp_path / "local"))
    wandb.log({"loss": 0.5})
    wandb.finish()
    assert run.team_shipper is not None and run.team_shipper.flush(30)
    assert pg_rows(pg_url, "SELECT id FROM runs") == [(run.id,)]


def test_a_live_runs_last_step_waits_for_its_late_rows(pg_url, tmp_path):
    """A system metrics sample is written at the step being logged, before that step's own
    rows: shipping a live run's last step early would leave those rows behind the watermark."""
    import socket

    from nbtrack.store import runsql
    from nbtrack.store.liveness import process_started_at

    store, now = Store(tmp_path / "local"), time.time()
    with store.write() as con:
        runsql.insert_run(con, "live1", {"id": "live1", "project": "team", "name": "live", "state": "running",
                                         "created_at": now, "heartbeat_at": now, "host": socket.gethostname(),
                                         "pid": os.getpid(), "pid_started_at": process_started_at()})
        con.execute("INSERT INTO history SELECT 'live1', s, ?, 'loss', s, NULL, NULL FROM range(10) t(s)", [now])
        con.execute("INSERT INTO history VALUES ('live1', 10, ?, 'system/cpu', 5.0, NULL, NULL)", [now])
    team = Connection(pg_url)
    try:
        assert ship(store, team).rows == 10  # step 10 is still being logged
        with store.write() as con:
            con.execute("INSERT INTO history VALUES ('live1', 10, ?, 'loss', 10.0, NULL, NULL)", [now])
            con.execute("UPDATE runs SET state = 'finished', finished_at = ? WHERE id = 'live1'", [now])
        assert ship(store, team).rows == 2
    finally:
        team.close()
    assert pg_rows(pg_url, "SELECT key, count(*) FROM history GROUP BY key ORDER BY key") == \
        [("loss", 11), ("system/cpu", 1)]
