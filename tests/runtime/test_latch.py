"""The invocation's flags: a waiter wakes once the flag is set, whichever comes first."""

from __future__ import annotations

import threading

from samlite.runtime.latch import Latch


def test_a_waiter_wakes_when_another_thread_sets_it() -> None:
    latch = Latch()
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(latch.wait(30)))
    waiter.start()
    latch.set()
    waiter.join(30)
    assert woke == [True]
    assert latch.is_set()


def test_set_before_the_wait_returns_at_once_and_stays_set() -> None:
    latch = Latch()
    latch.set()
    latch.set()
    assert latch.wait(0) is True
    assert latch.wait() is True


def test_a_wait_that_runs_out_says_so() -> None:
    latch = Latch()
    assert latch.is_set() is False
    assert latch.wait(0.01) is False
    latch.set()
    assert latch.wait(0.01) is True


def test_many_waiters_all_wake() -> None:
    latch = Latch()
    woke: list[bool] = []
    waiters = [threading.Thread(target=lambda: woke.append(latch.wait(30))) for _ in range(8)]
    for waiter in waiters:
        waiter.start()
    latch.set()
    for waiter in waiters:
        waiter.join(30)
    assert woke == [True] * 8
