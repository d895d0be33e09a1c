"""S3 -> Lambda: each object event of the local S3 that a bucket's notification matches
(a SAM `S3` event or NotificationConfiguration.LambdaConfigurations) becomes an asynchronous
invocation with the S3 event record, as S3 invokes functions (S3 user guide, "Amazon S3
Event Notifications")."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Protocol

from samlite.aws.s3.object_event import ObjectEvent
from samlite.graph.model import Graph
from samlite.runtime import api_errors
from samlite.sources.s3.events import matches_notification, s3_event

log = logging.getLogger(__name__)


class AsyncInvoker(Protocol):
    def invoke_async(self, function: str, payload: bytes) -> str: ...


class S3Notifications:
    def __init__(self, graph: Graph, *, invoker: AsyncInvoker, region: str,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        self.graph = graph
        self._invoker = invoker
        self._region = region
        self._note = note

    def update(self, graph: Graph) -> None:
        self.graph = graph

    def on_event(self, event: ObjectEvent) -> None:
        for bucket in self.graph.buckets:
            if bucket.bucket_name != event.bucket:
                continue
            for notification in bucket.notifications:
                if not matches_notification(notification.events, notification.filter_rules,
                                            event.event_name, event.key):
                    continue
                self.invoke(notification.function, event, configuration_id=(
                    notification.event or f"{notification.function}Notification"))

    def invoke(self, function: str, event: ObjectEvent, *, configuration_id: str) -> str | None:
        """Invoke `function` asynchronously with S3's record of `event`; the request id, or
        None when Lambda refused the event (said in the function's log)."""
        payload = json.dumps(s3_event(event, region=self._region,
                                      configuration_id=configuration_id)).encode()
        try:
            return self._invoker.invoke_async(function, payload)
        except api_errors.LambdaApiError as exc:
            self._note(function, f"samlite: S3 event for s3://{event.bucket}/{event.key} not "
                                 f"delivered: {exc}")
            return None
