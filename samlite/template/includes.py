"""Local files a template pulls in: `Fn::Transform` AWS::Include with a local Location (the
snippet replaces the transform, anywhere in the template, and its intrinsics are evaluated
with the template's), and the OpenAPI file of a SAM Api/HttpApi `DefinitionUri` or a plain
RestApi / ApiGatewayV2 Api `BodyS3Location` given as a local path (what `sam package` and
`aws cloudformation package` upload; API Gateway imports it as written, so its intrinsics are
not evaluated). Reads those files and nothing else; paths are relative to the template's
folder, and every node keeps the included file's own line marks.

Follows "AWS::Include transform" (CloudFormation user guide) and the SAM specification's
AWS::Serverless::Api DefinitionUri. Problem code: E0010, an included file that cannot be
read or is not a YAML/JSON mapping (at the line of the template that names it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from samlite.errors import Mark, Problem, UnreadableFile
from samlite.template.load import LoadedTemplate, parse_template, read_text
from samlite.template.nodes import MappingNode, SequenceNode

INCLUDE = "AWS::Include"
# Resource type -> the property that names its OpenAPI file.
DEFINITION_FILE_PROPERTIES = {
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::ApiGateway::RestApi": "BodyS3Location",
    "AWS::ApiGatewayV2::Api": "BodyS3Location",
}
_NESTING_LIMIT = 100     # an include that includes itself stops here


def is_local_location(value: Any) -> bool:
    """A path on this machine: text that is neither an s3:// nor another URL."""
    return isinstance(value, str) and bool(value.strip()) and "://" not in value \
        and not value.startswith("{{resolve:")


def expand(loaded: LoadedTemplate) -> LoadedTemplate:
    """`loaded` with AWS::Include transforms of local files inlined and the
    local OpenAPI files of its APIs read into `definition_files`; problems are added."""
    reader = _Reader(loaded.path.parent, loaded.name)
    inlining = loaded.has_transform is not False and _has_transform(loaded.root)
    root = reader.inline(loaded.root, (), depth=0) if inlining else loaded.root
    files = tuple(reader.definition_files(root))
    return replace(loaded, root=root, definition_files=files,
                   has_transform=loaded.has_transform if root is loaded.root else None,
                   has_sub_or_find_in_map=loaded.has_sub_or_find_in_map
                   if root is loaded.root else None,
                   included_files=tuple(dict.fromkeys(reader.read_files)),
                   problems=(*loaded.problems, *reader.problems))


class _Reader:
    def __init__(self, folder: Path, template_name: str) -> None:
        self.folder = folder
        self.name_folder = Path(template_name).parent
        self.problems: list[Problem] = []
        self.read_files: list[Path] = []     # every file read, for hot reload to watch

    def inline(self, node: Any, path: tuple[str | int, ...], *, depth: int) -> Any:
        """`node` with each local AWS::Include replaced by the file's content."""
        if isinstance(node, MappingNode):
            location = _include_location(node)
            if location is not None:
                if depth >= _NESTING_LIMIT:
                    self._problem(node.mark, path, f"AWS::Include of {location!r} includes "
                                  "itself (nested more than 100 times)")
                    return node
                at = _location_mark(node)
                included = self.read(location, at, path, "Fn::Transform AWS::Include")
                if included is None:
                    return node
                return self.inline(included, path, depth=depth + 1)
            changed = {key: new for key, value in node.items()
                       if (new := self.inline(value, (*path, key), depth=depth)) is not value}
            if not changed:      # the common case: nothing included below, nothing copied
                return node
            out = MappingNode(((k, changed.get(k, v)) for k, v in node.items()), mark=node.mark)
            out.key_marks, out.value_marks = dict(node.key_marks), dict(node.value_marks)
            return out
        if isinstance(node, SequenceNode):
            items = [self.inline(v, (*path, i), depth=depth) for i, v in enumerate(node)]
            if all(new is old for new, old in zip(items, node, strict=True)):
                return node
            seq = SequenceNode(items, mark=node.mark)
            seq.item_marks = list(node.item_marks)
            return seq
        return node

    def definition_files(self, root: Any) -> Iterator[tuple[str, Any]]:
        resources = root.get("Resources") if isinstance(root, Mapping) else None
        if not isinstance(resources, MappingNode):
            return
        for logical_id, resource in resources.items():
            if not isinstance(resource, Mapping):
                continue
            prop = DEFINITION_FILE_PROPERTIES.get(str(resource.get("Type")))
            props = resource.get("Properties")
            if prop is None or not isinstance(props, MappingNode):
                continue
            location = props.get(prop)
            if not is_local_location(location):
                continue
            path = ("Resources", logical_id, "Properties", prop)
            found = self.read(location, props.mark_of(prop), path, prop)
            if found is not None:
                yield logical_id, found

    def read(self, location: str, at: Mark, path: tuple[str | int, ...],
             what: str) -> Any | None:
        # as problems print it: beside the template's own name ("api.yaml", "app/api.yaml")
        name = os.path.normpath(self.name_folder / location)
        file = self.folder / location
        self.read_files.append(file)
        try:
            text = read_text(file)
        except UnreadableFile as exc:
            reason = str(exc).removeprefix(f"{file}: ")
            self._problem(at, path, f"{what} names {location!r}, which cannot be read: "
                                    f"{reason} (looked for {file})")
            return None
        loaded = parse_template(text, name=name, path=file)
        if not loaded.root and loaded.problems:
            first = loaded.problems[-1]
            self._problem(at, path, f"{what} names {location!r}, which is not a YAML or JSON "
                                    f"mapping ({first.at}: {first.message})")
            return None
        self.problems.extend(loaded.problems)     # duplicate keys in the included file
        return loaded.root

    def _problem(self, at: Mark, path: tuple[str | int, ...], message: str) -> None:
        resource = str(path[1]) if len(path) > 1 and path[0] == "Resources" else None
        self.problems.append(Problem(code="E0010", at=at, message=message,
                                     path=".".join(str(p) for p in path), resource=resource))


def _has_transform(root: Any) -> bool:
    """Whether any mapping holds Fn::Transform (most templates: no, and no copy is made)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "Fn::Transform" in node:
                return True
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return False


def _include_location(node: Mapping[str, Any]) -> str | None:
    """The Location of `{"Fn::Transform": {"Name": "AWS::Include", "Parameters":
    {"Location": "api.yaml"}}}` when it is a local path."""
    if set(node) != {"Fn::Transform"}:
        return None
    transform = node["Fn::Transform"]
    if not isinstance(transform, Mapping) or transform.get("Name") != INCLUDE:
        return None
    parameters = transform.get("Parameters")
    location = parameters.get("Location") if isinstance(parameters, Mapping) else None
    return location if is_local_location(location) else None


def _location_mark(node: MappingNode) -> Mark:
    transform = node["Fn::Transform"]
    parameters = transform.get("Parameters") if isinstance(transform, MappingNode) else None
    if isinstance(parameters, MappingNode):
        return parameters.mark_of("Location")
    return node.mark


def included_files(template: Path) -> tuple[Path, ...]:
    """The local files `template` includes (hot reload watches them); () when it cannot
    be read (validation reports why)."""
    from samlite.template.load import load_template

    try:
        return expand(load_template(template)).included_files
    except UnreadableFile:
        return ()
