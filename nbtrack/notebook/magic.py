"""The `%nbtrack` line magic: `%load_ext nbtrack`, then `%nbtrack init --project p lr=1e-3`."""

from __future__ import annotations

import argparse
import ast
import shlex
from typing import Any

from ..errors import UsageError
from ..reports.options import add_report_arguments, report_kwargs
from ..wandb_alias import patch_wandb

USAGE = """\
Usage:
  %nbtrack init [--project P] [--name N] [--notes TEXT] [--tags a,b] [--dir D] [--store URL] [--as-wandb]
                [key=value ...]
                  start a run; key=value pairs become its config (values read as Python literals);
                  --store postgresql://user@host/db also ships it to the team store;
                  --as-wandb first makes `import wandb` resolve to nbtrack (nbtrack.patch_wandb())
  %nbtrack finish  finish the active run
  %nbtrack status  show the active run
  %nbtrack runs [PROJECT]  the runs table of a project (all projects without one);
                  nbtrack.runs(PROJECT) gives the same as a pandas DataFrame
  %nbtrack report [--project P] [--runs a,b] [--metrics m,n] [--title T] [--notes TEXT] [-o FILE]
                  write a self-contained HTML report and show it here (nbtrack.report(...))"""

_INIT_OPTIONS = {"--project": "project", "--name": "name", "--notes": "notes", "--tags": "tags",
                 "--dir": "dir", "--store": "store", "--group": "group", "--job-type": "job_type", "--id": "id"}
_INIT_FLAGS = {"--as-wandb": "as_wandb"}


class MagicUsageError(ValueError):
    """A `%nbtrack` line that cannot be understood; the message includes the usage."""


def parse_value(text: str) -> Any:
    """`1e-3` -> 0.001, `[1, 2]` -> list, `True` -> True, anything else stays a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_init(args: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split `init` arguments into init() keywords and config."""
    kwargs: dict[str, Any] = {}
    config: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        option, eq, inline = arg.partition("=")
        if arg in _INIT_FLAGS:
            kwargs[_INIT_FLAGS[arg]] = True
        elif option in _INIT_OPTIONS:
            if eq:
                value = inline
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                raise MagicUsageError(f"{option} needs a value.\n{USAGE}")
            key = _INIT_OPTIONS[option]
            kwargs[key] = [t for t in value.split(",") if t] if key == "tags" else value
        elif arg.startswith("-"):
            raise MagicUsageError(f"unknown option {arg!r}.\n{USAGE}")
        elif eq and option:
            config[option] = parse_value(inline)
        else:
            raise MagicUsageError(f"expected key=value, got {arg!r}.\n{USAGE}")
        i += 1
    return kwargs, config


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise MagicUsageError(f"{message}.\n{USAGE}")


def parse_report(args: list[str]) -> argparse.Namespace:
    """Options of `%nbtrack report` (as `nbtrack report` on the command line)."""
    parser = _Parser(prog="%nbtrack report", add_help=False)
    add_report_arguments(parser)
    return parser.parse_args(args)


def nbtrack_magic(line: str) -> Any:
    """Run one `%nbtrack ...` line; prints the usage for an empty or unknown command."""
    from .. import session

    try:
        words = shlex.split(line)
    except ValueError as exc:
        print(f"%nbtrack: {exc}\n{USAGE}")
        return None
    if not words or words[0] in ("help", "-h", "--help"):
        print(USAGE)
        return None
    command, rest = words[0], words[1:]
    try:
        if command == "init":
            kwargs, config = parse_init(rest)
            if kwargs.pop("as_wandb", False):
                try:
                    patch_wandb()
                except UsageError as exc:
                    print(f"%nbtrack: {exc}")
                    return None
            return session.init(config=config, **kwargs)
        if command == "finish":
            run = session.active()
            session.finish()
            print(f"nbtrack: finished {run.name}" if run else "nbtrack: no active run")
            return None
        if command == "status":
            run = session.active()
            print(_status(run))
            return None
        if command == "runs":
            from ..runs_table.widget import table

            widget = table(rest[0] if rest else None)
            if widget.total == 0:
                print("nbtrack: no runs yet")
                return None
            return widget
        if command == "report":
            from ..reports import report

            return report(**report_kwargs(parse_report(rest)))
    except MagicUsageError as exc:
        print(f"%nbtrack: {exc}")
        return None
    print(f"%nbtrack: unknown command {command!r}.\n{USAGE}")
    return None


def _status(run: Any) -> str:
    if run is None:
        return "nbtrack: no active run (start one with %nbtrack init --project NAME)"
    return (f"nbtrack: run {run.name} ({run.id}) in project {run.project!r}, {run.state}, "
            f"step {run.step}, store {run.store_dir}\n  config: {run.config.as_dict()}")


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext nbtrack`: register the `%nbtrack` magic and the notebook hooks."""
    from . import _hooks as notebook_hooks

    ipython.register_magic_function(nbtrack_magic, magic_kind="line", magic_name="nbtrack")
    notebook_hooks.install()
