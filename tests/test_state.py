"""The state directory's databases: a damaged file, or one samlite did not write, stops
`samlite up` with an error naming the file and the way out (move it, or `--reset`), exit 1,
never a crash report or a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.aws.journal import has_client_calls
from samlite.aws.s3.store import S3Store
from samlite.aws.sqs.persist import SqsPersistence
from samlite.errors import StateFileError
from samlite.runtime.async_invoke import SqliteEventStore
from samlite.state import StateDir

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Photos:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
"""

# Each database and the store that reads it back at startup.
STORES: dict[str, Callable[[Path], object]] = {
    "s3.sqlite3": lambda path: S3Store(path).buckets(),
    "sqs.sqlite3": lambda path: SqsPersistence(path).queues(),
    "async.sqlite3": lambda path: SqliteEventStore(path).load(),
    "events.sqlite3": lambda path: has_client_calls(path, "events"),
}


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"these bytes were never a database\n" * 200)


def _damaged_pages(path: Path) -> None:
    """A real SQLite file whose third page was overwritten (a torn write, a bad disk)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE filler (text TEXT)")
    db.executemany("INSERT INTO filler VALUES (?)", [("x" * 100,)] * 2000)
    db.commit()
    db.close()
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[2 * page_size: 2 * page_size + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))


def _foreign_tables(path: Path) -> None:
    """A sound SQLite file with samlite's table names but other columns."""
    db = sqlite3.connect(path)
    for table in ("buckets", "objects", "counters", "queues", "messages", "dedup", "events",
                  "calls"):
        db.execute(f"CREATE TABLE {table} (something_else TEXT)")
    db.commit()
    db.close()


DAMAGE = {"not a database": _not_a_database, "damaged pages": _damaged_pages,
          "foreign tables": _foreign_tables}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("name", STORES)
def test_an_unusable_database_is_named_with_the_way_out(tmp_path: Path, name: str,
                                                        damage: str) -> None:
    path = tmp_path / name
    DAMAGE[damage](path)
    with pytest.raises(StateFileError) as caught:
        STORES[name](path)
    assert str(path) in str(caught.value)
    assert "samlite up --reset" in str(caught.value)
    assert caught.value.exit_code == 1


def test_a_sound_database_opens_again(tmp_path: Path) -> None:
    state = StateDir(root=tmp_path)
    SqsPersistence(state.sqs_db).save_queue("Jobs", {}, {})
    assert [q.name for q in SqsPersistence(state.sqs_db).queues()] == ["Jobs"]


def _up(project: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0", *flags],
        cwd=project, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False)


@pytest.mark.parametrize("name", STORES)
def test_samlite_up_with_a_corrupt_state_file_exits_1_naming_it(tmp_path: Path,
                                                                name: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    state = tmp_path / ".samlite"
    state.mkdir()
    _not_a_database(state / name)

    done = _up(tmp_path)

    assert done.returncode == 1, done.stderr
    assert f"{state / name} can't be used" in done.stderr
    assert "samlite up --reset" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "report" not in done.stderr
