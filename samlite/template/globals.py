"""Merge the Globals section into AWS::Serverless::* resources, as SAM's translator does. Pure.

Rules carried over from samtranslator/plugins/globals/globals.py: maps merge key by key
(recursively), lists are concatenated with the Globals items first, anything else (scalars,
intrinsics, values of different kinds) takes the resource's value. A property a section does
not support, an unknown section, or a section that is not a mapping is an error; the
`IgnoreGlobals` resource attribute ("*" or a list of property names) opts a resource out.
Runs before intrinsics are evaluated, on the loaded nodes, keeping their marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.nodes import MappingNode, SequenceNode, is_intrinsic

PROBLEM_CODES = {
    "E7201": "the Globals section is not a mapping",
    "E7202": "a Globals section names a resource kind SAM has no globals for",
    "E7203": "a Globals section's value is not a mapping",
    "E7204": "a property SAM does not accept in that Globals section",
    "E7205": "IgnoreGlobals is neither '*' nor a list of properties set in Globals",
}

# Per section, the properties SAM accepts in Globals (samtranslator's supported_properties,
# extended to the lists SAM's current error messages print).
SUPPORTED_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "Function": (
        "Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize",
        "Timeout", "VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn",
        "AutoPublishAlias", "AutoPublishAliasAllProperties", "Layers", "DeploymentPreference",
        "RolePath", "PermissionsBoundary", "ReservedConcurrentExecutions",
        "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument", "EventInvokeConfig",
        "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
        "EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig",
        "RecursiveLoop", "SourceKMSKeyArn", "TenancyConfig", "DurableConfig",
        "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished",
        "VersionDeletionPolicy",
    ),
    "Api": (
        "Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize",
        "MergeDefinitions", "Variables", "EndpointConfiguration", "MethodSettings",
        "BinaryMediaTypes", "MinimumCompressionSize", "Cors", "GatewayResponses",
        "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain",
        "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode",
    ),
    "HttpApi": (
        "Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
        "DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags",
    ),
    "SimpleTable": ("SSESpecification",),
    "StateMachine": ("PropagateTags",),
    "LayerVersion": ("PublishLambdaVersion",),
    "CapacityProvider": (
        "VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig",
        "KmsKeyArn", "PropagateTags",
    ),
    "WebSocketApi": (
        "AccessLogSettings", "ApiKeySelectionExpression", "DefaultRouteSettings",
        "DisableExecuteApiEndpoint", "DisableSchemaValidation", "Domain", "FailOnWarnings",
        "IpAddressType", "PropagateTags", "RouteSelectionExpression", "RouteSettings",
        "StageVariables", "Tags",
    ),
}

_PREFIX = "AWS::Serverless::"


def merge_value(global_value: Any, local_value: Any) -> Any:
    """SAM's merge of one Globals value with the resource's own value."""
    if isinstance(global_value, dict) and isinstance(local_value, dict) and not (
            is_intrinsic(global_value) or is_intrinsic(local_value)):
        return _merge_mappings(global_value, local_value)
    if isinstance(global_value, list) and isinstance(local_value, list):
        return _concat(global_value, local_value)
    return local_value


def _merge_mappings(global_map: Mapping[str, Any], local_map: Mapping[str, Any]) -> MappingNode:
    merged = MappingNode(mark=getattr(local_map, "mark", None) or _mark(global_map))
    for source in (global_map, local_map):
        for key, value in source.items():
            merged[key] = merge_value(merged[key], value) if (
                source is local_map and key in global_map) else value
            if isinstance(source, MappingNode):
                merged.key_marks[key] = source.key_mark(key)
                merged.value_marks[key] = source.mark_of(key)
    return merged


def _concat(global_list: list[Any], local_list: list[Any]) -> SequenceNode:
    merged = SequenceNode([*global_list, *local_list],
                          mark=getattr(local_list, "mark", None) or _mark(global_list))
    merged.item_marks = [*_item_marks(global_list), *_item_marks(local_list)]
    return merged


def _item_marks(items: list[Any]) -> list[Mark]:
    mark = _mark(items)
    if isinstance(items, SequenceNode):
        return [items.mark_of(i) for i in range(len(items))]
    return [mark] * len(items)


def _mark(value: Any) -> Mark:
    return getattr(value, "mark", None) or Mark("<globals>")


def merge_globals(root: Mapping[str, Any], *, file: str = "template") -> tuple[
        MappingNode, tuple[Problem, ...]]:
    """The Resources section with Globals merged into each Serverless resource's Properties
    (new nodes; `root` is left as it was), and the problems found in Globals."""
    top = _mark(root) if isinstance(root, MappingNode) else Mark(file)
    resources = root.get("Resources")
    if not isinstance(resources, MappingNode):
        resources = MappingNode(resources.items() if isinstance(resources, dict) else (),
                                mark=top)
    if "Globals" not in root:
        return resources, ()
    sections, problems = _parse_globals(root, top)
    if not sections:
        return resources, problems
    merged = MappingNode(mark=resources.mark)
    merged.key_marks = dict(resources.key_marks)
    merged.value_marks = dict(resources.value_marks)
    for logical_id, resource in resources.items():
        merged[logical_id] = resource
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        if not (isinstance(kind, str) and kind.startswith(_PREFIX)):
            continue
        section = sections.get(kind.removeprefix(_PREFIX))
        if section is None:
            continue
        section, problem = _without_ignored(logical_id, resource, section, resources)
        if problem:
            problems += (problem,)
        merged[logical_id] = _with_properties(resource, section)
    return merged, problems


def _parse_globals(root: Mapping[str, Any], top: Mark) -> tuple[
        dict[str, Mapping[str, Any]], tuple[Problem, ...]]:
    node = root["Globals"]
    at = root.mark_of("Globals") if isinstance(root, MappingNode) else top
    invalid = "'Globals' section is invalid."
    if not isinstance(node, dict):
        return {}, (Problem(code="E7201", at=at, path="Globals",
                            message=f"{invalid} It must be a non-empty dictionary"),)
    sections: dict[str, Mapping[str, Any]] = {}
    problems: list[Problem] = []
    for name, properties in node.items():
        name_at = node.key_mark(name) if isinstance(node, MappingNode) else at
        supported = SUPPORTED_PROPERTIES.get(name)
        if supported is None:
            problems.append(Problem(
                code="E7202", at=name_at, path=f"Globals.{name}",
                message=f"{invalid} '{name}' is not supported. Must be one of the following "
                        f"values - {sorted(SUPPORTED_PROPERTIES)}"))
            continue
        if not isinstance(properties, dict):
            problems.append(Problem(code="E7203", at=name_at, path=f"Globals.{name}",
                                    message=f"{invalid} Value of {name} must be a dictionary"))
            continue
        kept = MappingNode(mark=_mark(properties))
        for key, value in properties.items():
            if key in supported:
                kept[key] = value
                if isinstance(properties, MappingNode):
                    kept.key_marks[key] = properties.key_mark(key)
                    kept.value_marks[key] = properties.mark_of(key)
                continue
            key_at = properties.key_mark(key) if isinstance(properties, MappingNode) else at
            problems.append(Problem(
                code="E7204", at=key_at, path=f"Globals.{name}.{key}",
                message=f"{invalid} '{key}' is not a supported property of '{name}'. "
                        f"Must be one of the following values - {list(supported)}"))
        sections[name] = kept
    return sections, tuple(problems)


def _without_ignored(logical_id: str, resource: Mapping[str, Any], section: Mapping[str, Any],
                     resources: MappingNode) -> tuple[Mapping[str, Any], Problem | None]:
    ignore = resource.get("IgnoreGlobals")
    if not ignore:
        return section, None
    at = resource.mark_of("IgnoreGlobals") if isinstance(resource, MappingNode) else (
        resources.key_mark(logical_id))
    path = f"Resources.{logical_id}.IgnoreGlobals"
    if ignore == "*":
        return {}, None
    if isinstance(ignore, list):
        kept = dict(section)
        for key in ignore:
            if not isinstance(key, str) or key not in kept:
                return section, Problem(
                    code="E7205", at=at, path=path, resource=logical_id,
                    message=f"Resource {logical_id} has invalid resource attribute "
                            f"'IgnoreGlobals' on item '{key}'.")
            del kept[key]
        return kept, None
    return section, Problem(code="E7205", at=at, path=path, resource=logical_id,
                            message=f"Resource {logical_id} has invalid resource attribute "
                                    "'IgnoreGlobals'.")


def _with_properties(resource: Mapping[str, Any], section: Mapping[str, Any]) -> Any:
    if not section:
        return resource
    properties = resource.get("Properties")
    if properties is None:
        properties = MappingNode(mark=_mark(resource))
    if not isinstance(properties, dict) or is_intrinsic(properties):
        return resource   # a wrong Properties value is the schema check's to report
    new = MappingNode(resource.items(), mark=_mark(resource))
    if isinstance(resource, MappingNode):
        new.key_marks = dict(resource.key_marks)
        new.value_marks = dict(resource.value_marks)
    new["Properties"] = _merge_mappings(section, properties)
    return new
