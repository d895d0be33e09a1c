"""One invocation and its outcome, and Lambda's error shapes and wording. Pure.

Wording follows what Lambda itself returns and logs ("Task timed out after 3.00 seconds",
"Runtime exited with error: signal: killed") and the Invoke API's error types
(API reference, "Invoke": Errors).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class InvocationType(StrEnum):
    REQUEST_RESPONSE = "RequestResponse"
    EVENT = "Event"
    DRY_RUN = "DryRun"


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    request_id: str
    function: str                        # logical id
    payload: bytes
    invoked_function_arn: str
    trace_id: str
    client_context: str | None = None    # JSON text (the Invoke API's base64, decoded)
    cognito_identity: str | None = None
    invocation_type: InvocationType = InvocationType.REQUEST_RESPONSE
    tail_logs: bool = False              # LogType: Tail
    tenant_id: str | None = None         # TenantId, for a tenant-isolated function
    # Who invoked, for the dashboard (runtime/triggers.py): a source that knows says so;
    # None lets the event's shape tell. `attempt` is an asynchronous event's run, 1 first.
    trigger: str | None = None
    attempt: int = 0
    attempts_allowed: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """What the REPORT line says about one invocation."""

    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None   # cold starts only

    @property
    def billed_duration_ms(self) -> int:
        # Lambda bills in 1 ms increments, rounding up; the init phase is billed too
        # (on-demand functions, managed runtimes, since 2025-08-01).
        return max(1, math.ceil(self.duration_ms + (self.init_duration_ms or 0.0)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    request_id: str
    payload: bytes                       # the response, or the error document
    function_error: str | None = None    # "Unhandled" when the function failed
    logs: str = ""                       # this invocation's log lines (for LogType Tail)
    report: Report | None = None
    executed_version: str = "$LATEST"

    @property
    def is_error(self) -> bool:
        return self.function_error is not None


# Error types Lambda reports for failures outside the handler.
TIMEOUT_ERROR_TYPE = "Sandbox.Timedout"
RUNTIME_EXIT_ERROR_TYPE = "Runtime.ExitError"
OUT_OF_MEMORY_ERROR_TYPE = "Runtime.OutOfMemory"
UNKNOWN_ERROR_TYPE = "Runtime.Unknown"
RESPONSE_TOO_LARGE_ERROR_TYPE = "Function.ResponseSizeTooLarge"


def error_document(error_type: str, message: str, *, trace: list[str] | None = None) -> bytes:
    body: dict[str, object] = {"errorMessage": message, "errorType": error_type}
    if trace is not None:
        body["stackTrace"] = trace
    return json.dumps(body).encode()


def timed_out(timeout_s: float) -> str:
    """The error a caller gets, errorType Sandbox.Timedout; the log line is
    `<timestamp> <request id> Task timed out after 3.00 seconds`."""
    return f"Task timed out after {timeout_s:.2f} seconds"


def timeout_log_line(now_s: float, request_id: str, timeout_s: float) -> str:
    """The line Lambda logs when an invocation times out: an ISO 8601 UTC timestamp with
    milliseconds, the request id and the message (`2024-01-01T00:00:00.000Z <id> Task timed
    out after 3.00 seconds`, as CloudWatch Logs shows it)."""
    stamp = datetime.fromtimestamp(now_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return f"{stamp}Z {request_id} {timed_out(timeout_s)}"


def runtime_exited(signal_name: str | None, exit_code: int | None) -> str:
    if signal_name:
        return f"Runtime exited with error: signal: {signal_name}"
    return f"Runtime exited with error: exit status {exit_code}"


def request_error(request_id: str, error: str) -> str:
    """Lambda's wording for failures outside the handler: `RequestId: <id> Error: <error>`."""
    return f"RequestId: {request_id} Error: {error}"


def response_too_large(size: int, limit: int) -> str:
    return (f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
            f"({limit} bytes).")
