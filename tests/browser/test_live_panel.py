"""The live panel in a real browser: JupyterLab and Notebook 7 on one server.

Proves that curves draw and grow while the training cell runs, that the toolbar acts
while the kernel is busy, that an XSS-looking metric name is shown as text, and saves
screenshots to test-output/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

XSS = "<img src=x onerror=alert(1)>"

SETUP = """\
import math, random, time
from nbtrack.live import LiveFeed
from nbtrack.store.records import history_row
live = LiveFeed({"id": "run-browser", "name": "demo <b>run</b>", "project": "browser",
                    "state": "running", "started_at": time.time()})
live.show()
"""

TRAIN = """\
XSS = %r
t0 = time.time(); step = 0
while time.time() - t0 < %s:
    for _ in range(10):
        step += 1
        row = {"train/loss": 2 * math.exp(-step / 400) + 0.05 * random.random(),
               "train/acc": 1 - math.exp(-step / 300) * (0.8 + 0.1 * random.random()),
               "lr": 0.1 * 0.999 ** step, XSS: math.sin(step / 40),
               "system/cpu": 50 + 10 * random.random()}
        if step %% 20 == 0:
            row["val/loss"] = 2 * math.exp(-step / 450) + 0.1
        live.rows.append(history_row(step, time.time(), row))
    time.sleep(0.02)
live.checkpoint()
live.set_state("finished", {"train/loss": row["train/loss"], "steps": step})
"""

RECORDER = """() => {
  window.__nbt = {points: [], busyPoints: [], statuses: []};
  window.__nbtTimer = setInterval(() => {
    const p = document.querySelector('.nbt-panel');
    const st = [...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*')) ? 'busy' : 'idle';
    window.__nbt.statuses.push(st);
    if (!p) return;
    const n = Number(p.dataset.points || 0);
    const rec = window.__nbt;
    if (!rec.points.length || rec.points[rec.points.length - 1] !== n) rec.points.push(n);
    if (st === 'busy' && (!rec.busyPoints.length || rec.busyPoints[rec.busyPoints.length - 1] !== n)) rec.busyPoints.push(n);
  }, 50);
}"""

def make_notebook(path: Path, seconds: float) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(TRAIN % (XSS, seconds))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def open_and_run(page, lab, url_path: str) -> None:
    lab.open(page, url_path)
    page.evaluate(RECORDER)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


# kernel.status is not a reliable "cell running" signal with ipykernel 7 (other shell
# requests report idle while the cell runs): the running cell's "[*]" prompt is.
RUNNING = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))"


def busy(page) -> bool:
    return bool(page.evaluate(RUNNING))


def check_xss(page) -> None:
    titles = page.eval_on_selector_all(".nbt-chart-title", "els => els.map(e => e.textContent)")
    assert XSS in titles, titles  # one chart per metric: the name is the chart's title, as text
    labels = page.eval_on_selector_all(".nbt-legend-label", "els => els.map(e => e.textContent)")
    assert "demo <b>run</b>" in labels, labels
    assert page.eval_on_selector_all('img[src="x"]', "els => els.length") == 0
    assert page.eval_on_selector_all(".nbt-panel img", "els => els.length") == 0
    assert not page.dialogs, page.dialogs
    titles = page.eval_on_selector_all(".nbt-title", "els => els.map(e => e.textContent)")
    assert "demo <b>run</b>" in titles
    assert page.eval_on_selector_all(".nbt-panel b", "els => els.length") == 0


def test_lab_live_panel(page, lab, out_dir):
    make_notebook(lab.root / "live_lab.ipynb", 7)
    open_and_run(page, lab, "/lab/tree/live_lab.ipynb?reset")
    panel = page.locator(".nbt-panel").first
    panel.wait_for(timeout=30_000)
    page.wait_for_function("() => Number(document.querySelector('.nbt-panel').dataset.points) > 200", timeout=30_000)
    assert busy(page), ("the training cell should still be running", page.evaluate("() => window.__nbt"), page.errors)
    page.wait_for_function("() => document.querySelectorAll('.nbt-chart').length >= 4", timeout=10_000)
    # toolbar acts in the browser while the kernel is busy
    renders = int(panel.get_attribute("data-renders"))
    page.locator('.nbt-panel input[data-role="smoothing"]').first.fill("0.9")
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.smoothing === '0.9'", timeout=5_000)
    page.locator('.nbt-panel input[data-role="logy"]').first.check()
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.logy === '1'", timeout=5_000)
    distrs = page.eval_on_selector_all(".nbt-panel .nbt-chart", "els => els.map(e => e.dataset.distr)")
    assert set(distrs) == {"3"}, distrs
    assert int(panel.get_attribute("data-renders")) > renders
    assert busy(page), "smoothing and log scale must act while the kernel is busy"
    # hover shows values; legend click hides a series
    chart = page.locator(".nbt-panel .nbt-chart").first
    box = chart.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.querySelector('.nbt-legend-x').textContent.startsWith('step')", timeout=5_000)
    item = chart.locator(".nbt-legend-item").first
    item.click()
    assert "off" in (item.get_attribute("class") or "")
    item.click()
    page.mouse.move(5, 5)
    page.locator(".nbt-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "lab_running.png"), full_page=False)
    assert busy(page)
    # ... and then the run finishes
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.state === 'finished'", timeout=30_000)
    page.wait_for_function(f"!({RUNNING})()", timeout=30_000)
    time.sleep(0.5)
    rec = page.evaluate("() => window.__nbt")
    assert len(rec["busyPoints"]) >= 6, rec["busyPoints"]  # the curves grew while the cell ran
    assert rec["busyPoints"] == sorted(rec["busyPoints"])
    page.locator('.nbt-panel input[data-role="logy"]').first.uncheck()
    page.locator(".nbt-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "lab_finished.png"), full_page=False)
    check_xss(page)
    # the saved notebook holds the final curves (widget state) and the static picture
    path = lab.root / "live_lab.ipynb"
    before = path.stat().st_mtime_ns
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before or "widget-state" not in path.read_text():  # the save landed
        assert time.monotonic() < deadline, "the notebook was not saved with its widget state"
        time.sleep(0.1)
    nb = json.loads(path.read_text())
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    snaps = [m["state"].get("snapshot") for m in state.values() if m["state"].get("snapshot")]
    assert snaps and len(snaps[0]["series"]) == 6
    outputs = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert outputs and "finished" in "".join(outputs[0]["data"]["image/svg+xml"])
    assert not [e for e in page.errors if "nbtrack" in e or "uPlot" in e], page.errors


def test_notebook7_live_panel(page, lab, out_dir):
    make_notebook(lab.root / "live_nb7.ipynb", 5)
    open_and_run(page, lab, "/notebooks/live_nb7.ipynb")
    panel = page.locator(".nbt-panel").first
    panel.wait_for(timeout=30_000)
    page.wait_for_function("() => Number(document.querySelector('.nbt-panel').dataset.points) > 100", timeout=30_000)
    assert busy(page)
    page.locator('.nbt-panel input[data-role="smoothing"]').first.fill("0.6")
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.smoothing === '0.6'", timeout=5_000)
    page.locator('.nbt-panel input[data-role="logy"]').first.check()
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.logy === '1'", timeout=5_000)
    page.wait_for_function("() => [...document.querySelectorAll('.nbt-chart')].every(c => c.dataset.distr === '3')", timeout=5_000)
    assert busy(page)
    page.locator('.nbt-panel input[data-role="logy"]').first.uncheck()
    page.locator('.nbt-panel select[data-role="xmode"]').first.select_option("rel")
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.xmode === 'rel'", timeout=5_000)
    assert busy(page)
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.state === 'finished'", timeout=30_000)
    rec = page.evaluate("() => window.__nbt")
    assert len(rec["busyPoints"]) >= 5, rec["busyPoints"]
    page.locator(".nbt-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "nb7_finished.png"), full_page=False)
    check_xss(page)


QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"


def _nbtrack_init_works() -> bool:
    try:
        import nbtrack

        return callable(nbtrack.init)
    except Exception:
        return False


@pytest.mark.skipif(not QUICKSTART.exists() or not _nbtrack_init_works(), reason="quickstart / nbtrack.init not there yet")
def test_quickstart_in_lab(page, lab, out_dir):
    """The product path: nbtrack.init/log in notebooks/quickstart.ipynb, live curves under the cell."""
    import shutil

    shutil.copy(QUICKSTART, lab.root / "quickstart.ipynb")
    open_and_run(page, lab, "/lab/tree/quickstart.ipynb?reset")
    panel = page.locator(".nbt-panel").first
    panel.wait_for(timeout=40_000)
    page.wait_for_function("() => Number(document.querySelector('.nbt-panel').dataset.points) > 50", timeout=30_000)
    assert busy(page)
    page.locator('.nbt-panel input[data-role="smoothing"]').first.fill("0.8")
    page.wait_for_function("() => document.querySelector('.nbt-panel').dataset.smoothing === '0.8'", timeout=5_000)
    page.locator('.nbt-panel input[data-role="logy"]').first.check()
    page.wait_for_function("() => [...document.querySelector('.nbt-panel').querySelectorAll('.nbt-chart')]"
                           ".every(c => c.dataset.distr === '3')", timeout=5_000)
    assert busy(page)
    page.locator('.nbt-panel input[data-role="logy"]').first.uncheck()
    # the third run's panel can overlay the project's earlier (finished) runs
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel').length >= 3", timeout=40_000)
    third = page.locator(".nbt-panel").nth(2)
    page.wait_for_function("() => { const t = document.querySelectorAll('.nbt-panel')[2];"
                           " const e = t.querySelector('input[data-role=\"earlier\"]');"
                           " return e && e.parentElement.style.display !== 'none'; }", timeout=20_000)
    before = sum(int(x) for x in third.locator(".nbt-chart").evaluate_all("els => els.map(e => e.dataset.series)"))
    third.locator('input[data-role="earlier"]').check()
    page.wait_for_function(f"() => [...document.querySelectorAll('.nbt-panel')[2].querySelectorAll('.nbt-chart')]"
                           f".reduce((a, c) => a + Number(c.dataset.series), 0) > {before}", timeout=5_000)
    third.scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "quickstart_third_run.png"))
    page.wait_for_function("() => document.querySelectorAll('.nbt-panel')[2].dataset.state === 'finished'", timeout=60_000)
    rec = page.evaluate("() => window.__nbt")
    assert len(rec["busyPoints"]) >= 6, rec["busyPoints"]
    page.locator(".nbt-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "quickstart_first_run.png"))
    assert not page.dialogs
