"""Checks that names in the template point at something: Ref, Fn::GetAtt, Fn::Sub, DependsOn,
Condition and Fn::If, plus DependsOn and Conditions loops. Works on the raw nodes.

SAM-generated resources (ServerlessRestApi, `<Fn>Role`, `<Fn>.Alias`, …) count as known, as
listed in the SAM developer guide's "Generated CloudFormation resources" pages. Also holds the
small template readers the other check modules share (resources, Globals-aware properties).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.nodes import dotted, is_intrinsic, mark_at
from samlite.validation.checks.context import Check, CheckContext

__all__ = [
    "CHECKS",
    "did_you_mean",
    "events_of",
    "function_property",
    "is_intrinsic",
    "problem",
    "properties_of",
    "resources_of",
]

Path = tuple[str | int, ...]

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})

# Attributes Fn::GetAtt may read, for the types we know (CloudFormation's resource reference
# "Return values" sections; SAM passes a Serverless::Function's GetAtt to its Lambda function).
_LAMBDA_ATTRS = frozenset({"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn",
                           "SnapStartResponse.OptimizationStatus"})
GETATT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "AWS::Serverless::Function": _LAMBDA_ATTRS,
    "AWS::Lambda::Function": _LAMBDA_ATTRS,
    "AWS::SQS::Queue": frozenset({"Arn", "QueueName", "QueueUrl"}),
    "AWS::S3::Bucket": frozenset({"Arn", "DomainName", "DualStackDomainName",
                                  "RegionalDomainName", "WebsiteURL"}),
    "AWS::Serverless::LayerVersion": frozenset({"LayerVersionArn"}),
    "AWS::Lambda::LayerVersion": frozenset({"LayerVersionArn"}),
    "AWS::Serverless::Api": frozenset({"RootResourceId", "RestApiId"}),
    "AWS::Serverless::HttpApi": frozenset({"ApiEndpoint", "ApiId"}),
    "AWS::SNS::Topic": frozenset({"TopicArn", "TopicName"}),
    "AWS::DynamoDB::Table": frozenset({"Arn", "StreamArn"}),
    "AWS::Serverless::SimpleTable": frozenset({"Arn", "StreamArn"}),
    "AWS::IAM::Role": frozenset({"Arn", "RoleId"}),
}

# `<LogicalId>.<Property>` forms SAM resolves (generated-resources pages).
REFERENCEABLE = {
    "AWS::Serverless::Function": frozenset({"Alias", "Version", "DestinationTopic",
                                            "DestinationQueue"}),
    "AWS::Serverless::Api": frozenset({"Stage", "Deployment", "DomainName", "UsagePlan",
                                       "UsagePlanKey", "ApiKey"}),
    "AWS::Serverless::HttpApi": frozenset({"Stage", "DomainName"}),
}

_IMPLICIT_API_TYPES = {"ServerlessRestApi": "AWS::Serverless::Api",
                       "ServerlessHttpApi": "AWS::Serverless::HttpApi"}

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_HASH = r"[0-9a-f]{10}"


# --- helpers shared by the check modules -------------------------------------------------------

def problem(ctx: CheckContext, code: str, message: str, path: Path, *,
            resource: str | None = None, at: Mark | None = None) -> Problem:
    """A Problem located at `path` in the raw template (its deepest reachable node)."""
    where = at or mark_at(ctx.loaded.root, path, ctx.loaded.root.mark)
    return Problem(code=code, message=message, at=where, path=dotted(path), resource=resource)


def did_you_mean(name: str, candidates: Any) -> str:
    """' (did you mean "X"?)' for the closest candidate, else ''."""
    import difflib  # only to suggest a fix, in a template that has a problem

    close = difflib.get_close_matches(name, [str(c) for c in candidates], n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def resources_of(ctx: CheckContext) -> dict[str, Mapping[str, Any]]:
    """The template's resources that are mappings, by logical id."""
    resources = ctx.loaded.root.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {str(k): v for k, v in resources.items() if isinstance(v, dict)}


def properties_of(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    props = resource.get("Properties")
    return props if isinstance(props, dict) else {}


def function_property(ctx: CheckContext, resource: Mapping[str, Any], name: str) -> Any:
    """A Serverless::Function property, falling back to Globals.Function as SAM does
    (None when neither sets it). Values are raw: intrinsics stay unevaluated."""
    props = properties_of(resource)
    if name in props:
        return props[name]
    if resource.get("Type") != "AWS::Serverless::Function":
        return None
    globals_ = ctx.loaded.root.get("Globals")
    function = globals_.get("Function") if isinstance(globals_, dict) else None
    return function.get(name) if isinstance(function, dict) else None


def events_of(resource: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(event id, event type, event properties) for each well-formed event of a resource."""
    events = properties_of(resource).get("Events")
    if not isinstance(events, dict):
        return
    for event_id, event in events.items():
        if isinstance(event, dict) and isinstance(event.get("Type"), str):
            props = event.get("Properties")
            yield str(event_id), event["Type"], props if isinstance(props, dict) else {}


# --- known names --------------------------------------------------------------------------------

def _generated_names(resources: Mapping[str, Mapping[str, Any]]) -> tuple[set[str], list[str]]:
    """Exact names and name patterns (regexes) of the resources SAM will generate."""
    names: set[str] = set()
    patterns: list[str] = []
    implicit_rest = implicit_http = deployment_preference = False
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        props = properties_of(resource)
        lid = re.escape(logical_id)
        if kind == "AWS::Serverless::Function":
            names.update(f"{logical_id}{s}" for s in (
                "Role", "Url", "UrlPublicPermissions", "EventInvokeConfig", "DeploymentGroup",
                "OnSuccessTopic", "OnFailureTopic", "OnSuccessQueue", "OnFailureQueue"))
            patterns += [f"{lid}Alias.+", f"{lid}Version{_HASH}"]
            deployment_preference |= "DeploymentPreference" in props
            for event_id, event_type, event_props in events_of(resource):
                base = f"{logical_id}{event_id}"
                names.update({base, f"{base}Permission", f"{base}Role", f"{base}Queue",
                              f"{base}QueuePolicy", f"{base}Topic", f"{base}Subscription"})
                implicit_rest |= event_type == "Api" and "RestApiId" not in event_props
                implicit_http |= event_type == "HttpApi" and "ApiId" not in event_props
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            names.update(f"{logical_id}{s}" for s in (
                "Stage", "ApiGatewayDefaultStage", "UsagePlan", "UsagePlanKey", "ApiKey",
                "DomainName", "BasePathMapping"))
            patterns += [f"{lid}Deployment{_HASH}", f"{lid}.+Stage"]
        elif kind == "AWS::Serverless::LayerVersion":
            patterns.append(f"{lid}{_HASH}")
        elif kind == "AWS::Serverless::StateMachine":
            names.add(f"{logical_id}Role")
            names.update(f"{logical_id}{event_id}" for event_id, _, _ in events_of(resource))
    for api, used in (("ServerlessRestApi", implicit_rest), ("ServerlessHttpApi", implicit_http)):
        if used:
            names.update({api, f"{api}Stage", f"{api}ProdStage",
                          f"{api}ApiGatewayDefaultStage"})
            patterns += [f"{api}Deployment{_HASH}", f"{api}.+Stage"]
    if deployment_preference:
        names.update({"ServerlessDeploymentApplication", "CodeDeployServiceRole"})
    return names, patterns


class _Names:
    """What a name in this template can refer to."""

    def __init__(self, ctx: CheckContext) -> None:
        root = ctx.loaded.root
        self.resources = resources_of(ctx)
        params = root.get("Parameters")
        self.parameters = set(map(str, params)) if isinstance(params, dict) else set()
        conditions = root.get("Conditions")
        self.conditions = set(map(str, conditions)) if isinstance(conditions, dict) else set()
        self.generated, self._patterns = _generated_names(self.resources)
        self._pattern: re.Pattern[str] | None = None

    def is_resource(self, name: str) -> bool:
        if name in self.resources or name in self.generated:
            return True
        if "." in name:  # SAM's `<LogicalId>.<Property>`
            base, _, prop = name.partition(".")
            return prop in REFERENCEABLE.get(self.type_of(base), frozenset())
        if not self._patterns:
            return False
        if self._pattern is None:   # compiled on first need: most templates never need it
            self._pattern = re.compile("|".join(f"(?:{p})" for p in self._patterns))
        return bool(self._pattern.fullmatch(name))

    def type_of(self, name: str) -> str:
        """The resource type of `name`, including SAM's implicit APIs."""
        if name in self.resources:
            return str(self.resources[name].get("Type"))
        return _IMPLICIT_API_TYPES.get(name, "") if name in self.generated else ""

    def refable(self) -> list[str]:
        return sorted(self.resources) + sorted(self.parameters) + sorted(PSEUDO_PARAMETERS)


# --- walking ------------------------------------------------------------------------------------

def _walk(node: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    """The mappings and lists under `node` (scalars hold no intrinsic), in document order.
    Iterative, and dict/list rather than the Mapping ABC: this walk is the hot path of
    validating a big template."""
    stack: list[tuple[Any, Path]] = [(node, path)]
    while stack:
        node, path = stack.pop()
        yield node, path
        if isinstance(node, dict):
            children = [(value, (*path, str(key))) for key, value in node.items()
                        if isinstance(value, dict | list)]
        elif isinstance(node, list):
            children = [(value, (*path, index)) for index, value in enumerate(node)
                        if isinstance(value, dict | list)]
        else:
            continue
        stack.extend(reversed(children))


def _evaluated_sections(ctx: CheckContext) -> Iterator[tuple[Any, Path, str | None]]:
    """(node, path, owning resource) for every part of the template CloudFormation evaluates
    intrinsics in (not Metadata, which it passes through untouched)."""
    root = ctx.loaded.root
    for logical_id, resource in resources_of(ctx).items():
        for key in ("Properties", "UpdatePolicy", "CreationPolicy"):
            if key in resource:
                base: Path = ("Resources", logical_id, key)
                for node, path in _walk(resource[key], base):
                    yield node, path, logical_id
    for section in ("Outputs", "Conditions", "Globals"):
        if isinstance(root.get(section), Mapping):
            for node, path in _walk(root[section], (section,)):
                yield node, path, None


# --- checks -------------------------------------------------------------------------------------

def check_references(ctx: CheckContext) -> Iterator[Problem]:
    """Ref, GetAtt and Sub targets, DependsOn, and conditions (the three checks below), on
    one list of the template's names and one walk of its values: each took as long again on
    a large template when it made its own."""
    names = _Names(ctx)
    calls = [(node, path, owner) for node, path, owner in _evaluated_sections(ctx)
             if isinstance(node, dict) and len(node) == 1]
    yield from _check_refs(ctx, names, calls)
    yield from _check_depends_on(ctx, names)
    yield from _check_conditions(ctx, names, calls)


# A one-key mapping (where every intrinsic is) of a section CloudFormation evaluates, its path
# and the resource it belongs to.
_Calls = list[tuple[Mapping[str, Any], Path, str | None]]


def _check_refs(ctx: CheckContext, names: _Names, calls: _Calls) -> Iterator[Problem]:
    """Ref, Fn::GetAtt and Fn::Sub name a resource, parameter or pseudo parameter."""
    for node, path, owner in calls:
        key, value = next(iter(node.items()))
        if key == "Ref" and isinstance(value, str):
            if not (value in names.parameters or value in PSEUDO_PARAMETERS
                    or names.is_resource(value)):
                hint = did_you_mean(value, names.refable())
                yield problem(ctx, "E3001",
                              f"Ref names {value!r}, which is not a resource, parameter or "
                              f"pseudo parameter of this template{hint}",
                              (*path, "Ref"), resource=owner)
        elif key == "Fn::GetAtt":
            yield from _check_getatt(ctx, names, value, (*path, key), owner)
        elif key == "Fn::Sub":
            yield from _check_sub(ctx, names, value, (*path, key), owner)


def _check_getatt(ctx: CheckContext, names: _Names, value: Any, path: Path,
                  owner: str | None) -> Iterator[Problem]:
    if isinstance(value, str):
        target, _, attribute = value.partition(".")
    elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        target, attribute = value[0], value[1]
    else:
        return  # malformed Fn::GetAtt is the schema's business
    yield from _check_attribute_target(ctx, names, target, attribute, path, owner, "Fn::GetAtt")


def _check_attribute_target(ctx: CheckContext, names: _Names, target: str, attribute: Any,
                            path: Path, owner: str | None, form: str) -> Iterator[Problem]:
    if not names.is_resource(target):
        hint = " (it is a parameter; use Ref)" if target in names.parameters \
            else did_you_mean(target, names.resources)
        yield problem(ctx, "E3002",
                      f"{form} names {target!r}, which is not a resource of this template{hint}",
                      path, resource=owner)
        return
    kind = names.type_of(target)
    if kind == "AWS::DynamoDB::Table" and attribute == "StreamArn" \
            and "StreamSpecification" not in properties_of(names.resources.get(target, {})):
        # CloudFormation's AWS::DynamoDB::Table return values: "You must specify the
        # StreamSpecification property to use this attribute"; the deploy fails without one.
        # A warning as W3003 below: SAM's translator accepts it (its valid templates use it).
        yield problem(ctx, "W3009",
                      f"{form}: {target} has no StreamSpecification, so it has no stream and "
                      "CloudFormation rejects StreamArn; add StreamSpecification.StreamViewType "
                      "(e.g. NEW_AND_OLD_IMAGES)", path, resource=owner)
        return
    allowed = GETATT_ATTRIBUTES.get(kind)
    if allowed is None or not isinstance(attribute, str) or attribute in allowed:
        return
    if attribute.partition(".")[0] in REFERENCEABLE.get(kind, frozenset()):
        return  # `Fn.Alias.Name`: an attribute of a resource SAM generates
    # A warning, not an error: SAM translates the template regardless and only CloudFormation
    # rejects it at deploy time, which real templates (corpus apps) sometimes never reach.
    yield problem(ctx, "W3003",
                  f"{form}: {target} ({kind}) has no attribute {attribute!r}, so CloudFormation "
                  f"will reject it; it has {', '.join(sorted(allowed))}"
                  f"{did_you_mean(attribute, allowed)}",
                  path, resource=owner)


def _check_sub(ctx: CheckContext, names: _Names, value: Any, path: Path,
               owner: str | None) -> Iterator[Problem]:
    local: set[str] = set()
    if isinstance(value, list) and len(value) == 2:
        text, variables = value
        if isinstance(variables, dict):
            local = set(map(str, variables))
    else:
        text = value
    if not isinstance(text, str):
        return
    for match in _SUB_VARIABLE.finditer(text):
        name = match.group(1).strip()
        if name.startswith("!") or name in local or name in PSEUDO_PARAMETERS:
            continue
        if name in names.parameters or names.is_resource(name):
            continue
        target, dot, attribute = name.partition(".")
        if dot and target not in names.parameters:
            yield from _check_attribute_target(ctx, names, target, attribute, path, owner,
                                               f"Fn::Sub ${{{name}}}")
            continue
        yield problem(ctx, "E3004",
                      f"Fn::Sub ${{{name}}} names nothing in this template: not a resource, "
                      "parameter, pseudo parameter or variable of this Fn::Sub"
                      f"{did_you_mean(name, sorted(local) + names.refable())}",
                      path, resource=owner)


def _depends_on(resource: Mapping[str, Any]) -> list[tuple[str, Path]]:
    value = resource.get("DependsOn")
    if isinstance(value, str):
        return [(value, ("DependsOn",))]
    if isinstance(value, list):
        return [(v, ("DependsOn", i)) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _check_depends_on(ctx: CheckContext, names: _Names) -> Iterator[Problem]:
    """DependsOn names resources of this template, and never loops."""
    edges: dict[str, list[str]] = {}
    for logical_id, resource in names.resources.items():
        for target, sub in _depends_on(resource):
            path = ("Resources", logical_id, *sub)
            if names.is_resource(target):
                edges.setdefault(logical_id, []).append(target)
                continue
            hint = " (it is a parameter; DependsOn takes resources only)" \
                if target in names.parameters else did_you_mean(target, names.resources)
            yield problem(ctx, "E3005",
                          f"DependsOn names {target!r}, which is not a resource of this "
                          f"template{hint}", path, resource=logical_id)
    for cycle in _cycles(edges):
        first = cycle[0]
        yield problem(ctx, "E3006",
                      f"circular DependsOn: {' -> '.join(cycle)}; CloudFormation cannot order "
                      "these resources", ("Resources", first, "DependsOn"), resource=first)


def _check_conditions(ctx: CheckContext, names: _Names, calls: _Calls) -> Iterator[Problem]:
    """Condition on resources and outputs, Fn::If and {Condition: x} name existing conditions,
    and conditions do not refer to each other in a loop."""
    root = ctx.loaded.root

    def unknown(name: str, path: Path, owner: str | None, where: str) -> Problem:
        return problem(ctx, "E3007",
                       f"{where} names condition {name!r}, which is not in Conditions"
                       f"{did_you_mean(name, names.conditions)}", path, resource=owner)

    for section in ("Resources", "Outputs"):
        entries = root.get(section)
        if not isinstance(entries, dict):
            continue
        for logical_id, entry in entries.items():
            if isinstance(entry, dict) and isinstance(entry.get("Condition"), str) \
                    and entry["Condition"] not in names.conditions:
                yield unknown(entry["Condition"], (section, logical_id, "Condition"),
                              logical_id if section == "Resources" else None, "Condition")
    edges: dict[str, list[str]] = {}
    for node, path, owner in calls:
        key, value = next(iter(node.items()))
        name = None
        if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
            name, where, at_path = value[0], "Fn::If", (*path, key, 0)
        elif key == "Condition" and isinstance(value, str) and path[:1] == ("Conditions",):
            name, where, at_path = value, "Condition", (*path, key)
        if name is None:
            continue
        if name not in names.conditions:
            yield unknown(name, at_path, owner, where)
        elif path[:1] == ("Conditions",) and len(path) > 1:
            edges.setdefault(str(path[1]), []).append(name)
    for cycle in _cycles(edges):
        yield problem(ctx, "E3008",
                      f"conditions refer to each other in a loop: {' -> '.join(cycle)}",
                      ("Conditions", cycle[0]))


def _cycles(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Each elementary loop once, as [A, B, …, A], starting from its smallest name."""
    found: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()

    def visit(node: str, stack: list[str], on_stack: set[str]) -> None:
        for nxt in edges.get(node, ()):
            if nxt in on_stack:
                loop = stack[stack.index(nxt):]
                start = loop.index(min(loop))
                key = tuple(loop[start:] + loop[:start])
                if key not in seen:
                    seen.add(key)
                    found.append([*key, key[0]])
            elif nxt not in done:
                stack.append(nxt)
                on_stack.add(nxt)
                visit(nxt, stack, on_stack)
                on_stack.discard(stack.pop())
        done.add(node)

    done: set[str] = set()
    for start in sorted(edges):
        if start not in done:
            visit(start, [start], {start})
    return found


CHECKS: tuple[Check, ...] = (check_references,)

