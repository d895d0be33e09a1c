"""The app graph's SNS and EventBridge parts: topics with their subscriptions, event buses,
and event-pattern rules with their targets. Frozen data, filled by graph/readers/messaging.py;
graph/model.py holds them in the Graph. Pure.

Names follow CloudFormation's properties (AWS::SNS::Topic, AWS::SNS::Subscription,
AWS::Events::EventBus, AWS::Events::Rule Targets); SAM's `SNS`, `EventBridgeRule` and
`CloudWatchEvent` events become the same parts, as SAM's translator expands them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samlite.errors import Mark

DEFAULT_BUS = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    logical_id: str                  # the AWS::SNS::Subscription, or SAM's <Function><Event>
    topic: str                       # logical id of the topic
    protocol: str                    # "lambda", "sqs", ... as SNS names it
    endpoint: str                    # function / queue logical id when in this template, else
    #                                  the ARN or URL given
    filter_policy: str | None = None         # JSON text
    filter_policy_scope: str = "MessageAttributes"   # or "MessageBody"
    is_raw: bool = False                     # RawMessageDelivery
    dead_letter_queue: str | None = None     # RedrivePolicy.deadLetterTargetArn (queue id/ARN)
    event: str | None = None                 # the SAM event id that made it, if any
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    logical_id: str
    topic_name: str
    arn: str                         # what Ref gives
    is_fifo: bool = False
    content_based_deduplication: bool = False
    subscriptions: tuple[Subscription, ...] = ()
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBus:
    logical_id: str
    name: str
    arn: str
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class InputTransformer:
    paths: tuple[tuple[str, str], ...] = ()   # InputPathsMap: (variable, JSONPath)
    template: str = ""                        # InputTemplate


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleTarget:
    target_id: str                   # Targets[].Id (SAM: Target.Id, else "<Rule>LambdaTarget")
    kind: str                        # "lambda", "sqs", "sns", or the ARN's service otherwise
    target: str                      # logical id when in this template, else the ARN
    input: str | None = None                  # Input: JSON text sent instead of the event
    input_path: str | None = None             # InputPath: the part of the event sent
    input_transformer: InputTransformer | None = None
    message_group_id: str | None = None       # SqsParameters.MessageGroupId (FIFO, fair)
    max_retry_attempts: int | None = None     # RetryPolicy
    max_event_age_s: int | None = None
    dead_letter_queue: str | None = None      # DeadLetterConfig.Arn (queue id/ARN)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRule:
    logical_id: str
    bus: str                         # the bus's name ("default" unless EventBusName says)
    pattern: str                     # EventPattern as JSON text
    is_enabled: bool = True
    targets: tuple[RuleTarget, ...] = ()
    event: str | None = None         # the SAM event id that made it, if any
    at: Mark


@dataclass(slots=True)
class MessagingParts:
    """What the graph builder collects for the parts above before it freezes them (mutable,
    private to graph/, as parts.py's GraphParts)."""

    topics: list[Topic] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    buses: list[EventBus] = field(default_factory=list)
    rules: list[EventRule] = field(default_factory=list)
