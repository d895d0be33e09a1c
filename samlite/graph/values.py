"""Reading resolved template values for the graph builder. Pure.

Resolved values may be Unresolved or of the wrong type (validate reports those): each reader
here returns a default instead of raising. `References` maps raw intrinsics and resolved
names, ARNs and URLs back to the logical ids they point at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import Cors, SqsSettings
from samlite.template import names
from samlite.template.model import PseudoParameters, ResolvedTemplate, Resource, Unresolved
from samlite.template.nodes import MappingNode

# GetAtt attributes (besides what Ref gives) a template may use to point at a resource.
ATTRIBUTES_NAMED: Mapping[str, tuple[str, ...]] = {
    "AWS::SQS::Queue": ("Arn", "QueueName"),
    "AWS::SNS::Topic": ("TopicName",),
    "AWS::DynamoDB::Table": ("Arn", "StreamArn"),
    "AWS::Serverless::SimpleTable": ("Arn", "StreamArn"),
}

NAME_PROPERTIES = ("FunctionName", "QueueName", "BucketName", "TopicName", "TableName",
                    "LayerName", "StreamName", "Name")



# ---- plain value helpers: resolved values may be Unresolved, or of the wrong type


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):          # CloudFormation turns booleans into "true"/"false"
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Unresolved):
        return str(value)
    return json.dumps(value, default=str, separators=(",", ":"))


def as_texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(t for t in map(as_text, value) if t is not None)
    text = as_text(value)
    return (text,) if text is not None else ()


def as_int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return default


def as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


# dict, not Mapping, in the checks below: isinstance against the ABC was the slowest thing in
# building a 500-resource graph, and every template container is a dict (MappingNode) anyway.
def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def key_at(container: Any, key: str, default: Mark) -> Mark:
    return container.key_mark(key) if isinstance(container, MappingNode) else default


def state_enabled(props: Mapping[str, Any]) -> bool:
    if "Enabled" in props:
        return as_bool(props["Enabled"], True)
    state = as_text(props.get("State"))
    return state is None or state.upper() != "DISABLED"


def unquote(text: str) -> str:
    # REST API Cors values are header values in single quotes: "'GET,POST'"
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def split_header(value: Any) -> tuple[str, ...]:
    text = as_text(value)
    if text is None:
        return ()
    return tuple(part.strip() for part in unquote(text).split(",") if part.strip())


def rest_cors(value: Any) -> Cors | None:
    if isinstance(value, str):
        return Cors(allow_origins=split_header(value))
    if not isinstance(value, dict):
        return None
    return Cors(allow_origins=split_header(value.get("AllowOrigin")),
                allow_methods=split_header(value.get("AllowMethods")),
                allow_headers=split_header(value.get("AllowHeaders")),
                max_age_s=as_int(unquote(as_text(value.get("MaxAge")) or "")),
                allows_credentials=as_bool(value.get("AllowCredentials"), False))


def http_cors(value: Any) -> Cors | None:
    """HttpApi CorsConfiguration and function URL Cors share these keys."""
    if value is True:
        return Cors(allow_origins=("*",))
    if not isinstance(value, dict):
        return None
    return Cors(allow_origins=as_texts(value.get("AllowOrigins")),
                allow_methods=as_texts(value.get("AllowMethods")),
                allow_headers=as_texts(value.get("AllowHeaders")),
                expose_headers=as_texts(value.get("ExposeHeaders")),
                max_age_s=as_int(value.get("MaxAge")),
                allows_credentials=as_bool(value.get("AllowCredentials"), False))


def openapi_cors(document: Any, configuration: Any) -> Cors | None:
    """An HTTP API's CORS: its OpenAPI document's x-amazon-apigateway-cors ("x-amazon-
    apigateway-cors object", keys allowOrigins...), each key CorsConfiguration sets taking
    over, as SAM merges them (http_api_generator._add_cors, OpenApiEditor.add_cors: a list
    when not empty, MaxAge when given, AllowCredentials only when true)."""
    extension = as_map(document).get("x-amazon-apigateway-cors")
    if not isinstance(extension, dict) and configuration is not True \
            and not isinstance(configuration, dict):
        return None
    merged = {key[:1].upper() + key[1:]: value for key, value in as_map(extension).items()}
    if configuration is True:
        merged["AllowOrigins"] = ["*"]
    merged.update({key: value for key, value in as_map(configuration).items()
                   if value or (key == "MaxAge" and value is not None)})
    return http_cors(merged)


def s3_uri(value: Any, bucket_key: str, key_key: str) -> str | None:
    if isinstance(value, dict):
        bucket, key = as_text(value.get(bucket_key)), as_text(value.get(key_key))
        return f"s3://{bucket}/{key}" if bucket and key else None
    return as_text(value)


def filter_rules(props: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    rules = as_list(as_map(as_map(props.get("Filter")).get("S3Key")).get("Rules"))
    return tuple((as_text(r.get("Name")) or "", as_text(r.get("Value")) or "")
                 for r in rules if isinstance(r, dict))


def sqs_settings(props: Mapping[str, Any]) -> SqsSettings:
    filters = as_list(as_map(props.get("FilterCriteria")).get("Filters"))
    return SqsSettings(
        batch_size=as_int(props.get("BatchSize"), 10) or 10,
        batching_window_s=as_int(props.get("MaximumBatchingWindowInSeconds"), 0) or 0,
        is_enabled=as_bool(props.get("Enabled"), True),
        filter_patterns=tuple(t for f in filters if isinstance(f, dict)
                              if (t := as_text(f.get("Pattern"))) is not None),
        max_concurrency=as_int(as_map(props.get("ScalingConfig")).get("MaximumConcurrency")),
        reports_batch_item_failures="ReportBatchItemFailures"
        in as_texts(props.get("FunctionResponseTypes")))


def name_values(res: Resource, pseudo: PseudoParameters) -> list[str]:
    """What Ref and the naming GetAtts give for a resource (samlite.template.names), then its
    explicit name property; the first is what Ref gives."""
    props = as_map(res.properties)
    found = [safe_call(names.ref_value, res.type, res.logical_id, props, pseudo)]
    found.extend(safe_call(names.get_att_value, res.type, res.logical_id, attribute, props,
                            pseudo) for attribute in ATTRIBUTES_NAMED.get(res.type, ("Arn",)))
    found.extend(props.get(key) for key in NAME_PROPERTIES)
    return [v for v in found if isinstance(v, str) and v]


def safe_call(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except Exception:  # a helper's surprise on an odd template must not stop the graph
        return None


class References:
    """Maps what a template writes for a resource back to its logical id: the raw intrinsic
    ({"Ref": X}, {"Fn::GetAtt": [X, "Arn"]}, "${X.Arn}") when there is one, else the
    resolved name, ARN or URL."""

    def __init__(self, resolved: ResolvedTemplate) -> None:
        self.resources = resolved.resources
        self.conditions = resolved.conditions
        self.identities = {logical_id: name_values(res, resolved.pseudo)
                           for logical_id, res in resolved.resources.items()}
        self.by_value: dict[str, str] = {}
        for logical_id, values in self.identities.items():
            for value in values:
                self.by_value.setdefault(value, logical_id)

    def choose(self, raw: Any) -> Any:
        """Follow Fn::If by the condition's resolved value (None when it is unknown)."""
        while isinstance(raw, dict) and len(raw) == 1 and "Fn::If" in raw:
            args = raw["Fn::If"]
            if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
                return None
            holds = self.conditions.get(args[0])
            if holds is None:
                return None
            raw = args[1] if holds else args[2]
        return raw

    def dig(self, raw: Any, *path: str | int) -> Any:
        node = self.choose(raw)
        for step in path:
            if isinstance(node, dict) and isinstance(step, str):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return None
            node = self.choose(node)
        return node

    def _named(self, raw: Any) -> list[str]:
        """Logical ids one intrinsic names directly."""
        if not (isinstance(raw, dict) and len(raw) == 1):
            return []
        key, arg = next(iter(raw.items()))
        if key == "Ref" and isinstance(arg, str):
            return [arg] if arg in self.resources else []
        if key == "Fn::GetAtt":
            first = arg[0] if isinstance(arg, list) and arg else arg
            name = first.split(".", 1)[0] if isinstance(first, str) else None
            return [name] if name in self.resources else []
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if not isinstance(text, str):
                return []
            found = []
            for part in text.split("${")[1:]:
                name = part.split("}", 1)[0].split(".", 1)[0]
                if name in self.resources and name not in found:
                    found.append(name)
            return found
        return []

    def target(self, raw: Any, resolved: Any) -> str | None:
        """The logical id a property value points at, if it is a resource of this template."""
        named = self._named(self.choose(raw))
        if len(named) == 1:
            return named[0]
        return self.lookup(resolved)

    def lookup(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        found = self.by_value.get(value)
        if found is None and value.startswith(("arn:", "http://", "https://")):
            for tail in (value.rsplit("/", 1)[-1], value.rsplit(":", 1)[-1]):
                if tail in self.by_value:
                    return self.by_value[tail]
        return found

    def target_or_text(self, raw: Any, resolved: Any) -> str | None:
        return self.target(raw, resolved) or as_text(resolved)

    def refs_in(self, raw: Any) -> list[str]:
        """Every logical id named anywhere inside a raw value (policy documents, Subs)."""
        found: list[str] = []
        stack = [raw]
        while stack:
            node = self.choose(stack.pop())
            if isinstance(node, dict):
                named = self._named(node)
                if named:
                    found.extend(n for n in named if n not in found)
                else:
                    stack.extend(reversed(list(node.values())))
            elif isinstance(node, list):
                stack.extend(reversed(node))
        return found
