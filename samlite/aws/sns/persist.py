"""The local SNS on disk: topics and subscriptions made through the API (CreateTopic,
Subscribe, Set*Attributes), in one SQLite file beside the other state (`sns.sqlite3`), so
they are there again after a restart as SQS queues are. The template's own are made again
from the template at each start and are not kept here. Messages are not kept: each publish is
delivered before SNS answers (into Lambda's durable queue or the SQS store)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samlite.state import open_database, reading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (arn TEXT PRIMARY KEY, name TEXT NOT NULL,
                                   attributes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL,
                                          protocol TEXT NOT NULL, endpoint TEXT NOT NULL,
                                          attributes TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedTopic:
    arn: str
    name: str
    attributes: dict[str, Any]      # FifoTopic, ContentBasedDeduplication


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedSubscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    attributes: dict[str, Any]      # those SetSubscriptionAttributes takes


class SnsPersistence:
    def __init__(self, path: Path) -> None:
        """A damaged or foreign file at `path` is a StateFileError naming it."""
        self._path = path
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    def replace_all(self, topics: Sequence[SavedTopic],
                    subscriptions: Sequence[SavedSubscription]) -> None:
        """The API-made topics and subscriptions are now these (one transaction)."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM topics")
            self._db.execute("DELETE FROM subscriptions")
            self._db.executemany("INSERT INTO topics VALUES (?,?,?)", [
                (t.arn, t.name, json.dumps(t.attributes)) for t in topics])
            self._db.executemany("INSERT INTO subscriptions VALUES (?,?,?,?,?)", [
                (s.arn, s.topic_arn, s.protocol, s.endpoint, json.dumps(s.attributes))
                for s in subscriptions])
            self._db.execute("COMMIT")

    def load(self) -> tuple[list[SavedTopic], list[SavedSubscription]]:
        with self._lock, reading(self._path):
            topics = [SavedTopic(arn=a, name=n, attributes=json.loads(x))
                      for a, n, x in self._db.execute("SELECT arn, name, attributes FROM topics")]
            subscriptions = [
                SavedSubscription(arn=a, topic_arn=t, protocol=p, endpoint=e,
                                  attributes=json.loads(x))
                for a, t, p, e, x in self._db.execute(
                    "SELECT arn, topic_arn, protocol, endpoint, attributes FROM subscriptions")]
        return topics, subscriptions

    def close(self) -> None:
        with self._lock:
            self._db.close()
