"""The local EventBridge as the app uses it: the template's buses made at startup, PutEvents
in-process, and the Route that serves them to SDKs on the endpoint. Each accepted entry is
handed to `on_event` before PutEvents answers, so its deliveries are in Lambda's durable
asynchronous queue or the SQS store by then. One instance per app.

Importing this module does not import moto: LocalEvents imports it when built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from samlite.clock import Clock
from samlite.http.messages import Route

if TYPE_CHECKING:
    from samlite.aws.events.backend import LocalEventsBackend

__all__ = ["LocalEvents"]


class LocalEvents:
    def __init__(self, *, account_id: str, region: str, clock: Clock,
                 on_event: Callable[[str, dict[str, Any]], None]) -> None:
        from samlite.aws.events.backend import LocalEventsBackend

        self._account_id = account_id
        self._region = region
        self._backend: LocalEventsBackend = LocalEventsBackend(region, account_id,
                                                               on_event=on_event, clock=clock)
        self._route: Route | None = None

    def ensure_event_bus(self, name: str) -> str:
        return self._backend.ensure_event_bus(name)

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """PutEvents in-process (the gateway's EventBridge-PutEvents integration, `samlite
        trigger`); the result entries, as the API answers them."""
        return self._backend.put_events([dict(e) for e in entries])

    def route(self) -> Route:
        if self._route is None:
            from samlite.aws.events.route import EventsRoute

            self._route = EventsRoute(self._backend, account_id=self._account_id,
                                      region=self._region)
        return self._route
