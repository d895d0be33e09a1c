"""An AWS error answer in the wire protocol the request came in, so each SDK raises its own
clean ClientError (never a parser error). Pure: a request and an error in, a Response out.

The shapes are what botocore's error parsers read (botocore/parsers.py: QueryParser,
EC2QueryParser, BaseJSONParser, RestJSONParser, RestXMLParser, RpcV2CBORParser).
"""

from __future__ import annotations

import json
import secrets
from enum import Enum
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from samlite.http.messages import Request, Response

# The signing names of botocore's rest-xml services (botocore's service models, 1.44);
# tests/aws/test_wire_errors.py holds this to botocore's data. Every other REST service
# speaks rest-json.
REST_XML_SIGNING_NAMES = frozenset({"cloudfront", "route53", "s3"})
_FORM = "application/x-www-form-urlencoded"


class Protocol(Enum):
    QUERY = "query"
    EC2 = "ec2"
    JSON = "json"
    REST_JSON = "rest-json"
    REST_XML = "rest-xml"
    RPC_V2_CBOR = "smithy-rpc-v2-cbor"


def protocol_of(request: Request, service: str) -> Protocol:
    """The protocol a request to `service` (its SigV4 signing name) was sent in, read from
    the request itself: Smithy RPC v2 says so in a header, AWS JSON names its operation in
    X-Amz-Target, query and EC2 send `Action=`; the rest are REST, XML for a few services."""
    if (request.header("smithy-protocol") or "").lower() == "rpc-v2-cbor":
        return Protocol.RPC_V2_CBOR
    if request.header("x-amz-target") is not None:
        return Protocol.JSON
    if query_action(request) is not None:
        return Protocol.EC2 if service == "ec2" else Protocol.QUERY
    return Protocol.REST_XML if service in REST_XML_SIGNING_NAMES else Protocol.REST_JSON


def query_action(request: Request) -> str | None:
    """The `Action` of a query-protocol request (URL query or form body), else None."""
    return query_parameter(request, "Action")


def query_parameter(request: Request, name: str) -> str | None:
    """A query-protocol request's parameter `name` (URL query or form body), else None."""
    action = request.query_value(name)
    if action is not None:
        return action
    content_type = (request.header("content-type") or "").lower()
    if request.method != "POST" or not content_type.startswith(_FORM) or not request.body:
        return None
    try:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return None
    values = form.get(name)
    return values[-1] if values else None


def error_response(request: Request, service: str, *, status: int, code: str,
                   message: str, protocol: Protocol | None = None) -> Response:
    """`code` and `message` as `service`'s SDK client reads an error (in `protocol` when the
    request cannot tell it: a query call whose form cannot be read)."""
    request_id = secrets.token_hex(16)
    fault = "Sender" if status < 500 else "Receiver"
    protocol = protocol or protocol_of(request, service)
    if protocol is Protocol.QUERY:
        body = (f"<ErrorResponse><Error><Type>{fault}</Type><Code>{escape(code)}</Code>"
                f"<Message>{escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
        return _answer(status, "text/xml", body.encode(), request_id)
    if protocol is Protocol.EC2:
        body = (f"<Response><Errors><Error><Code>{escape(code)}</Code>"
                f"<Message>{escape(message)}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>")
        return _answer(status, "text/xml", body.encode(), request_id)
    if protocol is Protocol.REST_XML:
        body = (f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"<RequestId>{request_id}</RequestId></Error>")
        return _answer(status, "application/xml", body.encode(), request_id)
    if protocol is Protocol.RPC_V2_CBOR:
        return _answer(status, "application/cbor",
                       cbor_text_map({"__type": code, "message": message}), request_id,
                       ("smithy-protocol", "rpc-v2-cbor"))
    body_json = json.dumps({"__type": code, "message": message}).encode()
    if protocol is Protocol.REST_JSON:
        return _answer(status, "application/json", body_json, request_id,
                       ("X-Amzn-ErrorType", code))
    return _answer(status, "application/x-amz-json-1.0", body_json, request_id)


def cbor_text_map(values: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949: major type 5 of major type 3 items), all an
    RPC v2 error body needs."""
    return _cbor_head(5, len(values)) + b"".join(
        _cbor_text(key) + _cbor_text(value) for key, value in values.items())


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    return _cbor_head(3, len(data)) + data


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | extra]) + length.to_bytes(size, "big")
    raise ValueError("CBOR item too long")


def _answer(status: int, content_type: str, body: bytes, request_id: str,
            *extra: tuple[str, str]) -> Response:
    return Response(status=status, body=body, headers=(
        ("Content-Type", content_type), ("x-amzn-RequestId", request_id),
        ("x-amz-request-id", request_id), *extra))
