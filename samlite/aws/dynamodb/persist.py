"""The local DynamoDB on disk: tables (their CreateTable request and creation time), every
item, each table's stream records and each stream consumer's checkpoint, in one SQLite file
(StateDir.dynamodb_db, WAL; None: in memory). A write's item changes and stream records are
committed in one transaction before the caller is answered, so what a client was told was
written survives a SIGKILL, and so does its stream record. A write of one item without a
stream record (a table without a stream: most writes) is instead appended to the write log
beside the file (write_log.py), which survives a SIGKILL as well, and folded in later.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samlite.aws.dynamodb.write_log import FOLD_EVERY, LoggedWrite, WriteLog
from samlite.state import open_database, reading, unusable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (
    name TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    params TEXT NOT NULL,
    ttl_attribute TEXT,
    stream_label TEXT
);
CREATE TABLE IF NOT EXISTS items (
    table_name TEXT NOT NULL,
    key TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream (
    table_name TEXT NOT NULL,
    position INTEGER NOT NULL,
    partition_hash INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (table_name, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    consumer TEXT NOT NULL,
    lane INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (consumer, lane)
) WITHOUT ROWID;
"""

# json.dumps(..., separators=(",", ":")) made once (json.dumps makes one per call when given
# options).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedTable:
    name: str
    created_ms: int
    params: dict[str, Any]
    ttl_attribute: str | None
    stream_label: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRecord:
    position: int
    partition_hash: int
    created_ms: int
    record: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemWrite:
    table: str
    key: str                         # model.key_text
    item: dict[str, Any] | None      # None: deleted


class DynamoPersistence:
    """One connection guarded by a lock; sqlite3 keeps the statements prepared."""

    def __init__(self, path: Path | None) -> None:
        """A damaged or foreign file at `path` (or its write log) is a StateFileError
        naming it. Writes an earlier run left in the log are folded in now."""
        self._path = path
        self._lock = threading.Lock()
        self._log: WriteLog | None = None
        self._closed = False
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False,
                                       isolation_level=None)
            self._db.executescript(_SCHEMA)
            return
        self._db = open_database(path, _SCHEMA)
        log_path = write_log_path(path)
        try:
            self._log = WriteLog(log_path)
        except (OSError, ValueError) as exc:
            self._db.close()
            raise unusable(log_path, exc) from exc
        with self._lock:
            self._fold()

    # -- tables ----------------------------------------------------------------------------

    def save_table(self, table: SavedTable) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?)",
                             (table.name, table.created_ms, json.dumps(table.params),
                              table.ttl_attribute, table.stream_label))

    def drop_table(self, name: str) -> None:
        """The table, its items and its streams (keyed "<table>/stream/<label>")."""
        with self._lock:
            self._fold()
            self._db.execute("BEGIN")
            for statement in ("DELETE FROM tables WHERE name = ?",
                              "DELETE FROM items WHERE table_name = ?"):
                self._db.execute(statement, (name,))
            prefix = f"{name}/stream/"
            self._db.execute("DELETE FROM stream WHERE substr(table_name, 1, ?) = ?",
                             (len(prefix), prefix))
            self._db.execute("COMMIT")

    def tables(self) -> list[SavedTable]:
        with self._lock, reading(self._path):
            rows = self._db.execute("SELECT name, created_ms, params, ttl_attribute, "
                                    "stream_label FROM tables ORDER BY rowid").fetchall()
            return [SavedTable(name=n, created_ms=c, params=json.loads(p), ttl_attribute=t,
                               stream_label=label) for n, c, p, t, label in rows]

    def items(self, table: str) -> Iterator[dict[str, Any]]:
        with self._lock, reading(self._path):
            self._fold()
            rows = self._db.execute("SELECT item FROM items WHERE table_name = ?",
                                    (table,)).fetchall()
        for (item,) in rows:
            yield json.loads(item)

    # -- writes ----------------------------------------------------------------------------

    def apply(self, writes: Iterable[ItemWrite],
              records: Sequence[tuple[str, StoredRecord]]) -> None:
        """Item changes and their stream records (table, record), in one transaction; one
        item's change alone, in the write log."""
        rows = [LoggedWrite(table=w.table, key=w.key, item_json=None if w.item is None
                            else _COMPACT.encode(w.item)) for w in writes]
        with self._lock:
            if len(rows) == 1 and not records:
                if self._log is None:      # in memory: one statement is a transaction alone
                    self._write(rows[0])
                    return
                self._log.append(rows[0])
                if len(self._log.unfolded) >= FOLD_EVERY:
                    self._fold()
                return
            self._fold(rows, records)

    def _unfolded(self) -> list[LoggedWrite]:
        return self._log.unfolded if self._log is not None else []

    def _fold(self, rows: Sequence[LoggedWrite] = (),
              records: Sequence[tuple[str, StoredRecord]] = ()) -> None:
        """The write log's lines into the database, then `rows` and `records`, in one
        transaction (lock held); then the log is empty."""
        if not rows and not records and not self._unfolded():
            return
        self._db.execute("BEGIN")
        try:
            for row in self._unfolded():
                self._write(row)
            for row in rows:
                self._write(row)
            if records:
                self._db.executemany(
                    "INSERT INTO stream VALUES (?, ?, ?, ?, ?)",
                    [(table, r.position, r.partition_hash, r.created_ms,
                      _COMPACT.encode(r.record)) for table, r in records])
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        if self._log is not None:
            self._log.clear()

    def _write(self, row: LoggedWrite) -> None:
        if row.item_json is None:
            self._db.execute("DELETE FROM items WHERE table_name = ? AND key = ?",
                             (row.table, row.key))
        else:
            self._db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?)",
                             (row.table, row.key, row.item_json))

    # -- streams ---------------------------------------------------------------------------

    def stream_bounds(self, table: str) -> tuple[int, int] | None:
        """(first, last) position of a stream's records; None when it has none. A stream is
        named by its key here (`table` below too): "<table>/stream/<label>"."""
        with self._lock, reading(self._path):
            row = self._db.execute("SELECT MIN(position), MAX(position) FROM stream "
                                   "WHERE table_name = ?", (table,)).fetchone()
        return None if row is None or row[0] is None else (int(row[0]), int(row[1]))

    def records(self, table: str, *, after: int, limit: int,
                lane: tuple[int, int] | None = None) -> list[StoredRecord]:
        """Up to `limit` records after position `after`, oldest first; `lane` (lanes, lane)
        keeps those whose partition hash falls in that lane."""
        query = ("SELECT position, partition_hash, created_ms, record FROM stream "
                 "WHERE table_name = ? AND position > ?")
        args: list[Any] = [table, after]
        if lane is not None and lane[0] > 1:
            query += " AND partition_hash % ? = ?"
            args += [lane[0], lane[1]]
        query += " ORDER BY position LIMIT ?"
        args.append(limit)
        with self._lock, reading(self._path):
            rows = self._db.execute(query, args).fetchall()
        return [StoredRecord(position=p, partition_hash=h, created_ms=c, record=json.loads(r))
                for p, h, c, r in rows]

    def trim(self, table: str, before_ms: int) -> None:
        """Forget stream records older than the stream keeps them, but the newest: its
        position is where the stream goes on after a restart (positions are never reused,
        so no reader's checkpoint can point past a new record)."""
        with self._lock:
            self._db.execute("DELETE FROM stream WHERE table_name = ? AND created_ms < ? AND "
                             "position < (SELECT MAX(position) FROM stream "
                             "WHERE table_name = ?)", (table, before_ms, table))

    def checkpoint(self, consumer: str, lane: int) -> int | None:
        with self._lock, reading(self._path):
            row = self._db.execute("SELECT position FROM checkpoints WHERE consumer = ? "
                                   "AND lane = ?", (consumer, lane)).fetchone()
        return None if row is None else int(row[0])

    def save_checkpoint(self, consumer: str, lane: int, position: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?)",
                             (consumer, lane, position))

    def close(self) -> None:
        """Folds the write log and closes; again is nothing (an app stopped by its test and
        then by the fixture's teardown)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._fold()
            self._db.close()
            if self._log is not None:
                self._log.close()
                self._log.path.unlink(missing_ok=True)


def write_log_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-log")
