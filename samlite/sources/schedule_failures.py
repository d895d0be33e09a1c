"""What a schedule does when its target invocation fails: retry or give up, and the dead-letter
message it then sends. Pure: no clock, no queues (sources/schedule.py does the sending).

A schedule target invocation fails when the Invoke call itself is refused (the function is
gone, the payload is too large, a throttle), not when the function errs: Lambda took the
event then, and the function's own asynchronous retries apply. Retryable failures (throttles,
service errors) are tried again until the target's RetryPolicy runs out (MaximumRetryAttempts,
default 185; MaximumEventAgeInSeconds, default 86400); other failures are given up at once.
Given-up events go to the target's DeadLetterConfig queue with the attributes EventBridge
Scheduler sets ("Configuring a dead-letter queue for EventBridge Scheduler") or, for an
EventBridge schedule rule, those EventBridge sets ("Using dead-letter queues to process
undelivered events"). AWS does not publish its retry delays: here they double from 1 s up to
5 minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from samlite.graph.model import Schedule
from samlite.runtime import api_errors

DEFAULT_MAX_RETRY_ATTEMPTS = 185     # RetryPolicy defaults (EventBridge and Scheduler alike)
DEFAULT_MAX_EVENT_AGE_S = 86_400
FIRST_RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 300.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    code: str            # the Lambda API's error type ("ResourceNotFoundException")
    message: str
    is_retryable: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    max_retry_attempts: int = DEFAULT_MAX_RETRY_ATTEMPTS
    max_event_age_s: int = DEFAULT_MAX_EVENT_AGE_S


def retry_policy(schedule: Schedule) -> RetryPolicy:
    return RetryPolicy(
        max_retry_attempts=(DEFAULT_MAX_RETRY_ATTEMPTS if schedule.max_retry_attempts is None
                            else schedule.max_retry_attempts),
        max_event_age_s=(DEFAULT_MAX_EVENT_AGE_S if schedule.max_event_age_s is None
                         else schedule.max_event_age_s))


def failure_of(exc: Exception) -> Failure:
    """The failure an Invoke error is: throttles and service errors are worth retrying."""
    if isinstance(exc, api_errors.LambdaApiError):
        return Failure(code=exc.error_type, message=exc.message,
                       is_retryable=exc.status == 429 or exc.status >= 500)
    return Failure(code="InternalFailure", message=str(exc), is_retryable=False)


def exhausted_condition(policy: RetryPolicy, *, retries: int,
                        age_after_delay_s: float) -> str | None:
    """Why another retry may not be made (the RetryPolicy field that ran out), or None."""
    if retries >= policy.max_retry_attempts:
        return "MaximumRetryAttempts"
    if age_after_delay_s > policy.max_event_age_s:
        return "MaximumEventAgeInSeconds"
    return None


def retry_delay_s(retries: int) -> float:
    """The wait before retry number `retries + 1`."""
    return min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** min(retries, 16))


def scheduler_attributes(*, failure: Failure, execution_id: str, retries: int,
                         scheduled_time: str, schedule_arn: str, target_arn: str,
                         exhausted: str | None) -> Mapping[str, str]:
    """The message attributes of an EventBridge Scheduler dead-letter event."""
    attributes = {
        "ERROR_CODE": failure.code,
        "ERROR_MESSAGE": failure.message,
        "EXECUTION_ID": execution_id,
        "IS_PAYLOAD_TRUNCATED": "false",
        "RETRY_ATTEMPTS": str(retries),
        "SCHEDULED_TIME": scheduled_time,
        "SCHEDULE_ARN": schedule_arn,
        "TARGET_ARN": target_arn,
    }
    if exhausted is not None:
        attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
    return dict(sorted(attributes.items()))


def rule_attributes(*, failure: Failure, rule_arn: str, target_arn: str) -> Mapping[str, str]:
    """The message attributes of an EventBridge rule's dead-letter event."""
    return {"RULE_ARN": rule_arn, "TARGET_ARN": target_arn, "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": failure.message}
