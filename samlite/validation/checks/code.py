"""Checks a function's code and runtime: the runtime exists and is not past AWS's deprecation
dates (samlite.dialects.runtime_ids), a local CodeUri / ContentUri folder exists, and for
Python runtimes the handler's module file exists and defines the handler (read with `ast`,
never imported, by the function's own Python when the caller passes `ctx.parse_module`).

Missing code is a warning, since a build step may create it, and an error when
`ctx.code_must_exist` (`samlite up`). Reads only the files the template names.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from samlite.dialects.runtime_ids import RUNTIMES, RuntimeStatus, runtime_named
from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext, ModuleParser, ParsedModule
from samlite.validation.checks.module_names import defined_names
from samlite.validation.checks.references import (
    did_you_mean,
    function_property,
    problem,
    properties_of,
    resources_of,
)

__all__ = ["CHECKS", "check_code", "check_runtimes", "handler_location",
           "parse_with_own_python"]

_ARCHIVES = (".zip", ".jar")
EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER"


def _today(ctx: CheckContext, today: date | None) -> date:
    """The date deprecations are judged on: passed in, else CheckContext.today, else the
    clock (a calendar day is all we need)."""
    return today or ctx.today or date.today()  # noqa: DTZ011


def check_runtimes(ctx: CheckContext, *, today: date | None = None) -> Iterator[Problem]:
    day = _today(ctx, today)
    for logical_id, resource in resources_of(ctx).items():
        kind = resource.get("Type")
        if kind not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        if function_property(ctx, resource, "PackageType") == "Image":
            continue  # an image brings its own runtime
        name = function_property(ctx, resource, "Runtime")
        if not isinstance(name, str):
            continue
        path = _property_path(ctx, logical_id, resource, "Runtime")
        runtime = runtime_named(name)
        if runtime is None:
            yield problem(ctx, "E6001",
                          f"{name!r} is not a Lambda runtime{did_you_mean(name, RUNTIMES)}; "
                          "see the Lambda runtimes page for the identifiers",
                          path, resource=logical_id)
            continue
        status = runtime.status(day)
        instead = f"; move to {runtime.successor}" if runtime.successor else ""
        if status in (RuntimeStatus.CREATE_BLOCKED, RuntimeStatus.UPDATE_BLOCKED):
            blocked = runtime.block_create_on
            yield problem(ctx, "E6002",
                          f"Lambda no longer creates functions with {name} (blocked since "
                          f"{blocked}), so deploying {logical_id} would fail{instead}",
                          path, resource=logical_id)
        elif status is RuntimeStatus.DEPRECATED:
            until = f" until {runtime.block_create_on}" if runtime.block_create_on else ""
            yield problem(ctx, "W6003",
                          f"{name} is deprecated since {runtime.deprecated_on}: it gets no more "
                          f"security patches; new functions can still be created{until}{instead}",
                          path, resource=logical_id)


def check_code(ctx: CheckContext) -> Iterator[Problem]:
    letter = "E" if ctx.code_must_exist else "W"
    # Functions often share a handler module: each (module, Python) is read once a run.
    parse = functools.cache(ctx.parse_module or parse_with_own_python)
    for logical_id, resource in resources_of(ctx).items():
        kind = resource.get("Type")
        if kind == "AWS::Serverless::LayerVersion":
            content = properties_of(resource).get("ContentUri")
            folder = _local_folder(ctx, content)
            if folder is not None and not folder.exists():
                yield problem(ctx, f"{letter}6105",
                              f"ContentUri {content!r}: no such folder {_shown(ctx, folder)}",
                              ("Resources", logical_id, "Properties", "ContentUri"),
                              resource=logical_id)
        elif kind == "AWS::Serverless::Function":
            yield from _function_code(ctx, logical_id, resource, letter, parse)
        elif kind == "AWS::Lambda::Function" \
                and isinstance(properties_of(resource).get("Code"), str):
            # A local path, as `sam local` runs it and `sam package` uploads it.
            yield from _function_code(ctx, logical_id, resource, letter, parse,
                                      code_key="Code")


def _function_code(ctx: CheckContext, logical_id: str, resource: Mapping[str, Any],
                   letter: str, parse: ModuleParser, *,
                   code_key: str = "CodeUri") -> Iterator[Problem]:
    if function_property(ctx, resource, "PackageType") == "Image" \
            or function_property(ctx, resource, "InlineCode") is not None:
        return
    code_uri = function_property(ctx, resource, code_key)
    folder = ctx.project_dir if code_uri is None else _local_folder(ctx, code_uri)
    if folder is None:
        return  # s3://, {Bucket, Key} or an intrinsic: nothing local to look at
    code_path = _property_path(ctx, logical_id, resource, code_key) if code_uri is not None \
        else ("Resources", logical_id)
    if not folder.exists():
        what = "file" if folder.suffix in _ARCHIVES else "folder"
        yield problem(ctx, f"{letter}6101",
                      f"{code_key} {code_uri!r}: no such {what} {_shown(ctx, folder)}",
                      code_path, resource=logical_id)
        return
    runtime = runtime_named(str(function_property(ctx, resource, "Runtime")))
    handler = function_property(ctx, resource, "Handler")
    if runtime is None or not runtime.is_python or not isinstance(handler, str) \
            or folder.is_file() or _has_exec_wrapper(ctx, resource):
        return
    handler_path = _property_path(ctx, logical_id, resource, "Handler")
    location = handler_location(handler)
    if location is None:
        yield problem(ctx, f"{letter}6102",
                      f"Handler {handler!r} must be module.function, e.g. app.lambda_handler",
                      handler_path, resource=logical_id)
        return
    module, function = location
    module_file = _module_file(folder, module)
    if module_file is None:
        candidates = sorted(p.relative_to(folder).with_suffix("").as_posix()
                            for p in folder.rglob("*.py") if ".aws-sam" not in p.parts)
        yield problem(ctx, f"{letter}6103",
                      f"Handler {handler!r}: no module {module!r} ({module}.py) in "
                      f"{_shown(ctx, folder)}{did_you_mean(module, candidates)}",
                      handler_path, resource=logical_id)
        return
    python_version = runtime.name.removeprefix("python")
    parsed = parse(module_file, python_version)
    names = parsed.names
    if parsed.unchecked is not None:
        yield problem(ctx, "W6106",
                      f"Handler {handler!r}: {_shown(ctx, module_file)} was not checked: "
                      f"{parsed.unchecked}", handler_path, resource=logical_id)
    elif parsed.error is not None:
        yield problem(ctx, f"{letter}6104",
                      f"Handler {handler!r}: {_shown(ctx, module_file)} cannot be parsed by "
                      f"Python {python_version} ({parsed.error}), so Lambda could not import it",
                      handler_path, resource=logical_id)
    elif names is not None and function not in names:
        yield problem(ctx, f"{letter}6104",
                      f"Handler {handler!r}: {_shown(ctx, module_file)} defines no {function!r}"
                      f"{did_you_mean(function, names)}", handler_path, resource=logical_id)


def _has_exec_wrapper(ctx: CheckContext, resource: Mapping[str, Any]) -> bool:
    """Whether AWS_LAMBDA_EXEC_WRAPPER is set (on the function or in Globals): the runtime
    then starts the wrapper, which decides what the handler means (Lambda Web Adapter's
    `Handler: run.sh` is a script, not a module), so `validate` and `up` judge it alike and
    do not look for a module. Lambda developer guide, "Wrapper scripts"."""
    sources = [properties_of(resource)]
    globals_ = ctx.loaded.root.get("Globals")
    if resource.get("Type") == "AWS::Serverless::Function" and isinstance(globals_, dict):
        sources.append(globals_.get("Function"))
    for props in sources:
        environment = props.get("Environment") if isinstance(props, dict) else None
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if isinstance(variables, dict) and variables.get(EXEC_WRAPPER):
            return True
    return False


def handler_location(handler: str) -> tuple[str, str] | None:
    """('pkg/mod', 'fn') for 'pkg.mod.fn' or 'pkg/mod.fn', as Lambda's Python runtime splits it
    (module path before the last dot, slashes and dots both separating folders)."""
    module, dot, function = handler.rpartition(".")
    if not dot or not module or not function:
        return None
    return module.replace(".", "/"), function


def _module_file(folder: Path, module: str) -> Path | None:
    for candidate in (folder / f"{module}.py", folder / module / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def parse_with_own_python(module_file: Path, python_version: str) -> ParsedModule:
    """The module as samlite's own Python reads it. Syntax newer than that Python is left
    unchecked (with the reason), never called an error: the function's Python may accept it."""
    result = defined_names(module_file)
    if not isinstance(result, str):
        return ParsedModule(names=None if result is None else frozenset(result))
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    if result.startswith("SyntaxError") and _version(python_version) > sys.version_info[:2]:
        return ParsedModule(unchecked=f"Python {ours} (samlite's) reads it as {result}, and "
                                      f"Python {python_version}, which runs it, is not on this "
                                      "machine to check it")
    return ParsedModule(error=result)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def _local_folder(ctx: CheckContext, uri: Any) -> Path | None:
    """The local path a CodeUri/ContentUri string names; None when it is not local."""
    if not isinstance(uri, str) or not uri or uri.startswith("s3://"):
        return None
    return ctx.project_dir / uri


def _shown(ctx: CheckContext, path: Path) -> str:
    try:
        return path.relative_to(ctx.project_dir).as_posix() or "."
    except ValueError:
        return str(path)


def _property_path(ctx: CheckContext, logical_id: str, resource: Mapping[str, Any],
                   name: str) -> tuple[str, ...]:
    """Where a property was written: on the function, else in Globals.Function."""
    if name in properties_of(resource):
        return ("Resources", logical_id, "Properties", name)
    return ("Globals", "Function", name)


CHECKS: tuple[Check, ...] = (check_runtimes, check_code)
