"""What does the system-metrics monitor cost? One sample's CPU time and log()'s latency with it on.

Measures, in this process:
- the CPU time of the sampling thread (thread time: waiting and other threads not counted) of one `SystemMonitor.sample()`:
  median and p99 over many samples;
- the wall time of one sample plus its `run.log_system()` call;
- `run.log()` per-call median and p99 (a 4-scalar dict) without the monitor and with the
  monitor sampling every second (its thread competes for the GIL with the loop);
- how long `SystemMonitor.stop()` takes.

    .venv/bin/python bench/bench_system_metrics.py [--seconds 6] [--samples 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

os.environ.setdefault("NBTRACK_LIVE", "0")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _log_latencies(run, seconds: float, pause_every: int = 100) -> list[float]:
    """log() latencies for `seconds`, sleeping 1 ms every `pause_every` calls (a training
    loop does work between logs; this also lets the writer and monitor threads run)."""
    clock = time.perf_counter_ns
    out = []
    log = run.log
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        for _ in range(pause_every):
            t0 = clock()
            log({"loss": 1.0 / (i + 1), "acc": 0.5, "lr": 1e-3, "epoch": i // 1000})
            out.append(clock() - t0)
            i += 1
        time.sleep(0.001)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds of log() calls per condition")
    parser.add_argument("--samples", type=int, default=300, help="samples timed for the per-sample cost")
    args = parser.parse_args()

    import nbtrack
    from nbtrack.tracking._system_metrics import SystemMonitor

    store = tempfile.mkdtemp(prefix="nbtrack-bench-sys-")
    result: dict[str, float] = {}

    run = nbtrack.init(dir=store, project="bench-sys", live=False)
    monitor = SystemMonitor(run, interval=3600)  # not started: sample() by hand
    monitor._process.cpu_percent(None)
    cpu, wall = [], []
    for _ in range(args.samples):
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        values = monitor.sample()
        c1 = time.thread_time_ns()
        run.log_system(values)
        wall.append(time.perf_counter_ns() - w0)
        cpu.append(c1 - c0)
    result["sample_cpu_us_median"] = statistics.median(cpu) / 1e3
    result["sample_cpu_us_p99"] = _percentile(cpu, 0.99) / 1e3
    result["sample_plus_log_system_wall_us_median"] = statistics.median(wall) / 1e3
    result["metrics_per_sample"] = len(values)
    nbtrack.finish()

    for label, with_monitor in (("without_monitor", False), ("with_monitor_1s", True)):
        run = nbtrack.init(dir=store, project="bench-sys", live=False)
        _log_latencies(run, 0.2)  # warm up
        monitor = SystemMonitor(run, interval=1.0).start() if with_monitor else None
        t0 = time.perf_counter()
        lat = _log_latencies(run, args.seconds)
        elapsed = time.perf_counter() - t0
        if monitor is not None:
            s0 = time.perf_counter()
            monitor.stop()
            result["stop_ms"] = (time.perf_counter() - s0) * 1e3
            result["samples_during_loop"] = monitor.samples
        nbtrack.finish()
        result[f"log_us_median_{label}"] = statistics.median(lat) / 1e3
        result[f"log_us_p99_{label}"] = _percentile(lat, 0.99) / 1e3
        result[f"log_calls_{label}"] = len(lat)
        result[f"loop_s_{label}"] = elapsed
    print(json.dumps({k: round(v, 3) for k, v in result.items()}, indent=2))


if __name__ == "__main__":
    main()
