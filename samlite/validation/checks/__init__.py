"""Checks beyond the schema: references, events and schedules, limits, code and runtimes,
and SAM's own translation rules. Each check is a small generator of Problems (cfn-lint's
rules), so `samlite validate` reports every problem in one run. Pure: checks read files only
to see whether a CodeUri folder or handler module exists.
"""

from __future__ import annotations

from collections.abc import Iterator

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in a stable order. The modules are imported by name, never
    discovered and skipped on error: one that fails to import stops validate as the bug it
    is, instead of leaving its rules out of a report that looks clean."""
    from samlite.validation.checks import (
        code,
        definition_files,
        delivery_policies,
        events,
        iam_access,
        inline_code,
        limits,
        messaging,
        references,
        sam_rules,
        schedules,
        secrets,
    )

    modules = (references, events, schedules, limits, code, inline_code, sam_rules,
               definition_files, secrets, messaging, delivery_policies, iam_access)
    return tuple(check for module in modules for check in module.CHECKS)


def run_checks(ctx: CheckContext) -> Iterator[Problem]:
    for check in all_checks():
        yield from check(ctx)
