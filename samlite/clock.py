"""Time, passed in: the Clock protocol, the system clock, and a manual clock for tests.

Deadlines, idle reaping, schedules and visibility timeouts all read a Clock, so tests move
time forward instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock: deadlines are sent to runtimes as epoch ms)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (durations, timeouts)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to. Thread-safe."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:   # 2026-01-01T00:00:00Z
        self._now = start
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, *, seconds: float) -> None:
        with self._lock:
            self._now += seconds
            self._mono += seconds


class ScaledClock:
    """Real time run `speed` times faster from the moment it is made (`samlite up
    --clock-speed`), so a day of schedules passes in minutes. Only schedules read it:
    function deadlines and timeouts stay real."""

    def __init__(self, speed: float, *, base: Clock | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive (got {speed})")
        self.speed = speed
        self._base = base or SystemClock()
        self._wall0 = self._base.now()
        self._mono0 = self._base.monotonic()

    def now(self) -> float:
        return self._wall0 + (self._base.monotonic() - self._mono0) * self.speed

    def monotonic(self) -> float:
        return self._mono0 + (self._base.monotonic() - self._mono0) * self.speed


def real_seconds(clock: Clock, seconds: float) -> float:
    """How long to really wait for `seconds` to pass on `clock`."""
    return seconds / getattr(clock, "speed", 1.0)
