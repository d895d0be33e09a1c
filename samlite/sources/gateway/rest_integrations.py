"""Serves a REST route's non-proxy integration: maps the request (rest_mapping.py), calls
the function, the local AWS endpoint (SQS, S3), the HTTP URL, or nothing (mock), and maps the
answer back through the selected integration response. HTTP_PROXY answers pass back as they
are. The gateway's own failures answer as REST APIs do (events.REST_ERRORS).

Follows "Set up Lambda custom integrations in API Gateway", "Set up an integration response
in API Gateway", "Set up mock integrations in API Gateway", "Set up HTTP integrations in API
Gateway" and "Tutorial: Create a REST API as an Amazon SQS proxy" / "... as an Amazon S3
proxy" (the service URIs' path and action forms). Each of the gateway's own failures carries
its type from "Gateway response types for API Gateway", so the API's gateway responses apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from samlite.graph.model import Integration, IntegrationKind, RestMapping
from samlite.http.messages import Request, Response
from samlite.runtime.api_errors import LambdaApiError
from samlite.runtime.invocation import Result
from samlite.sources.gateway import gateway_responses as types
from samlite.sources.gateway.events import (
    REST_ERRORS,
    Flavor,
    HttpRequest,
    HttpResponse,
    error_response,
    is_binary_media_type,
    request_id_header,
)
from samlite.sources.gateway.forward import ForwardFailed, ForwardTimedOut, forward
from samlite.sources.gateway.integrations import ProxyRequest
from samlite.sources.gateway.mapping_templates import TemplateError
from samlite.sources.gateway.rest_mapping import (
    IntegrationAnswer,
    IntegrationRequest,
    MethodRequest,
    NoMatchingResponse,
    UnsupportedMediaType,
    integration_request,
    lambda_error_message,
    mapped_parameters,
    method_response,
    select_response,
    unsupported_media_type,
)

# (function, payload, limit in seconds or None, TenantId or None) -> the result, or None
# when it timed out
Invoke = Callable[[str, bytes, float | None, str | None], Result | None]
AwsCall = Callable[[Request], Response]
LogSink = Callable[[str, str], None]
_LOCAL_ACCESS_KEY = "ASIAAPIGATEWAYLOCAL"   # the integration role's stand-in
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "keep-alive",
                            "transfer-encoding", "te", "trailer", "upgrade",
                            "proxy-authorization", "proxy-authenticate"})


class RestIntegrations:
    def __init__(self, *, invoke: Invoke, aws: AwsCall | None, log: LogSink,
                 region: str = "us-east-1") -> None:
        self._invoke = invoke
        self._aws = aws
        self._log = log
        self._region = region

    def serve(self, integration: Integration, event: Mapping[str, object],
              request: HttpRequest, *, binary_media_types: tuple[str, ...],
              limit_s: float | None, label: str, request_id: str) -> HttpResponse:
        """The answer for one request; `event` is the route's REST proxy event (what the
        mapping reads: parameters, $context); `label` ("POST /orders") names the route."""
        is_binary = bool(request.body) and is_binary_media_type(
            request.header("content-type"), binary_media_types)
        body_text = event.get("body")
        method_request = MethodRequest(event=event, body=request.body, is_binary=is_binary,
                                       body_text=body_text if isinstance(body_text, str) else "")
        mapping = integration.rest or RestMapping()
        try:
            if integration.kind is IntegrationKind.HTTP_PROXY:
                answer = forward(self._proxy_request(integration, method_request, request),
                                 timeout_s=limit_s or 29.0)
                return HttpResponse(status=answer.status, body=answer.body, headers=(
                    *answer.headers, request_id_header(Flavor.REST, request_id)))
            payload = integration_request(mapping, method_request)
            answer, selector = self._call(integration, mapping, payload, method_request,
                                          request, limit_s)
            chosen = select_response(mapping.responses, selector)
            return method_response(chosen, answer, method_request, request_id=request_id,
                                   accept=_first_header(request, "accept"))
        except UnsupportedMediaType as exc:
            self._log(label, f"samlite: no request template for Content-Type {exc} and the "
                      "passthroughBehavior does not pass it through; the client gets 415")
            return unsupported_media_type(request_id)
        except TemplateError as exc:
            # API Gateway logs it as "Execution failed due to configuration error", the
            # table's API_CONFIGURATION_ERROR (500): an invalid API configuration.
            return self._fail(label, f"a mapping template failed ({exc})",
                              REST_ERRORS.invoke_rejected, request_id,
                              types.API_CONFIGURATION_ERROR)
        except NoMatchingResponse:
            # The table's API_CONFIGURATION_ERROR: "integration response mapping can't match
            # any template and no default template is configured".
            return self._fail(label, "no integration response matches and none is the "
                              "default (API Gateway: \"No match for output mapping and no "
                              "default output mapping\")", REST_ERRORS.invoke_rejected,
                              request_id, types.API_CONFIGURATION_ERROR)
        except (_TimedOut, ForwardTimedOut) as exc:
            return self._fail(label, str(exc), REST_ERRORS.timed_out, request_id,
                              types.INTEGRATION_TIMEOUT)
        except LambdaApiError as exc:
            # As for a proxy integration (gateway_responses.answer_type): no type of its own.
            return self._fail(label, f"the invoke was refused ({exc.error_type})",
                              REST_ERRORS.invoke_rejected, request_id, types.DEFAULT_5XX)
        except (ForwardFailed, _Unavailable) as exc:
            # The table's INTEGRATION_FAILURE, "an integration failed error"; the status stays
            # the 500 the gateway has always answered (the table's default is 504, which a
            # gateway response with no StatusCode does not change here).
            return self._fail(label, str(exc), REST_ERRORS.invoke_rejected, request_id,
                              types.INTEGRATION_FAILURE)

    def _call(self, integration: Integration, mapping: RestMapping,
              payload: IntegrationRequest, method_request: MethodRequest, request: HttpRequest,
              limit_s: float | None) -> tuple[IntegrationAnswer, str | None]:
        """The integration's answer and what selectionPatterns are matched against."""
        if integration.kind is IntegrationKind.MOCK:
            status = _mock_status(payload.body)
            return IntegrationAnswer(status=status), str(status)
        if integration.kind is IntegrationKind.LAMBDA:
            result = self._invoke(str(mapping.function), payload.body, limit_s,
                                  _tenant_id(integration, method_request))
            if result is None:
                raise _TimedOut(f"{mapping.function}: no response within the integration "
                                f"timeout ({limit_s:g} s)")
            selector = lambda_error_message(result.payload) if result.function_error else None
            return IntegrationAnswer(body=result.payload), selector
        if integration.kind is IntegrationKind.HTTP:
            answer = forward(self._http_request(integration, payload, method_request, request),
                             timeout_s=limit_s or 29.0)
            return IntegrationAnswer(status=answer.status, headers=answer.headers,
                                     body=answer.body), str(answer.status)
        got = self._call_aws(integration, mapping, payload, method_request)
        return IntegrationAnswer(status=got.status, headers=got.headers,
                                 body=got.body), str(got.status)

    def _call_aws(self, integration: Integration, mapping: RestMapping,
                  payload: IntegrationRequest, method_request: MethodRequest) -> Response:
        if self._aws is None:
            raise _Unavailable(f"{integration.describe()}: the local AWS endpoint is not "
                               "running, so the integration cannot be called")
        parameters = integration.request_parameters
        service, _, action = str(mapping.service_uri).partition(":")
        query = list(payload.parameters(parameters, "querystring", method_request).items())
        # API Gateway calls the service with the integration's role. The local endpoint
        # checks no signature, but S3 lets only signed callers at private objects, so the
        # call carries a credential scope (for this app's region).
        scope = f"{_LOCAL_ACCESS_KEY}/20150830/{self._region}/{service}/aws4_request"
        headers = {"host": "127.0.0.1",
                   "authorization": f"AWS4-HMAC-SHA256 Credential={scope}, "
                                    "SignedHeaders=host, Signature=local",
                   **{k.lower(): v for k, v in
                      payload.parameters(parameters, "header", method_request).items()}}
        form, _, target = action.partition("/")
        if form == "action":
            # "...:sqs:action/SendMessage": the action and its parameters in the query string
            path, query = "/", [("Action", target), *query]
        else:
            path = "/" + _substituted(target, payload.parameters(parameters, "path",
                                                                 method_request))
        if service == "sqs" and form == "action" and payload.body \
                and "content-type" not in headers:
            headers["content-type"] = "application/x-www-form-urlencoded"
        raw_query = urlencode(query)
        call = Request(method=integration.method or "POST", path=path, raw_query=raw_query,
                       query=_query_map(raw_query), headers=headers,
                       raw_headers=tuple(headers.items()), body=payload.body)
        return self._aws(call)

    @staticmethod
    def _http_request(integration: Integration, payload: IntegrationRequest,
                      method_request: MethodRequest, request: HttpRequest) -> ProxyRequest:
        """http (non-proxy): only what requestParameters map goes on, with the mapped body."""
        parameters = integration.request_parameters
        url = _substituted(str(integration.uri),
                           payload.parameters(parameters, "path", method_request))
        query = urlencode(list(payload.parameters(parameters, "querystring",
                                                  method_request).items()))
        headers = list(payload.parameters(parameters, "header", method_request).items())
        if payload.body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", method_request.content_type))
        return ProxyRequest(method=_method(integration, request), url=_with_query(url, query),
                            headers=tuple(headers), body=payload.body)

    @staticmethod
    def _proxy_request(integration: Integration, method_request: MethodRequest,
                       request: HttpRequest) -> ProxyRequest:
        """http_proxy: the client's request goes on whole, to the URI with its mapped path
        parameters, plus the mapped query strings and headers."""
        parameters = integration.request_parameters
        url = _substituted(str(integration.uri),
                           mapped_parameters(parameters, "path", method_request))
        mapped_headers = mapped_parameters(parameters, "header", method_request)
        headers = [(k, v) for k, v in request.headers
                   if k.lower() not in _NOT_FORWARDED
                   and k.lower() not in {m.lower() for m in mapped_headers}]
        headers.extend(mapped_headers.items())
        query = parse_qsl(request.raw_query, keep_blank_values=True)
        query.extend(mapped_parameters(parameters, "querystring", method_request).items())
        return ProxyRequest(method=_method(integration, request),
                            url=_with_query(url, urlencode(query)),
                            headers=tuple(headers), body=request.body)

    def _fail(self, label: str, why: str, answer: tuple[int, str], request_id: str,
              response_type: str) -> HttpResponse:
        status, message = answer
        self._log(label, f"samlite: {why}; the client gets {status}")
        return error_response(status, message, error_type=REST_ERRORS.error_types.get(status),
                              request_id=request_id, flavor=Flavor.REST,
                              gateway_response=response_type)


class _TimedOut(Exception):
    pass


class _Unavailable(Exception):
    pass


def _tenant_id(integration: Integration, method_request: MethodRequest) -> str | None:
    """What the integration maps to X-Amz-Tenant-Id, the invoke's TenantId (Lambda developer
    guide, "Invoking Lambda functions with tenant isolation": API Gateway)."""
    headers = mapped_parameters(integration.request_parameters, "header", method_request)
    return next((v for k, v in headers.items() if k.lower() == "x-amz-tenant-id"), None)


def _mock_status(payload: bytes) -> int:
    """A mock's status: the request template's {"statusCode": N} (200 without one)."""
    try:
        document = json.loads(payload or b"{}")
    except ValueError as exc:
        raise TemplateError(f"a mock integration's request template must give JSON with a "
                            f"statusCode (got {payload[:80]!r})") from exc
    code = document.get("statusCode", 200) if isinstance(document, dict) else 200
    try:
        return int(code)
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"a mock integration's statusCode must be a number (got "
                            f"{code!r})") from exc


def _substituted(template: str, values: Mapping[str, str]) -> str:
    """{name} and {name+} placeholders filled from integration.request.path mappings."""
    for name, value in values.items():
        for placeholder in ("{" + name + "+}", "{" + name + "}"):
            template = template.replace(placeholder, quote(value, safe="/%"))
    return template


def _with_query(url: str, query: str) -> str:
    if not query:
        return url
    return url + ("&" if urlsplit(url).query else "?") + query


def _method(integration: Integration, request: HttpRequest) -> str:
    return request.method if integration.method in (None, "ANY") else str(integration.method)


def _query_map(raw_query: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        found.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in found.items()}


def _first_header(request: HttpRequest, name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in request.headers if k.lower() == lower), None)
