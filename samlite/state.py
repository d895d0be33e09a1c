"""The state directory (`--state-dir`, `.samlite/` of the project): where the local AWS
services keep what users gave them, so it survives a restart of `samlite up`.

Layout: `buckets/<bucket>/<key>` holds objects as plain files (key -> path mapping lives in
samlite/aws/s3/files.py, the only place a user's key becomes a path); `s3.sqlite3`,
`sqs.sqlite3` and `async.sqlite3` hold object metadata, queues with their messages, and
pending asynchronous invocations; `dynamodb.sqlite3` tables, items and stream records (and
`dynamodb.sqlite3-log` the item writes not yet folded into it); `parameters.sqlite3`
secrets and Parameter Store parameters; `sns.sqlite3` the topics and subscriptions made
through the API;
`events.sqlite3` the EventBridge buses, rules and targets made or changed through the API.
`--reset` removes them all before starting.
`up.lock` is the lock the one `samlite up` of this state dir holds (its pid inside), and
`up.json` says where that `up` serves, for `samlite invoke` and `trigger` (samlite/app/running.py);
`--reset` leaves both alone, and `credential-seed`, the seed the functions' credentials are
derived from (runtime/credentials.py; kept so that `samlite invoke` beside this `up` gives a
function the credentials up's own would have).

A database file that is damaged, or is not the one samlite wrote, is a StateFileError naming
it (never a crash): `open_database` checks each file as it opens it, and `reading` guards what
is read back from it.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import StateFileError

DEFAULT_STATE_DIR_NAME = ".samlite"


@dataclass(frozen=True, slots=True, kw_only=True)
class StateDir:
    root: Path

    @property
    def buckets_dir(self) -> Path:
        return self.root / "buckets"

    @property
    def s3_db(self) -> Path:
        return self.root / "s3.sqlite3"

    @property
    def sqs_db(self) -> Path:
        return self.root / "sqs.sqlite3"

    @property
    def parameters_db(self) -> Path:
        """Secrets Manager's secrets and Parameter Store's parameters (aws/journal.py)."""
        return self.root / "parameters.sqlite3"

    @property
    def dynamodb_db(self) -> Path:
        return self.root / "dynamodb.sqlite3"

    @property
    def async_db(self) -> Path:
        return self.root / "async.sqlite3"

    @property
    def lock_file(self) -> Path:
        return self.root / "up.lock"

    @property
    def sns_db(self) -> Path:
        return self.root / "sns.sqlite3"

    @property
    def events_db(self) -> Path:
        """EventBridge's buses, rules and targets made through the API (aws/journal.py)."""
        return self.root / "events.sqlite3"

    @property
    def invocations_file(self) -> Path:
        """The dashboard's invocation records, one JSON a line (`up --keep-invocations`)."""
        return self.root / "invocations.jsonl"

    @property
    def running_file(self) -> Path:
        return self.root / "up.json"

    def create(self) -> StateDir:
        self.buckets_dir.mkdir(parents=True, exist_ok=True)
        return self

    def reset(self) -> None:
        """Forget every object, message and pending event (`samlite up --reset`)."""
        shutil.rmtree(self.buckets_dir, ignore_errors=True)
        for db in (self.s3_db, self.sqs_db, self.dynamodb_db, self.async_db,
                   self.parameters_db, self.sns_db, self.events_db):
            # -log: DynamoDB's writes not yet folded in (aws/dynamodb/write_log.py)
            for suffix in ("", "-wal", "-shm", "-journal", "-log"):
                db.with_name(db.name + suffix).unlink(missing_ok=True)
        self.invocations_file.unlink(missing_ok=True)


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """One of the state's SQLite files, checked and with its tables made: WAL with
    synchronous=NORMAL, so a commit survives a killed samlite without an fsync per write.
    Thread-safe use is the caller's business (one lock per connection)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise unusable(path, exc) from exc
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Reads every page once: damage shows now, named, not as a failed request later.
        verdict = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
        if verdict != ["ok"]:
            found = " ".join(" ".join(map(str, verdict)).split())
            raise sqlite3.DatabaseError(f"the database is damaged ({found})")
        db.executescript(schema)
    except sqlite3.Error as exc:
        db.close()
        raise unusable(path, exc) from exc
    return db


@contextmanager
def reading(path: Path | None) -> Iterator[None]:
    """Rows read back that don't fit (a file from another program or version, a damaged
    value) are a StateFileError naming `path` (None: an in-memory store, nothing to name)."""
    try:
        yield
    except (sqlite3.Error, ValueError) as exc:
        if path is None:
            raise
        raise unusable(path, exc) from exc


def unusable(path: Path, exc: BaseException) -> StateFileError:
    return StateFileError(
        f"{path} can't be used: {exc}. It is samlite's saved state; move it away to keep it, "
        "or start with `samlite up --reset`, which forgets every stored object, message and "
        "pending event")
