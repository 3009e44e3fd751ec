"""System metrics: a daemon thread sampling the machine and the process while a run is open.

``start_monitor(run)`` samples every ``interval`` seconds (default 10, or the
``NBTRACK_SYSTEM_INTERVAL`` environment variable) and records each sample with
``run.log_system()``, which never moves the user's steps or summary. Keys:

- process: ``system/proc_cpu_percent`` (100 = one core), ``system/proc_rss_mb``,
  ``system/proc_threads``;
- machine: ``system/cpu_percent``, ``system/memory_percent``,
  ``system/disk_read_bytes_per_s``, ``system/disk_write_bytes_per_s``,
  ``system/net_sent_bytes_per_s``, ``system/net_recv_bytes_per_s`` (rates from the
  second sample on; disk counters are skipped where the OS gives none);
- each NVIDIA GPU i, when ``pynvml`` (package ``nvidia-ml-py``) imports and NVML starts:
  ``system/gpu<i>/utilization_percent``, ``memory_percent``, ``memory_used_mb``,
  ``temperature_c``, ``power_w`` (each skipped when the driver does not report it).

``NBTRACK_SYSTEM_METRICS=0`` turns the monitor off (``start_monitor`` returns None).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

DEFAULT_INTERVAL = 10.0
MIN_INTERVAL = 0.05
_OFF = ("0", "false", "no", "off")


def monitor_enabled() -> bool:
    """False when NBTRACK_SYSTEM_METRICS is 0/false/no/off."""
    return os.environ.get("NBTRACK_SYSTEM_METRICS", "1").strip().lower() not in _OFF


def resolve_interval(interval: float | None = None) -> float:
    """`interval` if given, else NBTRACK_SYSTEM_INTERVAL, else 10 s; never below 0.05 s."""
    if interval is None:
        try:
            interval = float(os.environ.get("NBTRACK_SYSTEM_INTERVAL", DEFAULT_INTERVAL))
        except ValueError:
            interval = DEFAULT_INTERVAL
    return max(MIN_INTERVAL, float(interval))


class _Gpus:
    """NVML handles, or nothing when pynvml is missing or no driver answers."""

    def __init__(self) -> None:
        self.nvml: Any = None
        self.handles: list[Any] = []
        try:
            import pynvml

            pynvml.nvmlInit()
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
            self.nvml = pynvml
        except Exception:  # no pynvml, no driver, no GPU: skip silently
            self.handles = []

    def sample(self, out: dict[str, float]) -> None:
        nvml = self.nvml
        for i, handle in enumerate(self.handles):
            prefix = f"system/gpu{i}/"
            try:
                out[prefix + "utilization_percent"] = float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
            except nvml.NVMLError:  # each reading is optional (a GPU may not support it)
                pass
            try:
                mem = nvml.nvmlDeviceGetMemoryInfo(handle)
                out[prefix + "memory_percent"] = 100.0 * mem.used / mem.total if mem.total else 0.0
                out[prefix + "memory_used_mb"] = mem.used / 2**20
            except nvml.NVMLError:  # optional, as above
                pass
            try:
                out[prefix + "temperature_c"] = float(nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
            except nvml.NVMLError:  # optional, as above
                pass
            try:
                out[prefix + "power_w"] = nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
            except nvml.NVMLError:  # optional, as above
                pass

    def close(self) -> None:
        if self.nvml is not None:
            try:
                self.nvml.nvmlShutdown()
            except self.nvml.NVMLError:  # a driver gone meanwhile: nothing left to shut down
                pass
            self.nvml = None


class SystemMonitor:
    """Samples the system every `interval` seconds on a daemon thread into ``run.log_system``."""

    def __init__(self, run: Any, interval: float = DEFAULT_INTERVAL) -> None:
        import psutil

        self.run = run
        self.interval = max(MIN_INTERVAL, float(interval))
        self.samples = 0  #: samples recorded so far
        self._psutil = psutil
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._gpus: _Gpus | None = None
        self._last: tuple[float, Any, Any] | None = None
        self._thread = threading.Thread(target=self._loop, name="nbtrack-system", daemon=True)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> SystemMonitor:
        """Prime the counters and start the thread; returns self."""
        self._process.cpu_percent(None)
        self._psutil.cpu_percent(None)
        self._last = (time.monotonic(), self._disk(), self._net())
        self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> None:
        """Stop sampling and wait for the thread (it wakes at once; a sample takes ~1 ms)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """True while the sampling thread is alive."""
        return self._thread.is_alive()

    def _loop(self) -> None:
        try:
            self._gpus = _Gpus()  # NVML start-up is slow-ish: done on the thread, not in init()
            while not self._stop.wait(self.interval):
                if getattr(self.run, "finished", False):
                    break
                try:
                    values = self.sample()
                except Exception:  # a failed reading never disturbs training
                    continue
                if values and not self._stop.is_set():
                    self.run.log_system(values)
                    self.samples += 1
        finally:
            if self._gpus is not None:
                self._gpus.close()

    # -- one sample -----------------------------------------------------------------------
    def sample(self) -> dict[str, float]:
        """One reading of every metric (rates over the time since the previous reading)."""
        psutil = self._psutil
        proc = self._process
        out: dict[str, float] = {}
        with proc.oneshot():
            out["system/proc_cpu_percent"] = float(proc.cpu_percent(None))
            out["system/proc_rss_mb"] = proc.memory_info().rss / 2**20
            out["system/proc_threads"] = float(proc.num_threads())
        out["system/cpu_percent"] = float(psutil.cpu_percent(None))
        out["system/memory_percent"] = float(psutil.virtual_memory().percent)
        now, disk, net = time.monotonic(), self._disk(), self._net()
        if self._last is not None:
            then, disk0, net0 = self._last
            elapsed = max(now - then, 1e-6)
            if disk is not None and disk0 is not None:
                out["system/disk_read_bytes_per_s"] = max(0, disk.read_bytes - disk0.read_bytes) / elapsed
                out["system/disk_write_bytes_per_s"] = max(0, disk.write_bytes - disk0.write_bytes) / elapsed
            if net is not None and net0 is not None:
                out["system/net_sent_bytes_per_s"] = max(0, net.bytes_sent - net0.bytes_sent) / elapsed
                out["system/net_recv_bytes_per_s"] = max(0, net.bytes_recv - net0.bytes_recv) / elapsed
        self._last = (now, disk, net)
        if self._gpus is not None:
            self._gpus.sample(out)
        return out

    def _disk(self) -> Any:
        try:
            return self._psutil.disk_io_counters()
        except Exception:  # containers without /proc/diskstats
            return None

    def _net(self) -> Any:
        try:
            return self._psutil.net_io_counters()
        except Exception:  # containers without /proc/net/dev: no network reading
            return None


def start_monitor(run: Any, interval: float | None = None) -> SystemMonitor | None:
    """Start sampling system metrics into `run` (see the module doc); None when turned off
    (NBTRACK_SYSTEM_METRICS=0) or when psutil cannot be imported."""
    if not monitor_enabled():
        return None
    try:
        return SystemMonitor(run, resolve_interval(interval)).start()
    except ImportError:
        return None
