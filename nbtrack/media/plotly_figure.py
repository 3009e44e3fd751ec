"""``Plotly``: a plotly figure kept as its JSON (``plotly.io.from_json`` reads it back).

wandb also accepts a matplotlib figure here (converting it to plotly when it can); nbtrack
keeps a matplotlib figure as a PNG ``Image`` instead, which always looks like the figure.
"""

from __future__ import annotations

import json
from typing import Any

from . import convert
from .filemedia import MediaFile
from .image import Image


def is_plotly_figure(obj: Any) -> bool:
    """A plotly figure (by its type's module), used only through ``to_plotly_json``."""
    return convert.type_module(obj) == "plotly" and hasattr(obj, "to_plotly_json")


def figure_json(fig: Any) -> bytes:
    """A plotly figure (or its dict) as JSON bytes, through plotly's own encoder."""
    import pandas  # noqa: F401 - wait for a pandas import on the writer thread (see plot/figures.py
    import plotly.io as pio  # plotly loads only when a figure is logged

    return pio.to_json(fig, validate=False, pretty=False).encode("utf-8")


class Plotly(MediaFile):
    """A chart to log: ``nbtrack.log({"chart": nbtrack.Plotly(fig)})`` (or log ``fig`` itself)."""

    TYPE = "plotly-file"
    MEDIA_DIR = "media/plotly"

    def __init__(self, val: Any) -> None:
        self.image: Image | None = None
        if convert.is_matplotlib(val):
            self.image = Image(val)
            super().__init__(self.image.data, self.image.format)
            return
        if not (is_plotly_figure(val) or isinstance(val, dict)):
            raise TypeError(f"Plotly: expected a plotly figure (or a matplotlib figure), got {type(val).__name__}")
        super().__init__(figure_json(val), "plotly.json")

    @property
    def figure(self) -> Any:
        """The figure again, as a ``plotly.graph_objects.Figure``."""
        import plotly.io as pio

        if self.image is not None:
            raise ValueError("this Plotly value was made from a matplotlib figure and is kept as an image")
        return pio.from_json(self.data.decode("utf-8"))

    def to_ref(self) -> dict[str, Any]:
        return self.image.to_ref() if self.image is not None else super().to_ref()

    def blobs(self) -> list[tuple[str, bytes]]:
        return self.image.blobs() if self.image is not None else super().blobs()

    def data_dict(self) -> dict[str, Any]:
        """The figure as a plain dict."""
        return json.loads(self.data)
