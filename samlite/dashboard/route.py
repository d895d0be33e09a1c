"""The dashboard's HTTP surface: pages, static files, the JSON API under /api/ and the event
stream /api/events, as one Route on its own loopback server (server.py). Maps requests to
views.py (reads), aws_ops.py and the app (actions) and pages.py; holds no state of its own."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from samlite.dashboard import views
from samlite.dashboard.aws_ops import AwsCallFailed, AwsOps
from samlite.dashboard.pages import PAGES, render_page
from samlite.dashboard.stream import EventHub
from samlite.dashboard.views import vars_of
from samlite.errors import SamliteError
from samlite.http.messages import Request, Response
from samlite.runtime.api_errors import LambdaApiError
from samlite.runtime.records import STATUSES

if TYPE_CHECKING:
    from samlite.app.root import App

log = logging.getLogger(__name__)

MAX_LIST = 500               # invocation rows one API call returns at most
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"))


class BadQuery(Exception):
    """A query parameter the API cannot take: a 400 saying which and why."""


class DashboardRoute:
    def __init__(self, app: App, hub: EventHub, *,
                 event_templates: Mapping[str, Any]) -> None:
        self._app = app
        self._hub = hub
        self._templates = dict(event_templates)
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/api/events"), self._events),
            ("GET", re.compile(r"/api/functions"), lambda r: _json(views.functions_view(app))),
            ("GET", re.compile(r"/api/graph"), lambda r: _json(views.graph_view(app.graph))),
            ("GET", re.compile(r"/api/invocations"), self._invocations),
            ("GET", re.compile(r"/api/invocations/(?P<rid>[^/]+)"), self._invocation),
            ("POST", re.compile(r"/api/invocations/(?P<rid>[^/]+)/replay"), self._replay),
            ("POST", re.compile(r"/api/invoke"), self._invoke),
            ("GET", re.compile(r"/api/event-templates"), lambda r: _json(self._templates)),
            ("GET", re.compile(r"/api/queues"), lambda r: _json(self._queues())),
            ("GET", re.compile(r"/api/queues/(?P<name>[^/]+)/messages"),
             lambda r, name: _json(self._ops().peek(self._queue(name)))),
            ("POST", re.compile(r"/api/queues/(?P<name>[^/]+)/(?P<action>send|purge|redrive)"),
             self._queue_action),
            ("GET", re.compile(r"/api/buckets"), lambda r: _json(self._buckets())),
            ("GET", re.compile(r"/api/buckets/(?P<bucket>[^/]+)/objects"), self._objects),
            ("GET", re.compile(r"/api/buckets/(?P<bucket>[^/]+)/object"), self._download),
            ("PUT", re.compile(r"/api/buckets/(?P<bucket>[^/]+)/object"), self._upload),
            ("DELETE", re.compile(r"/api/buckets/(?P<bucket>[^/]+)/object"), self._delete),
            ("GET", re.compile(r"/api/schedules"), lambda r: _json(views.schedules_view(app))),
            ("POST", re.compile(r"/api/schedules/(?P<name>[^/]+)/fire"), self._fire),
            ("GET", re.compile(r"/api/reloads"), lambda r: _json(views.reloads_view(app))),
            ("GET", re.compile(r"/static/(?P<name>[a-z]+\.(?:js|css))"), self._static),
            ("GET", re.compile(r"/(?P<page>[a-z]*)(?:/(?P<arg>[^/]+))?"), self._page),
        ]

    def handles(self, request: Request) -> bool:
        return True

    def handle(self, request: Request) -> Response:
        path = unquote(request.path)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is not None and request.method in (method, "HEAD" if method == "GET"
                                                        else method):
                try:
                    return handler(request, **match.groupdict())
                except UnknownName as exc:
                    return _json({"error": str(exc)}, status=404)
                except BadQuery as exc:
                    return _json({"error": str(exc)}, status=400)
                except (SamliteError, LambdaApiError) as exc:
                    return _json({"error": str(exc) if isinstance(exc, SamliteError)
                                  else f"{exc.error_type}: {exc.message}"}, status=400)
        return _json({"error": f"no {request.method} {request.path} here"}, status=404)

    # --- reads ------------------------------------------------------------------------------
    def _events(self, request: Request) -> Response:
        rows, per = _whole_number(request, "rows"), request.query_value("per")
        if per not in (None, "function"):
            return _json({"error": f"per takes only 'function' (each function's newest row "
                                   f"of a batch), not {per!r}"}, status=400)
        view = views.TimelineView(_timeline_filter(request), per_function=per == "function",
                                  newest=rows)
        return Response(status=200, stream=self._hub.stream(view), headers=(
            ("Content-Type", "text/event-stream"), *_SECURITY_HEADERS))

    def _invocations(self, request: Request) -> Response:
        only = _timeline_filter(request)
        records = self._app.invocations.all(function=only.function or None,
                                            after_seq=_whole_number(request, "after") or 0)
        text = (request.query_value("q") or "").lower()
        rows = [views.invocation_row(r) for r in reversed(records)
                if only.matches(r)
                and (not text or text in r.request_id or text in r.event.text.lower()
                     or any(text in line.lower() for line in r.log_lines))]
        limit = _whole_number(request, "limit")
        return _json(rows[:MAX_LIST if limit is None else min(MAX_LIST, limit)])

    def _invocation(self, request: Request, rid: str) -> Response:
        record = self._app.invocations.find(rid)
        if record is None:
            return _json({"error": f"no invocation {rid} is kept"}, status=404)
        chain = views.chain_of(record, self._app.invocations.all(), self._app.graph)
        return _json(views.invocation_detail(record, chain))

    def _queues(self) -> list[dict[str, Any]]:
        names = {q.queue_name: q.logical_id for q in self._app.graph.queues}
        return [{**vars_of(row), "logical_id": names.get(row.name)}
                for row in self._ops().queues()]

    def _buckets(self) -> list[dict[str, Any]]:
        names = {b.bucket_name: b.logical_id for b in self._app.graph.buckets}
        return [{"name": name, "logical_id": names.get(name)} for name in self._ops().buckets()]

    def _objects(self, request: Request, bucket: str) -> Response:
        rows = self._ops().objects(self._bucket(bucket), prefix=request.query_value("prefix") or "")
        return _json([vars_of(row) for row in rows])

    def _download(self, request: Request, bucket: str) -> Response:
        key = _required(request, "key")
        body, kind = self._ops().get_object(self._bucket(bucket), key)
        name = key.rsplit("/", 1)[-1].replace('"', "")
        disposition = "attachment" if request.query_value("download") else "inline"
        return Response(status=200, body=body, headers=(
            ("Content-Type", kind), ("Content-Disposition", f'{disposition}; filename="{name}"'),
            ("Content-Security-Policy", "sandbox"), *_SECURITY_HEADERS))

    def _static(self, request: Request, name: str) -> Response:
        file = resources.files("samlite.dashboard") / "static" / name
        if not file.is_file():
            return _json({"error": f"no static file {name}"}, status=404)
        suffix = name[name.rindex("."):]
        return Response(status=200, body=file.read_bytes(),
                        headers=(("Content-Type", _STATIC_TYPES[suffix]), *_SECURITY_HEADERS))

    def _page(self, request: Request, page: str, arg: str | None) -> Response:
        page = page or "app"
        if page not in PAGES or (arg is not None and page != "invocations"):
            return _json({"error": f"no page {request.path}"}, status=404)
        # The project folder's name (a relative template path's parent is named "").
        html = render_page(page, arg=arg, app_name=self._app.template.resolve().parent.name)
        return Response(status=200, body=html.encode(), headers=(
            ("Content-Type", "text/html; charset=utf-8"), *_SECURITY_HEADERS))

    # --- actions ----------------------------------------------------------------------------
    def _invoke(self, request: Request) -> Response:
        body = _body(request)
        return self._run(str(body.get("function", "")), _event_bytes(body.get("event")),
                         trigger="dashboard")

    def _replay(self, request: Request, rid: str) -> Response:
        record = self._app.invocations.find(rid)
        if record is None:
            return _json({"error": f"no invocation {rid} is kept"}, status=404)
        body = _body(request)
        if "event" in body:
            event = _event_bytes(body["event"])
        elif record.event.is_truncated:
            return _json({"error": "its event was cut at 256 KB; send the event to replay"},
                         status=400)
        else:
            event = record.event.text.encode()
        return self._run(record.function, event, trigger=f"replay of {rid}")

    def _run(self, function: str, payload: bytes, *, trigger: str) -> Response:
        service = self._app.service
        spec = self._app.function(function)
        result = service.invoke_target(service.target(spec.logical_id), payload,  # type: ignore[call-arg]
                                       trigger=trigger)
        return _json({"request_id": result.request_id,
                      "status": "error" if result.is_error else "ok",
                      "response": result.payload.decode("utf-8", "replace")})

    def _queue_action(self, request: Request, name: str, action: str) -> Response:
        ops, name = self._ops(), self._queue(name)
        if action == "send":
            return _json({"message_id": ops.send(name, str(_body(request).get("body", "")))})
        if action == "purge":
            ops.purge(name)
            return _json({"purged": name})
        sources = [row.name for row in ops.queues() if row.dead_letter_queue == name]
        to = _body(request).get("to")
        target = self._queue(str(to)) if to else (sources[0] if len(sources) == 1 else "")
        problem = _redrive_problem(name, target, sources)
        if problem:
            return _json({"error": problem}, status=400)
        return _json({"moved": ops.redrive(name, target), "to": target})

    def _upload(self, request: Request, bucket: str) -> Response:
        key, bucket = _required(request, "key"), self._bucket(bucket)
        self._ops().put_object(bucket, key, request.body,
                               request.header("content-type") or "application/octet-stream")
        return _json({"bucket": bucket, "key": key, "size_bytes": len(request.body)})

    def _delete(self, request: Request, bucket: str) -> Response:
        key = _required(request, "key")
        self._ops().delete_object(self._bucket(bucket), key)
        return _json({"deleted": key})

    def _fire(self, request: Request, name: str) -> Response:
        if self._app.scheduler is None:
            return _json({"error": "schedules run only in `samlite up`"}, status=400)
        return _json({"request_id": self._app.scheduler.fire_now(name)})

    def _queue(self, name: str) -> str:
        """The queue's name, given it or the template's logical id (the pages show both)."""
        return _physical(name, "queue", known=self._ops().queue_names(),
                         logical={q.logical_id: q.queue_name for q in self._app.graph.queues})

    def _bucket(self, name: str) -> str:
        return _physical(name, "bucket", known=self._ops().buckets(),
                         logical={b.logical_id: b.bucket_name for b in self._app.graph.buckets})

    def _ops(self) -> AwsOps:
        aws = self._app.aws
        if aws is None:
            raise AwsCallFailed("this app has no local AWS endpoint")
        # The endpoint's host and port, as an SDK sends them: SQS builds queue URLs from it.
        host = urlsplit(self._app.endpoint_url or "").netloc or "127.0.0.1"
        return AwsOps(aws.call, region=self._app.options.pseudo.region, endpoint_host=host)


class UnknownName(AwsCallFailed):
    """A queue or bucket action named neither a resource's name nor its logical id."""


def _physical(name: str, kind: str, *, known: list[str], logical: dict[str, str]) -> str:
    if name in known:
        return name
    if name in logical:
        return logical[name]
    names = [f"{lid} ({physical})" for lid, physical in sorted(logical.items())]
    names += sorted(set(known) - set(logical.values()))
    raise UnknownName(f"no {kind} {name!r} here; name one by its template logical id or its "
                      f"name: {', '.join(names) or 'there are none'}")


def _redrive_problem(queue: str, target: str, sources: list[str]) -> str | None:
    """Why `queue` cannot be redriven to `target` ("" when none was named and `queue` has
    not exactly one source queue to imply it); None when it can be."""
    if target == queue:
        # Moving a queue's messages into itself would receive each again, without end.
        return (f"{queue} cannot be redriven to itself; redrive moves a dead-letter queue's "
                "messages back to the queue they came from")
    if target:
        return None
    if not sources:
        return (f"{queue} is no queue's dead-letter queue (no RedrivePolicy names it), so "
                "there is no source queue to move its messages back to; redrive a dead-letter "
                'queue, or name the queue to move them to with {"to": "QUEUE"}')
    return (f"{queue} is the dead-letter queue of {len(sources)} queues "
            f"({', '.join(sources)}); say which one to redrive to with {{\"to\": \"QUEUE\"}}")


def _timeline_filter(request: Request) -> views.TimelineFilter:
    status = request.query_value("status") or ""
    if status and status not in STATUSES:
        raise BadQuery(f"status is one of {', '.join(STATUSES)}, not {status!r}")
    return views.TimelineFilter(function=request.query_value("function") or "",
                                status=status, trigger=request.query_value("trigger") or "")


def _whole_number(request: Request, name: str) -> int | None:
    """A query parameter that counts (rows, limit) or names a sequence number (after)."""
    value = request.query_value(name)
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        raise BadQuery(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _json(data: object, *, status: int = 200) -> Response:
    return Response(status=status, body=json.dumps(data).encode(), headers=(
        ("Content-Type", "application/json"), *_SECURITY_HEADERS))


def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise AwsCallFailed(f"the request body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise AwsCallFailed("the request body must be a JSON object")
    return data


def _event_bytes(event: object) -> bytes:
    """The event as the page sent it: JSON text (checked), or any JSON value."""
    if isinstance(event, str):
        try:
            json.loads(event)
        except ValueError as exc:
            raise AwsCallFailed(f"the event is not valid JSON: {exc}") from exc
        return event.encode()
    return json.dumps({} if event is None else event).encode()


def _required(request: Request, name: str) -> str:
    value = request.query_value(name)
    if not value:
        raise AwsCallFailed(f"say which object with ?{name}=")
    return value
