"""Application Load Balancer listeners, each on a loopback port of its own: a request meets
the listener's rules (rules.py), and a forward to a lambda target group invokes its function
with the ALB event (events.py); fixed-response and redirect actions answer as ALB does.

A lambda target group that no listener forwards to gets a port too, forwarding everything.
Sockets come from http/server.py (its Host check applies; Origins are all let in, as on the
gateway). A body over ALB's 1 MB is refused from its Content-Length, before it is read.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from samlite.clock import Clock, SystemClock
from samlite.errors import EnvironmentStartError, UsageError
from samlite.graph.model import (
    Graph,
    ListenerAction,
    LoadBalancerListener,
    LoadBalancerTarget,
    RuleCondition,
)
from samlite.http.admission import ANY_ORIGIN
from samlite.http.messages import BodyProblem, BodyTooLarge, Request, Response
from samlite.http.server import DEFAULT_HOST, Endpoint, stop_endpoints
from samlite.runtime.api_errors import LambdaApiError
from samlite.sources.alb.events import (
    MAX_REQUEST_BODY_BYTES,
    AlbResponse,
    AlbTarget,
    alb_event,
    alb_response,
    error_page,
    fixed_response,
    redirect_response,
)
from samlite.sources.alb.rules import action_for, listeners_to_serve
from samlite.sources.gateway.events import HttpRequest, MalformedResponse
from samlite.sources.invoke_api import LambdaInvoker

log = logging.getLogger(__name__)

LogSink = Callable[[str, str], None]   # (function logical id, line)


@dataclass(frozen=True, slots=True)
class _State:
    targets: Mapping[str, LoadBalancerTarget]
    listeners: Mapping[str, LoadBalancerListener]


class LoadBalancers:
    def __init__(self, graph: Graph, service: LambdaInvoker, *, host: str = DEFAULT_HOST,
                 ports: Mapping[str, int] | None = None, clock: Clock | None = None,
                 log: LogSink | None = None) -> None:
        """`ports`: listener (or lone target group) logical id -> port; 0 or absent: any
        free port. `log(function, line)` hears why a request failed, for the user."""
        self._service = service
        self._host = host
        self._ports = dict(ports or {})
        self._clock = clock or SystemClock()
        self._log: LogSink = log or (lambda _fn, _line: None)
        self._state = _state_of(graph)
        self._endpoints: dict[str, Endpoint] = {}
        self._lock = threading.Lock()
        self._started = False

    # --- lifecycle ----------------------------------------------------------------------------
    def bind(self) -> None:
        """Reserve every listener's port now (a busy one raises UsageError naming it)."""
        with self._lock:
            try:
                for name in self._state.listeners:
                    self._add(name)
            except BaseException:
                self._stop_all()
                raise

    def start(self) -> None:
        self.bind()
        with self._lock:
            self._started = True
            for endpoint in self._endpoints.values():
                endpoint.start()

    def stop(self) -> None:
        with self._lock:
            self._started = False
            self._stop_all()

    def _stop_all(self) -> None:
        stop_endpoints(self._endpoints.values())
        self._endpoints.clear()

    def __enter__(self) -> LoadBalancers:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def update(self, graph: Graph) -> None:
        """Serve a reloaded graph: rules swap in one step; a listener that stays keeps its
        port, new ones get one, removed ones close."""
        state = _state_of(graph)
        with self._lock:
            self._state = state
            for name in [n for n in self._endpoints if n not in state.listeners]:
                self._endpoints.pop(name).stop()
            for name in state.listeners:
                if name not in self._endpoints and self._started:
                    self._add(name).start()

    def _add(self, name: str) -> Endpoint:
        if name in self._endpoints:
            return self._endpoints[name]
        port = self._ports.get(name, 0)
        endpoint = Endpoint([_ListenerRoute(self, name)], host=self._host, port=port,
                            admission=ANY_ORIGIN)
        try:
            endpoint.bind()
        except UsageError as exc:
            raise UsageError(f"{name}'s load balancer port {port} on {self._host} is not "
                             "available; stop what is using it, or start with --aws-port N "
                             "(function URLs and load balancers take the ports after it) or "
                             "--port 0 (any free ports)") from exc
        self._endpoints[name] = endpoint
        return endpoint

    # --- what the startup table shows --------------------------------------------------------
    def urls(self) -> Mapping[str, str]:
        """Listener (or lone target group) logical id -> its URL, once bound."""
        return {name: f"{endpoint.url}/" for name, endpoint in self._endpoints.items()
                if endpoint.is_bound}

    def lines(self) -> list[str]:
        """One line per listener with its URL, then one per rule in the order it is tried."""
        state, urls = self._state, self.urls()
        out = []
        for name, listener in state.listeners.items():
            out.append(f"{urls.get(name, '(not bound)')} → {name}")
            out.extend(f"  {rule.priority}: {_conditions(rule.conditions)} → "
                       f"{self._describe(rule.action, state)} ({rule.logical_id})"
                       for rule in listener.rules)
            if listener.default_action is not None:
                # A target group without a listener: its port forwards everything to it.
                label = "everything" if name in state.targets else "default"
                out.append(f"  {label} → {self._describe(listener.default_action, state)}")
        return out

    @staticmethod
    def _describe(action: ListenerAction, state: _State) -> str:
        if action.type != "forward":
            return f"{action.type} {action.status_code or ''}".rstrip()
        target = state.targets.get(action.target_group or "")
        if target is None or target.function is None:
            return f"{action.target_group or '-'} (no local function: 503)"
        return f"{target.logical_id} → {target.function}"

    # --- serving ------------------------------------------------------------------------------
    def serve(self, name: str, request: HttpRequest, host: str, port: int, *,
              body_bytes: int | None = None) -> AlbResponse:
        """`body_bytes`: the size of a body refused unread (over 1 MB): ALB's 413."""
        if body_bytes is not None:
            return AlbResponse(response=error_page(413))
        state = self._state   # one read: a reload mid-request does not mix two graphs
        listener = state.listeners.get(name)
        if listener is None:
            return AlbResponse(response=error_page(503))
        action, _rule = action_for(listener, request, host=host)
        if action is None:
            return AlbResponse(response=error_page(503))
        if action.type == "fixed-response":
            return AlbResponse(response=fixed_response(action))
        if action.type == "redirect":
            return AlbResponse(response=redirect_response(action, request, host=host.rsplit(
                ":", 1)[0], port=port))
        target = state.targets.get(action.target_group or "")
        if target is None or target.function is None:
            # Troubleshooting, HTTP 503: the target group has no registered targets.
            return AlbResponse(response=error_page(503))
        if request.header("upgrade"):
            # "Lambda functions as targets", Limits: "WebSockets are not supported. Upgrade
            # requests are rejected with an HTTP 400 code."
            return AlbResponse(response=error_page(400))
        return self._invoke(target, request, port)

    def _invoke(self, target: LoadBalancerTarget, request: HttpRequest,
                port: int) -> AlbResponse:
        function = target.function or ""
        event = alb_event(request, AlbTarget(
            target_group_arn=target.arn, multi_value_headers=target.multi_value_headers,
            server_port=port, trace_id=self._trace_id()))
        try:
            result = self._service.invoke(function, json.dumps(event).encode())
        except LambdaApiError as exc:
            # Troubleshooting, HTTP 502: "The Lambda service returned an error" (throttling
            # included); ALB has no answer of its own for it.
            self._log(function, f"samlite: the invoke was refused ({exc.error_type}: "
                      f"{exc.message}); the client gets 502")
            return AlbResponse(response=error_page(502))
        except EnvironmentStartError as exc:
            # The function cannot start here: ALB's answer to a Lambda service error is 502.
            self._log(function, f"samlite: {exc}; the client gets 502")
            return AlbResponse(response=error_page(502))
        if result.function_error:
            return AlbResponse(response=error_page(502))
        try:
            return alb_response(result.payload, multi_value_headers=target.multi_value_headers)
        except MalformedResponse as exc:
            self._log(function, f"samlite: the function returned a response the load "
                      f"balancer cannot use ({exc}); the client gets 502")
            return AlbResponse(response=error_page(502))

    def _trace_id(self) -> str:
        """X-Amzn-Trace-Id as ALB adds it: Root=1-<epoch seconds, 8 hex>-<96 random bits>."""
        return f"Root=1-{int(self._clock.now()):08x}-{secrets.token_hex(12)}"


def _conditions(conditions: tuple[RuleCondition, ...]) -> str:
    return " and ".join(
        f"{c.field}{' ' + c.header_name if c.header_name else ''} {' or '.join(c.values)}"
        .strip() for c in conditions) or "always"


def _state_of(graph: Graph) -> _State:
    return _State(targets={t.logical_id: t for t in graph.load_balancer_targets},
                  listeners={lst.logical_id: lst for lst in listeners_to_serve(graph)})


def _http_request(request: Request) -> HttpRequest:
    return HttpRequest(method=request.method, path=request.path, raw_query=request.raw_query,
                       headers=request.raw_headers, body=request.body,
                       source_ip=request.client_ip, protocol=request.protocol)


def _wire(answer: AlbResponse) -> Response:
    response = answer.response
    return Response(status=response.status, headers=response.headers, body=response.body,
                    reason=answer.reason)


class _ListenerRoute:
    """One listener's port: every request is its own."""

    def __init__(self, balancers: LoadBalancers, name: str) -> None:
        self._balancers = balancers
        self._name = name

    def handles(self, request: Request) -> bool:
        return True

    def body_limit(self, head: Request) -> int:
        return MAX_REQUEST_BODY_BYTES

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        if not isinstance(problem, BodyTooLarge):
            return None   # a body cut short gets the endpoint's plain 400
        host, port = self._host_and_port(head)
        size = problem.declared_bytes or problem.limit_bytes + 1
        return _wire(self._balancers.serve(self._name, _http_request(head), host, port,
                                           body_bytes=size))

    def _host_and_port(self, request: Request) -> tuple[str, int]:
        endpoint = self._balancers._endpoints.get(self._name)
        default_port = endpoint.address[1] if endpoint is not None else 0
        host = request.header("host") or f"127.0.0.1:{default_port}"
        _, _, port = host.rpartition(":")
        return host, int(port) if port.isdigit() else default_port

    def handle(self, request: Request) -> Response:
        host, port = self._host_and_port(request)
        try:
            return _wire(self._balancers.serve(self._name, _http_request(request), host, port))
        except Exception:
            log.exception("load balancer %s: %s %s failed", self._name, request.method,
                          request.path)
            return _wire(AlbResponse(response=error_page(502)))
