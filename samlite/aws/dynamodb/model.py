"""DynamoDB's shapes as samlite needs them, pure: a template table as CreateTable takes it,
the keys a write call touches, stream ARNs and sequence numbers, and stream records.

Stream records follow the DynamoDB Streams API reference ("Record", "StreamRecord") and the
Lambda developer guide's sample event ("Using AWS Lambda with Amazon DynamoDB"); the userIdentity
of a TTL deletion follows "Time to Live (TTL) and DynamoDB Streams" in the DynamoDB developer
guide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from samlite.graph.model import Table

Item = Mapping[str, Any]          # attribute name -> AttributeValue ({"S": "x"})
Key = Mapping[str, Any]

# DynamoDB Streams sequence numbers are decimal strings that grow within a shard; ours are
# this base plus the record's position in the table's stream.
SEQUENCE_BASE = 10**20
# The stream keeps records for 24 hours ("DynamoDB Streams" in the developer guide).
RETENTION_S = 24 * 3600
# A TTL deletion's userIdentity ("Time to Live (TTL) and DynamoDB Streams"), with the member
# names of the Streams API's Identity shape (botocore's dynamodbstreams model); Lambda's event
# spells them type and principalId (sources/dynamodb/events.py).
TTL_USER_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
# X-Amz-Target's start in DynamoDB's and DynamoDB Streams' calls (JSON protocol).
TARGET_PREFIXES = ("DynamoDB_20120810.", "DynamoDBStreams_20120810.")
# json.dumps(..., sort_keys=True, separators=(",", ":")) made once: json.dumps builds a new
# encoder per call when given options.
_KEY_TEXT = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
# The write calls whose changes go to the stream and the state dir.
WRITE_ACTIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                           "TransactWriteItems"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One item before and after a write (None: absent)."""
    table: str
    key: Key
    old: Item | None
    new: Item | None

    @property
    def event_name(self) -> str:
        if self.old is None:
            return "INSERT"
        return "REMOVE" if self.new is None else "MODIFY"


def create_table_params(table: Table) -> dict[str, Any]:
    """CreateTable's request for a template table."""
    params: dict[str, Any] = {
        "TableName": table.table_name,
        "KeySchema": [{"AttributeName": n, "KeyType": k} for n, k in table.key_schema],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t}
                                 for n, t in table.attribute_definitions],
        "BillingMode": table.billing_mode,
    }
    if table.billing_mode == "PROVISIONED":
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": table.read_capacity or 5,
                                           "WriteCapacityUnits": table.write_capacity or 5}
    if table.global_indexes:
        params["GlobalSecondaryIndexes"] = json.loads(table.global_indexes)
    if table.local_indexes:
        params["LocalSecondaryIndexes"] = json.loads(table.local_indexes)
    if table.stream_view_type:
        params["StreamSpecification"] = {"StreamEnabled": True,
                                         "StreamViewType": table.stream_view_type}
    if table.sse_enabled:
        params["SSESpecification"] = {"Enabled": True}
    return params


def key_of(item: Item, key_names: Sequence[str]) -> dict[str, Any]:
    return {name: item[name] for name in key_names if name in item}


def key_text(key: Key) -> str:
    """A key as stable text (the store's primary key)."""
    return _KEY_TEXT.encode(key)


def touched_keys(action: str, params: Mapping[str, Any],
                 key_names: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, key) of every item a write call may change. `key_names`: table -> its key
    attributes; tables it lacks are skipped (the call will fail with ResourceNotFound)."""
    def key(table: str, item_or_key: Any) -> tuple[str, dict[str, Any]] | None:
        names = key_names.get(table)
        if names is None or not isinstance(item_or_key, Mapping):
            return None
        return table, key_of(item_or_key, names)

    found: list[tuple[str, dict[str, Any]] | None] = []
    table = str(params.get("TableName", ""))
    if action == "PutItem":
        found.append(key(table, params.get("Item")))
    elif action in ("UpdateItem", "DeleteItem"):
        found.append(key(table, params.get("Key")))
    elif action == "BatchWriteItem":
        for name, requests in dict(params.get("RequestItems") or {}).items():
            for request in requests or ():
                put = (request or {}).get("PutRequest")
                delete = (request or {}).get("DeleteRequest")
                found.append(key(name, put.get("Item")) if put
                             else key(name, (delete or {}).get("Key")))
    elif action == "TransactWriteItems":
        for entry in params.get("TransactItems") or ():
            for kind, op in dict(entry or {}).items():
                if kind == "Put":
                    found.append(key(str(op.get("TableName", "")), op.get("Item")))
                elif kind in ("Update", "Delete"):
                    found.append(key(str(op.get("TableName", "")), op.get("Key")))
    yield from (f for f in found if f is not None)


def stream_label(created: datetime) -> str:
    """The stream's label, the end of its ARN: the time it was made, to the millisecond."""
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{created.microsecond // 1000:03d}"


def stream_arn(*, partition: str, region: str, account_id: str, table: str,
               label: str) -> str:
    return f"arn:{partition}:dynamodb:{region}:{account_id}:table/{table}/stream/{label}"


def shard_id(table_arn: str, label: str) -> str:
    """One shard per stream, named as DynamoDB names them (shardId-<20 digits>-<8 hex>)."""
    digest = hashlib.sha256(f"{table_arn}/{label}".encode()).hexdigest()
    return f"shardId-{int(digest[:15], 16) % 10**20:020d}-{digest[-8:]}"


def sequence_number(position: int) -> str:
    return str(SEQUENCE_BASE + position)


def position_of(sequence: str) -> int | None:
    """A sequence number's position in its stream; None if it is not one of ours."""
    if not sequence.isdigit() or int(sequence) < SEQUENCE_BASE:
        return None
    return int(sequence) - SEQUENCE_BASE


def partition_hash(table: str, key: Key, hash_key: str) -> int:
    """A stable number for an item's partition key: records of one partition key go to one
    lane of a ParallelizationFactor > 1 mapping, so their order is kept."""
    value = json.dumps(key.get(hash_key), sort_keys=True)
    return int.from_bytes(hashlib.blake2b(f"{table}\0{value}".encode(), digest_size=4).digest(),
                          "big")


def stream_record(change: Change, *, view_type: str, position: int, region: str,
                  created_s: int, is_ttl: bool = False) -> dict[str, Any]:
    """The GetRecords Record (and, with eventSourceARN added, the Lambda record)."""
    body: dict[str, Any] = {"Keys": dict(change.key)}
    if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and change.new is not None:
        body["NewImage"] = dict(change.new)
    if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and change.old is not None:
        body["OldImage"] = dict(change.old)
    body["ApproximateCreationDateTime"] = created_s
    body["SequenceNumber"] = sequence_number(position)
    body["SizeBytes"] = _size_bytes(body)
    body["StreamViewType"] = view_type
    record: dict[str, Any] = {
        "eventID": hashlib.md5(f"{change.table}:{position}".encode(),
                               usedforsecurity=False).hexdigest(),
        "eventName": change.event_name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": region, "dynamodb": body}
    if is_ttl:
        record["userIdentity"] = dict(TTL_USER_IDENTITY)
    return record


def _size_bytes(body: Mapping[str, Any]) -> int:
    """The size of the keys and images, as DynamoDB counts item sizes: attribute names plus
    values (the developer guide's "Item sizes and formats"), approximated from their JSON."""
    total = 0
    for part in ("Keys", "NewImage", "OldImage"):
        for name, value in dict(body.get(part) or {}).items():
            total += len(name.encode()) + _value_size(value)
    return total


def _value_size(value: Any) -> int:
    if not isinstance(value, Mapping) or len(value) != 1:
        return 1
    (kind, inner), = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return (len(str(inner).lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind == "B":
        return len(str(inner)) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    return 1


def params_from_description(description: Mapping[str, Any]) -> dict[str, Any]:
    """The CreateTable request that makes a table like the one DescribeTable describes (how
    a table created or changed through the API is kept across restarts)."""
    billing = dict(description.get("BillingModeSummary") or {}).get("BillingMode",
                                                                      "PROVISIONED")
    params: dict[str, Any] = {
        "TableName": description["TableName"], "KeySchema": description["KeySchema"],
        "AttributeDefinitions": description["AttributeDefinitions"], "BillingMode": billing}

    def throughput(source: Mapping[str, Any]) -> dict[str, Any]:
        given = dict(source.get("ProvisionedThroughput") or {})
        return {"ReadCapacityUnits": given.get("ReadCapacityUnits") or 5,
                "WriteCapacityUnits": given.get("WriteCapacityUnits") or 5}

    if billing == "PROVISIONED":
        params["ProvisionedThroughput"] = throughput(description)
    for field, kind in (("GlobalSecondaryIndexes", "global"),
                        ("LocalSecondaryIndexes", "local")):
        indexes = []
        for index in description.get(field) or ():
            wanted = {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"],
                      "Projection": index.get("Projection") or {"ProjectionType": "ALL"}}
            if kind == "global" and billing == "PROVISIONED":
                wanted["ProvisionedThroughput"] = throughput(index)
            indexes.append(wanted)
        if indexes:
            params[field] = indexes
    stream = dict(description.get("StreamSpecification") or {})
    if stream.get("StreamEnabled"):
        params["StreamSpecification"] = {"StreamEnabled": True,
                                         "StreamViewType": stream.get("StreamViewType")}
    return params
