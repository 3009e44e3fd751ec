"""Report tests get a store written the way users write one (report_seed.py)."""

from __future__ import annotations

import pytest
from report_seed import XSS, train  # noqa: F401 (XSS re-exported for the tests)


@pytest.fixture
def trained(tmp_path):
    store = tmp_path / "store"
    ids = train(store)
    return store, ids
