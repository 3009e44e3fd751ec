from __future__ import annotations

import threading
import time

import pytest

from nbtrack.store.errors import LockTimeout
from nbtrack.store.lock import file_lock


def test_threads_of_one_process_exclude_each_other(tmp_path):
    path = tmp_path / "x.lock"
    with file_lock(path):
        with pytest.raises(LockTimeout):
            with file_lock(path, timeout=0.1):
                pass
        with pytest.raises(LockTimeout):
            with file_lock(path, shared=True, timeout=0.1):
                pass
    with file_lock(path, timeout=0.1):  # released
        pass


def test_shared_locks_coexist_and_block_writers(tmp_path):
    path = tmp_path / "x.lock"
    with file_lock(path, shared=True), file_lock(path, shared=True, timeout=0.1):
        with pytest.raises(LockTimeout):
            with file_lock(path, timeout=0.1):
                pass


def test_waiter_gets_lock_after_release(tmp_path):
    path = tmp_path / "x.lock"
    got = []

    def hold():
        with file_lock(path):
            time.sleep(0.3)

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    with file_lock(path, timeout=5):
        got.append(time.monotonic() - t0)
    t.join()
    assert 0.1 < got[0] < 2.0
