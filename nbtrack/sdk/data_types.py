"""`wandb.sdk.data_types`: the loggable value types."""

from __future__ import annotations

from ..data_types import *  # noqa: F403 - the same names as nbtrack.data_types
from ..data_types import __all__  # noqa: F401 - the names above, for `from ... import *`
