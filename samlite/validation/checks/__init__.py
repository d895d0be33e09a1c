"""Checks beyond the schema: references, events and schedules, limits, code and runtimes,
and SAM's own translation rules. Each check is a small generator of Problems (cfn-lint's
rules), so `samlite validate` reports every problem in one run. Pure: checks read files only
to see whether a CodeUri folder or handler module exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext

# Every check module, in the order their problems are listed (ties in place keep it).
CHECK_MODULES = ("references", "events", "schedules", "limits", "code", "inline_code",
                 "sam_rules", "definition_files", "secrets", "messaging", "delivery_policies",
                 "iam_access")


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in a stable order."""
    return tuple(check for module in CHECK_MODULES for check in checks_of(module))


def checks_of(module: str) -> tuple[Check, ...]:
    """The checks of one module of CHECK_MODULES, imported only now, so a process that runs
    some of them (the pipeline's shares) imports only theirs. Imported by name, never
    discovered and skipped on error: one that fails to import stops validate as the bug it
    is, instead of leaving its rules out of a report that looks clean."""
    if module not in CHECK_MODULES:
        raise ValueError(f"no check module {module!r}")
    checks: tuple[Check, ...] = import_module(f"{__name__}.{module}").CHECKS
    return checks


def run_checks(ctx: CheckContext) -> Iterator[Problem]:
    for check in all_checks():
        yield from check(ctx)
