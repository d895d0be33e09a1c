"""The state directory (`--state-dir`, `.samlite/` of the project): where the local AWS
services keep what users gave them, so it survives a restart of `samlite up`.

Layout: `buckets/<bucket>/<key>` holds objects as plain files (key -> path mapping lives in
samlite/aws/s3/files.py, the only place a user's key becomes a path); `s3.sqlite3`,
`sqs.sqlite3` and `async.sqlite3` hold object metadata, queues with their messages, and
pending asynchronous invocations. `--reset` removes them all before starting.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

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
    def async_db(self) -> Path:
        return self.root / "async.sqlite3"

    def create(self) -> StateDir:
        self.buckets_dir.mkdir(parents=True, exist_ok=True)
        return self

    def reset(self) -> None:
        """Forget every object, message and pending event (`samlite up --reset`)."""
        shutil.rmtree(self.buckets_dir, ignore_errors=True)
        for db in (self.s3_db, self.sqs_db, self.async_db):
            for suffix in ("", "-wal", "-shm", "-journal"):
                db.with_name(db.name + suffix).unlink(missing_ok=True)
