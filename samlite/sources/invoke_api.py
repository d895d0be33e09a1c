"""The Lambda Invoke API on the local endpoint: HTTP request -> one call on the Lambda service
-> HTTP response, as boto3 and the AWS CLI expect it. No sockets (http/server.py has them).

Follows botocore's lambda service model (2015-03-31) and the API reference pages "Invoke",
"GetFunction", "GetFunctionConfiguration", "ListFunctions", "ListVersionsByFunction",
"ListAliases" and "GetAlias" (and "InvokeWithResponseStream", framed in invoke_stream.py):
`POST /2015-03-31/functions/{FunctionName}/invocations` with X-Amz-Invocation-Type,
X-Amz-Log-Type, X-Amz-Client-Context and ?Qualifier=; answers 200 (RequestResponse),
202 (Event) or 204 (DryRun) with X-Amz-Function-Error, X-Amz-Log-Result and
X-Amz-Executed-Version; errors as {"Type", "message"} bodies with the type in
X-Amzn-ErrorType, which is where botocore reads the error code. Every other Lambda
control-plane call (UpdateFunctionConfiguration, CreateEventSourceMapping, ...) gets a
NotImplemented error in that shape saying to change the template instead.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import unquote

from samlite.aws.signature import signed_service
from samlite.errors import EnvironmentStartError
from samlite.http.messages import BodyProblem, BodyTooLarge, Request, Response
from samlite.runtime.api_errors import (
    InvalidParameterValue,
    InvalidRequestContent,
    LambdaApiError,
    request_too_large,
)
from samlite.runtime.invocation import InvocationType, Result
from samlite.runtime.qualifiers import Target, alias_version
from samlite.runtime.response_stream import StreamListener
from samlite.runtime.service import ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT
from samlite.runtime.spec import LATEST, FunctionSpec
from samlite.sources.invoke_stream import (
    INVOCATION_TYPES,
    STREAM_INVOKE_PATH_PREFIX,
    stream_invoke,
)

PREFIX = "/2015-03-31/functions"
_INVOKE_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/invocations/?$")
_FUNCTION_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/?$")
_CONFIGURATION_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/configuration/?$")
_VERSIONS_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/versions/?$")
_ALIASES_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/aliases/?$")
_ALIAS_PATH = re.compile(rf"^{PREFIX}/(?P<name>[^/]+)/aliases/(?P<alias>[^/]+)/?$")
_STREAM_INVOKE_PATH = re.compile(
    rf"^{STREAM_INVOKE_PATH_PREFIX}/(?P<name>[^/]+)/response-streaming-invocations/?$")
# Lambda's REST paths start with an API version (botocore's lambda model: /2015-03-31/...,
# /2017-03-31/tags/..., /2019-09-25/functions/.../event-invoke-config, /2021-10-31/...).
_LAMBDA_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/")
_LIST_PATHS = (PREFIX, f"{PREFIX}/")
LOG_TAIL_BYTES = 4096               # "the last 4 KB of the execution log" (Invoke, LogType)
LOG_TYPES = ("None", "Tail")
TENANT_ID_HEADER = "X-Amz-Tenant-Id"      # Invoke's TenantId (botocore's lambda model)
TENANT_ID_PATTERN = r"[a-zA-Z0-9\._:\/=+\-@ ]+"   # the model's TenantId: 1 to 256 of these
_JSON = ("Content-Type", "application/json")


class LambdaInvoker(Protocol):
    """What the Invoke API needs from the Lambda service (runtime/service.py)."""

    @property
    def functions(self) -> Sequence[FunctionSpec]: ...

    def function_for(self, name: str) -> FunctionSpec: ...

    def target(self, name: str, qualifier: str | None = None) -> Target: ...

    def newest_version(self, function: str) -> int: ...

    def invoke_target(self, target: Target, payload: bytes, *, tail_logs: bool = False,
                      client_context: str | None = None, request_id: str | None = None,
                      tenant_id: str | None = None,
                      listener: StreamListener | None = None) -> Result: ...

    def invoke_target_async(self, target: Target, payload: bytes, *,
                            tenant_id: str | None = None) -> str: ...


class InvokeApi:
    """The Lambda route of the endpoint."""

    def __init__(self, service: LambdaInvoker, *,
                 request_ids: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self._service = service
        self._request_ids = request_ids

    def handles(self, request: Request) -> bool:
        return request.path == PREFIX or request.path.startswith(f"{PREFIX}/") or (
            bool(_LAMBDA_PATH.match(request.path)) and signed_service(request) == "lambda")

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except LambdaApiError as exc:
            return api_error_response(exc, request_id=self._request_ids())
        except EnvironmentStartError as exc:
            # The function cannot start here (code in S3, a wrapper in no layer, ...): the
            # caller reads why, as Lambda's ServiceException, instead of a bare 500.
            return api_error_response(LambdaApiError(str(exc)), request_id=self._request_ids())

    def body_limit(self, head: Request) -> int:
        """Lambda's payload quota for the call: asked of the head, so a larger body is refused
        from its Content-Length and never read."""
        try:
            invocation_type = _invocation_type(head.header("X-Amz-Invocation-Type"))
        except LambdaApiError:
            return SYNC_PAYLOAD_LIMIT   # the invoke itself will say what is wrong
        return ASYNC_PAYLOAD_LIMIT if invocation_type is InvocationType.EVENT \
            else SYNC_PAYLOAD_LIMIT

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        if not isinstance(problem, BodyTooLarge):
            return None
        size = problem.declared_bytes or problem.limit_bytes + 1
        return api_error_response(request_too_large(size, problem.limit_bytes),
                                  request_id=self._request_ids())

    def _route(self, request: Request) -> Response:
        invoke = _INVOKE_PATH.match(request.path)
        if invoke and request.method == "POST":
            return self._invoke(unquote(invoke["name"]), request)
        streamed = _STREAM_INVOKE_PATH.match(request.path)
        if streamed and request.method == "POST":
            return self._invoke_streaming(unquote(streamed["name"]), request)
        if request.method == "GET":
            found = self._read(request)
            if found is not None:
                return _json(200, found)
        raise NotRunLocally(
            f"Lambda's {request.method} {request.path} is not run locally: samlite serves "
            "Invoke, InvokeWithResponseStream, GetFunction, GetFunctionConfiguration, "
            "ListFunctions, ListVersionsByFunction, ListAliases and GetAlias for the "
            "template's functions. "
            "Change the template instead (samlite reloads it).")

    def _read(self, request: Request) -> object | None:
        """The read-only calls (GET), or None for a path that is none of them."""
        qualifier = request.query_value("Qualifier")
        if function := _FUNCTION_PATH.match(request.path):
            target = self._service.target(unquote(function["name"]), qualifier)
            return {"Configuration": function_configuration(target.spec, target.invoked_arn)}
        if configuration := _CONFIGURATION_PATH.match(request.path):
            target = self._service.target(unquote(configuration["name"]), qualifier)
            return function_configuration(target.spec, target.invoked_arn)
        if request.path in _LIST_PATHS:
            return {"Functions": [function_configuration(spec) for spec in
                                  self._service.functions]}
        if versions := _VERSIONS_PATH.match(request.path):
            return {"Versions": self._versions(unquote(versions["name"]))}
        if aliases := _ALIASES_PATH.match(request.path):
            spec = self._service.function_for(unquote(aliases["name"]))
            wanted = request.query_value("FunctionVersion")
            configs = [self._alias(spec, alias.name) for alias in spec.aliases]
            return {"Aliases": [c for c in configs
                                if wanted in (None, c["FunctionVersion"])]}
        if alias := _ALIAS_PATH.match(request.path):
            spec = self._service.function_for(unquote(alias["name"]))
            return self._alias(spec, unquote(alias["alias"]))
        return None

    def _versions(self, name: str) -> list[dict[str, Any]]:
        """$LATEST, then the newest published version: the only one whose code is kept
        locally (older numbers answer that they are not kept)."""
        latest = self._service.target(name, LATEST)
        found = [function_configuration(latest.spec, latest.invoked_arn)]
        newest = self._service.newest_version(latest.spec.logical_id)
        if newest:
            published = self._service.target(name, str(newest))
            found.append(function_configuration(published.spec, published.invoked_arn))
        return found

    def _alias(self, spec: FunctionSpec, name: str) -> dict[str, Any]:
        version = alias_version(spec, name,
                                newest=self._service.newest_version(spec.logical_id))
        arn = f"{spec.arn}:{name}"
        return {"AliasArn": arn, "Name": name, "FunctionVersion": version,
                "Description": "", "RevisionId": _revision_id(arn, version)}

    def _invoke(self, name: str, request: Request) -> Response:
        invocation_type = _invocation_type(request.header("X-Amz-Invocation-Type"))
        log_type = request.header("X-Amz-Log-Type") or "None"
        if log_type not in LOG_TYPES:
            raise _enum_error("logType", log_type, LOG_TYPES)
        payload = request.body or b"{}"   # no payload: the handler gets {} (as on Lambda)
        limit = self.body_limit(request)
        if len(payload) > limit:   # Lambda checks the size before the JSON
            raise request_too_large(len(payload), limit)
        _check_json(payload)
        tenant_id = _tenant_id(request.header(TENANT_ID_HEADER))
        target = self._service.target(name, request.query_value("Qualifier"))
        if invocation_type is InvocationType.DRY_RUN:
            return Response(status=204, headers=(("X-Amzn-RequestId", self._request_ids()),))
        if invocation_type is InvocationType.EVENT:
            request_id = self._service.invoke_target_async(target, payload,
                                                           tenant_id=tenant_id)
            return Response(status=202, headers=(("X-Amzn-RequestId", request_id),))
        result = self._service.invoke_target(
            target, payload, tail_logs=log_type == "Tail",
            client_context=request.header("X-Amz-Client-Context"), tenant_id=tenant_id)
        return invoke_response(result, tail_logs=log_type == "Tail")


    def _invoke_streaming(self, name: str, request: Request) -> Response:
        """InvokeWithResponseStream: RequestResponse or DryRun only (the model's
        ResponseStreamingInvocationType); the response as invoke_stream.py frames it."""
        invocation_type = request.header("X-Amz-Invocation-Type") or INVOCATION_TYPES[0]
        if invocation_type not in INVOCATION_TYPES:
            raise _enum_error("invocationType", invocation_type, INVOCATION_TYPES)
        log_type = request.header("X-Amz-Log-Type") or "None"
        if log_type not in LOG_TYPES:
            raise _enum_error("logType", log_type, LOG_TYPES)
        payload = request.body or b"{}"
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            raise request_too_large(len(payload), SYNC_PAYLOAD_LIMIT)
        _check_json(payload)
        tenant_id = _tenant_id(request.header(TENANT_ID_HEADER))
        target = self._service.target(name, request.query_value("Qualifier"))
        request_id = self._request_ids()
        if invocation_type == "DryRun":
            return Response(status=204, headers=(("X-Amzn-RequestId", request_id),))
        tail = log_type == "Tail"
        client_context = request.header("X-Amz-Client-Context")
        return stream_invoke(
            lambda listener: self._service.invoke_target(
                target, payload, tail_logs=tail, client_context=client_context,
                request_id=request_id, tenant_id=tenant_id, listener=listener),
            request_id=request_id, executed_version=target.spec.version,
            log_result=lambda result: log_tail(result.logs) if tail else None)


class NotRunLocally(LambdaApiError):
    """A Lambda call samlite does not serve: NotImplemented, as for unserved services."""

    status = 501
    error_type = "NotImplemented"
    fault = "User"


def invoke_response(result: Result, *, tail_logs: bool) -> Response:
    """A synchronous invocation's outcome: 200 whether or not the function failed."""
    headers = [_JSON, ("X-Amzn-RequestId", result.request_id),
               ("X-Amz-Executed-Version", result.executed_version)]
    if result.function_error:
        headers.append(("X-Amz-Function-Error", result.function_error))
    if tail_logs:
        headers.append(("X-Amz-Log-Result", log_tail(result.logs)))
    return Response(status=200, headers=tuple(headers), body=result.payload)


def log_tail(logs: str) -> str:
    """Base64 of the last 4 KB of an invocation's log, as X-Amz-Log-Result carries it."""
    return base64.b64encode(logs.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


def api_error_response(exc: LambdaApiError, *, request_id: str) -> Response:
    body = {"Type": exc.fault, "message": exc.message, **exc.fields}
    return Response(status=exc.status, body=json.dumps(body).encode(),
                    headers=(_JSON, ("X-Amzn-ErrorType", exc.error_type),
                             ("X-Amzn-RequestId", request_id)))


def function_configuration(spec: FunctionSpec, arn: str | None = None) -> dict[str, Any]:
    """The FunctionConfiguration shape GetFunction and ListFunctions return, for the version
    `spec` runs; `arn`: the function's ARN as the call qualified it."""
    config: dict[str, Any] = {
        "FunctionName": spec.function_name,
        "FunctionArn": arn or spec.arn,
        "Role": f"arn:aws:iam::{spec.account_id}:role/{spec.function_name}-role",
        "Timeout": round(spec.timeout_s),
        "MemorySize": spec.memory_mb,
        "Version": spec.version,
        "PackageType": spec.package_type,
        "Architectures": [spec.architecture],
        "EphemeralStorage": {"Size": spec.ephemeral_storage_mb},
        "Environment": {"Variables": dict(spec.variables)},
        "State": "Active",
        "LastUpdateStatus": "Successful",
    }
    if spec.package_type == "Zip":
        config["Runtime"] = spec.runtime
        config["Handler"] = spec.handler
    return config


def _revision_id(arn: str, version: str) -> str:
    # Lambda's RevisionId changes when the resource does: here, when the version moves.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{version}"))


def _invocation_type(value: str | None) -> InvocationType:
    if not value:
        return InvocationType.REQUEST_RESPONSE
    try:
        return InvocationType(value)
    except ValueError:
        raise _enum_error("invocationType", value, [t.value for t in InvocationType]) from None


def _tenant_id(value: str | None) -> str | None:
    """The TenantId header, held to botocore's lambda model (its shape TenantId), in AWS's
    request-validation wording."""
    if value is None:
        return None
    if len(value) > 256:
        raise _validation_error(value, "tenantId", "Member must have length less than or "
                                                   "equal to 256")
    if not re.fullmatch(TENANT_ID_PATTERN, value):
        raise _validation_error(value, "tenantId", "Member must satisfy regular expression "
                                                   f"pattern: {TENANT_ID_PATTERN}")
    return value


def _validation_error(value: str, member: str, constraint: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"1 validation error detected: Value '{value}' at "
                                 f"'{member}' failed to satisfy constraint: {constraint}")


def _enum_error(member: str, value: str, allowed: Sequence[str]) -> InvalidParameterValue:
    # AWS's request-validation wording for a header outside its enum.
    return InvalidParameterValue(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def _check_json(payload: bytes) -> None:
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        # Lambda's prefix; the parser's own detail differs (Lambda's is Jackson's).
        raise InvalidRequestContent(
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
        ) from exc


def _json(status: int, body: object) -> Response:
    return Response(status=status, headers=(_JSON,), body=json.dumps(body).encode())
