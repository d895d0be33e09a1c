"""Which listener rule an HTTP request meets, as an Application Load Balancer decides it, and
which listeners a graph serves. Pure: no sockets.

Follows the ELB user guide, "Listener rules for your Application Load Balancer": rules are
tried from the lowest priority number, the default action last; a rule matches when every
condition does, and a condition when any of its values does. Path patterns and request
methods are case-sensitive; host names, header values and query strings are not; `*` is
any run of characters and `?` exactly one (in a query-string condition `\\*` and `\\?` are the
characters themselves: QueryStringConditionConfig in the ELB API reference).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import unquote

from samlite.graph.model import (
    Graph,
    ListenerAction,
    ListenerRule,
    LoadBalancerListener,
    RuleCondition,
)
from samlite.sources.gateway.events import HttpRequest


def listeners_to_serve(graph: Graph) -> tuple[LoadBalancerListener, ...]:
    """Each listener of the template, then each lambda target group no listener forwards
    to, as a listener of its own that forwards everything to it."""
    listeners = list(graph.load_balancer_listeners)
    reached = {tg for listener in listeners for tg in listener.target_groups}
    listeners.extend(LoadBalancerListener(
        logical_id=target.logical_id, at=target.at,
        default_action=ListenerAction(type="forward", target_group=target.logical_id))
        for target in graph.load_balancer_targets if target.logical_id not in reached)
    return tuple(listeners)


def action_for(listener: LoadBalancerListener, request: HttpRequest, *,
               host: str) -> tuple[ListenerAction | None, ListenerRule | None]:
    """The action the first matching rule (else the default action) takes, and that rule."""
    for rule in listener.rules:
        if all(_matches(c, request, host) for c in rule.conditions):
            return rule.action, rule
    return listener.default_action, None


def _matches(condition: RuleCondition, request: HttpRequest, host: str) -> bool:
    field = condition.field
    if field == "path-pattern":
        return any(_pattern(v, case=True).fullmatch(request.path) for v in condition.values)
    if field == "http-request-method":
        return request.method in condition.values
    if field == "host-header":
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return any(_pattern(v, case=False).fullmatch(name) for v in condition.values)
    if field == "http-header":
        wanted = (condition.header_name or "").lower()
        sent = [value for name, value in request.headers if name.lower() == wanted]
        return any(_pattern(v, case=False).fullmatch(s) for v in condition.values for s in sent)
    if field == "query-string":
        return any(_query_matches(v, request.raw_query) for v in condition.values)
    if field == "source-ip":
        return any(_in_network(request.source_ip, v) for v in condition.values)
    return False   # a condition this version does not know never matches


def _query_matches(pair: str, raw_query: str) -> bool:
    key, _, value = pair.partition("=")
    for part in raw_query.split("&"):
        if not part:
            continue
        sent_key, _, sent_value = part.partition("=")
        if key and not _pattern(key, case=False, escapes=True).fullmatch(unquote(sent_key)):
            continue
        if _pattern(value, case=False, escapes=True).fullmatch(unquote(sent_value)):
            return True
    return False


def _in_network(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


@functools.lru_cache(maxsize=512)
def _pattern(text: str, *, case: bool, escapes: bool = False) -> re.Pattern[str]:
    """`escapes`: a backslash makes the next `*` or `?` literal."""
    pieces = re.split(r"(\\[*?])", text) if escapes else [text]
    body = "".join(
        re.escape(piece[1]) if escapes and piece in ("\\*", "\\?")
        else "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in piece)
        for piece in pieces)
    return re.compile(body, re.DOTALL if case else re.IGNORECASE | re.DOTALL)
