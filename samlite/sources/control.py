"""samlite's own control routes on the local AWS endpoint: `POST /_samlite/triggers/<name>`
fires that trigger now in the running app (`samlite trigger NAME`), and `GET /_samlite/ping`
says a samlite is there and which app it serves (its template, state dir and pid), so
`samlite invoke` and `trigger` attach only to their own project's `up`. Loopback only, like
every samlite server; nothing here is an AWS API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from samlite.errors import SamliteError
from samlite.http.messages import Request, Response

PREFIX = "/_samlite/triggers/"


@dataclass(frozen=True, slots=True)
class Fired:
    """What a trigger started, named as AWS names it: a schedule, S3 or stream trigger starts
    an invocation ("fired", its RequestId), a topic is published to ("published", the
    MessageId SNS answers), a rule gets an event ("put", the event's id), an SQS trigger's
    queue a message ("sent", the MessageId SQS answers)."""

    id: str
    id_kind: str = "RequestId"
    verb: str = "fired"

    @classmethod
    def published(cls, message_id: str) -> Fired:
        return cls(message_id, "MessageId", "published")

    @classmethod
    def put(cls, event_id: str) -> Fired:
        return cls(event_id, "EventId", "put")

    @classmethod
    def sent(cls, message_id: str) -> Fired:
        return cls(message_id, "MessageId", "sent")


class TriggerRoute:
    def __init__(self, fire: Callable[[str], Fired]) -> None:
        self._fire = fire   # raises SamliteError for an unknown name

    def handles(self, request: Request) -> bool:
        return request.path.startswith(PREFIX)

    def handle(self, request: Request) -> Response:
        if request.method != "POST":
            return _json(405, {"message": "POST to fire a trigger"})
        name = unquote(request.path[len(PREFIX):])
        try:
            fired = self._fire(name)
        except SamliteError as exc:
            return _json(404, {"message": str(exc)})
        return _json(202, {"trigger": name, "verb": fired.verb, "idKind": fired.id_kind,
                           "id": fired.id})


def _json(status: int, document: Mapping[str, object]) -> Response:
    return Response(status=status, body=json.dumps(document).encode(),
                    headers=(("Content-Type", "application/json"),))


PING = "/_samlite/ping"


class PingRoute:
    """Answers {"samlite": version, "template": path, "stateDir": path or null, "pid": n,
    "parametersSecretsPorts": [2773]}, paths absolute (stateDir is null for `start-lambda`,
    which keeps no state); the ports are where this app serves the Parameters and Secrets
    extension now, so a `samlite invoke` beside it knows who holds them."""

    def __init__(self, version: str, *, template: Path, state_dir: Path | None,
                 pid: int, extension_ports: Callable[[], Iterable[int]] = tuple) -> None:
        self._answer = {"samlite": version, "template": str(template.resolve()),
                        "stateDir": str(state_dir.resolve()) if state_dir else None,
                        "pid": pid}
        self._extension_ports = extension_ports

    def handles(self, request: Request) -> bool:
        return request.path == PING

    def handle(self, request: Request) -> Response:
        ports = sorted(self._extension_ports())
        return _json(200, {**self._answer, "parametersSecretsPorts": ports})
