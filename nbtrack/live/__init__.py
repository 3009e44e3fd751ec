"""Live learning curves in the notebook: an anywidget the kernel pushes to."""

from .session import LiveRunInfo, LiveSession, compare
from .widget import LivePanel

__all__ = ["LivePanel", "LiveRunInfo", "LiveSession", "compare"]
