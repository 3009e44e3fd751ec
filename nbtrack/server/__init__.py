"""nbtrack's Jupyter server extension: read-only pages of the stores under the server's
root, at ``<base_url>nbtrack/``.

Enabled by ``jupyter-config/jupyter_server_config.d/nbtrack.json`` (installed with the
package into ``<prefix>/etc/jupyter``), or by hand with
``--ServerApp.jpserver_extensions='{"nbtrack.server": True}'``. Pages:

- ``nbtrack/`` the stores and their projects;
- ``nbtrack/project/<project>?store=<dir>`` a project's runs table and overlaid curves;
- ``nbtrack/run/<run id>?store=<dir>`` one run;
- ``nbtrack/report?store=<dir>&project=&runs=a,b&metrics=&title=&notes=`` a report.
"""

from __future__ import annotations

import os
from typing import Any

from ..reports.links import ROOT_ENV, URL_ENV


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "nbtrack.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from .handlers import setup_handlers  # jupyter_server is only imported inside a server

    setup_handlers(serverapp.web_app)
    # kernels this server starts inherit these: nbtrack.report() prints the page's link
    os.environ[URL_ENV] = serverapp.connection_url
    os.environ[ROOT_ENV] = str(serverapp.root_dir)
    serverapp.log.info("nbtrack: read-only store pages at %snbtrack/", serverapp.base_url)
