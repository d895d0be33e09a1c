"""SAM's translation rules for a function's event sources: what SAM refuses while it turns an
event into CloudFormation (event shapes, schedules and their dead-letter queues, queues and
subscriptions, Cognito triggers, stream and broker sources). Follows samtranslator
(model/eventsources/push.py, pull.py, scheduler.py, model/eventbridge_utils.py). Api and
HttpApi events: sam_api_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from samlite.errors import Problem
from samlite.validation.checks.sam_common import FUNCTION, SamView, event_path, is_map


def check_event_shapes(view: SamView) -> Iterator[Problem]:
    """Each event is a map with a Type and, when given, a Properties map."""
    for fid, props in view.of_type(FUNCTION):
        events = props.get("Events")
        if not is_map(events):
            continue
        for event_id, event in events.items():
            path = ("Resources", fid, "Properties", "Events", event_id)
            if not isinstance(event, dict):
                yield view.problem("E7301", f"Event {event_id} should be a map with Type and "
                                            "Properties", path, fid)
                continue
            if not isinstance(event.get("Type"), str):
                yield view.problem("E7301", f"Event {event_id} has no Type (e.g. Api, S3, SQS, "
                                            "Schedule)", path, fid)
            event_properties = event.get("Properties")
            if event_properties is not None and not is_map(event_properties):
                yield view.problem("E7301", f"Properties of event {event_id} should be a map",
                                   (*path, "Properties"), fid)


def check_schedule_events(view: SamView) -> Iterator[Problem]:
    """Schedule: not both State and Enabled. Schedule/ScheduleV2 DeadLetterConfig: Arn or
    Type (SQS), not both; QueueLogicalId a string. ScheduleV2: OmitName a boolean, not with
    Name."""
    for fid, event_id, event, props in view.events():
        kind = event.get("Type")
        if kind not in ("Schedule", "ScheduleV2"):
            continue
        source = f"{fid}{event_id}"     # the id SAM gives the rule / schedule it creates
        if kind == "Schedule" and "State" in props and "Enabled" in props:
            yield view.problem("E7302", "State and Enabled Properties cannot both be specified; "
                                        "keep State", event_path(fid, event_id, "Enabled"), fid)
        dlq = props.get("DeadLetterConfig")
        if is_map(dlq):
            path = event_path(fid, event_id, "DeadLetterConfig")
            if "Arn" in dlq and "Type" in dlq:
                yield view.problem("E7303", "You can either define 'Arn' or 'Type' property of "
                                            "DeadLetterConfig, not both", path, fid)
            elif "Arn" not in dlq and "Type" not in dlq:
                yield view.problem("E7303", "No 'Arn' or 'Type' property provided for "
                                            "DeadLetterConfig", path, fid)
            elif "Type" in dlq and dlq["Type"] != "SQS":
                yield view.problem("E7303", "The only valid value for 'Type' property of "
                                            "DeadLetterConfig is 'SQS'", (*path, "Type"), fid)
            if "QueueLogicalId" in dlq and not isinstance(dlq["QueueLogicalId"], str):
                yield view.problem("E7303", "QueueLogicalId of DeadLetterConfig must be a "
                                            "string (SAM names the queue it creates with it)",
                                   (*path, "QueueLogicalId"), fid)
        if kind == "ScheduleV2" and "OmitName" in props:
            omit = props["OmitName"]
            if not isinstance(omit, bool):
                yield view.problem("E7304", f"OmitName must be true or false, got {omit!r} "
                                            f"(SAM reads it to build {source})",
                                   event_path(fid, event_id, "OmitName"), fid)
            elif omit and "Name" in props:
                yield view.problem("E7304", "Name cannot be set when OmitName is true",
                                   event_path(fid, event_id, "Name"), fid)


def check_sqs_queue(view: SamView) -> Iterator[Problem]:
    for fid, event_id, event, props in view.events():
        if event.get("Type") == "SQS" and props.get("Queue") is None:
            yield view.problem("E7305", f"Missing required property 'Queue' of SQS event "
                                        f"{event_id} (SAM's {fid}{event_id})",
                               event_path(fid, event_id), fid)


CHECKS_ON_VIEW = (check_event_shapes, check_schedule_events, check_sqs_queue)
