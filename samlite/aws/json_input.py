"""An AWS JSON-protocol request checked against its operation's input shape in botocore's
service model, before moto sees it: moto assumes well-formed input and fails inside with a
TypeError on a body SDKs never send (empty, not an object, a number for a name). Answers
what the service answers instead: UnknownOperationException for an operation the model
lacks, SerializationException for a body that is not the shape's JSON (or not sent as
AWS JSON: moto would take `application/json` for another protocol), ValidationException
("Member must not be null") for a required member left out.

botocore is there whenever moto is (moto depends on it); it is imported only when a request
of a moto-backed JSON service arrives.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response

# What AWS JSON-protocol clients send (botocore's serializers); "" when a client sends none.
_JSON_CONTENT_TYPES = frozenset({"", "application/x-amz-json-1.0", "application/x-amz-json-1.1"})
_SCALARS: dict[str, type | tuple[type, ...]] = {
    "string": str, "boolean": bool, "integer": int, "long": int,
    "float": (int, float), "double": (int, float), "timestamp": (int, float, str),
    "blob": str,
}


def refuse_bad_input(request: Request, *, service: str, operation: str,
                     check_required: bool = True) -> Response | None:
    """None when the request may go on; else the service's error answer. `service` is
    botocore's service name ("secretsmanager", "ssm"); `check_required=False` leaves
    missing members to a route that answers them in the service's own words (SQS)."""
    shape = _input_shape(service, operation)
    if shape is False:
        return error_response(request, service, status=400, code="UnknownOperationException",
                              message=f"{operation} is not an operation of {service}")
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if content_type not in _JSON_CONTENT_TYPES:
        return _serialization(request, service, "an X-Amz-Target request's Content-Type must "
                              f"be application/x-amz-json-1.0 or -1.1 (got {content_type})")
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, ValueError):
        return _serialization(request, service, "the body is not JSON")
    if not isinstance(body, dict):
        return _serialization(request, service, "the body must be a JSON object")
    if shape is None:
        return None
    wrong = _wrong_type(body, shape, "")
    if wrong is not None:
        return _serialization(request, service, wrong)
    for member in shape.required_members if check_required else ():
        if body.get(member) is None:
            name = member[:1].lower() + member[1:]
            return error_response(
                request, service, status=400, code="ValidationException",
                message=f"1 validation error detected: Value null at '{name}' failed to "
                        "satisfy constraint: Member must not be null")
    return None


def _serialization(request: Request, service: str, why: str) -> Response:
    return error_response(request, service, status=400, code="SerializationException",
                          message=why)


def _wrong_type(value: Any, shape: Any, path: str) -> str | None:
    """Where `value` is not what `shape` says (None when it fits)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return f"{path or 'the body'} must be an object"
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                found = _wrong_type(item, member, f"{path}.{name}" if path else name)
                if found is not None:
                    return found
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"{path} must be a list"
        return next((w for index, item in enumerate(value)
                     if (w := _wrong_type(item, shape.member, f"{path}[{index}]"))), None)
    if kind == "map":
        if not isinstance(value, dict):
            return f"{path} must be an object"
        return next((w for key, item in value.items()
                     if (w := _wrong_type(item, shape.value, f"{path}.{key}"))), None)
    expected = _SCALARS.get(kind)
    if expected is None:
        return None
    if isinstance(value, bool) and kind != "boolean":
        return f"{path} must be a {kind}"
    return None if isinstance(value, expected) else f"{path} must be a {kind}"


@functools.cache
def _input_shape(service: str, operation: str) -> Any:
    """The operation's input shape; None when it takes none; False when there is no such
    operation."""
    import botocore.session
    from botocore.model import OperationNotFoundError

    model = botocore.session.get_session().get_service_model(service)
    try:
        return model.operation_model(operation).input_shape
    except OperationNotFoundError:
        return False
