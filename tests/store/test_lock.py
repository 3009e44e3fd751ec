from __future__ import annotations

import threading

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
    held, release, got = threading.Event(), threading.Event(), threading.Event()

    def hold():
        with file_lock(path):
            held.set()
            release.wait(30)

    def wait_for_lock():
        with file_lock(path, timeout=30):
            got.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    with pytest.raises(LockTimeout):  # held: a writer cannot get in
        with file_lock(path, timeout=0.05):
            pass
    waiter = threading.Thread(target=wait_for_lock)
    waiter.start()
    assert not got.is_set()
    release.set()
    holder.join(30)
    waiter.join(30)
    assert got.is_set()
