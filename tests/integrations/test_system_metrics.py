"""nbtrack.tracking._system_metrics: the sampling thread, its keys, and how it stays out of the user's steps."""

from __future__ import annotations

import sys
import time
import types

import nbtrack
from nbtrack.tracking import _system_metrics as system_metrics
from nbtrack.tracking._system_metrics import SystemMonitor, resolve_interval, start_monitor


def test_monitor_samples_into_log_system_without_moving_steps(store, stored):
    run = nbtrack.init(dir=store, project="sys", live=False)
    monitor = start_monitor(run, interval=0.1)
    assert isinstance(monitor, SystemMonitor) and monitor.running
    for i in range(5):
        run.log({"loss": 1.0 / (i + 1)})
    deadline = time.monotonic() + 30
    while monitor.samples < 3 and time.monotonic() < deadline:  # samples every 0.1 s
        time.sleep(0.05)
    monitor.stop()  # how long stop() takes: bench/bench_system_metrics.py
    assert not monitor.running
    assert monitor.samples >= 3
    assert run.step == 5  # samples never commit steps
    api_run = stored(run)
    h = api_run.history()
    expected = {"system/proc_cpu_percent", "system/proc_rss_mb", "system/proc_threads", "system/cpu_percent",
                "system/memory_percent", "system/net_sent_bytes_per_s", "system/net_recv_bytes_per_s"}
    assert expected <= set(h.columns)
    assert h["system/proc_rss_mb"].dropna().gt(1).all()
    assert h["_step"].max() == 4
    assert not [k for k in api_run.summary if k.startswith("system/")]


def test_monitor_stops_by_itself_when_the_run_finishes(store):
    run = nbtrack.init(dir=store, project="sys", live=False)
    monitor = start_monitor(run, interval=0.05)
    run.finish()
    monitor._thread.join(2)
    assert not monitor.running


def test_disabled_by_environment(store, monkeypatch):
    monkeypatch.setenv("NBTRACK_SYSTEM_METRICS", "0")
    run = nbtrack.init(dir=store, project="sys", live=False)
    assert start_monitor(run, interval=0.1) is None


def test_interval_resolution(monkeypatch):
    monkeypatch.delenv("NBTRACK_SYSTEM_INTERVAL", raising=False)
    assert resolve_interval() == 10.0
    monkeypatch.setenv("NBTRACK_SYSTEM_INTERVAL", "2.5")
    assert resolve_interval() == 2.5
    assert resolve_interval(1) == 1.0  # an explicit interval wins
    assert resolve_interval(0) == system_metrics.MIN_INTERVAL
    monkeypatch.setenv("NBTRACK_SYSTEM_INTERVAL", "soon")
    assert resolve_interval() == 10.0


def test_rates_from_the_second_sample_on(store):
    run = nbtrack.init(dir=store, project="sys", live=False)
    monitor = SystemMonitor(run, interval=3600)
    first = monitor.sample()
    assert "system/net_sent_bytes_per_s" not in first
    second = monitor.sample()
    assert second["system/net_recv_bytes_per_s"] >= 0
    assert all(isinstance(v, float) for v in second.values())


def test_gpu_readings_through_nvml(store, monkeypatch):
    """A fake pynvml stands in for the driver; each reading lands under system/gpu<i>/."""
    fake = types.ModuleType("pynvml")

    class NVMLError(Exception):  # pynvml's base error; "not supported" readings raise a subclass
        pass

    fake.NVMLError = NVMLError
    fake.NVML_TEMPERATURE_GPU = 0
    fake.nvmlInit = lambda: None
    fake.nvmlShutdown = lambda: None
    fake.nvmlDeviceGetCount = lambda: 2
    fake.nvmlDeviceGetHandleByIndex = lambda i: i
    fake.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=40 + h)
    fake.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(used=2 * 2**30, total=8 * 2**30)
    fake.nvmlDeviceGetTemperature = lambda h, kind: 60

    def no_power(h):
        raise NVMLError("not supported")

    fake.nvmlDeviceGetPowerUsage = no_power
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    run = nbtrack.init(dir=store, project="sys", live=False)
    monitor = SystemMonitor(run, interval=3600)
    monitor._gpus = system_metrics._Gpus()
    values = monitor.sample()
    assert values["system/gpu1/utilization_percent"] == 41.0
    assert values["system/gpu0/memory_percent"] == 25.0
    assert values["system/gpu0/memory_used_mb"] == 2048.0
    assert values["system/gpu0/temperature_c"] == 60.0
    assert "system/gpu0/power_w" not in values


def test_no_gpu_library_is_silent(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails
    gpus = system_metrics._Gpus()
    out: dict[str, float] = {}
    gpus.sample(out)
    assert out == {} and gpus.handles == []
