"""Parameters, Conditions, Mappings, Globals and intrinsics -> one resolved template. Pure.

What it returns (ResolvedTemplate and its parts) is in model.py. `resolve` never raises for
a template's problems: they are returned in `.problems`.

Problem codes reported here (letter = severity, as in errors.Problem):
  E2201 parameter value not in AllowedValues      E2202 value not matching AllowedPattern
  E2203 value shorter than MinLength               E2204 value longer than MaxLength
  E2205 value below MinValue                       E2206 value above MaxValue
  E2207 Number parameter whose value is not a number
  E2208 a parameter override for a parameter the template does not declare
  W2209 / E2209 parameter without Default or override (W for validate: CloudFormation asks
        for it at deploy time; E with missing_parameter_is_error=True, for `samlite up`)
  E3201 Ref / Fn::Sub to an unknown parameter, resource or pseudo parameter
  E3202 Fn::GetAtt to an unknown resource        E3203 unknown condition name
  E3204 conditions that refer to each other in a loop
  E3205 resources whose names refer to each other in a loop
  E3206 values or intrinsics nested too deeply   E3207 an intrinsic with wrong arguments
  E3208 Fn::FindInMap key not in Mappings        E3209 intrinsic that cannot be evaluated
  E3210 unknown intrinsic function               W3211 condition undecidable locally
  W3213 Fn::ForEach not expanded locally
  E72xx Globals problems (see globals.py)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template import globals as sam_globals
from samlite.template import intrinsics, names
from samlite.template.load import LoadedTemplate
from samlite.template.model import PseudoParameters, ResolvedTemplate, Resource, Unresolved
from samlite.template.nodes import MappingNode, dotted

_PARAMETER_LOOKUP_HINT = "pass it with --parameter-overrides {name}=value"


def resolve(loaded: LoadedTemplate, *, parameter_overrides: Mapping[str, str] | None = None,
            pseudo: PseudoParameters | None = None,
            missing_parameter_is_error: bool = False) -> ResolvedTemplate:
    """Evaluate `loaded` as CloudFormation would, as far as it can be known locally.

    Globals are merged first, then parameters (defaults, overrides, constraints), conditions,
    the resources whose Condition holds, their properties and the outputs. Containers in the
    result are new MappingNode/SequenceNode objects that keep the source marks."""
    resolver = _Resolver(loaded, parameter_overrides or {}, pseudo or PseudoParameters(),
                         missing_parameter_is_error=missing_parameter_is_error)
    return resolver.run()


class _Resolver:
    """One resolution: implements intrinsics.Lookups over one template."""

    def __init__(self, loaded: LoadedTemplate, overrides: Mapping[str, str],
                 pseudo: PseudoParameters, *, missing_parameter_is_error: bool) -> None:
        self.loaded = loaded
        self.root = loaded.root
        self.pseudo = pseudo
        self.region = pseudo.region
        self.overrides = overrides
        self.missing_is_error = missing_parameter_is_error
        self.top = self.root.mark
        self.problems: list[Problem] = []
        self.evaluator = intrinsics.Evaluator(self)
        self.mappings = _section(self.root, "Mappings")
        self.condition_nodes = _section(self.root, "Conditions")
        self.parameters: dict[str, Any] = {}
        self.resources_raw: MappingNode = MappingNode(mark=self.top)
        self._conditions: dict[str, bool | None] = {}
        self._conditions_active: list[str] = []
        self._names: dict[str, Mapping[str, Any]] = {}
        self._names_active: list[str] = []
        self._serverless_ids: tuple[str, ...] = ()
        self._reported_loops: set[frozenset[str]] = set()

    # ---- the steps ----

    def run(self) -> ResolvedTemplate:
        resources_raw, globals_problems = sam_globals.merge_globals(self.root,
                                                                    file=self.loaded.name)
        self.problems.extend(globals_problems)
        self.resources_raw = resources_raw
        self._serverless_ids = tuple(
            lid for lid, node in resources_raw.items()
            if isinstance(node, Mapping) and str(node.get("Type", "")).startswith(
                "AWS::Serverless::"))
        self._resolve_parameters()
        conditions = {name: bool(self.condition(name, self.top, f"Conditions.{name}"))
                      for name in self.condition_nodes}
        resources = self._resolve_resources()
        outputs = self._resolve_outputs()
        return ResolvedTemplate(
            loaded=self.loaded, pseudo=self.pseudo, parameters=self.parameters,
            conditions=conditions, resources=resources, outputs=outputs,
            problems=(*self.problems, *self.evaluator.problems))

    # ---- parameters ----

    def _resolve_parameters(self) -> None:
        declared = _section(self.root, "Parameters")
        for name, node in declared.items():
            if isinstance(node, Mapping):
                self.parameters[name] = self._parameter(name, node, declared)
        for name in self.overrides:
            if name not in declared:
                hint = _did_you_mean(name, declared)
                at = self.root.key_mark("Parameters") if "Parameters" in self.root else self.top
                self._problem("E2208", f"--parameter-overrides sets {name}, which the template "
                              f"does not declare in Parameters{hint}", at, "Parameters")

    def _parameter(self, name: str, node: Mapping[str, Any], declared: MappingNode) -> Any:
        kind = str(node.get("Type", "String"))
        key_at = declared.key_mark(name)
        if name in self.overrides:
            raw, at, path = str(self.overrides[name]), key_at, f"Parameters.{name}"
        elif "Default" in node:
            raw = _parameter_text(node["Default"])
            at = node.mark_of("Default") if isinstance(node, MappingNode) else key_at
            path = f"Parameters.{name}.Default"
        else:
            code = "E2209" if self.missing_is_error else "W2209"
            self._problem(code, f"Parameter {name} has no Default; "
                          + _PARAMETER_LOOKUP_HINT.format(name=name), key_at,
                          f"Parameters.{name}")
            return Unresolved(name)
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            # The value is read from Systems Manager when the stack is created.
            return Unresolved(f"SSM parameter {raw}")
        is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
        items = [item.strip() for item in raw.split(",")] if is_list and raw else [raw]
        is_number = kind in ("Number", "List<Number>")
        for item in items if is_list else [raw]:
            self._check_constraints(name, node, item, is_number=is_number, at=at, path=path)
        if is_list:
            return intrinsics.sequence(items if raw else [], at)
        if is_number:
            return _number(raw)
        return raw

    def _check_constraints(self, name: str, node: Mapping[str, Any], value: str, *,
                           is_number: bool, at: Mark, path: str) -> None:
        description = node.get("ConstraintDescription")
        tail = f" ({description})" if isinstance(description, str) and description else ""

        def fail(code: str, rule: str) -> None:
            self._problem(code, f"Parameter {name}: {rule}, got {value!r}{tail}", at, path)

        allowed = node.get("AllowedValues")
        if isinstance(allowed, list) and allowed:
            texts = [_parameter_text(v) for v in allowed]
            if value not in texts:
                fail("E2201", "AllowedValues allows only " + ", ".join(texts))
        pattern = node.get("AllowedPattern")
        if isinstance(pattern, str):
            try:
                matches = re.fullmatch(pattern, value) is not None
            except re.error:
                matches = True   # a Java-only pattern: CloudFormation's to judge, not ours
            if not matches:
                fail("E2202", f"AllowedPattern {pattern} does not match")
        for key, code, too in (("MinLength", "E2203", lambda n: len(value) < n),
                               ("MaxLength", "E2204", lambda n: len(value) > n)):
            limit = _number(node.get(key))
            if isinstance(limit, int | float) and too(limit):
                fail(code, f"{key} is {_parameter_text(limit)} characters")
        if not is_number:
            return
        number = _number(value)
        if not isinstance(number, int | float):
            fail("E2207", "the parameter's Type is Number, so the value must be a number")
            return
        for key, code, outside in (("MinValue", "E2205", lambda n: number < n),
                                   ("MaxValue", "E2206", lambda n: number > n)):
            limit = _number(node.get(key))
            if isinstance(limit, int | float) and outside(limit):
                fail(code, f"{key} is {_parameter_text(limit)}")

    # ---- conditions ----

    def condition(self, name: str, at: Mark, path: str) -> bool | None:
        if name in self._conditions:
            return self._conditions[name]
        node = self.condition_nodes.get(name)
        if name not in self.condition_nodes:
            hint = _did_you_mean(name, self.condition_nodes)
            self._problem("E3203", f"condition {name} is not defined in Conditions{hint}",
                          at, path)
            return False
        node_at = self.condition_nodes.mark_of(name)
        if name in self._conditions_active:
            loop = [*self._conditions_active[self._conditions_active.index(name):], name]
            self._report_loop("E3204", "conditions refer to each other in a loop: ", loop,
                              node_at, f"Conditions.{name}")
            return False
        self._conditions_active.append(name)
        try:
            holds = self.evaluator.truth(node, ("Conditions", name), node_at)
        finally:
            self._conditions_active.pop()
        if holds is None:
            self._problem("W3211", f"condition {name} depends on values only AWS knows; "
                          "samlite treats it as false", node_at, f"Conditions.{name}")
        self._conditions[name] = holds
        return holds

    # ---- Ref and GetAtt ----

    def ref(self, name: str, at: Mark, path: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(name, at, path)
        if name in self.parameters:
            return self.parameters[name]
        resource = self.resources_raw.get(name)
        if isinstance(resource, Mapping):
            kind = str(resource.get("Type", ""))
            return names.ref_value(kind, name, self._name_properties(name), self.pseudo)
        if name in names.IMPLICIT_RESOURCES:
            return names.ref_value(names.IMPLICIT_RESOURCES[name], name, {}, self.pseudo)
        generated = self._sam_generated(name)
        if generated is not None:
            return generated
        hint = _did_you_mean(name, [*self.parameters, *self.resources_raw, *_PSEUDO])
        self._problem("E3201", f"Ref to {name}, which is not a parameter or resource of this "
                      f"template{hint}", at, path)
        return Unresolved(name)

    def get_att(self, resource: str, attribute: str, at: Mark, path: str) -> Any:
        node = self.resources_raw.get(resource)
        if isinstance(node, Mapping):
            kind = str(node.get("Type", ""))
            return names.get_att_value(kind, resource, attribute,
                                       self._name_properties(resource), self.pseudo)
        if resource in names.IMPLICIT_RESOURCES:
            return names.get_att_value(names.IMPLICIT_RESOURCES[resource], resource, attribute,
                                       {}, self.pseudo)
        owner = self._sam_owner(resource)
        if owner is not None:
            kind = str(self.resources_raw[owner].get("Type", ""))
            value = names.sam_generated_att(resource, attribute, kind, owner,
                                            self._name_properties(owner), self.pseudo)
            return Unresolved(f"{resource}.{attribute}") if value is None else value
        what = "a parameter, not a resource" if resource in self.parameters else (
            "not a resource of this template")
        hint = "" if resource in self.parameters else _did_you_mean(resource, self.resources_raw)
        self._problem("E3202", f"Fn::GetAtt names {resource}, which is {what}{hint}", at, path)
        return Unresolved(f"{resource}.{attribute}")

    def _pseudo(self, name: str, at: Mark, path: str) -> Any:
        pseudo = self.pseudo
        values: dict[str, Any] = {
            "AWS::Region": pseudo.region, "AWS::AccountId": pseudo.account_id,
            "AWS::StackName": pseudo.stack_name, "AWS::Partition": pseudo.partition,
            "AWS::URLSuffix": pseudo.url_suffix, "AWS::NoValue": intrinsics.NO_VALUE,
            "AWS::StackId": names.stack_id(pseudo),
        }
        if name == "AWS::NotificationARNs":
            return intrinsics.sequence([], at)
        if name in values:
            return values[name]
        hint = _did_you_mean(name, _PSEUDO)
        self._problem("E3201", f"Ref to {name}, which is not a pseudo parameter{hint}", at, path)
        return Unresolved(name)

    def _sam_owner(self, name: str) -> str | None:
        """The Serverless resource whose generated resources `name` is one of
        (`FnRole`, `Fn.Alias`, `MyApiProdStage`…), if any."""
        best = None
        for lid in self._serverless_ids:
            if name != lid and name.startswith(lid) and (best is None or len(lid) > len(best)):
                best = lid
        return best

    def _sam_generated(self, name: str) -> Any | None:
        owner = self._sam_owner(name)
        if owner is None:
            if name.startswith((names.IMPLICIT_REST_API, names.IMPLICIT_HTTP_API)):
                return Unresolved(name)   # e.g. ServerlessRestApiProdStage
            return None
        kind = str(self.resources_raw[owner].get("Type", ""))
        value = names.sam_generated_ref(name, kind, owner, self._name_properties(owner),
                                        self.pseudo)
        # Other generated resources (permissions, stages, deployments) have ids AWS picks.
        return Unresolved(name) if value is None else value

    def _name_properties(self, logical_id: str) -> Mapping[str, Any]:
        """The resolved properties a resource's names depend on (names.NAME_PROPERTIES)."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource = self.resources_raw[logical_id]
        if logical_id in self._names_active:
            loop = [*self._names_active[self._names_active.index(logical_id):], logical_id]
            self._report_loop("E3205", "resource names refer to each other in a loop: ", loop,
                              self.resources_raw.key_mark(logical_id), f"Resources.{logical_id}")
            return {}
        properties = resource.get("Properties")
        wanted = names.NAME_PROPERTIES.get(str(resource.get("Type", "")), ())
        if not isinstance(properties, Mapping) or not wanted:
            self._names[logical_id] = {}
            return {}
        self._names_active.append(logical_id)
        # Problems inside these properties are reported when the resource itself is resolved.
        reported, self.evaluator.problems = self.evaluator.problems, []
        try:
            resolved: dict[str, Any] = {}
            for key in wanted:
                if key in properties:
                    at = properties.mark_of(key) if isinstance(properties, MappingNode) else (
                        self.top)
                    value = self.evaluator.evaluate(
                        properties[key], ("Resources", logical_id, "Properties", key), at)
                    if value is not intrinsics.NO_VALUE:
                        resolved[key] = value
        finally:
            self.evaluator.problems = reported
            self._names_active.pop()
        self._names[logical_id] = resolved
        return resolved

    def _report_loop(self, code: str, text: str, loop: list[str], at: Mark, path: str) -> None:
        key = frozenset(loop)
        if key not in self._reported_loops:
            self._reported_loops.add(key)
            self._problem(code, text + " -> ".join(loop), at, path)

    # ---- resources and outputs ----

    def _resolve_resources(self) -> dict[str, Resource]:
        resources: dict[str, Resource] = {}
        raw_section = _section(self.root, "Resources")
        for logical_id, node in self.resources_raw.items():
            at = self.resources_raw.key_mark(logical_id)
            base = ("Resources", logical_id)
            if logical_id.startswith("Fn::ForEach"):   # its value is a list, never a mapping
                self._problem("W3213", "Fn::ForEach (AWS::LanguageExtensions) is not expanded "
                              "locally; the resources it makes are not checked", at,
                              dotted(base))
                continue
            if not isinstance(node, Mapping):
                continue   # the schema check reports a resource that is not a mapping
            condition = node.get("Condition")
            if isinstance(condition, str) and not self.condition(
                    condition, _child_mark(node, "Condition", at), dotted((*base, "Condition"))):
                continue
            try:
                resources[logical_id] = self._resource(logical_id, node, raw_section, at)
            except RecursionError:
                self._problem("E3206", "values in this resource are nested too deeply to "
                              "evaluate", at, dotted(base))
        return resources

    def _resource(self, logical_id: str, node: Mapping[str, Any], raw_section: MappingNode,
                  at: Mark) -> Resource:
        base = ("Resources", logical_id)
        evaluate = self.evaluator.evaluate
        properties = node.get("Properties")
        resolved = evaluate(properties, (*base, "Properties"), _child_mark(node, "Properties", at))
        if not isinstance(resolved, MappingNode):
            resolved = MappingNode(mark=_child_mark(node, "Properties", at))
        metadata = node.get("Metadata")
        resolved_metadata = evaluate(metadata, (*base, "Metadata"),
                                     _child_mark(node, "Metadata", at))
        depends = node.get("DependsOn")
        depends_on = (depends,) if isinstance(depends, str) else tuple(
            d for d in depends if isinstance(d, str)) if isinstance(depends, list) else ()
        condition = node.get("Condition")
        return Resource(
            logical_id=logical_id, type=str(node.get("Type", "")), properties=resolved,
            metadata=resolved_metadata if isinstance(resolved_metadata, Mapping) else {},
            depends_on=depends_on, condition=condition if isinstance(condition, str) else None,
            at=at, raw=raw_section.get(logical_id, node))

    def _resolve_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        section = _section(self.root, "Outputs")
        for name, node in section.items():
            at = section.mark_of(name)
            if isinstance(node, Mapping):
                condition = node.get("Condition")
                if isinstance(condition, str) and not self.condition(
                        condition, _child_mark(node, "Condition", at),
                        f"Outputs.{name}.Condition"):
                    continue
                node = _without(node, "Condition")
            try:
                outputs[name] = self.evaluator.evaluate(node, ("Outputs", name), at)
            except RecursionError:
                self._problem("E3206", "this output is nested too deeply to evaluate", at,
                              f"Outputs.{name}")
        return outputs

    def _problem(self, code: str, message: str, at: Mark, path: str) -> None:
        parts = path.split(".")
        resource = parts[1] if len(parts) > 1 and parts[0] == "Resources" else None
        self.problems.append(Problem(code=code, message=message, at=at, path=path,
                                     resource=resource))


_PSEUDO = ("AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition",
           "AWS::URLSuffix", "AWS::NoValue", "AWS::StackId", "AWS::NotificationARNs")


def _section(root: Mapping[str, Any], name: str) -> MappingNode:
    node = root.get(name)
    if isinstance(node, MappingNode):
        return node
    mark = getattr(root, "mark", None) or Mark("template")
    return MappingNode(node.items() if isinstance(node, Mapping) else (), mark=mark)


def _child_mark(node: Mapping[str, Any], key: str, default: Mark) -> Mark:
    return node.mark_of(key) if isinstance(node, MappingNode) else default


def _without(node: Mapping[str, Any], key: str) -> MappingNode:
    mark = getattr(node, "mark", None) or Mark("template")
    copy = MappingNode(((k, v) for k, v in node.items() if k != key), mark=mark)
    if isinstance(node, MappingNode):
        copy.key_marks = {k: m for k, m in node.key_marks.items() if k != key}
        copy.value_marks = {k: m for k, m in node.value_marks.items() if k != key}
    return copy


def _did_you_mean(name: str, options: Any) -> str:
    import difflib  # only to suggest a fix

    close = difflib.get_close_matches(name, [str(o) for o in options], n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def _parameter_text(value: Any) -> str:
    """A Default or AllowedValues entry as CloudFormation sees it: text."""
    if isinstance(value, list):
        return ",".join(_parameter_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return intrinsics.as_text(value) or ("" if value is None else str(value))


def _number(value: Any) -> Any:
    """`value` as int or float when it is one (or text of one); otherwise unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


__all__ = ["PseudoParameters", "ResolvedTemplate", "Resource", "Unresolved", "resolve"]
