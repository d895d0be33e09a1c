"""Evaluate CloudFormation's intrinsic functions on loaded nodes. Pure: no I/O.

Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::Base64,
Fn::Cidr, Fn::GetAZs, Fn::Length, Fn::ToJsonString, and the condition functions, following
the "Intrinsic function reference" of the CloudFormation user guide. What cannot be known
locally (Fn::ImportValue, Fn::Transform, attributes AWS invents) becomes `Unresolved`.
Names (Ref targets, conditions, mappings) come from a `Lookups` object, which resolve.py
provides; problems are collected, never raised, and nesting depth is bounded.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from samlite.errors import Mark, Problem
from samlite.template.model import Unresolved
from samlite.template.nodes import MappingNode, SequenceNode, dotted

MAX_DEPTH = 120   # nesting levels of values and intrinsics; far beyond any real template
# Values with nothing to evaluate, told by exact class: cheaper than the Mapping ABC check.
_PLAIN = frozenset((str, int, float, bool, type(None)))

# Problem codes this module reports (resolve.py lists the whole family).
E_UNKNOWN_CONDITION = "E3203"
E_TOO_DEEP = "E3206"
E_BAD_ARGUMENTS = "E3207"
E_FIND_IN_MAP = "E3208"
E_CANNOT_EVALUATE = "E3209"
E_UNKNOWN_FUNCTION = "E3210"
W_NOT_EXPANDED = "W3213"


class _NoValue:
    """AWS::NoValue: the key or list item holding it is removed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class Lookups(Protocol):
    """What evaluation needs from the template: resolve.py implements it."""

    region: str
    mappings: Mapping[str, Any]

    def ref(self, name: str, at: Mark, path: str) -> Any: ...
    def get_att(self, resource: str, attribute: str, at: Mark, path: str) -> Any: ...
    def condition(self, name: str, at: Mark, path: str) -> bool | None: ...


Path = tuple[str | int, ...]


def is_unresolved(value: Any) -> bool:
    """True when `value` is, or contains, something that cannot be known locally."""
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, Mapping):
        return any(is_unresolved(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unresolved(v) for v in value)
    return False


def as_text(value: Any) -> str | None:
    """A scalar as CloudFormation turns it into text (true/false in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def plain(value: Any) -> Any:
    """Nodes -> plain dicts and lists; Unresolved -> its `${…}` text (for Fn::ToJsonString)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Unresolved):
        return str(value)
    return value


def sequence(items: list[Any], at: Mark) -> SequenceNode:
    node = SequenceNode(items, mark=at)
    node.item_marks = [at] * len(items)
    return node


class Evaluator:
    """One template's evaluation: holds the problems found and the current nesting depth."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.problems: list[Problem] = []
        self._depth = 0
        self._functions: dict[str, Callable[[Any, Path, Mark], Any]] = {
            "Ref": self._ref, "Fn::GetAtt": self._get_att, "Fn::Sub": self._sub,
            "Fn::Join": self._join, "Fn::Select": self._select, "Fn::Split": self._split,
            "Fn::If": self._if, "Fn::FindInMap": self._find_in_map, "Fn::Base64": self._base64,
            "Fn::Cidr": self._cidr, "Fn::GetAZs": self._get_azs,
            "Fn::ImportValue": self._import_value, "Fn::Length": self._length,
            "Fn::ToJsonString": self._to_json_string, "Fn::Transform": self._transform,
            "Fn::Equals": self._as_condition, "Fn::And": self._as_condition,
            "Fn::Or": self._as_condition, "Fn::Not": self._as_condition,
        }

    # ---- problems ----

    def problem(self, code: str, message: str, at: Mark, path: Path | str) -> None:
        text = path if isinstance(path, str) else dotted(path)
        parts = text.split(".")
        resource = parts[1] if len(parts) > 1 and parts[0] == "Resources" else None
        self.problems.append(Problem(code=code, message=message, at=at, path=text,
                                     resource=resource))

    def _bad(self, function: str, expected: str, got: Any, at: Mark, path: Path) -> Unresolved:
        self.problem(E_BAD_ARGUMENTS, f"{function} takes {expected}, got {_show(got)}", at, path)
        return Unresolved(function)

    # ---- walking values ----

    def evaluate(self, value: Any, path: Path, at: Mark) -> Any:
        """`value` with every intrinsic evaluated; containers are new nodes with the marks of
        the ones they came from. AWS::NoValue removes the key or item holding it."""
        kind = value.__class__
        if kind in _PLAIN:
            return value
        # a loaded template's own node types first: the ABC check of Mapping costs ~10x more
        is_mapping = kind is MappingNode or (
            kind is not SequenceNode and isinstance(value, Mapping))
        if not is_mapping and not isinstance(value, list):
            return value
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                if self._depth == MAX_DEPTH + 1:
                    self.problem(E_TOO_DEEP, f"values or intrinsic functions are nested more "
                                 f"than {MAX_DEPTH} levels deep (a reference loop?); "
                                 "samlite stops evaluating here", _mark(value, at), path)
                return Unresolved("nested too deeply")
            if is_mapping:
                if len(value) == 1:
                    key = next(iter(value))
                    if key == "Ref" or str(key).startswith("Fn::"):
                        return self._call(str(key), value[key], path, _mark(value, at))
                return self._mapping(value, path, at)
            return self._sequence(value, path, at)
        finally:
            self._depth -= 1

    def _mapping(self, value: Mapping[str, Any], path: Path, at: Mark) -> MappingNode:
        node = MappingNode(mark=_mark(value, at))
        if not isinstance(value, MappingNode):
            for key, child in value.items():
                result = self.evaluate(child, (*path, key), node.mark)
                if result is not NO_VALUE:
                    node[key] = result
            return node
        # the hot loop of resolving (every key of every resource): marks read directly
        value_marks, key_marks, default = value.value_marks, value.key_marks, value.mark
        node_value_marks, node_key_marks = node.value_marks, node.key_marks
        for key, child in value.items():
            child_at = value_marks.get(key, default)
            if child.__class__ in _PLAIN:   # most values: nothing to evaluate
                result = child
            else:
                result = self.evaluate(child, (*path, key), child_at)
                if result is NO_VALUE:
                    continue
            node[key] = result
            node_key_marks[key] = key_marks.get(key, default)
            node_value_marks[key] = child_at
        return node

    def _sequence(self, value: list[Any], path: Path, at: Mark) -> SequenceNode:
        node = SequenceNode(mark=_mark(value, at))
        marked = isinstance(value, SequenceNode)
        for index, child in enumerate(value):
            child_at = value.mark_of(index) if marked else node.mark
            result = self.evaluate(child, (*path, index), child_at)
            if result is NO_VALUE:
                continue
            node.append(result)
            node.item_marks.append(child_at)
        return node

    def _call(self, name: str, argument: Any, path: Path, at: Mark) -> Any:
        function = self._functions.get(name)
        if function is not None:
            return function(argument, (*path, name), at)
        if name.startswith("Fn::ForEach"):
            self.problem(W_NOT_EXPANDED, "Fn::ForEach (AWS::LanguageExtensions) is not "
                         "expanded locally; its value is left unresolved", at, path)
            return Unresolved(name)
        import difflib  # only to suggest a fix

        hint = difflib.get_close_matches(name, list(self._functions), n=1)
        also = f"; did you mean {hint[0]}?" if hint else ""
        self.problem(E_UNKNOWN_FUNCTION,
                     f"{name} is not an intrinsic function CloudFormation knows{also}", at, path)
        return Unresolved(name)

    def _args(self, function: str, argument: Any, count: int | tuple[int, ...], path: Path,
              at: Mark) -> list[Any] | None:
        counts = (count,) if isinstance(count, int) else count
        if not isinstance(argument, list) or len(argument) not in counts:
            want = " or ".join(str(c) for c in counts)
            self._bad(function, f"a list of {want} items", argument, at, path)
            return None
        return list(argument)

    # ---- Ref, GetAtt, Sub ----

    def _ref(self, argument: Any, path: Path, at: Mark) -> Any:
        name = argument
        if isinstance(name, Mapping | list):   # AWS::LanguageExtensions allows intrinsics here
            name = self.evaluate(name, path, at)
        if not isinstance(name, str):
            if isinstance(name, Unresolved):
                return name
            return self._bad("Ref", "the name of a parameter or resource", argument, at, path)
        return self.lookups.ref(name, at, dotted(path))

    def _get_att(self, argument: Any, path: Path, at: Mark) -> Any:
        if isinstance(argument, str):
            resource, dot, attribute = argument.partition(".")
            if not dot:
                return self._bad("Fn::GetAtt", "[resource, attribute] or 'Resource.Attribute'",
                                 argument, at, path)
            return self.lookups.get_att(resource, attribute, at, dotted(path))
        args = self._args("Fn::GetAtt", argument, 2, path, at)
        if args is None:
            return Unresolved("Fn::GetAtt")
        resource = args[0]
        attribute = self.evaluate(args[1], (*path, 1), at)
        if isinstance(attribute, Unresolved):
            return attribute
        if not isinstance(resource, str) or not isinstance(attribute, str):
            return self._bad("Fn::GetAtt", "a resource name and an attribute name", argument,
                             at, path)
        return self.lookups.get_att(resource, attribute, at, dotted(path))

    _SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

    def _sub(self, argument: Any, path: Path, at: Mark) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list):
            args = self._args("Fn::Sub", argument, 2, path, at)
            if args is None:
                return Unresolved("Fn::Sub")
            text, raw_vars = args
            evaluated = self.evaluate(raw_vars, (*path, 1), at)
            if not isinstance(evaluated, Mapping):
                return self._bad("Fn::Sub", "a mapping of variables as its second item",
                                 raw_vars, at, path)
            variables = evaluated
        else:
            text = argument
        if isinstance(text, Mapping | list):
            text = self.evaluate(text, path, at)
        if isinstance(text, Unresolved):
            return text
        if not isinstance(text, str):
            return self._bad("Fn::Sub", "a string or [string, {variables}]", argument, at, path)
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            name = inner.strip()
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                resource, _, attribute = name.partition(".")
                value = self.lookups.get_att(resource, attribute, at, dotted(path))
            else:
                value = self.lookups.ref(name, at, dotted(path))
            text_value = as_text(value)
            if text_value is not None:
                return text_value
            if not isinstance(value, Unresolved):
                self.problem(E_CANNOT_EVALUATE, f"Fn::Sub variable ${{{name}}} is "
                             f"{_show(value)}, not a string", at, path)
            unknown = True
            return str(value) if isinstance(value, Unresolved) else match.group(0)

        result = self._SUB_VARIABLE.sub(substitute, text)
        return Unresolved(result) if unknown else result

    # ---- list and string functions ----

    def _join(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::Join", argument, 2, path, at)
        if args is None:
            return Unresolved("Fn::Join")
        delimiter = self.evaluate(args[0], (*path, 0), at)
        items = self.evaluate(args[1], (*path, 1), at)
        if isinstance(items, Unresolved):
            return items
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return self._bad("Fn::Join", "[delimiter, [values]]", argument, at, path)
        parts: list[str] = []
        unknown = False
        for item in items:
            text = as_text(item)
            if text is None:
                if not isinstance(item, Unresolved):
                    self.problem(E_CANNOT_EVALUATE, f"Fn::Join can only join strings, got "
                                 f"{_show(item)}", at, path)
                unknown = True
                text = str(item)
            parts.append(text)
        joined = delimiter.join(parts)
        return Unresolved(joined) if unknown else joined

    def _select(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::Select", argument, 2, path, at)
        if args is None:
            return Unresolved("Fn::Select")
        index = self.evaluate(args[0], (*path, 0), at)
        items = self.evaluate(args[1], (*path, 1), at)
        if isinstance(index, Unresolved):
            return index
        if isinstance(items, Unresolved):
            return Unresolved(f"Fn::Select {index} of {items.expression}")
        if isinstance(index, str) and index.strip().isdigit():
            index = int(index)
        if not isinstance(index, int) or isinstance(index, bool) or not isinstance(items, list):
            return self._bad("Fn::Select", "[index, [values]]", argument, at, path)
        if not 0 <= index < len(items):
            self.problem(E_CANNOT_EVALUATE, f"Fn::Select index {index} is out of range for a "
                         f"list of {len(items)} items", at, path)
            return Unresolved("Fn::Select")
        return items[index]

    def _split(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::Split", argument, 2, path, at)
        if args is None:
            return Unresolved("Fn::Split")
        delimiter = self.evaluate(args[0], (*path, 0), at)
        source = self.evaluate(args[1], (*path, 1), at)
        if isinstance(source, Unresolved):
            return Unresolved(f"Fn::Split {source.expression}")
        if not isinstance(delimiter, str) or not delimiter or not isinstance(source, str):
            return self._bad("Fn::Split", "[delimiter, string]", argument, at, path)
        return sequence(source.split(delimiter), at)

    def _base64(self, argument: Any, path: Path, at: Mark) -> Any:
        value = self.evaluate(argument, path, at)
        if isinstance(value, Unresolved):
            return Unresolved(f"Fn::Base64 {value.expression}")
        text = as_text(value)
        if text is None:
            return self._bad("Fn::Base64", "a string", argument, at, path)
        return base64.b64encode(text.encode()).decode()

    def _cidr(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::Cidr", argument, 3, path, at)
        if args is None:
            return Unresolved("Fn::Cidr")
        import ipaddress  # only templates with Fn::Cidr pay for it

        block, count, bits = (self.evaluate(a, (*path, i), at) for i, a in enumerate(args))
        if any(isinstance(v, Unresolved) for v in (block, count, bits)):
            return Unresolved("Fn::Cidr")
        try:
            network = ipaddress.ip_network(str(block), strict=False)
            count_n, bits_n = int(count), int(bits)
        except ValueError:
            return self._bad("Fn::Cidr", "[ip block, count, cidr bits]", argument, at, path)
        new_prefix = network.max_prefixlen - bits_n
        if not 1 <= count_n <= 256 or bits_n < 1 or new_prefix < network.prefixlen:
            self.problem(E_CANNOT_EVALUATE, f"Fn::Cidr cannot carve {count_n} subnets of "
                         f"{bits_n} host bits out of {network}", at, path)
            return Unresolved("Fn::Cidr")
        subnets: list[Any] = []
        for subnet in network.subnets(new_prefix=new_prefix):
            if len(subnets) == count_n:
                break
            subnets.append(str(subnet))
        if len(subnets) < count_n:
            self.problem(E_CANNOT_EVALUATE, f"Fn::Cidr: {network} holds only {len(subnets)} "
                         f"subnets of {bits_n} host bits, not {count_n}", at, path)
        return sequence(subnets, at)

    def _get_azs(self, argument: Any, path: Path, at: Mark) -> Any:
        region = self.evaluate(argument, path, at)
        if isinstance(region, Unresolved):
            return Unresolved("Fn::GetAZs")
        if region in ("", None):
            region = self.lookups.region
        if not isinstance(region, str):
            return self._bad("Fn::GetAZs", "a region name or ''", argument, at, path)
        return sequence([f"{region}{zone}" for zone in "abc"], at)

    def _import_value(self, argument: Any, path: Path, at: Mark) -> Any:
        name = self.evaluate(argument, path, at)
        return Unresolved(f"Fn::ImportValue {as_text(name) or _show(name)}")

    def _length(self, argument: Any, path: Path, at: Mark) -> Any:
        value = self.evaluate(argument, path, at)
        if isinstance(value, Unresolved):
            return Unresolved(f"Fn::Length {value.expression}")
        if not isinstance(value, list):
            return self._bad("Fn::Length", "a list", argument, at, path)
        return len(value)

    def _to_json_string(self, argument: Any, path: Path, at: Mark) -> Any:
        value = self.evaluate(argument, path, at)
        if not isinstance(value, Mapping | list):
            return self._bad("Fn::ToJsonString", "a mapping or a list", argument, at, path)
        return json.dumps(plain(value), separators=(",", ":"), default=str)

    def _transform(self, argument: Any, path: Path, at: Mark) -> Any:
        # AWS::Include with a local Location was inlined by includes.py before resolution;
        # what is left (a Location in S3) cannot be known locally.
        name = argument.get("Name") if isinstance(argument, Mapping) else None
        return Unresolved(f"Fn::Transform {name if isinstance(name, str) else ''}".strip())

    # ---- conditions ----

    def _if(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::If", argument, 3, path, at)
        if args is None:
            return Unresolved("Fn::If")
        name = args[0]
        if not isinstance(name, str):
            return self._bad("Fn::If", "[condition name, value if true, value if false]",
                             argument, at, path)
        # At the name, where the reference check reports an unknown one too (one line).
        holds = self.lookups.condition(name, at, dotted((*path, 0)))
        index = 1 if holds else 2
        return self.evaluate(args[index], (*path, index), at)

    def _find_in_map(self, argument: Any, path: Path, at: Mark) -> Any:
        args = self._args("Fn::FindInMap", argument, (3, 4), path, at)
        if args is None:
            return Unresolved("Fn::FindInMap")
        keys = [self.evaluate(a, (*path, i), at) for i, a in enumerate(args[:3])]
        default: Any = NO_VALUE
        if len(args) == 4:
            # AWS::LanguageExtensions: [map, key, key, {DefaultValue: value}]
            option = args[3]
            if not isinstance(option, Mapping) or set(option) != {"DefaultValue"}:
                return self._bad("Fn::FindInMap", "a fourth item {DefaultValue: value}",
                                 option, at, path)
            default = option["DefaultValue"]
        for key in keys:
            if isinstance(key, Unresolved):
                return Unresolved(f"Fn::FindInMap {key.expression}")
        names = [as_text(k) for k in keys]
        if any(n is None for n in names):
            return self._bad("Fn::FindInMap", "[map name, top-level key, second-level key]",
                             argument, at, path)
        found: Any = self.lookups.mappings
        where: list[str] = []
        for key in names:
            if not isinstance(found, Mapping) or key not in found:
                if default is not NO_VALUE:
                    return self.evaluate(default, (*path, 3, "DefaultValue"), at)
                return self._missing_in_map(where, str(key), found, at, path)
            found = found[key]
            where.append(str(key))
        return self.evaluate(found, path, at)

    def _missing_in_map(self, where: list[str], key: str, found: Any, at: Mark,
                        path: Path) -> Unresolved:
        if not where:
            what = f"Mappings has no map {key!r}"
        else:
            what = f"Mappings.{'.'.join(where)} has no key {key!r}"
        options = list(found) if isinstance(found, Mapping) else []
        import difflib  # only to suggest a fix

        hint = difflib.get_close_matches(key, options, n=1, cutoff=0.8)
        also = f"; did you mean {hint[0]!r}?" if hint else ""
        self.problem(E_FIND_IN_MAP, f"Fn::FindInMap: {what}{also}", at, path)
        return Unresolved("Fn::FindInMap")

    def _as_condition(self, argument: Any, path: Path, at: Mark) -> Any:
        name = path[-1]
        holds = self.truth(MappingNode([(str(name), argument)], mark=at), path[:-1], at)
        return Unresolved(str(name)) if holds is None else holds

    def truth(self, node: Any, path: Path, at: Mark) -> bool | None:
        """A condition's value: True, False, or None when it depends on values only AWS knows."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                self.problem(E_TOO_DEEP, f"conditions are nested more than {MAX_DEPTH} levels "
                             "deep", at, path)
                return None
            return self._truth(node, path, _mark(node, at))
        finally:
            self._depth -= 1

    def _truth(self, node: Any, path: Path, at: Mark) -> bool | None:
        if isinstance(node, bool):
            return node
        if not (isinstance(node, Mapping) and len(node) == 1):
            self.problem(E_BAD_ARGUMENTS, "a condition must be Fn::Equals, Fn::And, Fn::Or, "
                         f"Fn::Not or {{Condition: name}}, got {_show(node)}", at, path)
            return False
        key, argument = next(iter(node.items()))
        inner = (*path, key)
        if key == "Condition":
            if not isinstance(argument, str):
                self._bad("Condition", "a condition name", argument, at, inner)
                return False
            return self.lookups.condition(argument, at, dotted(inner))
        if key == "Fn::Equals":
            args = self._args(key, argument, 2, inner, at)
            if args is None:
                return False
            left, right = (_canonical(self.evaluate(a, (*inner, i), at))
                           for i, a in enumerate(args))
            return None if left is None or right is None else left == right
        if key == "Fn::Not":
            args = self._args(key, argument, 1, inner, at)
            value = self.truth(args[0], (*inner, 0), at) if args else False
            return None if value is None else not value
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
                self._bad(key, "a list of 2 to 10 conditions", argument, at, inner)
                return False
            values = [self.truth(a, (*inner, i), at) for i, a in enumerate(argument)]
            decisive = key == "Fn::Or"   # Or: one True decides; And: one False decides
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        if key == "Fn::If":
            args = self._args(key, argument, 3, inner, at)
            if args is None or not isinstance(args[0], str):
                return False
            holds = self.lookups.condition(args[0], at, dotted((*inner, 0)))
            return self.truth(args[1 if holds else 2], (*inner, 1 if holds else 2), at)
        self.problem(E_BAD_ARGUMENTS, f"{key} cannot be used in a condition; use Fn::Equals, "
                     "Fn::And, Fn::Or, Fn::Not or Condition", at, path)
        return False


def _canonical(value: Any) -> Any:
    """The form Fn::Equals compares: CloudFormation compares values as text."""
    if is_unresolved(value):
        return None
    text = as_text(value)
    if text is not None:
        return text
    return json.dumps(plain(value), sort_keys=True, default=str)


def _mark(value: Any, default: Mark) -> Mark:
    return getattr(value, "mark", None) or default


def _show(value: Any) -> str:
    """A short rendering of a wrong value for messages."""
    if isinstance(value, Unresolved):
        return str(value)
    text = json.dumps(plain(value), default=str) if isinstance(value, Mapping | list) else repr(
        value)
    return text if len(text) <= 60 else text[:57] + "..."
