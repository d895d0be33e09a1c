"""`samlite up`'s serving threads on one CPU. CPython runs one thread at a time (the GIL);
the threads that answer requests (the HTTP servers' connections, the Runtime API's) hand it
to each other several times a request, once around every blocking call. Free to run on every
CPU, each hand-over wakes a thread on another CPU, which finds the GIL taken and sleeps again:
on the 2-CPU machine here, idle, `ab -k -c 10` on the hello app made ~20 context switches and
~600 µs of `up`'s CPU per request. On one CPU a woken thread waits its turn instead: ~3 and
~310 µs, and twice the requests a second (docs/performance.md). One CPU is all the GIL lets
them use at a time anyway; the processes samlite starts (functions' runtimes) still get every
CPU the process may use (`on_every_cpu`), as a child inherits its forking thread's CPU set.

Threads that wake often beside them join them on that CPU too (the memory sampler, each
environment's watcher and output pump, the console): on another CPU each wake-up took the
GIL from a serving thread across CPUs (`ab -k -c 10`, idle, alternated: 3,959 -> 4,205
req/s, `up` 240 -> 226 µs of CPU a request; docs/performance.md).

The serving threads are also SCHED_BATCH (sched(7)): a thread woken by its socket then waits
for the running one to block instead of preempting it. Preempting gained nothing, as the
running thread held the GIL: the woken one slept again on it and was woken once more when it
was dropped, two context switches and two futex calls each time (~8 futex calls a request
under `ab -k -c 10`, ~5 with batch; docs/performance.md). Children start SCHED_OTHER again.

Off unless `samlite up` turns it on (tests and library users keep their threads as they are);
SAMLITE_PIN_THREADS=0 keeps it off there too."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

_serving_cpu: int | None = None
_every_cpu: frozenset[int] = frozenset()


def pin_serving_threads() -> int | None:
    """Serving threads started from now on run on one CPU of those this process may use (the
    last: the first takes most of the machine's interrupts); None where it does not apply (one
    CPU, no sched_setaffinity, SAMLITE_PIN_THREADS=0)."""
    global _serving_cpu, _every_cpu
    if os.environ.get("SAMLITE_PIN_THREADS", "1") == "0" \
            or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        return None
    _every_cpu, _serving_cpu = frozenset(allowed), max(allowed)
    return _serving_cpu


def pin_this_thread() -> None:
    """A serving thread's first step, or an often-woken one's (Linux: affinity and policy
    of 0 are the calling thread's alone; the threads it starts inherit both)."""
    if _serving_cpu is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {_serving_cpu})
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


@contextlib.contextmanager
def on_every_cpu() -> Iterator[None]:
    """Start children inside this: they get every CPU and the normal policy, whichever
    thread starts them."""
    if _serving_cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    policy = _policy()
    if before == _every_cpu and policy in (None, os.SCHED_OTHER):
        yield
        return
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, _every_cpu)
    _set_policy(os.SCHED_OTHER)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, before)
        if policy is not None:
            _set_policy(policy)


def _policy() -> int | None:
    try:
        return os.sched_getscheduler(0)
    except (OSError, AttributeError):
        return None


def _set_policy(policy: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, policy, os.sched_param(0))
