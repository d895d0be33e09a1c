"""The dashboard's queue and bucket actions, made as AWS API calls in-process through the
app's own endpoint routes (app/aws.py's `call`): an upload here raises the S3 event an SDK's
upload would, and a redrive moves messages as SQS does. No sockets."""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from samlite.errors import SamliteError
from samlite.http.messages import Request, Response

Call = Callable[[Request], Response]
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_HOST = "127.0.0.1"
PEEK_MAX = 10   # SQS hands out at most 10 messages a receive


class AwsCallFailed(SamliteError):
    """The local endpoint refused a dashboard action (no such queue, bucket or key...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStats:
    name: str
    url: str
    visible: int
    in_flight: int
    delayed: int
    dead_letter_queue: str | None     # its RedrivePolicy's queue name
    is_dead_letter_queue_of: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectRow:
    key: str
    size_bytes: int
    last_modified: str


class AwsOps:
    def __init__(self, call: Call, *, region: str, endpoint_host: str = _HOST) -> None:
        self._call = call
        self._host = endpoint_host
        self._region = region

    def _signed(self, service: str) -> str:
        return _AUTHORIZATION.format(region=self._region, service=service)

    # --- SQS (JSON protocol) ----------------------------------------------------------------
    def _sqs(self, operation: str, body: dict[str, object]) -> dict[str, object]:
        response = self._call(_request("POST", "/", body=json.dumps(body).encode(), headers={
            "host": self._host, "x-amz-target": f"AmazonSQS.{operation}",
            "authorization": self._signed("sqs"),
            "content-type": "application/x-amz-json-1.0"}))
        data = json.loads(response.body or b"{}")
        if response.status >= 300:
            raise AwsCallFailed(f"SQS {operation}: {data.get('message') or data}")
        return data

    def queue_url(self, name: str) -> str:
        return str(self._sqs("GetQueueUrl", {"QueueName": name})["QueueUrl"])

    def _queue_urls(self) -> list[str]:
        return [str(u) for u in self._sqs("ListQueues", {}).get("QueueUrls", [])]  # type: ignore[union-attr]

    def queue_names(self) -> list[str]:
        return [url.rsplit("/", 1)[-1] for url in self._queue_urls()]

    def queues(self) -> list[QueueStats]:
        urls = self._queue_urls()
        attributes = {url: self._sqs("GetQueueAttributes", {
            "QueueUrl": url, "AttributeNames": ["All"]}).get("Attributes", {}) for url in urls}
        dead_letter = {url: _dlq_name(attrs) for url, attrs in attributes.items()}  # type: ignore[arg-type]
        rows = []
        for url, attrs in attributes.items():
            name = url.rsplit("/", 1)[-1]
            rows.append(QueueStats(
                name=name, url=url,
                visible=int(attrs.get("ApproximateNumberOfMessages", 0)),  # type: ignore[union-attr]
                in_flight=int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),  # type: ignore[union-attr]
                delayed=int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),  # type: ignore[union-attr]
                dead_letter_queue=dead_letter[url],
                is_dead_letter_queue_of=tuple(sorted(
                    u.rsplit("/", 1)[-1] for u, dlq in dead_letter.items() if dlq == name))))
        return sorted(rows, key=lambda row: row.name)

    def peek(self, name: str) -> list[dict[str, object]]:
        """Up to 10 visible messages, left visible (a receive with VisibilityTimeout 0; SQS
        counts it as a receive, as the console's "poll for messages" does)."""
        data = self._sqs("ReceiveMessage", {
            "QueueUrl": self.queue_url(name), "MaxNumberOfMessages": PEEK_MAX,
            "VisibilityTimeout": 0, "WaitTimeSeconds": 0,
            "MessageSystemAttributeNames": ["All"]})
        return [{"message_id": m["MessageId"], "body": m["Body"],
                 "receive_count": m.get("Attributes", {}).get("ApproximateReceiveCount")}
                for m in data.get("Messages", [])]  # type: ignore[union-attr]

    def send(self, name: str, body: str) -> str:
        url = self.queue_url(name)
        request: dict[str, object] = {"QueueUrl": url, "MessageBody": body}
        if name.endswith(".fifo"):
            request |= {"MessageGroupId": "dashboard"}
        return str(self._sqs("SendMessage", request)["MessageId"])

    def purge(self, name: str) -> None:
        self._sqs("PurgeQueue", {"QueueUrl": self.queue_url(name)})

    def redrive(self, dead_letter_queue: str, source: str) -> int:
        """Move every visible message of the dead-letter queue to `source`, oldest first, as
        SQS's redrive does, returning how many moved. Each is sent with its message
        attributes (to a FIFO queue in its own message group, deduplicated by its message
        id: a redrive is never taken for a duplicate of the message first sent), then
        deleted. When a send fails, the messages still held are made visible again before
        the error is raised: none is left hidden."""
        dlq_url, source_url = self.queue_url(dead_letter_queue), self.queue_url(source)
        to_fifo = source.endswith(".fifo")
        moved = 0
        while True:
            data = self._sqs("ReceiveMessage", {
                "QueueUrl": dlq_url, "MaxNumberOfMessages": PEEK_MAX, "VisibilityTimeout": 30,
                "WaitTimeSeconds": 0, "MessageSystemAttributeNames": ["MessageGroupId"],
                "MessageAttributeNames": ["All"]})
            messages: list[dict[str, object]] = data.get("Messages", [])  # type: ignore[assignment]
            if not messages:
                return moved
            for index, message in enumerate(messages):
                try:
                    self._sqs("SendMessage", _moved(message, source_url, to_fifo=to_fifo))
                except AwsCallFailed as exc:
                    self._make_visible(dlq_url, messages[index:])
                    raise AwsCallFailed(f"{exc} ({moved} moved; the other messages stay in "
                                        f"{dead_letter_queue})") from exc
                self._sqs("DeleteMessage", {"QueueUrl": dlq_url,
                                            "ReceiptHandle": message["ReceiptHandle"]})
                moved += 1

    def _make_visible(self, url: str, messages: list[dict[str, object]]) -> None:
        for message in messages:
            with contextlib.suppress(AwsCallFailed):   # its own timeout frees it regardless
                self._sqs("ChangeMessageVisibility", {
                    "QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"],
                    "VisibilityTimeout": 0})

    # --- S3 (REST, path style) --------------------------------------------------------------
    def _s3(self, method: str, path: str, *, query: str = "", body: bytes = b"",
            headers: dict[str, str] | None = None) -> Response:
        response = self._call(_request(method, path, query=query, body=body, headers={
            "host": self._host, "content-length": str(len(body)),
            "authorization": self._signed("s3"), **(headers or {})}))
        if response.status >= 300:
            raise AwsCallFailed(f"S3 {method} {path}: {_s3_error(response.body)}")
        return response

    def buckets(self) -> list[str]:
        root = ET.fromstring(self._s3("GET", "/").body)  # noqa: S314 - our own answer
        return sorted(el.text or "" for el in root.iter(f"{_S3_NS}Name"))

    def objects(self, bucket: str, *, prefix: str = "") -> list[ObjectRow]:
        query = "list-type=2" + (f"&prefix={quote(prefix, safe='')}" if prefix else "")
        root = ET.fromstring(self._s3("GET", f"/{quote(bucket)}", query=query).body)  # noqa: S314
        return [ObjectRow(key=el.findtext(f"{_S3_NS}Key") or "",
                          size_bytes=int(el.findtext(f"{_S3_NS}Size") or 0),
                          last_modified=el.findtext(f"{_S3_NS}LastModified") or "")
                for el in root.iter(f"{_S3_NS}Contents")]

    def get_object(self, bucket: str, key: str) -> tuple[bytes, str]:
        response = self._s3("GET", _object_path(bucket, key))
        kind = next((v for n, v in response.headers if n.lower() == "content-type"),
                    "application/octet-stream")
        return response.body, kind

    def put_object(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self._s3("PUT", _object_path(bucket, key), body=body,
                 headers={"content-type": content_type or "application/octet-stream"})

    def delete_object(self, bucket: str, key: str) -> None:
        self._s3("DELETE", _object_path(bucket, key))


def _moved(message: dict[str, object], url: str, *, to_fifo: bool) -> dict[str, object]:
    """The SendMessage that moves a received message to the queue at `url`."""
    request: dict[str, object] = {"QueueUrl": url, "MessageBody": message["Body"]}
    attributes = {name: {key: value for key, value in attribute.items()
                         if key in ("DataType", "StringValue", "BinaryValue")}
                  for name, attribute in (message.get("MessageAttributes") or {}).items()}  # type: ignore[union-attr]
    if attributes:
        request["MessageAttributes"] = attributes
    if to_fifo:
        system = message.get("Attributes") or {}
        request["MessageGroupId"] = system.get("MessageGroupId") or "redrive"  # type: ignore[union-attr]
        request["MessageDeduplicationId"] = message["MessageId"]
    return request


# The local endpoint checks no signatures, but S3 treats a request without credentials as
# anonymous (refused by a private bucket), so the dashboard's calls carry the local ones.
_AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=samlite-dashboard/20260101/{region}/{service}/"
                  "aws4_request, SignedHeaders=host, Signature=0")


def _request(method: str, path: str, *, body: bytes, headers: dict[str, str],
             query: str = "") -> Request:
    """A request as the endpoint's server would have read it off the wire."""
    return Request(method=method, path=path, body=body, raw_query=query,
                   query={k: tuple(v) for k, v in parse_qs(query).items()},
                   headers=headers, raw_headers=tuple(headers.items()))


def _object_path(bucket: str, key: str) -> str:
    return f"/{quote(bucket)}/{quote(key, safe='/')}"


def _dlq_name(attributes: dict[str, str]) -> str | None:
    policy = attributes.get("RedrivePolicy")
    if not policy:
        return None
    try:
        return str(json.loads(policy)["deadLetterTargetArn"]).rsplit(":", 1)[-1]
    except (ValueError, KeyError):
        return None


def _s3_error(body: bytes) -> str:
    try:
        root = ET.fromstring(body)  # noqa: S314 - our own answer
    except ET.ParseError:
        return body[:200].decode("utf-8", "replace")
    return f"{root.findtext('Code')}: {root.findtext('Message')}"
