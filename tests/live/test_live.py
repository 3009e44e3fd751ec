"""Live panel, kernel side: mirror, pusher, snapshot, escaping, saved widget state."""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nbtrack.live import LiveFeed, LivePanel
from nbtrack.live.mirror import DEFAULT_CAP, SeriesMirror, m4_indices
from nbtrack.live.pusher import LiveData, Pusher
from nbtrack.live.svg import SvgSeries, render_svg
from nbtrack.live.widget import decode_series
from nbtrack.store.records import history_row

XSS = "<img src=x onerror=alert(1)>"


def info(name="run <b>1</b>"):
    return {"id": "r1", "name": name, "project": "p", "state": "running", "started_at": time.time()}


def test_m4_keeps_extremes_of_each_bucket():
    x = np.arange(100, dtype=float)
    y = np.sin(x)
    idx = m4_indices(x, y, 10.0)
    for b in range(10):
        seg = np.arange(b * 10, b * 10 + 10)
        for want in (seg[0], seg[-1], seg[np.argmin(y[seg])], seg[np.argmax(y[seg])]):
            assert want in idx


def test_mirror_bounded_and_keeps_peaks_for_1m_points():
    m = SeriesMirror(cap=4000)
    rng = np.random.default_rng(0)
    n, chunk = 1_000_000, 25_000
    y_all = rng.normal(0, 1, n)
    spikes = {123_457: 50.0, 654_321: -60.0, 999_998: 70.0}
    for i, v in spikes.items():
        y_all[i] = v
    for start in range(0, n, chunk):
        x = np.arange(start, start + chunk, dtype=float)
        m.append(x, x * 0.01, y_all[start:start + chunk])
        assert len(m) <= 4000
    assert m.total == n
    for i, v in spikes.items():
        assert i in set(m.x.astype(int)), i
        assert v in set(m.y)
    assert m.y.max() == 70.0 and m.y.min() == -60.0
    assert m.x[0] == 0 and m.x[-1] == n - 1  # first and last survive
    assert np.all(np.diff(m.x) > 0)


def test_mirror_drops_non_finite_and_keeps_order():
    m = SeriesMirror(cap=100)
    m.append(np.array([0.0, 1, 2]), np.zeros(3), np.array([1.0, np.nan, np.inf]))
    assert list(m.x) == [0.0]


def _rows(n, t0=0.0, start=0):
    return [history_row(start + i, t0 + i * 1e-5, {"loss": 1.0 / (start + i + 1), "acc": (start + i) % 7, XSS: 1.0})
            for i in range(n)]


def test_pusher_sends_once_per_tick_however_many_rows():
    """The pusher's thread sends at most one message per tick, whatever the logging rate
    (how many rows/s it keeps up with: bench/bench_live.py)."""
    rows: list = []
    sent: list[tuple[dict, list[bytes]]] = []
    ticks: list[int] = []
    ticked = threading.Event()

    def on_tick() -> None:
        ticks.append(len(sent))
        if len(ticks) >= 3:
            ticked.set()

    p = Pusher(rows, LiveData("r1"), lambda m, b: sent.append((m, b)), interval=0.02, on_tick=on_tick).start()
    step = 0
    while not ticked.is_set() and step < 50_000_000:  # log as fast as we can until three ticks passed
        for _ in range(500):
            rows.append(history_row(step, 0.0, {"loss": 1.0 / (step + 1), "acc": step % 7}))
            step += 1
    p.stop()
    assert ticked.is_set()
    assert step >= 500
    assert len(sent) <= len(ticks) + 1, (len(sent), len(ticks))  # +1: a tick running as stop() came


def test_pusher_payload_is_bounded_by_the_mirrors_not_the_rows():
    """At 100k rows/s each tick's rows overflow the mirrors: every message is a compacted
    resend (reset) whose size is bounded by the mirrors, not by how much was logged.
    (Below the cap, messages are appends of ~24 bytes a point: the test after this one.)"""
    rows: list = []
    sent: list[tuple[dict, list[bytes]]] = []
    p = Pusher(rows, LiveData("r1"), lambda m, b: sent.append((m, b)), interval=3600)
    step = 0
    for _tick in range(4):  # 1 s at 100k rows/s, flushed every 0.25 s
        for _ in range(25_000):
            rows.append(history_row(step, 0.0, {"loss": 1.0 / (step + 1), "acc": step % 7}))
            step += 1
        assert p.flush()
    assert len(sent) == 4
    for msg, bufs in sent:
        nbytes = sum(len(b) for b in bufs) + len(json.dumps(msg))
        assert nbytes <= 2 * 2 * DEFAULT_CAP * 24 + 4000
        assert [s["reset"] for s in msg["series"]] == [True, True]
        assert sum(s["n"] for s in msg["series"]) <= 2 * DEFAULT_CAP  # of 50,000 points logged


def test_bytes_per_new_point_flat_for_appends():
    """Steady logging (no compaction): every delta is ~24 bytes per new point plus a header."""
    rows: list = []
    sent: list = []
    data = LiveData("r1", cap=100_000)
    p = Pusher(rows, data, lambda m, b: sent.append((m, b)), interval=10)
    ratios = []
    for k in range(20):
        rows.extend(_rows(500, start=k * 500))
        p.flush()
        msg, bufs = sent[-1]
        new = sum(s["n"] for s in msg["series"])
        ratios.append((sum(len(b) for b in bufs) + len(json.dumps(msg))) / new)
        if k:
            assert all(s["off"] == k * 500 and not s["reset"] for s in msg["series"])
    assert max(ratios[1:]) - min(ratios[1:]) < 1.0
    assert max(ratios) < 30


def test_delta_offsets_and_reset_after_compaction():
    rows: list = []
    sent: list = []
    data = LiveData("r1", cap=64)
    p = Pusher(rows, data, lambda m, b: sent.append((m, b)), interval=10)
    rows.extend(_rows(10))
    p.flush()
    rows.extend(_rows(10, start=10))
    p.flush()
    s = [d for d in sent[-1][0]["series"] if d["key"] == "loss"][0]
    assert (s["off"], s["n"], s["reset"]) == (10, 10, False)
    rows.extend(_rows(100, start=20))
    p.flush()
    s = [d for d in sent[-1][0]["series"] if d["key"] == "loss"][0]
    assert s["reset"] and s["off"] == 0 and s["ver"] >= 1
    pts = np.frombuffer(sent[-1][1][s["buf"]], "<f8")
    assert len(pts) == 3 * s["n"] and pts[s["n"] - 1] == 119


def test_snapshot_holds_final_curves_and_names_as_plain_strings():
    live = LiveFeed(info(name=XSS), push_interval=0.05, earlier_runs=0)
    try:
        for i in range(20_000):
            live.rows.append(history_row(i, 1000.0 + i, {"train/loss": math.exp(-i / 5000), XSS: float(i % 10)}))
        live.set_state("finished", {"train/loss": 0.1, XSS: 3})
        snap = live.widget.snapshot
        keys = {s["key"] for s in snap["series"]}
        assert keys == {"train/loss", XSS}
        loss = [s for s in snap["series"] if s["key"] == "train/loss"][0]
        x, t, y = decode_series(loss)
        assert x[0] == 0 and x[-1] == 19_999 and len(x) <= 1000
        assert abs(y[-1] - math.exp(-19_999 / 5000)) < 1e-6
        assert abs(t[-1] - (1000.0 + 19_999)) < 0.01
        assert live.widget.run["state"] == "finished" and live.widget.run["name"] == XSS
        assert live.widget.run["summary"][XSS] == 3
        state = json.dumps(live.widget.get_state())
        assert XSS.replace("<", "\\u003c") in state or XSS in state
        assert snap["step"] == 19_999
    finally:
        live.close()


def test_static_svg_escapes_text():
    x = np.arange(10.0)
    svg = render_svg([SvgSeries("r", "a&b", XSS, x, x, x), SvgSeries("r", "a&b", "g/<script>", x, x, -x)],
                     {"r": {}}, title='<script>alert("t")</script>', state="finished")
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "g/&lt;script&gt;" in svg
    import xml.dom.minidom

    xml.dom.minidom.parseString(svg)  # well-formed
    assert svg.count("<polyline") == 2


def test_repr_mimebundle_has_widget_and_svg():
    w = LivePanel(run={"name": "n", "state": "running"})
    data, _meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/svg+xml"].startswith("<svg")


def test_images_are_kept_bounded_with_thumbnails_optional():
    data = LiveData("r1")
    ref = {"_type": "image-file", "sha256": "0" * 64, "width": 8, "height": 8, "caption": XSS}
    data.ingest([history_row(i, float(i), {"img": ref, "gallery": [ref, ref]}) for i in range(200)])
    assert len(data.images["img"]) <= 64 and data.images["img"][-1][0] == 199
    out = data.take_message(1)
    assert out is not None
    msg, _ = out
    assert msg["images"][-1]["items"][0]["caption"] == XSS
    snap = data.snapshot(1)
    assert len(snap["images"][0]["steps"]) <= 4


def test_nbclient_saves_final_curves_in_widget_state(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"""
import sys, time, math
sys.path.insert(0, {str(ROOT)!r})
from nbtrack.live import LiveFeed
from nbtrack.store.records import history_row
live = LiveFeed({{"id": "nbc", "name": {XSS!r}, "project": "p", "state": "running", "started_at": time.time()}})
live.show()
"""), nbformat.v4.new_code_cell("""
t0 = time.time(); step = 0
while time.time() - t0 < 2:
    for _ in range(50):
        step += 1
        live.rows.append(history_row(step, time.time(), {"loss": math.exp(-step / 1000), "acc": 1 - math.exp(-step / 800)}))
    time.sleep(0.01)
live.set_state("finished")
live.close()
step
""")]
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", store_widget_state=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    steps = int(nb.cells[1].outputs[-1]["data"]["text/plain"])
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    panels = [m["state"] for m in state.values() if "snapshot" in m["state"]]
    assert len(panels) == 1
    p = panels[0]
    assert p["run"]["state"] == "finished" and p["run"]["name"] == XSS
    loss = [s for s in p["snapshot"]["series"] if s["key"] == "loss"][0]
    x = decode_series(loss)[0]
    assert x[-1] == steps
    # the static picture in the output was updated to the final state (display_id)
    svgs = [o["data"]["image/svg+xml"] for o in nb.cells[0].outputs if "image/svg+xml" in o.get("data", {})]
    assert svgs and "finished" in svgs[-1] and "&lt;img" in svgs[-1]
    assert "<img" not in svgs[-1]


def test_summary_line_shows_aggregates_and_skips_media():
    from nbtrack.live.feed import _shown_summary

    shown = _shown_summary({"loss": 0.1, "val/acc": {"max": 0.9, "min": 0.2}, "img": {"_type": "image-file"},
                            "note": "ok", "hist": [1, 2]})
    assert shown == {"loss": 0.1, "val/acc max": 0.9, "val/acc min": 0.2, "note": "ok"}
