"""Peers side by side: the same 4-scalar dict logged with wandb (offline), trackio and mlflow.

Run by bench_log.py with PEERS_PYTHON, an interpreter where the peers are installed
(they are not nbtrack's dependencies). Each peer runs in a fresh process in a temp dir
with no network; a peer that is missing or fails is reported, not fatal.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys, time
peer, steps = sys.argv[1], int(sys.argv[2])
os.chdir(sys.argv[3])
def metrics(i):
    return {"loss": 1.0 / (i + 1), "acc": i / steps, "lr": 1e-3, "grad_norm": 0.5}
lat = []
clock = time.perf_counter_ns
if peer == "wandb":
    os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=os.getcwd(), WANDB_DISABLE_GIT="true")
    import wandb
    t = time.perf_counter(); run = wandb.init(project="bench"); init_ms = (time.perf_counter() - t) * 1000
    log = run.log
    t0 = time.perf_counter()
    for i in range(steps):
        c = clock(); log(metrics(i)); lat.append(clock() - c)
    t = time.perf_counter(); run.finish(); finish_ms = (time.perf_counter() - t) * 1000
elif peer == "trackio":
    import trackio
    t = time.perf_counter(); trackio.init(project="bench"); init_ms = (time.perf_counter() - t) * 1000
    t0 = time.perf_counter()
    for i in range(steps):
        c = clock(); trackio.log(metrics(i)); lat.append(clock() - c)
    t = time.perf_counter(); trackio.finish(); finish_ms = (time.perf_counter() - t) * 1000
elif peer == "mlflow":
    import mlflow
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # mlflow-skinny has no SQL store; its file store is the local one
    mlflow.set_tracking_uri("file:" + os.path.join(os.getcwd(), "mlruns"))
    t = time.perf_counter(); mlflow.start_run(); init_ms = (time.perf_counter() - t) * 1000
    t0 = time.perf_counter()
    for i in range(steps):
        c = clock(); mlflow.log_metrics(metrics(i), step=i); lat.append(clock() - c)
    t = time.perf_counter(); mlflow.end_run(); finish_ms = (time.perf_counter() - t) * 1000
total = time.perf_counter() - t0
lat.sort()
print(json.dumps({"median_us": lat[len(lat) // 2] / 1000, "p99_us": lat[int(len(lat) * 0.99)] / 1000,
                  "amortized_us": total / steps * 1e6, "init_ms": init_ms, "finish_ms": finish_ms}))
"""

STEPS = {"wandb": 10_000, "trackio": 10_000, "mlflow": 2_000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| peer | steps | log() median us | p99 us | amortized us/step (incl. finish) | init ms | finish ms |")
    print("|---|---|---|---|---|---|---|")
    for peer, steps in STEPS.items():
        results = []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                proc = subprocess.run([sys.executable, "-c", CHILD, peer, str(steps), tmp], capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                print(f"| {peer} | failed: {proc.stderr.strip().splitlines()[-1:]} |")
                break
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if results:
            m = {k: statistics.median(r[k] for r in results) for k in results[0]}
            print(f"| {peer} | {steps:,} | {m['median_us']:.1f} | {m['p99_us']:.1f} | {m['amortized_us']:.1f} | {m['init_ms']:.0f} | {m['finish_ms']:.0f} |")


if __name__ == "__main__":
    main()
