"""Each operation the local endpoint serves, as the IAM action(s) it needs and the resource
ARN(s) it acts on, read from the request. Pure: a request in, authorizations out.

Actions and resources follow the Service Authorization Reference ("Actions, resources, and
condition keys for Amazon S3 / Amazon SQS / AWS Lambda / Amazon DynamoDB / Amazon SNS /
Amazon EventBridge / AWS Secrets Manager / AWS Systems Manager / AWS STS"): most operations
are their own action; the exceptions (batches, DynamoDB transactions) are in the tables below,
S3's in s3_operations.py. An operation no table names is `<prefix>:<Operation>` on "*", as
IAM names most list and account-wide actions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from samlite.aws.access.found import NO_KEYS, Found, Pairs, Unmapped
from samlite.aws.access.s3_operations import s3_operation
from samlite.aws.wire_errors import query_parameter
from samlite.http.messages import Request
from samlite.iam.evaluation import Request as Authorization

_TARGETS = {"dynamodb": "DynamoDB_20120810.", "sqs": "AmazonSQS.",
            "secretsmanager": "secretsmanager.", "ssm": "AmazonSSM.", "events": "AWSEvents."}
_INVOKE = re.compile(r"^/(?P<version>2015-03-31|2021-11-15)/functions/(?P<name>[^/]+)"
                     r"(?P<rest>/[a-z-]*)?/?$")
# Operations whose action is another's ("Actions defined by ..." tables).
_SAME_AS = {
    "sqs:SendMessageBatch": "sqs:SendMessage", "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "sns:PublishBatch": "sns:Publish",
}
_TRANSACT_ACTIONS = {"ConditionCheck": "ConditionCheckItem", "Put": "PutItem",
                     "Delete": "DeleteItem", "Update": "UpdateItem", "Get": "GetItem"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """The account and region ARNs are made in, and how to find the ARN of a secret named
    without one (its ARN ends in a suffix Secrets Manager chose)."""
    account_id: str
    region: str
    partition: str = "aws"
    secret_arn: Callable[[str], str | None] = lambda _name: None


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    service: str                            # the signing name: "s3", "sqs", ...
    name: str                               # "PutObject"
    authorizations: tuple[Authorization, ...]   # each must be allowed
    # ARN -> the resource as the caller named it, where the service's denial quotes that
    # (Secrets Manager's SecretId); denials.py.
    named: Mapping[str, str] = field(default_factory=dict)
    # Set when no table gives the operation an IAM action: it is not checked ("GET ?torrent").
    unmapped: str | None = None


def operation_of(request: Request, service: str, place: Place) -> Operation | None:
    """What the request asks of `service` (its SigV4 signing name), or None for a request
    no policy governs (STS GetCallerIdentity, a service not served here)."""
    reader = _READERS.get(service)
    if reader is None:
        return None
    found = reader(request, place)
    if found is None:
        return None
    if isinstance(found, Unmapped):
        return Operation(service=service, name=found.name, authorizations=(),
                         unmapped=found.name)
    name, pairs = found
    authorizations = tuple(Authorization(action=_SAME_AS.get(a, a), resource=r, keys=k)
                           for a, r, k in pairs)
    named = _secret_ids(request, place) if service == "secretsmanager" else {}
    return Operation(service=service, name=name, authorizations=authorizations, named=named)




def _arn(place: Place, service: str, resource: str, *, regional: bool = True) -> str:
    region = place.region if regional else ""
    return f"arn:{place.partition}:{service}:{region}:{place.account_id}:{resource}"


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _target(request: Request, service: str) -> str | None:
    target = request.header("x-amz-target") or ""
    prefix = _TARGETS[service]
    return target[len(prefix):] if target.startswith(prefix) else None


# --- SQS (JSON and query protocols) -------------------------------------------------------
def _sqs(request: Request, place: Place) -> Found:
    operation = _target(request, "sqs")
    if operation is not None:
        body = _json_body(request)

        def param(name: str) -> Any:
            return body.get(name)
    else:
        operation = query_parameter(request, "Action")

        def param(name: str) -> Any:
            return query_parameter(request, name)
    if not operation:
        return None
    url, name = param("QueueUrl"), param("QueueName")
    queue = str(url).rstrip("/").rsplit("/", 1)[-1] if url else str(name) if name else None
    resource = _arn(place, "sqs", queue) if queue else "*"
    return operation, [(f"sqs:{operation}", resource, NO_KEYS)]


# --- DynamoDB ------------------------------------------------------------------------------
def _dynamodb(request: Request, place: Place) -> Found:
    operation = _target(request, "dynamodb")
    if operation is None:
        return None
    body = _json_body(request)

    def table(name: Any, index: Any = None) -> str:
        name = str(name)
        arn = name if name.startswith("arn:") else _arn(place, "dynamodb", f"table/{name}")
        return f"{arn}/index/{index}" if index else arn

    pairs: Pairs
    if operation in ("BatchGetItem", "BatchWriteItem"):
        pairs = [(f"dynamodb:{operation}", table(name), NO_KEYS)
                 for name in (body.get("RequestItems") or {})]
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = [(f"dynamodb:{_TRANSACT_ACTIONS.get(kind, kind)}", table(part.get("TableName")),
                  NO_KEYS)
                 for item in body.get("TransactItems") or [] if isinstance(item, dict)
                 for kind, part in item.items() if isinstance(part, dict)]
    elif operation in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        statements = [body] if operation == "ExecuteStatement" else \
            body.get("Statements") or body.get("TransactStatements") or []
        pairs = [_partiql(str(s.get("Statement", "")), table) for s in statements
                 if isinstance(s, dict)]
    elif "StreamArn" in body:
        pairs = [(f"dynamodb:{operation}", str(body["StreamArn"]), NO_KEYS)]
    elif "TableName" in body:
        pairs = [(f"dynamodb:{operation}", table(body["TableName"], body.get("IndexName")),
                  NO_KEYS)]
    elif "ResourceArn" in body:
        pairs = [(f"dynamodb:{operation}", str(body["ResourceArn"]), NO_KEYS)]
    else:
        pairs = [(f"dynamodb:{operation}", "*", NO_KEYS)]
    return operation, pairs



_PARTIQL_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_.-]+)"?', re.IGNORECASE)


def _partiql(statement: str, table: Callable[[Any], str]) -> tuple[str, str, Mapping[str, Any]]:
    verb = statement.strip().split(None, 1)[0].upper() if statement.strip() else "SELECT"
    found = _PARTIQL_TABLE.search(statement)
    action = {"SELECT": "PartiQLSelect", "INSERT": "PartiQLInsert",
              "UPDATE": "PartiQLUpdate", "DELETE": "PartiQLDelete"}.get(verb, "PartiQLSelect")
    return f"dynamodb:{action}", table(found.group(1)) if found else "*", NO_KEYS


# --- SNS (query protocol) ------------------------------------------------------------------
def _sns(request: Request, place: Place) -> Found:
    operation = query_parameter(request, "Action")
    if not operation:
        return None
    topic = query_parameter(request, "TopicArn") or query_parameter(request, "TargetArn")
    if operation == "CreateTopic":
        topic = _arn(place, "sns", query_parameter(request, "Name") or "")
    subscription = query_parameter(request, "SubscriptionArn")
    if topic is None and subscription:
        topic = subscription.rsplit(":", 1)[0]     # a subscription's ARN is its topic's + id
    return operation, [(f"sns:{operation}", topic or "*", NO_KEYS)]


# --- EventBridge ---------------------------------------------------------------------------
def _events(request: Request, place: Place) -> Found:
    operation = _target(request, "events")
    if operation is None:
        return None
    body = _json_body(request)

    def bus(name: Any) -> str:
        name = str(name or "default")
        return name if name.startswith("arn:") else _arn(place, "events", f"event-bus/{name}")

    if operation == "PutEvents":
        pairs: Pairs = [("events:PutEvents", bus(entry.get("EventBusName")),
                         {"events:source": (str(entry.get("Source", "")),),
                          "events:detail-type": (str(entry.get("DetailType", "")),)})
                        for entry in body.get("Entries") or [] if isinstance(entry, dict)]
        return operation, pairs
    rule = body.get("Rule") or (body.get("Name") if "Rule" in operation else None)
    if rule:
        name = str(rule)
        bus_name = str(body.get("EventBusName") or "default")
        path = f"rule/{name}" if bus_name == "default" else f"rule/{bus_name}/{name}"
        resource = name if name.startswith("arn:") else _arn(place, "events", path)
    elif "EventBus" in operation and body.get("Name"):
        resource = bus(body["Name"])
    else:
        resource = "*"
    return operation, [(f"events:{operation}", resource, NO_KEYS)]


# --- Secrets Manager and Parameter Store --------------------------------------------------
def _secretsmanager(request: Request, place: Place) -> Found:
    operation = _target(request, "secretsmanager")
    if operation is None:
        return None
    body = _json_body(request)

    def secret(name: Any) -> str:
        return _secret_arn(place, str(name))

    action = f"secretsmanager:{operation}"
    if operation == "BatchGetSecretValue" and body.get("SecretIdList"):
        # Each secret needs GetSecretValue; the batch itself BatchGetSecretValue on "*".
        return operation, [(action, "*", NO_KEYS), *[
            ("secretsmanager:GetSecretValue", secret(s), NO_KEYS)
            for s in body["SecretIdList"]]]
    name = body.get("SecretId") or (body.get("Name") if operation == "CreateSecret" else None)
    return operation, [(action, secret(name) if name else "*", NO_KEYS)]


def _secret_arn(place: Place, name: str) -> str:
    return name if name.startswith("arn:") else \
        place.secret_arn(name) or _arn(place, "secretsmanager", f"secret:{name}")


def _secret_ids(request: Request, place: Place) -> dict[str, str]:
    body = _json_body(request)
    ids = body.get("SecretIdList") if isinstance(body.get("SecretIdList"), list) else []
    if body.get("SecretId"):
        ids = [*ids, body["SecretId"]]
    return {_secret_arn(place, str(i)): str(i) for i in ids}


def _ssm(request: Request, place: Place) -> Found:
    operation = _target(request, "ssm")
    if operation is None:
        return None
    body = _json_body(request)

    def parameter(name: Any) -> str:
        name = str(name)
        return name if name.startswith("arn:") else \
            _arn(place, "ssm", f"parameter/{name.lstrip('/')}")

    names = body.get("Names") if isinstance(body.get("Names"), list) else None
    action = f"ssm:{operation}"
    if names is not None:
        return operation, [(action, parameter(n), NO_KEYS) for n in names]
    name = body.get("Name") or body.get("Path")
    return operation, [(action, parameter(name) if name else "*", NO_KEYS)]


# --- STS and Lambda ------------------------------------------------------------------------
def _sts(request: Request, place: Place) -> Found:
    operation = query_parameter(request, "Action")
    if not operation or operation == "GetCallerIdentity":
        return None     # "No permissions are required" (STS API reference)
    role = query_parameter(request, "RoleArn")
    return operation, [(f"sts:{operation}", role or "*", NO_KEYS)]


def _lambda(request: Request, place: Place) -> Found:
    match = _INVOKE.match(request.path)
    if match is None:
        return "ListFunctions", [("lambda:ListFunctions", "*", NO_KEYS)]
    name = unquote(match["name"])
    qualifier = request.query_value("Qualifier")
    if not name.startswith("arn:"):
        parts = name.split(":")
        # name, name:qualifier, account:function:name[:qualifier]
        if len(parts) >= 3 and parts[1] == "function":
            parts = parts[2:]
        name = _arn(place, "lambda", f"function:{parts[0]}")
        qualifier = qualifier or (parts[1] if len(parts) > 1 else None)
    elif qualifier is None and name.count(":") == 7:
        qualifier = None       # the ARN names its qualifier already
    resource = f"{name}:{qualifier}" if qualifier else name
    rest = match["rest"] or ""
    if rest == "/invocations":
        return "Invoke", [("lambda:InvokeFunction", resource, NO_KEYS)]
    if rest == "/response-streaming-invocations":   # the API reference: lambda:InvokeFunction
        return "InvokeWithResponseStream", [("lambda:InvokeFunction", resource, NO_KEYS)]
    operation = "GetFunctionConfiguration" if rest == "/configuration" else "GetFunction"
    return operation, [(f"lambda:{operation}", resource, NO_KEYS)]


_READERS: Mapping[str, Callable[[Request, Place], Found]] = {
    "s3": lambda request, place: s3_operation(request, place.partition),
    "sqs": _sqs, "dynamodb": _dynamodb, "sns": _sns, "events": _events,
    "secretsmanager": _secretsmanager, "ssm": _ssm, "sts": _sts, "lambda": _lambda,
}

SERVICES = frozenset(_READERS)
