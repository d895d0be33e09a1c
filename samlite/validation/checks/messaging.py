"""Checks on SNS and EventBridge patterns: an EventBridge rule's EventPattern (AWS::Events::Rule,
SAM EventBridgeRule / CloudWatchEvent Pattern) and an SNS FilterPolicy (AWS::SNS::Subscription,
SAM SNS events) must be patterns AWS accepts. Warnings: SAM translates the template, but AWS
would refuse the resource; locally the rule matches nothing and the subscription is not
made. Works on the raw nodes; patterns written with intrinsics are left to run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import (
    events_of,
    problem,
    properties_of,
    resources_of,
)

__all__ = ["CHECKS", "check_event_patterns", "check_filter_policies"]


def check_event_patterns(ctx: CheckContext) -> Iterator[Problem]:
    for logical_id, resource in resources_of(ctx).items():
        if resource.get("Type") == "AWS::Events::Rule":
            props = properties_of(resource)
            if "EventPattern" in props:
                yield from _bad(ctx, "W4004", "EventPattern", props["EventPattern"],
                                ("Resources", logical_id, "Properties", "EventPattern"),
                                logical_id)
        elif resource.get("Type") == "AWS::Serverless::Function":
            for event_id, event_type, props in events_of(resource):
                if event_type in ("EventBridgeRule", "CloudWatchEvent") and "Pattern" in props:
                    yield from _bad(ctx, "W4004", "Pattern", props["Pattern"],
                                    ("Resources", logical_id, "Properties", "Events", event_id,
                                     "Properties", "Pattern"), logical_id)


def check_filter_policies(ctx: CheckContext) -> Iterator[Problem]:
    for logical_id, resource in resources_of(ctx).items():
        if resource.get("Type") == "AWS::SNS::Subscription":
            props = properties_of(resource)
            if "FilterPolicy" in props:
                yield from _bad(ctx, "W4005", "FilterPolicy", props["FilterPolicy"],
                                ("Resources", logical_id, "Properties", "FilterPolicy"),
                                logical_id)
        elif resource.get("Type") == "AWS::Serverless::Function":
            for event_id, event_type, props in events_of(resource):
                if event_type == "SNS" and "FilterPolicy" in props:
                    yield from _bad(ctx, "W4005", "FilterPolicy", props["FilterPolicy"],
                                    ("Resources", logical_id, "Properties", "Events", event_id,
                                     "Properties", "FilterPolicy"), logical_id)


def _bad(ctx: CheckContext, code: str, name: str, value: Any, path: tuple[str | int, ...],
         owner: str) -> Iterator[Problem]:
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict) and not _has_intrinsic(value):
        text = json.dumps(value, default=str)
    else:
        return
    # Imported only for a template with patterns: most have none (~2 ms with ipaddress).
    from samlite.dialects.event_patterns import EventFilter

    try:
        EventFilter.from_patterns([text])
    except ValueError as exc:
        reason = re.sub(r"^filter pattern 1:? ", "", str(exc))
        yield problem(ctx, code, f"{name} is not valid: {reason}; AWS would refuse it, and "
                                 "locally it matches nothing", path, resource=owner)


def _has_intrinsic(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k == "Ref" or k.startswith("Fn::") or _has_intrinsic(v)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_has_intrinsic(v) for v in value)
    return False


CHECKS: tuple[Check, ...] = (check_event_patterns, check_filter_policies)
