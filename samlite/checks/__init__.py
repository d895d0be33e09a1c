"""Checks beyond the schema: references, events and schedules, limits, code and runtimes,
and SAM's own translation rules. Each check is a small generator of Problems (cfn-lint's
rules), so `samlite validate` reports every problem in one run. Pure: checks read files only
to see whether a CodeUri folder or handler module exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from samlite.errors import Problem
from samlite.template.load import LoadedTemplate
from samlite.template.resolve import ResolvedTemplate


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    loaded: LoadedTemplate              # raw nodes with marks (intrinsics unevaluated)
    resolved: ResolvedTemplate | None   # None when resolution could not run
    project_dir: Path                   # the template's folder; CodeUri is relative to it
    code_must_exist: bool = False       # `samlite up`: missing code is an error, not a warning
    today: date | None = None           # runtime deprecation dates compare to it (None: today)


Check = Callable[[CheckContext], Iterator[Problem]]


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in a stable order (imported here to keep start-up lazy)."""
    checks: list[Check] = []
    for module_name in ("references", "events", "schedules", "limits", "code", "sam_rules"):
        try:
            module = __import__(f"samlite.checks.{module_name}", fromlist=["CHECKS"])
        except ModuleNotFoundError as exc:
            if exc.name != f"samlite.checks.{module_name}":
                raise
            continue
        checks.extend(module.CHECKS)
    return tuple(checks)


def run_checks(ctx: CheckContext) -> Iterator[Problem]:
    for check in all_checks():
        yield from check(ctx)
