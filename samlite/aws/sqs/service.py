"""The local SQS as the app and the event source poller use it: template queues at startup,
send/receive/delete in-process, and the Route that serves the same queues to SDKs on the
endpoint. One instance per app; state in `db_path` (None: memory only).

Importing this module does not import moto (`samlite validate` stays fast): LocalSqs imports
it when built, and route() when asked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.sqs.message import ReceivedMessage
from samlite.aws.sqs.model import SqsError
from samlite.aws.sqs.store import QueueStore
from samlite.clock import Clock
from samlite.http.messages import Route

if TYPE_CHECKING:
    from samlite.aws.sqs.backend import LocalSqsBackend
    from samlite.aws.sqs.persist import SqsPersistence

__all__ = ["LocalSqs", "SqsError"]

log = logging.getLogger(__name__)

# SQS's defaults for the attributes a template's AWS::SQS::Queue sets ("" removes a policy).
_TEMPLATE_DEFAULTS = {
    "VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0", "RedrivePolicy": "", "RedriveAllowPolicy": "",
    "ContentBasedDeduplication": "false",
}


class LocalSqs:
    def __init__(self, *, db_path: Path | None, account_id: str, region: str,
                 clock: Clock) -> None:
        from samlite.aws.sqs.backend import LocalSqsBackend
        from samlite.aws.sqs.persist import SqsPersistence

        self._account_id = account_id
        self._region = region
        self._persistence: SqsPersistence | None = \
            SqsPersistence(db_path) if db_path is not None else None
        self._store = QueueStore(clock=clock, journal=self._persistence)
        self._backend: LocalSqsBackend = LocalSqsBackend(
            region, account_id, store=self._store, persistence=self._persistence)
        self._backend.restore()
        self._route: Route | None = None

    @property
    def backend(self) -> LocalSqsBackend:
        return self._backend

    def ensure_queue(self, name: str, attributes: Mapping[str, str]) -> None:
        """A template queue: created if absent, else given these attributes. Dead-letter
        queues must be ensured before the queues that name them; a RedrivePolicy naming a
        queue that does not exist here (one outside the template) is left out, with a
        warning, rather than stopping the app."""
        attributes = dict(attributes)
        target = _dead_letter_target(attributes)
        if target is not None and not any(q.queue_arn == target
                                          for q in self._backend.queues.values()):
            log.warning("queue %s: RedrivePolicy names %s, which is not a local queue; "
                        "its messages will not move to a dead-letter queue", name, target)
            attributes.pop("RedrivePolicy")
        with _moto_errors_translated():
            queue = self._backend.queues.get(name)
            if queue is None:
                self._backend.create_queue(name, None, **attributes)
                return
            # The template says what the queue is now: what it leaves out goes back to SQS's
            # default (a queue kept from an earlier run may have had it). FifoQueue cannot
            # change after creation.
            wanted = {k: v for k, v in _TEMPLATE_DEFAULTS.items()
                      if k != "ContentBasedDeduplication" or queue.fifo_queue}
            wanted.update({k: v for k, v in attributes.items() if k != "FifoQueue"})
            self._backend.set_queue_attributes(name, wanted)

    def send(self, queue_name: str, body: str, *,
             message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
             group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """SendMessage; returns the message id (for a FIFO duplicate, the first one's)."""
        with _moto_errors_translated():
            sent = self._backend.send_message(
                queue_name, body, message_attributes=dict(message_attributes or {}),
                group_id=group_id, deduplication_id=deduplication_id)
        return str(sent.id)

    def receive(self, queue_name: str, *, max_messages: int, wait_s: float,
                visibility_timeout_s: int | None = None) -> list[ReceivedMessage]:
        """ReceiveMessage with every attribute and message attribute; `wait_s` long-polls.
        Messages past maxReceiveCount move to the dead-letter queue, as in SQS."""
        return self._store.receive(queue_name, max_messages=max_messages, wait_s=wait_s,
                                   visibility_timeout_s=visibility_timeout_s)

    def delete(self, queue_name: str, receipt_handle: str) -> None:
        error = self._store.delete_many(queue_name, [receipt_handle])[0]
        if error is not None:
            raise error

    def change_visibility(self, queue_name: str, receipt_handle: str, timeout_s: int) -> None:
        self._store.change_visibility(queue_name, receipt_handle, timeout_s)

    def queue_name_for(self, arn_or_url_or_name: str) -> str | None:
        """The local queue an ARN, a queue URL (either form) or a name refers to; None if
        there is none."""
        text = arn_or_url_or_name.strip()
        if text.startswith("arn:"):
            name = text.rsplit(":", 1)[-1]
        elif "://" in text:
            name = text.rstrip("/").rsplit("/", 1)[-1]
        else:
            name = text
        return name if self._store.has_queue(name) else None

    def route(self) -> Route:
        if self._route is None:
            from samlite.aws.sqs.route import SqsRoute

            self._route = SqsRoute(self._backend, account_id=self._account_id,
                                   region=self._region)
        return self._route

    def wake(self) -> None:
        """Waiting receives look again (after a test moved its ManualClock forward)."""
        self._store.wake()

    def close(self) -> None:
        """Wake every waiting receive (they return nothing) and close the database."""
        self._store.close()
        self._backend.uninstall()
        if self._persistence is not None:
            self._persistence.close()
            self._persistence = None


def _dead_letter_target(attributes: Mapping[str, str]) -> str | None:
    try:
        target = json.loads(attributes.get("RedrivePolicy") or "{}").get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None   # moto reports the malformed policy in AWS's words
    return str(target) if target else None


def _moto_errors_translated() -> Any:
    """moto's SQS errors as our SqsError (backend.py holds the translation, with moto)."""
    from samlite.aws.sqs.backend import translated_errors

    return translated_errors()
