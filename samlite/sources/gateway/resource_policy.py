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

from samlite.graph.model import IpRanges
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


def explicit_deny(arn: str, request_id: str) -> HttpResponse:
    message = (f"User: anonymous is not authorized to perform: execute-api:Invoke on "
               f"resource: {arn} with an explicit deny")
    return HttpResponse(
        status=403, body=json.dumps({"Message": message}, separators=(",", ":")).encode(),
        gateway_response=ACCESS_DENIED, headers=(
            ("Content-Type", "application/json"), ("x-amzn-ErrorType", ACCESS_DENIED_TYPE),
            request_id_header(Flavor.REST, request_id)))
