"""moto's SNS backend with samlite's deliveries: moto keeps topics and subscriptions and checks
each call as SNS does; a Publish that passes its checks is handed, with the topic's
subscriptions as they stand, to `on_publish` (sources/sns/ delivers it) instead of moto's own
delivery to its in-memory SQS and Lambda. The one home of moto's SNS models, with route.py.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.sns.exceptions import SNSException, TopicNotFound
from moto.sns.models import SNSBackend, Topic

from samlite.aws.sns.model import PublishedMessage, SubscriptionView
from samlite.clock import Clock

OnPublish = Callable[[PublishedMessage], None]


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

    def _publish(self, topic: Topic, message: str, subject: str | None = None,
                 message_attributes: dict[str, Any] | None = None,
                 group_id: str | None = None, deduplication_id: str | None = None,
                 message_structure: str | None = None) -> str:
        subscriptions, _ = self.list_subscriptions_by_topic(topic_arn=topic.arn)
        message_id = str(uuid.uuid4())
        if _is_true(topic.fifo_topic) and not deduplication_id and \
                _is_true(topic.content_based_deduplication):
            # "Message deduplication for FIFO topics": the SHA-256 of the body stands in.
            deduplication_id = hashlib.sha256(message.encode()).hexdigest()
        self._on_publish(PublishedMessage(
            message_id=message_id, topic_arn=topic.arn, message=message, subject=subject,
            message_attributes=dict(message_attributes or {}),
            is_json_structure=message_structure == "json", group_id=group_id,
            deduplication_id=deduplication_id, timestamp_s=self._clock.now(),
            subscriptions=tuple(_view(s) for s in subscriptions)))
        return message_id

    def uninstall(self) -> None:
        """Nothing to undo: this backend is not in moto's global registry."""


def _is_true(value: Any) -> bool:
    """moto keeps topic attributes as given: True, "true" or "false"."""
    return value is True or str(value).lower() == "true"


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
        raise SnsError(exc.code, exc.message) from exc
