"""Check a loaded template against the JSON Schemas in schemas/ and say what was expected.

Validation is per resource, dispatched on its Type (one small schema per type, and one per
event type), which is much faster than one giant oneOf and gives one clear message per mistake.
A value may always be an intrinsic function: problems at or under one are dropped. Types with no
schema here (any other AWS:: or Custom:: type) are accepted without property checks; an
AWS:: type that looks misspelt is reported (resource_types.py).

Codes (stable; E error, W warning):
  E1010  unknown top-level section
  E1011  a top-level section has the wrong shape (Resources missing, a Parameter without Type, ...)
  E1012  a resource is not a mapping, or has no Type
  E1013  unknown resource attribute that looks like a typo (DependOn, Propertes, ...)
  W1013  unknown resource attribute
  E1014  a resource attribute has a wrong value (DependsOn, DeletionPolicy, Condition, ...)
  E1015  a logical id or parameter name is not alphanumeric
  E1016  Globals: unsupported section or property
  E1017  an AWS::Serverless:: type SAM does not define (template/resource_types.py)
  W1017  an AWS:: type samlite does not know, a small edit from one it knows
  E2001  a property value is not what AWS accepts (type, range, allowed values)
  W2001  a property value CloudFormation is likely to refuse, though SAM passes it through
  E2002  unknown property (with "did you mean"); on CloudFormation types only a likely typo
  W2002  unknown property of a CloudFormation type that is not close to a known one
  E2003  missing required property
  E2004  an event has no Type or an unknown Type
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path as PathLib
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.load import LoadedTemplate
from samlite.template.nodes import dotted, is_intrinsic, key_mark_at, mark_at
from samlite.template.resource_types import (
    READ_WITHOUT_SCHEMA,
    REAL_NEAR_KNOWN,
    SAM_TYPES,
    unknown_type,
)
from samlite.template.schema_predicates import (
    UncompiledKeyword,
    as_number,
    as_text,
    compile_predicate,
    in_enum,
    is_boolean,
    is_integer,
    is_number,
    is_string,
)

Path = list[str | int]

_VALUE_CHECKS = ("additionalProperties", "required", "propertyNames")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Schemas:
    template: Any                     # a jsonschema validator for the top level
    resources: Mapping[str, Any]      # resource Type -> validator of its Properties
    globals_types: Mapping[str, str]  # Globals section name -> resource Type
    events: Mapping[str, Any]         # event Type -> validator of its Properties
    optional_event_properties: frozenset[str]
    event_keys: tuple[str, ...]
    known_types: frozenset[str]       # every resource Type samlite knows


def check_schema(loaded: LoadedTemplate) -> Iterator[Problem]:
    """Every schema problem in the template, in template order."""
    root = loaded.root
    if not isinstance(root, Mapping):
        return
    schemas = _compiled()
    default = Mark(loaded.name)
    report = _Reporter(root=root, default=default)
    yield from report.errors(schemas.template.iter_errors(root), base=[], instance=root,
                             context="template")
    yield from _check_globals(root, schemas, report)
    resources = root.get("Resources")
    if not isinstance(resources, Mapping):
        return
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or str(logical_id).startswith("Fn::"):
            continue
        rtype = resource.get("Type")
        validator = schemas.resources.get(rtype) if isinstance(rtype, str) else None
        if validator is None:
            if isinstance(rtype, str) and rtype not in schemas.known_types:
                yield from _check_type(rtype, logical_id, schemas, report)
            continue
        props = resource.get("Properties")
        base: Path = ["Resources", logical_id, "Properties"]
        if props is None:
            if not validator.schema.get("required"):
                continue
            props, base = {}, ["Resources", logical_id]
        if not isinstance(props, Mapping) or is_intrinsic(props):
            continue   # the template schema has said "Properties must be a mapping"
        yield from report.errors(validator.iter_errors(props), base=base, instance=props,
                                 context="properties", owner=rtype, resource=logical_id)
        if rtype == "AWS::Serverless::Function":
            yield from _check_events(props, base, schemas, report, logical_id)


def modelled_types() -> frozenset[str]:
    """The resource types samlite models: the ones with a schema here, and the ones it reads
    without one. Any other type in a template is not run locally."""
    return frozenset(_compiled().resources) | READ_WITHOUT_SCHEMA


def _check_type(rtype: str, logical_id: str, schemas: _Schemas,
                report: _Reporter) -> Iterator[Problem]:
    found = unknown_type(rtype, schemas.known_types)
    if found is not None:
        code, tail = found
        yield report.problem(code, ["Resources", logical_id, "Type"], logical_id,
                             f"resource {logical_id} has type {rtype}: {tail}")


def _check_globals(root: Mapping[str, Any], schemas: _Schemas,
                   report: _Reporter) -> Iterator[Problem]:
    section_map = root.get("Globals")
    if not isinstance(section_map, Mapping) or is_intrinsic(section_map):
        return
    for section, body in section_map.items():
        rtype = schemas.globals_types.get(section)
        if rtype is None or not isinstance(body, Mapping) or is_intrinsic(body):
            continue
        errors = (e for e in schemas.resources[rtype].iter_errors(body)
                  # which keys Globals allows is the template schema's job
                  if e.validator not in ("additionalProperties", "required") or e.path)
        yield from report.errors(errors, base=["Globals", section], instance=body,
                                 context="properties", owner=f"Globals.{section}")


def _check_events(props: Mapping[str, Any], base: Path, schemas: _Schemas, report: _Reporter,
                  logical_id: str) -> Iterator[Problem]:
    events = props.get("Events")
    if not isinstance(events, Mapping) or is_intrinsic(events):
        return
    known = sorted(schemas.events)
    for name, event in events.items():
        if not isinstance(event, Mapping) or is_intrinsic(event):
            continue
        path: Path = [*base, "Events", name]
        etype = event.get("Type")
        if is_intrinsic(etype):
            continue
        if etype is None:
            yield report.problem("E2004", path, logical_id,
                                 f"event {name} has no Type; known types: {', '.join(known)}")
            continue
        if not isinstance(etype, str) or etype not in schemas.events:
            close = _did_you_mean(str(etype), known).removeprefix("; ")
            yield report.problem("E2004", [*path, "Type"], logical_id,
                                 f"unknown event type {_shown(etype)} in event {name}; "
                                 + (f"{close} " if close else "")
                                 + "known types: " + ", ".join(known))
            continue
        for key in event:
            if key not in schemas.event_keys and not str(key).startswith("Fn::"):
                yield report.problem(
                    "E2002", [*path, key], logical_id, at_key=True,
                    message=f"unknown key {key} in event {name}"
                            + (_did_you_mean(key, schemas.event_keys)
                               or f"; expected {', '.join(schemas.event_keys)}"))
        event_props = event.get("Properties")
        if event_props is None:
            if etype not in schemas.optional_event_properties:
                yield report.problem("E2003", path, logical_id,
                                     f"event {name} of type {etype} needs Properties")
            continue
        validator = schemas.events[etype]
        yield from report.errors(validator.iter_errors(event_props), base=[*path, "Properties"],
                                 instance=event_props, context="properties",
                                 owner=f"{etype} event", resource=logical_id)


@dataclass(frozen=True, slots=True)
class _Reporter:
    """Turns jsonschema errors into Problems: drops the ones an intrinsic explains, phrases the
    rest from the schema's `x-expected` annotation, and points at the right line."""

    root: Mapping[str, Any]
    default: Mark

    def problem(self, code: str, path: Path, resource: str | None, message: str, *,
                at_key: bool = False) -> Problem:
        where = key_mark_at if at_key else mark_at
        return Problem(code=code, message=message, at=where(self.root, path, self.default),
                       path=dotted(path), resource=resource)

    def errors(self, errors: Any, *, base: Path, instance: Any, context: str,
               owner: str = "", resource: str | None = None) -> Iterator[Problem]:
        found = []
        for error in errors:
            rel: Path = list(error.absolute_path)
            if _explained_by_intrinsic(instance, rel):
                continue
            path = base + rel
            res = resource
            if res is None and len(path) >= 2 and path[0] == "Resources":
                res = str(path[1])
            found.extend(self._phrase(error, path, rel, context, owner, res))
        found.sort(key=lambda p: (p.at.line, p.at.column, p.path))
        yield from found

    def _phrase(self, error: Any, path: Path, rel: Path, context: str, owner: str,
                resource: str | None) -> Iterator[Problem]:
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        kind = error.validator
        if kind == "additionalProperties":
            allowed = list(schema.get("properties", {}))
            for key in error.instance:
                if key in allowed or str(key).startswith("Fn::"):
                    continue
                hint = _did_you_mean(str(key), allowed)
                code, message = _unknown_key(context, path, rel, owner, str(key), bool(hint))
                if not hint and 0 < len(allowed) <= 8:
                    hint = f"; expected one of {', '.join(allowed)}"
                yield self.problem(code, [*path, key], resource, message + hint, at_key=True)
            return
        if kind == "required":
            for key in error.validator_value:
                if not isinstance(error.instance, Mapping) or key in error.instance:
                    continue
                known = schema.get("properties", {})
                if any(_did_you_mean(str(k), [key]) for k in error.instance if k not in known):
                    continue   # the unknown-key problem already says "did you mean {key}?"
                code = "E2003" if context == "properties" else _structure_code(path)
                if not path:
                    yield self.problem(code, path, resource, f"the template has no {key} section")
                    continue
                of = f" of {owner}" if owner and not rel else ""
                where = f" in {_name(path)}" if rel or not owner else ""
                yield self.problem(code, path, resource,
                                   f"missing required property {key}{of}{where}")
            return
        if "propertyNames" in list(error.absolute_schema_path)[-2:]:
            expected = schema.get("x-expected", "alphanumeric")
            yield self.problem("E1015", [*path, error.instance], resource, at_key=True,
                               message=f"name {_shown(error.instance)} must be {expected}")
            return
        expected = schema.get("x-expected") or _generic_expected(kind, error.validator_value)
        name = _name(path)
        if kind == "minProperties":
            message = f"{name} must not be empty"
        else:
            message = f"{name} must be {expected}, got {_shown(error.instance)}"
        if context == "properties":
            code = "W2001" if schema.get("x-severity") == "warning" else "E2001"
        else:
            code = _structure_code(path)
        yield self.problem(code, path, resource, message)


def _explained_by_intrinsic(instance: Any, rel: Sequence[str | int]) -> bool:
    """True when the error sits at or under an intrinsic function, or under a Fn:: key."""
    node = instance
    if is_intrinsic(node):
        return True
    for step in rel:
        if isinstance(step, str) and step.startswith("Fn::"):
            return True
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
        if is_intrinsic(node):
            return True
    return False


def _unknown_key(context: str, path: Path, rel: Path, owner: str, key: str,
                 is_typo: bool) -> tuple[str, str]:
    """The code and message for a key the schema does not know. SAM refuses unknown keys, so
    they are errors there; on CloudFormation types and resource attributes only a likely typo
    is an error, since AWS adds properties faster than any schema copy follows."""
    if context == "properties":
        strict = is_typo or owner.startswith(("AWS::Serverless::", "Globals.")) \
            or owner.endswith(" event")
        code = "E2002" if strict else "W2002"
        where = f"of {owner}" if not rel and owner else f"in {_name(path)}"
        return code, f"unknown property {key} {where}"
    if not path:
        return "E1010", f"unknown section {key}"
    if path[0] == "Globals":
        if len(path) == 1:
            return "E1016", f"unknown Globals section {key}"
        return "E1016", f"{key} is not supported in {dotted(path)}"
    if path[0] == "Resources" and len(path) == 2:
        return ("E1013" if is_typo else "W1013"), f"unknown resource attribute {key}"
    return "E1011", f"unknown key {key} in {dotted(path)}"


def _structure_code(path: Path) -> str:
    if not path:
        return "E1011"
    if path[0] == "Resources":
        return {1: "E1011", 2: "E1012"}.get(len(path), "E1014")
    if path[0] == "Globals":
        return "E1016"
    return "E1011"


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return f"; did you mean {lowered[word.lower()]}?"
    import difflib  # only to suggest a fix

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _name(path: Path) -> str:
    """`MemorySize`, `Architectures[0]`: the last key of the path with the indices after it."""
    tail = ""
    for step in reversed(path):
        if isinstance(step, int):
            tail = f"[{step}]" + tail
        else:
            return f"{step}{tail}"
    return "the template" + tail


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = json.dumps(value)
        return text if len(text) <= 60 else text[:56] + '..."'
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return type(value).__name__


def _generic_expected(kind: str, value: Any) -> str:
    if kind == "enum":
        return "one of " + ", ".join(str(v) for v in value)
    if kind == "type":
        kinds = [value] if isinstance(value, str) else list(value)
        return " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
    if kind == "minimum":
        return f"at least {value}"
    if kind == "maximum":
        return f"at most {value}"
    if kind == "minItems":
        return f"a list of at least {value} items"
    if kind == "maxItems":
        return f"a list of at most {value} items"
    if kind == "pattern":
        return f"text matching {value}"
    return f"valid ({kind} {value})"


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "a mapping", "array": "a list",
               "null": "null"}


# ---- compiled once per process: the schemas are constants shipped with samlite ----

class _Checker:
    """One schema: the fast predicate first, jsonschema's validator (built on first need)
    for the errors of a value the predicate does not pass."""

    __slots__ = ("_validator", "is_valid", "schema")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        # Compiled on first use: a template meets a few of the ~60 resource and event
        # schemas, and compiling them all took ~5 ms of every start.
        self.is_valid: Callable[[Any], bool | None] = self._compile_and_check
        self._validator: Any = None

    def _compile_and_check(self, value: Any) -> bool | None:
        try:
            self.is_valid = compile_predicate(self.schema)
        except UncompiledKeyword:   # still right, only slower: jsonschema decides everything
            self.is_valid = _undecided
        return self.is_valid(value)

    def iter_errors(self, value: Any) -> Iterator[Any]:
        if self.is_valid(value) is True:
            return iter(())
        if self._validator is None:
            self._validator = _validator_class()(self.schema)
        return self._validator.iter_errors(value)


def _undecided(value: Any) -> None:
    """Says neither yes nor no, so jsonschema decides."""
    return None


@cache
def _compiled() -> _Schemas:
    loaded = _shipped_schemas()
    resources: dict[str, Any] = {}
    globals_types: dict[str, str] = {}
    for schema in loaded.values():
        rtype = schema.get("x-resource-type")
        if rtype:
            resources[rtype] = _Checker(schema)
            if schema.get("x-globals"):
                globals_types[schema["x-globals"]] = rtype
    events_schema = loaded["function-events.json"]
    events = {name: _Checker({"$schema": events_schema["$schema"], **sub})
              for name, sub in events_schema["$defs"].items()}
    return _Schemas(template=_Checker(loaded["template.json"]), resources=resources,
                    globals_types=globals_types, events=events,
                    optional_event_properties=frozenset(events_schema["x-optional-properties"]),
                    event_keys=tuple(events_schema["x-event-keys"]),
                    known_types=frozenset(resources) | SAM_TYPES | READ_WITHOUT_SCHEMA
                    | REAL_NEAR_KNOWN)


def _shipped_schemas() -> dict[str, Any]:
    # The package's folder, not importlib.resources: samlite installs as plain files, and
    # importlib.resources brings tempfile and zipfile into every `samlite validate`.
    from samlite import schemas

    folder = PathLib(schemas.__file__).parent
    return {entry.name: json.loads(entry.read_text(encoding="utf-8"))
            for entry in sorted(folder.iterdir()) if entry.name.endswith(".json")}


@cache
def _validator_class() -> Any:
    """Draft 2020-12, widened the way CloudFormation reads values (schema_predicates.py):
    "512" is an integer, "true" a boolean, and a number is fine where a string is expected."""
    from jsonschema import Draft202012Validator, validators  # heavy: only for errors

    checker = Draft202012Validator.TYPE_CHECKER.redefine_many({
        "integer": lambda _, v: is_integer(v), "number": lambda _, v: is_number(v),
        "boolean": lambda _, v: is_boolean(v), "string": lambda _, v: is_string(v)})

    def minimum(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
        number = as_number(instance)
        if number is not None and number < limit:
            yield _error(f"{instance!r} is less than the minimum of {limit}")

    def maximum(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
        number = as_number(instance)
        if number is not None and number > limit:
            yield _error(f"{instance!r} is more than the maximum of {limit}")

    def enum(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not in_enum(instance, allowed):
            yield _error(f"{instance!r} is not one of {allowed!r}")

    # jsonschema measures and searches a "string" as str; a number, which is a string here,
    # counts as its digits (jsonschema's own keywords would raise TypeError on it)
    def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterator[Any]:
        text = as_text(instance)
        if text is not None and not re.search(regex, text):
            yield _error(f"{instance!r} does not match {regex!r}")

    def min_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[Any]:
        text = as_text(instance)
        if text is not None and len(text) < limit:
            yield _error(f"{instance!r} is too short")

    def max_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[Any]:
        text = as_text(instance)
        if text is not None and len(text) > limit:
            yield _error(f"{instance!r} is too long")

    return validators.extend(
        Draft202012Validator, type_checker=checker,
        validators={"minimum": minimum, "maximum": maximum, "enum": enum, "pattern": pattern,
                    "minLength": min_length, "maxLength": max_length})


def _error(message: str) -> Any:
    from jsonschema.exceptions import ValidationError
    return ValidationError(message)
