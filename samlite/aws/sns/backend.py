"""moto's SNS backend with samlite's deliveries: moto keeps topics and subscriptions and checks
each call as SNS does; a Publish that passes its checks is handed, with the topic's
subscriptions as they stand, to `on_publish` (sources/sns/ delivers it) instead of moto's own
delivery to its in-memory SQS and Lambda. The one home of moto's SNS models, with route.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.sns.exceptions import InvalidParameterValue, SNSException, TopicNotFound
from moto.sns.models import SNSBackend, Topic

from samlite.aws.sns.model import PublishedMessage, SubscriptionView
from samlite.clock import Clock

OnPublish = Callable[[PublishedMessage], None]

# SNS API reference, "Publish": a message is at most 256 KB (262,144 bytes), message
# attributes included.
MAX_MESSAGE_BYTES = 262_144
# moto puts botocore's own error text inside some messages ("An error occurred (Code) when
# calling the Publish operation: text"); SNS's answer is the inner code and text.
_WRAPPED = re.compile(r"^An error occurred \((?P<code>\w+)\) when calling the \w+ operation: "
                      r"(?P<message>.*)$", re.DOTALL)


class SnsError(Exception):
    """An SNS error as SDKs see it: SNS's code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class LocalSnsBackend(SNSBackend):
    def __init__(self, region_name: str, account_id: str, *, on_publish: OnPublish,
                 clock: Clock) -> None:
        super().__init__(region_name, account_id)
        self._on_publish = on_publish
        self._clock = clock
        self._last_sequence: dict[str, int] = {}     # FIFO topic ARN -> last SequenceNumber
        self._sequence_of: dict[str, str] = {}       # MessageId -> its SequenceNumber, until read

    def create_topic(self, name: str, attributes: dict[str, str] | None = None,
                     tags: dict[str, str] | None = None) -> Topic:
        topic = super().create_topic(name, attributes, tags)
        # moto's Topic.publish delivers through moto's own backends; samlite's goes out here.
        topic.publish = lambda *args, **kwargs: self._publish(topic, *args, **kwargs)
        return topic

    # moto looks topics up in its global registry; this backend is not in it.
    def get_topic(self, arn: str) -> Topic:
        try:
            return self.topics[arn]
        except KeyError:
            raise TopicNotFound from None

    def delete_topic(self, arn: str) -> None:
        topic = self.topics.get(arn)
        if topic is not None:
            self.delete_topic_subscriptions(topic)
            self.topics.pop(arn, None)

    def publish(self, message: str, arn: str | None, phone_number: str | None = None,
                subject: str | None = None, message_attributes: dict[str, Any] | None = None,
                group_id: str | None = None, deduplication_id: str | None = None,
                message_structure: str | None = None) -> str:
        """SNS's Publish checks that moto lacks, before moto's own. InvalidParameterValue
        (code InvalidParameter) so that PublishBatch reports them per entry, as SNS does."""
        _check_message(message, message_structure, message_attributes)
        _check_subject(subject)
        if arn is not None and not phone_number and arn in self.topics \
                and _is_true(self.topics[arn].fifo_topic) and not group_id:
            raise InvalidParameterValue(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        return str(super().publish(message, arn, phone_number, subject, message_attributes,
                                   group_id, deduplication_id, message_structure))

    def publish_to_subscription(self, subscription_arn: str, message: str, *,
                                subject: str | None = None,
                                message_attributes: dict[str, Any] | None = None,
                                group_id: str | None = None,
                                deduplication_id: str | None = None) -> str:
        """A message for one subscription of its topic only (`samlite trigger` of a
        subscription; SNS has no such call), with Publish's checks on the message."""
        subscription = self.subscriptions.get(subscription_arn)
        if subscription is None:
            raise InvalidParameterValue(f"Invalid parameter: no subscription {subscription_arn}")
        _check_message(message, None, message_attributes)
        _check_subject(subject)
        topic = subscription.topic
        if _is_true(topic.fifo_topic) and not group_id:
            raise InvalidParameterValue(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        return self._publish(topic, message, subject, message_attributes, group_id,
                             deduplication_id, only_subscription=subscription_arn)

    def take_sequence_number(self, message_id: str) -> str | None:
        """The SequenceNumber a FIFO publish got (once; None for a standard topic)."""
        return self._sequence_of.pop(message_id, None)

    def _publish(self, topic: Topic, message: str, subject: str | None = None,
                 message_attributes: dict[str, Any] | None = None,
                 group_id: str | None = None, deduplication_id: str | None = None,
                 message_structure: str | None = None, *,
                 only_subscription: str | None = None) -> str:
        subscriptions, _ = self.list_subscriptions_by_topic(topic_arn=topic.arn)
        if only_subscription is not None:
            subscriptions = [s for s in subscriptions if s.arn == only_subscription]
        message_id = str(uuid.uuid4())
        if _is_true(topic.fifo_topic) and not deduplication_id and \
                _is_true(topic.content_based_deduplication):
            # "Message deduplication for FIFO topics": the SHA-256 of the body stands in.
            deduplication_id = hashlib.sha256(message.encode()).hexdigest()
        if _is_true(topic.fifo_topic):
            self._sequence_of[message_id] = self._next_sequence(topic.arn)
        self._on_publish(PublishedMessage(
            message_id=message_id, topic_arn=topic.arn, message=message, subject=subject,
            message_attributes=dict(message_attributes or {}),
            is_json_structure=message_structure == "json", group_id=group_id,
            deduplication_id=deduplication_id, timestamp_s=self._clock.now(),
            subscriptions=tuple(_view(s) for s in subscriptions)))
        return message_id

    def _next_sequence(self, topic_arn: str) -> str:
        """SNS API reference, "Publish": SequenceNumber is a 128-bit non-consecutive number
        that keeps growing per message group; here per topic, from the clock so it still
        grows after a restart."""
        number = max(self._last_sequence.get(topic_arn, 0) + 1, int(self._clock.now() * 1e6))
        self._last_sequence[topic_arn] = number
        return f"{number:020d}"

    def uninstall(self) -> None:
        """Nothing to undo: this backend is not in moto's global registry."""


def _is_true(value: Any) -> bool:
    """moto keeps topic attributes as given: True, "true" or "false"."""
    return value is True or str(value).lower() == "true"


def _check_message(message: str | None, structure: str | None,
                   attributes: dict[str, Any] | None) -> None:
    """The Publish rules on the message itself (SNS API reference, "Publish": Message and
    MessageStructure; texts as SNS answers them)."""
    if not message:
        raise InvalidParameterValue("Invalid parameter: Empty message")
    if structure == "json":
        try:
            document = json.loads(message)
        except ValueError:
            raise InvalidParameterValue(
                "Invalid parameter: Message Structure - JSON message body failed to parse"
            ) from None
        if not isinstance(document, dict) or "default" not in document:
            raise InvalidParameterValue(
                "Invalid parameter: Message Structure - No default entry in JSON message body")
    size = len(message.encode()) + sum(
        len(name.encode()) + len(str(a.get("Type", "")).encode())
        + len(str(a.get("Value", "")).encode()) for name, a in (attributes or {}).items())
    if size > MAX_MESSAGE_BYTES:
        raise InvalidParameterValue("Invalid parameter: Message too long")


def _check_subject(subject: str | None) -> None:
    """SNS API reference, "Publish": a Subject is ASCII text that begins with a letter,
    number or punctuation mark, without line breaks or control characters, under 100
    characters (SNS accepts 100, moto issue 1503); SNS answers "Invalid parameter: Subject"
    (as users report it, e.g. moto issue 1276)."""
    if subject is None:
        return
    if not subject or len(subject) > 100 or not subject.isascii() \
            or any(ord(c) < 32 or ord(c) == 127 for c in subject) or subject[0].isspace():
        raise InvalidParameterValue("Invalid parameter: Subject")


def unwrapped(exc: SNSException) -> tuple[str, str]:
    """SNS's code and message for a moto error, botocore's wrapping taken off."""
    found = _WRAPPED.match(exc.message or "")
    if found is None:
        return exc.code, exc.message
    return found["code"], found["message"]


def _view(subscription: Any) -> SubscriptionView:
    attributes = dict(subscription.attributes)
    return SubscriptionView(arn=subscription.arn, protocol=subscription.protocol,
                            endpoint=subscription.endpoint, attributes=attributes)


@contextmanager
def translated_errors() -> Iterator[None]:
    """moto's SNS errors as SnsError."""
    try:
        yield
    except SNSException as exc:
        raise SnsError(*unwrapped(exc)) from exc
