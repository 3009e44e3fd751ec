"""Reports and the server's /nbtrack/ pages in headless Chromium, with the network blocked.

1. A report file opened from disk: every request that is not the file itself is aborted
   (and counted); the charts draw, hover, smoothing, the runs filter and hiding a run
   work; XSS payloads in run names, notes, metric keys, config keys, captions and table
   cells stay text. Screenshot: test-output/report_file.png.
2. JupyterLab behind a JupyterHub-like base_url (/user/alice/) with the extension
   enabled by --ServerApp.jpserver_extensions: pages with and without the token, `..`
   and absolute paths in URLs, a POST; the project page driven in the browser (filter,
   a run link to the run page). Screenshots: test-output/report_project_page.png,
   report_run_page.png.
3. `nbtrack.report()` in a notebook on that server (JupyterLab and Notebook 7) prints the
   link to the report page and shows the report inline. Screenshots:
   test-output/report_in_lab.png, report_in_notebook7.png.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_lab import running_lab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from report_seed import XSS, train

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

BASE_URL = "/user/alice/"
READY = "() => { const a = document.getElementById('nbt-report-app'); return a && a.dataset.state === 'ready'; }"
DRAWN = "(n) => Number((document.querySelector('.nbt-report-charts') || {dataset: {}}).dataset.drawn || 0) >= n"


def block_network(page, allowed_prefix: str) -> list[str]:
    """Abort every request not starting with `allowed_prefix`; return the list of aborted URLs."""
    aborted: list[str] = []

    def route(r):
        if r.request.url.startswith(allowed_prefix):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return aborted


def assert_inert(page) -> None:
    assert not page.dialogs, page.dialogs
    assert page.eval_on_selector_all('img[src="x"]', "els => els.length") == 0
    assert page.evaluate("() => document.querySelectorAll('script').length") == 2  # the data block and the bundle


def test_report_file_offline(page, tmp_path, out_dir):
    import nbtrack

    store = tmp_path / "store"
    ids = train(store, n=5)
    notes = "# Results\n\n" + XSS + "\n\n<script>alert(3)</script> *ok* [bad](javascript:alert(4))"
    rep = nbtrack.report("rep", dir=store, path=tmp_path / "report.html", title=XSS, notes=notes, quiet=True)
    aborted = block_network(page, "file://")
    page.goto(rep.path.as_uri())
    page.wait_for_function(READY, timeout=30_000)
    page.wait_for_function(DRAWN, arg=2, timeout=30_000)
    charts = page.locator(".nbt-report-charts .nbt-chart")
    first = charts.first
    assert int(first.get_attribute("data-points")) >= 5 * 3  # every run drew points
    assert first.get_attribute("data-series") == "5"
    assert page.title() == XSS
    assert page.locator(".nbt-report-notes h1").inner_text() == "Results"
    assert XSS in page.locator(".nbt-report-notes").inner_text()
    assert "<script>alert(3)</script>" in page.locator(".nbt-report-notes").inner_text()
    assert page.eval_on_selector_all(".nbt-report-notes a", "els => els.length") == 0  # javascript: link refused
    # hover shows values, smoothing redraws (browser only)
    box = first.locator(".nbt-plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.querySelector('.nbt-chart .nbt-legend-x').textContent.startsWith('step ')")
    page.locator(".nbt-report-charts input[data-role=smoothing]").fill("0.8")
    page.wait_for_function("() => document.querySelector('.nbt-report-charts').dataset.smoothing === '0.8'")
    # the runs filter (nbtrack.table's language) and hiding a run change the curves
    page.locator(".nbt-report-runs input[data-role=filter]").fill("lr < 0.005")
    page.wait_for_function("() => document.querySelector('.nbt-report-runs').dataset.rows === '2'")
    assert first.get_attribute("data-series") == "2"
    page.locator(".nbt-report-runs input[data-role=filter]").fill("")
    page.locator(".nbt-report-runs tr[data-run] input[data-role=show]").first.uncheck()
    page.wait_for_function("() => document.querySelector('.nbt-chart').dataset.series === '4'")
    # parallel coordinates and importance drew
    assert int(page.get_attribute(".nbt-report-analysis .nbt-parcoords", "data-lines")) == 5
    assert page.locator(".nbt-importance tr[data-param]").count() >= 2
    # a run's name in the table opens its details (built when opened)
    page.locator(f".nbt-report-runs tr[data-run='{ids[0]}'] a.nbt-name").click()
    page.wait_for_function(f"() => document.querySelector(\".nbt-report-run[data-run='{ids[0]}']\").open")
    assert page.locator(f".nbt-report-run[data-run='{ids[0]}'] .nbt-kv").count() >= 2
    # the XSS run's details: name, tags, notes, config key, caption, table cell all text
    xss_run = page.locator(f".nbt-report-run[data-run='{ids[1]}']")
    xss_run.locator("summary").first.click()
    assert xss_run.locator(".nbt-report-run-head .nbt-title").inner_text() == XSS
    assert "<script>alert(2)</script>" in xss_run.locator(".nbt-report-runnotes").inner_text()
    assert XSS in xss_run.locator(".nbt-kv").first.inner_text()
    assert xss_run.locator(".nbt-thumb img").count() >= 1
    assert xss_run.locator(".nbt-thumb img").first.get_attribute("src").startswith("data:image/png;base64,")
    assert xss_run.locator(".nbt-thumb figcaption").first.inner_text() == XSS
    assert XSS in xss_run.locator(".nbt-report-logged").inner_text()
    assert_inert(page)
    assert not page.errors, page.errors
    assert aborted == [], aborted
    page.screenshot(path=str(out_dir / "report_file.png"), full_page=True)


@pytest.fixture(scope="module")
def hub_lab(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("hublab"), base_url=BASE_URL,
                     extra_args=("--ServerApp.jpserver_extensions=nbtrack.server=True",)) as lab:
        train(lab.root / "nbtrack", project="rep", n=4)
        (lab.root / "private").mkdir()
        yield lab


def fetch(url: str, method: str = "GET") -> tuple[int, str, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, method=method, data=b"" if method != "GET" else None)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers.get("Location", ""), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", ""), e.read().decode("utf-8", "replace")


def test_server_pages_need_the_token_and_stay_in_the_root(hub_lab):
    lab = hub_lab
    status, _, body = fetch(lab.url("/nbtrack/"))
    assert status == 200 and "store <code>nbtrack</code>" in body and "/user/alice/nbtrack/project/rep?store=nbtrack" in body
    status, _, body = fetch(lab.url("/nbtrack/project/rep?store=nbtrack"))
    assert status == 200 and 'id="nbtrack-data"' in body
    status, _, body = fetch(lab.url("/nbtrack/api/status"))
    assert status == 200 and '"nbtrack"' in body
    for path in ("/nbtrack/", "/nbtrack/project/rep?store=nbtrack", "/nbtrack/run/x?store=nbtrack",
                 "/nbtrack/report?store=nbtrack", "/nbtrack/api/status"):
        status, location, body = fetch(lab.base + path)
        assert status in (302, 403), (path, status)  # to the login page, never the data
        assert "nbtrack-data" not in body and "rep" not in location.split("?")[0]
    for store in ("..", "../..", "nbtrack/../..", "/etc", "%2Fetc", "..%2F..", "private", ".hidden", "C:/x"):
        status, _, body = fetch(lab.url(f"/nbtrack/project/rep?store={store}"))
        assert status == 404, (store, status)
        assert "nbtrack-data" not in body
    for path in ("/nbtrack/..%2F..%2Fetc/passwd", "/nbtrack/run/..%2F..%2Fetc?store=nbtrack",
                 "/nbtrack/project/%2E%2E?store=nbtrack"):
        status, _, body = fetch(lab.url(path))
        assert status == 404 and "root:" not in body, (path, status)
    status, _, _ = fetch(lab.url("/nbtrack/project/rep?store=nbtrack"), method="POST")
    assert status in (403, 405)
    status, _, _ = fetch(lab.url("/nbtrack/run/anything?store=nbtrack"), method="DELETE")
    assert status in (403, 405)


def test_project_page_in_the_browser(hub_lab, page, out_dir):
    lab = hub_lab
    host = lab.base.split("/user/")[0]
    aborted = block_network(page, host)
    page.goto(lab.url("/nbtrack/"))
    page.locator("a", has_text="rep").click()
    page.wait_for_function(READY, timeout=30_000)
    page.wait_for_function(DRAWN, arg=2, timeout=30_000)
    assert page.url.startswith(lab.base + "/nbtrack/project/rep?store=nbtrack")
    assert page.locator(".nbt-report-runs tr[data-run]").count() == 4
    page.locator(".nbt-report-runs input[data-role=filter]").fill("opt = adam")
    page.wait_for_function("() => document.querySelector('.nbt-report-runs').dataset.rows === '2'")
    assert page.locator(".nbt-report-charts .nbt-chart").first.get_attribute("data-series") == "2"
    assert_inert(page)
    page.screenshot(path=str(out_dir / "report_project_page.png"), full_page=True)
    link = page.locator(".nbt-report-runs a.nbt-name").first
    href = link.get_attribute("href")
    assert href.startswith("/user/alice/nbtrack/run/") and href.endswith("?store=nbtrack")
    link.click()
    page.wait_for_function(READY, timeout=30_000)
    assert page.locator(".nbt-report-runs tr[data-run]").count() == 1
    page.wait_for_function(DRAWN, arg=1, timeout=30_000)
    assert page.locator(".nbt-report-back").get_attribute("href") == "/user/alice/nbtrack/project/rep?store=nbtrack"
    assert page.locator("details.nbt-report-run").get_attribute("open") is not None  # one run: its page is open
    assert page.locator(".nbt-report-run .nbt-kv").count() >= 2
    assert_inert(page)
    assert not page.errors, page.errors
    assert aborted == [], aborted
    page.screenshot(path=str(out_dir / "report_run_page.png"), full_page=True)


@pytest.mark.parametrize("ui", ["lab", "notebook7"])
def test_report_in_a_notebook_prints_the_server_link(hub_lab, page, out_dir, ui):
    lab = hub_lab
    name = f"report_{ui}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import nbtrack\nnbtrack.report('rep', title='From the notebook', path='rep.html')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / name)
    block_network(page, lab.base.split("/user/")[0])
    lab.open(page, f"/lab/tree/{name}?reset" if ui == "lab" else f"/notebooks/{name}")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    out = page.locator(".jp-OutputArea-output", has_text="on this Jupyter server")
    out.wait_for(timeout=60_000)
    text = out.inner_text()
    assert f"{lab.base}/nbtrack/report?store=nbtrack&project=rep&title=From+the+notebook" in text
    assert "report of 4 runs written to" in text and (lab.root / "rep.html").exists()
    frame = page.frame_locator("iframe.nbtrack-report-frame")
    frame.locator("#nbt-report-app[data-state=ready]").wait_for(timeout=30_000)
    frame.locator(".nbt-report-charts .nbt-chart").first.wait_for(timeout=30_000)
    page.screenshot(path=str(out_dir / f"report_in_{ui}.png"))
    status, _, body = fetch(text[text.index("http"):].split()[0] + f"&token={lab.token}")
    assert status == 200 and "<title>From the notebook</title>" in body
