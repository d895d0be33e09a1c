"""The local DynamoDB as the app and the stream pollers use it: template tables at startup,
the Route that serves them (and their streams) to SDKs on the endpoint, each write's changes
kept on disk and appended to the table's stream, stream reads and consumer checkpoints for
the pollers, and TTL deletions. One instance per app; state in `db_path` (None: memory).

Every call runs under one lock: moto's tables are plain dicts, and a write's before/after
images, its stream records and its commit must not interleave with another write.
Importing this module does not import moto (`samlite validate` stays fast).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.dynamodb import errors, model
from samlite.aws.dynamodb.errors import DynamoError
from samlite.aws.dynamodb.model import Change, Item
from samlite.aws.dynamodb.persist import DynamoPersistence, ItemWrite, SavedTable, StoredRecord
from samlite.clock import Clock
from samlite.graph.model import Table
from samlite.http.messages import Request, Response
from samlite.state import unusable

if TYPE_CHECKING:
    from samlite.aws.dynamodb.backend import LocalDynamoBackend
    from samlite.aws.dynamodb.route import DynamoDbRoute

__all__ = ["DynamoError", "LocalDynamoDb", "StoredRecord"]

log = logging.getLogger(__name__)

_TABLE_CHANGES = frozenset({"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive"})
_TRIM_EVERY = 1024      # writes between trims of records past the stream's retention


@dataclass(slots=True, kw_only=True)
class _Stream:
    label: str
    arn: str
    key: str               # its records' key in the store: a stream turned off and on again
    next_position: int     # is a new stream, with records (and positions) of its own


class _Unread:
    """An old image not read (its table has no stream)."""

    __slots__ = ()


_UNREAD = _Unread()
# A change and its item's row in the store (model.key_text of its key, made once per write).
_KeyedChange = tuple[Change, str]


def stream_key(table: str, label: str) -> str:
    return f"{table}/stream/{label}"


class LocalDynamoDb:
    def __init__(self, *, db_path: Path | None, account_id: str, region: str, clock: Clock,
                 partition: str = "aws", persistence: DynamoPersistence | None = None) -> None:
        """`persistence`: `db_path` opened already (up opens it before it is ready, so a
        damaged file stops it; the tables are made after)."""
        from samlite.aws.dynamodb.backend import LocalDynamoBackend

        self._account_id = account_id
        self._region = region
        self._partition = partition
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._backend: LocalDynamoBackend = LocalDynamoBackend(region, account_id)
        self._persistence = persistence if persistence is not None \
            else DynamoPersistence(db_path)
        self._db_path = db_path
        self._saved: dict[str, SavedTable] = {}
        self._streams: dict[str, _Stream] = {}
        self._writes_since_trim = 0
        self._closed = False
        self._restoring = False     # tables made again from the state dir: saved already
        self._dynamodb_route: DynamoDbRoute | None = None
        self._restore()

    # --- tables -----------------------------------------------------------------------------

    def ensure_table(self, table: Table) -> None:
        """A template table: created if absent. One kept from an earlier run keeps its items;
        if the template changed its keys it is made again, empty (its items could not fit)."""
        params = model.create_table_params(table)
        with self._lock:
            saved = self._saved.get(table.table_name)
            if saved is not None and _keys(saved.params) != _keys(params):
                log.warning("table %s: the template changed its keys; it starts empty",
                            table.table_name)
                self.call("DeleteTable", {"TableName": table.table_name})
                saved = None
            if saved is None:
                self.call("CreateTable", params)
            else:
                self._follow_template(table, params)
            if self._backend.time_to_live(table.table_name) != table.ttl_attribute:
                spec = {"Enabled": table.ttl_attribute is not None,
                        "AttributeName": table.ttl_attribute
                        or self._backend.time_to_live(table.table_name) or ""}
                self.call("UpdateTimeToLive", {"TableName": table.table_name,
                                               "TimeToLiveSpecification": spec})

    def _follow_template(self, table: Table, params: Mapping[str, Any]) -> None:
        """A kept table takes the template's stream setting; index changes would need the
        table made again, so they wait for `--reset` (said in a warning)."""
        now = model.params_from_description(self._backend.describe(table.table_name))
        if now.get("StreamSpecification") != params.get("StreamSpecification"):
            self.call("UpdateTable", {"TableName": table.table_name, "StreamSpecification":
                                      params.get("StreamSpecification",
                                                 {"StreamEnabled": False})})
        changed = [field for field in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                   if _indexes(now.get(field)) != _indexes(params.get(field))]
        if changed:
            log.warning("table %s: the template changed its %s; the table kept from the last "
                        "run keeps the old ones (samlite up --reset makes it again)",
                        table.table_name, " and ".join(changed))

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """A DynamoDB call made in-process; its error as a DynamoError."""
        body = json.dumps(params).encode()
        request = Request(method="POST", path="/", body=body,
                          headers={"x-amz-target": f"DynamoDB_20120810.{action}",
                                   "content-type": "application/x-amz-json-1.0",
                                   "host": "127.0.0.1"},
                          raw_headers=(("X-Amz-Target", f"DynamoDB_20120810.{action}"),
                                       ("Content-Type", "application/x-amz-json-1.0")))
        response = self._route().handle(request)
        answer = json.loads(response.body or b"{}")
        if response.status != 200:
            code = str(answer.get("__type", "")).rsplit("#", 1)[-1]
            raise DynamoError(code=code, message=str(answer.get("message", "")),
                              status=response.status)
        return dict(answer)

    def table_names(self) -> list[str]:
        with self._lock:
            return list(self._backend.tables)

    # --- the endpoint ------------------------------------------------------------------------

    def route(self) -> _ServiceRoute:
        return _ServiceRoute(self)

    def _route(self) -> DynamoDbRoute:
        if self._dynamodb_route is None:
            from samlite.aws.dynamodb.route import DynamoDbRoute

            self._dynamodb_route = DynamoDbRoute(self._backend, account_id=self._account_id,
                                                 region=self._region, calls=self._run)
        return self._dynamodb_route

    def _run(self, action: str, params: dict[str, Any], is_as_parsed: bool,
             dispatch: Any) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            if action not in model.WRITE_ACTIONS:
                status, headers, body = dispatch()
                if status == 200 and action in _TABLE_CHANGES and not self._restoring:
                    self._after_table_change(action, params)
                return status, headers, body
            # An item's old image is read only where its table has a stream: the record
            # needs it (its OldImage, INSERT or MODIFY, none for a write that changes
            # nothing). Elsewhere the new image alone is kept; moto itself answers
            # ReturnValues.
            touched: dict[tuple[str, str], tuple[dict[str, Any], Item | _Unread | None]] = {}
            for table, key in model.touched_keys(action, params, self._backend.key_names()):
                text = model.key_text(key)
                if (table, text) not in touched:
                    old = self._backend.item_json(table, key) if table in self._streams \
                        else _UNREAD
                    touched[table, text] = (key, old)
            status, headers, body = dispatch()
            if status == 200:
                changes: list[_KeyedChange] = []
                for (table, text), (key, old) in touched.items():
                    # A PutItem that moto was given as sent stored the sent item as it is
                    # (moto keeps each attribute value as it came); reading it back would
                    # give the same.
                    new = params["Item"] if is_as_parsed and action == "PutItem" \
                        else self._backend.item_json(table, key)
                    if old is _UNREAD:
                        changes.append((Change(table=table, key=key, old=None, new=new), text))
                    elif new != old:   # a write that changes nothing makes no stream record
                        changes.append((Change(table=table, key=key, old=old, new=new), text))
                self._record(changes)
            return status, headers, body

    def _record(self, changes: Sequence[_KeyedChange], *, is_ttl: bool = False) -> None:
        """Keep the changes on disk and append their stream records (lock held)."""
        if not changes:
            return
        now_s = self._clock.now()
        records: list[tuple[str, StoredRecord]] = []
        for change, _text in changes:
            stream = self._streams.get(change.table)
            view_type = self._backend.stream_view_type(change.table)
            if stream is None or view_type is None:
                continue
            position = stream.next_position
            stream.next_position += 1
            record = model.stream_record(change, view_type=view_type, position=position,
                                         region=self._region, created_s=int(now_s),
                                         is_ttl=is_ttl)
            records.append((stream.key, StoredRecord(
                position=position, created_ms=int(now_s * 1000), record=record,
                partition_hash=model.partition_hash(change.table, change.key,
                                                    self._backend.hash_key(change.table)))))
        self._persistence.apply(
            (ItemWrite(table=c.table, key=text, item=dict(c.new) if c.new is not None else None)
             for c, text in changes),
            records)
        if records:
            self._changed.notify_all()
        self._writes_since_trim += 1
        if self._writes_since_trim >= _TRIM_EVERY:
            self._writes_since_trim = 0
            for stream in self._streams.values():
                self._persistence.trim(stream.key, int((now_s - model.RETENTION_S) * 1000))

    def _after_table_change(self, action: str, params: Mapping[str, Any]) -> None:
        name = str(params.get("TableName", ""))
        if action == "DeleteTable":
            self._persistence.drop_table(name)
            self._saved.pop(name, None)
            self._streams.pop(name, None)
            return
        self._backend.without_moto_streams()
        saved = self._saved.get(name) or SavedTable(
            name=name, created_ms=int(self._clock.now() * 1000), params={},
            ttl_attribute=None, stream_label=None)
        label = saved.stream_label
        has_stream = self._backend.stream_view_type(name) is not None
        if has_stream and (label is None or name not in self._streams):
            # A stream enabled now is a new stream, with a label of its own.
            label = model.stream_label(datetime.fromtimestamp(self._clock.now(), UTC))
        elif not has_stream:
            label = None
        saved = replace(saved, params=model.params_from_description(self._backend.describe(name)),
                        ttl_attribute=self._backend.time_to_live(name), stream_label=label)
        self._saved[name] = saved
        self._persistence.save_table(saved)
        self._open_stream(saved)

    def _open_stream(self, saved: SavedTable) -> None:
        self._backend.set_stream_label(saved.name, saved.stream_label)
        if saved.stream_label is None:
            self._streams.pop(saved.name, None)
            return
        if saved.name in self._streams and self._streams[saved.name].label == saved.stream_label:
            return
        key = stream_key(saved.name, saved.stream_label)
        bounds = self._persistence.stream_bounds(key)
        table_arn = f"arn:{self._partition}:dynamodb:{self._region}:{self._account_id}:" \
                    f"table/{saved.name}"
        self._streams[saved.name] = _Stream(
            label=saved.stream_label, arn=f"{table_arn}/stream/{saved.stream_label}",
            key=key, next_position=bounds[1] + 1 if bounds is not None else 0)

    def _restore(self) -> None:
        """Tables and items of an earlier run, back in moto."""
        with self._lock:
            self._restoring = True
            try:
                for saved in self._persistence.tables():
                    self._restore_table(saved)
            finally:
                self._restoring = False

    def _restore_table(self, saved: SavedTable) -> None:
        """One saved table back in moto, under its saved stream label (lock held)."""
        try:
            self.call("CreateTable", saved.params)
        # A file of another samlite version, or damaged: moto refuses the request
        # (DynamoError) or fails inside on a member it expects (KeyError, ...).
        except (DynamoError, LookupError, TypeError, ValueError) as exc:
            if self._db_path is None:
                raise
            raise unusable(self._db_path, exc) from exc
        self._backend.without_moto_streams()
        if saved.ttl_attribute:
            self._backend.set_time_to_live(saved.name, saved.ttl_attribute)
        self._backend.load_items(saved.name, self._persistence.items(saved.name))
        self._saved[saved.name] = saved
        self._open_stream(saved)

    # --- streams, as pollers and the Streams API read them ------------------------------------

    def stream_arn(self, table: str) -> str | None:
        with self._lock:
            stream = self._streams.get(table)
            return stream.arn if stream is not None else None

    def streams(self) -> dict[str, str]:
        """table -> its stream ARN, for every table with a stream."""
        with self._lock:
            return {name: s.arn for name, s in self._streams.items()}

    def table_of_stream(self, arn: str) -> str | None:
        with self._lock:
            return next((n for n, s in self._streams.items() if s.arn == arn), None)

    def key_schema(self, table: str) -> list[dict[str, str]]:
        with self._lock:
            return list(self._backend.describe(table)["KeySchema"])

    def stream_view_type(self, table: str) -> str | None:
        with self._lock:
            return self._backend.stream_view_type(table)

    def stream_created_s(self, table: str) -> float:
        with self._lock:
            saved = self._saved[table]
            return saved.created_ms / 1000

    def latest_position(self, table: str) -> int:
        """The position of the newest record (-1 before the first)."""
        with self._lock:
            stream = self._streams.get(table)
            return stream.next_position - 1 if stream is not None else -1

    def oldest_position(self, table: str) -> int:
        """The position of the oldest record still kept (the next one when none is)."""
        with self._lock:
            stream = self._streams.get(table)
        bounds = self._persistence.stream_bounds(stream.key) if stream is not None else None
        return bounds[0] if bounds is not None else self.latest_position(table) + 1

    def read(self, table: str, *, after: int, limit: int,
             lane: tuple[int, int] | None = None) -> list[StoredRecord]:
        with self._lock:
            stream = self._streams.get(table)
        if stream is None:
            return []
        return self._persistence.records(stream.key, after=after, limit=limit, lane=lane)

    def wait_for_records(self, table: str, *, after: int, wait_s: float) -> None:
        """Return once the stream has a record after `after`, after `wait_s`, or on close."""
        with self._changed:
            if self.latest_position(table) <= after and not self._closed:
                self._changed.wait(wait_s)

    def checkpoint(self, consumer: str, lane: int) -> int | None:
        return self._persistence.checkpoint(consumer, lane)

    def save_checkpoint(self, consumer: str, lane: int, position: int) -> None:
        self._persistence.save_checkpoint(consumer, lane, position)

    # --- time to live -------------------------------------------------------------------------

    def expire_items(self) -> int:
        """Delete the items whose TTL has passed, each with a REMOVE stream record from the
        DynamoDB service (AWS deletes them within days; locally at the next sweep)."""
        now_s = self._clock.now()
        count = 0
        with self._lock:
            for table in list(self._backend.tables):
                changes = []
                for key in self._backend.expired(table, now_s):
                    old = self._backend.item_json(table, key)
                    self._backend.delete_item(table, dict(key))
                    changes.append((Change(table=table, key=key, old=old, new=None),
                                    model.key_text(key)))
                self._record(changes, is_ttl=True)
                count += len(changes)
        return count

    def wake_readers(self) -> None:
        """Waiting readers return now, and from now on at once (the app is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def close(self) -> None:
        """Wake every waiting reader and close the database."""
        self.wake_readers()
        self._persistence.close()


def _keys(params: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """A table's key attributes with their types: (name, HASH | RANGE, S | N | B)."""
    types = {d.get("AttributeName"): d.get("AttributeType")
             for d in params.get("AttributeDefinitions") or ()}
    return [(str(k.get("AttributeName")), str(k.get("KeyType")),
             types.get(k.get("AttributeName"))) for k in params.get("KeySchema") or ()]


def _indexes(indexes: Any) -> list[tuple[str, str, str]]:
    """Indexes as comparable text: name, key schema, projection type."""
    return sorted((str(i.get("IndexName")), json.dumps(i.get("KeySchema"), sort_keys=True),
                   str((i.get("Projection") or {}).get("ProjectionType", "ALL")))
                  for i in indexes or ())


class _ServiceRoute:
    """DynamoDB and DynamoDB Streams on the endpoint."""

    def __init__(self, service: LocalDynamoDb) -> None:
        self._service = service

    def handles(self, request: Request) -> bool:
        return is_dynamodb_call(request)

    def handle(self, request: Request) -> Response:
        from samlite.aws.dynamodb.streams_api import STREAMS_PREFIX, handle_streams_call

        if (request.header("x-amz-target") or "").startswith(STREAMS_PREFIX):
            return handle_streams_call(self._service, request)
        try:
            return self._service._route().handle(request)
        except DynamoError as exc:
            return errors.response(exc)


def is_dynamodb_call(request: Request) -> bool:
    """A DynamoDB or DynamoDB Streams call (JSON protocol). Needs no moto."""
    return (request.header("x-amz-target") or "").startswith(model.TARGET_PREFIXES)
