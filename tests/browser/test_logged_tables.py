"""A Table of images logged with `import nbtrack as wandb` shows on the run's page in the
runs table: every image cell as a thumbnail, every other cell as text (never HTML); the
run's alerts are listed on its overview."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from test_runs_table import ROOT_SEL, open_and_run

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

XSS_CAPTION = "<img src=x onerror=alert(1)>"

LOG_CELL = f"""import numpy as np
import nbtrack as wandb
run = wandb.init(project="tables_lab", name="mnist-preds")
table = wandb.Table(columns=["image", "pred", "label"])
rng = np.random.default_rng(0)
for i in range(6):
    table.add_data(wandb.Image(rng.random((28, 28)), caption={XSS_CAPTION!r} if i == 0 else f"digit {{i}}"), i % 3, i)
wandb.log({{"predictions": table}})
wandb.alert(title="Low accuracy", text={XSS_CAPTION!r}, level=wandb.AlertLevel.WARN)
wandb.finish()"""


def make_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LOG_CELL),
                nbformat.v4.new_code_cell("import nbtrack\nnbtrack.table('tables_lab')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_logged_table_of_images_on_the_run_page(page, lab, out_dir):
    make_notebook(lab.root / "tables_lab.ipynb")
    open_and_run(page, lab, "/lab/tree/tables_lab.ipynb?reset")
    page.locator(ROOT_SEL).wait_for(timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '1'", timeout=30_000)
    page.locator(f"{ROOT_SEL} .nbt-row .nbt-name").first.click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-alerts .nbt-alert-warn", timeout=20_000)  # the overview lists alerts
    alert = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-alert td", "els => els.map(e => e.textContent)")
    assert alert[:3] == ["WARN", "Low accuracy", XSS_CAPTION]
    page.screenshot(path=str(out_dir / "table_run_alerts.png"), full_page=True)
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=tables]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-logged[data-key=predictions]", timeout=20_000)
    thumbs = page.locator(f"{ROOT_SEL} .nbt-logged img.nbt-logged-img")
    assert thumbs.count() == 6
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{ROOT_SEL} img.nbt-logged-img')].every(i => i.complete && i.naturalWidth === 28)",
        timeout=10_000)
    headers = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-logged th", "els => els.map(e => e.textContent)")
    assert headers == ["image", "pred", "label"]
    texts = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-logged td", "els => els.map(e => e.textContent)")
    assert XSS_CAPTION in texts[0] and "digit 5" in " ".join(texts)
    assert page.eval_on_selector_all('img[src="x"]', "els => els.length") == 0
    assert not page.dialogs, page.dialogs
    page.locator(f"{ROOT_SEL} .nbt-logged").scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "table_logged_images.png"), full_page=True)
    assert not [e for e in page.errors if "nbtrack" in e], page.errors
