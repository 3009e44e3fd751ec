"""One JupyterLab server and one headless Chromium for the whole browser session
(how they start: jupyter_lab.py, shared with the benchmarks)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jupyter_lab import CHROME_ARGS, CHROMIUM, OUT, Lab, running_lab


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        return  # in CI the tests must run (and fail loudly without a browser)
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y chromium); CI is not set")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("lab")) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = ctx.new_page()
    pg.dialogs = []
    pg.errors = []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def out_dir():
    OUT.mkdir(exist_ok=True)
    return OUT


def copy_notebook(src: Path, lab: Lab, name: str) -> str:
    dst = lab.root / name
    shutil.copy(src, dst)
    return name
