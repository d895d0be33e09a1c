"""The local SQS on disk: queues (name, attributes, tags) and every message, in one SQLite
file (StateDir.sqs_db, WAL). It is the store's Journal: each change is committed before the
store acts on it, so a client told "sent" or "deleted" keeps that answer through a SIGKILL.

synchronous=NORMAL: in WAL mode a commit is in the OS once written, which a killed process
cannot take back; only a power cut may lose the last commits.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.aws.sqs.model import DedupEntry, StoredMessage
from samlite.aws.sqs.store import DEDUPLICATION_WINDOW_S
from samlite.state import open_database, reading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    message_attributes TEXT,
    md5_of_body TEXT NOT NULL,
    md5_of_message_attributes TEXT,
    sender_id TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    receive_count INTEGER NOT NULL,
    first_receive_ms INTEGER,
    delay_until REAL NOT NULL DEFAULT 0,
    trace_header TEXT,
    UNIQUE (queue, message_id)
);
CREATE TABLE IF NOT EXISTS dedup (
    queue TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    expires_at REAL NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT,
    PRIMARY KEY (queue, dedup_id)
);
"""

_INSERT = ("INSERT OR REPLACE INTO messages (queue, message_id, body, message_attributes, "
           "md5_of_body, md5_of_message_attributes, sender_id, sent_ms, group_id, dedup_id, "
           "sequence_number, receive_count, first_receive_ms, delay_until, trace_header) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_RECEIVED = ("UPDATE messages SET receive_count = ?, first_receive_ms = ? "
             "WHERE queue = ? AND message_id = ?")
_DELETE = "DELETE FROM messages WHERE queue = ? AND message_id = ?"
_PRUNE_EVERY = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedQueue:
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


class SqsPersistence:
    """One connection guarded by a lock; sqlite3 keeps the statements prepared."""

    def __init__(self, path: Path) -> None:
        """A damaged or foreign file at `path` is a StateFileError naming it."""
        self._path = path
        self._lock = threading.Lock()
        self._sends_since_prune = 0
        self._db = open_database(path, _SCHEMA)
        _add_missing_columns(self._db)

    # -- queues ----------------------------------------------------------------------------

    def save_queue(self, name: str, attributes: Mapping[str, str],
                   tags: Mapping[str, str]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO queues (name, attributes, tags) "
                             "VALUES (?, ?, ?)",
                             (name, json.dumps(dict(attributes)), json.dumps(dict(tags))))

    def queues(self) -> list[SavedQueue]:
        with self._lock, reading(self._path):
            rows = self._db.execute("SELECT name, attributes, tags FROM queues "
                                    "ORDER BY rowid").fetchall()
            return [SavedQueue(name=n, attributes=json.loads(a), tags=json.loads(t))
                    for n, a, t in rows]

    def messages(self, queue: str) -> list[StoredMessage]:
        with self._lock, reading(self._path):
            rows = self._db.execute(
                "SELECT message_id, body, message_attributes, md5_of_body, "
                "md5_of_message_attributes, sender_id, sent_ms, group_id, dedup_id, "
                "sequence_number, receive_count, first_receive_ms, delay_until, trace_header "
                "FROM messages WHERE queue = ? ORDER BY seq", (queue,)).fetchall()
            return [StoredMessage(message_id=r[0], body=r[1],
                                  message_attributes=_decode_attributes(r[2]),
                                  md5_of_body=r[3], md5_of_message_attributes=r[4],
                                  sender_id=r[5], sent_ms=r[6], group_id=r[7], dedup_id=r[8],
                                  sequence_number=r[9], receive_count=r[10],
                                  first_receive_ms=r[11], delay_until=r[12],
                                  trace_header=r[13]) for r in rows]

    def dedup(self, queue: str) -> list[DedupEntry]:
        with self._lock, reading(self._path):
            rows = self._db.execute("SELECT dedup_id, expires_at, message_id, sequence_number "
                                    "FROM dedup WHERE queue = ? ORDER BY expires_at",
                                    (queue,)).fetchall()
            return [DedupEntry(dedup_id=r[0], expires_at=r[1], message_id=r[2],
                               sequence_number=r[3]) for r in rows]

    # -- the store's Journal ---------------------------------------------------------------

    def added(self, queue: str, message: StoredMessage, dedup: DedupEntry | None) -> None:
        with self._lock:
            if dedup is None:
                self._db.execute(_INSERT, _row(queue, message))
                return
            with self._transaction():
                self._db.execute(_INSERT, _row(queue, message))
                self._sends_since_prune += 1
                if self._sends_since_prune >= _PRUNE_EVERY:   # expired ids, now and then
                    self._sends_since_prune = 0
                    self._db.execute("DELETE FROM dedup WHERE expires_at < ?",
                                     (dedup.expires_at - DEDUPLICATION_WINDOW_S,))
                self._db.execute("INSERT OR REPLACE INTO dedup (queue, dedup_id, expires_at, "
                                 "message_id, sequence_number) VALUES (?, ?, ?, ?, ?)",
                                 (queue, dedup.dedup_id, dedup.expires_at, dedup.message_id,
                                  dedup.sequence_number))

    def received(self, queue: str, messages: Sequence[StoredMessage]) -> None:
        with self._lock, self._transaction():
            self._db.executemany(_RECEIVED, [(m.receive_count, m.first_receive_ms, queue,
                                              m.message_id) for m in messages])

    def deleted(self, queue: str, message_ids: Sequence[str]) -> None:
        with self._lock, self._transaction():
            self._db.executemany(_DELETE, [(queue, message_id) for message_id in message_ids])

    def moved(self, source: str, target: str, message: StoredMessage) -> None:
        with self._lock, self._transaction():
            self._db.execute(_DELETE, (source, message.message_id))
            self._db.execute(_INSERT, _row(target, message))

    def purged(self, queue: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM messages WHERE queue = ?", (queue,))

    def queue_dropped(self, queue: str) -> None:
        with self._lock, self._transaction():
            for table in ("messages", "dedup"):
                self._db.execute(f"DELETE FROM {table} WHERE queue = ?", (queue,))  # noqa: S608
            self._db.execute("DELETE FROM queues WHERE name = ?", (queue,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the body raised (the caller holds the lock)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def _row(queue: str, m: StoredMessage) -> tuple[Any, ...]:
    return (queue, m.message_id, m.body, _encode_attributes(m.message_attributes),
            m.md5_of_body, m.md5_of_message_attributes, m.sender_id, m.sent_ms, m.group_id,
            m.dedup_id, m.sequence_number, m.receive_count, m.first_receive_ms, m.delay_until,
            m.trace_header)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """A state file from an earlier samlite lacks the columns added since; CREATE TABLE IF
    NOT EXISTS leaves its table as it was."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    if "trace_header" not in columns:
        db.execute("ALTER TABLE messages ADD COLUMN trace_header TEXT")


def _encode_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    if not attributes:
        return None
    plain: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        entry = {k: v for k, v in value.items() if v is not None}
        binary = entry.pop("BinaryValue", None)
        if binary is not None:   # JSON has no bytes
            raw = binary if isinstance(binary, bytes) else str(binary).encode()
            entry["BinaryValueBase64"] = base64.b64encode(raw).decode()
        plain[name] = entry
    return json.dumps(plain)


def _decode_attributes(text: str | None) -> dict[str, dict[str, Any]]:
    if not text:
        return {}
    attributes: dict[str, dict[str, Any]] = json.loads(text)
    for entry in attributes.values():
        encoded = entry.pop("BinaryValueBase64", None)
        if encoded is not None:
            entry["BinaryValue"] = base64.b64decode(encoded)
    return attributes
