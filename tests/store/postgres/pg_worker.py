"""A training process for the team store tests: ``python pg_worker.py MODE LOCAL_DIR URL ARGS``.

Written as users write it (``import nbtrack as wandb``). Modes:
``log RUN_NAME STEPS`` logs STEPS steps and finishes;
``pause RUN_NAME STEPS SIGNAL_DIR`` logs half, writes ``half``, waits for ``go``, logs the
rest, writes ``done``, waits for ``end``, finishes (the test stops the server between);
``forever RUN_NAME`` logs until it is killed.
Prints a JSON status line: run id, steps logged, warnings seen.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import nbtrack as wandb


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path}")
        time.sleep(0.02)


def main() -> None:
    mode, local, url, name = sys.argv[1:5]
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = wandb.init(project="team", name=name, dir=local, store=url, config={"worker": name})
        if mode == "log":
            for i in range(int(sys.argv[5])):
                wandb.log({"loss": 1.0 / (i + 1)})
        elif mode == "pause":
            steps, signals = int(sys.argv[5]), Path(sys.argv[6])
            for i in range(steps // 2):
                wandb.log({"loss": 1.0 / (i + 1)})
            (signals / "half").write_text(run.id)
            _wait_for(signals / "go")
            for i in range(steps // 2, steps):
                wandb.log({"loss": 1.0 / (i + 1)})
            (signals / "done").write_text("")
            _wait_for(signals / "end")
        elif mode == "forever":
            print(json.dumps({"id": run.id}), flush=True)
            i = 0
            while True:
                wandb.log({"loss": 1.0 / (i + 1)})
                i += 1
                time.sleep(0.001)
        wandb.finish()
        seen = [str(w.message) for w in caught]
    print(json.dumps({"id": run.id, "warnings": seen}), flush=True)


if __name__ == "__main__":
    main()
