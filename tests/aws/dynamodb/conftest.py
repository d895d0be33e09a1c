"""The `local` fixture of the DynamoDB API tests: a running endpoint with the orders table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from samlite.clock import ManualClock
from tests.aws.dynamodb.test_api import Local, orders_table, start, stop


@pytest.fixture
def local() -> Iterator[Local]:
    running = start(None, ManualClock())
    running.dynamodb.ensure_table(orders_table())
    try:
        yield running
    finally:
        stop(running)
