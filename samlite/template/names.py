"""The names, ARNs and URLs that Ref and Fn::GetAtt give for each resource type. Pure.

One table, so that `validate` shows and `up` creates local resources under the same names.
Formats follow each type's "Return values" section in the CloudFormation resource reference
(e.g. AWS::SQS::Queue: Ref is the queue URL; AWS::S3::Bucket: Ref is the bucket name).
Names AWS would generate (`stack-LogicalId-RANDOM`) get a stable hash instead of a random
suffix; functions without FunctionName keep their logical id, as SAM CLI does locally.
Queue and function URLs point at the local endpoint (PseudoParameters.endpoint_url).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from samlite.template.model import PseudoParameters, Unresolved

# hashlib loads OpenSSL's libcrypto (~2 ms of a `validate`); the interpreter's own SHA-256
# gives the same digest. Its module is _sha256 up to Python 3.11 and _sha2 from 3.12.
try:
    from _sha256 import sha256
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256
    except ImportError:   # a build without them
        from hashlib import sha256

# S3 regions launched before 2014 use "s3-website-<region>"; later ones "s3-website.<region>"
# (Amazon S3 "Website endpoints").
_DASH_WEBSITE_REGIONS = frozenset({
    "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2",
    "ap-northeast-1", "sa-east-1", "us-gov-west-1",
})

# The properties each type's names depend on: resolve.py evaluates only these before
# calling ref_value/get_att_value, so naming never drags a whole resource (and its cycles) in.
NAME_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("FunctionName", "AutoPublishAlias", "FunctionUrlConfig"),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::Serverless::LayerVersion": ("LayerName",),
    "AWS::Lambda::LayerVersion": ("LayerName",),
    "AWS::Lambda::Alias": ("FunctionName", "Name"),
    "AWS::Lambda::Version": ("FunctionName",),
    "AWS::Lambda::Url": ("TargetFunctionArn", "Qualifier"),
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::SQS::Queue": ("QueueName", "FifoQueue"),
    "AWS::SNS::Topic": ("TopicName", "FifoTopic"),
    "AWS::DynamoDB::Table": ("TableName",),
    "AWS::Serverless::SimpleTable": ("TableName",),
    "AWS::Events::Rule": ("Name", "EventBusName"),
    "AWS::Events::EventBus": ("Name",),
    "AWS::Scheduler::Schedule": ("Name", "GroupName"),
    "AWS::Scheduler::ScheduleGroup": ("Name",),
    "AWS::IAM::Role": ("RoleName", "Path"),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "Path"),
    "AWS::Serverless::Api": ("StageName",),
    "AWS::Serverless::HttpApi": ("StageName",),
    "AWS::Serverless::StateMachine": ("Name",),
    "AWS::StepFunctions::StateMachine": ("StateMachineName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::Kinesis::Stream": ("Name",),
    "AWS::SecretsManager::Secret": ("Name",),
    "AWS::SSM::Parameter": ("Name", "Type"),
}

# SAM creates these when a function has Api / HttpApi events without RestApiId / ApiId.
IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"
IMPLICIT_RESOURCES: Mapping[str, str] = {
    IMPLICIT_REST_API: "AWS::Serverless::Api",
    IMPLICIT_HTTP_API: "AWS::Serverless::HttpApi",
}


@functools.lru_cache(maxsize=4096)   # pure; a big template asks for the same name per Ref
def short_hash(*parts: str, length: int = 12) -> str:
    """Stands in for the random suffix CloudFormation adds to names it generates."""
    digest = sha256("\0".join(parts).encode()).hexdigest()
    return digest[:length].upper()


def generated_name(logical_id: str, pseudo: PseudoParameters, *, max_len: int = 64) -> str:
    """`{stack}-{LogicalId}-{HASH}`, CloudFormation's form for names it makes up, cut so the
    whole stays within `max_len` (the stack and logical id are shortened, never the hash)."""
    suffix = short_hash(pseudo.stack_name, logical_id)
    room = max_len - len(suffix) - 2
    stack = pseudo.stack_name[: max(1, room // 2)]
    logical = logical_id[: max(1, room - len(stack))]
    return f"{stack}-{logical}-{suffix}"


def bucket_name(logical_id: str, pseudo: PseudoParameters) -> str:
    """A generated bucket name obeying S3's rules: 3-63 characters of a-z, 0-9, '.' and '-',
    starting and ending with a letter or digit."""
    raw = generated_name(logical_id, pseudo, max_len=63).lower()
    name = re.sub(r"[^a-z0-9.-]", "-", raw).strip(".-")
    return re.sub(r"\.{2,}", ".", name) or "bucket-" + short_hash(logical_id).lower()


def api_id(logical_id: str, pseudo: PseudoParameters) -> str:
    """API Gateway ids are 10 lower-case letters and digits."""
    return short_hash("api", pseudo.stack_name, logical_id, length=10).lower()


def stack_id(pseudo: PseudoParameters) -> str:
    stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"samlite:{pseudo.account_id}:{pseudo.stack_name}")
    return (f"arn:{pseudo.partition}:cloudformation:{pseudo.region}:{pseudo.account_id}:"
            f"stack/{pseudo.stack_name}/{stack_uuid}")


def _arn(pseudo: PseudoParameters, service: str, resource: str, *, regional: bool = True) -> str:
    region = pseudo.region if regional else ""
    return f"arn:{pseudo.partition}:{service}:{region}:{pseudo.account_id}:{resource}"


def _unresolved(text: str) -> Unresolved:
    return Unresolved(text)


def _text(properties: Mapping[str, Any], key: str) -> str | Unresolved | None:
    """A name property: None when absent, the text when known, Unresolved otherwise."""
    value = properties.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _unresolved(f"{key} of a resource")


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def function_name(logical_id: str, properties: Mapping[str, Any]) -> Any:
    name = _text(properties, "FunctionName")
    return logical_id if name is None else name


def function_arn(name: str, pseudo: PseudoParameters) -> str:
    return _arn(pseudo, "lambda", f"function:{name}")


def function_url(name: str, pseudo: PseudoParameters) -> str:
    # Lambda's own form is https://<url-id>.lambda-url.<region>.on.aws/; locally the
    # function URL is served by the local endpoint under the function's name.
    return f"{pseudo.endpoint_url}/lambda-url/{name}/"


def queue_name(logical_id: str, properties: Mapping[str, Any], pseudo: PseudoParameters) -> Any:
    name = _text(properties, "QueueName")
    if name is not None:
        return name
    is_fifo = _is_true(properties.get("FifoQueue"))
    # SQS queue names are at most 80 characters, ".fifo" included.
    generated = generated_name(logical_id, pseudo, max_len=75 if is_fifo else 80)
    return generated + ".fifo" if is_fifo else generated


def queue_url(name: str, pseudo: PseudoParameters) -> str:
    return f"{pseudo.endpoint_url}/{pseudo.account_id}/{name}"


# ---- one small table per type: (ref, {attribute: value}) from (logical id, props, pseudo) ----

Names = tuple[Any, Mapping[str, Any]]


def _function(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = function_name(lid, props)
    if not isinstance(name, str):
        return name, {"Arn": _unresolved(f"{lid}.Arn")}
    return name, {"Arn": function_arn(name, pseudo)}


def _layer(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "LayerName")
    name = lid if name is None else name
    if not isinstance(name, str):
        return _unresolved(f"{lid}"), {}
    arn = _arn(pseudo, "lambda", f"layer:{name}:1")
    return arn, {"LayerVersionArn": arn}


def _alias(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    fn, alias = _text(props, "FunctionName"), _text(props, "Name")
    if not (isinstance(fn, str) and isinstance(alias, str)):
        return _unresolved(lid), {}
    base = fn if fn.startswith("arn:") else function_arn(fn, pseudo)
    arn = f"{base}:{alias}"
    return arn, {"AliasArn": arn}


def _version(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    fn = _text(props, "FunctionName")
    if not isinstance(fn, str):
        return _unresolved(lid), {"Version": "1"}
    base = fn if fn.startswith("arn:") else function_arn(fn, pseudo)
    return f"{base}:1", {"Version": "1", "FunctionArn": base}


def _function_url(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    target = _text(props, "TargetFunctionArn")
    if not isinstance(target, str):
        return _unresolved(lid), {}
    name = target.rsplit(":", 1)[-1] if target.startswith("arn:") else target
    arn = target if target.startswith("arn:") else function_arn(target, pseudo)
    return arn, {"FunctionArn": arn, "FunctionUrl": function_url(name, pseudo)}


def _bucket(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "BucketName")
    name = bucket_name(lid, pseudo) if name is None else name
    if not isinstance(name, str):
        return name, {}
    region, suffix = pseudo.region, pseudo.url_suffix
    sep = "-" if region in _DASH_WEBSITE_REGIONS else "."
    return name, {
        "Arn": f"arn:{pseudo.partition}:s3:::{name}",
        "DomainName": f"{name}.s3.{suffix}",
        "RegionalDomainName": f"{name}.s3.{region}.{suffix}",
        "DualStackDomainName": f"{name}.s3.dualstack.{region}.{suffix}",
        "WebsiteURL": f"http://{name}.s3-website{sep}{region}.{suffix}",
    }


def _queue(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = queue_name(lid, props, pseudo)
    if not isinstance(name, str):
        return name, {}
    url = queue_url(name, pseudo)
    return url, {"Arn": _arn(pseudo, "sqs", name), "QueueName": name, "QueueUrl": url}


def _topic(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "TopicName")
    if name is None:
        is_fifo = _is_true(props.get("FifoTopic"))
        name = generated_name(lid, pseudo, max_len=251 if is_fifo else 256)
        name += ".fifo" if is_fifo else ""
    if not isinstance(name, str):
        return name, {}
    arn = _arn(pseudo, "sns", name)
    return arn, {"TopicArn": arn, "TopicName": name}


def _table(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "TableName")
    name = generated_name(lid, pseudo, max_len=255) if name is None else name
    if not isinstance(name, str):
        return name, {}
    # StreamArn ends in a creation timestamp AWS picks; it cannot be known in advance.
    return name, {"Arn": _arn(pseudo, "dynamodb", f"table/{name}")}


def secret_arn(name: str, pseudo: PseudoParameters, logical_id: str) -> str:
    """Secrets Manager adds "-" and six random characters to a secret's name in its ARN
    ("Secret ARN" in the Secrets Manager user guide); here a stable hash stands in."""
    suffix = short_hash("secret", pseudo.stack_name, logical_id, name, length=6)
    return _arn(pseudo, "secretsmanager", f"secret:{name}-{suffix}")


def _secret(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    # Ref and Fn::GetAtt Id are the secret's ARN (AWS::SecretsManager::Secret, Return values).
    name = _text(props, "Name")
    name = generated_name(lid, pseudo, max_len=256) if name is None else name
    if not isinstance(name, str):
        return name, {}
    arn = secret_arn(name, pseudo, lid)
    return arn, {"Id": arn}


def _parameter(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    # Ref is the parameter's name; Fn::GetAtt Type and Value (AWS::SSM::Parameter, Return
    # values). Value is left to the graph: naming must not evaluate it.
    name = _text(props, "Name")
    name = generated_name(lid, pseudo, max_len=1011) if name is None else name
    kind = _text(props, "Type")
    return name, ({"Type": kind} if isinstance(kind, str) else {})


def _rule(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "Name")
    name = generated_name(lid, pseudo) if name is None else name
    if not isinstance(name, str):
        return name, {}
    bus = _text(props, "EventBusName")
    if isinstance(bus, str) and bus.startswith("arn:"):
        bus = bus.rsplit("/", 1)[-1]
    path = f"rule/{bus}/{name}" if isinstance(bus, str) and bus != "default" else f"rule/{name}"
    return name, {"Arn": _arn(pseudo, "events", path)}


def _event_bus(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "Name")
    name = lid if name is None else name
    if not isinstance(name, str):
        return name, {}
    arn = _arn(pseudo, "events", f"event-bus/{name}")
    return name, {"Arn": arn, "Name": name}


def _schedule(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "Name")
    name = generated_name(lid, pseudo) if name is None else name
    group = _text(props, "GroupName")
    group = "default" if group is None else group
    if not (isinstance(name, str) and isinstance(group, str)):
        return name, {}
    return name, {"Arn": _arn(pseudo, "scheduler", f"schedule/{group}/{name}")}


def _schedule_group(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "Name")
    name = generated_name(lid, pseudo) if name is None else name
    if not isinstance(name, str):
        return name, {}
    return name, {"Arn": _arn(pseudo, "scheduler", f"schedule-group/{name}")}


def _iam_path(props: Mapping[str, Any]) -> str:
    path = _text(props, "Path")
    return path.strip("/") + "/" if isinstance(path, str) and path.strip("/") else ""


def _role(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "RoleName")
    name = generated_name(lid, pseudo) if name is None else name
    if not isinstance(name, str):
        return name, {}
    arn = f"arn:{pseudo.partition}:iam::{pseudo.account_id}:role/{_iam_path(props)}{name}"
    return name, {"Arn": arn}


def _managed_policy(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "ManagedPolicyName")
    name = generated_name(lid, pseudo) if name is None else name
    if not isinstance(name, str):
        return name, {}
    arn = f"arn:{pseudo.partition}:iam::{pseudo.account_id}:policy/{_iam_path(props)}{name}"
    return arn, {"PolicyArn": arn}


def _rest_api(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    ident = api_id(lid, pseudo)
    return ident, {"RootResourceId": short_hash("root", ident, length=10).lower()}


def _http_api(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    ident = api_id(lid, pseudo)
    endpoint = f"https://{ident}.execute-api.{pseudo.region}.{pseudo.url_suffix}"
    return ident, {"ApiId": ident, "ApiEndpoint": endpoint}


def _state_machine(key: str) -> Callable[[str, Mapping[str, Any], PseudoParameters], Names]:
    def names(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
        name = _text(props, key)
        name = generated_name(lid, pseudo, max_len=80) if name is None else name
        if not isinstance(name, str):
            return name, {}
        arn = _arn(pseudo, "states", f"stateMachine:{name}")
        return arn, {"Arn": arn, "Name": name}

    return names


def _log_group(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "LogGroupName")
    name = generated_name(lid, pseudo, max_len=512) if name is None else name
    if not isinstance(name, str):
        return name, {}
    return name, {"Arn": _arn(pseudo, "logs", f"log-group:{name}:*")}


def _stream(lid: str, props: Mapping[str, Any], pseudo: PseudoParameters) -> Names:
    name = _text(props, "Name")
    name = generated_name(lid, pseudo, max_len=128) if name is None else name
    if not isinstance(name, str):
        return name, {}
    return name, {"Arn": _arn(pseudo, "kinesis", f"stream/{name}")}


_TABLE: Mapping[str, Callable[[str, Mapping[str, Any], PseudoParameters], Names]] = {
    "AWS::Serverless::Function": _function,
    "AWS::Lambda::Function": _function,
    "AWS::Serverless::LayerVersion": _layer,
    "AWS::Lambda::LayerVersion": _layer,
    "AWS::Lambda::Alias": _alias,
    "AWS::Lambda::Version": _version,
    "AWS::Lambda::Url": _function_url,
    "AWS::S3::Bucket": _bucket,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::DynamoDB::Table": _table,
    "AWS::Serverless::SimpleTable": _table,
    "AWS::Events::Rule": _rule,
    "AWS::Events::EventBus": _event_bus,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::Serverless::Api": _rest_api,
    "AWS::ApiGateway::RestApi": _rest_api,
    "AWS::Serverless::HttpApi": _http_api,
    "AWS::ApiGatewayV2::Api": _http_api,
    "AWS::Serverless::StateMachine": _state_machine("Name"),
    "AWS::StepFunctions::StateMachine": _state_machine("StateMachineName"),
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Kinesis::Stream": _stream,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SSM::Parameter": _parameter,
}


def ref_value(resource_type: str, logical_id: str, properties: Mapping[str, Any],
              pseudo: PseudoParameters) -> Any:
    """What `Ref: <logical_id>` gives. `properties` needs only the NAME_PROPERTIES of the type,
    already resolved. Other types get a generated physical id, as CloudFormation gives them."""
    names = _TABLE.get(resource_type)
    if names is None:
        return generated_name(logical_id, pseudo)
    return names(logical_id, properties, pseudo)[0]


def get_att_value(resource_type: str, logical_id: str, attribute: str,
                  properties: Mapping[str, Any], pseudo: PseudoParameters) -> Any:
    """What `Fn::GetAtt: [<logical_id>, <attribute>]` gives, or Unresolved when the value is
    one AWS invents (ids, timestamps) or the type is not modelled here."""
    names = _TABLE.get(resource_type)
    if names is not None:
        value = names(logical_id, properties, pseudo)[1].get(attribute)
        if value is not None:
            return value
    return _unresolved(f"{logical_id}.{attribute}")


def sam_generated_ref(name: str, resource_type: str, logical_id: str,
                      properties: Mapping[str, Any], pseudo: PseudoParameters) -> Any | None:
    """Refs to what SAM generates from a Serverless resource: `Fn.Alias` (`FnAlias<name>`),
    `Fn.Version`, `FnRole`, `Api.Stage`, `Api.Deployment`. None when `name` is not one of them."""
    if resource_type == "AWS::Serverless::Function":
        fn = function_name(logical_id, properties)
        alias = properties.get("AutoPublishAlias")
        # `Fn.Alias` and the alias resource SAM generates, `<Fn>Alias<name>`.
        if name in (f"{logical_id}.Alias", f"{logical_id}Alias{alias}") \
                and isinstance(fn, str) and isinstance(alias, str):
            return f"{function_arn(fn, pseudo)}:{alias}"
        if name == f"{logical_id}.Version" and isinstance(fn, str):
            return f"{function_arn(fn, pseudo)}:1"
        if name == f"{logical_id}Role":
            return generated_name(name, pseudo)
        if name == f"{logical_id}Url":
            return function_arn(fn, pseudo) if isinstance(fn, str) else _unresolved(name)
    if resource_type in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
        if name == f"{logical_id}.Stage":
            stage = properties.get("StageName")
            default = "Prod" if resource_type == "AWS::Serverless::Api" else "$default"
            return stage if isinstance(stage, str) else default
        if name == f"{logical_id}.Deployment":
            return short_hash("deployment", logical_id, length=6).lower()
    return None


def sam_generated_att(name: str, attribute: str, resource_type: str, logical_id: str,
                      properties: Mapping[str, Any], pseudo: PseudoParameters) -> Any | None:
    """GetAtt on what SAM generates: `FnRole.Arn`, `FnUrl.FunctionUrl`. None otherwise."""
    if resource_type != "AWS::Serverless::Function":
        return None
    fn = function_name(logical_id, properties)
    if name == f"{logical_id}Role" and attribute == "Arn":
        role = generated_name(name, pseudo)
        return f"arn:{pseudo.partition}:iam::{pseudo.account_id}:role/{role}"
    if name == f"{logical_id}Url" and isinstance(fn, str):
        if attribute == "FunctionUrl":
            return function_url(fn, pseudo)
        if attribute == "FunctionArn":
            return function_arn(fn, pseudo)
    return None
