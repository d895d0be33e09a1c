"""A message as ReceiveMessage hands it out: what the event source poller turns into an SQS
event record (sources/sqs/events.py). Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    # ApproximateReceiveCount, SentTimestamp (ms), SenderId, ApproximateFirstReceiveTimestamp
    # (ms); MessageGroupId when sent with one (FIFO, or a standard fair queue); for FIFO also
    # MessageDeduplicationId, SequenceNumber; AWSTraceHeader when sent with one. All strings.
    attributes: Mapping[str, str] = field(default_factory=dict)
    # name -> {"DataType": ..., "StringValue": ...} or {"DataType": ..., "BinaryValue": bytes},
    # as SQS's JSON protocol carries them (list values are reserved by SQS and never set).
    message_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    md5_of_message_attributes: str | None = None
