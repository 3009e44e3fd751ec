"""The example notebooks in a real browser: which metrics get a chart and against which
x axis, the histogram heat-maps, the system section, compact legends, and saved notebooks
that stay small and still draw after a reload (JupyterLab, Notebook 7, the SVG picture).

Screenshots go to test-output/charts_*.png.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_lab import running_lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

RUNNING = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))"

#: the chart list of panel n: sections in order, each with its charts (key, x axis, kind, unit)
CHARTS = """(n) => {
  const p = document.querySelectorAll('.nbt-panel')[n];
  if (!p) return null;
  return [...p.querySelectorAll(':scope .nbt-section')].map(s => ({
    section: s.dataset.section, open: s.dataset.open === '1', count: Number(s.dataset.charts),
    charts: [...s.querySelectorAll('.nbt-chart')].map(c => ({
      key: c.dataset.key, kind: c.dataset.kind || 'line', x: c.dataset.x || '', unit: c.dataset.unit || '',
      series: Number(c.dataset.series || 0), points: Number(c.dataset.points || 0),
      legend: Number(c.dataset.legend || 0), steps: Number(c.dataset.steps || 0)}))}));
}"""

#: records, while cells run, the number of histogram steps the first heat-map holds
# Every 50 ms while a cell runs: the histogram steps each panel shows so far (one cell
# trains three runs, each with its panel; a fast machine trains one run in under a second,
# so one panel alone may show only its final state).
HIST_RECORDER = """() => {
  window.__hist = [];
  window.__histTimer = setInterval(() => {
    const busy = [...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'));
    const shown = [...document.querySelectorAll('.nbt-panel')].map(p => {
      const c = p.querySelector('.nbt-chart[data-kind="hist"]');
      return c ? Number(c.dataset.steps) : 0; }).join(',');
    if (!busy || !shown) return;
    if (!window.__hist.length || window.__hist[window.__hist.length - 1] !== shown) window.__hist.push(shown);
  }, 50);
}"""


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1280, "height": 2400})  # tall panels fit in one screenshot
    return page


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    # system samples every second, so the short example runs have a system section to show
    with running_lab(tmp_path_factory.mktemp("charts-lab"), env={"NBTRACK_SYSTEM_INTERVAL": "1",
                                                                  "KERAS_BACKEND": "torch"}) as running:
        yield running


def busy(page) -> bool:
    return bool(page.evaluate(RUNNING))


def run_all(page, lab, path: str) -> None:
    lab.open(page, path)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def wait_idle(page, timeout: float = 240_000) -> None:
    page.wait_for_function(f"!({RUNNING})()", timeout=timeout)


def charts(page, n: int = 0) -> list[dict]:
    return page.evaluate(CHARTS, n)


def section(layout: list[dict], name: str) -> dict:
    found = [s for s in layout if s["section"] == name]
    assert found, (name, [s["section"] for s in layout])
    return found[0]


def keys(sec: dict) -> list[str]:
    return [c["key"] for c in sec["charts"]]


def open_section(page, n: int, name: str) -> None:
    page.evaluate("([n, name]) => { const s = document.querySelectorAll('.nbt-panel')[n]"
                  ".querySelector(`.nbt-section[data-section=\"${name}\"]`);"
                  " if (s.dataset.open !== '1') s.querySelector('.nbt-section-toggle').click(); }", [n, name])
    page.wait_for_function("([n, name]) => document.querySelectorAll('.nbt-panel')[n]"
                           ".querySelector(`.nbt-section[data-section=\"${name}\"]`).dataset.open === '1'",
                           arg=[n, name], timeout=5_000)


def shoot(page, out_dir: Path, name: str, n: int = 0) -> None:
    panel = page.locator(".nbt-panel").nth(n)
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(out_dir / name))


def save(page, lab, name: str) -> dict:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    path = lab.root / name
    deadline = time.time() + 20
    while time.time() < deadline:  # the save lands on disk with the widget state
        nb = json.loads(path.read_text())
        if nb.get("metadata", {}).get("widgets"):
            return nb
        time.sleep(0.2)
    raise AssertionError("the saved notebook has no widget state")


def fresh_page(browser, page):
    """A new tab for a reload: leaving a notebook page asks "leave?", which the test's
    dialog handler would answer "stay"."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 2400})
    fresh = ctx.new_page()
    fresh.errors = page.errors
    fresh.on("pageerror", lambda e: fresh.errors.append(str(e)))
    return fresh


def shutdown_kernels(lab) -> None:
    import urllib.request

    with urllib.request.urlopen(lab.url("/api/kernels")) as r:
        kernels = json.load(r)
    for k in kernels:
        req = urllib.request.Request(lab.url(f"/api/kernels/{k['id']}"), method="DELETE")
        urllib.request.urlopen(req).close()


def test_quickstart_chart_list_system_section_and_reload(page, lab, out_dir, browser):
    shutil.copy(NOTEBOOKS / "quickstart.ipynb", lab.root / "quickstart.ipynb")
    run_all(page, lab, "/lab/tree/quickstart.ipynb?reset")
    page.locator(".nbt-panel").first.wait_for(timeout=40_000)
    page.wait_for_function("() => Number(document.querySelector('.nbt-panel').dataset.points) > 50", timeout=30_000)
    assert busy(page)
    layout = charts(page)
    assert keys(section(layout, "train")) == ["train/acc", "train/loss"]  # one chart per metric
    assert all(c["x"] == "step" and c["series"] == 1 for c in section(layout, "train")["charts"])
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel')[0].dataset.state === 'finished'", timeout=60_000)
    layout = charts(page)
    assert [s["section"] for s in layout] == ["train", "val", "system"]
    assert keys(section(layout, "val")) == ["val/acc", "val/loss"]
    system = section(layout, "system")
    assert not system["open"] and system["count"] >= 5 and system["charts"] == []  # collapsed, nothing drawn
    open_section(page, 0, "system")
    system = section(charts(page), "system")
    by_key = {c["key"]: c for c in system["charts"]}
    assert by_key["system/cpu_percent"]["unit"] == "%" and by_key["system/cpu_percent"]["x"] == "time"
    assert by_key["system/proc_rss_mb"]["unit"] in ("MB", "GB")
    assert by_key["system/net_recv_bytes_per_s"]["unit"].endswith("/s")
    ticks = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('.nbt-panel')[0].querySelectorAll("
                          "'.nbt-section[data-section=system] .nbt-chart')].map(c => [c.dataset.key, c.dataset.yticks]))")
    assert all(t.endswith("%") for t in ticks["system/cpu_percent"].split("|") if t), ticks
    assert all(len(t) <= 9 for v in ticks.values() for t in v.split("|")), ticks  # short labels, never clipped
    shoot(page, out_dir, "charts_quickstart_run1.png")
    # 3 runs, the %nbtrack run, compare()
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 5", timeout=120_000)
    wait_idle(page)
    n_panels = 5
    compare = charts(page, n_panels - 1)
    loss = [c for s in compare for c in s["charts"] if c["key"] == "train/loss"][0]
    assert loss["series"] == 4 and loss["legend"] == 3, compare  # four runs, three named, the rest behind "+1 more"
    more = page.locator(".nbt-panel").nth(n_panels - 1).locator('[data-role="legend-more"]').first
    more.click()
    assert charts(page, n_panels - 1)[0]["charts"][0]["legend"] == 4
    shoot(page, out_dir, "charts_quickstart_compare.png", n_panels - 1)
    nb = save(page, lab, "quickstart.ipynb")
    size = (lab.root / "quickstart.ipynb").stat().st_size
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    holders = [m for m in state.values() if "code" in m["state"] and "digest" in m["state"]]
    assert len(holders) == 1  # the bundle is saved once, not once per panel
    assert size < 600_000, size

    # reload with no kernel models: the panels draw from the saved state
    shutdown_kernels(lab)
    page = fresh_page(browser, page)
    lab.open(page, "/lab/tree/quickstart.ipynb?reset")
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 5", timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')].every(p => Number(p.dataset.points) > 0)",
                           timeout=20_000)
    assert keys(section(charts(page), "train")) == ["train/acc", "train/loss"]
    shoot(page, out_dir, "charts_quickstart_reloaded_lab.png")

    # Notebook 7 renders the same saved notebook
    shutdown_kernels(lab)
    page = fresh_page(browser, page)
    lab.open(page, "/notebooks/quickstart.ipynb")
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 5", timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')].every(p => Number(p.dataset.points) > 0)",
                           timeout=20_000)
    shoot(page, out_dir, "charts_quickstart_reloaded_nb7.png")

    # without widget support the picture in the same output is what shows
    svg = next(o["data"]["image/svg+xml"] for c in nb["cells"] for o in c.get("outputs", [])
               if "image/svg+xml" in o.get("data", {}))
    svg = svg if isinstance(svg, str) else "".join(svg)
    assert ">train/loss<" in svg and "system (" in svg
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    page.set_content(f'<html><body style="margin:0"><img id="pic" src="{src}"></body></html>')
    page.wait_for_function("() => document.getElementById('pic').complete && document.getElementById('pic').naturalWidth > 0")
    page.locator("#pic").screenshot(path=str(out_dir / "charts_quickstart_svg.png"))
    assert not [e for e in page.errors if "nbtrack" in e or "uPlot" in e], page.errors


def test_keras_step_metrics_are_x_axes(page, lab, out_dir):
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("keras.ipynb needs keras and torch")
    shutil.copy(NOTEBOOKS / "keras.ipynb", lab.root / "keras.ipynb")
    run_all(page, lab, "/lab/tree/keras.ipynb?reset")
    page.locator(".nbt-panel").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel')[0].dataset.state === 'finished'", timeout=180_000)
    layout = charts(page)
    assert [s["section"] for s in layout] == ["batch", "epoch", "system"]  # no "checkpoint" section
    batch, epoch = section(layout, "batch"), section(layout, "epoch")
    assert keys(batch) == ["batch/accuracy", "batch/learning_rate", "batch/loss"]  # batch/batch_step is the x axis
    assert keys(epoch) == ["epoch/accuracy", "epoch/learning_rate", "epoch/loss", "epoch/val_accuracy", "epoch/val_loss"]
    assert {c["x"] for c in batch["charts"]} == {"batch/batch_step"}
    assert {c["x"] for c in epoch["charts"]} == {"epoch/epoch"}
    options = page.evaluate("() => [...document.querySelector('.nbt-panel select[data-role=xmode]').options].map(o => o.value)")
    assert options == ["auto", "step", "m:batch/batch_step", "m:epoch/epoch", "rel", "wall"]
    shoot(page, out_dir, "charts_keras_run1.png")
    # the x selector: every chart against the global step, then back
    page.locator(".nbt-panel").first.locator('select[data-role="xmode"]').select_option("step")
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')[0].querySelectorAll("
                           "'.nbt-section[data-section=epoch] .nbt-chart')].every(c => c.dataset.x === 'step')", timeout=5_000)
    page.locator(".nbt-panel").first.locator('select[data-role="xmode"]').select_option("auto")
    # three runs, then compare() in the last cell
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 4", timeout=300_000)
    wait_idle(page)
    n_panels = 4
    third = charts(page, 2)
    assert keys(section(third, "epoch")) == keys(epoch)
    # the third run overlays the earlier two; the legend stays short
    panel = page.locator(".nbt-panel").nth(2)
    panel.locator('input[data-role="earlier"]').check()
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')[2].querySelectorAll("
                           "'.nbt-section[data-section=epoch] .nbt-chart')].every(c => Number(c.dataset.series) === 3)",
                           timeout=10_000)
    assert all(c["x"] == "epoch/epoch" for c in section(charts(page, 2), "epoch")["charts"])
    shoot(page, out_dir, "charts_keras_run3_earlier.png", 2)
    compare = charts(page, n_panels - 1)
    assert [c["key"] for s in compare for c in s["charts"]] == ["epoch/loss", "epoch/val_accuracy"]
    assert all(c["x"] == "epoch/epoch" and c["series"] == 3 for s in compare for c in s["charts"])
    shoot(page, out_dir, "charts_keras_compare.png", n_panels - 1)
    assert not [e for e in page.errors if "nbtrack" in e or "uPlot" in e], page.errors


def test_pytorch_histograms_live_and_epoch_axis(page, lab, out_dir):
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("sklearn") is None:
        pytest.skip("pytorch.ipynb needs torch and scikit-learn")
    shutil.copy(NOTEBOOKS / "pytorch.ipynb", lab.root / "pytorch.ipynb")
    lab.open(page, "/lab/tree/pytorch.ipynb?reset")
    page.evaluate(HIST_RECORDER)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.locator(".nbt-panel").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel')[0].dataset.state === 'finished'", timeout=180_000)
    layout = charts(page)
    names = [s["section"] for s in layout]
    assert names == ["gradients", "parameters", "train", "val", "system"], names  # no "charts" (epoch), no checkpoint
    assert keys(section(layout, "val")) == ["val/acc", "val/loss"]
    assert {c["x"] for c in section(layout, "val")["charts"]} == {"epoch"}
    assert section(layout, "train")["charts"][0]["x"] == "step"
    options = page.evaluate("() => [...document.querySelector('.nbt-panel select[data-role=xmode]').options].map(o => o.value)")
    assert options == ["auto", "step", "m:epoch", "rel", "wall"]
    grads = section(layout, "gradients")["charts"]
    assert keys(section(layout, "gradients")) == ["gradients/0.bias", "gradients/0.weight", "gradients/2.bias", "gradients/2.weight"]
    assert all(c["kind"] == "hist" and c["steps"] >= 5 for c in grads), grads
    assert all(c["kind"] == "hist" for c in section(layout, "parameters")["charts"])
    hist_seen = page.evaluate("() => window.__hist")
    # heat-maps grew while the cell ran (pushed live): states recorded only while busy, at
    # least two of them, and histogram steps already drawn before the cell ended
    assert len(hist_seen) >= 2 and any(int(v) > 0 for state in hist_seen for v in state.split(",")), hist_seen
    # the heat-map drew cells (not a blank canvas)
    inked = page.evaluate("""() => { const c = document.querySelector('.nbt-panel .nbt-chart[data-kind=hist] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert inked > 1000, inked
    shoot(page, out_dir, "charts_pytorch_run1.png")
    page.locator(".nbt-panel").first.locator(".nbt-section[data-section=gradients]").screenshot(
        path=str(out_dir / "charts_pytorch_gradients.png"))
    wait_idle(page)
    assert not [e for e in page.errors if "nbtrack" in e or "uPlot" in e], page.errors
    # the static picture: heat-maps and the epoch axis too
    nb = save(page, lab, "pytorch.ipynb")
    svg = next(o["data"]["image/svg+xml"] for c in nb["cells"] for o in c.get("outputs", [])
               if "image/svg+xml" in o.get("data", {}))
    svg = svg if isinstance(svg, str) else "".join(svg)
    assert svg.count("data:image/png;base64,") == 8 and ">epoch<" in svg and ">val/acc<" in svg
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    page.set_content(f'<html><body style="margin:0"><img id="pic" src="{src}"></body></html>')
    page.wait_for_function("() => document.getElementById('pic').complete && document.getElementById('pic').naturalWidth > 0")
    page.locator("#pic").screenshot(path=str(out_dir / "charts_pytorch_svg.png"))


TWENTY = """\
import numpy as np
import nbtrack as wandb
for r in range(20):
    run = wandb.init(project="twenty", config={"lr": 0.01 * (r + 1)})
    loss = 2.0
    for step in range(400):
        loss *= 1 - run.config.lr * 0.05
        row = {"train/loss": loss + 0.01 * np.sin(step), "train/acc": 1 - loss / 2}
        if step % 20 == 0:
            row["val/loss"] = loss * 1.1
            row["val/acc"] = 1 - loss / 1.8
        wandb.log(row)
    wandb.finish()
"""


def test_twenty_panels_save_small_and_draw_after_reload(page, lab, out_dir, browser):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(TWENTY)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "twenty.ipynb")
    run_all(page, lab, "/lab/tree/twenty.ipynb?reset")
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 20", timeout=120_000)
    wait_idle(page, 120_000)
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')].every(p => p.dataset.state === 'finished')",
                           timeout=30_000)
    saved = save(page, lab, "twenty.ipynb")
    size = (lab.root / "twenty.ipynb").stat().st_size
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert sum(1 for m in state.values() if "snapshot" in m["state"]) == 20
    (out_dir / "charts_twenty_size.txt").write_text(f"{size}\n")
    assert size < 1_000_000, size
    for url in ("/lab/tree/twenty.ipynb?reset", "/notebooks/twenty.ipynb"):
        shutdown_kernels(lab)
        page = fresh_page(browser, page)
        lab.open(page, url)
        page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length === 20", timeout=60_000)
        page.wait_for_function("() => [...document.querySelectorAll('.nbt-panel')].every(p => Number(p.dataset.points) > 0)",
                               timeout=30_000)
    shoot(page, out_dir, "charts_twenty_reloaded_nb7.png", 19)


INLINE = """\
import os
os.environ["NBTRACK_WIDGET_CODE"] = "inline"  # every panel carries its own bundle (as on Colab)
import nbtrack as wandb
run = wandb.init(project="inline")
wandb.define_metric("val/*", step_metric="epoch")
for step in range(300):
    row = {"train/loss": 1 / (1 + step)}
    if step % 30 == 29:
        row.update({"epoch": step // 30, "val/loss": 2 / (1 + step)})
    wandb.log(row)
wandb.finish()
"""


def test_inline_code_mode_draws_the_same_layout(page, lab):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(INLINE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "inline.ipynb")
    run_all(page, lab, "/lab/tree/inline.ipynb?reset")
    page.wait_for_function("() => document.querySelector('.nbt-panel') && document.querySelector('.nbt-panel').dataset.state === 'finished'",
                           timeout=60_000)
    layout = charts(page)
    assert [s["section"] for s in layout][:2] == ["train", "val"]
    assert section(layout, "val")["charts"][0]["x"] == "epoch"
    saved = save(page, lab, "inline.ipynb")
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert not [m for m in state.values() if "digest" in m["state"] and "code" in m["state"]]  # no shared holder
    assert any(len(m["state"].get("_esm", "")) > 50_000 for m in state.values())
