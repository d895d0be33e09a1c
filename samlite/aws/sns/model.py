"""What a Publish hands on: one message with its subscriptions as they stood. Pure data; the
delivery is sources/sns/'s business."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionView:
    arn: str
    protocol: str                    # "lambda", "sqs", ...
    endpoint: str                    # the function or queue ARN
    attributes: Mapping[str, Any] = field(default_factory=dict)   # as SetSubscriptionAttributes


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedMessage:
    message_id: str
    topic_arn: str
    message: str                     # as sent; MessageStructure json: the JSON document
    subject: str | None = None
    message_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #                                  name -> {"Type": "String", "Value": "..."}
    is_json_structure: bool = False  # MessageStructure json: a message per protocol
    group_id: str | None = None      # FIFO topics
    deduplication_id: str | None = None
    timestamp_s: float = 0.0
    subscriptions: tuple[SubscriptionView, ...] = ()
