"""The handler checks of code.py (W6102, W6103, W6104, W6106), for code written in the template:
`InlineCode` of an AWS::Serverless::Function and `Code.ZipFile` of an AWS::Lambda::Function.
Lambda writes that text to a file named index ("AWS::Lambda::Function Code": ZipFile "writes
the source to a file named index"; build/code.py does the same locally), so the Handler must
name module `index`, and the text must parse and define the handler's function.

Problems point at the template: a syntax error at its own line when the code is a literal
block (`|`), whose lines are the template's lines one for one; otherwise at the code's start.
Read with `ast`, never run. Syntax newer than samlite's own Python is left unchecked (W6106).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.dialects.runtime_ids import runtime_named
from samlite.errors import Mark, Problem
from samlite.template.nodes import mark_at
from samlite.validation.checks.code import handler_location
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.module_names import source_names
from samlite.validation.checks.references import (
    did_you_mean,
    function_property,
    problem,
    properties_of,
    resources_of,
)

__all__ = ["CHECKS", "check_inline_code"]

_SYNTAX_LINE = "SyntaxError at line "


def check_inline_code(ctx: CheckContext) -> Iterator[Problem]:
    letter = "E" if ctx.code_must_exist else "W"
    for logical_id, resource in resources_of(ctx).items():
        found = _inline(ctx, resource)
        if found is None:
            continue
        code, path = found
        yield from _checked(ctx, logical_id, resource, code, ("Resources", logical_id,
                                                             "Properties", *path), letter)


def _inline(ctx: CheckContext, resource: Mapping[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """The inline code and where it is under Properties, or None."""
    kind = resource.get("Type")
    if kind == "AWS::Serverless::Function":
        if function_property(ctx, resource, "PackageType") == "Image":
            return None
        code = properties_of(resource).get("InlineCode")
        return (code, ("InlineCode",)) if isinstance(code, str) else None
    if kind == "AWS::Lambda::Function":
        holder = properties_of(resource).get("Code")
        code = holder.get("ZipFile") if isinstance(holder, dict) else None
        return (code, ("Code", "ZipFile")) if isinstance(code, str) else None
    return None


def _checked(ctx: CheckContext, logical_id: str, resource: Mapping[str, Any], code: str,
             path: tuple[str, ...], letter: str) -> Iterator[Problem]:
    runtime = runtime_named(str(function_property(ctx, resource, "Runtime")))
    handler = function_property(ctx, resource, "Handler")
    if runtime is None or not runtime.is_python or not isinstance(handler, str):
        return
    start = mark_at(ctx.loaded.root, path, ctx.loaded.root.mark)
    location = handler_location(handler)
    if location is None:
        yield problem(ctx, f"{letter}6102",
                      f"Handler {handler!r} must be module.function, e.g. index.handler",
                      path, resource=logical_id, at=start)
        return
    module, function = location
    if module != "index":
        yield problem(ctx, f"{letter}6103",
                      f"Handler {handler!r}: inline code is the module 'index' (Lambda writes "
                      f"it to index.py), not {module!r}; use index.{function}",
                      path, resource=logical_id, at=start)
        return
    names = source_names(code, f"{logical_id} inline code")
    python_version = runtime.name.removeprefix("python")
    if isinstance(names, str):
        ours = sys.version_info[:2]
        if names.startswith(_SYNTAX_LINE) and _version(python_version) > ours:
            yield problem(ctx, "W6106",
                          f"Handler {handler!r}: the inline code was not checked: Python "
                          f"{ours[0]}.{ours[1]} (samlite's) reads it as {names}, and Python "
                          f"{python_version}, which runs it, is not here to check it",
                          path, resource=logical_id, at=start)
            return
        yield problem(ctx, f"{letter}6104",
                      f"Handler {handler!r}: the inline code cannot be parsed by Python "
                      f"{python_version} ({names}), so Lambda could not import it",
                      path, resource=logical_id, at=_line_of(ctx, start, names))
    elif names is not None and function not in names:
        yield problem(ctx, f"{letter}6104",
                      f"Handler {handler!r}: the inline code defines no {function!r}"
                      f"{did_you_mean(function, names)}", path, resource=logical_id, at=start)


def _line_of(ctx: CheckContext, start: Mark, error: str) -> Mark:
    """The template line of the code's line named in `error`, when the code is a literal
    block scalar in the template itself (its content starts on the line after `|`)."""
    number = error.removeprefix(_SYNTAX_LINE).partition(":")[0]
    if not error.startswith(_SYNTAX_LINE) or not number.isdigit() \
            or start.file != ctx.loaded.name:
        return start
    try:
        lines = ctx.loaded.path.read_text(encoding="utf-8").splitlines()
        indicator = lines[start.line - 1][start.column - 1:]
    except (OSError, UnicodeDecodeError, IndexError):
        return start
    if not indicator.startswith("|"):
        return start    # a folded or quoted scalar: its lines are not the template's
    return Mark(start.file, start.line + int(number), 1)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


CHECKS: tuple[Check, ...] = (check_inline_code,)
