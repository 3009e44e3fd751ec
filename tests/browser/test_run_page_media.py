"""A run's page plays the media it logged (audio, GIF video, sandboxed HTML) and the runs
table filters a sweep's runs by the sweep column, in JupyterLab with headless Chromium.

The store is seeded from this process with `import nbtrack as wandb` code: a random sweep
of three runs and one run logging Audio, Video, Html (holding a script and an
`onerror` image that must not run) and an Object3D. Screenshots: test-output/run_page_media.png,
runs_table_sweep_filter.png.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

import nbtrack as wandb

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

ROOT_SEL = ".nbt-table"
PROJECT = "media_page"
EVIL = "<h2 id='page'>report</h2><script>alert('script ran')</script><img src=x onerror=alert('onerror ran')>"


def seed(store: Path) -> tuple[str, str]:
    """A sweep of 3 runs and a media run in `store`; returns (sweep id, media run id)."""
    sweep_id = wandb.sweep({"method": "random", "metric": {"name": "loss"},
                            "parameters": {"lr": {"min": 0.001, "max": 0.1}}}, project=PROJECT, dir=store)

    def train() -> None:
        wandb.init(dir=store)
        wandb.log({"loss": wandb.config.lr * 10})

    wandb.agent(sweep_id, train, count=3, dir=store)
    run = wandb.init(project=PROJECT, name="media-run", dir=store)
    t = np.linspace(0, 1, 8000, endpoint=False)
    frames = (np.random.default_rng(0).random((6, 3, 24, 32)) * 255).astype(np.uint8)
    wandb.log({"tone": wandb.Audio(np.sin(2 * np.pi * 440 * t), sample_rate=8000),
               "clip": wandb.Video(frames, fps=3), "report": wandb.Html(EVIL),
               "cloud": wandb.Object3D(np.random.default_rng(1).random((20, 3)))})
    run_id = run.id
    wandb.finish()
    return sweep_id, run_id


def test_run_page_plays_media_and_table_filters_sweeps(page, lab, out_dir):
    sweep_id, run_id = seed(lab.root / "nbtrack")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import nbtrack\nt = nbtrack.table({PROJECT!r})\nt")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "media_page.ipynb")
    lab.open(page, "/lab/tree/media_page.ipynb?reset")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.locator(ROOT_SEL).wait_for(timeout=30_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '4'", timeout=20_000)
    sweeps = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-row .nbt-cell[data-key=sweep]", "els => els.map(e => e.textContent)")
    assert sorted(sweeps) == sorted([sweep_id] * 3 + [""]), sweeps
    # the sweep column filters the sweep's runs
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill(f"sweep = {sweep_id}")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '3'", timeout=5_000)
    page.screenshot(path=str(out_dir / "runs_table_sweep_filter.png"), full_page=True)
    page.locator(f"{ROOT_SEL} input[data-role=filter]").fill("")
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').dataset.view === '4'", timeout=5_000)

    page.locator(f"{ROOT_SEL} .nbt-row[data-id='{run_id}'] .nbt-name").click()
    page.locator(f"{ROOT_SEL} .nbt-tab[data-tab=files]").click()
    page.wait_for_selector(f"{ROOT_SEL} .nbt-media figure[data-kind=audio] audio", timeout=15_000)
    # the browser decoded the WAV (a one second tone) and the GIF
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-media audio').duration > 0.9", timeout=10_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL} .nbt-media figure[data-kind=gif] img').naturalWidth === 32",
                           timeout=10_000)
    frame = page.locator(f"{ROOT_SEL} .nbt-media figure[data-kind=html] iframe")
    assert frame.get_attribute("sandbox") == ""
    assert page.frame_locator(f"{ROOT_SEL} .nbt-media figure[data-kind=html] iframe").locator("#page").text_content() == "report"
    # the 3D object is listed with the files, not played
    names = page.eval_on_selector_all(f"{ROOT_SEL} .nbt-media figcaption", "els => els.map(e => e.textContent)")
    assert not any(n.endswith(".pts.json") for n in names)
    assert any(".pts.json" in t for t in page.eval_on_selector_all(f"{ROOT_SEL} td", "els => els.map(e => e.textContent)"))
    page.locator(f"{ROOT_SEL} .nbt-media").scroll_into_view_if_needed()
    page.screenshot(path=str(out_dir / "run_page_media.png"), full_page=True)
    assert not page.dialogs, page.dialogs  # neither the script nor the onerror handler ran
    assert not [e for e in page.errors if "nbtrack" in e], page.errors
