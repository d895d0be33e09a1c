"""Lambda's own log lines, character for character (the REPORT line, the timeout line), and
the log stream they go to.

Formats as CloudWatch Logs shows them for a Python function (recorded against AWS in
localstack's tests/aws/services/lambda_/test_lambda.snapshot.json, log_events):
`REPORT RequestId: <id>\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\t
Max Memory Used: 36 MB\tInit Duration: 110.10 ms\t`, and the timeout line
`2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samlite.runtime.invocation import Report, timeout_log_line
from samlite.runtime.service import report_line
from samlite.runtime.spec import log_stream_name

RID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"


CASES = [
    ("warm", Report(duration_ms=2.9, memory_size_mb=128, max_memory_used_mb=36), None,
     f"REPORT RequestId: {RID}\tDuration: 2.90 ms\tBilled Duration: 3 ms\t"
     "Memory Size: 128 MB\tMax Memory Used: 36 MB\t"),
    ("cold start", Report(duration_ms=3.01, memory_size_mb=128, max_memory_used_mb=36,
                          init_duration_ms=110.1), None,
     f"REPORT RequestId: {RID}\tDuration: 3.01 ms\tBilled Duration: 114 ms\t"
     "Memory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 110.10 ms\t"),
    ("timeout", Report(duration_ms=3000.0, memory_size_mb=128, max_memory_used_mb=40),
     "timeout",
     f"REPORT RequestId: {RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
     "Memory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: timeout\t"),
]


@pytest.mark.parametrize(("case", "report", "status", "expected"), CASES,
                         ids=[case[0] for case in CASES])
def test_report_line_is_lambdas(case: str, report: Report, status: str | None,
                                expected: str) -> None:
    assert report_line(RID, report, status) == expected


def test_timeout_line_has_a_millisecond_utc_timestamp() -> None:
    at = datetime(2024, 1, 1, 0, 0, 0, 7000, tzinfo=UTC).timestamp()
    assert timeout_log_line(at, RID, 3.0) == (
        f"2024-01-01T00:00:00.007Z {RID} Task timed out after 3.00 seconds")


def test_log_stream_is_named_for_the_environments_start_day() -> None:
    # As Lambda names them: 2024/01/28/[$LATEST]e3c5df2a83b9470b8737aa2613c47db6.
    at = datetime(2024, 1, 28, 23, 59, 59, tzinfo=UTC).timestamp()
    stream_id = "e3c5df2a83b9470b8737aa2613c47db6"
    assert log_stream_name(at, stream_id) == f"2024/01/28/[$LATEST]{stream_id}"
