"""The names `samlite trigger NAME` takes, and which trigger a name means. Pure.

Every trigger has a full id, unique in the template: the logical id SAM gives what a
function's event makes (`<Function><Event>`, e.g. TickFunctionEvery5Min for the event
Every5Min of TickFunction), else the declaring resource's own logical id. A SAM event may
also be named as the template writes it under the function's Events (`Every5Min`), or as
`Function.Event`; a topic by its TopicName. A full id always wins; a short name that two
triggers share is refused with their full ids, so no name fires the wrong thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from samlite.errors import UsageError
from samlite.graph.model import Graph, Trigger, TriggerKind

__all__ = ["Firing", "TriggerName", "TriggerNames", "full_id_of"]


class Firing(StrEnum):
    """What `samlite trigger` does with a trigger."""

    SCHEDULE = "schedule"            # fires it now
    RULE = "rule"                    # puts an event its pattern matches
    TOPIC = "topic"                  # publishes a sample message
    SUBSCRIPTION = "subscription"    # publishes a sample message its filter lets through
    S3 = "s3"                        # replays the bucket's newest matching object
    DYNAMODB = "dynamodb"            # replays the stream's newest matching record
    SQS = "sqs"                      # sends a sample message to its queue
    NONE = "none"                    # not fired by samlite trigger (API routes, Kinesis...)


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerName:
    full_id: str
    event: str | None                # as written under the function's Events; None: a resource
    firing: Firing
    event_type: str                  # SAM's Type or the resource type, for messages
    also: tuple[str, ...] = ()       # Function.Event, a TopicName
    trigger: Trigger | None = None   # the graph's trigger (S3, DynamoDB, SQS and the rest)

    @property
    def is_fired(self) -> bool:
        return self.firing is not Firing.NONE and \
            (self.trigger is None or self.trigger.runs_locally)


_SHARED_WITH_MESSAGING = frozenset({TriggerKind.SCHEDULE, TriggerKind.SCHEDULE_V2,
                                    TriggerKind.EVENTBRIDGE, TriggerKind.SNS})
_FIRING_BY_KIND = {TriggerKind.S3: Firing.S3, TriggerKind.DYNAMODB: Firing.DYNAMODB,
                   TriggerKind.SQS: Firing.SQS}


@dataclass(frozen=True, slots=True)
class TriggerNames:
    entries: tuple[TriggerName, ...]

    @classmethod
    def of(cls, graph: Graph) -> TriggerNames:
        return cls(tuple(_entries(graph)))

    def find(self, name: str) -> TriggerName:
        """The trigger `name` means; UsageError when none, or when a short name is shared."""
        matches = self._matches(name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = [m.full_id for m in matches]
            if len(set(ids)) < len(ids):      # a bucket's id, for each function it notifies
                ids = [m.also[0] if m.also else m.full_id for m in matches]
            if not any(m.is_fired for m in matches):   # listing ids none of which would fire
                kinds = ", ".join(sorted({m.event_type for m in matches}))
                raise UsageError(f"{name!r} names {len(matches)} triggers ({', '.join(ids)}), "
                                 f"of a kind samlite trigger cannot fire ({kinds}); invoke the "
                                 "function instead")
            raise UsageError(f"{name!r} names {len(matches)} triggers: {', '.join(ids)}; "
                             "name one of them as written here")
        known = ", ".join(sorted(self.label(e) for e in self.entries if e.is_fired)) or "none"
        raise UsageError(f"no schedule, S3, DynamoDB or SQS trigger, rule or topic {name!r} "
                         f"(triggers: {known})")

    def label(self, entry: TriggerName) -> str:
        """What the startup table shows: "Every5Min or TickFunctionEvery5Min", or only the
        full id when the event's own name would not reach it (shared, or another's id)."""
        short = entry.event
        if short and short != entry.full_id and self._matches(short) == [entry]:
            return f"{short} or {entry.full_id}"
        return entry.full_id

    def label_of(self, full_id: str, *, function: str | None = None) -> str:
        """The label of the trigger with this full id (of `function`, for a bucket's id)."""
        for entry in self.entries:
            if entry.full_id == full_id and (function is None or entry.trigger is None
                                             or entry.trigger.function == function):
                return self.label(entry)
        return full_id

    def _matches(self, name: str) -> list[TriggerName]:
        # A full id, then another exact form, then the event's own name: the first that names
        # anything decides.
        for tier in ([e for e in self.entries if e.full_id == name],
                     [e for e in self.entries if name in e.also],
                     [e for e in self.entries if e.event == name]):
            if tier:
                return tier
        return []


def _entries(graph: Graph) -> Iterator[TriggerName]:
    for schedule in graph.schedules:
        event = schedule.event
        yield TriggerName(full_id=schedule.logical_id, event=event, firing=Firing.SCHEDULE,
                          event_type=schedule.source,
                          also=tuple(f"{t.function}.{event}" for t in schedule.targets
                                     if event))
    for rule in graph.event_rules:
        yield TriggerName(full_id=rule.logical_id, event=rule.event, firing=Firing.RULE,
                          event_type="EventBridgeRule" if rule.event else "AWS::Events::Rule",
                          also=tuple(f"{t.target}.{rule.event or rule.logical_id}"
                                     for t in rule.targets))
    for topic in graph.topics:
        yield TriggerName(full_id=topic.logical_id, event=None, firing=Firing.TOPIC,
                          event_type="AWS::SNS::Topic",
                          also=(topic.topic_name,) if topic.topic_name != topic.logical_id
                          else ())
        for sub in topic.subscriptions:
            ids = [i for i in (sub.event, sub.logical_id) if i]
            yield TriggerName(full_id=sub.logical_id, event=sub.event,
                              firing=Firing.SUBSCRIPTION,
                              event_type="SNS" if sub.event else "AWS::SNS::Subscription",
                              also=tuple(f"{sub.endpoint}.{i}" for i in ids))
    named_above = set(_ids(graph))
    seen: set[tuple[str, str]] = set()
    for trigger in graph.triggers:
        if trigger.kind in _SHARED_WITH_MESSAGING:
            continue    # the schedule, rule or subscription above
        is_event = _is_sam_event(trigger)
        full_id = full_id_of(trigger)
        if full_id in named_above or (full_id, trigger.function) in seen:
            continue    # an SNS event's SQS subscription: the subscription above
        seen.add((full_id, trigger.function))
        yield TriggerName(full_id=full_id, event=trigger.logical_id if is_event else None,
                          firing=_FIRING_BY_KIND.get(trigger.kind, Firing.NONE),
                          event_type=trigger.event_type,
                          also=(f"{trigger.function}.{trigger.logical_id}",), trigger=trigger)


def full_id_of(trigger: Trigger) -> str:
    """SAM's `<Function><Event>` for a function's event, else the declaring resource's id."""
    return trigger.function + trigger.logical_id if _is_sam_event(trigger) \
        else trigger.logical_id


def _is_sam_event(trigger: Trigger) -> bool:
    return not trigger.event_type.startswith("AWS::")


def _ids(graph: Graph) -> Iterator[str]:
    yield from (s.logical_id for s in graph.schedules)
    yield from (r.logical_id for r in graph.event_rules)
    for topic in graph.topics:
        yield topic.logical_id
        yield from (s.logical_id for s in topic.subscriptions)
