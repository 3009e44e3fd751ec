"""``Html``: a page of HTML kept with the run, shown sandboxed (no scripts) on its run page."""

from __future__ import annotations

import os
from typing import Any

from .filemedia import MediaFile, read_source


class Html(MediaFile):
    """HTML to log: ``nbtrack.Html("<h1>hi</h1>")``, a path to an .html file, or an open file.

    wandb's ``inject`` (adding wandb's stylesheet) is accepted and does nothing: nbtrack
    fetches nothing from the network.
    """

    TYPE = "html-file"
    MEDIA_DIR = "media/html"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        if isinstance(data, str) and not data_is_not_path and os.path.isfile(data):
            raw, _ = read_source(data, "Html")
        elif isinstance(data, str):
            raw = data.encode("utf-8")
        elif isinstance(data, bytes):
            raw = data
        elif hasattr(data, "read"):
            raw, _ = read_source(data, "Html")
        else:
            raise TypeError(f"Html: expected an HTML string, a path or an open file, got {type(data).__name__}")
        super().__init__(raw, "html")

    @property
    def html(self) -> str:
        """The page's text."""
        return self.data.decode("utf-8", "replace")
