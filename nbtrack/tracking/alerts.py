"""`wandb.alert(title, text, level=)`: a notice shown in the notebook and kept with the run.

An alert is printed where the code runs (stderr, so the notebook shows it under the
cell) and stored with the run as a small JSON file of kind "alert" (`alerts/<ms>-<n>.json`),
read back by `Api().run(id).alerts()`. With `wait_duration`, an alert repeating a
title sent less than that long ago is neither shown nor stored (wandb's rate limit).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import timedelta
from enum import Enum
from typing import Any

from ..kept_files import ALERT_DIR, ALERT_KIND


class AlertLevel(str, Enum):
    """How serious an alert is (wandb's `AlertLevel`)."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def _level(level: Any) -> AlertLevel:
    if level is None:
        return AlertLevel.INFO
    if isinstance(level, AlertLevel):
        return level
    try:
        return AlertLevel(str(level).upper())
    except ValueError:
        raise ValueError(f"alert: level must be one of INFO, WARN, ERROR (or wandb.AlertLevel), got {level!r}.") from None


def _seconds(wait: Any) -> float | None:
    if wait is None:
        return None
    if isinstance(wait, timedelta):
        return wait.total_seconds()
    try:
        return float(wait)
    except (TypeError, ValueError):
        raise TypeError("alert: wait_duration must be seconds or a datetime.timedelta.") from None


class AlertLog:
    """The alerts one run has sent: shows each, hands it to the run's writer as a file."""

    def __init__(self, run: Any) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._count = 0
        self._last_sent: dict[str, float] = {}

    def send(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> dict[str, Any] | None:
        """Show and store one alert; returns what was stored (None when rate-limited)."""
        if not isinstance(title, str) or not isinstance(text, str):
            raise TypeError("alert: title and text must be strings.")
        lvl = _level(level)
        wait = _seconds(wait_duration)
        now = time.time()
        with self._lock:
            last = self._last_sent.get(title)
            if wait is not None and last is not None and now - last < wait:
                return None
            self._last_sent[title] = now
            self._count += 1
            number = self._count
        alert = {"title": title, "text": text, "level": lvl.value, "created_at": now,
                 "step": self._run.step, "run_id": self._run.id}
        print(f"nbtrack alert [{lvl.value}] {title}: {text}", file=sys.stderr, flush=True)
        writer = self._run.store_writer
        if writer is not None:
            data = json.dumps(alert, ensure_ascii=False).encode("utf-8")
            writer.add_file(f"{ALERT_DIR}/{int(now * 1000)}-{number}.json", ALERT_KIND, data=data)
        return alert
