"""The local EventBridge as the app uses it: the template's buses and rules made at startup,
PutEvents in-process, and the Route that serves them to SDKs on the endpoint. Each accepted
entry is handed to `on_event` before PutEvents answers, so its deliveries are in Lambda's
durable asynchronous queue or the SQS store by then. One instance per app.

What clients change (buses, rules, targets, a rule's state) is journaled (aws/journal.py) and
replayed at the next start over the template's rules; the template owns its rules: one it
changed since it last put them is put again as it says now.

Importing this module does not import moto: LocalEvents imports it when built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.events.model import RuleSpec
from samlite.aws.journal import Call, Journal, JournaledRoute, TemplatePuts
from samlite.clock import Clock
from samlite.errors import Mark
from samlite.graph.messaging import DEFAULT_BUS, EventRule, InputTransformer, RuleTarget
from samlite.http.messages import Route

if TYPE_CHECKING:
    from samlite.aws.events.backend import LocalEventsBackend

__all__ = ["LocalEvents", "RuleSpec"]

# Calls that change buses, rules or targets (botocore's events model, 2015-10-07, as far as
# moto serves them), kept in the journal; the rest only read or put events.
CHANGES = frozenset({
    "CreateEventBus", "DeleteEventBus", "PutRule", "DeleteRule", "EnableRule", "DisableRule",
    "PutTargets", "RemoveTargets", "TagResource", "UntagResource", "PutPermission",
    "RemovePermission",
})


class LocalEvents:
    def __init__(self, *, account_id: str, region: str, clock: Clock,
                 on_event: Callable[[str, dict[str, Any]], None],
                 db_path: Path | None = None,
                 on_change: Callable[[], None] = lambda: None) -> None:
        """`db_path`: where the calls clients make are kept (None: memory only);
        `on_change` hears of each change a client makes (a rule disabled, a rule put)."""
        from samlite.aws.events.backend import LocalEventsBackend
        from samlite.aws.events.route import TARGET_PREFIX, EventsRoute

        self._backend: LocalEventsBackend = LocalEventsBackend(region, account_id,
                                                               on_event=on_event, clock=clock)
        self._journal = Journal(db_path, "events")
        self._route = JournaledRoute(
            EventsRoute(self._backend, account_id=account_id, region=region), self._journal,
            target_prefix=TARGET_PREFIX, changes=CHANGES,
            on_change=lambda call: on_change())
        self._template_puts = TemplatePuts(self._route)
        self._template_rules: set[str] = set()   # RuleSpec.key of the template's rules

    def restore(self, buses: Sequence[str], rules: Sequence[RuleSpec]) -> list[str]:
        """At start: the template's buses and rules, the calls clients made at earlier starts
        replayed over them (calls on a rule the template made once and has no more are
        passed over; a client may make one of that name after), then the template's rules it
        changed since put again. The problems, as ensure_template_rules says them."""
        from samlite.aws.events.backend import EventsError, translated_errors

        for bus in buses:
            self.ensure_event_bus(bus)
        owned = {rule.key for rule in rules}
        with self._route.lock:
            for rule in rules:
                try:
                    with translated_errors():
                        self._backend.ensure_rule(rule)
                except EventsError:
                    continue   # said by ensure_template_rules below
            self._route.replay(after=self._template_puts.replayed,
                               skip=lambda call: self._is_gone(call, owned))
            for key in self._template_puts.names() - owned:
                self._template_puts.forget(key)
        return self.ensure_template_rules(rules)

    def ensure_event_bus(self, name: str) -> str:
        return self._backend.ensure_event_bus(name)

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """PutEvents in-process (the gateway's EventBridge-PutEvents integration, `samlite
        trigger`); the result entries, as the API answers them."""
        return self._backend.put_events([dict(e) for e in entries])

    def ensure_template_rules(self, rules: Sequence[RuleSpec]) -> list[str]:
        """The template's rules are in the API's view (ListRules, DescribeRule,
        ListTargetsByRule, ListRuleNamesByTarget) as deployed rules are, under their names;
        ones the template no longer has are gone. A rule the template says the same of as
        when it last put it keeps what clients did to it since (DisableRule, PutTargets),
        as a deployed rule does until its stack changes it. The problems, one line each (a
        rule moto's model refuses: it still runs, it is only not listed)."""
        from samlite.aws.events.backend import EventsError, translated_errors

        problems: list[str] = []
        with self._route.lock:
            wanted = {rule.key for rule in rules}
            for key in self._template_rules - wanted:
                bus_name, name = key.split("/", 1)    # a bus name has no "/"
                bus = self._backend.event_buses.get(bus_name)
                if bus is not None:
                    bus.rules.pop(name, None)
                self._template_puts.forget(key)
            self._template_rules = set()
            for rule in rules:
                text = rule.as_text()
                if self._rule(rule.bus, rule.name) is not None \
                        and self._template_puts.changed(rule.key, text) is False:
                    self._template_rules.add(rule.key)
                    continue
                try:
                    with translated_errors():
                        self._backend.ensure_rule(rule)
                except EventsError as exc:
                    problems.append(f"{rule.name}: not listed by the EventBridge API: {exc}")
                    continue
                self._template_puts.remember(rule.key, text)
                self._template_rules.add(rule.key)
        return problems

    def is_enabled(self, bus: str, name: str, *, default: bool) -> bool:
        """A template rule's state as the API left it (DisableRule, EnableRule; a rule
        deleted through the API is off until the template puts it again)."""
        if f"{bus}/{name}" not in self._template_rules:
            return default
        found = self._rule(bus, name)
        return found is not None and str(found.state).upper() != "DISABLED"

    def api_rules(self) -> tuple[EventRule, ...]:
        """The event-pattern rules made through the API (PutRule, PutTargets), in the shape
        of the template's: targets by ARN, the rule by its name."""
        rules = []
        for bus, rule in self._client_rules():
            raw = getattr(rule.event_pattern, "_raw_pattern", None)
            if not raw or rule.scheduled_expression:
                continue
            rules.append(EventRule(
                logical_id=rule.name, bus=bus, pattern=str(raw),
                is_enabled=str(rule.state).upper() != "DISABLED",
                targets=tuple(_target(t) for t in list(rule.targets)),
                at=_API_MARK))
        return tuple(rules)

    def api_schedule_rules(self) -> tuple[RuleSpec, ...]:
        """The rules with a ScheduleExpression made through the API, with their targets as
        PutTargets took them."""
        return tuple(RuleSpec(name=rule.name, bus=bus,
                              schedule_expression=str(rule.scheduled_expression),
                              is_enabled=str(rule.state).upper() != "DISABLED",
                              targets=tuple(dict(t) for t in list(rule.targets)))
                     for bus, rule in self._client_rules() if rule.scheduled_expression)

    def route(self) -> Route:
        return self._route

    def close(self) -> None:
        self._journal.close()

    def _client_rules(self) -> list[tuple[str, Any]]:
        """(bus name, moto's Rule) of every rule the template does not own."""
        return [(bus.name, rule) for bus in list(self._backend.event_buses.values())
                for rule in list(bus.rules.values())
                if f"{bus.name}/{rule.name}" not in self._template_rules]

    def _rule(self, bus: str, name: str) -> Any:
        on_bus = self._backend.event_buses.get(bus)
        return on_bus.rules.get(name) if on_bus is not None else None

    def _is_gone(self, call: Call, owned: set[str]) -> bool:
        """A kept call on a rule the template made at an earlier start and has no more."""
        name = call.params.get("Name") if "Rule" not in call.params else call.params["Rule"]
        if call.action in ("CreateEventBus", "DeleteEventBus") or not isinstance(name, str):
            return False
        key = f"{_bus_name(call.params.get('EventBusName'))}/{name}"
        return self._template_puts.has_put(key) and key not in owned


_API_MARK = Mark(file="<EventBridge API>", line=0, column=0)


def _bus_name(value: Any) -> str:
    text = str(value or DEFAULT_BUS)
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _target(target: Mapping[str, Any]) -> RuleTarget:
    arn = str(target.get("Arn", ""))
    parts = arn.split(":")
    transformer = target.get("InputTransformer")
    return RuleTarget(
        target_id=str(target.get("Id", "")), kind=parts[2] if len(parts) > 2 else "?",
        target=arn, input=target.get("Input"), input_path=target.get("InputPath"),
        input_transformer=InputTransformer(
            paths=tuple((str(k), str(v)) for k, v in
                        dict(transformer.get("InputPathsMap") or {}).items()),
            template=str(transformer.get("InputTemplate", "")))
        if isinstance(transformer, dict) else None,
        message_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
        dead_letter_queue=(target.get("DeadLetterConfig") or {}).get("Arn"))
