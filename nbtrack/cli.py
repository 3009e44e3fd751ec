"""`nbtrack` on the command line: look at a store while notebooks write to it, write
reports, export the store, import wandb runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .reports.options import add_report_arguments, report_kwargs
from .transfer.export import FORMATS


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nbtrack` command."""
    parser = argparse.ArgumentParser(prog="nbtrack", description="Read an nbtrack store (default ./nbtrack or $NBTRACK_DIR).")
    parser.add_argument("--dir", help="the store directory")
    parser.add_argument("--store", help="read the team store at this PostgreSQL URL (default $NBTRACK_STORE); "
                        "`sync`: ship the local store there")
    sub = parser.add_subparsers(dest="command", required=True)
    runs_p = sub.add_parser("runs", help="list runs, one line each")
    runs_p.add_argument("project", nargs="?")
    show_p = sub.add_parser("show", help="one run's config, summary and files as JSON")
    show_p.add_argument("run_id")
    sql_p = sub.add_parser("sql", help="run read-only SQL over the tables runs, history, files")
    sql_p.add_argument("query")
    report_p = sub.add_parser("report", help="write a self-contained HTML report (opens offline in any browser)")
    add_report_arguments(report_p)
    export_p = sub.add_parser("export", help="write runs, history and files tables as parquet, csv or jsonl")
    export_p.add_argument("--project", "-p", help="only this project")
    export_p.add_argument("--format", "-f", choices=FORMATS, default="parquet")
    export_p.add_argument("out", help="the output directory")
    import_p = sub.add_parser("import", help="import wandb offline runs (wandb/offline-run-*) or a wandb CSV export")
    import_p.add_argument("paths", nargs="+", help="offline run directories (or a wandb/ folder), or .csv files")
    import_p.add_argument("--project", "-p", help="put the runs in this project (default: theirs, else 'imported')")
    import_p.add_argument("--config-columns", default="", help="CSV runs table: columns that are config, comma-separated")
    import_p.add_argument("--replace", action="store_true", help="import runs again that are already in the store")
    sync_p = sub.add_parser("sync", help="ship the local store's runs to the team store (--store URL or $NBTRACK_STORE)")
    sync_p.add_argument("--store", dest="sync_store", help="the team store's PostgreSQL URL")
    sync_p.add_argument("--dir", dest="sync_dir", help="the local store directory")
    args = parser.parse_args(argv)

    if args.command == "sync":
        from .sync import sync_command

        return sync_command(args.sync_dir or args.dir, args.sync_store or args.store)

    if args.command in ("report", "export", "import"):
        return _write_command(args)

    import pandas as pd

    from .api import Api, runs, sql
    from .store.flush_requests import ask_others
    from .store.paths import resolve_store_dir

    # `!nbtrack ...` from a training notebook: show what its kernel logged up to now
    ask_others(resolve_store_dir(args.dir))

    if args.command == "runs":
        frame = runs(args.project, dir=args.dir, store=args.store)
        columns = [c for c in ("id", "name", "project", "state", "created_at", "runtime", "last_step") if c in frame]
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(frame[columns].to_string(index=False) if not frame.empty else "no runs")
    elif args.command == "show":
        run = Api(dir=args.dir, store=args.store).run(args.run_id)
        print(json.dumps({"id": run.id, "name": run.name, "project": run.project, "state": run.state,
                          "config": run.config, "summary": run.summary,
                          "files": [f.name for f in run.files()]}, indent=2, default=str))
    elif args.command == "sql":
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(sql(args.query, dir=args.dir, store=args.store).df().to_string(index=False))
    return 0


def _write_command(args: argparse.Namespace) -> int:
    """`report`, `export` and `import`: errors a user can fix are one line on stderr."""
    from .errors import UsageError
    from .reports import report
    from .store.importer import RunExists
    from .store.store import store_at
    from .transfer import export, import_wandb_csv, import_wandb_offline
    from .transfer.wandb_csv import CsvShapeError
    from .transfer.wandb_records import WandbFileError

    try:
        if args.command == "report":
            report(dir=args.dir, **report_kwargs(args))
        elif args.command == "export":
            written = export(args.out, project=args.project, format=args.format, dir=args.dir)
            for name, path in written.items():
                print(f"nbtrack: {name} -> {path}")
        else:
            store = store_at(args.dir)
            columns = [c.strip() for c in args.config_columns.split(",") if c.strip()]
            for raw in args.paths:
                path = Path(raw)
                if path.suffix.lower() == ".csv":
                    ids = import_wandb_csv(path, store, project=args.project, config_columns=columns, replace=args.replace)
                else:
                    ids = import_wandb_offline(path, store, project=args.project, replace=args.replace)
                print(f"nbtrack: imported {len(ids)} run{'s' if len(ids) != 1 else ''} from {path} into {store.root}: "
                      + ", ".join(ids))
    except (ValueError, OSError, UsageError, RunExists, CsvShapeError, WandbFileError) as exc:
        print(f"nbtrack {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
