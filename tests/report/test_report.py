"""nbtrack.report(): what the file holds, how it is packed, notes, errors; `%nbtrack report`."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from report_seed import XSS

import nbtrack
from nbtrack.notebook.magic import nbtrack_magic
from nbtrack.reports.collect import ReportData
from nbtrack.reports.notes import render_notes
from nbtrack.reports.pack import decode, encode


def block(html: str) -> tuple[dict, list[np.ndarray]]:
    found = re.search(r'<script id="nbtrack-data" type="application/octet-stream">([^<]*)</script>', html)
    assert found, "the page carries no data block"
    return decode(found.group(1))


def test_pack_round_trip_keeps_arrays_and_alignment():
    data = ReportData(meta={"x": "é", "n": 1})
    a = data.add(np.arange(5, dtype="<f8"))
    b = data.add(np.array([1.5, 2.5, 3.5], dtype="<f4"))
    meta, arrays = decode(encode(data))
    assert meta["x"] == "é" and (a, b) == (0, 1)
    assert [off % 8 for off, _, _ in meta["arrays"]] == [0, 0]
    np.testing.assert_array_equal(arrays[0], np.arange(5))
    np.testing.assert_array_equal(arrays[1], [1.5, 2.5, 3.5])


def test_notes_render_markdown_with_raw_html_disabled():
    out = render_notes("# Title\n\n<script>alert(1)</script> **b** [x](javascript:alert(1)) "
                       "[ok](https://example.org) ![pic](https://example.org/a.png)\n\n" + XSS)
    assert "<h1>Title</h1>" in out and "<strong>b</strong>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<img" not in out and "&lt;img src=x" in out
    assert 'href="javascript:' not in out
    assert 'href="https://example.org" target="_blank" rel="noopener noreferrer"' in out
    assert "[image: pic]" in out  # a report never loads an image from the network


def test_report_file_holds_runs_curves_media_and_code(trained, tmp_path, capsys):
    store, ids = trained
    rep = nbtrack.report("rep", dir=store, title="Sweep <b>1</b>", notes="**fast** <i>x</i>", path=tmp_path / "r.html")
    out = capsys.readouterr().out
    assert f"report of 4 runs written to {rep.path}" in out and "KB)" in out
    html = rep.path.read_text()
    assert rep.size == len(html.encode()) and rep.runs == 4
    assert "<title>Sweep &lt;b&gt;1&lt;/b&gt;</title>" in html
    assert "<strong>fast</strong> &lt;i&gt;x&lt;/i&gt;" in html
    assert "http://" not in html.split('<script type="module">')[0].replace("http://www.w3.org", "")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert "connect-src 'none'" in unescape(csp) and "script-src 'sha256-" in unescape(csp)
    meta, arrays = block(html)
    assert [r["id"] for r in meta["runs"]] == ids  # oldest first
    assert sorted(meta["metrics"]) == sorted(["train/acc", "train/loss", "val/loss", XSS])
    loss = [s for s in meta["series"] if s["key"] == "train/loss"]
    assert len(loss) == 4 and all(s["n"] == 300 for s in loss)
    first = next(s for s in loss if s["run"] == ids[0])
    np.testing.assert_array_equal(arrays[first["x"]], np.arange(300))
    np.testing.assert_allclose(arrays[first["y"]], 1 / (np.arange(300) + 1) + 1e-4, rtol=1e-6)
    assert {c["key"] for c in meta["table"]["columns"]} >= {"name", "config.lr", "config.opt", "summary.best"}
    assert meta["importance"] and meta["importance"][0]["rows"]
    images = [im for im in meta["images"] if im["run"] == ids[0]]
    assert images and [s["step"] for s in images[0]["steps"]] == [1, 101, 201]  # commit=False joins the next step
    assert images[0]["steps"][0]["items"][0]["src"].startswith("data:image/png;base64,")
    assert images[0]["steps"][0]["items"][0]["caption"] == XSS
    table = next(t for t in meta["tables"] if t["run"] == ids[0])
    assert table["columns"] == ["x", "pred"] and table["data"][0] == [1, XSS]
    detail = meta["details"][ids[1]]
    assert detail["config"]["lr"] == 1e-3 and detail["summary"]["best"] == 0.6
    assert detail["code"] is None or detail["code"] in meta["code"]


def test_long_curves_are_m4_downsampled(tmp_path):
    import nbtrack as wandb

    store = tmp_path / "s"
    run = wandb.init(project="long", dir=str(store))
    x = np.arange(200_000)
    y = np.sin(x / 5000) + (x == 123_457) * 50  # one spike M4 must keep
    for v in y:
        wandb.log({"loss": float(v)})
    run.finish()
    rep = nbtrack.report("long", dir=store, path=tmp_path / "long.html", quiet=True)
    meta, arrays = block(rep.path.read_text())
    s = meta["series"][0]
    assert s["n"] <= 4 * meta["m4_width"] < 200_000
    assert arrays[s["y"]].max() == pytest.approx(y.max(), rel=1e-6)
    assert 123_457 in arrays[s["x"]]
    assert rep.size < 1_000_000


def test_choosing_runs_and_metrics(trained, tmp_path):
    store, ids = trained
    rep = nbtrack.report(runs=[ids[0], "lr-0.01"], metrics=["val/loss"], dir=store, path=tmp_path, quiet=True)
    assert rep.path.parent == tmp_path and rep.path.name.startswith("nbtrack-report-")
    meta, _ = block(rep.path.read_text())
    assert [r["id"] for r in meta["runs"]] == [ids[0], ids[2]]
    assert meta["metrics"] == ["val/loss"] and {s["key"] for s in meta["series"]} == {"val/loss"}


def test_unknown_run_or_metric_says_what_exists(trained, tmp_path):
    store, _ = trained
    with pytest.raises(ValueError, match="no run 'nope'.*nbtrack.runs"):
        nbtrack.report("rep", runs=["nope"], dir=store, path=tmp_path / "x.html")
    with pytest.raises(ValueError, match="no logged values for metric.*'val/acc'.*logged metrics: .*train/acc"):
        nbtrack.report("rep", metrics=["val/acc"], dir=store, path=tmp_path / "x.html")


def test_report_shows_inline_in_a_notebook(trained, tmp_path):
    store, _ = trained
    rep = nbtrack.report("rep", dir=store, path=tmp_path / "r.html", quiet=True)
    frame = rep._repr_html_()
    assert frame.startswith('<iframe class="nbtrack-report-frame" sandbox="allow-scripts allow-popups"')
    assert "&lt;script type=&quot;module&quot;&gt;" in frame  # the page, escaped into srcdoc
    assert "srcdoc=" in frame and "<script" not in frame


def test_magic_report(trained, tmp_path, monkeypatch, capsys):
    store, ids = trained
    monkeypatch.setenv("NBTRACK_DIR", str(store))
    notes = tmp_path / "notes.md"
    notes.write_text("From a *file*")
    rep = nbtrack_magic(f"report --project rep --runs {ids[0]},{ids[3]} --title 'Two runs' --notes-file {notes} "
                        f"-o {tmp_path / 'm.html'}")
    assert isinstance(rep, nbtrack.Report) and rep.runs == 2
    html = Path(rep.path).read_text()
    assert "<title>Two runs</title>" in html and "<em>file</em>" in html
    assert nbtrack_magic("report --bogus") is None
    assert "unrecognized arguments: --bogus" in capsys.readouterr().out


def test_link_on_the_server_that_started_the_kernel(trained, tmp_path, monkeypatch, capsys):
    store, ids = trained
    monkeypatch.setenv("NBTRACK_SERVER_URL", "http://hub.example/user/alice/")
    monkeypatch.setenv("NBTRACK_SERVER_ROOT", str(tmp_path))
    rep = nbtrack.report(runs=[ids[0]], metrics=["train/loss"], title="a b", dir=store, path=tmp_path / "r.html")
    assert rep.url == (f"http://hub.example/user/alice/nbtrack/report?store=store&runs={ids[0]}"
                       "&metrics=train%2Floss&title=a+b")
    assert f"on this Jupyter server: {rep.url}" in capsys.readouterr().out
    monkeypatch.setenv("NBTRACK_SERVER_ROOT", str(tmp_path / "elsewhere"))  # the store is outside the root
    assert nbtrack.report("rep", dir=store, path=tmp_path / "r.html", quiet=True).url is None


def test_a_big_project_charts_its_latest_runs_and_lists_all(tmp_path, monkeypatch):
    import pyarrow as pa

    from nbtrack.reports import collect
    from nbtrack.store.importer import import_run
    from nbtrack.store.store import Store

    store = Store(tmp_path / "big")
    for i in range(60):
        hist = pa.table({"step": [0, 1], "ts": [1e9 + i, 1e9 + i + 1], "key": ["loss", "loss"], "num": [1.0, 0.5 + i],
                         "text": pa.nulls(2, pa.string()), "json": pa.nulls(2, pa.string())})
        import_run(store, {"id": f"r{i:02d}", "project": "big", "name": f"run {i}", "state": "finished",
                           "created_at": 1e9 + i, "config": {"lr": i / 100}, "summary": {"loss": 0.5 + i}}, hist)
    rep = nbtrack.report("big", dir=store.root, path=tmp_path / "big.html", quiet=True)
    html = rep.path.read_text()
    meta, _ = block(html)
    assert meta["total_runs"] == 60 and len(meta["table"]["rows"]["ids"]) == 60
    assert [r["id"] for r in meta["runs"]] == [f"r{i:02d}" for i in range(10, 60)]  # the latest 50
    assert {s["run"] for s in meta["series"]} == {f"r{i:02d}" for i in range(10, 60)}
    assert set(meta["details"]) == {f"r{i:02d}" for i in range(10, 60)}
    assert "60 runs (curves and details of the latest 50)" in html
    monkeypatch.setattr(collect, "MAX_CHOSEN_RUNS", 3)
    with pytest.raises(ValueError, match="at most 3 chosen runs"):
        nbtrack.report("big", runs=["r01", "r02", "r03", "r04"], dir=store.root, path=tmp_path / "x.html")


def test_report_of_a_run_still_training_sees_every_logged_step(tmp_path):
    import nbtrack as wandb

    run = wandb.init(project="live", dir=str(tmp_path / "s"), config={"lr": 0.1})
    for s in range(150):
        wandb.log({"loss": 1 / (s + 1)})
    rep = wandb.report(path=tmp_path / "live.html", quiet=True)  # the active run's project, mid-training
    meta, arrays = block(rep.path.read_text())
    assert meta["project"] == "live" and meta["runs"][0]["state"] == "running"
    assert meta["series"][0]["n"] == 150 and arrays[meta["series"][0]["x"]][-1] == 149
    run.finish()
