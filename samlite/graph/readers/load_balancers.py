"""Application Load Balancer resources that invoke functions: TargetGroups of TargetType
lambda, their Listeners (DefaultActions) and ListenerRules (Conditions, Actions). Pure.

Follows the CloudFormation reference for AWS::ElasticLoadBalancingV2::TargetGroup, Listener
and ListenerRule, and the ELB user guide's "Listener rules for your Application Load
Balancer" (condition types, priorities, actions). A rule may reach its listener before the
listener is read, so rules are kept aside and joined to their listener in `finish`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    EdgeKind,
    ListenerAction,
    ListenerRule,
    LoadBalancerListener,
    LoadBalancerTarget,
    NotRunLocally,
    RuleCondition,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_bool, as_int, as_list, as_map, as_text, as_texts, key_at
from samlite.template.model import Resource

TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
MULTI_VALUE_HEADERS = "lambda.multi_value_headers.enabled"   # a TargetGroupAttributes key
# The newer ...Config form of a condition, by Field (ListenerRule RuleCondition reference).
CONDITION_CONFIGS: Mapping[str, str] = {
    "path-pattern": "PathPatternConfig", "host-header": "HostHeaderConfig",
    "http-header": "HttpHeaderConfig", "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig", "source-ip": "SourceIpConfig",
}
# Actions that end a rule; authenticate-* actions run before one of these (ordered by Order).
TERMINAL_ACTIONS = ("forward", "fixed-response", "redirect")
AUTHENTICATE_ACTIONS = ("authenticate-oidc", "authenticate-cognito")


def read_target_group(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    target_type = as_text(props.get("TargetType")) or "instance"
    if target_type != "lambda":
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=res.at,
            reason=f"{target_type} targets are not served locally (lambda targets are)"))
        return False
    function = None
    for index, target in enumerate(as_list(props.get("Targets"))):
        raw_id = parts.refs.dig(raw, "Targets", index, "Id")
        function = parts.function_id(raw_id, as_map(target).get("Id"))
        if function:
            break   # a lambda target group holds one function (ELB guide, "Lambda functions")
    attributes = {as_text(a.get("Key")): a.get("Value")
                  for a in as_list(props.get("TargetGroupAttributes")) if isinstance(a, dict)}
    target = LoadBalancerTarget(
        logical_id=res.logical_id, function=function, arn=_target_group_arn(parts, res, props),
        multi_value_headers=as_bool(attributes.get(MULTI_VALUE_HEADERS), False), at=res.at)
    parts.load_balancer_targets.append(target)
    if function:
        parts.add_trigger(Trigger(
            logical_id=res.logical_id, kind=TriggerKind.ALB, event_type=res.type,
            function=function, source=res.logical_id, runs_locally=True, at=res.at))
    return True


def _target_group_arn(parts: GraphParts, res: Resource, props: Mapping[str, Any]) -> str:
    """Ref of a target group is its ARN, arn:...:targetgroup/<name>/<16 hex digits>
    (CloudFormation's return values); the hex part is made stable from the logical id."""
    pseudo = parts.resolved.pseudo
    name = as_text(props.get("Name")) or res.logical_id[:32]
    suffix = hashlib.sha256(res.logical_id.encode()).hexdigest()[:16]
    return (f"arn:{pseudo.partition}:elasticloadbalancing:{pseudo.region}:"
            f"{pseudo.account_id}:targetgroup/{name}/{suffix}")


def read_listener(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    action = _action(parts, props.get("DefaultActions"),
                     parts.refs.dig(raw, "DefaultActions"))
    _name_what_is_not_run(parts, res, props.get("DefaultActions"), key_at(
        raw, "DefaultActions", res.at))
    if (as_text(props.get("Protocol")) or "").upper() == "HTTPS":
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=key_at(raw, "Protocol", res.at),
            reason="an HTTPS listener is served over plain HTTP locally (no certificate): "
                   "functions see x-forwarded-proto http and the local port"))
    parts.load_balancer_listeners.append(LoadBalancerListener(
        logical_id=res.logical_id, port=as_int(props.get("Port")), default_action=action,
        at=res.at))
    return True


def read_listener_rule(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    listener = parts.refs.target_or_text(parts.refs.dig(raw, "ListenerArn"),
                                         props.get("ListenerArn"))
    action = _action(parts, props.get("Actions"), parts.refs.dig(raw, "Actions"))
    if listener is None or action is None:
        return False
    _name_what_is_not_run(parts, res, props.get("Actions"), key_at(raw, "Actions", res.at))
    conditions = tuple(c for c in map(_condition, as_list(props.get("Conditions")))
                       if c is not None)
    if any("RegexValues" in as_map(c) or "RegexValues" in as_map(as_map(c).get(key))
           for c in as_list(props.get("Conditions")) for key in CONDITION_CONFIGS.values()):
        # Listener rules' regex match (RuleCondition RegexValues): AWS's regex dialect and
        # anchoring are not documented well enough to copy, so such a condition never matches.
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=key_at(raw, "Conditions", res.at),
            reason="a condition with RegexValues is not matched locally, so the rule never "
                   "matches; use Values (wildcards * and ?) to serve it"))
    if props.get("Transforms"):
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=key_at(raw, "Transforms", res.at),
            reason="Transforms (host header and URL rewrites) are not applied: the function "
                   "gets the request as the client sent it"))
    parts.listener_rules.append((listener, ListenerRule(
        logical_id=res.logical_id, priority=as_int(props.get("Priority"), 50000) or 50000,
        conditions=conditions, action=action, at=res.at)))
    return True


def finish(parts: GraphParts) -> None:
    """Join rules to their listeners (lowest priority first) and draw the edges."""
    by_listener: dict[str, list[ListenerRule]] = {}
    for listener, rule in parts.listener_rules:
        by_listener.setdefault(listener, []).append(rule)
    listeners = []
    for listener in parts.load_balancer_listeners:
        rules = sorted(by_listener.pop(listener.logical_id, ()), key=lambda r: r.priority)
        listener = dataclasses.replace(listener, rules=tuple(rules))
        listeners.append(listener)
        for rule in rules:
            if rule.action.target_group:
                parts.edge(listener.logical_id, rule.action.target_group, EdgeKind.TRIGGER,
                           rule.logical_id)
        default = listener.default_action
        if default is not None and default.target_group:
            parts.edge(listener.logical_id, default.target_group, EdgeKind.TRIGGER, "default")
    parts.load_balancer_listeners[:] = listeners
    for listener_id, rules in by_listener.items():
        for rule in rules:
            parts.not_local.append(NotRunLocally(
                subject=rule.logical_id, type=LISTENER_RULE, at=rule.at,
                reason=f"its listener {listener_id} is not in this template, so it is not "
                       "served"))


def _name_what_is_not_run(parts: GraphParts, res: Resource, actions: Any, at: Mark) -> None:
    """Authentication actions and a forward that splits traffic are not run locally: said
    at startup, never served differently without a word ("Listener rules for your
    Application Load Balancer", action types and weighted target groups)."""
    for action in (a for a in as_list(actions) if isinstance(a, dict)):
        kind = (as_text(action.get("Type")) or "").lower()
        if kind in AUTHENTICATE_ACTIONS:
            parts.not_local.append(NotRunLocally(
                subject=res.logical_id, type=res.type, at=at,
                reason=f"its {kind} action is not run: requests go on to the next action "
                       "unauthenticated, without the x-amzn-oidc-* headers"))
        forward = as_map(action.get("ForwardConfig"))
        groups = [g for g in as_list(forward.get("TargetGroups"))
                  if isinstance(g, dict) and (as_int(g.get("Weight"), 1) or 0) > 0]
        if kind == "forward" and action.get("TargetGroupArn") is None and len(groups) > 1:
            parts.not_local.append(NotRunLocally(
                subject=res.logical_id, type=res.type, at=at,
                reason=f"its forward splits requests over {len(groups)} weighted target "
                       "groups (and any stickiness); locally every request goes to the first "
                       "of the highest weight"))


def _action(parts: GraphParts, actions: Any, raw: Any) -> ListenerAction | None:
    """The action that ends the list (Actions are ordered by Order, else as written)."""
    indexed = [(as_int(a.get("Order"), index + 1) or 0, index, a)
               for index, a in enumerate(as_list(actions)) if isinstance(a, dict)]
    for _order, index, action in sorted(indexed, key=lambda x: (x[0], x[1])):
        kind = (as_text(action.get("Type")) or "").lower()
        if kind not in TERMINAL_ACTIONS:
            continue
        if kind == "forward":
            return ListenerAction(type=kind, target_group=_forward_target(
                parts, action, parts.refs.dig(raw, index)))
        if kind == "fixed-response":
            config = as_map(action.get("FixedResponseConfig"))
            return ListenerAction(type=kind, status_code=as_text(config.get("StatusCode")),
                                  content_type=as_text(config.get("ContentType")),
                                  message_body=as_text(config.get("MessageBody")))
        config = as_map(action.get("RedirectConfig"))
        return ListenerAction(type=kind, status_code=as_text(config.get("StatusCode")),
                              redirect=tuple((key, text) for key in
                                             ("Protocol", "Host", "Port", "Path", "Query")
                                             if (text := as_text(config.get(key))) is not None))
    return None


def _forward_target(parts: GraphParts, action: Mapping[str, Any], raw: Any) -> str | None:
    """TargetGroupArn, else ForwardConfig's first target group of the highest weight (a
    local load balancer has one place to send a request)."""
    if action.get("TargetGroupArn") is not None:
        return parts.refs.target_or_text(parts.refs.dig(raw, "TargetGroupArn"),
                                         action.get("TargetGroupArn"))
    groups = as_list(as_map(action.get("ForwardConfig")).get("TargetGroups"))
    weighted = [(as_int(g.get("Weight"), 1) or 0, -index, index, g)
                for index, g in enumerate(groups) if isinstance(g, dict)]
    if not weighted:
        return None
    _, _, index, group = max(weighted, key=lambda x: (x[0], x[1]))
    return parts.refs.target_or_text(
        parts.refs.dig(raw, "ForwardConfig", "TargetGroups", index, "TargetGroupArn"),
        group.get("TargetGroupArn"))


def _condition(condition: Any) -> RuleCondition | None:
    if not isinstance(condition, dict):
        return None
    field = (as_text(condition.get("Field")) or "").lower()
    if not field:   # only a ...Config given: its name says the field
        field = next((f for f, key in CONDITION_CONFIGS.items() if key in condition), "")
    config = as_map(condition.get(CONDITION_CONFIGS.get(field, "")))
    if field == "query-string":
        pairs = as_list(config.get("Values"))
        values = tuple(f"{as_text(p.get('Key')) or ''}={as_text(p.get('Value')) or ''}"
                       for p in pairs if isinstance(p, dict))
        return RuleCondition(field=field, values=values)
    values = as_texts(config.get("Values")) or as_texts(condition.get("Values"))
    return RuleCondition(field=field, values=values,
                         header_name=as_text(config.get("HttpHeaderName")))
