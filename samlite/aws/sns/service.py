"""The local SNS as the app uses it: template topics and subscriptions made at startup, and the
Route that serves them to SDKs on the endpoint. Every Publish that SNS would accept is handed
to `on_publish` before the caller gets its MessageId, so a delivery is in the durable
asynchronous queue (Lambda) or the SQS store before SNS answers. One instance per app.

Importing this module does not import moto (`samlite validate` stays fast): LocalSns imports
it when built, and route() when asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.sns.model import PublishedMessage
from samlite.aws.sns.persist import SavedSubscription, SavedTopic, SnsPersistence
from samlite.clock import Clock
from samlite.http.messages import Route

if TYPE_CHECKING:
    from samlite.aws.sns.backend import LocalSnsBackend

__all__ = ["LocalSns"]


class LocalSns:
    def __init__(self, *, account_id: str, region: str, clock: Clock,
                 on_publish: Callable[[PublishedMessage], None],
                 db_path: Path | None = None) -> None:
        """`db_path`: where topics and subscriptions made through the API are kept (None:
        memory only)."""
        from samlite.aws.sns.backend import LocalSnsBackend

        self._account_id = account_id
        self._region = region
        self._backend: LocalSnsBackend = LocalSnsBackend(region, account_id,
                                                         on_publish=on_publish, clock=clock)
        self._route: Route | None = None
        self._template_arns: set[str] = set()   # the template's own: made again each start
        self._save_lock = threading.Lock()
        self._persistence = SnsPersistence(db_path) if db_path is not None else None
        if self._persistence is not None:
            self._restore(*self._persistence.load())

    @property
    def backend(self) -> LocalSnsBackend:
        return self._backend

    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self._region}:{self._account_id}:{name}"

    def ensure_topic(self, name: str, *, is_fifo: bool = False,
                     content_based_deduplication: bool = False) -> str:
        """A template topic exists; its ARN."""
        attributes: dict[str, Any] = {}
        if is_fifo:
            attributes["FifoTopic"] = True
            attributes["ContentBasedDeduplication"] = content_based_deduplication
        with _moto_errors_translated():
            arn = str(self._backend.create_topic(name, attributes).arn)
        self._template_arns.add(arn)
        return arn

    def ensure_subscription(self, topic_arn: str, protocol: str, endpoint: str,
                            attributes: Mapping[str, str]) -> str:
        """A template subscription exists with these attributes (FilterPolicyScope before
        FilterPolicy, which is read in its scope); its ARN."""
        with _moto_errors_translated():
            subscription = self._backend.subscribe(topic_arn, endpoint, protocol)
            order = sorted(attributes, key=lambda name: name != "FilterPolicyScope")
            for name in order:
                self._backend.set_subscription_attributes(subscription.arn, name,
                                                          attributes[name])
        self._template_arns.add(str(subscription.arn))
        return str(subscription.arn)

    def publish(self, topic_arn: str, message: str, *, subject: str | None = None,
                message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
                group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """Publish in-process (EventBridge targets, `samlite trigger`); the MessageId."""
        with _moto_errors_translated():
            message_id = str(self._backend.publish(
                message, arn=topic_arn, subject=subject,
                message_attributes=dict(message_attributes or {}), group_id=group_id,
                deduplication_id=deduplication_id))
        self._backend.take_sequence_number(message_id)   # no caller asks for it here
        return message_id

    def publish_to(self, topic_arn: str, protocol: str, endpoint: str, message: str, *,
                   subject: str | None = None,
                   message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
                   group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """Publish in-process to the topic's one subscription of `protocol` to `endpoint`
        (`samlite trigger SUBSCRIPTION`): its other subscribers get nothing. The MessageId."""
        with _moto_errors_translated():
            subscriptions, _ = self._backend.list_subscriptions_by_topic(topic_arn=topic_arn)
            arn = next((str(s.arn) for s in subscriptions
                        if s.protocol == protocol and s.endpoint == endpoint), "")
            message_id = self._backend.publish_to_subscription(
                arn, message, subject=subject,
                message_attributes=dict(message_attributes or {}), group_id=group_id,
                deduplication_id=deduplication_id)
        self._backend.take_sequence_number(message_id)
        return message_id

    def route(self) -> Route:
        if self._route is None:
            from samlite.aws.sns.route import SnsRoute

            self._route = SnsRoute(self._backend, account_id=self._account_id,
                                   region=self._region, on_change=self.save)
        return self._route

    # --- persistence --------------------------------------------------------------------------
    def save(self) -> None:
        """Keep the topics and subscriptions made through the API (the template's are not
        kept: the template makes them again)."""
        if self._persistence is None:
            return
        with self._save_lock:
            topics = [SavedTopic(arn=t.arn, name=t.name, attributes={
                "FifoTopic": bool(t.fifo_topic) and str(t.fifo_topic).lower() != "false",
                "ContentBasedDeduplication": str(t.content_based_deduplication).lower()
                == "true"}) for t in list(self._backend.topics.values())
                if t.arn not in self._template_arns]
            subscriptions = [SavedSubscription(
                arn=s.arn, topic_arn=s.topic.arn, protocol=s.protocol, endpoint=s.endpoint,
                attributes={k: v for k, v in s.attributes.items() if k in _SETTABLE})
                for s in list(self._backend.subscriptions.values())
                if s.arn not in self._template_arns]
            self._persistence.replace_all(topics, subscriptions)

    def _restore(self, topics: list[SavedTopic],
                 subscriptions: list[SavedSubscription]) -> None:
        with _moto_errors_translated():
            for topic in topics:
                attributes = {k: v for k, v in topic.attributes.items() if v}
                self._backend.create_topic(topic.name, attributes)
            for saved in subscriptions:
                if saved.topic_arn not in self._backend.topics:
                    continue
                made = self._backend.subscribe(saved.topic_arn, saved.endpoint, saved.protocol)
                # The ARN callers were given stays the subscription's ARN.
                self._backend.subscriptions.pop(made.arn, None)
                made.arn = saved.arn
                made.attributes["SubscriptionArn"] = saved.arn
                self._backend.subscriptions[saved.arn] = made
                order = sorted(saved.attributes, key=lambda name: name != "FilterPolicyScope")
                for name in order:
                    self._backend.set_subscription_attributes(saved.arn, name,
                                                              saved.attributes[name])

    def close(self) -> None:
        if self._persistence is not None:
            self._persistence.close()
            self._persistence = None


_SETTABLE = ("RawMessageDelivery", "DeliveryPolicy", "FilterPolicyScope", "FilterPolicy",
             "RedrivePolicy", "SubscriptionRoleArn")


def subscription_attributes(*, filter_policy: str | None, filter_policy_scope: str,
                            is_raw: bool, dead_letter_arn: str | None) -> dict[str, str]:
    """A template subscription's properties as SetSubscriptionAttributes takes them."""
    attributes = {"FilterPolicyScope": filter_policy_scope,
                  "RawMessageDelivery": "true" if is_raw else "false"}
    if filter_policy:
        attributes["FilterPolicy"] = filter_policy
    if dead_letter_arn:
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dead_letter_arn})
    return attributes


def _moto_errors_translated() -> Any:
    from samlite.aws.sns.backend import translated_errors

    return translated_errors()
