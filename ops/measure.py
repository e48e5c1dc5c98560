"""Measuring processes and the machine, for the bench, the evaluation and the tests: free
loopback ports, percentiles, CPU time and resident memory of process trees, and how busy
the whole machine was. One home for each, read from /proc (Linux)."""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks (numpy's
    default), so p50 of [1, 2, 3, 4] is 2.5. NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {q}")
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """pid and all its children, grandchildren..."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def rss_mib(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process and its descendants, in MiB."""
    total_kib, seen = 0, False
    for member in descendants(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
                    seen = True
        except OSError:
            continue
    return round(total_kib / 1024, 1) if seen else None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their descendants so far."""
    total = 0
    for pid in {d for p in pids for d in descendants(p)}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / CLK_TCK


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # leave out guest time (already in user)
    return (total - idle) / CLK_TCK, total / CLK_TCK


class CpuMeter:
    """How much CPU the machine spent, and how much of it went on processes we started."""

    def __init__(self, pids_of):
        self._pids_of = pids_of  # called at start and stop: processes started come and go
        self._machine = machine_cpu_seconds()
        self._ours = cpu_seconds(self._pids_of()) + _self_cpu()
        self._wall = time.monotonic()

    def stop(self) -> dict:
        busy, total = machine_cpu_seconds()
        ours = cpu_seconds(self._pids_of()) + _self_cpu()
        wall = time.monotonic() - self._wall
        machine_busy = busy - self._machine[0]
        return {
            "seconds": round(wall, 1),
            "machine_cores_busy": round(machine_busy / wall, 2) if wall else None,
            "ours_cores_busy": round((ours - self._ours) / wall, 2) if wall else None,
            "others_cores_busy": round(max(0.0, machine_busy - (ours - self._ours)) / wall, 2) if wall else None,
        }


def _self_cpu() -> float:
    times = os.times()
    return times.user + times.system
