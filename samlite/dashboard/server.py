"""The dashboard's own loopback server: the route on an Endpoint (http/server.py) bound to
127.0.0.1 only, and the event hub fed by the app's invocation records and reloads."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, cast

from samlite.dashboard.route import DashboardRoute
from samlite.dashboard.stream import EventHub
from samlite.dashboard.views import TimelineView, timeline_batch
from samlite.http.server import DEFAULT_HOST, Endpoint
from samlite.runtime.records import InvocationRecord

if TYPE_CHECKING:
    from samlite.app.root import App

# Away from 3000 (gateway), 3001 (AWS endpoint) and the ports after them that function URLs
# and ALB listeners take.
DEFAULT_UI_PORT = 3900


class Dashboard:
    def __init__(self, app: App, *, port: int = DEFAULT_UI_PORT,
                 event_templates: Mapping[str, Any] | None = None) -> None:
        self._app = app
        self.hub = EventHub(batch_json=_batch_json)
        self._endpoint = Endpoint([DashboardRoute(app, self.hub,
                                                  event_templates=event_templates or {})],
                                  host=DEFAULT_HOST, port=port, port_flag="--ui-port")
        self._stop_listening = lambda: None

    def bind(self) -> None:
        """Reserve the port now (UsageError naming --ui-port when it is taken)."""
        self._endpoint.bind()

    @property
    def url(self) -> str:
        return self._endpoint.url + "/"

    def start(self) -> None:
        self._stop_listening = self._app.invocations.listen(
            lambda record: self.hub.publish("invocations", record))
        self._app.on_reloaded(lambda entry: self.hub.publish(
            "reloads", {"at_s": entry.at_s, "line": entry.line}))
        self._endpoint.start()

    def stop(self) -> None:
        self._stop_listening()
        self.hub.close()
        self._endpoint.stop()

    def __enter__(self) -> Dashboard:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _batch_json(event: str, items: list[object], view: Hashable) -> object:
    """Invocation records become the timeline rows the page's view asks for (on the stream's
    sender thread, not the invocation's); reloads are sent as published."""
    if event == "invocations":
        return timeline_batch(cast("list[InvocationRecord]", items),
                              view if isinstance(view, TimelineView) else TimelineView())
    return items
