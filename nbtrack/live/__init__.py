"""Live learning curves in the notebook: an anywidget the kernel pushes to."""

from .feed import LiveFeed, LiveRunInfo, compare
from .widget import LivePanel

__all__ = ["LivePanel", "LiveRunInfo", "LiveFeed", "compare"]
