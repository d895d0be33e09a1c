"""A service's changes, kept as the API calls that made them: each successful call that
changes something (PutParameter, PutSecretValue, ...) is written to the state's
parameters.sqlite3 before its answer goes out, and replayed through the same wire layer at
the next start. The calls are AWS's own public shapes, so the state outlives moto's inner
models from one version to the next. For small, rarely written services (secrets and
parameters); not for message traffic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.aws.in_process import json_answer, json_params, json_request
from samlite.http.messages import Request, Response, Route
from samlite.state import open_database, reading

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    facts TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    action: str
    params: Mapping[str, Any]
    facts: Mapping[str, Any] = field(default_factory=dict)   # what the answer fixed (an ARN)


class Journal:
    """One service's calls in a shared file; None path: memory only (start-lambda, tests)."""

    def __init__(self, path: Path | None, service: str) -> None:
        self._path = path
        self._service = service
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA) if path is not None else None

    @property
    def path(self) -> Path | None:
        return self._path

    def append(self, call: Call) -> None:
        if self._db is None:
            return
        with self._lock:
            self._db.execute("INSERT INTO calls (service, action, params, facts) "
                             "VALUES (?, ?, ?, ?)",
                             (self._service, call.action, json.dumps(dict(call.params)),
                              json.dumps(dict(call.facts))))

    def calls(self) -> list[Call]:
        if self._db is None:
            return []
        with self._lock, reading(self._path):
            rows = self._db.execute("SELECT action, params, facts FROM calls WHERE service = ? "
                                    "ORDER BY seq", (self._service,)).fetchall()
            return [Call(action=a, params=json.loads(p), facts=json.loads(f))
                    for a, p, f in rows]

    def close(self) -> None:
        if self._db is not None:
            with self._lock:
                self._db.close()
            self._db = None


def has_client_calls(path: Path | None, service: str) -> bool:
    """Whether `path` keeps a call a client made to `service` (not only samlite's own
    `_...` notes), read without making the file: a start can ask before building the service."""
    if path is None or not path.exists():
        return False
    db = open_database(path, _SCHEMA)
    try:
        with reading(path):
            row = db.execute("SELECT 1 FROM calls WHERE service = ? "
                             "AND substr(action, 1, 1) != '_' LIMIT 1", (service,)).fetchone()
    finally:
        db.close()
    return row is not None


# (action, the request's members, the answer's members) -> the call to keep
Recorder = Callable[[str, dict[str, Any], dict[str, Any]], Call]


def _as_is(action: str, params: dict[str, Any], answer: dict[str, Any]) -> Call:
    return Call(action=action, params=params)


class JournaledRoute:
    """A JSON-protocol service's wire route whose successful changing calls are journaled
    (one at a time, so the journal's order is the order they took effect)."""

    def __init__(self, wire: Route, journal: Journal, *, target_prefix: str,
                 changes: frozenset[str], record: Recorder = _as_is,
                 on_change: Callable[[Call], None] = lambda call: None) -> None:
        """`on_change` hears of each change a client made, once it is journaled."""
        self._wire = wire
        self._journal = journal
        self._prefix = target_prefix
        self._changes = changes
        self._record = record
        self._on_change = on_change
        self._lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def handles(self, request: Request) -> bool:
        return self._wire.handles(request)

    def handle(self, request: Request) -> Response:
        action = (request.header("x-amz-target") or "")[len(self._prefix):]
        if action not in self._changes:
            return self._wire.handle(request)
        with self._lock:
            response = self._wire.handle(request)
            if response.status >= 300:
                return response
            call = self._record(action, json_params(request), json_answer(response))
            self._journal.append(call)
        self._on_change(call)
        return response

    def replay(self, after: Callable[[Call], None] | None = None,
               skip: Callable[[Call], bool] = lambda call: False) -> None:
        """The journal's calls, again, through the wire route (not journaled twice); calls
        `skip` picks are passed over quietly."""
        for call in self._journal.calls():
            if not call.action.startswith("_") and not skip(call):
                answer = self._wire.handle(json_request(self._prefix + call.action,
                                                        call.params))
                if answer.status >= 300:   # e.g. a call an older moto took and this one won't
                    log.warning("%s %s kept in %s was refused on replay: %s",
                                self._prefix.rstrip("."), call.action, self._journal.path,
                                answer.body[:200].decode(errors="replace"))
            if after is not None:
                after(call)

    def note(self, call: Call) -> None:
        """A change samlite made beside the wire (an action named `_...`, for `after`)."""
        self._journal.append(call)


class TemplatePuts:
    """What the template last put into each of its resources (a digest of the value), kept
    in the journal beside the wire calls. A start compares the template with this, not with
    the current value, so a value a client put since is kept until the template changes
    (docs/aws.md: the template's value is put as a new version only when it changes)."""

    ACTION = "_TemplatePut"
    FORGET = "_TemplateForget"     # the template no longer has the resource

    def __init__(self, route: JournaledRoute) -> None:
        self._route = route
        self._last: dict[str, str] = {}

    def replayed(self, call: Call) -> None:
        """For JournaledRoute.replay's `after`: learn a put (or a forget) noted at an
        earlier start."""
        if call.action == self.ACTION:
            self._last[str(call.params["Name"])] = str(call.params["Digest"])
        elif call.action == self.FORGET:
            self._last.pop(str(call.params["Name"]), None)

    def has_put(self, name: str) -> bool:
        """Whether the template put `name` and has not given it up since (so the template
        owns it)."""
        return name in self._last

    def names(self) -> frozenset[str]:
        return frozenset(self._last)

    def forget(self, name: str) -> None:
        """The template no longer has `name`: a client may make one of that name later."""
        if self._last.pop(name, None) is not None:
            self._route.note(Call(action=self.FORGET, params={"Name": name}))

    def changed(self, name: str, *value: str) -> bool | None:
        """Whether the template's value differs from what it last put; None: not known (a
        journal from before this was kept)."""
        last = self._last.get(name)
        return None if last is None else last != _digest(value)

    def remember(self, name: str, *value: str) -> None:
        digest = _digest(value)
        if self._last.get(name) != digest:
            self._last[name] = digest
            self._route.note(Call(action=self.ACTION, params={"Name": name, "Digest": digest}))


def _digest(value: tuple[str, ...]) -> str:
    # A digest, not the value: a secret's template value is not written again in clear.
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()
