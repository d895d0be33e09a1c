"""W3010: a function's environment variable names a resource of the template (Ref, GetAtt or
${...} in a Sub) that the function may not use the way a handler uses it: on AWS those calls
are denied, the most common "works locally, fails on AWS" bug (docs/iam.md). A handler's use
is judged by the actions it needs (a queue: sending or receiving; a bucket: getting or putting
objects; a table: item reads or writes; a topic: publishing; ...), evaluated as
`up --iam enforce` does, with the function's identity policies and the template's bucket,
queue or topic policy. The managed policies SAM adds for a poll-based event source count only
for that event's own queue or stream: their receive/delete on `*` are there for Lambda's
polling, not for the handler to use another queue (so a worker told `OUT_URL: !Ref Out` needs
a send policy for Out)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.errors import Problem
from samlite.template.model import ResolvedTemplate, Resource
from samlite.template.names import get_att_value, ref_value
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import problem

# The IAM readers and evaluation are imported only for a template where some environment
# variable names a resource of the template (most one-shot invokes have none).
if TYPE_CHECKING:
    from samlite.iam.function_policy import FunctionPolicy
    from samlite.iam.policy import Policy

__all__ = ["CHECKS", "check_environment_access"]

_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Use:
    """What a handler does with a resource whose ARN, name or URL it is given."""
    label: str                     # as the warning says it
    actions: tuple[str, ...]       # any one allowed counts
    on_objects: bool = False       # the actions are on what is inside (a bucket's objects)


_ITEMS = tuple(f"dynamodb:{a}" for a in ("GetItem", "PutItem", "UpdateItem", "DeleteItem",
                                         "Query", "Scan", "BatchGetItem", "BatchWriteItem"))
_STATES = _Use(label="states:StartExecution",
               actions=("states:StartExecution", "states:StartSyncExecution"))
_INVOKE = _Use(label="lambda:InvokeFunction", actions=("lambda:InvokeFunction",))
_TABLE = _Use(label="item reads or writes (dynamodb:GetItem, PutItem, Query, ...)",
              actions=_ITEMS)
_USES = {"AWS::S3::Bucket": _Use(label="s3:GetObject or s3:PutObject",
                                 actions=("s3:GetObject", "s3:PutObject"), on_objects=True),
         "AWS::SQS::Queue": _Use(label="sqs:SendMessage or sqs:ReceiveMessage",
                                 actions=("sqs:SendMessage", "sqs:ReceiveMessage")),
         "AWS::SNS::Topic": _Use(label="sns:Publish", actions=("sns:Publish",)),
         "AWS::DynamoDB::Table": _TABLE, "AWS::Serverless::SimpleTable": _TABLE,
         "AWS::SecretsManager::Secret": _Use(label="secretsmanager:GetSecretValue",
                                             actions=("secretsmanager:GetSecretValue",)),
         "AWS::SSM::Parameter": _Use(label="ssm:GetParameter or ssm:PutParameter",
                                     actions=("ssm:GetParameter", "ssm:GetParameters",
                                              "ssm:PutParameter")),
         "AWS::Events::EventBus": _Use(label="events:PutEvents", actions=("events:PutEvents",)),
         "AWS::Serverless::Function": _INVOKE, "AWS::Lambda::Function": _INVOKE,
         "AWS::Serverless::StateMachine": _STATES, "AWS::StepFunctions::StateMachine": _STATES}


def check_environment_access(ctx: CheckContext) -> Iterator[Problem]:
    resolved = ctx.resolved
    if resolved is None or not any(_names_a_used_resource(lid, res, resolved)
                                   for lid, res in resolved.resources.items()):
        return
    from samlite.iam.function_policy import EVENT_SOURCE_POLICIES, function_policies
    from samlite.iam.managed import POLICIES
    from samlite.iam.resource_policies import resource_policies

    # Statements of the event-source managed policies, left out of a handler's own grants.
    event_source_statements = tuple(POLICIES[name] for name in EVENT_SOURCE_POLICIES)
    policies = function_policies(resolved)
    attached, _ = resource_policies(resolved)   # unreadable ones are reported by `policy`
    for lid, res in resolved.resources.items():
        fp = policies.get(lid)
        variables = _variables(res)
        if fp is None or not variables:
            continue
        polled = frozenset(_polled(res))
        # the handler's own grants: without the event sources' managed policies (see above)
        own = tuple(p for p in fp.policies if p.statements not in event_source_statements)
        for name, value in variables.items():
            for target in dict.fromkeys(_named(value)):
                found = resolved.resources.get(target)
                if target == lid or found is None or found.type not in _USES:
                    continue
                use = _USES[found.type]
                arn = _arn_of(found, resolved)
                identity = fp.policies if target in polled else own
                if arn is None or _may_use(fp, identity, attached, use, arn):
                    continue
                yield problem(
                    ctx, "W3010", f"environment variable {name} names {target}, but no policy "
                    f"of {lid} allows {use.label} on it: on AWS those calls are denied "
                    f"(add a policy template, e.g. "
                    f"{_hint(found.type, target)}, or a statement)",
                    ("Resources", lid, "Properties", "Environment", "Variables", name),
                    resource=lid)


def _names_a_used_resource(lid: str, res: Resource, resolved: ResolvedTemplate) -> bool:
    """Whether one of the resource's environment variables names another resource of the
    template of a type whose use the check judges (what it warns about needs one)."""
    return any(target != lid and (found := resolved.resources.get(target)) is not None
               and found.type in _USES
               for value in _variables(res).values() for target in _named(value))


def _polled(res: Resource) -> Iterator[str]:
    """The logical ids of the queues and streams the function's SQS, DynamoDB and Kinesis
    events poll: what SAM's event-source managed policy is there for."""
    props = res.raw.get("Properties") if isinstance(res.raw, Mapping) else None
    events = props.get("Events") if isinstance(props, Mapping) else None
    for event in events.values() if isinstance(events, Mapping) else ():
        source = event.get("Properties") if isinstance(event, Mapping) else None
        if isinstance(source, Mapping):
            yield from _named([source.get("Queue"), source.get("Stream")])


def _variables(res: Resource) -> Mapping[str, Any]:
    props = res.raw.get("Properties") if isinstance(res.raw, Mapping) else None
    env = props.get("Environment") if isinstance(props, Mapping) else None
    variables = env.get("Variables") if isinstance(env, Mapping) else None
    return variables if isinstance(variables, Mapping) else {}


def _named(value: Any) -> Iterator[str]:
    """The logical ids a raw value names: Ref, Fn::GetAtt and ${...} of Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from _named(item)
    if not isinstance(value, Mapping):
        return
    if isinstance(value.get("Ref"), str):
        yield value["Ref"]
    att = value.get("Fn::GetAtt")
    if isinstance(att, list) and att and isinstance(att[0], str):
        yield att[0]
    elif isinstance(att, str):
        yield att.split(".", 1)[0]
    sub = value.get("Fn::Sub")
    text = sub[0] if isinstance(sub, list) and sub else sub
    if isinstance(text, str):
        yield from _SUB_NAME.findall(text)
    for key, item in value.items():
        if key not in ("Ref", "Fn::GetAtt"):
            yield from _named(item)


def _arn_of(res: Resource, resolved: ResolvedTemplate) -> str | None:
    pseudo = resolved.pseudo
    if res.type == "AWS::S3::Bucket":
        name = ref_value(res.type, res.logical_id, res.properties, pseudo)
        return f"arn:{pseudo.partition}:s3:::{name}" if isinstance(name, str) else None
    if res.type in ("AWS::SNS::Topic", "AWS::SecretsManager::Secret"):
        found = ref_value(res.type, res.logical_id, res.properties, pseudo)
    elif res.type == "AWS::Serverless::SimpleTable":
        found = get_att_value("AWS::DynamoDB::Table", res.logical_id, "Arn", res.properties,
                              pseudo)
    else:
        found = get_att_value(res.type, res.logical_id, "Arn", res.properties, pseudo)
    return found if isinstance(found, str) else None


def _may_use(fp: FunctionPolicy, identity: tuple[Policy, ...], attached: Mapping[str, Policy],
             use: _Use, arn: str) -> bool:
    """Whether the handler may make one of the use's calls on the resource (for a bucket, on
    some object of it) with the `identity` policies that count for it, and the resource's own
    policy in the template."""
    from samlite.iam.evaluation import Request, evaluate
    from samlite.iam.resource_policies import policy_for

    resource_policy = policy_for(attached, arn)
    targets = _objects(arn, (*identity, resource_policy) if resource_policy else identity) \
        if use.on_objects else (arn,)
    return any(evaluate(fp.caller, Request(action=action, resource=target),
                        identity=identity, resource_policy=resource_policy).is_allowed
               for target in targets for action in use.actions)


def _objects(bucket_arn: str, policies: tuple[Policy, ...]) -> tuple[str, ...]:
    """Object ARNs to ask about: any key, and one key under each prefix a policy names
    (`pub/*` allows only keys under pub/, and a handler putting there is fine)."""
    keys = {f"{bucket_arn}/samlite-any"}
    for policy in policies:
        for statement in policy.statements:
            keys.update(pattern.replace("*", "k").replace("?", "k")
                        for pattern in statement.resources
                        if pattern.startswith(f"{bucket_arn}/"))
    return tuple(sorted(keys))


_HINTS = {"AWS::S3::Bucket": "S3CrudPolicy: {{BucketName: !Ref {}}}",
          "AWS::SQS::Queue": "SQSSendMessagePolicy: {{QueueName: !GetAtt {}.QueueName}}",
          "AWS::SNS::Topic": "SNSPublishMessagePolicy: {{TopicName: !GetAtt {}.TopicName}}",
          "AWS::DynamoDB::Table": "DynamoDBCrudPolicy: {{TableName: !Ref {}}}",
          "AWS::Serverless::SimpleTable": "DynamoDBCrudPolicy: {{TableName: !Ref {}}}",
          "AWS::SecretsManager::Secret": "AWSSecretsManagerGetSecretValuePolicy: "
                                         "{{SecretArn: !Ref {}}}",
          "AWS::SSM::Parameter": "SSMParameterReadPolicy: {{ParameterName: !Ref {}}}",
          "AWS::Events::EventBus": "EventBridgePutEventsPolicy: {{EventBusName: !Ref {}}}",
          "AWS::Serverless::Function": "LambdaInvokePolicy: {{FunctionName: !Ref {}}}",
          "AWS::Lambda::Function": "LambdaInvokePolicy: {{FunctionName: !Ref {}}}",
          "AWS::Serverless::StateMachine": "StepFunctionsExecutionPolicy: "
                                           "{{StateMachineName: !GetAtt {}.Name}}",
          "AWS::StepFunctions::StateMachine": "StepFunctionsExecutionPolicy: "
                                              "{{StateMachineName: !GetAtt {}.Name}}"}


def _hint(resource_type: str, logical_id: str) -> str:
    return _HINTS[resource_type].format(logical_id)


CHECKS: tuple[Check, ...] = (check_environment_access,)
