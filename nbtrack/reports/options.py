"""The options of ``nbtrack report`` and ``%nbtrack report``, shared by the CLI and the magic."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _csv(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the report options to ``parser``."""
    parser.add_argument("--project", "-p", help="the project (default: the store's only project, else all runs)")
    parser.add_argument("--runs", type=_csv, help="run ids or names, comma-separated (default: all of the project)")
    parser.add_argument("--metrics", type=_csv, help="history keys to chart, comma-separated (default: all numeric)")
    parser.add_argument("--title", help="the report's title")
    parser.add_argument("--notes", help="markdown notes under the title (raw HTML is shown as text)")
    parser.add_argument("--notes-file", type=Path, help="read the markdown notes from this file")
    parser.add_argument("--output", "-o", help="the HTML file to write (default nbtrack-report-<project>-<time>.html)")


def report_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``nbtrack.report()`` keywords from parsed options."""
    notes = args.notes
    if args.notes_file is not None:
        notes = args.notes_file.read_text(encoding="utf-8")
    return {"project": args.project, "runs": args.runs, "metrics": args.metrics, "title": args.title,
            "notes": notes, "path": args.output}
