"""A REST API's resource policy, the part decided locally: the client's address against the
IP ranges (graph.IpRanges). Pure.

A denied request gets what API Gateway answers for a resource policy's explicit deny, 403
{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource:
<arn> with an explicit deny"} ("Create and attach an API Gateway resource policy to an API",
its troubleshooting section, and the knowledge center's "How do I troubleshoot HTTP 403
Forbidden errors when using a Lambda authorizer with an API Gateway REST API?"): the
ACCESS_DENIED gateway response type.
"""

from __future__ import annotations

import ipaddress
import json
import re
from enum import StrEnum

from samlite.graph.model import IpRanges, PolicyStatement
from samlite.sources.gateway.events import Flavor, HttpResponse, request_id_header
from samlite.sources.gateway.gateway_responses import ACCESS_DENIED

ACCESS_DENIED_TYPE = "AccessDeniedException"


def is_denied(ranges: IpRanges, source_ip: str) -> bool:
    """Denied when the address is in a denied range, or outside every allowed one."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return True   # no address to match: an IP condition cannot allow it
    def within(found: tuple[str, ...]) -> bool:
        return any(address in ipaddress.ip_network(r, strict=False) for r in found)
    return within(ranges.denied) or (bool(ranges.allowed) and not within(ranges.allowed))


class Verdict(StrEnum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"      # a Deny statement covers the request
    IMPLICIT_DENY = "implicit deny"      # no Allow statement does


def evaluate(statements: tuple[PolicyStatement, ...], resource: str,
             source_ip: str) -> Verdict:
    """`resource`: "{stage}/{METHOD}/{path}". A Deny that covers the request wins; else an
    Allow must cover it (IAM's evaluation logic)."""
    covering = [s for s in statements if _covers(s, resource, source_ip)]
    if any(not s.allows for s in covering):
        return Verdict.EXPLICIT_DENY
    return Verdict.ALLOW if covering else Verdict.IMPLICIT_DENY


def _covers(statement: PolicyStatement, resource: str, source_ip: str) -> bool:
    if statement.not_resources:
        if any(_matches(p, resource) for p in statement.not_resources):
            return False
    elif not any(_matches(p, resource) for p in statement.resources):
        return False
    if statement.source_ips and not _within(source_ip, statement.source_ips):
        return False
    return not (statement.not_source_ips and _within(source_ip, statement.not_source_ips))


def _matches(pattern: str, resource: str) -> bool:
    """IAM's wildcards: * any run of characters (slashes too), ? one character."""
    expression = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(expression, resource) is not None


def _within(source_ip: str, ranges: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return False
    found = []
    for text in ranges:
        try:
            found.append(address in ipaddress.ip_network(text, strict=False))
        except ValueError:
            continue    # not a range: matches nothing
    return any(found)


def explicit_deny(arn: str, request_id: str, *, explicit: bool = True) -> HttpResponse:
    """`explicit`: a Deny covered the request (else no Allow did: an implicit deny)."""
    message = (f"User: anonymous is not authorized to perform: execute-api:Invoke on "
               f"resource: {arn}" + (" with an explicit deny" if explicit else ""))
    return HttpResponse(
        status=403, body=json.dumps({"Message": message}, separators=(",", ":")).encode(),
        gateway_response=ACCESS_DENIED, headers=(
            ("Content-Type", "application/json"), ("x-amzn-ErrorType", ACCESS_DENIED_TYPE),
            request_id_header(Flavor.REST, request_id)))
