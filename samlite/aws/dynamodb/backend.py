"""moto's DynamoDB backend as samlite keeps it: moto holds the tables and items in memory and
evaluates every expression; persist.py holds the same items on disk, and service.py the
stream. moto's own stream shard is switched off (it lives in memory only and hands records
to moto's Lambda), so every change reaches the stream through service.py instead.

Numbers arrive canonical (route.py); those moto's update arithmetic makes ("1.5" + "1.5"
is "3.0" in Decimal) are trimmed here as DynamoDB stores them (numbers.py).

Items leave and enter here as AttributeValues in DynamoDB's JSON (binary values as base64
text, as on the wire); moto holds binary values as bytes, as its request parser decodes them.

Imports moto, so only service.py's LocalDynamoDb (lazily) and route.py import this.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Item, Table

from samlite.aws.dynamodb.numbers import canonical


class LocalDynamoBackend(DynamoDBBackend):
    def key_names(self) -> dict[str, tuple[str, ...]]:
        """table -> its key attributes (partition key first)."""
        return {name: tuple(k for k in (t.hash_key_attr, t.range_key_attr) if k)
                for name, t in self.tables.items()}

    def hash_key(self, table: str) -> str:
        return str(self.tables[table].hash_key_attr)

    def item_json(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The item with this key (AttributeValues, binary as base64); None if absent (or
        the key is not whole: the call will fail in moto with DynamoDB's
        ValidationException)."""
        found = self.tables.get(table)
        if found is None:
            return None
        try:
            item = self.get_item(table, {name: _from_wire(value) for name, value in key.items()})
        except Exception:
            return None
        return None if item is None else {name: _wire(value)
                                          for name, value in item.attrs.items()}

    def update_item(self, *args: Any, **kwargs: Any) -> Item:
        """moto's UpdateItem (TransactWriteItems' updates too), its results trimmed."""
        item = super().update_item(*args, **kwargs)
        for value in item.attrs.values():
            _trim_numbers(value)
        return item

    def load_items(self, table: str, items: Iterable[dict[str, Any]]) -> None:
        """Items saved in an earlier run, put back without conditions or stream records."""
        found = self.tables[table]
        for item in items:
            found.put_item({name: _from_wire(value) for name, value in item.items()},
                           overwrite=True)

    def without_moto_streams(self) -> None:
        """moto's stream shards off (a new one appears when a table's stream is enabled)."""
        for table in self.tables.values():
            table.stream_shard = None

    def stream_view_type(self, table: str) -> str | None:
        spec = self.tables[table].stream_specification or {}
        return str(spec["StreamViewType"]) if spec.get("StreamEnabled") else None

    def set_stream_label(self, table: str, label: str | None) -> None:
        self.tables[table].latest_stream_label = label

    def describe(self, table: str) -> dict[str, Any]:
        return dict(self.tables[table].describe()["TableDescription"])

    def set_time_to_live(self, table: str, attribute: str | None) -> None:
        found: Table = self.tables[table]
        if attribute is None:
            found.ttl = {"TimeToLiveStatus": "DISABLED"}
        else:
            found.ttl = {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}

    def time_to_live(self, table: str) -> str | None:
        ttl = self.tables[table].ttl
        return str(ttl["AttributeName"]) if ttl.get("TimeToLiveStatus") == "ENABLED" else None

    def expired(self, table: str, now_s: float) -> list[dict[str, Any]]:
        """Keys of the items whose TTL attribute (a Number, epoch seconds) has passed."""
        attribute = self.time_to_live(table)
        if attribute is None:
            return []
        found: Table = self.tables[table]
        names = [k for k in (found.hash_key_attr, found.range_key_attr) if k]
        out = []
        for item in found.all_items():
            value = item.attrs.get(attribute)
            if value is None or value.type != "N":
                continue
            try:
                if float(value.value) < now_s:
                    out.append({n: _wire(item.attrs[n]) for n in names})
            except ValueError:
                continue
        return out


def _trim_numbers(value: DynamoType) -> None:
    """A stored value's numbers as DynamoDB keeps them, in place. Only reformatted: an
    out-of-range result of arithmetic stays (DynamoDB would refuse the update)."""
    kind = value.type
    if kind == "N":
        value.value = canonical(value.value, checked=False)
    elif kind == "NS":
        value.value = [canonical(n, checked=False) for n in value.value]
    elif kind == "M":
        for member in value.value.values():
            _trim_numbers(member)
    elif kind == "L":
        for member in value.value:
            _trim_numbers(member)


def _wire(value: DynamoType | Mapping[str, Any]) -> dict[str, Any]:
    """One of moto's attribute values as DynamoDB's JSON has it (a fresh copy: nothing of
    moto's is shared with the caller)."""
    if type(value) is not DynamoType:
        value = DynamoType(value)
    kind, inner = value.type, value.value
    if kind == "M":
        return {kind: {name: _wire(v) for name, v in inner.items()}}
    if kind == "L":
        return {kind: [_wire(v) for v in inner]}
    if kind == "B":
        return {kind: _base64(inner)}
    if kind == "BS":
        return {kind: [_base64(v) for v in inner]}
    if kind in ("SS", "NS"):
        return {kind: list(inner)}
    return {kind: inner}


def _from_wire(value: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB's JSON for one attribute value as moto's parser hands it to moto (binary
    values decoded from base64)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return dict(value) if isinstance(value, Mapping) else value
    (kind, inner), = value.items()
    if kind == "M" and isinstance(inner, Mapping):
        return {kind: {name: _from_wire(v) for name, v in inner.items()}}
    if kind == "L" and isinstance(inner, list):
        return {kind: [_from_wire(v) for v in inner]}
    if kind == "B" and isinstance(inner, str):
        return {kind: base64.b64decode(inner)}
    if kind == "BS" and isinstance(inner, list):
        return {kind: [base64.b64decode(v) if isinstance(v, str) else v for v in inner]}
    return {kind: inner}


def _base64(data: bytes | str) -> str:
    return base64.b64encode(data).decode() if isinstance(data, bytes) else data
