"""REST request validation as API Gateway runs it before the integration: the method's required
parameters, then the body against its model (JSON Schema draft 4). Pure: a request in, the
gateway's answer (or None) out.

Follows "Request validation for REST APIs in API Gateway": required parameters in the query
string and headers must be present and not blank; the body is validated against the model of
its content type, else the `$default` one, and not at all when neither exists. The answers are
the BAD_REQUEST_PARAMETERS and BAD_REQUEST_BODY gateway responses (400, BadRequestException):
{"message":"Missing required request parameters: [x, y]"} and {"message":"Invalid request
body"}, rendered by the default gateway response template {"message":$context.error.
messageString} ("Gateway response types for API Gateway").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from samlite.graph.model import RequestValidation
from samlite.sources.gateway.events import HttpRequest

if TYPE_CHECKING:
    from jsonschema import Draft4Validator

INVALID_BODY = "Invalid request body"
BAD_REQUEST = "BadRequestException"
# Without a Content-Type header, API Gateway takes the body as application/json (the same
# default its mapping templates use: "Mapping templates for REST APIs in API Gateway").
DEFAULT_CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    message: str                 # what the client reads
    reason: str = ""             # what samlite logs besides, when the client is not told
    # $context.error.validationErrorString: "a string containing a detailed validation error
    # message" ($context variables reference). API Gateway's validator words it its own way
    # (a Java JSON Schema library); these are jsonschema's words, in its bracketed list form.
    detail: str | None = None


def missing_parameters_message(names: list[str]) -> str:
    return f"Missing required request parameters: [{', '.join(names)}]"


def check_request(validation: RequestValidation | None, models: tuple[tuple[str, str], ...],
                  request: HttpRequest) -> Rejection | None:
    """None lets the request on; else why API Gateway answers 400. Parameters come first."""
    if validation is None:
        return None
    if validation.validates_parameters:
        missing = _missing(validation.required_parameters, request)
        if missing:
            return Rejection(message=missing_parameters_message(missing))
    if validation.validates_body:
        return _check_body(validation, models, request)
    return None


def _missing(required: tuple[str, ...], request: HttpRequest) -> list[str]:
    """Names of required query strings and headers that are absent or blank, ordered by
    their full method.request.* key (as LocalStack's emulation orders them). A path
    parameter is always there once the route matched."""
    query = {k for k, v in parse_qsl(request.raw_query, keep_blank_values=True) if v.strip()}
    def is_missing(location: str, name: str) -> bool:
        if location == "querystring":
            return name not in query
        return location == "header" and not (request.header(name) or "").strip()

    keys = (key.removeprefix("method.request.").partition(".") for key in sorted(required))
    return [name for location, _, name in keys if is_missing(location, name)]


def _check_body(validation: RequestValidation, models: tuple[tuple[str, str], ...],
                request: HttpRequest) -> Rejection | None:
    schemas = dict(validation.body_schemas)
    content_type = (request.header("content-type") or DEFAULT_CONTENT_TYPE)
    media_type = content_type.split(";", 1)[0].strip().lower()
    schema = schemas.get(media_type, schemas.get("$default"))
    if schema is None:
        return None
    # jsonschema (~40 ms to import) only for an app whose routes validate bodies
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    try:
        validator = _validator(schema, models)
    except (SchemaError, ValueError) as exc:
        return Rejection(message=INVALID_BODY, reason=f"the model is not a valid JSON Schema "
                                                      f"draft 4 ({_first_line(exc)})")
    try:
        # An empty body is validated as {} (as LocalStack's emulation does).
        instance = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return Rejection(message=INVALID_BODY, reason="the body is not JSON")
    try:
        error = next(iter(validator.iter_errors(instance)), None)
    except Unresolvable as exc:
        return Rejection(message=INVALID_BODY, reason=f"the model's $ref cannot be resolved "
                                                      f"({exc})")
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the body"
    return Rejection(message=INVALID_BODY, reason=f"{where}: {error.message}",
                     detail=f"[{error.message}]")


@lru_cache(maxsize=256)   # pure: the same schema and models always compile the same way
def _validator(schema_text: str, models: tuple[tuple[str, str], ...]) -> Draft4Validator:
    """The model's schema, with every model of the API reachable by $ref as
    #/definitions/<name> (Swagger 2, and SAM's Models) or #/components/schemas/<name>."""
    from jsonschema import Draft4Validator

    schema: Any = json.loads(schema_text)
    if not isinstance(schema, Mapping):
        raise ValueError("the model is not a JSON object")
    named = {name: json.loads(text) for name, text in models}
    root = dict(schema)
    root["definitions"] = {**named, **dict(root.get("definitions") or {})}
    components = dict(root.get("components") or {})
    components["schemas"] = {**named, **dict(components.get("schemas") or {})}
    root["components"] = components
    Draft4Validator.check_schema(root)
    return Draft4Validator(root)


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "message", exc)).splitlines()[0]
