"""moto's SQS backend with samlite's message engine: moto keeps the queues (names, attribute
validation, policies, tags, AWS's error types), QueueStore keeps the messages, and
SqsPersistence (when given) keeps both across restarts.

moto's own message list is never used: it is scanned on every receive and delete and lives in
memory only. Imports moto, so only service.py's LocalSqs (lazily) and route.py import this.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from moto.sqs.exceptions import (
    InvalidParameterValue,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    SQSException,
)
from moto.sqs.models import MAXIMUM_MESSAGE_DELAY, Queue, SQSBackend, sqs_backends

from samlite.aws.sqs import limits
from samlite.aws.sqs.message import ReceivedMessage
from samlite.aws.sqs.model import (
    QueueConfig,
    SqsError,
    message_attributes_md5,
    queue_does_not_exist,
)
from samlite.aws.sqs.persist import SqsPersistence
from samlite.aws.sqs.store import QueueStore

# Not in moto's Queue.BASE_ATTRIBUTES, but SQS keeps and returns it.
REDRIVE_ALLOW_POLICY = "RedriveAllowPolicy"
_COUNT_ATTRIBUTES = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                     "ApproximateNumberOfMessagesDelayed")

# moto's Queue finds a RedrivePolicy's DLQ in the global sqs_backends[account][region]; two
# apps with the same account and region in one process take turns owning that slot.
_GLOBAL_SLOT = threading.RLock()


class LocalSqsBackend(SQSBackend):
    def __init__(self, region_name: str, account_id: str, *, store: QueueStore,
                 persistence: SqsPersistence | None = None) -> None:
        super().__init__(region_name, account_id)
        self.store = store
        self._persistence = persistence
        self._given: dict[str, dict[str, str]] = {}    # attributes as users set them
        self.install()

    def install(self) -> None:
        """Be the backend moto's models find for this account and region."""
        sqs_backends[self.account_id][self.region_name] = self

    def uninstall(self) -> None:
        """Leave moto's global slot (if still ours), so a closed app is not kept alive."""
        with _GLOBAL_SLOT, contextlib.suppress(KeyError):
            backends = sqs_backends[self.account_id]
            if backends.get(self.region_name) is self:
                del backends[self.region_name]

    @contextlib.contextmanager
    def _installed(self) -> Iterator[None]:
        with _GLOBAL_SLOT:
            self.install()
            yield

    def restore(self) -> None:
        """Recreate the saved queues (dead-letter queues first) and put their messages back."""
        if self._persistence is None:
            return
        pending = list(self._persistence.queues())
        while pending:
            ready = [q for q in pending if self._dlq_exists_for(q.attributes)]
            # A DLQ deleted meanwhile must not keep its sources from coming back.
            batch = ready or pending
            for saved in batch:
                attributes = dict(saved.attributes)
                if not ready:
                    attributes.pop("RedrivePolicy", None)
                try:
                    self.create_queue(saved.name, dict(saved.tags), **attributes)
                except SQSException:   # saved by an older samlite and no longer valid
                    attributes = {k: v for k, v in attributes.items() if k == "FifoQueue"}
                    self.create_queue(saved.name, dict(saved.tags), **attributes)
                self.store.restore(saved.name, self._persistence.messages(saved.name),
                                   self._persistence.dedup(saved.name))
            pending = [q for q in pending if q not in batch]

    def _dlq_exists_for(self, attributes: Mapping[str, str]) -> bool:
        policy = attributes.get("RedrivePolicy")
        if not policy:
            return True
        try:
            arn = json.loads(policy)["deadLetterTargetArn"]
        except (ValueError, KeyError, TypeError):
            return True
        return any(q.queue_arn == arn for q in self.queues.values())

    # -- queues ---------------------------------------------------------------------------

    def create_queue(self, name: str, tags: dict[str, str] | None = None,
                     **kwargs: Any) -> Queue:
        kwargs.pop("region", None)
        attributes = {k: _attribute_text(v) for k, v in kwargs.items()}
        with self._installed():
            existed = name in self.queues
            queue = super().create_queue(name, tags, **attributes)
        if not existed:
            self._given[name] = attributes
        self._sync(queue)
        return queue

    def set_queue_attributes(self, queue_name: str, attributes: dict[str, Any]) -> Queue:
        attributes = {k: _attribute_text(v) for k, v in attributes.items()}
        with self._installed():
            queue = super().set_queue_attributes(queue_name, attributes)
        given = self._given.setdefault(queue_name, {})
        for key, value in attributes.items():
            if value == "" and key in ("RedrivePolicy", REDRIVE_ALLOW_POLICY, "Policy"):
                given.pop(key, None)       # an empty policy removes it, as in SQS
            else:
                given[key] = value
        if attributes.get(REDRIVE_ALLOW_POLICY) == "":
            queue.redrive_allow_policy = None
        self._sync(queue)
        return queue

    def delete_queue(self, queue_name: str) -> None:
        super().delete_queue(queue_name)
        self._given.pop(queue_name, None)
        self.store.drop(queue_name)

    def tag_queue(self, queue_name: str, tags: dict[str, str]) -> None:
        super().tag_queue(queue_name, tags)
        self._save(self.get_queue(queue_name))

    def untag_queue(self, queue_name: str, tag_keys: list[str]) -> None:
        super().untag_queue(queue_name, tag_keys)
        self._save(self.get_queue(queue_name))

    def get_queue_attributes(self, queue_name: str,
                             attribute_names: list[str]) -> dict[str, Any]:
        queue = self.get_queue(queue_name)
        wants_all = "All" in attribute_names
        # moto validates the names it knows; RedriveAllowPolicy is answered here.
        names = [n for n in attribute_names if n != REDRIVE_ALLOW_POLICY]
        result = super().get_queue_attributes(queue_name, names) if names else {}
        allow = getattr(queue, "redrive_allow_policy", None)
        if allow and (wants_all or REDRIVE_ALLOW_POLICY in attribute_names):
            result[REDRIVE_ALLOW_POLICY] = allow
        if any(name in result for name in _COUNT_ATTRIBUTES):
            counts = self.store.counts(queue_name)
            for name, value in zip(_COUNT_ATTRIBUTES,
                                   (counts.visible, counts.not_visible, counts.delayed),
                                   strict=True):
                if name in result:
                    result[name] = value
        return result

    def _sync(self, queue: Queue) -> None:
        policy = getattr(queue, "redrive_policy", None) or None
        dlq = getattr(queue, "dead_letter_queue", None)
        self.store.configure(QueueConfig(
            name=queue.name, arn=queue.queue_arn, is_fifo=bool(queue.fifo_queue),
            visibility_timeout_s=int(queue.visibility_timeout),
            delay_s=int(queue.delay_seconds),
            retention_s=int(queue.message_retention_period),
            receive_wait_s=int(queue.receive_message_wait_time_seconds),
            content_based_dedup=bool(getattr(queue, "content_based_deduplication", False)),
            dlq_name=dlq.name if policy and dlq is not None else None,
            max_receive_count=int(policy["maxReceiveCount"]) if policy else None))
        self._save(queue)

    def _save(self, queue: Queue) -> None:
        if self._persistence is not None:
            self._persistence.save_queue(queue.name, self._given.get(queue.name, {}),
                                         dict(queue.tags))

    # -- messages -------------------------------------------------------------------------

    def send_message(self, queue_name: str, message_body: str,
                     message_attributes: dict[str, Any] | None = None,
                     delay_seconds: int | None = None, deduplication_id: str | None = None,
                     group_id: str | None = None,
                     system_attributes: dict[str, Any] | None = None,
                     validate_group_id: bool = True) -> SentMessage:
        queue = self.get_queue(queue_name)
        try:
            limits.check_message(message_body, message_attributes,
                                 max_bytes=int(queue.maximum_message_size))
        except SqsError as exc:
            raise _moto_error(exc) from exc
        self._validate_message(queue, message_body=message_body,
                               delay_seconds=int(delay_seconds or 0),
                               deduplication_id=deduplication_id, group_id=group_id,
                               validate_group_id=validate_group_id)
        delay = int(delay_seconds) if delay_seconds is not None else None
        if delay is not None and (delay < 0 or delay > MAXIMUM_MESSAGE_DELAY):
            raise InvalidParameterValue(
                f"Value {delay} for parameter DelaySeconds is invalid. "
                "Reason: DelaySeconds must be >= 0 and <= 900.")
        try:
            sent = self.store.send(queue_name, message_body,
                                   message_attributes=message_attributes, delay_s=delay,
                                   group_id=group_id, dedup_id=deduplication_id,
                                   trace_header=_trace_header(system_attributes))
        except SqsError as exc:
            raise _moto_error(exc) from exc
        return SentMessage(message_id=sent.message_id, body_md5=sent.md5_of_body,
                           message_attributes=message_attributes or {},
                           attribute_md5=sent.md5_of_message_attributes,
                           sequence_number=sent.sequence_number)

    def send_message_batch(self, queue_name: str, entries: dict[str, dict[str, Any]]) -> \
            tuple[list[Any], list[dict[str, Any]]]:
        """Entries SQS refuses fail one by one, with their own code and message
        ("SendMessageBatch": the result of each message is reported individually)."""
        queue = self.get_queue(queue_name)
        # "SendMessageBatch": the sum of all the messages is at most 1 MiB, in bytes with
        # their attributes (moto counts the bodies' characters).
        total = sum(limits.message_size(e.get("MessageBody") or "",
                                        e.get("MessageAttributes") or {})
                    for e in entries.values())
        if total > limits.MAX_MESSAGE_BYTES:
            from moto.sqs.exceptions import BatchRequestTooLong
            raise BatchRequestTooLong(total)
        refused: list[dict[str, Any]] = []
        accepted: dict[str, dict[str, Any]] = {}
        for key, entry in entries.items():
            try:
                limits.check_message(entry.get("MessageBody") or "",
                                     entry.get("MessageAttributes"),
                                     max_bytes=int(queue.maximum_message_size))
                accepted[key] = entry
            except SqsError as exc:
                refused.append(_batch_error(str(entry.get("Id")), exc))
        if not accepted:
            # moto refuses an empty batch; every entry has failed on its own here.
            self._check_batch_ids(entries)
            return [], refused
        sent, failed = self._send_accepted(queue, accepted)
        return sent, refused + [_batch_error(str(e.get("Id")), _delay_error(e))
                                for e in failed]

    def _send_accepted(self, queue: Queue, entries: dict[str, dict[str, Any]]) -> \
            tuple[list[Any], list[dict[str, Any]]]:
        """The batch's entries that passed the size checks, as moto sends them (every entry
        validated before any is sent; a bad DelaySeconds fails its entry alone), but with
        each entry's MessageSystemAttributes, which moto's batch drops."""
        from moto.sqs.exceptions import TooManyEntriesInBatchRequest
        self._check_batch_ids(entries)
        if len(entries) > 10:
            raise TooManyEntriesInBatchRequest(len(entries))
        for entry in entries.values():
            self._validate_message(queue, entry["MessageBody"],
                                   int(entry.get("DelaySeconds") or 0),
                                   entry.get("MessageDeduplicationId"),
                                   entry.get("MessageGroupId"))
        sent: list[Any] = []
        failed: list[dict[str, Any]] = []
        for entry in entries.values():
            try:
                message = self.send_message(
                    queue.name, entry["MessageBody"],
                    message_attributes=entry["MessageAttributes"],
                    delay_seconds=entry["DelaySeconds"],
                    group_id=entry.get("MessageGroupId"),
                    deduplication_id=entry.get("MessageDeduplicationId"),
                    system_attributes=entry.get("MessageSystemAttributes"))
            except InvalidParameterValue as exc:
                if "DelaySeconds is invalid" not in str(exc):
                    raise
                failed.append(entry)
                continue
            message.user_id = entry["Id"]
            sent.append(message)
        return sent, failed

    def _check_batch_ids(self, entries: dict[str, dict[str, Any]]) -> None:
        """moto's batch id checks, for a batch whose every entry was refused."""
        from moto.sqs.exceptions import BatchEntryIdsNotDistinct, InvalidBatchEntryId
        ids = [str(e.get("Id")) for e in entries.values()]
        if any(not re.fullmatch(r"[\w-]{1,80}", i) for i in ids):
            raise InvalidBatchEntryId()
        duplicate = self._get_first_duplicate_id(ids)
        if duplicate:
            raise BatchEntryIdsNotDistinct(duplicate)

    def receive_message(self, queue_name: str, count: int, wait_seconds_timeout: int,
                        visibility_timeout: int,
                        message_attribute_names: list[str] | None = None) -> list[Any]:
        self.get_queue(queue_name)
        try:
            limits.check_visibility_timeout(int(visibility_timeout))
            received = self.store.receive(queue_name, max_messages=count,
                                          wait_s=float(wait_seconds_timeout),
                                          visibility_timeout_s=visibility_timeout)
        except SqsError as exc:
            raise _moto_error(exc) from exc
        return [ReceivedView(m, message_attribute_names or []) for m in received]

    def delete_message(self, queue_name: str, receipt_handle: str) -> None:
        self.get_queue(queue_name)
        error = self.store.delete_many(queue_name, [receipt_handle])[0]
        if error is not None:
            raise ReceiptHandleIsInvalid()

    def delete_message_batch(self, queue_name: str, receipts: list[dict[str, Any]]) -> \
            tuple[list[str], list[dict[str, Any]]]:
        self.get_queue(queue_name)
        errors = self.store.delete_many(queue_name, [r["ReceiptHandle"] for r in receipts])
        success = [r["Id"] for r, e in zip(receipts, errors, strict=True) if e is None]
        failed = [_batch_error(r["Id"], e) for r, e in zip(receipts, errors, strict=True)
                  if e is not None]
        return success, failed

    def change_message_visibility(self, queue_name: str, receipt_handle: str,
                                  visibility_timeout: int) -> None:
        self.get_queue(queue_name)
        try:
            limits.check_visibility_timeout(int(visibility_timeout))
            self.store.change_visibility(queue_name, receipt_handle, int(visibility_timeout))
        except SqsError as exc:
            raise _moto_error(exc) from exc

    def change_message_visibility_batch(self, queue_name: str, entries: list[dict[str, Any]]) \
            -> tuple[list[str], list[dict[str, Any]]]:
        self.get_queue(queue_name)
        success: list[str] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                timeout = int(entry["VisibilityTimeout"])
                limits.check_visibility_timeout(timeout)
                self.store.change_visibility(queue_name, entry["ReceiptHandle"], timeout)
                success.append(entry["Id"])
            except SqsError as exc:
                failed.append(_batch_error(entry["Id"], exc))
            except (KeyError, TypeError, ValueError):
                failed.append(_batch_error(entry["Id"], SqsError(
                    "InvalidParameterValue", "Visibility timeout invalid")))
        return success, failed

    def purge_queue(self, queue_name: str) -> None:
        self.get_queue(queue_name)
        self.store.purge(queue_name)


class SentMessage:
    """What moto's SendMessage(Batch) answer reads of a sent message."""

    def __init__(self, *, message_id: str, body_md5: str, message_attributes: Mapping[str, Any],
                 attribute_md5: str | None, sequence_number: str | None) -> None:
        self.id = message_id
        self.body_md5 = body_md5
        self.message_attributes = message_attributes
        self.attribute_md5 = attribute_md5
        self.sequence_number = sequence_number
        self.user_id: str | None = None    # the batch entry's Id, set by moto


class ReceivedView:
    """A received message in the shape moto's ReceiveMessage answer reads."""

    def __init__(self, message: ReceivedMessage, attribute_names: Sequence[str]) -> None:
        attributes = message.attributes
        self.id = message.message_id
        self.receipt_handle = message.receipt_handle
        self.body = message.body
        self.body_md5 = message.md5_of_body
        self.sender_id = attributes.get("SenderId")
        self.sent_timestamp = attributes.get("SentTimestamp")
        self.approximate_receive_count = attributes.get("ApproximateReceiveCount")
        self.approximate_first_receive_timestamp = attributes.get(
            "ApproximateFirstReceiveTimestamp")
        self.deduplication_id = attributes.get("MessageDeduplicationId")
        self.group_id = attributes.get("MessageGroupId")
        self.sequence_number = attributes.get("SequenceNumber")
        trace = attributes.get("AWSTraceHeader")   # moto's answer reads its StringValue
        self.system_attributes: dict[str, Any] = (
            {} if trace is None else {"AWSTraceHeader": {"StringValue": trace}})
        self.message_attributes = filter_message_attributes(message.message_attributes,
                                                            attribute_names)
        if len(self.message_attributes) == len(message.message_attributes):
            self.attribute_md5 = message.md5_of_message_attributes
        else:
            self.attribute_md5 = message_attributes_md5(self.message_attributes)


def filter_message_attributes(attributes: Mapping[str, Mapping[str, Any]],
                              names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
    """ReceiveMessage's MessageAttributeNames: "All", ".*", "prefix.*" or exact names."""
    if "All" in names or ".*" in names:
        return dict(attributes)
    prefixes = tuple(n[:-2] for n in names if n.endswith(".*"))
    wanted = set(names)
    return {k: v for k, v in attributes.items()
            if k in wanted or (prefixes and k.startswith(prefixes))}


def _trace_header(system_attributes: Mapping[str, Any] | None) -> str | None:
    """MessageSystemAttributes' AWSTraceHeader (the only one SendMessage takes), as text."""
    value = (system_attributes or {}).get("AWSTraceHeader")
    if not isinstance(value, Mapping):
        return None
    text = value.get("StringValue")
    return None if text is None else str(text)


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _moto_error(exc: SqsError) -> SQSException:
    if exc.code == QueueDoesNotExist().code:
        return QueueDoesNotExist()
    if exc.code == "ReceiptHandleIsInvalid":
        return ReceiptHandleIsInvalid()
    return SQSException(exc.code, exc.message)


def _delay_error(entry: dict[str, Any]) -> SqsError:
    """moto fails a batch entry only for its DelaySeconds; say the value it had."""
    return SqsError("InvalidParameterValue",
                    f"Value {entry.get('DelaySeconds')} for parameter DelaySeconds is invalid. "
                    "Reason: DelaySeconds must be >= 0 and <= 900.")


def _batch_error(entry_id: str, exc: SqsError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": True, "Code": exc.code, "Message": exc.message}


class translated_errors:
    """moto's SQS errors, as our SqsError (same code and message), for in-process callers."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if isinstance(exc, SQSException):
            if exc.code == queue_does_not_exist().code:
                raise queue_does_not_exist() from exc
            raise SqsError(str(exc.code), str(exc.message)) from exc
