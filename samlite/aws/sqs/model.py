"""The local SQS's data: queue settings, stored messages, what a send returns, the Journal
a store reports changes to, SQS's errors with their codes, and SQS's MD5 digests. Pure."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"   # moto's; SQS reports the sender's IAM user id

# A message is in exactly one of these states; counts per state are SQS's Approximate*.
DELAYED, READY, IN_FLIGHT = 0, 1, 2


class SqsError(Exception):
    """An SQS error with AWS's code and message, as SQS would answer it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def queue_does_not_exist() -> SqsError:
    return SqsError("AWS.SimpleQueueService.NonExistentQueue",
                    "The specified queue does not exist.")


def receipt_handle_is_invalid(handle: str) -> SqsError:
    return SqsError("ReceiptHandleIsInvalid",
                    f'The input receipt handle "{handle}" is not a valid receipt handle.')


def message_not_inflight() -> SqsError:
    return SqsError("AWS.SimpleQueueService.MessageNotInflight",
                    "The message referred to isn't in flight.")


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueConfig:
    """What the engine needs of a queue's attributes (backend.py derives it)."""

    name: str
    arn: str
    is_fifo: bool = False
    visibility_timeout_s: int = 30
    delay_s: int = 0
    retention_s: int = 345600
    receive_wait_s: int = 0
    content_based_dedup: bool = False
    dlq_name: str | None = None              # RedrivePolicy deadLetterTargetArn, as a name
    max_receive_count: int | None = None     # RedrivePolicy maxReceiveCount


class StoredMessage:
    """One message as the engine and the journal keep it. Mutable: receives change it."""

    __slots__ = ("body", "dedup_id", "delay_until", "first_receive_ms", "group_id",
                 "md5_of_body",
                 "md5_of_message_attributes", "message_attributes", "message_id",
                 "receive_count", "received_at", "sender_id", "sent_ms", "sequence_number",
                 "state", "trace_header", "version")

    def __init__(self, *, message_id: str, body: str, sent_ms: int,
                 message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
                 md5_of_body: str | None = None, md5_of_message_attributes: str | None = None,
                 sender_id: str = DEFAULT_SENDER_ID, group_id: str | None = None,
                 dedup_id: str | None = None, sequence_number: str | None = None,
                 receive_count: int = 0, first_receive_ms: int | None = None,
                 delay_until: float = 0.0, trace_header: str | None = None) -> None:
        self.message_id = message_id
        self.body = body
        self.sent_ms = sent_ms
        self.message_attributes = dict(message_attributes or {})
        self.md5_of_body = md5_of_body or md5_hex(body)
        self.md5_of_message_attributes = md5_of_message_attributes or (
            message_attributes_md5(self.message_attributes) if self.message_attributes
            else None)
        self.sender_id = sender_id
        # FIFO: the message group; standard: a fair queue's tenant (SQS developer guide,
        # "Amazon SQS fair queues"), kept and handed out but never ordering anything.
        self.group_id = group_id
        self.trace_header = trace_header   # the AWSTraceHeader system attribute
        self.dedup_id = dedup_id
        self.sequence_number = sequence_number
        self.receive_count = receive_count
        self.first_receive_ms = first_receive_ms
        self.delay_until = delay_until   # epoch s; a delay outlives a restart
        self.received_at = 0.0       # when the current receive happened (visibility's 12 h cap)
        self.state = READY
        self.version = 0             # bumped on every change, so stale timers are ignored


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    message_id: str
    md5_of_body: str
    md5_of_message_attributes: str | None = None
    sequence_number: str | None = None
    is_duplicate: bool = False       # FIFO: deduplicated; SQS answers with the first message


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    visible: int
    not_visible: int
    delayed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupEntry:
    dedup_id: str
    expires_at: float
    message_id: str
    sequence_number: str | None


class Journal(Protocol):
    """Where changes go to survive a restart; each call is one committed transaction."""

    def added(self, queue: str, message: StoredMessage, dedup: DedupEntry | None) -> None: ...

    def received(self, queue: str, messages: Sequence[StoredMessage]) -> None: ...

    def deleted(self, queue: str, message_ids: Sequence[str]) -> None: ...

    def moved(self, source: str, target: str, message: StoredMessage) -> None: ...

    def purged(self, queue: str) -> None: ...

    def queue_dropped(self, queue: str) -> None: ...


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def message_attributes_md5(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5OfMessageAttributes, as SQS computes it ("Calculating the MD5 message digest for
    message attributes"): per name in order, length-prefixed name, type, transport byte, value."""
    digest = hashlib.md5(usedforsecurity=False)

    def put(value: bytes) -> None:
        digest.update(struct.pack("!I", len(value)))
        digest.update(value)

    for name in sorted(attributes):
        value = attributes[name]
        put(name.encode())
        put(str(value["DataType"]).encode())
        if value.get("StringValue") is not None:
            digest.update(b"\x01")
            put(str(value["StringValue"]).encode())
        elif value.get("BinaryValue") is not None:
            binary = value["BinaryValue"]
            digest.update(b"\x02")
            put(binary if isinstance(binary, bytes) else str(binary).encode())
    return digest.hexdigest()
