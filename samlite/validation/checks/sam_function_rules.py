"""SAM's translation rules for AWS::Serverless::Function: what SAM refuses while it turns a
function into CloudFormation although each property alone looks fine (code and package type,
Runtime with Handler, AutoPublishAlias and what needs it, event invoke destinations, function
URLs, reserved tags, tenancy); policies are in sam_policy_rules.py and events in
sam_event_rules.py. Rules follow samtranslator (model/sam_resources.py, model/__init__.py,
model/s3_utils/uri_parser.py). Globals are merged first, as SAM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from samlite.errors import Problem
from samlite.validation.checks.sam_common import (
    FUNCTION,
    Path,
    SamView,
    is_intrinsic,
    is_map,
)

# Lambda's two package types; Zip is the default (AWS::Lambda::Function PackageType).
ZIP, IMAGE = "Zip", "Image"
DESTINATION_TYPES = ("SQS", "SNS", "EventBridge", "Lambda", "S3Bucket")
SELF_CREATED_DESTINATIONS = ("SQS", "SNS")          # SAM creates these when Destination is unset
TENANCY_EVENT_TYPES = ("Api", "HttpApi")
TENANCY_EXCLUDES = (("ProvisionedConcurrencyConfig", "Provisioned concurrency"),
                    ("FunctionUrlConfig", "A function URL"), ("SnapStart", "SnapStart"))
URL_CORS_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "AllowCredentials": bool, "AllowHeaders": list, "AllowMethods": list,
    "AllowOrigins": list, "ExposeHeaders": list, "MaxAge": int,
}
RESERVED_TAGS = ("lambda:createdBy", "serverlessrepo:applicationId",
                 "serverlessrepo:semanticVersion")
_BOOLEANS = (True, False, "true", "false", "True", "False")
# Lambda's alias names: letters, digits, '-' and '_', not all digits (a number is a version).
_ALIAS_NAME = re.compile(r"^(?![0-9]+$)[A-Za-z0-9_-]+$")
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
            for name in ("Runtime", "Handler", "Layers"):
                if props.get(name):
                    yield view.problem("E7118", f"{name} cannot be set when PackageType is "
                                                "Image: the image holds the runtime, handler "
                                                "and code (here or in Globals.Function)",
                                       (*base, name), fid)
            continue
        if package != ZIP:
            continue    # an intrinsic or a wrong value: the schema's to judge
        if props.get("ImageConfig"):
            yield view.problem("E7119", "ImageConfig cannot be set when PackageType is Zip; "
                                        "set PackageType: Image or remove it",
                               (*base, "ImageConfig"), fid)
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
    """CodeUri / ContentUri / DefinitionUri: a local path (SAM CLI uploads it and hands the
    translator its s3:// URI), an s3://bucket/key URI or a map with Bucket and Key. SAM reads
    the value itself, so an intrinsic function, a number or another URL scheme is refused."""
    value = props.get(name)
    path = (*base, name)
    if value is None:
        return
    if isinstance(value, str):
        if "{{resolve:" in value:
            yield view.problem("E7107", f"Unsupported dynamic reference in '{name}'; use the "
                                        "{Bucket, Key} object form instead", path, rid)
        elif _looks_like_uri(value) and not _is_s3_uri(value):
            yield view.problem("E7107", f"'{name}' is not a valid S3 Uri of the form "
                                        f"'s3://bucket/key' (nor a local path), got {value!r}",
                               path, rid)
    elif is_intrinsic(value):
        yield view.problem("E7107", f"'{name}' cannot be an intrinsic function: SAM reads it "
                                    "while it translates; give a path, an s3://bucket/key URI "
                                    "or {Bucket, Key}", path, rid)
    elif isinstance(value, dict):
        if not (value.get("Bucket") and value.get("Key")):
            yield view.problem("E7107", f"'{name}' requires Bucket and Key properties to be "
                                        "specified (neither may be empty)", path, rid)
    elif not isinstance(value, list):    # a list is the schema's to report
        yield view.problem("E7107", f"'{name}' must be a path, an s3:// URI or a map with Bucket "
                                    f"and Key, got {value!r}", path, rid)


def _looks_like_uri(value: str) -> bool:
    """A URL scheme, or "s3:" written without its two slashes (a local path has neither)."""
    return bool(_SCHEME.match(value)) or value[:3].lower() == "s3:"


def _is_s3_uri(value: str) -> bool:
    """What SAM's URI parser accepts: scheme s3 (any case), a bucket and a path."""
    try:
        url = urlsplit(value)
    except ValueError:
        return False
    return url.scheme == "s3" and bool(url.netloc) and bool(url.path)


def check_alias_rules(view: SamView) -> Iterator[Problem]:
    """AutoPublishAlias names an alias SAM can create (a plain name or a Ref to a parameter;
    letters, digits, '-' and '_', not all digits); DeploymentPreference,
    ProvisionedConcurrencyConfig and VersionDeletionPolicy only work with one, and
    AutoPublishCodeSha256 is a string."""
    for fid, props in view.of_type(FUNCTION):
        base = ("Resources", fid, "Properties")
        alias = props.get("AutoPublishAlias")
        if "AutoPublishAlias" in props:
            yield from _alias_name(view, fid, alias, (*base, "AutoPublishAlias"))
        if alias is not None:
            yield from _code_sha(view, fid, props.get("AutoPublishCodeSha256"),
                                 (*base, "AutoPublishCodeSha256"))
            continue
        preference = props.get("DeploymentPreference")
        if is_map(preference) and _is_enabled(preference):
            yield view.problem("E7105", "'DeploymentPreference' requires AutoPublishAlias "
                                        "property to be specified",
                               (*base, "DeploymentPreference"), fid)
        if props.get("ProvisionedConcurrencyConfig") is not None:
            yield view.problem("E7116", "ProvisionedConcurrencyConfig needs AutoPublishAlias: "
                                        "SAM sets provisioned concurrency on the alias it "
                                        "publishes", (*base, "ProvisionedConcurrencyConfig"), fid)
        if props.get("VersionDeletionPolicy") is not None:
            yield view.problem("E7106", "'VersionDeletionPolicy' requires 'AutoPublishAlias'",
                               (*base, "VersionDeletionPolicy"), fid)


def _alias_name(view: SamView, fid: str, alias: Any, path: Path) -> Iterator[Problem]:
    state, name = _parameter_value(view, alias)
    if state == UNREADABLE:
        yield view.problem("E7115", "AutoPublishAlias must be a name or a Ref to a template "
                                    "parameter: SAM names the alias while it translates, "
                                    "before other intrinsic functions have a value", path, fid)
    elif state == KNOWN and (name is None or name == ""):
        yield view.problem("E7104", "AutoPublishAlias is empty: the alias name is required "
                                    "to create an alias", path, fid)
    elif state == KNOWN and (not isinstance(name, str) or not _ALIAS_NAME.match(name)):
        yield view.problem("E7114", f"AutoPublishAlias {name!r} is not an alias name SAM "
                                    "accepts: use letters, digits, '-' and '_', and not only "
                                    "digits (a number names a version)", path, fid)


def _code_sha(view: SamView, fid: str, value: Any, path: Path) -> Iterator[Problem]:
    if value is None:
        return
    state, sha = _parameter_value(view, value)
    if state == UNREADABLE or (state == KNOWN and not isinstance(sha, str)):
        yield view.problem("E7117", "AutoPublishCodeSha256 must be a string (or a Ref to a "
                                    f"String parameter), got {value!r}", path, fid)


# What SAM can make of a value it reads while it translates (it resolves Refs to parameters
# and pseudo parameters, nothing else): known here, known only at deploy, or unreadable.
KNOWN, AT_DEPLOY, UNREADABLE = "known", "at deploy", "unreadable"


def _parameter_value(view: SamView, value: Any) -> tuple[str, Any]:
    if not is_intrinsic(value):
        return KNOWN, value
    target = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(target, str):
        return UNREADABLE, None
    if target.startswith("AWS::"):
        return AT_DEPLOY, None
    found, default = view.parameter_default(target)
    if found:
        return KNOWN, default
    parameters = view.root.get("Parameters")
    is_parameter = isinstance(parameters, dict) and target in parameters
    return (AT_DEPLOY if is_parameter else UNREADABLE), None


def _is_enabled(preference: Mapping[str, Any]) -> bool:
    return preference.get("Enabled", True) not in (False, "false", "False")


def check_deployment_preference(view: SamView) -> Iterator[Problem]:
    """An enabled DeploymentPreference names its Type (how CodeDeploy shifts traffic); its
    Alarms is a list (or an Fn::If of lists) and PassthroughCondition a boolean SAM can read."""
    for fid, props in view.of_type(FUNCTION):
        preference = props.get("DeploymentPreference")
        if not is_map(preference) or not _is_enabled(preference):
            continue
        path = ("Resources", fid, "Properties", "DeploymentPreference")
        if "Type" not in preference:
            yield view.problem("E7120", "'DeploymentPreference' is missing its required Type "
                                        "(e.g. AllAtOnce, Canary10Percent5Minutes)", path, fid)
        alarms = preference.get("Alarms")
        if alarms and alarms != {"Ref": "AWS::NoValue"} and not _alarm_lists(alarms):
            yield view.problem("E7120", "DeploymentPreference Alarms must be a list of alarm "
                                        "names (or an Fn::If choosing between lists)",
                               (*path, "Alarms"), fid)
        passthrough = preference.get("PassthroughCondition")
        # SAM reads Refs to parameters and Fn::FindInMap here; nothing else.
        if passthrough is not None and not (is_intrinsic(passthrough)
                                            and "Fn::FindInMap" in passthrough):
            state, value = _parameter_value(view, passthrough)
            if state == UNREADABLE or (state == KNOWN and value not in _BOOLEANS):
                yield view.problem("E7120", "DeploymentPreference PassthroughCondition must be "
                                            "true or false (or a Ref to a parameter holding "
                                            "one)", (*path, "PassthroughCondition"), fid)


def _alarm_lists(alarms: Any) -> bool:
    if isinstance(alarms, dict) and set(alarms) == {"Fn::If"}:
        branches = alarms["Fn::If"]
        return isinstance(branches, list) and len(branches) == 3 and all(
            isinstance(b, list) or b == {"Ref": "AWS::NoValue"} for b in branches[1:])
    return isinstance(alarms, list)


def check_reserved_tags(view: SamView) -> Iterator[Problem]:
    """SAM tags what it creates with lambda:createdBy; the Serverless Application Repository
    keeps serverlessrepo:applicationId and :semanticVersion. A function may not set them."""
    for fid, props in view.of_type(FUNCTION):
        tags = props.get("Tags")
        for key in (tags if is_map(tags) else ()):
            if key in RESERVED_TAGS:
                yield view.problem("E7121", f"{key} is a tag key SAM reserves and cannot be set "
                                            "on a function; choose another key",
                                   ("Resources", fid, "Properties", "Tags", key), fid)


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
    """SAM picks the DLQ's policy by DeadLetterQueue.Type, so it must be written out, and the
    queue or topic it names (TargetArn) must be given."""
    for fid, props in view.of_type(FUNCTION):
        dlq = props.get("DeadLetterQueue")
        if not is_map(dlq):
            continue
        path = ("Resources", fid, "Properties", "DeadLetterQueue")
        if "Type" in dlq and not isinstance(dlq["Type"], str):
            yield view.problem("E7109", "Property 'DeadLetterQueue.Type' should be a string "
                                        "(SQS or SNS), not an intrinsic function",
                               (*path, "Type"), fid)
        for name in ("Type", "TargetArn"):
            if name in dlq and dlq[name] in ("", None):
                yield view.problem("E7109", f"'DeadLetterQueue' requires Type and TargetArn; "
                                            f"{name} is empty", (*path, name), fid)


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
    """Functions with TenancyConfig have no provisioned concurrency, function URL or SnapStart,
    and only Api and HttpApi events."""
    for fid, props in view.of_type(FUNCTION):
        if props.get("TenancyConfig") is None:
            continue
        for name, what in TENANCY_EXCLUDES:
            if props.get(name) is not None:
                yield view.problem("E7112", f"{what} is not supported for functions with "
                                            "TenancyConfig (tenant isolation)",
                                   ("Resources", fid, "Properties", name), fid)
    for fid, event_id, event, _ in view.events():
        props = view.resources[fid].get("Properties") or {}
        kind = event.get("Type")
        if props.get("TenancyConfig") is not None and kind not in TENANCY_EVENT_TYPES:
            yield view.problem(
                "E7112", f"Event source '{kind}' is not supported for functions enabled with "
                         "tenancy configuration. Only Api and HttpApi event sources are "
                         "supported", ("Resources", fid, "Properties", "Events", event_id,
                                       "Type"), fid)


CHECKS_ON_VIEW = (
    check_function_code, check_alias_rules, check_deployment_preference, check_reserved_tags,
    check_malformed_if, check_event_invoke_destinations, check_dead_letter_queue,
    check_function_url, check_tenancy,
)
