"""The protocol TypedDicts describe what the code really sends: a live run's deltas and
saved snapshot, the runs table's replies to every request, and a report's data block are
checked field by field against them (a key too many, one missing or of another type
fails). tests/test_protocol.py checks that the TypeScript is generated from them."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import numpy as np
import pytest

import nbtrack
from nbtrack.live import LiveFeed
from nbtrack.live.messages import PanelKernelMsg, RunInfo, Snapshot
from nbtrack.live.pusher import LiveData, Pusher
from nbtrack.reports.pack import decode
from nbtrack.reports.schema import ReportMeta
from nbtrack.runs_table.messages import TABLE_CALLS, ReplyHead, TableKernelMsg, TableRequest
from nbtrack.runs_table.widget import RunsTable
from nbtrack.store.records import history_row


def problems(value: Any, hint: Any, path: str = "$") -> list[str]:
    """Where ``value`` (JSON-like) does not have the type ``hint``; empty when it does."""
    if hint is Any or hint is object:
        return []
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a {hint.__name__} object"]
        fields = get_type_hints(hint)
        out = [f"{path}.{k}: not a field of {hint.__name__}" for k in value if k not in fields]
        out += [f"{path}.{k}: missing ({hint.__name__})" for k in hint.__required_keys__ if k not in value]
        for k, v in value.items():
            if k in fields:
                out += problems(v, fields[k], f"{path}.{k}")
        return out
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        arms = [problems(value, a, path) for a in args]
        return [] if any(not p for p in arms) else [f"{path}: {value!r:.80} is none of {hint}"]
    if origin is Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        return [p for i, v in enumerate(value) for p in problems(v, args[0], f"{path}[{i}]")]
    if origin is tuple:
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            return [f"{path}: {value!r:.80} is not a {len(args)}-tuple"]
        return [p for i, (v, a) in enumerate(zip(value, args)) for p in problems(v, a, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not an object"]
        return [p for k, v in value.items() for p in problems(v, args[1], f"{path}.{k}")]
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r:.80} is not null"]
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return [] if ok else [f"{path}: {value!r:.80} is not {hint.__name__}"]


def test_the_checker_catches_a_wrong_shape() -> None:
    bad = {"type": "reply", "rid": "1", "req": "load", "ok": True, "extra": 1}
    found = problems(bad, ReplyHead)
    assert "$.extra: not a field of ReplyHead" in found and any(p.startswith("$.rid:") for p in found)
    assert problems({"type": "reply", "rid": 1, "req": "load", "ok": False, "error": "E: x"}, ReplyHead) == []


def _json(value: Any) -> Any:
    """What the browser receives (the comm sends JSON)."""
    return json.loads(json.dumps(value))


def test_live_deltas_and_the_saved_snapshot_match_the_protocol() -> None:
    rows: list[dict[str, Any]] = []
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    pusher = Pusher(rows, LiveData("r1"), lambda m, b: sent.append((m, b)), interval=10)
    for step in range(300):
        values: dict[str, Any] = {"train/loss": 1 / (step + 1), "epoch": step // 100}
        if step % 50 == 0:
            values["weights"] = {"_type": "histogram", "values": [1, 4, 2], "bins": [0.0, 0.5, 1.0, 1.5]}
        rows.append(history_row(step, 1000.0 + step, values))
        if step % 100 == 99:
            pusher.flush()
    assert len(sent) == 3
    for msg, buffers in sent:
        assert problems(_json(msg), PanelKernelMsg) == []
        assert all(len(buffers[s["buf"]]) == 3 * 8 * s["n"] for s in msg["series"])
    assert any(msg["hists"] for msg, _ in sent)
    snap = pusher.data.snapshot(pusher.seq)
    assert snap["series"] and snap["hists"]
    assert problems(_json(snap), Snapshot) == []


def test_a_live_feed_earlier_runs_message_matches_the_protocol(tmp_path: Path) -> None:
    import nbtrack as wandb

    store = tmp_path / "s"
    run = wandb.init(project="p", dir=str(store))
    for i in range(30):
        wandb.log({"loss": 1 / (i + 1)})
    run.finish()
    feed = LiveFeed({"id": "now", "name": "now", "project": "p", "state": "running", "started_at": 0.0},
                    store_dir=store, push_interval=10)
    try:
        feed._read_earlier(5)  # what the pusher's first tick does
        earlier = feed._earlier
        assert earlier is not None and earlier["series"]
        assert problems(_json(earlier), PanelKernelMsg) == []
        assert problems(_json(dict(feed.widget.run)), RunInfo) == []
    finally:
        feed.close()


@pytest.fixture
def table_of_two_runs(tmp_path: Path) -> RunsTable:
    import nbtrack as wandb

    store = tmp_path / "s"
    for lr in (0.1, 0.01):
        run = wandb.init(project="t", dir=str(store), config={"lr": lr, "opt": "adam"}, tags=["a"], notes="n")
        for i in range(20):
            wandb.log({"loss": lr / (i + 1), "acc": i / 20})
        run.alert(title="t", text="x")
        run.finish()
    return RunsTable(project="t", dir=store)


def test_every_table_reply_matches_its_protocol_type(table_of_two_runs: RunsTable,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    table = table_of_two_runs
    a, b = table.ids()
    requests: dict[str, dict[str, Any]] = {
        "load": {}, "curves": {"ids": [a, b], "key": "loss", "width": 400},
        "importance": {"metric": "summary.loss", "ids": [a, b]}, "detail": {"id": a},
        "diff": {"a": a, "b": b}, "edit": {"id": a, "name": "renamed", "tags": ["x"]}, "delete": {"ids": [b]},
    }
    assert set(requests) == set(TABLE_CALLS)
    replies: list[tuple[dict[str, Any], list[bytes]]] = []
    monkeypatch.setattr(table, "send", lambda content, buffers=None: replies.append((content, buffers or [])))
    for rid, (kind, body) in enumerate(requests.items(), 1):
        request = {"type": kind, "rid": rid, **body}
        assert problems(request, TableRequest) == []
        table._on_custom(table, request, [])
        reply, _ = replies[-1]
        assert reply["ok"], reply.get("error")
        head = {k: v for k, v in reply.items() if k in get_type_hints(ReplyHead)}
        rest = {k: v for k, v in reply.items() if k not in head}
        assert problems(_json(head), ReplyHead) == []
        assert problems(_json(rest), TABLE_CALLS[kind][1]) == [], kind
    table.refresh()
    assert problems(replies[-1][0], TableKernelMsg) == [] and replies[-1][0]["type"] == "stale"
    bad = {"type": "detail", "rid": 99, "id": "nope"}
    table._on_custom(table, bad, [])
    failed, _ = replies[-1]
    assert failed["ok"] is False and "nope" in failed["error"]
    assert problems(_json(failed), ReplyHead) == []


def test_a_report_data_block_matches_its_protocol_type(tmp_path: Path) -> None:
    import nbtrack as wandb

    store = tmp_path / "s"
    for lr in (0.1, 0.01):
        run = wandb.init(project="r", dir=str(store), config={"lr": lr}, notes="n")
        for i in range(50):
            wandb.log({"loss": lr / (i + 1), "samples": [wandb.Image(np.zeros((8, 8, 3), np.uint8), caption="c")]}
                      if i % 25 == 0 else {"loss": lr / (i + 1)})
        wandb.log({"preds": wandb.Table(columns=["x", "y"], data=[[1, "a"], [2, None]])})
        run.finish()
    rep = nbtrack.report("r", dir=store, path=tmp_path / "r.html", quiet=True)
    found = re.search(r'<script id="nbtrack-data" type="application/octet-stream">([^<]*)</script>',
                      rep.path.read_text())
    assert found
    meta, arrays = decode(found.group(1))
    assert meta["series"] and meta["images"] and meta["tables"] and meta["importance"] == []
    assert len(arrays) == len(meta["arrays"])
    assert problems(meta, ReportMeta) == []
