"""SAM's translation rules for AWS::Serverless::Function and its events: what SAM refuses
while it turns a function into CloudFormation although each property alone looks fine
(code and package type, Runtime with Handler, AutoPublishAlias and what needs it, event
invoke destinations, function URLs, policies, schedule dead-letter queues, SQS queues,
tenancy). Rules and their wording follow samtranslator (model/sam_resources.py,
model/eventsources/*.py, model/function_policies.py). Globals are merged first, as SAM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_common import FUNCTION, SamView, event_path, is_intrinsic, is_map

# Lambda's two package types; Zip is the default (AWS::Lambda::Function PackageType).
ZIP, IMAGE = "Zip", "Image"
DESTINATION_TYPES = ("SQS", "SNS", "EventBridge", "Lambda", "S3Bucket")
SELF_CREATED_DESTINATIONS = ("SQS", "SNS")          # SAM creates these when Destination is unset
TENANCY_EVENT_TYPES = ("Api", "HttpApi")
URL_CORS_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "AllowCredentials": bool, "AllowHeaders": list, "AllowMethods": list,
    "AllowOrigins": list, "ExposeHeaders": list, "MaxAge": int,
}
_S3_URI = re.compile(r"^s3://[^/]+/.+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def check_function_code(view: SamView) -> Iterator[Problem]:
    """Code and package type: Zip needs InlineCode or CodeUri plus Runtime and Handler;
    Image needs ImageUri, unless Metadata.Dockerfile says how to build it."""
    for fid, props in view.of_type(FUNCTION):
        package = props.get("PackageType", ZIP)
        base = ("Resources", fid, "Properties")
        if package == IMAGE:
            # SAM CLI's validate gives functions built from Metadata.Dockerfile a stand-in
            # ImageUri (sam_template_validator._replace_local_image), and `sam build` fills it.
            if props.get("ImageUri") is None and not _is_local_image(view, fid):
                yield view.problem("E7103", "'ImageUri' must be set when PackageType is Image",
                                   (*base, "PackageType"), fid)
            continue
        if package != ZIP:
            continue    # an intrinsic or a wrong value: the schema's to judge
        if props.get("InlineCode") is None and props.get("CodeUri") is None:
            # A warning: SAM CLI packages the template's folder then (its DEFAULT_CODEURI
            # "."), and real apps rely on it; only the bare translator refuses.
            yield view.problem("W7101", "Neither 'InlineCode' nor 'CodeUri' is set: SAM CLI "
                                        "uses the template's folder, the SAM translator alone "
                                        "refuses this", base, fid)
        missing = [name for name in ("Runtime", "Handler") if not props.get(name)]
        if missing:
            verb = "are" if len(missing) > 1 else "is"
            yield view.problem(
                "E7102", f"Runtime and Handler needs to be present when PackageType is of type "
                         f"`Zip`; {' and '.join(missing)} {verb} missing (here or in "
                         f"Globals.Function)", base, fid)
        yield from _code_uri(view, fid, props)


def _is_local_image(view: SamView, fid: str) -> bool:
    resource = view.resources.get(fid)
    metadata = resource.get("Metadata") if isinstance(resource, dict) else None
    return isinstance(metadata, dict) and bool(metadata.get("Dockerfile"))


def _code_uri(view: SamView, fid: str, props: Mapping[str, Any]) -> Iterator[Problem]:
    if "InlineCode" in props:
        return
    yield from artifact_uri(view, fid, props, "CodeUri", ("Resources", fid, "Properties"))


def artifact_uri(view: SamView, rid: str, props: Mapping[str, Any], name: str,
                 base: tuple[str | int, ...]) -> Iterator[Problem]:
    """CodeUri / ContentUri / DefinitionUri: a local path, an s3://bucket/key URI or a map with
    Bucket and Key; another URL scheme or a dynamic reference is refused by SAM."""
    value = props.get(name)
    path = (*base, name)
    if isinstance(value, str):
        if "{{resolve:" in value:
            yield view.problem("E7107", f"Unsupported dynamic reference in '{name}'; use the "
                                        "{Bucket, Key} object form instead", path, rid)
        elif _SCHEME.match(value) and not _S3_URI.match(value):
            yield view.problem("E7107", f"'{name}' is not a valid S3 Uri of the form "
                                        f"'s3://bucket/key' (nor a local path), got {value!r}",
                               path, rid)
    elif is_map(value) and not ({"Bucket", "Key"} <= value.keys()):
        yield view.problem("E7107", f"'{name}' requires Bucket and Key properties to be "
                                    "specified", path, rid)


def check_alias_rules(view: SamView) -> Iterator[Problem]:
    """AutoPublishAlias must name an alias; DeploymentPreference and VersionDeletionPolicy
    only work with one."""
    for fid, props in view.of_type(FUNCTION):
        base = ("Resources", fid, "Properties")
        alias = props.get("AutoPublishAlias")
        if "AutoPublishAlias" in props and _is_empty(view, alias):
            yield view.problem("E7104", "AutoPublishAlias is empty: the alias name is required "
                                        "to create an alias", (*base, "AutoPublishAlias"), fid)
        if alias is not None:
            continue
        preference = props.get("DeploymentPreference")
        if is_map(preference) and preference.get("Enabled", True) not in (False, "false",
                                                                          "False"):
            yield view.problem("E7105", "'DeploymentPreference' requires AutoPublishAlias "
                                        "property to be specified",
                               (*base, "DeploymentPreference"), fid)
        if props.get("VersionDeletionPolicy") is not None:
            yield view.problem("E7106", "'VersionDeletionPolicy' requires 'AutoPublishAlias'",
                               (*base, "VersionDeletionPolicy"), fid)


def _is_empty(view: SamView, value: Any) -> bool:
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        found, value = view.parameter_default(value["Ref"])
        if not found:
            return False
    return value is None or value == ""


def check_malformed_if(view: SamView) -> Iterator[Problem]:
    """Fn::If in properties SAM splits itself (Role, DeadLetterQueue.TargetArn, event invoke
    destinations) needs [condition, value if true, value if false]."""
    for fid, props in view.of_type(FUNCTION):
        base = ("Resources", fid, "Properties")
        yield from _malformed_if(view, fid, props.get("Role"), (*base, "Role"), "Role", "")
        dlq = props.get("DeadLetterQueue")
        if is_map(dlq):
            yield from _malformed_if(view, fid, dlq.get("TargetArn"),
                                     (*base, "DeadLetterQueue", "TargetArn"), "TargetArn", "")
        for on, config in _destinations(props):
            yield from _malformed_if(
                view, fid, config.get("Destination"),
                (*base, "EventInvokeConfig", "DestinationConfig", on, "Destination"),
                "Destination", f" (SAM cannot build {fid}EventInvokeConfig)")


def _malformed_if(view: SamView, rid: str, value: Any, path: tuple[str | int, ...], name: str,
                  extra: str) -> Iterator[Problem]:
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        arguments = value["Fn::If"]
        if not isinstance(arguments, list) or len(arguments) != 3:
            yield view.problem("E7005", f"Malformed '{name}' property: Fn::If requires 3 "
                                        f"arguments [condition, value if true, value if "
                                        f"false]{extra}", (*path, "Fn::If"), rid)


def _destinations(props: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    config = props.get("EventInvokeConfig")
    destinations = config.get("DestinationConfig") if is_map(config) else None
    if not is_map(destinations):
        return
    for on in ("OnSuccess", "OnFailure"):
        if is_map(destinations.get(on)):
            yield on, destinations[on]


def check_event_invoke_destinations(view: SamView) -> Iterator[Problem]:
    """Each destination has a Type SAM knows; Destination may be left out only for SQS and
    SNS, which SAM then creates."""
    for fid, props in view.of_type(FUNCTION):
        for on, config in _destinations(props):
            path = ("Resources", fid, "Properties", "EventInvokeConfig", "DestinationConfig", on)
            kind = config.get("Type")
            if is_intrinsic(kind):
                continue
            if kind not in DESTINATION_TYPES:
                yield view.problem("E7108", f"'Type: {kind}' must be one of "
                                            f"{list(DESTINATION_TYPES)}", (*path, "Type"), fid)
            elif config.get("Destination") is None and kind not in SELF_CREATED_DESTINATIONS:
                yield view.problem("E7108", f"Destination is required if Type is not "
                                            f"{list(SELF_CREATED_DESTINATIONS)} (Type is {kind})",
                                   path, fid)


def check_dead_letter_queue(view: SamView) -> Iterator[Problem]:
    """SAM picks the DLQ's policy by DeadLetterQueue.Type, so it must be written out."""
    for fid, props in view.of_type(FUNCTION):
        dlq = props.get("DeadLetterQueue")
        if is_map(dlq) and "Type" in dlq and not isinstance(dlq["Type"], str):
            yield view.problem("E7109", "Property 'DeadLetterQueue.Type' should be a string "
                                        "(SQS or SNS), not an intrinsic function",
                               ("Resources", fid, "Properties", "DeadLetterQueue", "Type"), fid)


def check_policies(view: SamView) -> Iterator[Problem]:
    """Each Policies entry is a managed policy name or ARN, a policy document (with
    Statement), a SAM policy template ({XxxPolicy: {...}}) or an intrinsic function."""
    for fid, props in view.of_type(FUNCTION):
        policies = props.get("Policies")
        entries = policies if isinstance(policies, list) else [policies]
        for index, entry in enumerate(entries):
            if entry is None or isinstance(entry, str) or is_intrinsic(entry):
                continue
            if isinstance(entry, dict) and ("Statement" in entry or (
                    len(entry) == 1 and str(next(iter(entry))).endswith("Policy"))):
                continue
            path = ("Resources", fid, "Properties", "Policies")
            yield view.problem(
                "E7110", f"Policy at index {index} in the 'Policies' property is not valid: "
                         "expected a managed policy name or ARN, a policy document with "
                         "Statement, or a SAM policy template",
                (*path, index) if isinstance(policies, list) else path, fid)


def check_function_url(view: SamView) -> Iterator[Problem]:
    """FunctionUrlConfig needs AuthType; its Cors takes Lambda's keys with their types."""
    for fid, props in view.of_type(FUNCTION):
        config = props.get("FunctionUrlConfig")
        if not is_map(config):
            continue
        path = ("Resources", fid, "Properties", "FunctionUrlConfig")
        if "AuthType" not in config:
            yield view.problem("E7111", "AuthType is required to configure function property "
                                        "`FunctionUrlConfig`; use AWS_IAM or NONE", path, fid)
        cors = config.get("Cors")
        if not is_map(cors):
            continue
        for key, value in cors.items():
            expected = URL_CORS_TYPES.get(key)
            if expected is None:
                yield view.problem("E7111", f"{key} is not a valid property for configuring "
                                            f"Cors; expected one of {sorted(URL_CORS_TYPES)}",
                                   (*path, "Cors", key), fid)
            elif not is_intrinsic(value) and (
                    not isinstance(value, expected) or (expected is int and value is True)):
                name = expected.__name__
                yield view.problem("E7111", f"{key} must be of type {name}, got {value!r}",
                                   (*path, "Cors", key), fid)


def check_tenancy(view: SamView) -> Iterator[Problem]:
    """Functions with TenancyConfig may only have Api and HttpApi events."""
    for fid, event_id, event, _ in view.events():
        props = view.resources[fid].get("Properties") or {}
        kind = event.get("Type")
        if props.get("TenancyConfig") is not None and kind not in TENANCY_EVENT_TYPES:
            yield view.problem(
                "E7112", f"Event source '{kind}' is not supported for functions enabled with "
                         "tenancy configuration. Only Api and HttpApi event sources are "
                         "supported", ("Resources", fid, "Properties", "Events", event_id,
                                       "Type"), fid)


def check_event_shapes(view: SamView) -> Iterator[Problem]:
    """Each event is a map with a Type and, when given, a Properties map."""
    for fid, props in view.of_type(FUNCTION):
        events = props.get("Events")
        if not is_map(events):
            continue
        for event_id, event in events.items():
            path = ("Resources", fid, "Properties", "Events", event_id)
            if not isinstance(event, dict):
                yield view.problem("E7301", f"Event {event_id} should be a map with Type and "
                                            "Properties", path, fid)
                continue
            if not isinstance(event.get("Type"), str):
                yield view.problem("E7301", f"Event {event_id} has no Type (e.g. Api, S3, SQS, "
                                            "Schedule)", path, fid)
            event_properties = event.get("Properties")
            if event_properties is not None and not is_map(event_properties):
                yield view.problem("E7301", f"Properties of event {event_id} should be a map",
                                   (*path, "Properties"), fid)


def check_schedule_events(view: SamView) -> Iterator[Problem]:
    """Schedule: not both State and Enabled. Schedule/ScheduleV2 DeadLetterConfig: Arn or
    Type (SQS), not both; QueueLogicalId a string. ScheduleV2: OmitName a boolean, not with
    Name."""
    for fid, event_id, event, props in view.events():
        kind = event.get("Type")
        if kind not in ("Schedule", "ScheduleV2"):
            continue
        source = f"{fid}{event_id}"     # the id SAM gives the rule / schedule it creates
        if kind == "Schedule" and "State" in props and "Enabled" in props:
            yield view.problem("E7302", "State and Enabled Properties cannot both be specified; "
                                        "keep State", event_path(fid, event_id, "Enabled"), fid)
        dlq = props.get("DeadLetterConfig")
        if is_map(dlq):
            path = event_path(fid, event_id, "DeadLetterConfig")
            if "Arn" in dlq and "Type" in dlq:
                yield view.problem("E7303", "You can either define 'Arn' or 'Type' property of "
                                            "DeadLetterConfig, not both", path, fid)
            elif "Arn" not in dlq and "Type" not in dlq:
                yield view.problem("E7303", "No 'Arn' or 'Type' property provided for "
                                            "DeadLetterConfig", path, fid)
            elif "Type" in dlq and dlq["Type"] != "SQS":
                yield view.problem("E7303", "The only valid value for 'Type' property of "
                                            "DeadLetterConfig is 'SQS'", (*path, "Type"), fid)
            if "QueueLogicalId" in dlq and not isinstance(dlq["QueueLogicalId"], str):
                yield view.problem("E7303", "QueueLogicalId of DeadLetterConfig must be a "
                                            "string (SAM names the queue it creates with it)",
                                   (*path, "QueueLogicalId"), fid)
        if kind == "ScheduleV2" and "OmitName" in props:
            omit = props["OmitName"]
            if not isinstance(omit, bool):
                yield view.problem("E7304", f"OmitName must be true or false, got {omit!r} "
                                            f"(SAM reads it to build {source})",
                                   event_path(fid, event_id, "OmitName"), fid)
            elif omit and "Name" in props:
                yield view.problem("E7304", "Name cannot be set when OmitName is true",
                                   event_path(fid, event_id, "Name"), fid)


def check_sqs_queue(view: SamView) -> Iterator[Problem]:
    for fid, event_id, event, props in view.events():
        if event.get("Type") == "SQS" and props.get("Queue") is None:
            yield view.problem("E7305", f"Missing required property 'Queue' of SQS event "
                                        f"{event_id} (SAM's {fid}{event_id})",
                               event_path(fid, event_id), fid)


CHECKS_ON_VIEW = (
    check_function_code, check_alias_rules, check_malformed_if,
    check_event_invoke_destinations, check_dead_letter_queue, check_policies,
    check_function_url, check_tenancy, check_event_shapes, check_schedule_events,
    check_sqs_queue,
)
