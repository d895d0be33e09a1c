"""A one-way flag threads can wait for: threading.Event's is_set/set/wait, made cheaply.

Each invocation carries two such flags (its outcome is in; its output is all in) that are
set and read several times per call and waited for only when the outcome is not in yet when
its invoker looks. A threading.Event is a Condition and two locks built in Python, and its
set() takes the lock and notifies in Python; a Latch is a plain lock and a bool, and builds
an Event only for a thread that has to wait."""

from __future__ import annotations

import threading


class Latch:
    __slots__ = ("_flag", "_lock", "_waiters")

    def __init__(self) -> None:
        self._flag = False
        self._waiters: threading.Event | None = None   # made by the first thread to wait
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        with self._lock:   # after a waiter made its Event, or before it looks at the flag
            self._flag = True
            waiters = self._waiters
        if waiters is not None:
            waiters.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once set; False if `timeout` (seconds) passed first."""
        if self._flag:
            return True
        with self._lock:
            if self._flag:
                return True
            if self._waiters is None:
                self._waiters = threading.Event()
            waiters = self._waiters
        return waiters.wait(timeout)
