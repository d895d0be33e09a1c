"""Many templates in one `samlite validate`: each is checked on its own, in a few forked
processes when there are enough of them to pay for the fork (the shared corpus's 213
templates: ~220 ms with 2 processes against ~265 ms in one, on an idle 2-core machine), else
in this process. Results come back in the order the templates were given."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Below this many templates a fork costs more than it saves (a template is ~1-2 ms).
MIN_TEMPLATES_TO_FORK = 32
MAX_PROCESSES = 4


def check_each(paths: Sequence[Path], check: Callable[[Path], T]) -> list[T]:
    """`check(path)` for every path, in order. `check` must pickle (a module-level function
    or a functools.partial of one) when the work is shared among processes."""
    processes = _processes(len(paths))
    if processes < 2:
        return [check(path) for path in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Interleaved shares: big and small templates spread evenly over the processes.
    shares = [list(paths[i::processes]) for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(_check_share, [check] * processes, shares))
    results: list[T] = [None] * len(paths)  # type: ignore[list-item]
    for i, share in enumerate(done):
        results[i::processes] = share
    return results


def _check_share(check: Callable[[Path], T], paths: list[Path]) -> list[T]:
    return [check(path) for path in paths]


def _processes(count: int) -> int:
    # Linux only: macOS discourages fork without exec, and Windows has none.
    if count < MIN_TEMPLATES_TO_FORK or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))
