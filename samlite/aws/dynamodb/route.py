"""DynamoDB on the shared endpoint: claims DynamoDB's JSON protocol (`X-Amz-Target:
DynamoDB_20120810.<Action>`) and answers it with moto's DynamoHandler in-process, over the
app's backend, account and region whatever the credentials say. Write calls go through the
service, which records what they changed (state dir, stream) under the same lock.

moto's generic request set-up (a werkzeug request built from each call, the response
class's methods listed by `inspect` on each call) cost most of a small call's time, so the
handler class here runs an action itself: moto's own JSON parser for the operation (it
decodes binary attributes; skipped where as_parsed.py finds the body already as it would
leave it), moto's action method, moto's serializer; the crc32 and request id headers
DynamoDB sends. That is the only use of moto's internals for DynamoDB; the versions it
holds for are the moto range in pyproject (scripts/test-moto-range.sh).

Each request's numbers are made canonical here, once, as they enter (numbers.py: DynamoDB
trims their zeroes), so what moto stores, compares and keys by is what DynamoDB would; moto's
own arithmetic is put right in backend.py. DynamoDB answers ConsumedCapacity only when asked
(ReturnConsumedCapacity TOTAL or INDEXES); moto adds it to some answers regardless, so it is
taken out here.

DynamoDB Streams (`DynamoDBStreams_20120810.*`) is answered by streams_api.py.
"""

from __future__ import annotations

import functools
import json
import os
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samlite.aws.app_bound import AppBound
from samlite.aws.dynamodb import errors
from samlite.aws.dynamodb.numbers import NumberError, Walk, request_walk
from samlite.aws.dynamodb.table_rules import shape_refusal
from samlite.http.messages import Request, Response

if TYPE_CHECKING:
    from samlite.aws.dynamodb.backend import LocalDynamoBackend

TARGET_PREFIX = "DynamoDB_20120810."
# The endpoint writes these itself; moto's copies would repeat them.
_CONTENT_TYPE = "application/x-amz-json-1.0"
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})
# Calls that would change items or tables behind the service's back (so the state dir and
# the stream would miss them): answered with a ValidationException naming them.
NOT_RUN = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
                     "RestoreTableFromBackup", "RestoreTableToPointInTime", "ImportTable",
                     "ExportTableToPointInTime"})

# json.dumps(..., separators=(",", ":")) made once (json.dumps makes one per call when given
# options).
_COMPACT = json.JSONEncoder(separators=(",", ":"))

# ReturnConsumedCapacity values that ask for ConsumedCapacity (NONE, the default, does not).
_CAPACITY_ASKED = frozenset({"TOTAL", "INDEXES"})

Dispatch = Callable[[], tuple[int, dict[str, str], bytes]]
# (action, params, is_as_parsed, dispatch): is_as_parsed says moto's action is given the
# very `params` (moto's parser would not change them), so what it stores is what they hold.
Calls = Callable[[str, dict[str, Any], bool, Dispatch], tuple[int, dict[str, str], bytes]]


class DynamoDbRoute:
    def __init__(self, backend: LocalDynamoBackend, *, account_id: str, region: str,
                 calls: Calls) -> None:
        """`calls(action, params, is_as_parsed, dispatch)` runs `dispatch` under the
        service's lock."""
        self._backend = backend
        self._account_id = account_id
        self._region = region
        self._calls = calls

    def handles(self, request: Request) -> bool:
        return is_dynamodb_request(request)

    def handle(self, request: Request) -> Response:
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
        walk = _number_walk(action) if action in _operation_names() else None
        if walk is not None:
            try:
                walk(params)
            except NumberError as exc:
                return errors.response(errors.validation(str(exc)))

        if action == "CreateTable" and (refused := shape_refusal(params)) is not None:
            return errors.response(refused)   # moto would fail inside on it

        is_as_parsed = is_as_moto_parses(action, params)
        # moto's parser reads the body: the numbers as trimmed, not as sent.
        body = request.body if walk is None or is_as_parsed else _COMPACT.encode(params).encode()

        def dispatch() -> tuple[int, dict[str, str], bytes]:
            handler = _handler_class()(self._backend, account_id=self._account_id,
                                       region=self._region)
            return handler.answer(action, request, params if is_as_parsed else None, body)

        status, response_headers, body = self._calls(action, params, is_as_parsed, dispatch)
        return Response(status=status, headers=tuple(response_headers.items()), body=body)


def is_dynamodb_request(request: Request) -> bool:
    return (request.header("x-amz-target") or "").startswith(TARGET_PREFIX)


@functools.cache
def _handler_class() -> type[Any]:
    """moto's DynamoDB wire layer bound to one backend, account and region (a class made on
    first use, so importing this module does not import moto)."""
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult
    from moto.core.utils import camelcase_to_underscores, get_service_model
    from moto.dynamodb.responses import DynamoHandler
    from werkzeug.exceptions import HTTPException

    service = get_service_model("dynamodb")
    actions = {name: camelcase_to_underscores(name) for name in service.operation_names}
    outputs = {name: frozenset(shape.members) for name in service.operation_names
               if (shape := service.operation_model(name).output_shape) is not None}

    class AppHandler(AppBound, DynamoHandler):
        @property
        def dynamodb_backend(self) -> LocalDynamoBackend:
            return self._app_backend

        def answer(self, action: str, request: Request, as_parsed: dict[str, Any] | None,
                   body: bytes | None) -> tuple[int, dict[str, str], bytes]:
            """`as_parsed`: the body's params when moto's parser would leave them so;
            `body`: the request's body, its numbers trimmed."""
            method = getattr(self, actions.get(action, ""), None)
            if method is None:
                error = errors.response(errors.unknown_operation(
                    action, modelled=action in actions))
                return _finish(error.status, dict(error.headers), error.body)
            # What moto reads of the headers: the protocol (JSON) and the action.
            self.headers = {"Content-Type": request.header("content-type") or _CONTENT_TYPE,
                            "X-Amz-Target": request.header("x-amz-target") or ""}
            self.method, self.path, self.raw_path = request.method, request.path, request.path
            self.querystring, self.uri_match, self.response_headers = {}, None, {}
            self.raw_body = body
            self.body = (body or b"{}").decode("utf-8", "replace")
            self.region, self.current_account = self._app_region, self._app_account_id
            try:
                self.params = as_parsed if as_parsed is not None else _parser(action).parse({
                    "method": request.method, "values": {}, "headers": self.headers,
                    "body": body or b"{}", "url_path": request.path,
                    "url_params": {}})
                self.body = self.params   # as DynamoHandler.call_action sets it
                result = method()
            except ServiceException as exc:
                result = ActionResult(exc)
            except HTTPException as exc:
                return _finish(int(exc.code or 500), dict(exc.get_headers() or []),
                               exc.description or "")
            if isinstance(result, ActionResult) and isinstance(result.result, dict) \
                    and (getattr(self, "params", None) or {}).get("ReturnConsumedCapacity") \
                    not in _CAPACITY_ASKED:
                result.result.pop("ConsumedCapacity", None)
            if isinstance(result, ActionResult) and _is_plain_answer(
                    result.result, outputs.get(action, frozenset())):
                return _finish(200, {"Content-Type": _CONTENT_TYPE},
                               _COMPACT.encode(result.result))
            if isinstance(result, ActionResult):
                status, headers, body = self.serialized(result)
                return _finish(int(status), dict(headers), body)
            if isinstance(result, str):
                return _finish(200, {}, result)
            if len(result) == 2:
                body, headers = result
                return _finish(int(headers.get("status", 200)), dict(headers), body)
            status, headers, body = result
            return _finish(int(status), dict(headers), body)

    return AppHandler


def is_as_moto_parses(action: str, params: dict[str, Any]) -> bool:
    """Would moto's request parser hand `params` (the body's JSON) to the action unchanged?"""
    if action not in _operation_names():     # so no cache grows with the names clients send
        return False
    return _as_parsed_check(action)(params)


@functools.cache
def _operation_names() -> frozenset[str]:
    from moto.core.utils import get_service_model

    return frozenset(get_service_model("dynamodb").operation_names)


@functools.cache
def _as_parsed_check(action: str) -> Callable[[Any], bool]:
    """as_parsed.py's check for one of DynamoDB's operations, made on its first call."""
    from moto.core.utils import get_service_model

    from samlite.aws.dynamodb.as_parsed import request_check

    return request_check(get_service_model("dynamodb").operation_model(action).input_shape)


@functools.cache
def _number_walk(action: str) -> Walk | None:
    """numbers.py's walk of one of DynamoDB's operations, made on its first call."""
    from moto.core.utils import get_service_model

    return request_walk(get_service_model("dynamodb").operation_model(action).input_shape)


@functools.cache
def _parser(action: str) -> Any:
    """moto's request parser for one operation (built once: it holds only the model)."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model

    operation = get_service_model("dynamodb").operation_model(action)
    return PROTOCOL_PARSERS["json"](operation, map_type=dict)


def _is_plain_answer(result: object, members: frozenset[str]) -> bool:
    """An answer moto's serializer would write as it is: a dict of the operation's own
    members holding only JSON's types (no bytes, which it base64-encodes; no datetimes,
    which it turns into epoch seconds; no None, which it leaves out). Such answers (items
    from GetItem, Query, Scan...) skip it: walking each attribute against the model was
    most of a read's time. tests/aws/dynamodb/test_plain_answers.py holds the two equal."""
    return isinstance(result, dict) and result.keys() <= members and _is_plain(result)


def _is_plain(value: object) -> bool:
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _is_plain(v) for k, v in value.items())  # type: ignore[attr-defined]
    if kind is list:
        return all(_is_plain(v) for v in value)  # type: ignore[attr-defined]
    return kind is str or kind is bool or kind is int or kind is float


def _finish(status: int, headers: dict[str, Any], body: str | bytes | None
            ) -> tuple[int, dict[str, str], bytes]:
    """The headers DynamoDB sends with every answer: its request id and the body's CRC32
    (botocore checks it and retries on a mismatch)."""
    data = body.encode() if isinstance(body, str) else bytes(body or b"")
    kept = {k: str(v) for k, v in headers.items() if k.lower() not in _SERVER_HEADERS}
    kept["x-amzn-RequestId"] = os.urandom(26).hex().upper()   # 52 characters, as DynamoDB's
    kept["x-amz-crc32"] = str(zlib.crc32(data) & 0xFFFFFFFF)
    return status, kept, data
