"""SAM's own translation rules: what the SAM translator refuses that a JSON Schema cannot say
(one property needing another, one resource needing another, ids SAM generates). This module
holds the template-wide rules and gathers the function and API rules into CHECKS.

Codes (E7201-E7205 belong to Globals, in template/globals.py):
  E7001 a logical id that is not alphanumeric
  E7002 a Resources entry that is not a mapping
  E7003 a resource's Properties that is not a mapping
  E7004 an id SAM would generate for a resource is already taken
  E7005 Fn::If without [condition, value if true, value if false] where SAM reads it
  E7006 Fn::Sub variables that are not strings
  E7007 Fn::FindInMap without 3 values, or on a mapping that is not two levels deep
  W7101 a Zip function with neither InlineCode nor CodeUri, or a layer without
        ContentUri (SAM CLI then uses '.')
  E7102 a Zip function without Runtime or Handler
  E7103 an Image function without ImageUri
  E7104 an empty AutoPublishAlias
  E7105 DeploymentPreference without AutoPublishAlias
  E7106 VersionDeletionPolicy without AutoPublishAlias
  E7107 CodeUri / ContentUri / DefinitionUri that SAM cannot locate
  E7108 event invoke destinations: unknown Type, or Destination missing
  E7109 DeadLetterQueue.Type that is not written out, or an empty Type or TargetArn
  E7110 a Policies entry SAM cannot use (an unknown policy template, an Fn::If between two kinds
        of policy) (sam_policy_rules.py)
  E7111 FunctionUrlConfig without AuthType, or with a Cors key Lambda does not take
  E7112 TenancyConfig with events other than Api and HttpApi, or with provisioned concurrency,
        a function URL or SnapStart
  E7113 a LayerVersion RetentionPolicy that is not Retain or Delete once parameters are read
  E7114 an AutoPublishAlias that is not an alias name (letters, digits, '-', '_'; not all digits)
  E7115 an AutoPublishAlias intrinsic other than a Ref to a parameter
  E7116 ProvisionedConcurrencyConfig without AutoPublishAlias
  E7117 an AutoPublishCodeSha256 that is not a string
  E7118 Runtime, Handler or Layers on an Image function
  E7119 ImageConfig on a Zip function
  E7120 an enabled DeploymentPreference without Type, with Alarms that is not a list or a
        PassthroughCondition SAM cannot read as a boolean
  E7121 a function Tags key SAM reserves (lambda:createdBy, serverlessrepo:*)
  E7122 a SAM policy template without all its parameter values (sam_policy_rules.py)
  E7301 an event that is not a map, has no Type, or whose Properties is not a map
  E7302 a Schedule, CloudWatchEvent or EventBridgeRule event with both State and Enabled
  E7303 a schedule's DeadLetterConfig without exactly one of Arn and Type (SQS)
  E7304 ScheduleV2 OmitName that is not a boolean, or set with Name
  E7305 an SQS event without Queue
  E7306 an S3 event whose Events or bucket SAM cannot extend
  E7307 an SNS SqsSubscription map without QueueArn and QueueUrl
  E7308 a Cognito event whose UserPool is not a pool of the template, or a trigger set twice
  E7309 a stream event's DestinationConfig.OnFailure.Type other than SQS, SNS, S3, Kafka
  E7310 MQ, DocumentDB or SelfManagedKafka SourceAccessConfigurations SAM cannot use
        (E7301-E7310: sam_event_rules.py)
  E7401 RestApiId that names no resource of the template, or an AWS::Serverless::HttpApi
  E7402 ApiId that names no resource of the template
  E7403 the same method and path defined twice on one API
  E7404 an Api / HttpApi event without Path or Method, or with one that is not a string
  E7405 RequestParameters that SAM cannot map
  E7406 an empty StageName
  E7407 OpenApiVersion not of the form 3.0.0
  E7408 Cors that SAM cannot build
  E7409 Cors, Auth, GatewayResponses, Models, DisableExecuteApiEndpoint, MergeDefinitions or
        (HttpApi) Tags, Description, Name with DefinitionUri (SAM edits an inline body only)
  E7410 both DefinitionUri and DefinitionBody
  E7411 a DefinitionBody SAM must edit (for Auth, Cors, GatewayResponses, Models, Tags, routes)
        that has no swagger/openapi and paths, or whose paths or methods are not maps
  E7412 authorizers that are not defined or not complete
  E7413 a GatewayResponses StatusCode that is not a number
  E7420 an Api event RequestModel that its API's Models do not define
  E7421 an Api event OverrideApiAuth without Authorizer, ApiKeyRequired or ResourcePolicy
  E7422 an Api event ApiKeyRequired false on an API that does not require keys
        (E7420-E7422: sam_api_event_rules.py)
  E7423 a Domain SAM cannot build (endpoint type, MutualTlsAuthentication keys, Route53 zone)
  E7424 Auth keys SAM does not know, or a UsagePlan it cannot build
  E7425 an HttpApi Description or Name that its inline DefinitionBody sets too
  E7426 EndpointConfiguration with both VPCEndpointIds and VpcEndpointIds
  E7427 an AWS::Serverless::Api without StageName
        (E7423-E7427 and the settings parts of E7408, E7409, E7411, E7413: sam_api_settings.py)
  W7414 a REST mapping template that does not parse (mapping_templates.py)
  W7415 a REST selectionPattern that is not a Java regular expression (mapping_templates.py)
  W7416 a gateway response template with VTL directives, which API Gateway sends as
        written (mapping_templates.py)
  W7417 a REST integration response statusCode that is not an HTTP status code
        (mapping_templates.py)
  W7418 an intrinsic function in a DefinitionUri / BodyS3Location file, which API Gateway
        imports as written (definition_files.py)
  W7419 an HTTP API parameter mapping value with a selection expression inside text and
        without braces, sent as written (parameter_mappings.py)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.mapping_templates import CHECKS_ON_VIEW as TEMPLATE_CHECKS
from samlite.validation.checks.parameter_mappings import CHECKS_ON_VIEW as MAPPING_CHECKS
from samlite.validation.checks.sam_api_event_rules import CHECKS_ON_VIEW as API_EVENT_CHECKS
from samlite.validation.checks.sam_api_rules import CHECKS_ON_VIEW as API_CHECKS
from samlite.validation.checks.sam_api_settings import CHECKS_ON_VIEW as API_SETTING_CHECKS
from samlite.validation.checks.sam_common import (
    FUNCTION,
    Path,
    SamView,
    event_path,
    is_intrinsic,
    is_map,
)
from samlite.validation.checks.sam_event_rules import CHECKS_ON_VIEW as EVENT_CHECKS
from samlite.validation.checks.sam_function_rules import CHECKS_ON_VIEW as FUNCTION_CHECKS
from samlite.validation.checks.sam_function_rules import artifact_uri
from samlite.validation.checks.sam_policy_rules import CHECKS_ON_VIEW as POLICY_CHECKS

__all__ = ["CHECKS", "check_sam_rules"]

LAYER = "AWS::Serverless::LayerVersion"
_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")

# Ids SAM derives from a function's id (samtranslator/model/sam_resources.py and
# eventsources/*): the suffix, the property that makes SAM create it, and the type.
_FUNCTION_SUFFIXES = (
    ("Role", "AWS::IAM::Role"),
    ("EventInvokeConfig", "AWS::Lambda::EventInvokeConfig"),
    ("Url", "AWS::Lambda::Url"),
)
# Event types for which SAM creates a resource named <function><event> (a rule, a mapping, a
# subscription) and those for which it creates <function><event>Permission.
_EVENT_RESOURCE = frozenset({
    "SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB", "Schedule",
    "ScheduleV2", "CloudWatchEvent", "EventBridgeRule", "SNS", "IoTRule", "CloudWatchLogs",
})
_EVENT_PERMISSION = frozenset({
    "S3", "SNS", "Schedule", "CloudWatchEvent", "EventBridgeRule", "IoTRule", "CloudWatchLogs",
    "AlexaSkill", "Cognito",
})


def check_structure(view: SamView) -> Iterator[Problem]:
    """Logical ids SAM accepts; every resource a map with a map of Properties."""
    resources = view.root.get("Resources")
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        path = ("Resources", logical_id)
        if str(logical_id).startswith("Fn::ForEach"):
            continue   # AWS::LanguageExtensions expands it before SAM sees it (W3213)
        if not _ALPHANUMERIC.match(str(logical_id)):
            yield view.problem("E7001", f"Logical ids must be alphanumeric (A-Z, a-z, 0-9), "
                                        f"got {logical_id!r}", path, logical_id)
        if not isinstance(resource, dict):
            yield view.problem("E7002", f"Resource {logical_id} must be a mapping with Type "
                                        "and Properties (if this is YAML, check the "
                                        "indentation)", path, logical_id)
            continue
        if "Properties" not in resource:
            continue
        properties = resource["Properties"]
        serverless = str(resource.get("Type", "")).startswith("AWS::Serverless::")
        if (properties is None and serverless) or (
                properties is not None and not is_map(properties)):
            yield view.problem("E7003", "Attribute 'Properties' should be a map",
                               (*path, "Properties"), logical_id)


def check_generated_ids(view: SamView) -> Iterator[Problem]:
    """SAM adds resources named after a function; an existing resource with such an id makes
    the transform fail."""
    for fid, props in view.of_type(FUNCTION):
        wanted: list[tuple[str, str]] = []
        for suffix, kind in _FUNCTION_SUFFIXES:
            needed = {"Role": props.get("Role") is None,
                      "EventInvokeConfig": props.get("EventInvokeConfig") is not None,
                      "Url": props.get("FunctionUrlConfig") is not None}[suffix]
            if needed:
                wanted.append((f"{fid}{suffix}", kind))
        events = props.get("Events")
        for event_id, event in (events.items() if is_map(events) else ()):
            kind = event.get("Type") if isinstance(event, dict) else None
            if not isinstance(kind, str):
                continue
            if kind in _EVENT_RESOURCE:
                wanted.append((f"{fid}{event_id}", f"the resource of its {kind} event"))
            if kind in _EVENT_PERMISSION:
                wanted.append((f"{fid}{event_id}Permission", "AWS::Lambda::Permission"))
        for new_id, kind in wanted:
            if new_id in view.resources:
                yield view.problem(
                    "E7004", f"Transforming {fid} creates a resource with id {new_id} ({kind}), "
                             "and a resource with that id already exists in this template; "
                             f"rename {new_id}", ("Resources", fid), fid)


def check_intrinsic_shapes(view: SamView) -> Iterator[Problem]:
    """Fn::Sub variables must be strings; Fn::FindInMap needs [map, key, key] on a two-level
    mapping."""
    resources = view.root.get("Resources")
    if isinstance(resources, dict):
        for logical_id, resource in resources.items():
            if _has_sub_or_find_in_map(resource):
                yield from _walk(view, resource, ("Resources", logical_id), logical_id)


def _has_sub_or_find_in_map(node: Any) -> bool:
    """Whether `node` holds an Fn::Sub or Fn::FindInMap anywhere: a walk that builds no paths,
    so the resources without one cost little."""
    if isinstance(node, dict):
        if len(node) == 1 and ("Fn::Sub" in node or "Fn::FindInMap" in node):
            return True
        return any(map(_has_sub_or_find_in_map, node.values()))
    if isinstance(node, list):
        return any(map(_has_sub_or_find_in_map, node))
    return False


def _walk(view: SamView, node: Any, path: tuple[str | int, ...],
          rid: str) -> Iterator[Problem]:
    if isinstance(node, dict):
        if len(node) == 1 and "Fn::Sub" in node:
            yield from _sub(view, node["Fn::Sub"], (*path, "Fn::Sub"), rid)
        if len(node) == 1 and "Fn::FindInMap" in node:
            yield from _find_in_map(view, node["Fn::FindInMap"], (*path, "Fn::FindInMap"), rid)
        for key, child in node.items():
            yield from _walk(view, child, (*path, key), rid)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk(view, child, (*path, index), rid)


def _sub(view: SamView, value: Any, path: tuple[str | int, ...],
         rid: str) -> Iterator[Problem]:
    text, variables = value, {}
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict):
        text, variables = value
    for name, variable in variables.items():
        if not isinstance(variable, str) and not is_intrinsic(variable):
            yield view.problem("E7006", f"Fn::Sub variable {name} is {variable!r}; Fn::Sub "
                                        "expects all variables to be strings",
                               (*path, 1, name), rid)
    if not isinstance(text, str):
        return
    for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
        found, default = view.parameter_default(name)
        if found and name not in variables and isinstance(default, list | Mapping):
            yield view.problem("E7006", f"Fn::Sub variable {name} is the parameter's Default "
                                        f"{list(default)!r}; Fn::Sub expects all variables "
                                        "to be strings", path, rid)


def _find_in_map(view: SamView, value: Any, path: tuple[str | int, ...],
                 rid: str) -> Iterator[Problem]:
    if not isinstance(value, list) or len(value) != 3:
        yield view.problem("E7007", f"Invalid Fn::FindInMap value {value!r}: FindInMap expects "
                                    "an array with 3 values [MapName, TopLevelKey, "
                                    "SecondLevelKey]", path, rid)
        return
    mappings = view.root.get("Mappings")
    mapping = mappings.get(value[0]) if isinstance(mappings, dict) and isinstance(
        value[0], str) else None
    if isinstance(mapping, dict) and any(not isinstance(v, dict)
                                            for v in mapping.values()):
        yield view.problem("E7007", f"Cannot use Fn::FindInMap on Mapping '{value[0]}', which "
                                    "is not a two-level map", path, rid)


def check_s3_event_buckets(view: SamView) -> Iterator[Problem]:
    """SAM writes an S3 event into its bucket's NotificationConfiguration and DependsOn, so
    those must have the shape it can extend, and the event's Events must be written out."""
    for fid, event_id, event, props in view.events():
        if event.get("Type") != "S3":
            continue
        source = f"{fid}{event_id}"
        if is_intrinsic(props.get("Events")):
            yield view.problem("E7306", f"Type of property 'Events' is invalid: SAM copies it "
                                        f"into the bucket notification for {source}, so it must "
                                        "be a string or list of strings, not an intrinsic",
                               event_path(fid, event_id, "Events"), fid)
        bucket = props.get("Bucket")
        bucket_id = bucket.get("Ref") if isinstance(bucket, dict) else None
        resource = view.resources.get(bucket_id) if isinstance(bucket_id, str) else None
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::S3::Bucket":
            continue
        yield from _bucket_shape(view, bucket_id, resource, source)


def _bucket_shape(view: SamView, bucket_id: str, bucket: Mapping[str, Any],
                  source: str) -> Iterator[Problem]:
    path = ("Resources", bucket_id)
    if "DependsOn" in bucket:
        depends = bucket["DependsOn"]
        if not (isinstance(depends, str) or (isinstance(depends, list) and all(
                isinstance(d, str) for d in depends))):
            yield view.problem("E7306", f"Invalid type for field 'DependsOn' of bucket "
                                        f"{bucket_id}: expected a string or list of strings "
                                        f"(SAM adds the permission of {source} to it)",
                               (*path, "DependsOn"), bucket_id)
    props = bucket.get("Properties")
    config = props.get("NotificationConfiguration") if is_map(props) else None
    if config is None or is_intrinsic(config):
        return
    config_path = (*path, "Properties", "NotificationConfiguration")
    if not isinstance(config, dict):
        yield view.problem("E7306", f"Property 'NotificationConfiguration' should be a map "
                                    f"(SAM adds {source} to it)", config_path, bucket_id)
        return
    lambdas = config.get("LambdaConfigurations")
    if lambdas is not None and not is_intrinsic(lambdas) and not isinstance(lambdas, list):
        yield view.problem("E7306", "Invalid type for LambdaConfigurations: must be a list",
                           (*config_path, "LambdaConfigurations"), bucket_id)


def check_layers(view: SamView) -> Iterator[Problem]:
    """SAM turns RetentionPolicy into a DeletionPolicy itself, so it reads the value (a Ref to
    a parameter is resolved to its value) and accepts only Retain or Delete."""
    for layer_id, props in view.of_type(LAYER):
        base: Path = ("Resources", layer_id, "Properties")
        if props.get("ContentUri") is None:
            # A warning, as for a function without CodeUri: SAM CLI packages the template's
            # folder then; only the bare translator refuses.
            yield view.problem("W7101", "'ContentUri' is not set: SAM CLI uses the template's "
                                        "folder, the SAM translator alone refuses this",
                               base, layer_id)
        yield from artifact_uri(view, layer_id, props, "ContentUri", base)
        if "RetentionPolicy" not in props:
            continue
        value, path = props["RetentionPolicy"], (*base, "RetentionPolicy")
        target = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
        if isinstance(target, str):
            found, value = view.parameter_default(target)
            if not found:
                continue      # a parameter without Default: its value comes at deploy time
            if not isinstance(value, str):
                yield view.problem("E7113", f"Could not resolve parameter {target} for "
                                            "'RetentionPolicy' or parameter is not a String",
                                   path, layer_id)
                continue
        if is_intrinsic(value):
            yield view.problem("E7113", "'RetentionPolicy' does not accept intrinsic functions "
                                        "other than a Ref to a parameter; use Retain or Delete",
                               path, layer_id)
        elif not isinstance(value, str) or value.lower() not in ("retain", "delete"):
            yield view.problem("E7113", f"'RetentionPolicy' must be one of the following "
                                        f"options: ['Retain', 'Delete'], got {value!r}",
                               path, layer_id)


_VIEW_CHECKS: tuple[Callable[[SamView], Iterator[Problem]], ...] = (
    check_structure, check_generated_ids, check_intrinsic_shapes, check_s3_event_buckets,
    check_layers,
    *FUNCTION_CHECKS, *POLICY_CHECKS, *EVENT_CHECKS, *API_CHECKS,
    *API_EVENT_CHECKS, *API_SETTING_CHECKS, *TEMPLATE_CHECKS, *MAPPING_CHECKS,
)


def check_sam_rules(ctx: CheckContext) -> Iterator[Problem]:
    """Every SAM translation rule, on one view of the template (Globals merged once)."""
    root = ctx.loaded.root
    if not isinstance(root, dict):
        return
    view = SamView.of(root, ctx.loaded.name)
    # no Fn::Sub or Fn::FindInMap, as the loader saw: nothing for their walk of every resource
    skip = check_intrinsic_shapes if ctx.loaded.has_sub_or_find_in_map is False else None
    for check in _VIEW_CHECKS:
        if check is not skip:
            yield from check(view)


CHECKS: tuple[Check, ...] = (check_sam_rules,)
