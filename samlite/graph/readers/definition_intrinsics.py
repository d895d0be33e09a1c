"""Intrinsic functions in the local OpenAPI file of a DefinitionUri / BodyS3Location. Pure.

Such a file is uploaded as written (`sam package`, `aws cloudformation package`) and API
Gateway imports it without evaluating intrinsics: SAM's specification says intrinsic
functions are not supported in a DefinitionUri file (serverless-application-model PR #982),
and the way to use them is Fn::Transform AWS::Include or an inline DefinitionBody. So a
`uri: {Fn::Sub: ...}` there would not deploy as meant: the graph leaves its route out and
`validate` warns at the intrinsic's line (W7418).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.errors import Mark
from samlite.template.model import Resource
from samlite.template.nodes import MappingNode, dotted, is_intrinsic, mark_of

if TYPE_CHECKING:   # validate imports this module; the graph's model loads only when needed
    from samlite.graph.parts import GraphParts

WHY = ("intrinsic functions in a DefinitionUri / BodyS3Location file are not evaluated by "
       "API Gateway; use Fn::Transform AWS::Include or an inline DefinitionBody")


@dataclass(frozen=True, slots=True)
class FileIntrinsic:
    """An intrinsic in an OpenAPI file: its function ("Fn::Sub"), where it is, and the
    operation holding it (path, method), or None when it is outside `paths`."""
    function: str
    path: tuple[str | int, ...]
    at: Mark
    operation: tuple[str, str] | None


def servable(parts: GraphParts, res: Resource, prop: str, document: Any,
             default: Mark) -> Any | None:
    """`document` without the operations that hold an intrinsic (each named as not run
    locally at the intrinsic's line), or None when one sits outside `paths` (then the whole
    file would not import as meant, and is named once)."""
    from samlite.graph.model import NotRunLocally

    subject = f"{res.logical_id}.{prop}"
    dropped: dict[tuple[str, str], FileIntrinsic] = {}
    for found in intrinsics_in(document, default):
        if found.operation is None:
            parts.not_local.append(NotRunLocally(
                subject=subject, type=res.type, at=found.at,
                reason=f"{found.function} at {dotted(found.path)}: {WHY}, so none of the "
                       "file's routes is served"))
            return None
        dropped.setdefault(found.operation, found)
    for (path, method), found in dropped.items():
        verb = method.upper()
        verb = "ANY" if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" else verb
        parts.not_local.append(NotRunLocally(
            subject=subject, type=res.type, at=found.at,
            reason=f"{verb} {path}: {found.function} at {dotted(found.path)}: {WHY}, so this "
                   "route is not served"))
    return without_operations(document, set(dropped))


def intrinsics_in(document: Any, default: Mark) -> Iterator[FileIntrinsic]:
    """Each intrinsic in `document`, outermost only, in document order."""
    yield from _walk(document, (), default)


def without_operations(document: Any, operations: set[tuple[str, str]]) -> Any:
    """`document` without these (path, method) operations, line marks kept."""
    paths = document.get("paths") if isinstance(document, Mapping) else None
    if not operations or not isinstance(paths, Mapping):
        return document
    kept_paths = _copy(paths, {path: _copy(ops, {m for p, m in operations if p == path})
                               if isinstance(ops, Mapping) else ops
                               for path, ops in paths.items()})
    return _copy(document, {"paths": kept_paths})


def _walk(value: Any, path: tuple[str | int, ...], default: Mark) -> Iterator[FileIntrinsic]:
    if is_intrinsic(value):
        operation = (str(path[1]), str(path[2])) if len(path) >= 3 and path[0] == "paths" \
            else None
        yield FileIntrinsic(function=str(next(iter(value))), path=path,
                            at=mark_of(value, default), operation=operation)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*path, key), default)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), default)


def _copy(mapping: Mapping[str, Any], changes: Mapping[str, Any] | set[str]) -> Any:
    """A copy of `mapping` with `changes` (key -> new value), or without a set of keys."""
    if isinstance(changes, set):
        items = [(k, v) for k, v in mapping.items() if k not in changes]
    else:
        items = [(k, changes.get(k, v)) for k, v in mapping.items()]
    if not isinstance(mapping, MappingNode):
        return dict(items)
    copy = MappingNode(items, mark=mapping.mark)
    copy.key_marks = {k: m for k, m in mapping.key_marks.items() if k in copy}
    copy.value_marks = {k: m for k, m in mapping.value_marks.items() if k in copy}
    return copy
