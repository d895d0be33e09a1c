"""What SAM's translation rules share: the template as SAM sees it (Globals merged, parameter
defaults at hand) and one way to build a Problem that points at a path.

SAM reads some properties itself while it translates (Runtime, AutoPublishAlias, RestApiId,
DefinitionBody, …), so those rules look at the loaded nodes with Globals merged in, not at
values a later deploy would evaluate. Pure: nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.globals import is_intrinsic, merge_globals
from samlite.template.nodes import MappingNode, dotted, mark_at

Path = tuple[str | int, ...]

FUNCTION = "AWS::Serverless::Function"
API = "AWS::Serverless::Api"
HTTP_API = "AWS::Serverless::HttpApi"
# The ids SAM gives the APIs it creates for Api / HttpApi events without RestApiId / ApiId.
IMPLICIT_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"


@dataclass(frozen=True, slots=True, kw_only=True)
class SamView:
    """The template as SAM's translator reads it."""

    root: Mapping[str, Any]
    resources: Mapping[str, Any]      # Globals merged into AWS::Serverless::* resources
    default: Mark                     # where problems point when no node has a mark
    globals_lines: range = range(0)   # the lines of the Globals section
    # Type -> logical ids in template order: ~60 rules each ask for a few types, and a
    # scan of every resource per question is most of their time on a big template.
    ids_by_type: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # events(), found once: nine rules go through every function's events
    found_events: tuple[tuple[str, str, Mapping[str, Any], Mapping[str, Any]], ...] | None = None

    @classmethod
    def of(cls, root: Mapping[str, Any], file: str) -> SamView:
        default = getattr(root, "mark", None) or Mark(file)
        try:
            resources, _ = merge_globals(root, file=file)   # Globals' own problems: globals.py
        except (AttributeError, TypeError, ValueError):
            raw = root.get("Resources")
            resources = raw if isinstance(raw, dict) else MappingNode(mark=default)
        by_type: dict[str, list[str]] = {}
        for logical_id, resource in resources.items():
            if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
                by_type.setdefault(resource["Type"], []).append(logical_id)
        view = cls(root=root, resources=resources, default=default,
                   globals_lines=_section_lines(root, "Globals"),
                   ids_by_type={kind: tuple(ids) for kind, ids in by_type.items()})
        return replace(view, found_events=tuple(view._scan_events()))

    def problem(self, code: str, message: str, path: Path, resource: str | None) -> Problem:
        """A problem at `path` (from the template's top, e.g. ("Resources", id, ...))."""
        if path and path[0] == "Resources":
            at = mark_at(self.resources, path[1:], self.default)
            if at.line in self.globals_lines and len(path) > 3 and path[2] == "Properties":
                # The value came from Globals: one problem for the section, not one for each
                # resource that inherits it.
                section = str(self.type_of(path[1])).removeprefix("AWS::Serverless::")
                path, resource = ("Globals", section, *path[3:]), None
        else:
            at = mark_at(self.root, path, self.default)
        return Problem(code=code, message=message, at=at, path=dotted(path), resource=resource)

    def of_type(self, *types: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(logical id, Properties) of each resource of these types whose Properties is a map."""
        found = [self.ids_by_type[kind] for kind in dict.fromkeys(types)
                 if kind in self.ids_by_type]
        ids = [i for group in found for i in group]
        if len(found) > 1:   # back into template order
            order = {logical_id: n for n, logical_id in enumerate(self.resources)}
            ids.sort(key=order.__getitem__)
        for logical_id in ids:
            resource = self.resources[logical_id]
            properties = resource.get("Properties")
            if properties is None:
                properties = MappingNode(mark=getattr(resource, "mark", self.default))
            if isinstance(properties, dict) and not is_intrinsic(properties):
                yield logical_id, properties

    def type_of(self, logical_id: Any) -> str | None:
        resource = self.resources.get(logical_id) if isinstance(logical_id, str) else None
        kind = resource.get("Type") if isinstance(resource, dict) else None
        return kind if isinstance(kind, str) else None

    def parameter_default(self, name: str) -> tuple[bool, Any]:
        """(True, Default) when `name` is a parameter with a Default, else (False, None)."""
        parameters = self.root.get("Parameters")
        parameter = parameters.get(name) if isinstance(parameters, dict) else None
        if isinstance(parameter, dict) and "Default" in parameter:
            return True, parameter["Default"]
        return False, None

    def events(self) -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]]:
        """(function id, event id, event, event Properties) of each well-formed event."""
        if self.found_events is not None:
            return iter(self.found_events)
        return self._scan_events()

    def _scan_events(self) -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]]:
        for function_id, properties in self.of_type(FUNCTION):
            events = properties.get("Events")
            if not isinstance(events, dict) or is_intrinsic(events):
                continue
            for event_id, event in events.items():
                if not isinstance(event, dict):
                    continue
                event_properties = event.get("Properties")
                if event_properties is None:
                    event_properties = MappingNode(mark=getattr(event, "mark", self.default))
                if isinstance(event_properties, dict) and not is_intrinsic(event_properties):
                    yield function_id, event_id, event, event_properties


def _section_lines(root: Mapping[str, Any], name: str) -> range:
    """The lines a top-level section spans: from its key to the next section's key."""
    if not isinstance(root, MappingNode) or name not in root:
        return range(0)
    start = root.key_mark(name).line
    later = [mark.line for mark in root.key_marks.values() if mark.line > start]
    return range(start, min(later, default=1 << 30))


def event_path(function_id: str, event_id: str, *rest: str | int) -> Path:
    return ("Resources", function_id, "Properties", "Events", event_id, "Properties", *rest)


def ref_target(value: Any) -> str | None:
    """The logical id a plain string or a {"Ref": id} names (SAM accepts both for RestApiId
    and ApiId), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def is_map(value: Any) -> bool:
    return isinstance(value, dict) and not is_intrinsic(value)


__all__ = [
    "API", "FUNCTION", "HTTP_API", "IMPLICIT_API", "IMPLICIT_HTTP_API", "Path", "SamView",
    "event_path", "is_intrinsic", "is_map", "ref_target",
]
