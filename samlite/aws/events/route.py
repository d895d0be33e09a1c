"""EventBridge on the shared endpoint: claims its JSON-protocol requests (`X-Amz-Target:
AWSEvents.<Action>`) and answers them with moto's EventsHandler in-process, over the app's
backend, account and region (as aws/sqs/route.py does for SQS)."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from samlite.aws.app_bound import AppBound
from samlite.http.messages import Request, Response

if TYPE_CHECKING:
    from samlite.aws.events.backend import LocalEventsBackend as EventsBackend

TARGET_PREFIX = "AWSEvents."
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})


class EventsRoute:
    def __init__(self, backend: EventsBackend, *, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._region = region

    def handles(self, request: Request) -> bool:
        return is_events_request(request)

    def handle(self, request: Request) -> Response:
        from botocore.awsrequest import AWSPreparedRequest, HeadersDict

        host = request.header("host") or "127.0.0.1"
        url = f"http://{host}{request.path}"
        headers = HeadersDict(request.raw_headers)
        prepared = AWSPreparedRequest(method=request.method, url=url, headers=headers,
                                      body=request.body, stream_output=False)
        answer = _response_class()(self._backend, account_id=self._account_id,
                                   region=self._region)
        status, response_headers, body = answer._dispatch(prepared, url, headers)
        response_headers = {k: str(v) for k, v in dict(response_headers).items()
                            if k.lower() not in _SERVER_HEADERS}
        return Response(status=int(status), headers=tuple(response_headers.items()),
                        body=body.encode() if isinstance(body, str) else bytes(body or b""))


def is_events_request(request: Request) -> bool:
    """An EventBridge call. Needs no moto, so asking is cheap."""
    return (request.header("x-amz-target") or "").startswith(TARGET_PREFIX)


@functools.cache
def _response_class() -> type[Any]:
    from moto.events.responses import EventsHandler

    class AppResponse(AppBound, EventsHandler):
        @property
        def events_backend(self) -> EventsBackend:
            return self._app_backend

        def test_event_pattern(self) -> Any:
            result = self._app_backend.test_event_pattern(
                str(self._get_param("EventPattern") or ""), str(self._get_param("Event") or ""))
            return json.dumps({"Result": result}), self.response_headers

    return AppResponse
