"""The runs table in a real browser (JupyterLab and Notebook 7, the live panel's fixtures).

Seeds a store in the server's NBTRACK_DIR, opens `nbtrack.table(project)`, then sorts,
filters (`lr < 0.01`) and selects runs while a later cell keeps the kernel busy (the
table works on the rows it holds and says it is waiting for the kernel), overlays two
runs' curves, opens a run's Code tab and a diff, brushes the parallel coordinates,
shows parameter importance, renames and deletes (with its second click), and checks an
XSS-looking run name is shown as text. Screenshots go to test-output/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "table"))
from seed import XSS, seed
from test_live_panel import RUNNING

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

ROOT_SEL = ".nbt-table"


def make_notebook(path: Path, project: str, busy_seconds: float) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import nbtrack\nt = nbtrack.table({project!r})\nt"),
                nbformat.v4.new_code_cell(f"import time\ntime.sleep({busy_seconds})\nprint('done')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def open_and_run(page, lab, url_path: str) -> None:
    lab.open(page, url_path)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def attr(page, name: str) -> str:
    return page.eval_on_selector(ROOT_SEL, f"e => e.dataset.{name} || ''")


def names(page) -> list[str]:
    return page.eval_on_selector_all(f"{ROOT_SEL} .nbt-row .nbt-cell[data-key=name]", "els => els.map(e => e.textContent)")


def check_xss(page) -> None:
    assert XSS in names(page)
    assert page.eval_on_selector_all('img[src="x"]', "els => els.length") == 0
    assert page.eval_on_selector_all(f"{ROOT_SEL} img", "els => els.length") == 0
    assert not page.dialogs, page.dialogs


def busy(page) -> bool:
    return bool(page.evaluate(RUNNING))


def select_rows(page, n: int) -> None:
    boxes = page.locator(f"{ROOT_SEL} .nbt-row input[data-role=select]")
    for i in range(n):
        boxes.nth(i).check()


def test_lab_runs_table(page, lab, out_dir):
    from nbtrack import Api

    store = lab.root / "nbtrack"
    ids = seed(store, n=8, project="table_lab")
    make_notebook(lab.root / "table_lab.ipynb", "table_lab", 6)
    open_and_run(page, lab, "/lab/tree/table_lab.ipynb?reset")
    page.locator(ROOT_SEL).wait_for(timeout=30_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '8'", timeout=20_000)
    page.wait_for_function(RUNNING, timeout=10_000)  # the sleeping cell holds the kernel
    # sort by lr (descending first for numbers), in the browser while the kernel is busy
    page.locator(f"{ROOT_SEL} .nbt-hcell[data-key='config.lr']").click()
    assert attr(page, "sort") == "config.lr:-1"
    # the sorted column keeps its name beside the arrow, inside the header (issue 11)
    head = page.locator(f"{ROOT_SEL} .nbt-hcell[data-key='config.lr']")
    assert head.locator(".nbt-hlabel").text_content() == "lr" and head.locator(".nbt-sort").count() == 1
    cell, label = head.bounding_box(), head.locator(".nbt-hlabel").bounding_box()
    assert label["height"] > 0 and label["width"] > 0
    assert cell["y"] <= label["y"] and label["y"] + label["height"] <= cell["y"] + cell["height"] + 0.5, (cell, label)
    page.locator(f"{ROOT_SEL} .nbt-grid-head").screenshot(path=str(out_dir / "table_sorted_header.png"))
    lrs = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-row .nbt-cell[data-key='config.lr']", "els => els.map(e => Number(e.textContent))")
    assert lrs == sorted(lrs, reverse=True) and len(lrs) == 8, lrs
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("lr < 0.01")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '5'", timeout=5_000)
    # a bad filter says why, and the rows stay
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("lr < abc")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-error').textContent.includes('not a number')", timeout=5_000)
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("lr < 0.01")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '5'", timeout=5_000)
    select_rows(page, 2)
    assert busy(page), "sorting, filtering and selecting must work while a cell runs"
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.waiting === '1'", timeout=5_000)
    wait_text = page.locator(f"{ROOT_SEL} .nbt-wait").text_content()
    assert "waiting for the kernel" in wait_text
    page.screenshot(path=str(out_dir / "table_lab_waiting.png"))
    # the cell ends: the curves arrive
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-overlay').dataset.series === '2'", timeout=30_000)
    assert int(page.eval_on_selector(f"{ROOT_SEL} .nbt-overlay", "e => e.dataset.points")) > 100
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.waiting === '0'", timeout=5_000)
    page.locator(ROOT_SEL).scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "table_lab_curves.png"), full_page=True)
    # parallel coordinates: brushing an axis filters the table
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=parcoords]").click()
    page.wait_for_function(f"() => Number(document.querySelector('{ROOT_SEL} .nbt-parcoords').dataset.lines) === 5", timeout=5_000)
    axis = page.locator(f"{ROOT_SEL} .nbt-pc-axis[data-key='summary.loss'] .nbt-pc-hit")
    box = axis.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8, steps=4)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 1.0, steps=4)
    page.mouse.up()
    view = int(attr(page, "view"))
    assert 0 < view < 5, view
    page.locator(ROOT_SEL).scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "table_lab_parcoords.png"), full_page=True)
    page.locator(f"{ROOT_SEL} .nbt-pc-axis[data-key='summary.loss'] .nbt-pc-hit").dblclick()
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '5'", timeout=5_000)
    # parameter importance, with its method named
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '8'", timeout=5_000)
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=importance]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-imp tr[data-param='config.lr']", timeout=15_000)
    assert "random forest" in page.locator(f"{ROOT_SEL} .nbt-method").text_content()
    first = page.eval_on_selector(f"{ROOT_SEL} .nbt-imp tr[data-param]", "e => e.dataset.param")
    assert first == "config.lr"
    page.screenshot(path=str(out_dir / "table_lab_importance.png"), full_page=True)
    check_xss(page)
    # a run's page: Code tab, diff with another run, rename, delete with a second click
    page.locator(f"{ROOT_SEL} .nbt-row[data-id='{ids[0]}'] .nbt-name").click()
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=code]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-src", timeout=15_000)
    srcs = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-src", "els => els.map(e => e.textContent)")
    assert any("nbtrack.init" in s for s in srcs), srcs
    outs = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-out", "els => els.map(e => e.textContent)")
    assert any("training with lr=" in o for o in outs), outs
    page.screenshot(path=str(out_dir / "table_lab_code.png"), full_page=True)
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=diff]").click()
    page.locator(f"{ROOT_SEL} select[data-role=diff-with]").select_option(ids[3])
    page.locator(f"{ROOT_SEL} button[data-role=diff-go]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-diff-out[data-ready='1']", timeout=15_000)
    assert page.locator(f"{ROOT_SEL} .nbt-diff-out .nbt-dl-add").count() >= 1
    assert page.locator(f"{ROOT_SEL} .nbt-cfgdiff td.nbt-k").first.text_content() == "lr"
    page.screenshot(path=str(out_dir / "table_lab_diff.png"), full_page=True)
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=overview]").click()
    page.locator(f"{ROOT_SEL} input[data-role=rename]").fill("renamed <b>run</b>")
    page.locator(f"{ROOT_SEL} input[data-role=tags]").fill("base, chosen")
    page.locator(f"{ROOT_SEL} button[data-role=save]").click()
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-detail-title').textContent === 'renamed <b>run</b>'", timeout=10_000)
    run = Api(dir=store).run(ids[0])
    assert run.name == "renamed <b>run</b>" and run.tags == ["base", "chosen"]
    page.locator(f"{ROOT_SEL} button[data-role=delete]").click()
    assert Api(dir=store).run(ids[0])  # the first click only arms the button
    page.locator(f"{ROOT_SEL} button[data-role=delete]").click()
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '7'", timeout=10_000)
    assert len(Api(dir=store).runs("table_lab")) == 7
    assert "renamed <b>run</b>" not in names(page)
    assert page.eval_on_selector_all(f"{ROOT_SEL} b", "els => els.length") == 0
    assert not page.dialogs
    assert not [e for e in page.errors if "nbtrack" in e or "uPlot" in e], page.errors


def test_notebook7_runs_table(page, lab, out_dir):
    seed(lab.root / "nbtrack", n=6, project="table_nb7")
    make_notebook(lab.root / "table_nb7.ipynb", "table_nb7", 0)
    open_and_run(page, lab, "/notebooks/table_nb7.ipynb")
    page.locator(ROOT_SEL).wait_for(timeout=30_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.loaded === 'full'", timeout=20_000)
    page.locator(f"{ROOT_SEL} .nbt-hcell[data-key='summary.loss']").click()
    page.locator(f"{ROOT_SEL} .nbt-hcell[data-key='summary.loss']").click()
    assert attr(page, "sort") == "summary.loss:1"
    losses = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-row .nbt-cell[data-key='summary.loss']", "els => els.map(e => Number(e.textContent))")
    assert losses == sorted(losses), losses
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("lr < 0.01")
    page.wait_for_function(f"() => Number(document.querySelector('{ROOT_SEL}').dataset.view) === 4", timeout=5_000)
    select_rows(page, 2)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-overlay').dataset.series === '2'", timeout=20_000)
    page.locator(ROOT_SEL).scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "table_nb7_curves.png"), full_page=True)
    check_xss(page)
    page.locator(f"{ROOT_SEL} .nbt-row .nbt-name").first.click()
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=code]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-src", timeout=15_000)
    page.screenshot(path=str(out_dir / "table_nb7_code.png"), full_page=True)
    assert not page.dialogs
