"""HTTP API integrations other than a Lambda proxy -> graph.Integration, from an
AWS::ApiGatewayV2::Integration's properties or an OpenAPI x-amazon-apigateway-integration.
Pure.

Served: AWS service integrations whose IntegrationSubtype the local endpoint answers (SQS and
EventBridge-PutEvents) and HTTP_PROXY to an http(s) URL. Anything else comes back as the
reason it is not run.
Follows "Working with AWS service integrations for HTTP APIs" (and its integration subtype
reference) and "Working with HTTP proxy integrations for HTTP APIs".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.graph.model import Integration, IntegrationKind
from samlite.graph.values import as_int, as_map, as_text

# The subtypes the local AWS endpoint can answer; the integration subtype reference lists the
# others (Kinesis-PutRecord, StepFunctions-*, AppConfig-*).
SERVED_SUBTYPES = frozenset({
    "SQS-SendMessage", "SQS-ReceiveMessage", "SQS-DeleteMessage", "SQS-PurgeQueue",
    "EventBridge-PutEvents",
})


def integration_of(*, integration_type: str, subtype: str | None, uri: str | None,
                   method: str | None, connection_type: str | None, parameters: Any,
                   timeout_ms: Any) -> Integration | str:
    """The Integration to serve, or the reason (a phrase) it is not run locally."""
    pairs = _parameter_pairs(parameters)
    timeout = as_int(timeout_ms)
    kind = integration_type.upper()
    if kind == "AWS_PROXY" and subtype:
        if subtype not in SERVED_SUBTYPES:
            return f"the AWS service integration {subtype} is not run locally (SQS-SendMessage, " \
                   "SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue and " \
                   "EventBridge-PutEvents are)"
        return Integration(kind=IntegrationKind.AWS_SERVICE, subtype=subtype,
                           request_parameters=pairs, timeout_ms=timeout)
    if kind == "HTTP_PROXY":
        if (connection_type or "INTERNET").upper() != "INTERNET":
            return "a private integration (VPC_LINK) is not run locally"
        if not uri or not uri.lower().startswith(("http://", "https://")):
            return f"the HTTP_PROXY integration's URI {uri!r} is not an http(s) URL"
        return Integration(kind=IntegrationKind.HTTP_PROXY, uri=uri,
                           method=(method or "ANY").upper(), request_parameters=pairs,
                           timeout_ms=timeout)
    return f"{kind or 'an untyped'} integration is not run locally"


def _parameter_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    found: Mapping[str, Any] = as_map(value)
    pairs = ((str(k), as_text(v)) for k, v in found.items())
    return tuple((k, v) for k, v in pairs if v is not None)
