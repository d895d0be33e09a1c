"""Checks AWS's hard limits a template can hit before anything runs: CloudFormation's template
quotas ("CloudFormation quotas" page) and Lambda's environment variable rules ("Working with
Lambda environment variables": 4 KB in total, reserved keys). Works on the raw nodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import is_intrinsic, problem, properties_of, resources_of

__all__ = ["CHECKS", "check_environment_variables", "check_template_limits"]

# CloudFormation quotas (AWS CloudFormation user guide, "CloudFormation quotas").
MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
MAX_MAPPINGS = 200
MAX_MAPPING_ATTRIBUTES = 200
MAX_NAME_CHARS = 255                  # resource, parameter, output and mapping names
MAX_DESCRIPTION_BYTES = 1024
MAX_BODY_BYTES = 1024 * 1024          # "1 MB" for a template read from S3, what `sam deploy` uses

# Lambda: total size of the Variables map as Lambda measures it (its error message prints the
# "String measured": the map as compact JSON).
MAX_ENVIRONMENT_BYTES = 4 * 1024

# "Defined runtime environment variables" -> "Reserved environment variables".
RESERVED_ENVIRONMENT_KEYS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
})


def check_template_limits(ctx: CheckContext) -> Iterator[Problem]:
    root = ctx.loaded.root
    size = ctx.loaded.size_bytes
    if size > MAX_BODY_BYTES:
        yield problem(ctx, "E5001",
                      f"the template is {size:,} bytes; CloudFormation accepts at most 1 MB "
                      f"({MAX_BODY_BYTES:,} bytes). Split it with nested stacks", ())
    for section, limit, code in (("Resources", MAX_RESOURCES, "E5002"),
                                 ("Parameters", MAX_PARAMETERS, "E5003"),
                                 ("Outputs", MAX_OUTPUTS, "E5004"),
                                 ("Mappings", MAX_MAPPINGS, "E5005")):
        entries = root.get(section)
        if not isinstance(entries, dict):
            continue
        if len(entries) > limit:
            yield problem(ctx, code,
                          f"{section} declares {len(entries)} entries; CloudFormation allows at "
                          f"most {limit} {section.lower()} in one template", (section,))
        for name in entries:
            if len(str(name)) > MAX_NAME_CHARS:
                yield problem(ctx, "E5006",
                              f"the name is {len(str(name))} characters long; CloudFormation "
                              f"allows at most {MAX_NAME_CHARS}", (section, str(name)))
    mappings = root.get("Mappings")
    if isinstance(mappings, dict):
        for name, mapping in mappings.items():
            if isinstance(mapping, dict) and len(mapping) > MAX_MAPPING_ATTRIBUTES:
                yield problem(ctx, "E5007",
                              f"mapping {name} has {len(mapping)} keys; CloudFormation allows at "
                              f"most {MAX_MAPPING_ATTRIBUTES} per mapping", ("Mappings", str(name)))
    description = root.get("Description")
    if isinstance(description, str) and len(description.encode()) > MAX_DESCRIPTION_BYTES:
        yield problem(ctx, "E5008",
                      f"Description is {len(description.encode()):,} bytes; CloudFormation "
                      f"allows at most {MAX_DESCRIPTION_BYTES:,}", ("Description",))


def check_environment_variables(ctx: CheckContext) -> Iterator[Problem]:
    root = ctx.loaded.root
    globals_ = root.get("Globals")
    global_fn = globals_.get("Function") if isinstance(globals_, dict) else None
    global_vars = _variables(global_fn.get("Environment") if isinstance(global_fn, dict)
                             else None)
    if global_vars:
        yield from _reserved(ctx, global_vars, ("Globals", "Function", "Environment",
                                                "Variables"), None)
    for logical_id, resource in resources_of(ctx).items():
        kind = resource.get("Type")
        if kind not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        path = ("Resources", logical_id, "Properties", "Environment", "Variables")
        own = _variables(properties_of(resource).get("Environment"))
        yield from _reserved(ctx, own, path, logical_id)
        # SAM merges Globals' variables into the function's (the function's win)
        merged = {**global_vars, **own} if kind == "AWS::Serverless::Function" else own
        size = _measured_bytes(merged)
        if size > MAX_ENVIRONMENT_BYTES:
            yield problem(ctx, "E5102",
                          f"the environment variables of {logical_id} take {size:,} bytes as "
                          f"Lambda measures them (keys and values as JSON); Lambda allows at "
                          f"most 4 KB ({MAX_ENVIRONMENT_BYTES:,} bytes)",
                          path if own else ("Resources", logical_id), resource=logical_id)


def _variables(environment: Any) -> dict[str, Any]:
    if isinstance(environment, dict):
        variables = environment.get("Variables")
        if isinstance(variables, dict):
            return {str(k): v for k, v in variables.items()}
    return {}


def _reserved(ctx: CheckContext, variables: Mapping[str, Any], path: tuple[str, ...],
              owner: str | None) -> Iterator[Problem]:
    for key in variables:
        if key in RESERVED_ENVIRONMENT_KEYS:
            yield problem(ctx, "E5101",
                          f"{key} is reserved by Lambda, which sets it itself; Lambda refuses "
                          f"the function (\"Reserved keys used in this request: {key}\"). "
                          "Rename the variable", (*path, key), resource=owner)


def _measured_bytes(variables: Mapping[str, Any]) -> int:
    """Bytes of the Variables map as compact JSON. A value that is still an intrinsic counts
    as empty, so the total is a lower bound and never flags a template wrongly."""
    plain = {k: ("" if is_intrinsic(v) or isinstance(v, Mapping | list) else _text(v))
             for k, v in variables.items()}
    return len(json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


CHECKS: tuple[Check, ...] = (check_template_limits, check_environment_variables)
