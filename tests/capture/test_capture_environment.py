from __future__ import annotations

import json
import os
import subprocess

import pytest

from nbtrack.capture import environment as envmod
from nbtrack.capture.environment import environment, git_info, packages, strip_credentials

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "train.py").write_text("print('v1')\n")
    git(r, "add", "train.py")
    git(r, "commit", "-q", "-m", "first")
    git(r, "remote", "add", "origin", "https://alice:s3cret@git.example.com/team/proj.git")
    return r


def test_environment_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    env = environment(str(tmp_path))
    for key in ("python", "platform", "os", "hostname", "cpu_count", "memory_total", "cwd", "argv",
                "git", "packages"):
        assert key in env
    assert set(env["python"]) == {"version", "implementation", "executable"}
    assert env["cwd"] == str(tmp_path)
    assert env["git"] is None
    assert env["memory_total"] > 0
    assert "numpy" in {k.lower() for k in env["packages"]}
    json.dumps(env)  # stored as JSON


def test_packages_cached_and_deduplicated(monkeypatch):
    from importlib import metadata

    first = packages()

    def walked_again():
        raise AssertionError("packages() walked the distributions again")

    monkeypatch.setattr(metadata, "distributions", walked_again)
    again = packages()  # from the process cache (a second walk would find nothing)
    assert first == again and first
    keys = [envmod._normalise(k) for k in first]
    assert len(keys) == len(set(keys))
    import numpy

    assert first.get("numpy") == numpy.__version__


def test_git_info_clean_then_dirty(repo):
    info = git_info(repo)
    assert info["commit"] == git(repo, "rev-parse", "HEAD")
    assert info["branch"] == "main"
    assert info["remote"] == "https://git.example.com/team/proj.git"
    assert info["dirty"] is False and info["diff"] == ""
    assert os.path.samefile(info["root"], repo)
    (repo / "train.py").write_text("print('v2')\n")
    info = git_info(str(repo / "train.py"))  # a file inside the repo works too
    assert info["dirty"] is True
    assert "-print('v1')" in info["diff"] and "+print('v2')" in info["diff"]
    (repo / "untracked.txt").write_text("x")
    git(repo, "checkout", "-q", "train.py")
    assert git_info(repo)["dirty"] is False  # untracked files do not make it dirty


def test_git_info_detached_and_no_remote(repo):
    git(repo, "remote", "remove", "origin")
    git(repo, "checkout", "-q", "--detach")
    info = git_info(repo)
    assert info["branch"] is None and info["remote"] is None and info["commit"]


def test_git_diff_is_capped(repo, monkeypatch):
    monkeypatch.setattr(envmod, "MAX_DIFF_BYTES", 10_000)
    (repo / "train.py").write_text("".join(f"line {i}\n" for i in range(5000)))
    diff = git_info(repo)["diff"]
    assert len(diff) < 10_200 and "diff cut at 10000 bytes" in diff


def test_git_info_empty_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(tmp_path, "init", "-q")
    info = git_info(tmp_path)
    assert info["commit"] is None and info["diff"] is None


def test_git_info_outside_repo_or_without_git(tmp_path, monkeypatch, repo):
    outside = tmp_path / "plain"
    outside.mkdir()
    assert git_info(outside) is None
    assert git_info(tmp_path / "does-not-exist") is None
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert git_info(repo) is None


def test_strip_credentials():
    assert strip_credentials("https://u:p@h.com/x.git") == "https://h.com/x.git"
    assert strip_credentials("https://token@h.com/x.git") == "https://h.com/x.git"
    assert strip_credentials("ssh://git@h.com/x.git") == "ssh://h.com/x.git"
    assert strip_credentials("git@h.com:team/x.git") == "git@h.com:team/x.git"
    assert strip_credentials("https://h.com/a@b") == "https://h.com/a@b"


