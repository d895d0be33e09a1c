"""The local EventBridge as the app uses it: the template's buses made at startup, PutEvents
in-process, and the Route that serves them to SDKs on the endpoint. Each accepted entry is
handed to `on_event` before PutEvents answers, so its deliveries are in Lambda's durable
asynchronous queue or the SQS store by then. One instance per app.

Importing this module does not import moto: LocalEvents imports it when built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from samlite.aws.events.model import TemplateRule
from samlite.clock import Clock
from samlite.errors import Mark
from samlite.graph.messaging import EventRule, InputTransformer, RuleTarget
from samlite.http.messages import Route

if TYPE_CHECKING:
    from samlite.aws.events.backend import LocalEventsBackend

__all__ = ["LocalEvents", "TemplateRule"]


class LocalEvents:
    def __init__(self, *, account_id: str, region: str, clock: Clock,
                 on_event: Callable[[str, dict[str, Any]], None]) -> None:
        from samlite.aws.events.backend import LocalEventsBackend

        self._account_id = account_id
        self._region = region
        self._backend: LocalEventsBackend = LocalEventsBackend(region, account_id,
                                                               on_event=on_event, clock=clock)
        self._route: Route | None = None
        self._template_rules: set[tuple[str, str]] = set()   # (bus, name) the template made

    def ensure_event_bus(self, name: str) -> str:
        return self._backend.ensure_event_bus(name)

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """PutEvents in-process (the gateway's EventBridge-PutEvents integration, `samlite
        trigger`); the result entries, as the API answers them."""
        return self._backend.put_events([dict(e) for e in entries])

    def ensure_template_rules(self, rules: Sequence[TemplateRule]) -> list[str]:
        """The template's rules are in the API's view (ListRules, DescribeRule,
        ListTargetsByRule, ListRuleNamesByTarget) as deployed rules are, under their names;
        ones the template no longer has are gone. The problems, one line each (a pattern
        moto's model refuses: the rule still runs, it is only not listed)."""
        from samlite.aws.events.backend import EventsError, translated_errors

        problems: list[str] = []
        wanted = {(r.bus, r.name) for r in rules}
        for bus_name, name in self._template_rules - wanted:
            bus = self._backend.event_buses.get(bus_name)
            if bus is not None:
                bus.rules.pop(name, None)
        self._template_rules = set()
        for rule in rules:
            try:
                with translated_errors():
                    self._backend.ensure_rule(rule)
            except EventsError as exc:
                problems.append(f"{rule.name}: not listed by the EventBridge API: {exc}")
                continue
            self._template_rules.add((rule.bus, rule.name))
        return problems

    def is_enabled(self, bus: str, name: str, *, default: bool) -> bool:
        """A template rule's state as the API left it (DisableRule, EnableRule)."""
        on_bus = self._backend.event_buses.get(bus)
        found = on_bus.rules.get(name) if on_bus is not None else None
        if found is None or (bus, name) not in self._template_rules:
            return default
        return str(found.state).upper() != "DISABLED"

    def api_rules(self) -> tuple[EventRule, ...]:
        """The event-pattern rules made through the API (PutRule, PutTargets), in the shape
        of the template's: targets by ARN, the rule by its name."""
        rules = []
        for bus in list(self._backend.event_buses.values()):
            for rule in list(bus.rules.values()):
                if (bus.name, rule.name) in self._template_rules:
                    continue     # the template's own: matched from the graph
                raw = getattr(rule.event_pattern, "_raw_pattern", None)
                if not raw or rule.scheduled_expression:
                    continue
                rules.append(EventRule(
                    logical_id=rule.name, bus=bus.name, pattern=str(raw),
                    is_enabled=str(rule.state).upper() != "DISABLED",
                    targets=tuple(_target(t) for t in list(rule.targets)),
                    at=_API_MARK))
        return tuple(rules)

    def route(self) -> Route:
        if self._route is None:
            from samlite.aws.events.route import EventsRoute

            self._route = EventsRoute(self._backend, account_id=self._account_id,
                                      region=self._region)
        return self._route


_API_MARK = Mark(file="<EventBridge API>", line=0, column=0)


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
