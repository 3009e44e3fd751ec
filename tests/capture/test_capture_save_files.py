from __future__ import annotations

import os
from pathlib import Path

import pytest

from nbtrack.tracking._saved_files import SavedFileWatcher, absolute_glob_warning, check_policy, expand_save


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for rel in ("out/a.txt", "out/b.txt", "out/c.csv", "out/sub/d.txt", "out/sub/deep/e.txt", "top.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def names(entries):
    return [n for n, _ in entries]


def test_relative_glob_named_from_cwd(tree):
    got = expand_save("out/*.txt")
    assert got == [("out/a.txt", tree / "out/a.txt"), ("out/b.txt", tree / "out/b.txt")]
    assert all(p.is_absolute() for _, p in got)
    assert expand_save("top.txt") == [("top.txt", tree / "top.txt")]


def test_base_path(tree):
    assert names(expand_save("out/*.txt", base_path="out")) == ["a.txt", "b.txt"]
    assert names(expand_save(str(tree / "out/sub/*.txt"), base_path=str(tree))) == ["out/sub/d.txt"]
    assert names(expand_save(Path("out/sub/d.txt"), base_path=Path("out"))) == ["sub/d.txt"]


def test_absolute_glob_keeps_one_folder(tree):
    got = expand_save(str(tree / "out" / "*.txt"))
    assert names(got) == ["out/a.txt", "out/b.txt"]
    assert absolute_glob_warning(str(tree / "out" / "*.txt"), None)
    assert absolute_glob_warning("out/*.txt", None) is None
    assert absolute_glob_warning(str(tree / "x"), "/") is None


def test_recursive_star_star_and_dirs_skipped(tree):
    assert names(expand_save("out/**/*.txt")) == [
        "out/a.txt", "out/b.txt", "out/sub/d.txt", "out/sub/deep/e.txt"]
    assert names(expand_save("out/*")) == ["out/a.txt", "out/b.txt", "out/c.csv"]  # out/sub skipped
    assert names(expand_save("**", base_path=".")) == [
        "out/a.txt", "out/b.txt", "out/c.csv", "out/sub/d.txt", "out/sub/deep/e.txt", "top.txt"]


def test_no_match_and_cloud_urls(tree):
    assert expand_save("nothing/*.bin") == []
    assert expand_save("s3://bucket/x") == []
    assert expand_save(b"out/a.txt") == [("out/a.txt", tree / "out/a.txt")]


def test_glob_above_or_equal_to_base(tree):
    with pytest.raises(ValueError, match="above the base path"):
        expand_save("../x/*.txt")
    with pytest.raises(ValueError, match="above the base path"):
        expand_save("top.txt", base_path="out")
    with pytest.raises(ValueError, match="same as the base path"):
        expand_save("out", base_path="out")
    with pytest.raises(TypeError):
        expand_save(3)


def test_check_policy():
    for p in ("live", "now", "end"):
        assert check_policy(p) == p
    with pytest.raises(ValueError, match='"live", "now", "end"'):
        check_policy("always")


def test_live_watcher(tree):
    w = SavedFileWatcher()
    w.add_all(expand_save("out/*.txt"))
    assert len(w) == 2 and w.names() == ["out/a.txt", "out/b.txt"]
    assert w.changed() == []
    a = tree / "out/a.txt"
    a.write_text("changed, and longer")
    assert w.changed() == [("out/a.txt", a)]
    assert w.changed() == []
    st = a.stat()
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same size, newer
    assert names(w.changed()) == ["out/a.txt"]
    a.unlink()
    assert w.changed() == []  # nothing to save
    a.write_text("back")
    assert names(w.changed()) == ["out/a.txt"]


def test_watcher_unchanged_asks_without_recording(tree):
    w = SavedFileWatcher()
    a, b = tree / "out/a.txt", tree / "out/b.txt"
    w.add("out/a.txt", a)
    assert w.unchanged("out/a.txt", a)
    assert not w.unchanged("out/a.txt", b)  # same name, another file
    assert not w.unchanged("out/b.txt", b)  # never saved
    replaced = tree / "out/a.new"
    replaced.write_bytes(a.read_bytes())
    st = a.stat()
    os.replace(replaced, a)  # an atomic replace: same size, maybe the same mtime, another inode
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert not w.unchanged("out/a.txt", a)
    assert names(w.changed()) == ["out/a.txt"]  # asking did not record; changed() does
    assert w.unchanged("out/a.txt", a)
