"""SNS -> Lambda and SQS: each published message goes to every lambda and sqs subscription of
its topic whose filter policy lets it through, before Publish answers (so what SNS accepted
is already in Lambda's durable asynchronous queue or the SQS store, and survives a kill).
Lambda gets the SNS record asynchronously, as SNS invokes functions; SQS the JSON envelope,
or the raw message. A delivery that cannot be made (no such function or queue) goes to the
subscription's RedrivePolicy dead-letter queue when it has one ("Amazon SNS dead-letter
queues"), else is said in the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from samlite.aws.sns.model import PublishedMessage, SubscriptionView
from samlite.runtime import api_errors
from samlite.sources.sns.events import (
    lambda_event,
    message_for,
    passes_filter,
    raw_sqs_attributes,
    sqs_envelope,
)

log = logging.getLogger(__name__)

SYSTEM_LOG = "samlite"     # the log a delivery problem with no function to name goes to


class AsyncInvoker(Protocol):
    def invoke_async(self, function: str, payload: bytes) -> str: ...


class Queues(Protocol):
    def send(self, queue_name: str, body: str, *,
             message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
             group_id: str | None = None, deduplication_id: str | None = None) -> str: ...


class DeliveryFailed(Exception):
    pass


class SnsDeliveries:
    def __init__(self, *, invoker: AsyncInvoker, queues: Queues,
                 queue_name_for: Callable[[str], str | None],
                 function_for: Callable[[str], str | None], region: str,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        """`function_for(arn)` is the logical id of this app's function an ARN names;
        `queue_name_for(arn)` the local queue's name."""
        self._invoker = invoker
        self._queues = queues
        self._queue_name_for = queue_name_for
        self._function_for = function_for
        self._region = region
        self._note = note

    def on_publish(self, message: PublishedMessage) -> None:
        for subscription in message.subscriptions:
            if subscription.protocol not in ("lambda", "sqs"):
                continue
            if not passes_filter(subscription, message):
                continue
            try:
                self._deliver(message, subscription)
            except DeliveryFailed as exc:
                self._dead_letter(message, subscription, str(exc))

    def _deliver(self, message: PublishedMessage, subscription: SubscriptionView) -> None:
        if subscription.protocol == "lambda":
            function = self._function_for(subscription.endpoint)
            if function is None:
                raise DeliveryFailed(f"{subscription.endpoint} is not a function of this app")
            payload = json.dumps(lambda_event(message, subscription, self._region)).encode()
            try:
                self._invoker.invoke_async(function, payload)
            except api_errors.LambdaApiError as exc:
                raise DeliveryFailed(f"{function} refused the event: {exc}") from exc
            return
        queue = self._queue_name_for(subscription.endpoint)
        if queue is None:
            raise DeliveryFailed(f"{subscription.endpoint} is not a local queue")
        is_raw = str(subscription.attributes.get("RawMessageDelivery", "")).lower() == "true"
        if is_raw:
            body = message_for(message, "sqs")
            attributes = raw_sqs_attributes(message)
        else:
            body, attributes = sqs_envelope(message, subscription, self._region), {}
        self._send(queue, body, attributes, message)

    def _send(self, queue: str, body: str, attributes: Mapping[str, Mapping[str, Any]],
              message: PublishedMessage) -> None:
        fifo = queue.endswith(".fifo")
        try:
            self._queues.send(queue, body, message_attributes=attributes,
                              group_id=message.group_id if fifo else None,
                              deduplication_id=(message.deduplication_id or message.message_id)
                              if fifo else None)
        except Exception as exc:   # the queue's own error (SqsError): the delivery failed
            raise DeliveryFailed(f"queue {queue} refused the message: {exc}") from exc

    def _dead_letter(self, message: PublishedMessage, subscription: SubscriptionView,
                     why: str) -> None:
        target = _dead_letter_arn(subscription)
        queue = self._queue_name_for(target) if target else None
        where = self._function_for(subscription.endpoint) or SYSTEM_LOG
        if queue is None:
            dropped = (f"dropped: its dead-letter queue {target} is not a local queue"
                       if target else "dropped: the subscription has no dead-letter queue")
            self._note(where, f"samlite: SNS message {message.message_id} not delivered to "
                              f"{subscription.arn}: {why}; {dropped}")
            return
        try:
            self._send(queue, sqs_envelope(message, subscription, self._region), {}, message)
        except DeliveryFailed as exc:
            self._note(where, f"samlite: SNS message {message.message_id} lost: {why}; {exc}")
            return
        self._note(where, f"samlite: SNS message {message.message_id} sent to dead-letter "
                          f"queue {queue}: {why}")


def _dead_letter_arn(subscription: SubscriptionView) -> str | None:
    try:
        policy = json.loads(str(subscription.attributes.get("RedrivePolicy") or "{}"))
    except ValueError:
        return None
    target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
    return str(target) if target else None
