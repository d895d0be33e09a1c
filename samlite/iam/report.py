"""A function's effective policy as `samlite policy FUNCTION` prints it: its role session,
then each policy with the template line it comes from and its statements, then what cannot
be checked. Pure: a FunctionPolicy in, text out."""

from __future__ import annotations

from samlite.iam.function_policy import FunctionPolicy
from samlite.iam.policy import Statement


def render_function_policy(fp: FunctionPolicy) -> str:
    lines = [f"{fp.logical_id}: {fp.caller.session_arn}",
             f"  role {fp.caller.role_arn}", ""]
    for policy in fp.policies:
        lines.append(policy.source)
        lines.extend(f"  {_statement(s)}" for s in policy.statements)
        if not policy.statements:
            lines.append("  (no statements)")
    lines.extend(f"warning: {w}" for w in fp.warnings)
    return "\n".join(lines) + "\n"


def _statement(statement: Statement) -> str:
    actions = ", ".join(statement.actions)
    resources = ", ".join(statement.resources)
    text = (f"{statement.effect.value} {'NOT ' if statement.not_action else ''}{actions} "
            f"on {'NOT ' if statement.not_resource else ''}{resources}")
    if statement.conditions:
        text += " if " + " and ".join(f"{c.operator} {c.key} {list(c.values)}"
                                      for c in statement.conditions)
    return text
