"""Tornado handlers of nbtrack's Jupyter server extension, all GET, all read-only.

Every handler is a ``JupyterHandler`` behind ``@web.authenticated`` (the server's own
login: token, password, JupyterHub's OAuth) and ``@authorized`` on the ``contents``
resource with the ``read`` action (the server's authorizer decides, as for reading
files). Stores are named by their path under the server's root (``stores.py``); the
pages are built on a worker thread, the database read under its shared lock.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .. import __version__
from ..store.store import Store, store_at
from . import pages
from .stores import StoreNotFound, find_stores, resolve_store


class NbtrackHandler(JupyterHandler):
    """Shared parts: the root directory, the store named by ``?store=``, errors as text."""

    auth_resource = "contents"

    @property
    def root_dir(self) -> str:
        """The server's root directory (the stores named by ``?store=`` are under it)."""
        configured = self.settings.get("server_root_dir")
        if configured:
            return str(configured)
        if self.serverapp is None:
            raise RuntimeError("nbtrack's handlers run inside a Jupyter server that sets a root directory")
        return str(self.serverapp.root_dir)

    @property
    def allow_hidden(self) -> bool:
        cm = self.settings.get("contents_manager")
        return bool(getattr(cm, "allow_hidden", False))

    def store_arg(self) -> tuple[str, Store]:
        rel = self.get_query_argument("store", "nbtrack")
        try:
            path = resolve_store(self.root_dir, rel, self.allow_hidden)
        except StoreNotFound as exc:
            raise web.HTTPError(404, str(exc)) from None
        return rel, store_at(path)

    def list_arg(self, name: str) -> list[str] | None:
        raw = self.get_query_argument(name, None)
        if raw is None or raw.strip() == "":
            return None
        return [p for p in (s.strip() for s in raw.split(",")) if p]

    def send_page(self, text: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")
        self.finish(text)

    async def build(self, fn: Any, *args: Any, **kwargs: Any) -> str:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (LookupError, ValueError) as exc:
            raise web.HTTPError(404, str(exc)) from None


class ProjectsHandler(NbtrackHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        found = await asyncio.to_thread(find_stores, self.root_dir, allow_hidden=self.allow_hidden)
        stores = [(rel, store_at(resolve_store(self.root_dir, rel, self.allow_hidden))) for rel in found]
        self.send_page(await self.build(pages.projects_page, self.base_url, stores))


class ProjectHandler(NbtrackHandler):
    @web.authenticated
    @authorized
    async def get(self, project: str) -> None:
        rel, store = self.store_arg()
        self.send_page(await self.build(pages.report_page, self.base_url, rel, store, project=project,
                                        metrics=self.list_arg("metrics")))


class RunHandler(NbtrackHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        rel, store = self.store_arg()
        self.send_page(await self.build(pages.report_page, self.base_url, rel, store, runs=[run_id]))


class ReportHandler(NbtrackHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        rel, store = self.store_arg()
        self.send_page(await self.build(
            pages.report_page, self.base_url, rel, store, project=self.get_query_argument("project", None),
            runs=self.list_arg("runs"), metrics=self.list_arg("metrics"),
            title=self.get_query_argument("title", None), notes=self.get_query_argument("notes", None)))


class StatusHandler(NbtrackHandler):
    """``{"nbtrack": version}``: lets a kernel know the extension is loaded here."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"nbtrack": __version__}))


def setup_handlers(web_app: Any) -> None:
    """Add the /nbtrack/ routes under the server's base_url."""
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, "nbtrack") + "/?", ProjectsHandler),
        (url_path_join(base, "nbtrack", "project", r"([^/]+)") + "/?", ProjectHandler),
        (url_path_join(base, "nbtrack", "run", r"([^/]+)") + "/?", RunHandler),
        (url_path_join(base, "nbtrack", "report") + "/?", ReportHandler),
        (url_path_join(base, "nbtrack", "api", "status"), StatusHandler),
    ])
