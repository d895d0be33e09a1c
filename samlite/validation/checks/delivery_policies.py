"""W4006: an SNS topic or EventBridge rule sends to an SQS queue of the template that no
AWS::SQS::QueuePolicy lets it send to. On AWS such deliveries fail: SNS needs the queue's
policy to allow sqs:SendMessage with the topic as aws:SourceArn (SNS developer guide,
"Subscribe an Amazon SQS queue to an Amazon SNS topic"; the SDKs' SubscribeQueue writes that
statement), EventBridge the same for events.amazonaws.com ("Using resource-based policies for
Amazon EventBridge", Amazon SQS permissions). Locally queue policies are not evaluated and
every delivery happens (named under Not run locally), so this warning is the one place the
difference shows.

Read on the resolved template: a statement counts when it allows sqs:SendMessage (or sqs:*,
*) to the service (or to "*"); a topic's aws:SourceArn condition (ArnEquals, ArnLike,
StringEquals, StringLike) must name the topic. A rule's SourceArn is not compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from samlite.errors import Problem
from samlite.template.model import ResolvedTemplate
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import problem

if TYPE_CHECKING:
    from samlite.graph.model import Graph, Queue

__all__ = ["CHECKS", "check_queue_policies"]

SNS = "sns.amazonaws.com"
EVENTS = "events.amazonaws.com"
_SEND = ("sqs:sendmessage", "sqs:*", "*")
_SOURCE_ARN_TESTS = ("ArnEquals", "ArnLike", "StringEquals", "StringLike")


# Only templates with a queue and one of these can deliver to it from a topic or a rule;
# others skip the graph build (and its import, which would cost every validate ~45 ms).
_SENDERS = frozenset({"AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::Events::Rule"})


def check_queue_policies(ctx: CheckContext) -> Iterator[Problem]:
    if ctx.resolved is None or not _may_deliver(ctx.resolved):
        return
    from samlite.graph.build import build_graph

    graph = build_graph(ctx.resolved)
    statements = _statements_by_queue(ctx.resolved, graph)
    queues = {q.logical_id: q for q in graph.queues}
    for topic in graph.topics:
        for sub in topic.subscriptions:
            queue = queues.get(sub.endpoint)
            if sub.protocol != "sqs" or queue is None:
                continue
            if not _allows(statements.get(queue.logical_id, ()), SNS, topic.arn):
                yield problem(
                    ctx, "W4006", f"no AWS::SQS::QueuePolicy lets topic {topic.logical_id} "
                    f"send to queue {queue.logical_id} (Allow {SNS} sqs:SendMessage, "
                    f"aws:SourceArn the topic): on AWS its messages never arrive; locally "
                    "they do", ("Resources", sub.logical_id), resource=sub.logical_id,
                    at=sub.at)
    for rule in graph.event_rules:
        for target in rule.targets:
            queue = queues.get(target.target)
            if target.kind != "sqs" or queue is None:
                continue
            if not _allows(statements.get(queue.logical_id, ()), EVENTS, None):
                yield problem(
                    ctx, "W4006", f"no AWS::SQS::QueuePolicy lets rule {rule.logical_id} "
                    f"send to queue {queue.logical_id} (Allow {EVENTS} sqs:SendMessage): on "
                    "AWS its events never arrive; locally they do",
                    ("Resources", rule.logical_id), resource=rule.logical_id, at=rule.at)


def _may_deliver(resolved: ResolvedTemplate) -> bool:
    """A queue and a topic or rule (or a function, whose events may make them)."""
    types = {res.type for res in resolved.resources.values()}
    if "AWS::SQS::Queue" not in types:
        return False
    return bool(types & _SENDERS) or _has_push_events(resolved)


def _has_push_events(resolved: ResolvedTemplate) -> bool:
    for res in resolved.resources.values():
        if res.type != "AWS::Serverless::Function":
            continue
        events = (res.properties or {}).get("Events") if isinstance(res.properties, Mapping) \
            else None
        if isinstance(events, Mapping) and any(
                isinstance(e, Mapping) and e.get("Type") in ("SNS", "EventBridgeRule",
                                                             "CloudWatchEvent")
                for e in events.values()):
            return True
    return False


def _statements_by_queue(resolved: ResolvedTemplate, graph: Graph,
                         ) -> dict[str, list[Mapping[str, Any]]]:
    """Queue logical id -> the statements of every QueuePolicy that names it."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for res in resolved.resources.values():
        if res.type != "AWS::SQS::QueuePolicy":
            continue
        document = res.properties.get("PolicyDocument")
        found = document.get("Statement", ()) if isinstance(document, Mapping) else ()
        found = [found] if isinstance(found, Mapping) else list(found or ())
        named = res.properties.get("Queues")
        for reference in named if isinstance(named, list) else ():
            queue = _queue(graph, reference)
            if queue is not None:
                out.setdefault(queue.logical_id, []).extend(
                    s for s in found if isinstance(s, Mapping))
    return out


def _queue(graph: Graph, reference: Any) -> Queue | None:
    return next((q for q in graph.queues
                 if reference in (q.logical_id, q.url, q.arn, q.queue_name)), None)


def _allows(statements: Any, service: str, source_arn: str | None) -> bool:
    """True when some statement allows the service to send and none denies it outright."""
    matching = [s for s in statements if _names(s, service) and _sends(s)]
    if any(s.get("Effect") == "Deny" and not s.get("Condition") for s in matching):
        return False
    return any(s.get("Effect") == "Allow" and _condition_holds(s, source_arn)
               for s in matching)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _names(statement: Mapping[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return service in _listed(principal.get("Service")) or "*" in _listed(principal.get("AWS"))


def _sends(statement: Mapping[str, Any]) -> bool:
    return any(isinstance(a, str) and a.lower() in _SEND
               for a in _listed(statement.get("Action")))


def _condition_holds(statement: Mapping[str, Any], source_arn: str | None) -> bool:
    condition = statement.get("Condition")
    if source_arn is None or not isinstance(condition, Mapping):
        return True
    for test in _SOURCE_ARN_TESTS:
        keys = condition.get(test)
        if not isinstance(keys, Mapping):
            continue
        for key, wanted in keys.items():
            if str(key).lower() == "aws:sourcearn":
                return any(isinstance(w, str) and fnmatchcase(source_arn, w)
                           for w in _listed(wanted))
    return True


CHECKS: tuple[Check, ...] = (check_queue_policies,)
