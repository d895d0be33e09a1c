"""The local HTTP gateway: every Api / HttpApi route on one port (as `sam local start-api`
serves them) and each function URL on a port of its own (a URL's whole host is its function).
Requests become events (events.py), go to the Lambda service, and the function's result
becomes the response API Gateway or Lambda would send; CORS as cors.py says. A route's
authorizer runs first (Lambda: authorize.py; JWT and Cognito: jwt_auth.py; AWS_IAM:
iam_auth.py), then a REST route's API key (api_keys.py) and request validation
(validation.py); an authorizer whose function is not in the template is not run: its routes
still serve, and `skipped_authorizers` lists them. Routes with an AWS service or HTTP proxy
integration are served by integration_calls.py instead of a function.

Sockets come from http/server.py (HTTP/1.1 keep-alive, Nagle off, loopback by default).
Its Host check applies here; browsers' Origins are all let in, since CORS is the API's own
business. A body over Lambda's 6 MB is refused from its Content-Length, before it is read.
"""

from __future__ import annotations

import binascii
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from samlite.clock import Clock, SystemClock
from samlite.errors import EnvironmentStartError, UsageError
from samlite.graph.model import (
    IAM_AUTHORIZER,
    Api,
    ApiKind,
    FunctionUrl,
    Graph,
    IpRanges,
    LambdaAuthorizer,
    Route,
)
from samlite.http.admission import ANY_ORIGIN
from samlite.http.messages import BodyProblem, BodyTooLarge, Request, Response
from samlite.http.server import DEFAULT_HOST, Endpoint, stop_endpoints
from samlite.runtime import ids
from samlite.runtime.api_errors import LambdaApiError, RequestTooLarge
from samlite.runtime.invocation import Result
from samlite.runtime.response_stream import StreamListener
from samlite.runtime.spec import DUMMY_CREDENTIALS, FunctionSpec
from samlite.runtime.triggers import of_event
from samlite.sources.gateway import gateway_responses, parameter_mapping
from samlite.sources.gateway.api_keys import (
    API_KEY_HEADER,
    FORBIDDEN,
    FORBIDDEN_TYPE,
    ApiKeys,
    key_notes,
)
from samlite.sources.gateway.authorize import Authorizing
from samlite.sources.gateway.authorizer_cache import AuthorizerCache
from samlite.sources.gateway.authorizers import (
    Outcome,
    execute_api_arn,
    http_context,
    refusal,
    rest_context,
)
from samlite.sources.gateway.cors import (
    is_preflight,
    managed_preflight,
    rest_preflight,
    with_cors_headers,
)
from samlite.sources.gateway.events import (
    ErrorAnswers,
    Flavor,
    HttpRequest,
    HttpResponse,
    MalformedResponse,
    RequestContext,
    api_id,
    error_response,
    errors_for,
    function_url_event,
    http_v1_event,
    http_v2_event,
    request_id_header,
    rest_event,
    url_id,
    v1_response,
    v2_response,
)
from samlite.sources.gateway.iam_auth import IamAuthorizing
from samlite.sources.gateway.integration_calls import AwsCall, IntegrationCalls
from samlite.sources.gateway.integrations import MappingSource
from samlite.sources.gateway.jwt_auth import JwtAuthorizing, jwt_authorizer_of
from samlite.sources.gateway.resource_policy import (
    Verdict,
    evaluate,
    explicit_deny,
    is_denied,
)
from samlite.sources.gateway.rest_integrations import RestIntegrations
from samlite.sources.gateway.rest_mapping import MethodRequest, request_value
from samlite.sources.gateway.routes import DEFAULT_ROUTE, Match, RouteTable
from samlite.sources.gateway.url_streaming import streamed_response
from samlite.sources.gateway.validation import BAD_REQUEST, check_request
from samlite.sources.invoke_api import LambdaInvoker

log = logging.getLogger(__name__)

REST_INTEGRATION_TIMEOUT_S = 29.0     # API Gateway quotas: REST integration timeout
HTTP_INTEGRATION_TIMEOUT_S = 30.0     # HTTP API integration timeout
MAX_REQUEST_BODY_BYTES = 6 * 1024 * 1024   # Lambda's synchronous invocation payload quota
# A function slower than this margin before the integration timeout is invoked on a thread
# we can stop waiting for; others run on the request's own thread (cold start included).
_INIT_ALLOWANCE_S = 12.0

LogSink = Callable[[str, str], None]   # (function logical id, line)


@dataclass(frozen=True, slots=True)
class _State:
    graph: Graph
    table: RouteTable
    function_timeouts: Mapping[str, float]
    api_keys: ApiKeys


class _TimedOut:
    pass


_TIMED_OUT = _TimedOut()


class HttpGateway:
    def __init__(self, graph: Graph, service: LambdaInvoker, *, host: str = DEFAULT_HOST,
                 port: int = 3000, function_url_ports: Mapping[str, int] | None = None,
                 clock: Clock | None = None, account_id: str = "123456789012",
                 region: str = "us-east-1",
                 rest_timeout_s: float = REST_INTEGRATION_TIMEOUT_S,
                 http_timeout_s: float = HTTP_INTEGRATION_TIMEOUT_S,
                 log: LogSink | None = None, aws: AwsCall | None = None) -> None:
        """`log(function, line)` hears why a request failed (a malformed response, a
        timeout) in words for the user; `*_timeout_s` are API Gateway's integration limits;
        `aws` answers the AWS service integrations' calls (the local endpoint, in-process)."""
        self._service = service
        self._host = host
        self._port = port
        self._url_ports = dict(function_url_ports or {})
        self._clock = clock or SystemClock()
        self.account_id = account_id
        self.region = region
        self.rest_timeout_s = rest_timeout_s
        self.http_timeout_s = http_timeout_s
        self._log: LogSink = log or (lambda _fn, _line: None)
        self._integrations = IntegrationCalls(aws=aws, log=self._log)
        self._rest = RestIntegrations(invoke=self._invoke_payload, aws=aws, log=self._log,
                                      region=region)
        self._authorizer_cache = AuthorizerCache(self._clock)
        self._authorizing = Authorizing(lambda fn, payload: self._service.invoke(fn, payload),
                                        self._authorizer_cache, self._log)
        self._jwt = JwtAuthorizing(self._clock, log=self._log)
        known = _KnownSecrets(lambda: getattr(self._service, "functions", ()))
        self._iam = IamAuthorizing(account_id=account_id, known_secrets=known)
        self._state = _state_of(graph)
        self._endpoint = Endpoint([_ApiRoute(self)], host=host, port=port, admission=ANY_ORIGIN)
        self._urls: dict[str, tuple[Endpoint, _UrlRoute]] = {}
        self._lock = threading.Lock()
        self._started = False

    # --- lifecycle ----------------------------------------------------------------------------
    def bind(self) -> None:
        """Reserve every port now (a busy one raises UsageError naming it)."""
        with self._lock:
            try:
                self._endpoint.bind()
                for fn_url in self._state.graph.function_urls:
                    self._add_url(fn_url)
            except BaseException:
                self._stop_all()
                raise

    def start(self) -> None:
        self.bind()
        with self._lock:
            self._started = True
            self._endpoint.start()
            for endpoint, _ in self._urls.values():
                endpoint.start()

    def stop(self) -> None:
        """Close every port and connection (idle keep-alive ones included)."""
        with self._lock:
            self._started = False
            self._stop_all()

    def _stop_all(self) -> None:
        stop_endpoints([self._endpoint, *(e for e, _ in self._urls.values())])
        self._urls.clear()

    def __enter__(self) -> HttpGateway:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def update(self, graph: Graph) -> None:
        """Serve a reloaded graph: routes swap in one step; function URLs come and go (a URL
        that stays keeps its port)."""
        state = _state_of(graph)
        with self._lock:
            self._state = state
            self._authorizer_cache.clear()   # an authorizer's code or settings may have changed
            wanted = {u.function: u for u in graph.function_urls}
            for function in [f for f in self._urls if f not in wanted]:
                endpoint, _ = self._urls.pop(function)
                endpoint.stop()
            for function, fn_url in wanted.items():
                if function in self._urls:
                    self._urls[function][1].config = fn_url
                elif self._endpoint.is_bound:
                    endpoint = self._add_url(fn_url)
                    if self._started:
                        endpoint.start()

    def _add_url(self, fn_url: FunctionUrl) -> Endpoint:
        if fn_url.function in self._urls:
            return self._urls[fn_url.function][0]
        route = _UrlRoute(self, fn_url)
        port = self._url_ports.get(fn_url.function, 0)
        endpoint = Endpoint([route], host=self._host, port=port, admission=ANY_ORIGIN)
        try:
            endpoint.bind()
        except UsageError as exc:
            raise UsageError(f"{fn_url.function}'s function URL: port {port} on {self._host} "
                             "is not available; stop what is using it, or start with "
                             "--aws-port N (function URLs take the ports after it) or "
                             "--port 0 (any free ports)") from exc
        self._urls[fn_url.function] = (endpoint, route)
        return endpoint

    # --- what the startup table shows --------------------------------------------------------
    @property
    def url(self) -> str:
        if self._endpoint.is_bound:
            return self._endpoint.url
        return f"http://{self._host}:{self._port}"

    def function_urls(self) -> Mapping[str, str]:
        """Function logical id -> its URL (ports are known once bound)."""
        return {fn: f"{endpoint.url}/" for fn, (endpoint, _) in self._urls.items()
                if endpoint.is_bound}

    def route_lines(self) -> list[str]:
        lines = []
        for entry in self._state.table.entries:
            route = entry.route
            if route.path == DEFAULT_ROUTE:
                lines.append(f"ANY {self.url}/* → {route.target} ($default)")
            else:
                lines.append(f"{route.method} {self.url}{route.path} → {route.target}")
        return lines

    @property
    def notes(self) -> list[str]:
        """Routes not served because an earlier one on the shared port has the same key."""
        return list(self._state.table.clashes)

    @property
    def skipped_authorizers(self) -> list[str]:
        lines = []
        for entry in self._state.table.entries:
            name = entry.api.authorizer_for(entry.route)
            if name is not None and name != IAM_AUTHORIZER \
                    and _lambda_authorizer(entry.api, entry.route) is None \
                    and jwt_authorizer_of(entry.api, entry.route) is None:
                lines.append(f"{entry.route.method} {entry.route.path} → {entry.route.function}"
                             f": authorizer {name} is not run locally")
        lines.extend(f"{u.function} function URL: AuthType {u.auth_type} is not checked locally"
                     for u in self._state.graph.function_urls if u.auth_type != "NONE")
        return lines

    @property
    def authorizer_notes(self) -> list[str]:
        """What the JWT / Cognito authorizers and AWS_IAM verify (said once at start-up)."""
        entries = self._state.table.entries
        in_use = {(e.api.logical_id, found.name): (e.api, found) for e in entries
                  if (found := jwt_authorizer_of(e.api, e.route)) is not None}
        iam_routes = [f"{e.route.method} {e.route.path}" for e in entries
                      if e.api.authorizer_for(e.route) == IAM_AUTHORIZER]
        return self._jwt.notes(in_use.values()) + self._iam.notes(iam_routes)

    @property
    def api_key_notes(self) -> list[str]:
        """How x-api-key is checked, when a route requires one (said once at start-up)."""
        if not any(e.api.requires_api_key(e.route) for e in self._state.table.entries):
            return []
        return key_notes(self._state.graph.api_keys)

    # --- serving ------------------------------------------------------------------------------
    def serve_api(self, request: HttpRequest, host: str, port: int, *,
                  body_bytes: int | None = None) -> HttpResponse:
        """`body_bytes`: the body's size when it was not read (refused from its
        Content-Length); the answer is then what API Gateway says before invoking."""
        size = len(request.body) if body_bytes is None else body_bytes
        state = self._state    # one read: a reload mid-request does not mix two graphs
        table = state.table
        found = table.match(request.method, request.path)
        if request.method == "OPTIONS" and not (
                isinstance(found, Match) and found.route.method == "OPTIONS"):
            preflight = _preflight(table, request)
            if preflight is not None:
                return preflight
        if not isinstance(found, Match):
            if found.error_type:   # REST's gateway response, its default template compact
                miss = _gateway_answer(found.status, found.message, found.error_type,
                                       _request_id(Flavor.REST),
                                       gateway_responses.MISSING_AUTHENTICATION_TOKEN)
            else:
                miss = error_response(
                    found.status, found.message, request_id=_request_id(Flavor.HTTP_V2),
                    flavor=Flavor.HTTP_V2,
                    gateway_response=gateway_responses.MISSING_AUTHENTICATION_TOKEN)
            return gateway_responses.customize(miss, _only_rest_api(table), request)
        route, api = found.route, found.api
        flavor = _flavor(found)
        ctx = self._context(api_id(api.logical_id), api.stage_name, api.stage_variables,
                            host, port)
        errors = errors_for(flavor)
        if size > MAX_REQUEST_BODY_BYTES:
            return gateway_responses.customize(
                self._error(errors, errors.too_large, flavor, ctx), api, request)
        if body_bytes is not None:
            raise ValueError("serve_api: only a body too large may be left unread")
        event = _event(request, found, flavor, ctx)
        response = self._authorize(api, route, request, event, flavor, ctx)
        for ranges in (api.ip_ranges, route.ip_ranges):   # SAM puts both in the policy
            if response is None and ranges is not None:
                response = self._resource_policy(ranges, route, request, ctx)
        if response is None and api.policy is not None:
            response = self._policy_document(api, route, request, ctx)
        if response is None and flavor is Flavor.REST:
            response = self._admit(api, route, request, ctx, state)
            if response is None and api.requires_api_key(route):
                _with_api_key(event, request, state.api_keys)
        if response is None and route.integration is not None and flavor is Flavor.REST:
            response = self._rest.serve(
                route.integration, event, request, binary_media_types=api.binary_media_types,
                limit_s=min(self.rest_timeout_s, (route.timeout_ms or 29000) / 1000),
                label=f"{route.method} {route.path}", request_id=ctx.request_id)
        source = MappingSource(request=request, context=ctx, route_key=found.entry.route_key,
                               path_parameters=found.path_parameters)
        if response is None and route.integration is not None:
            limit = self.http_timeout_s
            if route.timeout_ms:
                limit = min(limit, route.timeout_ms / 1000)
            response = self._integrations.serve(route.integration, source, limit_s=limit,
                                                label=f"{route.method} {route.path}")
            response = parameter_mapping.mapped_response(route.parameter_mapping, response,
                                                         source)
        if response is None:
            limit = self.rest_timeout_s if route.kind is ApiKind.REST else self.http_timeout_s
            if route.timeout_ms:
                limit = min(limit, route.timeout_ms / 1000)
            mapped = parameter_mapping.mapped_request(route.parameter_mapping, source)
            if mapped is not request:   # HTTP API parameter mapping, after the authorizer
                event = _with_authorizer(_event(mapped, found, flavor, ctx), event)
            response = self._invoke(route.function, event, flavor, ctx, state, limit,
                                    binary_media_types=api.binary_media_types,
                                    accept=_first_header(request, "accept"),
                                    tenant_id=_tenant_id(route, event, request))
            response = parameter_mapping.mapped_response(route.parameter_mapping, response,
                                                         source)
        if api.cors is not None and api.kind is ApiKind.HTTP:
            response = with_cors_headers(response, api.cors, request.header("origin"))
        return gateway_responses.customize(response, api, request, resource_path=route.path,
                                           path_parameters=found.path_parameters,
                                           context=event.get("requestContext"))

    def serve_url(self, fn_url: FunctionUrl, request: HttpRequest, host: str,
                  port: int, *, body_bytes: int | None = None) -> HttpResponse:
        """`body_bytes` as for serve_api."""
        size = len(request.body) if body_bytes is None else body_bytes
        if fn_url.cors is not None and is_preflight(request):
            return managed_preflight(fn_url.cors, request, status=200)
        flavor = Flavor.FUNCTION_URL
        ctx = self._context(url_id(fn_url.function), "$default", (), host, port)
        # One id for requestContext.requestId ("the ID of the invocation request", Lambda
        # developer guide, "Invoking Lambda function URLs"), the handler's aws_request_id and
        # the x-amzn-RequestId response header (on AWS, the invocation's END RequestId).
        ctx = replace(ctx, extended_request_id=ctx.request_id)
        errors = errors_for(flavor)
        if size > MAX_REQUEST_BODY_BYTES:
            return self._error(errors, errors.too_large, flavor, ctx)
        if body_bytes is not None:
            raise ValueError("serve_url: only a body too large may be left unread")
        event = function_url_event(request, ctx)
        if fn_url.invoke_mode == "RESPONSE_STREAM":
            response = self._stream_url(fn_url.function, event, ctx)
        else:
            response = self._invoke(fn_url.function, event, flavor, ctx, self._state, None,
                                    request_id=ctx.request_id)
        if fn_url.cors is not None:
            response = with_cors_headers(response, fn_url.cors, request.header("origin"))
        return response

    def _authorize(self, api: Api, route: Route, request: HttpRequest, event: dict[str, Any],
                   flavor: Flavor, ctx: RequestContext) -> HttpResponse | None:
        """Run the route's Lambda authorizer: None lets the request on (with the identity
        in `event`), else the response that stops it."""
        if api.authorizer_for(route) == IAM_AUTHORIZER:
            return self._iam.check(request, event, flavor=flavor,
                                   request_id=_flavor_request_id(flavor, ctx))
        jwt_authorizer = jwt_authorizer_of(api, route)
        if jwt_authorizer is not None:
            return self._jwt.check(jwt_authorizer, route, request, event, flavor=flavor,
                                   request_id=_flavor_request_id(flavor, ctx))
        authorizer = _lambda_authorizer(api, route)
        if authorizer is None:
            return None
        arn = execute_api_arn(region=self.region, account_id=self.account_id,
                              api_id=ctx.api_id, stage=ctx.stage, method=request.method,
                              path=request.path)
        verdict = self._authorizing.check(authorizer, api=api.logical_id, request=request,
                                          route_event=event, arn=arn,
                                          rest=flavor is Flavor.REST)
        if verdict.outcome is not Outcome.ALLOW:
            return refusal(verdict.outcome, flavor=flavor,
                           request_id=_flavor_request_id(flavor, ctx))
        event["requestContext"]["authorizer"] = (
            rest_context(verdict) if flavor is Flavor.REST else http_context(verdict))
        return None

    def _resource_policy(self, ranges: IpRanges, route: Route, request: HttpRequest,
                         ctx: RequestContext) -> HttpResponse | None:
        """After the authorizer, as API Gateway evaluates a resource policy with a Lambda
        authorizer's result ("How API Gateway resource policies affect authorization
        workflow")."""
        if not is_denied(ranges, request.source_ip):
            return None
        arn = execute_api_arn(region=self.region, account_id=self.account_id,
                              api_id=ctx.api_id, stage=ctx.stage, method=request.method,
                              path=request.path)
        self._log(route.function, f"samlite: {request.method} {request.path}: the resource "
                  f"policy denies {request.source_ip}; the client gets 403")
        return explicit_deny(arn, ctx.request_id)

    def _policy_document(self, api: Api, route: Route, request: HttpRequest,
                         ctx: RequestContext) -> HttpResponse | None:
        """A policy document: an explicit deny refuses; an implicit one (no Allow covers the
        request) refuses only a route without an authorizer, as an authorizer's or IAM's
        allow may stand in for the policy's ("How API Gateway resource policies affect
        authorization workflow")."""
        verdict = evaluate(api.policy or (), f"{ctx.stage}/{request.method}{request.path}",
                           request.source_ip)
        if verdict is Verdict.ALLOW or (verdict is Verdict.IMPLICIT_DENY
                                        and api.authorizer_for(route) is not None):
            return None
        arn = execute_api_arn(region=self.region, account_id=self.account_id,
                              api_id=ctx.api_id, stage=ctx.stage, method=request.method,
                              path=request.path)
        self._log(route.function, f"samlite: {request.method} {request.path}: the resource "
                  f"policy's {verdict} for {request.source_ip}; the client gets 403")
        return explicit_deny(arn, ctx.request_id, explicit=verdict is Verdict.EXPLICIT_DENY)

    def _admit(self, api: Api, route: Route, request: HttpRequest, ctx: RequestContext,
               state: _State) -> HttpResponse | None:
        """A REST route's API key, then its request validation: None lets the request on.
        API Gateway runs them in this order after the authorizer (so does LocalStack's
        REST handler chain: api_key_validation_handler, then method_request_handler)."""
        label = f"{request.method} {request.path}"
        if api.requires_api_key(route) and not state.api_keys.accept(request):
            self._log(route.function, f"samlite: {label}: the x-api-key header is missing or "
                      "names no ApiKey of the template; the client gets 403")
            return _gateway_answer(403, FORBIDDEN, FORBIDDEN_TYPE, ctx.request_id,
                                   gateway_responses.INVALID_API_KEY)
        rejection = check_request(route.validation, api.models, request)
        if rejection is None:
            return None
        self._log(route.function, f"samlite: {label} failed request validation "
                  f"({rejection.reason or rejection.message}); the client gets 400")
        return replace(_gateway_answer(400, rejection.message, BAD_REQUEST, ctx.request_id,
                                       gateway_responses.validation_type(rejection.message)),
                       validation_error=rejection.detail)

    def _context(self, api: str, stage: str, variables: tuple[tuple[str, str], ...],
                 host: str, port: int) -> RequestContext:
        return RequestContext(request_id=ids.uuid4(),
                              extended_request_id=_short_request_id(),
                              time_epoch_ms=int(self._clock.now() * 1000),
                              account_id=self.account_id, api_id=api, stage=stage,
                              domain_name=host, server_port=port, stage_variables=variables)

    def _stream_url(self, function: str, event: dict[str, Any],
                    ctx: RequestContext) -> HttpResponse:
        """A RESPONSE_STREAM function URL: the body as the function streams it
        (url_streaming.py); a response that was not streamed, as a buffered URL answers."""
        flavor = Flavor.FUNCTION_URL
        errors = errors_for(flavor)

        def malformed(exc: MalformedResponse) -> HttpResponse:
            self._log(function, f"samlite: the function streamed a response the URL cannot "
                      f"use ({exc}); the client gets {errors.function_failed[0]}")
            return self._error(errors, errors.function_failed, flavor, ctx)

        return streamed_response(
            lambda listener: self._outcome(function, event, flavor, ctx, self._state, None,
                                           request_id=ctx.request_id, listener=listener),
            answer=lambda outcome: self._answer(function, outcome, flavor, ctx),
            malformed=malformed,
            extra_headers=(request_id_header(flavor, _flavor_request_id(flavor, ctx)),))

    def _invoke(self, function: str, event: dict[str, Any], flavor: Flavor,
                ctx: RequestContext, state: _State, limit_s: float | None, *,
                binary_media_types: tuple[str, ...] = (),
                accept: str | None = None, request_id: str | None = None,
                tenant_id: str | None = None) -> HttpResponse:
        """`request_id`: the invocation's (None: the service picks one); `tenant_id`: Invoke's
        TenantId (a tenant-isolated function takes only invokes with one)."""
        outcome = self._outcome(function, event, flavor, ctx, state, limit_s,
                                request_id=request_id, tenant_id=tenant_id)
        return self._answer(function, outcome, flavor, ctx,
                            binary_media_types=binary_media_types, accept=accept)

    def _outcome(self, function: str, event: dict[str, Any], flavor: Flavor,
                 ctx: RequestContext, state: _State, limit_s: float | None, *,
                 request_id: str | None = None, tenant_id: str | None = None,
                 listener: StreamListener | None = None) -> Result | HttpResponse:
        """The invoke's Result, or the gateway's own answer when there is none."""
        errors = errors_for(flavor)
        payload = json.dumps(event).encode()
        if limit_s is not None and \
                state.function_timeouts.get(function, 3.0) + _INIT_ALLOWANCE_S < limit_s:
            limit_s = None   # the function's own timeout ends it first
        try:
            result = self._call(function, payload, limit_s, request_id, tenant_id, listener,
                                trigger=of_event(event))
        except RequestTooLarge:
            return self._error(errors, errors.too_large, flavor, ctx)
        except LambdaApiError as exc:
            self._log(function, f"samlite: the invoke was refused ({exc.error_type}: "
                      f"{exc.message}); the client gets {errors.invoke_rejected[0]}")
            return self._error(errors, errors.invoke_rejected, flavor, ctx)
        except EnvironmentStartError as exc:
            # On AWS a function that cannot initialize fails its invoke; the gateway answers
            # as for any failed function, and the log says why.
            self._log(function, f"samlite: the function could not start ({exc}); the client "
                      f"gets {errors.function_failed[0]}")
            return self._error(errors, errors.function_failed, flavor, ctx)
        if isinstance(result, _TimedOut):
            self._log(function, f"samlite: no response within the integration timeout "
                      f"({limit_s:g} s); the client gets {errors.timed_out[0]}")
            return self._error(errors, errors.timed_out, flavor, ctx)
        return result

    def _answer(self, function: str, result: Result | HttpResponse, flavor: Flavor,
                ctx: RequestContext, *, binary_media_types: tuple[str, ...] = (),
                accept: str | None = None) -> HttpResponse:
        """The HTTP response for a finished invoke (or the gateway's answer, as it is)."""
        if isinstance(result, HttpResponse):
            return result
        errors = errors_for(flavor)
        if result.function_error:
            return self._error(errors, errors.function_failed, flavor, ctx)
        try:
            if flavor in (Flavor.REST, Flavor.HTTP_V1):
                response = v1_response(result.payload, flavor=flavor,
                                       binary_media_types=binary_media_types, accept=accept)
            else:
                response = v2_response(result.payload)
        except MalformedResponse as exc:
            self._log(function, f"samlite: the function returned a response the gateway "
                      f"cannot use ({exc}); the client gets {errors.function_failed[0]}")
            return self._error(errors, errors.function_failed, flavor, ctx)
        header = request_id_header(flavor, _flavor_request_id(flavor, ctx))
        return HttpResponse(status=response.status, headers=(*response.headers, header),
                            body=response.body)

    def _invoke_payload(self, function: str, payload: bytes, limit_s: float | None,
                        tenant_id: str | None = None) -> Result | None:
        """A REST non-proxy integration's invoke: None when it outlived `limit_s`."""
        if limit_s is not None and \
                self._state.function_timeouts.get(function, 3.0) + _INIT_ALLOWANCE_S < limit_s:
            limit_s = None   # the function's own timeout ends it first
        result = self._call(function, payload, limit_s, tenant_id=tenant_id)
        return None if isinstance(result, _TimedOut) else result

    def _call(self, function: str, payload: bytes, limit_s: float | None,
              request_id: str | None = None, tenant_id: str | None = None,
              listener: StreamListener | None = None, *,
              trigger: str | None = None) -> Result | _TimedOut:
        if listener is not None:   # a streaming URL: no integration timeout
            return self._service.invoke(function, payload, request_id=request_id,
                                        tenant_id=tenant_id, listener=listener,
                                        trigger=trigger)
        if limit_s is None:
            return self._service.invoke(function, payload, request_id=request_id,
                                        tenant_id=tenant_id, trigger=trigger)
        outcome: list[Result | BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(self._service.invoke(function, payload, request_id=request_id,
                                                    tenant_id=tenant_id, trigger=trigger))
            except BaseException as exc:   # handed to the waiting request thread
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name=f"invoke:{function}", daemon=True).start()
        if not done.wait(limit_s):
            return _TIMED_OUT   # like API Gateway, stop waiting; the function runs on
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    @staticmethod
    def _error(errors: ErrorAnswers, answer: tuple[int, str], flavor: Flavor,
               ctx: RequestContext) -> HttpResponse:
        status, message = answer
        return error_response(status, message, error_type=errors.error_types.get(status),
                              request_id=_flavor_request_id(flavor, ctx), flavor=flavor,
                              gateway_response=gateway_responses.answer_type(errors, answer))


def _preflight(table: RouteTable, request: HttpRequest) -> HttpResponse | None:
    found = table.resource_at(request.path)
    api: Api | None = found[0] if found else None
    methods = found[1] if found else ()
    if api is None or api.cors is None:
        # An HTTP API with CORS answers preflights on any path.
        api = next((a for a in table.apis() if a.kind is ApiKind.HTTP and a.cors), None)
        if api is None:
            return None
    if api.cors is None:
        return None
    if api.kind is ApiKind.REST:
        return rest_preflight(api.cors, methods)
    if is_preflight(request):
        return managed_preflight(api.cors, request)
    return None


def _gateway_answer(status: int, message: str, error_type: str, request_id: str,
                    response_type: str) -> HttpResponse:
    """A REST gateway response with the default template, {"message":$context.error.
    messageString} (compact, as API Gateway renders it)."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status=status, body=body, gateway_response=response_type, headers=(
        ("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type),
        request_id_header(Flavor.REST, request_id)))


def _event(request: HttpRequest, found: Match, flavor: Flavor,
           ctx: RequestContext) -> dict[str, Any]:
    """The Lambda event of a matched route, in its API's payload format."""
    route, api = found.route, found.api
    if flavor is Flavor.REST:
        return rest_event(request, ctx, resource=route.path,
                          binary_media_types=api.binary_media_types)
    if flavor is Flavor.HTTP_V1:
        resource = request.path if found.entry.is_default else route.path
        return http_v1_event(request, ctx, resource=resource,
                             path_parameters=found.path_parameters)
    return http_v2_event(request, ctx, route_key=found.entry.route_key,
                         path_parameters=found.path_parameters)


def _tenant_id(route: Route, event: Mapping[str, Any], request: HttpRequest) -> str | None:
    """The TenantId a REST Lambda proxy passes: the method request value its integration maps
    to X-Amz-Tenant-Id (None when unmapped, or the request lacks it)."""
    if route.tenant_id_source is None:
        return None
    body = event.get("body")
    method_request = MethodRequest(event=event, body=request.body, is_binary=False,
                                   body_text=body if isinstance(body, str) else "")
    return request_value(route.tenant_id_source, method_request)


def _with_api_key(event: dict[str, Any], request: HttpRequest, keys: ApiKeys) -> None:
    """A key-required method's event names the key ($context.identity.apiKey: "the API key
    associated with the method request"; apiKeyId, its id: here its ApiKey's logical id)."""
    value = request.header(API_KEY_HEADER) or ""
    event["requestContext"]["identity"].update(apiKey=value, apiKeyId=keys.key_id(value))


def _with_authorizer(event: dict[str, Any], authorized: dict[str, Any]) -> dict[str, Any]:
    """`event` with the authorizer's identity the first event got."""
    identity = authorized.get("requestContext", {}).get("authorizer")
    if identity is not None:
        event["requestContext"]["authorizer"] = identity
    return event


def _only_rest_api(table: RouteTable) -> Api | None:
    """The API whose gateway responses answer a request no route matches: the port's one
    REST API (with several, none: locally their paths share one port)."""
    rest = [a for a in table.apis() if a.kind is ApiKind.REST]
    return rest[0] if len(rest) == 1 else None


def _first_header(request: HttpRequest, name: str) -> str | None:
    """A header's first value (HttpRequest.header gives the last, as API Gateway's maps do)."""
    lower = name.lower()
    return next((v for k, v in request.headers if k.lower() == lower), None)


def _lambda_authorizer(api: Api, route: Route) -> LambdaAuthorizer | None:
    """The Lambda authorizer the gateway runs for `route` (one whose function is here)."""
    name = api.authorizer_for(route)
    found = api.lambda_authorizer(name) if name is not None else None
    return found if found is not None and found.function is not None else None


def _flavor(match: Match) -> Flavor:
    if match.route.kind is ApiKind.REST:
        return Flavor.REST
    return Flavor.HTTP_V1 if match.route.payload_format_version == "1.0" else Flavor.HTTP_V2


def _flavor_request_id(flavor: Flavor, ctx: RequestContext) -> str:
    return ctx.extended_request_id if flavor in (Flavor.HTTP_V1, Flavor.HTTP_V2) \
        else ctx.request_id


def _request_id(flavor: Flavor) -> str:
    return _short_request_id() if flavor in (Flavor.HTTP_V1, Flavor.HTTP_V2) \
        else ids.uuid4()


def _short_request_id() -> str:
    """HTTP API's request id shape, e.g. "JKJaXmPLvHcESHA=" (also REST's extendedRequestId)."""
    # b64encode's own work, without its Python wrapper (one call fewer a request)
    return binascii.b2a_base64(ids.random_bytes(11), newline=False).decode("ascii")


def _state_of(graph: Graph) -> _State:
    return _State(graph=graph, table=RouteTable.from_graph(graph),
                  function_timeouts={f.logical_id: float(f.timeout_s) for f in graph.functions},
                  api_keys=ApiKeys.of(graph.api_keys))


def _http_request(request: Request) -> HttpRequest:
    return HttpRequest(method=request.method, path=request.path, raw_query=request.raw_query,
                       headers=request.raw_headers, body=request.body,
                       source_ip=request.client_ip, protocol=request.protocol)


def _host_and_port(request: Request, default_port: int) -> tuple[str, int]:
    host = request.header("host") or f"127.0.0.1:{default_port}"
    name, _, port = host.rpartition(":")
    if name and port.isdigit():
        return host, int(port)
    return host, default_port


def _wire(response: HttpResponse) -> Response:
    return Response(status=response.status, headers=response.headers, body=response.body,
                    stream=response.stream)


def _unread_size(problem: BodyProblem) -> int | None:
    """The size a refused body announced, when it is over the limit (else None: a body cut
    short gets the endpoint's plain 400)."""
    if isinstance(problem, BodyTooLarge):
        return problem.declared_bytes or problem.limit_bytes + 1
    return None


class _ApiRoute:
    """The shared API port's one route on its Endpoint: every request is ours."""

    def __init__(self, gateway: HttpGateway) -> None:
        self._gateway = gateway

    def handles(self, request: Request) -> bool:
        return True

    def body_limit(self, head: Request) -> int:
        return MAX_REQUEST_BODY_BYTES

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        size = _unread_size(problem)
        if size is None:
            return None
        host, port = _host_and_port(head, self._gateway._endpoint.address[1])
        return _wire(self._gateway.serve_api(_http_request(head), host, port, body_bytes=size))

    def handle(self, request: Request) -> Response:
        port = self._gateway._endpoint.address[1]
        host, port = _host_and_port(request, port)
        try:
            return _wire(self._gateway.serve_api(_http_request(request), host, port))
        except Exception:
            log.exception("gateway: %s %s failed", request.method, request.path)
            return _wire(error_response(500, "Internal server error"))


class _UrlRoute:
    """One function URL's port."""

    def __init__(self, gateway: HttpGateway, config: FunctionUrl) -> None:
        self._gateway = gateway
        self.config = config       # replaced whole on reload

    def handles(self, request: Request) -> bool:
        return True

    def body_limit(self, head: Request) -> int:
        return MAX_REQUEST_BODY_BYTES

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        size = _unread_size(problem)
        if size is None:
            return None
        host, port = self._host_and_port(head)
        return _wire(self._gateway.serve_url(self.config, _http_request(head), host, port,
                                             body_bytes=size))

    def _host_and_port(self, request: Request) -> tuple[str, int]:
        endpoint, _ = self._gateway._urls.get(self.config.function, (None, None))
        default_port = endpoint.address[1] if endpoint is not None else 0
        return _host_and_port(request, default_port)

    def handle(self, request: Request) -> Response:
        host, port = self._host_and_port(request)
        try:
            return _wire(self._gateway.serve_url(self.config, _http_request(request),
                                                 host, port))
        except Exception:
            log.exception("gateway: %s %s failed", request.method, request.path)
            return _wire(error_response(502, "Internal Server Error",
                                        flavor=Flavor.FUNCTION_URL))


class _KnownSecrets(Mapping[str, str]):
    """The secrets of the credentials samlite hands out: the shared dummy ones and each
    function's own (runtime/credentials.py), as the functions are now."""

    def __init__(self, functions: Callable[[], Sequence[FunctionSpec]]) -> None:
        self._functions = functions

    def _current(self) -> dict[str, str]:
        known = {DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"]: DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}
        known.update((spec.credentials.access_key_id, spec.credentials.secret_access_key)
                     for spec in self._functions() if spec.credentials is not None)
        return known

    def __getitem__(self, key: str) -> str:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())
