"""`%nbtrack` parsing and usage messages (the notebook tests run it in a real kernel)."""

from __future__ import annotations

import pytest

from nbtrack.notebook.magic import MagicUsageError, nbtrack_magic, parse_init, parse_value


def test_values_are_python_literals_where_they_can_be():
    assert parse_value("1e-3") == 0.001
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("True") is True
    assert parse_value("adam") == "adam"
    assert parse_value("'quoted'") == "quoted"


def test_init_options_and_config():
    kwargs, config = parse_init(["--project", "p", "--name=n1", "--tags", "a,b", "lr=1e-3", "layers=[64,32]", "opt=adam"])
    assert kwargs == {"project": "p", "name": "n1", "tags": ["a", "b"]}
    assert config == {"lr": 0.001, "layers": [64, 32], "opt": "adam"}


@pytest.mark.parametrize("args", [["--bogus", "x"], ["lr"], ["--project"]])
def test_bad_init_arguments_explain_usage(args):
    with pytest.raises(MagicUsageError, match="Usage"):
        parse_init(args)


@pytest.mark.parametrize("line", ["", "help", "frobnicate", "init --bogus 1"])
def test_empty_or_wrong_command_prints_usage(line, capsys):
    assert nbtrack_magic(line) is None
    assert "Usage:" in capsys.readouterr().out


def test_status_without_a_run(capsys):
    nbtrack_magic("status")
    assert "no active run" in capsys.readouterr().out
