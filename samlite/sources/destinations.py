"""Where asynchronous invocations end: delivery of dead-letter messages and destination
records to the local queues, functions and SNS topics (the record, or the dead-lettered
event with its attributes as message attributes, is the message). Event buses are not
destinations locally, so what would go there is written to the function's log instead of
being lost quietly."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from samlite.graph.model import Destination, Graph


class QueueWriter(Protocol):
    def send(self, queue_name: str, body: str, *,
             message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
             group_id: str | None = None, deduplication_id: str | None = None) -> str: ...


class AsyncInvoker(Protocol):
    def invoke_async(self, function: str, payload: bytes, *,
                     trigger: str | None = None) -> str: ...


# (topic logical id or ARN, message, SQS-style attributes) -> MessageId; None: not here
TopicPublish = Callable[[str, str, Mapping[str, Mapping[str, Any]] | None], str | None]


class Destinations:
    def __init__(self, graph: Graph, *, queues: QueueWriter | None,
                 queue_name_for: Callable[[str], str | None], invoker: AsyncInvoker,
                 note: Callable[[str, str], None],
                 publish: TopicPublish | None = None) -> None:
        self.graph = graph
        self._publish = publish
        self._queues = queues
        self._queue_name_for = queue_name_for
        self._invoker = invoker
        self._note = note

    def update(self, graph: Graph) -> None:
        self.graph = graph

    def deliver(self, destination: Destination, body: bytes,
                attributes: Mapping[str, Mapping[str, Any]] | None) -> None:
        target = destination.target
        kind = (destination.type or _kind_of_arn(target) or self._kind_here(target) or "")
        if kind == "SQS" and self._queues is not None:
            name = self._queue_name_for(target)   # a logical id, ARN, URL or name
            if name is not None:
                group = "samlite" if name.endswith(".fifo") else None
                dedup = _dedup_id(body) if group else None
                self._queues.send(name, body.decode("utf-8", "replace"),
                                  message_attributes=attributes, group_id=group,
                                  deduplication_id=dedup)
                return
        if kind == "Lambda":
            function = self._function(target)
            if function is not None:
                self._invoker.invoke_async(function, body)
                return
        if kind == "SNS" and self._publish is not None and \
                self._publish(target, body.decode("utf-8", "replace"), attributes) is not None:
            return
        self._note("samlite", f"samlite: destination {kind or 'target'} {target} is not run "
                              f"locally; what it would receive: {body.decode('utf-8', 'replace')}")

    def _kind_here(self, target: str) -> str | None:
        if any(q.logical_id == target for q in self.graph.queues):
            return "SQS"
        if any(f.logical_id == target for f in self.graph.functions):
            return "Lambda"
        if any(t.logical_id == target for t in self.graph.topics):
            return "SNS"
        return None

    def _function(self, target: str) -> str | None:
        for function in self.graph.functions:
            if target == function.logical_id or target.endswith(
                    f":function:{function.function_name}"):
                return function.logical_id
        return None


def _kind_of_arn(target: str) -> str | None:
    if not target.startswith("arn:"):
        return None
    service = target.split(":")[2] if target.count(":") >= 2 else ""
    return {"sqs": "SQS", "lambda": "Lambda", "sns": "SNS", "events": "EventBridge",
            "s3": "S3Bucket"}.get(service)


def _dedup_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
