"""Which process owns a session in progress, and whether that process is still alive."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psutil

# psutil derives start times from clock ticks (10 ms on Linux); a reused PID starts later than that.
_START_TOLERANCE_S = 0.05


@dataclass(frozen=True)
class Owner:
    pid: int
    started: float  # the process's start time (seconds since the epoch), to tell a reused PID apart


def current() -> Owner:
    pid = os.getpid()
    return Owner(pid, psutil.Process(pid).create_time())


def is_alive(pid: int | None, started: float | None) -> bool:
    """True only if that very process (same PID and same start time) is still running."""
    if pid is None or started is None:
        return False
    try:
        process = psutil.Process(pid)
        if abs(process.create_time() - started) > _START_TOLERANCE_S:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # it exists and is someone else's: do not claim its session
