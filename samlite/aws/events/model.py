"""A rule as PutRule and PutTargets make it (the template's, or one a client made): pure data
for LocalEvents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSpec:
    name: str                        # the rule's name on its bus (Name, else its logical id)
    bus: str
    pattern: str | None = None       # EventPattern as JSON text
    schedule_expression: str | None = None   # ScheduleExpression (default bus only)
    is_enabled: bool
    targets: tuple[Mapping[str, Any], ...] = ()   # as PutTargets takes them (Id, Arn, ...)

    @property
    def key(self) -> str:
        """The rule's place: bus/name, as its ARN ends."""
        return f"{self.bus}/{self.name}"

    def as_text(self) -> str:
        """Everything the template says of the rule, to tell when that changes."""
        return json.dumps({"pattern": self.pattern, "schedule": self.schedule_expression,
                           "enabled": self.is_enabled,
                           "targets": [dict(t) for t in self.targets]}, sort_keys=True)
