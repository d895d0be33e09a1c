"""The template's EventBridge rules as PutRule and PutTargets make them (event-pattern rules,
and schedule rules on the default bus, as SAM's translator makes them for `Schedule` events),
and the schedule rules clients made through the API as schedules the scheduler fires. Pure:
ARNs come from the caller's naming functions. Follows the EventBridge API reference, "PutRule"
and "Target"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from samlite.aws.events.model import RuleSpec
from samlite.errors import Mark
from samlite.graph.messaging import DEFAULT_BUS, RuleTarget
from samlite.graph.model import Graph, Schedule, ScheduleTarget
from samlite.sources.schedule import is_scheduler

API_SCHEDULE = "PutRule"    # the source of a schedule a client made through the API
_API_MARK = Mark(file="<EventBridge API>", line=0, column=0)


def rule_name(schedule: Schedule) -> str:
    """The name a schedule rule has on its bus: its Name, else its logical id (SAM's
    <Function><Event> for a `Schedule` event), as its ARN carries it."""
    return schedule.name or schedule.logical_id


def template_rules(graph: Graph, *, target_arn: Callable[[RuleTarget], str],
                   function_arn: Callable[[str], str],
                   queue_arn: Callable[[str], str]) -> list[RuleSpec]:
    """`function_arn` and `queue_arn` name a function or queue the template refers to (a
    logical id, or an ARN given as is)."""
    rules = [RuleSpec(name=r.logical_id, bus=r.bus, pattern=r.pattern, is_enabled=r.is_enabled,
                      targets=tuple(_target(t, target_arn(t), queue_arn) for t in r.targets))
             for r in graph.event_rules]
    rules += [RuleSpec(name=rule_name(s), bus=DEFAULT_BUS, schedule_expression=s.expression,
                       is_enabled=s.is_enabled,
                       targets=tuple(_schedule_target(s, index, function_arn, queue_arn)
                                     for index in range(len(s.targets))))
              for s in graph.schedules if not is_scheduler(s)]
    return rules


def api_schedules(rules: Iterable[RuleSpec], *, function_for: Callable[[str], str | None],
                  ) -> tuple[tuple[Schedule, ...], list[str]]:
    """Schedule rules made through the API as schedules of their targets that are this
    app's functions (`function_for` finds one by ARN); and a line for each other target,
    which the scheduler does not fire."""
    schedules, unfired = [], []
    for rule in rules:
        targets = []
        for target in rule.targets:
            function = function_for(str(target.get("Arn", "")))
            if function is None:
                unfired.append(f"rule {rule.name}: target {target.get('Id')} "
                               f"({target.get('Arn')}) is not fired locally: only a "
                               "schedule's targets that are functions of this app are")
                continue
            targets.append(ScheduleTarget(function=function, input=target.get("Input"),
                                          target_id=str(target.get("Id"))))
        if targets:
            schedules.append(Schedule(
                logical_id=rule.name, source=API_SCHEDULE,
                expression=rule.schedule_expression or "", is_enabled=rule.is_enabled,
                targets=tuple(targets), name=rule.name, at=_API_MARK))
    return tuple(schedules), unfired


def _target(target: RuleTarget, arn: str, queue_arn: Callable[[str], str]) -> dict[str, Any]:
    shape: dict[str, Any] = {"Id": target.target_id, "Arn": arn}
    if target.input is not None:
        shape["Input"] = target.input
    if target.input_path is not None:
        shape["InputPath"] = target.input_path
    if target.input_transformer is not None:
        shape["InputTransformer"] = {"InputPathsMap": dict(target.input_transformer.paths),
                                     "InputTemplate": target.input_transformer.template}
    if target.dead_letter_queue:
        shape["DeadLetterConfig"] = {"Arn": queue_arn(target.dead_letter_queue)}
    if target.message_group_id:
        shape["SqsParameters"] = {"MessageGroupId": target.message_group_id}
    return shape


def _schedule_target(schedule: Schedule, index: int, function_arn: Callable[[str], str],
                     queue_arn: Callable[[str], str]) -> dict[str, Any]:
    """A schedule rule's function target. The graph keeps RetryPolicy and DeadLetterConfig
    of a rule's first target only: they go there."""
    target = schedule.targets[index]
    shape: dict[str, Any] = {"Id": target.target_id or target.function,
                             "Arn": function_arn(target.function)}
    if target.input is not None:
        shape["Input"] = target.input
    if index == 0:
        retry = {key: value for key, value in (
            ("MaximumRetryAttempts", schedule.max_retry_attempts),
            ("MaximumEventAgeInSeconds", schedule.max_event_age_s)) if value is not None}
        if retry:
            shape["RetryPolicy"] = retry
        if schedule.dead_letter:
            shape["DeadLetterConfig"] = {"Arn": queue_arn(schedule.dead_letter)}
    return shape
