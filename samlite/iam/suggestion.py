"""The SAM policy template that would grant a denied call, for the warning that names it:
of the templates whose parameters the resource's ARN gives, the smallest one (fewest actions)
that allows the action on the resource. Pure."""

from __future__ import annotations

from collections.abc import Callable

from samlite.iam.evaluation import Caller, Request, evaluate
from samlite.iam.policy import PolicyError, policy_from_document
from samlite.iam.sam_templates import Pseudo, expand, parameters_of, template_names

# How each parameter is written in a template, for a resource the template declares.
_WRITTEN = {"BucketName": "!Ref {}", "TableName": "!Ref {}", "FunctionName": "!Ref {}",
            "QueueName": "!GetAtt {}.QueueName", "TopicName": "!GetAtt {}.TopicName",
            "SecretArn": "!Ref {}", "EventBusName": "!Ref {}", "ParameterName": "{value}"}


def _parameters(resource: str) -> dict[str, str]:
    """The template parameters an ARN gives: its bucket, queue, table, ... name."""
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return {}
    service, name = parts[2], parts[5]
    if service == "s3":
        return {"BucketName": name.split("/", 1)[0]}
    if service == "sqs":
        return {"QueueName": name}
    if service == "sns":
        return {"TopicName": name}
    if service == "dynamodb" and name.startswith("table/"):
        return {"TableName": name.split("/")[1]}
    if service == "lambda" and name.startswith("function:"):
        return {"FunctionName": name.split(":")[1]}
    if service == "events" and name.startswith("event-bus/"):
        return {"EventBusName": name.split("/", 1)[1]}
    if service == "secretsmanager":
        return {"SecretArn": resource}
    if service == "ssm" and name.startswith("parameter/"):
        return {"ParameterName": name.removeprefix("parameter/")}
    return {}


def granting_template(action: str, resource: str, *, pseudo: Pseudo,
                      logical_id_of: Callable[[str], str | None] = lambda _v: None
                      ) -> str | None:
    """`S3WritePolicy: {BucketName: !Ref Outbox}`, or None when no template fits."""
    given = _parameters(resource)
    if not given:
        return None
    request = Request(action=action, resource=resource)
    best: tuple[int, str, dict[str, str]] | None = None
    for name in template_names():
        wanted = parameters_of(name)
        if not wanted or not set(wanted) <= set(given):
            continue
        arguments = {p: given[p] for p in wanted}
        try:
            statements = expand(name, arguments, pseudo)
            policy = policy_from_document(statements, source=name)
        except PolicyError:
            continue
        caller = Caller(account_id=pseudo.account_id, role_name="suggestion",
                        session_name="suggestion", partition=pseudo.partition)
        if not evaluate(caller, request, identity=[policy]).is_allowed:
            continue
        size = sum(len(s.actions) for s in policy.statements)
        if best is None or size < best[0]:
            best = (size, name, arguments)
    if best is None:
        return None
    _, name, arguments = best
    written = ", ".join(f"{key}: {_write(key, value, logical_id_of)}"
                        for key, value in arguments.items())
    return f"{name}: {{{written}}}"


def _write(key: str, value: str, logical_id_of: Callable[[str], str | None]) -> str:
    logical = logical_id_of(value)
    form = _WRITTEN.get(key, "{value}")
    return form.format(logical) if logical and "{}" in form else value
