"""Checks schedule expressions and time zones wherever a template can hold one: Schedule and
ScheduleV2 events, AWS::Events::Rule and AWS::Scheduler::Schedule. Parsing itself lives in
samlite.dialects.schedule_expressions; only plain strings are checked (intrinsics are skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import (
    did_you_mean,
    events_of,
    problem,
    properties_of,
    resources_of,
)

__all__ = ["CHECKS", "check_schedule_expressions"]

Path = tuple[str | int, ...]


def _places(ctx: CheckContext) -> Iterator[tuple[str, Path, Any, Any, bool]]:
    """(owner, path to the properties, expression, time zone, whether at() is allowed)."""
    for logical_id, resource in resources_of(ctx).items():
        kind = resource.get("Type")
        props = properties_of(resource)
        base: Path = ("Resources", logical_id, "Properties")
        if kind in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for event_id, event_type, event_props in events_of(resource):
                event_path = (*base, "Events", event_id, "Properties")
                if event_type == "Schedule":
                    yield logical_id, (*event_path, "Schedule"), \
                        event_props.get("Schedule"), None, False
                elif event_type == "ScheduleV2":
                    yield logical_id, (*event_path, "ScheduleExpression"), \
                        event_props.get("ScheduleExpression"), \
                        event_props.get("ScheduleExpressionTimezone"), True
        elif kind == "AWS::Events::Rule":
            yield logical_id, (*base, "ScheduleExpression"), \
                props.get("ScheduleExpression"), None, False
        elif kind == "AWS::Scheduler::Schedule":
            yield logical_id, (*base, "ScheduleExpression"), props.get("ScheduleExpression"), \
                props.get("ScheduleExpressionTimezone"), True


def check_schedule_expressions(ctx: CheckContext) -> Iterator[Problem]:
    for owner, path, expression, zone, allow_at in _places(ctx):
        if isinstance(expression, str):
            # Imported here: most templates have no schedule, and the dialect's patterns and
            # types would be built for nothing (~3 ms of each start).
            from samlite.dialects.schedule_expressions import (
                ScheduleExpressionError,
                parse_schedule,
            )

            try:
                parse_schedule(expression, allow_at=allow_at)
            except ScheduleExpressionError as exc:
                yield problem(ctx, "E4101", str(exc), path, resource=owner)
        if isinstance(zone, str) and not _is_zone(zone):
            zone_path = (*path[:-1], "ScheduleExpressionTimezone")
            # listing every zone is slow, so it happens only to suggest a fix
            import zoneinfo

            hint = did_you_mean(zone, zoneinfo.available_timezones())
            yield problem(ctx, "E4102",
                          f"ScheduleExpressionTimezone {zone!r} is not an IANA time zone name "
                          f"such as 'Europe/Paris' or 'UTC'{hint}", zone_path, resource=owner)


def _is_zone(name: str) -> bool:
    """Whether the IANA database (the system's, or the tzdata package) has `name`."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False   # ZoneInfo would treat these as paths
    import zoneinfo  # only for templates that name a time zone: it loads sysconfig too

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


CHECKS: tuple[Check, ...] = (check_schedule_expressions,)
