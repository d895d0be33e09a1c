"""Intrinsic functions in the local OpenAPI file of a DefinitionUri / BodyS3Location: API
Gateway imports such a file as written, so `{Fn::Sub: ...}` there is not evaluated (SAM's
specification of DefinitionUri; graph/readers/definition_intrinsics.py). A warning at the
intrinsic's line in the file; `samlite up` leaves the route out. Code:
  W7418 an intrinsic function in a DefinitionUri / BodyS3Location file
"""

from __future__ import annotations

from collections.abc import Iterator

from samlite.errors import Problem
from samlite.template.includes import DEFINITION_FILE_PROPERTIES
from samlite.template.nodes import dotted
from samlite.validation.checks.context import Check, CheckContext

__all__ = ["CHECKS", "check_definition_file_intrinsics"]


def check_definition_file_intrinsics(ctx: CheckContext) -> Iterator[Problem]:
    if not ctx.loaded.definition_files:
        return
    # only for a template with such a file: most have none, and validate starts faster
    from samlite.graph.readers.definition_intrinsics import WHY, intrinsics_in

    resources = ctx.loaded.root.get("Resources")
    for logical_id, document in ctx.loaded.definition_files:
        resource = resources.get(logical_id) if isinstance(resources, dict) else None
        kind = resource.get("Type") if isinstance(resource, dict) else None
        prop = DEFINITION_FILE_PROPERTIES.get(str(kind), "DefinitionUri")
        for found in intrinsics_in(document, ctx.loaded.root.mark):
            if found.operation is None:
                served = "samlite up serves none of the file's routes"
            else:
                path, method = found.operation
                served = f"samlite up does not serve {method.upper()} {path}"
            yield Problem(
                code="W7418", at=found.at, resource=logical_id,
                path=f"Resources.{logical_id}.Properties.{prop}:{dotted(found.path)}",
                message=f"{found.function} in the {prop} file: {WHY}; {served}")


CHECKS: tuple[Check, ...] = (check_definition_file_intrinsics,)
