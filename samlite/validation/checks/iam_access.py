"""W3010: a function's environment variable names a resource of the template (Ref, GetAtt or
${...} in a Sub) that none of the function's policies grants any access to. The handler
almost surely calls it, and on AWS that call is denied: the most common "works locally,
fails on AWS" bug (docs/iam.md). A policy counts when one of its Allow statements names the
resource (or an object of a bucket) for an action of the resource's own service."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.iam.function_policy import FUNCTION_TYPES, FunctionPolicy, function_policies
from samlite.iam.patterns import arn_matches
from samlite.iam.policy import Effect
from samlite.template.model import ResolvedTemplate, Resource
from samlite.template.names import get_att_value, ref_value
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import problem

__all__ = ["CHECKS", "check_environment_access"]

_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
# Resource types whose ARN a variable gives a handler to call, with the IAM service prefix
# of the calls it would make (SAM's policy templates name these).
_SERVICES = {"AWS::S3::Bucket": "s3", "AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns",
             "AWS::DynamoDB::Table": "dynamodb", "AWS::Serverless::SimpleTable": "dynamodb",
             "AWS::SecretsManager::Secret": "secretsmanager", "AWS::SSM::Parameter": "ssm",
             "AWS::Events::EventBus": "events", "AWS::Serverless::Function": "lambda",
             "AWS::Lambda::Function": "lambda",
             "AWS::Serverless::StateMachine": "states",
             "AWS::StepFunctions::StateMachine": "states"}


def check_environment_access(ctx: CheckContext) -> Iterator[Problem]:
    resolved = ctx.resolved
    if resolved is None or not any(res.type in FUNCTION_TYPES
                                   for res in resolved.resources.values()):
        return
    policies = function_policies(resolved)
    for lid, res in resolved.resources.items():
        fp = policies.get(lid)
        variables = _variables(res)
        if fp is None or not variables:
            continue
        for name, value in variables.items():
            for target in dict.fromkeys(_named(value)):
                found = resolved.resources.get(target)
                if target == lid or found is None or found.type not in _SERVICES:
                    continue
                arn = _arn_of(found, resolved)
                if arn is None or _grants(fp, _SERVICES[found.type], arn):
                    continue
                yield problem(
                    ctx, "W3010", f"environment variable {name} names {target}, but no policy "
                    f"of {lid} grants any {_SERVICES[found.type]} access to it: on AWS its "
                    f"calls are denied (add a policy template, e.g. "
                    f"{_hint(found.type, target)}, or a statement)",
                    ("Resources", lid, "Properties", "Environment", "Variables", name),
                    resource=lid)


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


def _grants(fp: FunctionPolicy, service: str, arn: str) -> bool:
    """Whether any Allow names the resource (or what is inside it) for one of its actions."""
    inside = (arn, f"{arn}/samlite-any", f"{arn}:samlite-any")
    for policy in fp.policies:
        for statement in policy.statements:
            if statement.effect is not Effect.ALLOW:
                continue
            actions = statement.not_action or any(
                a == "*" or a.lower().startswith(f"{service}:") for a in statement.actions)
            named = any(arn_matches(p, r) for p in statement.resources for r in inside)
            if actions and named != statement.not_resource:
                return True
    return False


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
