"""SAM's translation rules for a function's event sources: what SAM refuses while it turns an
event into CloudFormation (event shapes, schedules and their dead-letter queues, queues and
subscriptions, Cognito triggers, stream and broker sources). Follows samtranslator
(model/eventsources/push.py, pull.py, scheduler.py, model/eventbridge_utils.py). Api and
HttpApi events: sam_api_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_common import (
    FUNCTION,
    SamView,
    event_path,
    is_intrinsic,
    is_map,
)

# Events SAM turns into an EventBridge rule or schedule (State, Enabled, DeadLetterConfig).
RULE_EVENTS = ("Schedule", "ScheduleV2", "CloudWatchEvent", "EventBridgeRule")
STREAM_EVENTS = ("Kinesis", "DynamoDB", "MSK", "SelfManagedKafka")   # with DestinationConfig
ON_FAILURE_TYPES = ("SQS", "SNS", "S3", "Kafka")
# SourceAccessConfigurations: the Types each broker source takes, and the one it needs.
BROKER_ACCESS = {"MQ": (("BASIC_AUTH", "VIRTUAL_HOST"), "BASIC_AUTH"),
                 "DocumentDB": (("BASIC_AUTH",), "BASIC_AUTH")}
KAFKA_AUTH = ("SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH", "BASIC_AUTH",
              "CLIENT_CERTIFICATE_TLS_AUTH")
KAFKA_ACCESS = (*KAFKA_AUTH, "VPC_SUBNET", "VPC_SECURITY_GROUP", "SERVER_ROOT_CA_CERTIFICATE")


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
    """Schedule, CloudWatchEvent, EventBridgeRule: not both State and Enabled. Their and
    ScheduleV2's DeadLetterConfig: Arn or Type (SQS), not both; QueueLogicalId a string.
    ScheduleV2: OmitName a boolean, not with Name."""
    for fid, event_id, event, props in view.events():
        kind = event.get("Type")
        if kind not in RULE_EVENTS:
            continue
        source = f"{fid}{event_id}"     # the id SAM gives the rule / schedule it creates
        if kind != "ScheduleV2" and "State" in props and "Enabled" in props:
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


def check_sns_queue_subscription(view: SamView) -> Iterator[Problem]:
    """An SNS event's SqsSubscription map subscribes an existing queue: it names both the
    queue's ARN and its URL."""
    for fid, event_id, event, props in view.events():
        subscription = props.get("SqsSubscription")
        if event.get("Type") != "SNS" or not is_map(subscription):
            continue
        missing = [key for key in ("QueueArn", "QueueUrl") if not subscription.get(key)]
        if missing:
            yield view.problem("E7307", f"SqsSubscription needs QueueArn and QueueUrl to "
                                        f"subscribe an existing queue ({' and '.join(missing)} "
                                        "missing); use SqsSubscription: true to let SAM create "
                                        "one", event_path(fid, event_id, "SqsSubscription"), fid)


def check_cognito_events(view: SamView) -> Iterator[Problem]:
    """A Cognito event's UserPool is a Ref to a user pool of this template (SAM writes the
    trigger into that pool's LambdaConfig), and each trigger of a pool is set once."""
    seen: set[tuple[str, str]] = set()
    for fid, event_id, event, props in view.events():
        if event.get("Type") != "Cognito":
            continue
        pool = props.get("UserPool")
        target = pool.get("Ref") if isinstance(pool, dict) and len(pool) == 1 else None
        if not isinstance(target, str) or target not in view.resources:
            yield view.problem("E7308", "Cognito events must reference a Cognito UserPool in the "
                                        "same template (!Ref to its logical id), got "
                                        f"{pool!r}", event_path(fid, event_id, "UserPool"), fid)
            continue
        if not seen & {(target, "")}:
            seen |= {(target, ""), *((target, name) for name in _lambda_config(
                view.resources[target]))}
        triggers = props.get("Trigger")
        for trigger in triggers if isinstance(triggers, list) else [triggers]:
            if isinstance(trigger, str) and (target, trigger) in seen:
                yield view.problem("E7308", f"Cognito trigger {trigger} of {target} is set more "
                                            "than once (by this event, another one or the "
                                            "pool's LambdaConfig)",
                                   event_path(fid, event_id, "Trigger"), fid)
            seen.add((target, str(trigger)))


def _lambda_config(pool: Any) -> Mapping[str, Any]:
    props = pool.get("Properties") if isinstance(pool, dict) else None
    config = props.get("LambdaConfig") if is_map(props) else None
    return config if is_map(config) else {}


def check_stream_destinations(view: SamView) -> Iterator[Problem]:
    """A stream source's DestinationConfig.OnFailure.Type (which SAM reads to grant the
    function access) is SQS, SNS, S3 or Kafka."""
    for fid, event_id, event, props in view.events():
        config = props.get("DestinationConfig")
        on_failure = config.get("OnFailure") if is_map(config) else None
        if event.get("Type") not in STREAM_EVENTS or not is_map(on_failure):
            continue
        kind = on_failure.get("Type")
        if kind and kind not in ON_FAILURE_TYPES:
            yield view.problem("E7309", f"DestinationConfig.OnFailure.Type must be one of "
                                        f"{', '.join(ON_FAILURE_TYPES)}, got {kind!r}",
                               event_path(fid, event_id, "DestinationConfig", "OnFailure",
                                          "Type"), fid)


def check_source_access(view: SamView) -> Iterator[Problem]:
    """MQ and DocumentDB: SourceAccessConfigurations entries of the Types the source takes,
    one BASIC_AUTH with its URI. SelfManagedKafka: known Types, one auth mechanism, every
    entry with a URI, VPC_SUBNET and VPC_SECURITY_GROUP together."""
    for fid, event_id, event, props in view.events():
        kind = event.get("Type")
        entries = props.get("SourceAccessConfigurations")
        if not isinstance(entries, list):
            continue          # missing or not a list: the schema says so
        path = event_path(fid, event_id, "SourceAccessConfigurations")
        found = [(e.get("Type"), e.get("URI")) for e in entries if is_map(e)]
        if kind in BROKER_ACCESS:
            message = _broker_access(kind, found)
        elif kind == "SelfManagedKafka":
            message = _kafka_access(found)
        else:
            continue
        if message:
            yield view.problem("E7310", message, path, fid)


def _broker_access(kind: str, found: list[tuple[Any, Any]]) -> str | None:
    allowed, needed = BROKER_ACCESS[kind]
    for access, _ in found:
        if not is_intrinsic(access) and access not in allowed:
            return f"SourceAccessConfigurations Type {access!r} is not one {kind} takes " \
                   f"({', '.join(allowed)})"
    uris = [uri for access, uri in found if access == needed]
    if len(uris) != 1:
        return f"{kind} needs exactly one {needed} entry in SourceAccessConfigurations, " \
               f"found {len(uris)}"
    return None if uris[0] else f"The {needed} entry of SourceAccessConfigurations needs a URI"


def _kafka_access(found: list[tuple[Any, Any]]) -> str | None:
    for access, uri in found:
        if not is_intrinsic(access) and access not in KAFKA_ACCESS:
            return f"SourceAccessConfigurations Type {access!r} is not one SelfManagedKafka " \
                   f"takes ({', '.join(KAFKA_ACCESS)})"
        if not uri:
            return f"The {access} entry of SourceAccessConfigurations needs a URI"
        if not isinstance(uri, str) and not is_intrinsic(uri):
            return f"The URI of the {access} entry of SourceAccessConfigurations must be a string"
    kinds = [access for access, _ in found]
    if sum(access in KAFKA_AUTH for access in kinds) > 1:
        return "SelfManagedKafka takes one authentication mechanism in " \
               f"SourceAccessConfigurations ({', '.join(KAFKA_AUTH)})"
    if ("VPC_SUBNET" in kinds) != ("VPC_SECURITY_GROUP" in kinds):
        return "SelfManagedKafka needs VPC_SUBNET and VPC_SECURITY_GROUP together in " \
               "SourceAccessConfigurations"
    return None


CHECKS_ON_VIEW = (check_event_shapes, check_schedule_events, check_sqs_queue,
                  check_sns_queue_subscription, check_cognito_events, check_stream_destinations,
                  check_source_access)
