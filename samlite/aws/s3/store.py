"""The local S3's metadata on disk (`s3.sqlite3` in the state directory): buckets, and for
each object its key exactly as given, where its bytes are, the size and mtime samlite last
saw on its file, and what a restart needs to return the same object (etag, version id,
content type, user metadata, tags...). The bytes themselves are files (files.py).
Only the latest version of a key is kept."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.state import open_database, reading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, region TEXT NOT NULL, created REAL NOT NULL, versioning TEXT);
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL, key TEXT NOT NULL, is_plain INTEGER NOT NULL,
  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, etag TEXT NOT NULL, version_id TEXT,
  last_modified REAL NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY (bucket, key));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketRow:
    name: str
    region: str
    created: float
    versioning: str | None = None      # "Enabled", "Suspended" or None


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectRow:
    bucket: str
    key: str
    is_plain: bool                      # a file in the bucket folder (else unmapped)
    size: int
    mtime_ns: int                       # of the file as samlite last wrote or read it
    etag: str                           # without quotes
    version_id: str | None
    last_modified: float                # epoch seconds
    # Content-Type, user metadata (x-amz-meta-*), storage class, tags...: as backend.py saves them
    attributes: dict[str, Any] = field(default_factory=dict)


class S3Store:
    """SQLite rows for buckets and objects. `path=None` keeps them in memory. Thread-safe."""

    def __init__(self, path: Path | None) -> None:
        """A damaged or foreign file at `path` is a StateFileError naming it."""
        self._path = path
        self._lock = threading.Lock()
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False,
                                       isolation_level=None)
            self._db.executescript(_SCHEMA)
        else:
            self._db = open_database(path, _SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def buckets(self) -> list[BucketRow]:
        with self._lock, reading(self._path):
            rows = self._db.execute("SELECT name, region, created, versioning FROM buckets")
            return [BucketRow(name=n, region=r, created=c, versioning=v) for n, r, c, v in rows]

    def save_bucket(self, row: BucketRow) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)",
                             (row.name, row.region, row.created, row.versioning))

    def delete_bucket(self, name: str) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM objects WHERE bucket = ?", (name,))
            self._db.execute("DELETE FROM buckets WHERE name = ?", (name,))

    def objects(self, bucket: str) -> list[ObjectRow]:
        with self._lock, reading(self._path):
            rows = self._db.execute(
                "SELECT bucket, key, is_plain, size, mtime_ns, etag, version_id, last_modified,"
                " attributes FROM objects WHERE bucket = ?", (bucket,)).fetchall()
            return [ObjectRow(bucket=b, key=k, is_plain=bool(p), size=s, mtime_ns=m, etag=e,
                              version_id=v, last_modified=lm, attributes=json.loads(a))
                    for b, k, p, s, m, e, v, lm, a in rows]

    def save_object(self, row: ObjectRow) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.bucket, row.key, int(row.is_plain), row.size, row.mtime_ns, row.etag,
                 row.version_id, row.last_modified, json.dumps(row.attributes)))

    def delete_object(self, bucket: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))

    def counter(self, name: str) -> int:
        with self._lock, reading(self._path):
            row = self._db.execute("SELECT value FROM counters WHERE name = ?",
                                   (name,)).fetchone()
            return int(row[0]) if row else 0

    def save_counter(self, name: str, value: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))
