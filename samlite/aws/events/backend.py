"""moto's EventBridge backend with samlite's PutEvents: moto keeps buses (and answers the
control plane); each valid PutEvents entry becomes the event EventBridge delivers and is handed
to `on_event` (sources/eventbridge/ matches the rules) instead of moto's rule targets. The one
home of moto's EventBridge models, with route.py.

PutEvents' answer and per-entry errors follow the EventBridge API reference ("PutEvents",
"PutEventsResultEntry"): at most 10 entries, Source, DetailType and Detail required, Detail a
JSON object; the wording is EventBridge's, as moto carries it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.events.exceptions import InvalidEventPatternException, ValidationException
from moto.events.models import EventsBackend

from samlite.aws.events.model import RuleSpec
from samlite.clock import Clock
from samlite.dialects.event_patterns import EventFilter

OnEvent = Callable[[str, dict[str, Any]], None]     # (bus name, the event as delivered)

MAX_ENTRIES = 10


class LocalEventsBackend(EventsBackend):
    def __init__(self, region_name: str, account_id: str, *, on_event: OnEvent,
                 clock: Clock) -> None:
        super().__init__(region_name, account_id)
        self._on_event = on_event
        self._clock = clock

    def ensure_event_bus(self, name: str) -> str:
        """A template bus exists; its ARN."""
        bus = self.event_buses.get(name) or self.create_event_bus(name)
        return str(bus.arn)

    def ensure_rule(self, rule: RuleSpec) -> None:
        """A rule and its targets exist as PutRule and PutTargets would make them."""
        self.ensure_event_bus(rule.bus)
        made = self.put_rule(rule.name, event_bus_arn=rule.bus, event_pattern=rule.pattern,
                             scheduled_expression=rule.schedule_expression,
                             state="ENABLED" if rule.is_enabled else "DISABLED",
                             managed_by=None)
        made.targets = [dict(t) for t in rule.targets]

    def put_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(events) > MAX_ENTRIES:
            raise ValidationException(
                "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' "
                "failed to satisfy constraint: Member must have length less than or equal "
                "to 10")
        entries: list[dict[str, Any]] = []
        for entry in events:
            error = _entry_error(entry)
            if error is not None:
                entries.append({"ErrorCode": error[0], "ErrorMessage": error[1]})
                continue
            bus = _bus_name(entry.get("EventBusName"))
            self.describe_event_bus(bus)   # ResourceNotFoundException for an unknown bus
            event = self._envelope(entry)
            self._on_event(bus, event)
            entries.append({"EventId": event["id"]})
        return entries

    def test_event_pattern(self, pattern: str, event: str) -> bool:  # type: ignore[override]
        """TestEventPattern with the pattern engine the rules run on (EventBridge API
        reference, "TestEventPattern": Result; InvalidEventPatternException for a bad
        pattern)."""
        try:
            matcher = EventFilter.from_patterns([pattern])
        except ValueError as exc:
            raise InvalidEventPatternException(reason=str(exc)) from None
        try:
            document = json.loads(event)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise ValidationException("Parameter Event is not valid.")
        return matcher.matches(document)

    def _envelope(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The event as EventBridge delivers it ("Amazon EventBridge events": version, id,
        detail-type, source, account, time, region, resources, detail)."""
        when = entry.get("Time")
        if isinstance(when, int | float):
            moment = datetime.fromtimestamp(when, tz=UTC)
        elif isinstance(when, datetime):
            moment = when.astimezone(UTC)
        else:
            moment = datetime.fromtimestamp(self._clock.now(), tz=UTC)
        return {"version": "0", "id": str(uuid.uuid4()), "detail-type": entry["DetailType"],
                "source": entry["Source"], "account": self.account_id,
                "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": self.region_name,
                "resources": list(entry.get("Resources") or []),
                "detail": json.loads(entry["Detail"])}


class EventsError(Exception):
    """An EventBridge error as SDKs see it: its code and message."""


@contextmanager
def translated_errors() -> Iterator[None]:
    """moto's EventBridge errors as EventsError."""
    try:
        yield
    except JsonRESTError as exc:
        raise EventsError(f"{exc.error_type}: {exc.message}") from exc


def _entry_error(entry: dict[str, Any]) -> tuple[str, str] | None:
    for name in ("Source", "DetailType", "Detail"):
        if not entry.get(name):
            return ("InvalidArgument",
                    f"Parameter {name} is not valid. Reason: {name} is a required argument.")
    try:
        detail = json.loads(entry["Detail"])
    except (TypeError, ValueError):
        return "MalformedDetail", "Detail is malformed."
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    return None


def _bus_name(value: Any) -> str:
    text = str(value or "default")
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
