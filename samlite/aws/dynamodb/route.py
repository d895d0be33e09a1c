"""DynamoDB on the shared endpoint: claims DynamoDB's JSON protocol (`X-Amz-Target:
DynamoDB_20120810.<Action>`) and answers it with moto's DynamoHandler in-process, over the
app's backend, account and region whatever the credentials say. Write calls go through the
service, which records what they changed (state dir, stream) under the same lock.

DynamoDB Streams (`DynamoDBStreams_20120810.*`) is answered by streams_api.py.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samlite.aws.app_bound import AppBound
from samlite.aws.dynamodb import errors
from samlite.http.messages import Request, Response

if TYPE_CHECKING:
    from samlite.aws.dynamodb.backend import LocalDynamoBackend

TARGET_PREFIX = "DynamoDB_20120810."
# The endpoint writes these itself; moto's copies would repeat them.
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})
# Calls that would change items or tables behind the service's back (so the state dir and
# the stream would miss them): answered with a ValidationException naming them.
NOT_RUN = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
                     "RestoreTableFromBackup", "RestoreTableToPointInTime", "ImportTable",
                     "ExportTableToPointInTime"})

Dispatch = Callable[[], tuple[int, dict[str, str], bytes]]
Calls = Callable[[str, dict[str, Any], Dispatch], tuple[int, dict[str, str], bytes]]


class DynamoDbRoute:
    def __init__(self, backend: LocalDynamoBackend, *, account_id: str, region: str,
                 calls: Calls) -> None:
        """`calls(action, params, dispatch)` runs `dispatch` under the service's lock."""
        self._backend = backend
        self._account_id = account_id
        self._region = region
        self._calls = calls

    def handles(self, request: Request) -> bool:
        return is_dynamodb_request(request)

    def handle(self, request: Request) -> Response:
        from botocore.awsrequest import AWSPreparedRequest, HeadersDict

        action = (request.header("x-amz-target") or "").split(".", 1)[-1]
        if action in NOT_RUN:
            return errors.response(errors.validation(
                f"samlite does not run {action} locally (its changes would bypass the "
                "local state and stream)"))
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return errors.response(errors.serialization())
        host = request.header("host") or "127.0.0.1"
        url = f"http://{host}{request.path}"
        headers = HeadersDict(request.raw_headers)
        prepared = AWSPreparedRequest(method=request.method, url=url, headers=headers,
                                      body=request.body, stream_output=False)

        def dispatch() -> tuple[int, dict[str, str], bytes]:
            answer = _handler_class()(self._backend, account_id=self._account_id,
                                      region=self._region)
            status, response_headers, body = answer._dispatch(prepared, url, headers)
            kept = {k: str(v) for k, v in dict(response_headers).items()
                    if k.lower() not in _SERVER_HEADERS}
            return int(status), kept, body.encode() if isinstance(body, str) \
                else bytes(body or b"")

        status, response_headers, body = self._calls(action, params, dispatch)
        return Response(status=status, headers=tuple(response_headers.items()), body=body)


def is_dynamodb_request(request: Request) -> bool:
    return (request.header("x-amz-target") or "").startswith(TARGET_PREFIX)


@functools.cache
def _handler_class() -> type[Any]:
    """moto's DynamoDB wire layer bound to one backend, account and region (a class made on
    first use, so importing this module does not import moto)."""
    from moto.dynamodb.responses import DynamoHandler

    class AppHandler(AppBound, DynamoHandler):
        @property
        def dynamodb_backend(self) -> LocalDynamoBackend:
            return self._app_backend

    return AppHandler
