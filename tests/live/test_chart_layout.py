"""Which metrics get a chart and against which x (kernel twin of js/src/shared/charts/layout.ts),
histograms for the heat-map, the static picture's layout, and the shared widget code."""

from __future__ import annotations

import base64
import json
import xml.dom.minidom
from pathlib import Path

import numpy as np
import pytest

from nbtrack.live.histograms import HIST_BINS, HistogramSeries, rebin
from nbtrack.live.layout import is_charted, sections, value_unit, x_metric
from nbtrack.live.pusher import LiveData
from nbtrack.live.svg import SvgHist, SvgSeries, render_svg
from nbtrack.store.records import history_row

ROOT = Path(__file__).resolve().parents[2]

# what nbtrack.keras.MetricsLogger and a checkpoint define
KERAS = {"epoch/epoch": {"step_metric": None, "hidden": False},
         "epoch/*": {"step_metric": "epoch/epoch", "hidden": False},
         "batch/batch_step": {"step_metric": None, "hidden": False},
         "batch/*": {"step_metric": "batch/batch_step", "hidden": False},
         "checkpoint/epoch": {"step_metric": None, "hidden": True}}


def test_step_metrics_are_axes_and_hidden_metrics_have_no_chart():
    assert not is_charted("epoch/epoch", KERAS) and not is_charted("batch/batch_step", KERAS)
    assert not is_charted("checkpoint/epoch", KERAS)
    assert is_charted("epoch/learning_rate", KERAS) and is_charted("batch/loss", KERAS)
    assert x_metric("epoch/val_loss", KERAS) == "epoch/epoch"
    assert x_metric("batch/accuracy", KERAS) == "batch/batch_step"
    assert x_metric("train/loss", KERAS) is None


def test_own_definition_and_pattern_combine():
    metrics = {"val/acc": {"step_metric": None, "hidden": False}, "val/*": {"step_metric": "epoch", "hidden": False}}
    assert x_metric("val/acc", metrics) == "epoch"  # summary="max" on val/acc keeps the pattern's axis
    assert not is_charted("epoch", metrics)


def test_sections_order_ungrouped_first_system_last():
    order = [name for name, _ in sections(["system/cpu_percent", "val/loss", "lr", "train/loss", "train/acc"])]
    assert order == ["", "train", "val", "system"]


def test_system_units_scale_to_the_data():
    assert value_unit("system/cpu_percent", 340) == (1.0, "%")
    assert value_unit("system/net_recv_bytes_per_s", 2.5e6) == (1e-6, "MB/s")
    assert value_unit("system/disk_read_bytes_per_s", 800) == (1.0, "B/s")
    assert value_unit("system/proc_rss_mb", 3000)[1] == "GB"
    assert value_unit("system/proc_rss_mb", 300) == (1.0, "MB")
    assert value_unit("train/loss", 5) == (1.0, "")


def test_rebin_keeps_the_total_and_the_range():
    counts, edges = np.histogram(np.random.default_rng(0).normal(size=5000), bins=100)
    lo, hi, c = rebin(counts, edges)
    assert len(c) == HIST_BINS and abs(c.sum() - 5000) < 1e-6
    assert lo == edges[0] and hi == edges[-1]
    lo, hi, c = rebin([7], [2.0, 2.0])  # every value equal
    assert c.sum() == 7 and lo < 2.0 < hi
    assert rebin([1, 2], [0.0, 1.0]) is None  # edges do not match counts


def test_histograms_are_pushed_and_kept_bounded():
    import nbtrack

    data = LiveData("r1")
    rng = np.random.default_rng(1)
    rows = []
    for step in range(300):
        row = {"train/loss": 1.0 / (step + 1)}
        if step % 2 == 0:
            row["gradients/w"] = nbtrack.Histogram(rng.normal(0, 1 + step / 100, 500)).to_ref()
        rows.append(history_row(step, float(step), row))
    data.ingest(rows)
    msg, _buffers = data.take_message(1)
    assert {h["key"] for h in msg["hists"]} == {"gradients/w"}
    assert len(msg["hists"][0]["counts"]) == HIST_BINS
    kept = data.hists["gradients/w"]
    assert len(kept.steps) <= 64 and kept.steps[-1] == 298 and kept.steps[0] == 0
    snap = data.snapshot(1)
    h = snap["hists"][0]
    raw = np.frombuffer(base64.b64decode(h["counts"]), np.uint8).reshape(-1, h["bins"])
    assert len(h["steps"]) == raw.shape[0] <= 32 and h["steps"][-1] == 298
    assert (raw.max(axis=1) == 255).all()  # each column scaled to its own maximum
    assert h["hi"][-1] > h["hi"][0]  # the spread grows over the run
    again = data.take_message(2, force_reset=True)[0]
    assert len(again["hists"]) == len(kept.steps)  # a resync resends what is kept


def test_svg_has_one_chart_per_metric_against_step_metrics():
    steps = np.arange(12.0)
    s = [SvgSeries("r", "run", "epoch/epoch", steps * 10, steps, steps),
         SvgSeries("r", "run", "epoch/loss", steps * 10, steps, 1 / (steps + 1)),
         SvgSeries("r", "run", "epoch/learning_rate", steps * 10, steps, np.full(12, 0.003)),
         SvgSeries("r", "run", "checkpoint/epoch", np.array([50.0]), np.array([5.0]), np.array([4.0])),
         SvgSeries("r", "run", "system/cpu_percent", np.array([3.0]), np.array([3.0]), np.array([55.0]))]
    hist = HistogramSeries()
    for i in range(5):
        hist.add(i * 10, -1.0 - i, 1.0 + i, np.arange(HIST_BINS, dtype=float))
    snap = hist.snapshot("r", "gradients/w")
    counts = np.frombuffer(base64.b64decode(snap["counts"]), np.uint8).reshape(-1, HIST_BINS)
    svg = render_svg(s, {"r": KERAS}, title="run", state="finished",
                     hists=[SvgHist("gradients/w", snap["steps"], snap["lo"], snap["hi"], counts)])
    xml.dom.minidom.parseString(svg)
    assert svg.count("<polyline") + svg.count("<circle") == 2  # epoch/loss, epoch/learning_rate
    assert ">epoch/loss<" in svg and ">epoch/learning_rate<" in svg
    assert ">epoch/epoch<" in svg  # the x axis' name, not a chart title
    assert "checkpoint" not in svg  # hidden
    assert "system (1 charts, collapsed)" in svg
    assert svg.count("data:image/png;base64,") == 1  # the histogram heat-map
    assert len(svg) < 12_000


@pytest.mark.timeout(120)
def test_notebook_panels_share_one_copy_of_the_code(tmp_path, monkeypatch):
    """As users write it (`import nbtrack as wandb`), run under nbclient: three panels, one
    WidgetCode; each panel's saved state is small and holds the definitions and histograms."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if not (ROOT / "nbtrack" / "static" / "loader.js").is_file():
        pytest.skip("widget bundle not built (npm run build in js/)")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nimport nbtrack as wandb"), nbformat.v4.new_code_cell("""
for r in range(3):
    run = wandb.init(project="p", config={"r": r})
    wandb.define_metric("epoch/*", step_metric="epoch/epoch")
    for epoch in range(6):
        for b in range(20):
            wandb.log({"train/loss": 1 / (1 + epoch * 20 + b)})
        wandb.log({"epoch/epoch": epoch, "epoch/val_loss": 1 / (1 + epoch),
                   "weights": wandb.Histogram(np.random.default_rng(epoch).normal(0, 1, 300))})
    wandb.finish()
""")]
    monkeypatch.setenv("NBTRACK_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("NBTRACK_LIVE", "1")  # as in a user's notebook: the live panel shows
    nbclient.NotebookClient(nb, timeout=90, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    holders = [m["state"] for m in state.values() if "code" in m["state"] and "digest" in m["state"]]
    panels = [m["state"] for m in state.values() if "snapshot" in m["state"]]
    assert len(holders) == 1 and len(panels) == 3
    assert len(holders[0]["code"]) > 50_000
    holder_id = [k for k, m in state.items() if "digest" in m["state"] and "code" in m["state"]][0]
    for p in panels:
        assert p["code_ref"] == holder_id and p["code_digest"] == holders[0]["digest"]
        assert len(p["_esm"]) < 3000
        assert p["run"]["metrics"]["epoch/*"]["step_metric"] == "epoch/epoch"
        assert [h["key"] for h in p["snapshot"]["hists"]] == ["weights"]
        assert len(json.dumps(p)) < 30_000
    svgs = [o["data"]["image/svg+xml"] for o in nb.cells[1].outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 3 and all(">epoch/val_loss<" in s and ">epoch/epoch<" in s for s in svgs)


def test_compare_brings_the_step_metrics_of_the_keys_asked_for(tmp_path):
    import nbtrack as wandb
    from nbtrack.live import compare

    for r in range(2):
        wandb.init(project="cmp", dir=tmp_path, config={"r": r})
        wandb.define_metric("epoch/*", step_metric="epoch/epoch")
        for epoch in range(5):
            for _ in range(10):
                wandb.log({"batch/loss": 1.0})
            wandb.log({"epoch/epoch": epoch, "epoch/loss": 1 / (1 + epoch + r)})
        wandb.finish()
    panel = compare(project="cmp", keys=["epoch/loss"], dir=tmp_path)
    keys = sorted({s["key"] for s in panel.snapshot["series"]})
    assert keys == ["epoch/epoch", "epoch/loss"]
    assert all(r["metrics"]["epoch/*"]["step_metric"] == "epoch/epoch" for r in panel.runs)
    svg = panel.svg()
    assert svg.count("<polyline") == 2 and ">epoch/epoch<" in svg and ">epoch/loss<" in svg
