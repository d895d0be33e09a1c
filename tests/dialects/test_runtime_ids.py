"""The Lambda runtime table and how a runtime's status follows AWS's dates."""

from __future__ import annotations

from datetime import date

import pytest

from samlite.dialects.runtime_ids import RUNTIMES, RuntimeStatus, runtime_named

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("name", "status"), [
    ("python3.14", RuntimeStatus.SUPPORTED),
    ("python3.13", RuntimeStatus.SUPPORTED),
    ("python3.12", RuntimeStatus.SUPPORTED),
    ("python3.11", RuntimeStatus.UPDATE_BLOCKED),
    ("python3.9", RuntimeStatus.DEPRECATED),
    ("python3.8", RuntimeStatus.UPDATE_BLOCKED),
    ("python3.7", RuntimeStatus.UPDATE_BLOCKED),
    ("python2.7", RuntimeStatus.UPDATE_BLOCKED),
    ("nodejs22.x", RuntimeStatus.SUPPORTED),
    ("nodejs20.x", RuntimeStatus.CREATE_BLOCKED),
    ("nodejs12.x", RuntimeStatus.UPDATE_BLOCKED),
    ("dotnet6", RuntimeStatus.UPDATE_BLOCKED),
    ("java21", RuntimeStatus.SUPPORTED),
    ("provided.al2023", RuntimeStatus.SUPPORTED),
    ("go1.x", RuntimeStatus.UPDATE_BLOCKED),
], ids=str)
def test_status_on_2026_11_25(name: str, status: RuntimeStatus) -> None:
    runtime = runtime_named(name)
    assert runtime is not None
    assert runtime.status(TODAY) is status


@pytest.mark.parametrize(("day", "status"), [
    (date(2026, 6, 29), RuntimeStatus.SUPPORTED),
    (date(2026, 6, 30), RuntimeStatus.DEPRECATED),
    (date(2026, 7, 31), RuntimeStatus.CREATE_BLOCKED),
    (date(2026, 8, 31), RuntimeStatus.UPDATE_BLOCKED),
], ids=str)
def test_status_changes_on_the_published_dates(day: date, status: RuntimeStatus) -> None:
    assert RUNTIMES["python3.11"].status(day) is status


def test_python_runtimes_know_their_version() -> None:
    assert RUNTIMES["python3.12"].python_version == (3, 12)
    assert RUNTIMES["python3.12"].is_python
    assert RUNTIMES["nodejs22.x"].python_version is None
    assert not RUNTIMES["nodejs22.x"].is_python


def test_unknown_runtime_is_none() -> None:
    assert runtime_named("python4.0") is None


@pytest.mark.parametrize("runtime", list(RUNTIMES.values()), ids=lambda r: r.name)
def test_create_is_blocked_before_update(runtime) -> None:  # type: ignore[no-untyped-def]
    if runtime.block_create_on and runtime.block_update_on:
        assert runtime.block_create_on <= runtime.block_update_on
