"""SAM's rules for a function's Policies: each entry is a managed policy name or ARN, a policy
document, one of SAM's policy templates with all its parameters, or an intrinsic function, and
an Fn::If chooses between two entries of one kind. Follows samtranslator
(model/resource_policies.py, model/role_utils/role_constructor.py, policy_template_processor/).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.policy_templates import POLICY_TEMPLATES
from samlite.validation.checks.sam_common import FUNCTION, Path, SamView, is_intrinsic


def check_policies(view: SamView) -> Iterator[Problem]:
    """Each Policies entry is a managed policy name or ARN, a policy document (with
    Statement), a SAM policy template with all its parameters, or an intrinsic function; an
    Fn::If chooses between two entries of the same kind."""
    for fid, props in view.of_type(FUNCTION):
        policies = props.get("Policies")
        entries = policies if isinstance(policies, list) else [policies]
        for index, entry in enumerate(entries):
            path: Path = ("Resources", fid, "Properties", "Policies")
            if isinstance(policies, list):
                path = (*path, index)
            for code, message in _policy_problems(entry, index):
                yield view.problem(code, message, path, fid)


def _policy_problems(entry: Any, index: int) -> Iterator[tuple[str, str]]:
    kind = _policy_kind(entry)
    if kind == "mixed":
        yield "E7110", (f"Policy at index {index} in the 'Policies' property chooses with "
                        "Fn::If between different kinds of policy (managed, document, "
                        "template); SAM needs one kind per Fn::If, so split it into two")
    elif kind == "unknown":
        yield "E7110", (f"Policy at index {index} in the 'Policies' property is not valid: "
                        "expected a managed policy name or ARN, a policy document with "
                        "Statement, or one of SAM's policy templates")
    for name, values in _templates_in(entry):
        needed = POLICY_TEMPLATES[name]
        if not isinstance(values, dict):
            yield "E7122", (f"Policy template {name} needs a map of its parameter values"
                   + (f" ({', '.join(needed)})" if needed else " ({} when it has none)"))
        elif missing := [p for p in needed if p not in values]:
            yield "E7122", f"Policy template {name} is missing its parameters {', '.join(missing)}"


def _policy_kind(entry: Any) -> str:
    """How SAM classifies a Policies entry: managed, document, template, mixed or unknown."""
    if entry is None or isinstance(entry, str):
        return "managed"
    if isinstance(entry, dict) and set(entry) == {"Fn::If"}:
        branches = entry["Fn::If"]
        if not isinstance(branches, list) or len(branches) != 3:
            return "managed"            # a malformed Fn::If: the intrinsic checks report it
        kinds = {_policy_kind(b) for b in branches[1:] if b != {"Ref": "AWS::NoValue"}}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "managed")
    if is_intrinsic(entry):
        return "managed"
    if isinstance(entry, dict) and "Statement" in entry:
        return "document"
    if isinstance(entry, dict) and len(entry) == 1 and next(iter(entry)) in POLICY_TEMPLATES:
        return "template"
    return "unknown"


def _templates_in(entry: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(entry, dict) and set(entry) == {"Fn::If"} and isinstance(entry["Fn::If"], list):
        for branch in entry["Fn::If"][1:3]:
            yield from _templates_in(branch)
    elif _policy_kind(entry) == "template":
        yield next(iter(entry.items()))


CHECKS_ON_VIEW = (check_policies,)
