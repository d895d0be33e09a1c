"""HTTP API parameter mapping values that embed a selection expression in text without
braces ("/rewritten/$request.path.id"). "Transform API requests and responses for HTTP APIs"
writes a value as one expression ($request.path.id) or, to use variables within text, each
in braces (${request.path.id}); samlite's gateway evaluates exactly those two forms
(sources/gateway/integrations.py) and sends anything else as written. Codes:
  W7419 a selection expression inside a longer mapping value, without braces

Read from an HttpApi's DefinitionBody, an AWS::ApiGatewayV2::Api's Body (requestParameters,
responseParameters of each x-amazon-apigateway-integration) and AWS::ApiGatewayV2::Integration
RequestParameters / ResponseParameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_common import HTTP_API, Path, SamView, is_map

__all__ = ["CHECKS_ON_VIEW", "check_unbraced_expressions"]

_INTEGRATION = "x-amazon-apigateway-integration"
# A selection expression's start, unless it is inside braces (${request...}).
_EXPRESSION = re.compile(r"(?<!\{)\$(request|response|context|stageVariables)\.")
# What one whole expression may hold after its source: names, dots, JSONPath brackets.
_WHOLE = re.compile(r"\$(request|response|context|stageVariables)\.[\w.\-\[\]'\"*@]+")


def check_unbraced_expressions(view: SamView) -> Iterator[Problem]:
    for api_id, props in view.of_type(HTTP_API, "AWS::ApiGatewayV2::Api"):
        body_key = "DefinitionBody" if view.type_of(api_id) == HTTP_API else "Body"
        yield from _openapi(view, api_id, props.get(body_key),
                            ("Resources", api_id, "Properties", body_key))
    for integration_id, props in view.of_type("AWS::ApiGatewayV2::Integration"):
        at: Path = ("Resources", integration_id, "Properties")
        yield from _values(view, integration_id, props.get("RequestParameters"),
                           (*at, "RequestParameters"))
        responses = props.get("ResponseParameters")
        for status, found in (responses.items() if is_map(responses) else ()):
            # CloudFormation nests them: {"404": {"ResponseParameters": [{Destination, Source}]}}
            entries = found.get("ResponseParameters") if is_map(found) else None
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                if is_map(entry):
                    yield from _value(view, integration_id, str(entry.get("Destination")),
                                      entry.get("Source"),
                                      (*at, "ResponseParameters", status, "ResponseParameters",
                                       index, "Source"))


def _openapi(view: SamView, api_id: str, body: Any, at: Path) -> Iterator[Problem]:
    paths = body.get("paths") if is_map(body) else None
    for path, operations in (paths.items() if is_map(paths) else ()):
        for method, operation in (operations.items() if is_map(operations) else ()):
            integration = operation.get(_INTEGRATION) if is_map(operation) else None
            if not is_map(integration):
                continue
            here = (*at, "paths", path, method, _INTEGRATION)
            yield from _values(view, api_id, integration.get("requestParameters"),
                               (*here, "requestParameters"))
            responses = integration.get("responseParameters")
            for status, pairs in (responses.items() if is_map(responses) else ()):
                yield from _values(view, api_id, pairs, (*here, "responseParameters", status))


def _values(view: SamView, resource: str, pairs: Any, at: Path) -> Iterator[Problem]:
    for key, value in (pairs.items() if is_map(pairs) else ()):
        yield from _value(view, resource, str(key), value, (*at, key))


def _value(view: SamView, resource: str, key: str, value: Any,
           at: Path) -> Iterator[Problem]:
    if not isinstance(value, str):
        return      # an intrinsic: its value is known only once resolved
    found = _EXPRESSION.search(value)
    if found is None:
        return
    whole = _WHOLE.fullmatch(value)
    if found.start() == 0 and whole is not None:
        return      # one expression, the whole value
    expression = _WHOLE.match(value, found.start())
    written = expression.group(0) if expression else found.group(0)
    yield view.problem(
        "W7419", f"the {key} mapping value '{value}' has {written} inside text without "
                 "braces; API Gateway's guide (\"Transform API requests and responses for "
                 f"HTTP APIs\") writes a variable within text as ${{{written[1:]}}}, and "
                 "samlite up sends this value as written", at, resource)


CHECKS_ON_VIEW = (check_unbraced_expressions,)
