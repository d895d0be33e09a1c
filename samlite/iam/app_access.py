"""Everything IAM needs to know about one template: each function's effective policy and the
resource policies of its buckets, queues and topics, with the warnings reading them gave.
Light to import: the policy readers are imported when a template's access is worked out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from samlite.iam.function_policy import FunctionPolicy
    from samlite.iam.policy import Policy
    from samlite.template.model import ResolvedTemplate


@dataclass(frozen=True, slots=True, kw_only=True)
class AppAccess:
    functions: tuple[FunctionPolicy, ...] = ()
    resource_policies: tuple[tuple[str, Policy], ...] = ()   # (resource ARN, its policy)
    warnings: tuple[str, ...] = ()

    def function(self, logical_id: str) -> FunctionPolicy | None:
        return next((f for f in self.functions if f.logical_id == logical_id), None)

    def resource_policy(self, resource_arn: str) -> Policy | None:
        from samlite.iam.resource_policies import policy_for

        return policy_for(dict(self.resource_policies), resource_arn)


def app_access(resolved: ResolvedTemplate) -> AppAccess:
    from samlite.iam.function_policy import function_policies
    from samlite.iam.resource_policies import resource_policies

    functions = function_policies(resolved)
    policies, warnings = resource_policies(resolved)
    return AppAccess(functions=tuple(functions.values()),
                     resource_policies=tuple(sorted(policies.items())),
                     warnings=(*(w for f in functions.values() for w in f.warnings),
                               *warnings))
