"""DynamoDB Streams' API over the local streams: ListStreams, DescribeStream,
GetShardIterator and GetRecords (JSON protocol, `X-Amz-Target:
DynamoDBStreams_20120810.<Action>`), as the DynamoDB Streams API reference describes them.

Each table's stream has one shard. A shard iterator is an opaque token naming the stream and
the position it reads after; it does not expire locally (AWS: after 15 minutes).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, Protocol

from samlite.aws.dynamodb import errors, model
from samlite.aws.dynamodb.errors import DynamoError
from samlite.aws.dynamodb.persist import StoredRecord
from samlite.http.messages import Request, Response

STREAMS_PREFIX = "DynamoDBStreams_20120810."
MAX_RECORDS = 1000          # GetRecords' Limit: 1 to 1000 (the API reference)
_ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")


class LocalDynamoDb(Protocol):
    """What this API reads of the local DynamoDB (service.py's LocalDynamoDb)."""

    def streams(self) -> dict[str, str]: ...
    def table_of_stream(self, arn: str) -> str | None: ...
    def stream_view_type(self, table: str) -> str | None: ...
    def stream_created_s(self, table: str) -> float: ...
    def key_schema(self, table: str) -> list[dict[str, str]]: ...
    def latest_position(self, table: str) -> int: ...
    def oldest_position(self, table: str) -> int: ...
    def read(self, table: str, *, after: int, limit: int,
             lane: tuple[int, int] | None = None) -> Sequence[StoredRecord]: ...


def handle_streams_call(service: LocalDynamoDb, request: Request) -> Response:
    action = (request.header("x-amz-target") or "").split(".", 1)[-1]
    try:
        params = json.loads(request.body or b"{}")
        if not isinstance(params, dict):
            raise ValueError
    except ValueError:
        return errors.response(errors.serialization())
    handler = _ACTIONS.get(action)
    if handler is None:
        return errors.response(errors.stream_validation(f"Unknown operation {action}"))
    try:
        answer = handler(service, params)
    except DynamoError as exc:
        return errors.response(exc)
    return Response(status=200, headers=(("Content-Type", "application/x-amz-json-1.0"),),
                    body=json.dumps(answer).encode())


def _list_streams(service: LocalDynamoDb, params: dict[str, Any]) -> dict[str, Any]:
    wanted = params.get("TableName")
    streams = [{"StreamArn": arn, "TableName": table, "StreamLabel": arn.rsplit("/", 1)[-1]}
               for table, arn in sorted(service.streams().items())
               if wanted in (None, table)]
    return {"Streams": streams}


def _table(service: LocalDynamoDb, arn: Any) -> str:
    table = service.table_of_stream(str(arn)) if arn else None
    if table is None:
        raise errors.stream_not_found(str(arn))
    return table


def _describe_stream(service: LocalDynamoDb, params: dict[str, Any]) -> dict[str, Any]:
    arn = str(params.get("StreamArn"))
    table = _table(service, arn)
    table_arn = arn.split("/stream/", 1)[0]
    label = arn.rsplit("/", 1)[-1]
    shard = {"ShardId": model.shard_id(table_arn, label),
             "SequenceNumberRange": {
                 "StartingSequenceNumber": model.sequence_number(
                     service.oldest_position(table))}}
    return {"StreamDescription": {
        "StreamArn": arn, "StreamLabel": label, "StreamStatus": "ENABLED",
        "StreamViewType": service.stream_view_type(table),
        "CreationRequestDateTime": service.stream_created_s(table),
        "TableName": table, "KeySchema": service.key_schema(table), "Shards": [shard]}}


def _get_shard_iterator(service: LocalDynamoDb, params: dict[str, Any]) -> dict[str, Any]:
    arn = str(params.get("StreamArn"))
    table = _table(service, arn)
    table_arn = arn.split("/stream/", 1)[0]
    if params.get("ShardId") != model.shard_id(table_arn, arn.rsplit("/", 1)[-1]):
        raise DynamoError(code="ResourceNotFoundException", prefix=errors.stream_not_found(
            arn).prefix, message=f"Requested resource not found: Shard: "
                                 f"{params.get('ShardId')} in Stream: {arn} not found")
    kind = params.get("ShardIteratorType")
    if kind not in _ITERATOR_TYPES:
        raise errors.stream_validation(
            f"1 validation error detected: Value '{kind}' at 'shardIteratorType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: {list(_ITERATOR_TYPES)}")
    if kind == "TRIM_HORIZON":
        after = service.oldest_position(table) - 1
    elif kind == "LATEST":
        after = service.latest_position(table)
    else:
        position = model.position_of(str(params.get("SequenceNumber") or ""))
        if position is None or position > service.latest_position(table):
            raise errors.stream_validation(
                f"Invalid SequenceNumber {params.get('SequenceNumber')!r} for this shard")
        if position < service.oldest_position(table):
            raise errors.trimmed("The sequence number is beyond the trim horizon of the "
                                 "stream")
        after = position - 1 if kind == "AT_SEQUENCE_NUMBER" else position
    return {"ShardIterator": _iterator(arn, after)}


def _get_records(service: LocalDynamoDb, params: dict[str, Any]) -> dict[str, Any]:
    arn, after = _read_iterator(params.get("ShardIterator"))
    table = _table(service, arn)
    limit = params.get("Limit", MAX_RECORDS)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_RECORDS:
        raise errors.stream_validation(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_RECORDS}")
    if after + 1 < service.oldest_position(table):
        raise errors.trimmed("The iterator points before the trim horizon of the stream")
    records = service.read(table, after=after, limit=limit)
    last = records[-1].position if records else after
    return {"Records": [r.record for r in records], "NextShardIterator": _iterator(arn, last)}


def _iterator(arn: str, after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([arn, after]).encode()).decode()


def _read_iterator(token: Any) -> tuple[str, int]:
    try:
        arn, after = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        return str(arn), int(after)
    except (ValueError, TypeError):
        raise errors.stream_validation("Invalid ShardIterator") from None


_ACTIONS = {
    "ListStreams": _list_streams, "DescribeStream": _describe_stream,
    "GetShardIterator": _get_shard_iterator, "GetRecords": _get_records,
}
