"""A template rule as the EventBridge API shows it: pure data for LocalEvents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateRule:
    name: str                        # the rule's name on its bus (its logical id here)
    bus: str
    pattern: str                     # EventPattern as JSON text
    is_enabled: bool
    targets: tuple[Mapping[str, Any], ...] = ()   # as PutTargets takes them (Id, Arn, ...)
