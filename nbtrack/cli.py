"""`nbtrack` on the command line: look at a store while notebooks write to it."""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nbtrack` command."""
    parser = argparse.ArgumentParser(prog="nbtrack", description="Read an nbtrack store (default ./nbtrack or $NBTRACK_DIR).")
    parser.add_argument("--dir", help="the store directory")
    sub = parser.add_subparsers(dest="command", required=True)
    runs_p = sub.add_parser("runs", help="list runs, one line each")
    runs_p.add_argument("project", nargs="?")
    show_p = sub.add_parser("show", help="one run's config, summary and files as JSON")
    show_p.add_argument("run_id")
    sql_p = sub.add_parser("sql", help="run read-only SQL over the tables runs, history, files")
    sql_p.add_argument("query")
    args = parser.parse_args(argv)

    import pandas as pd

    from .api import Api, runs, sql
    from .store.flush_requests import ask_others
    from .store.paths import resolve_store_dir

    # `!nbtrack ...` from a training notebook: show what its kernel logged up to now
    ask_others(resolve_store_dir(args.dir))

    if args.command == "runs":
        frame = runs(args.project, dir=args.dir)
        columns = [c for c in ("id", "name", "project", "state", "created_at", "runtime", "last_step") if c in frame]
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(frame[columns].to_string(index=False) if not frame.empty else "no runs")
    elif args.command == "show":
        run = Api(dir=args.dir).run(args.run_id)
        print(json.dumps({"id": run.id, "name": run.name, "project": run.project, "state": run.state,
                          "config": run.config, "summary": run.summary,
                          "files": [f.name for f in run.files()]}, indent=2, default=str))
    elif args.command == "sql":
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(sql(args.query, dir=args.dir).df().to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
