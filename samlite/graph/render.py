"""Graph -> text, mermaid, dot or json, as `samlite graph --format` prints it. Pure.

Node ids are stable: the logical id (mermaid prefixes it with the node's kind, since
mermaid reserves words such as `end`). The json form is the model itself: every dataclass
becomes an object with its field names, tuples become arrays, enums their values, marks
"file:line:col", a function's `environment` an object, and `other_resources` an object
of type -> count. Its top level carries "format": "samlite-graph" and "version": 1.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

from samlite.errors import Mark
from samlite.graph.messaging import EventBus, EventRule, Subscription, Topic
from samlite.graph.model import (
    Api,
    Bucket,
    EdgeKind,
    Function,
    FunctionUrl,
    Graph,
    Layer,
    ListenerAction,
    LoadBalancerListener,
    LoadBalancerTarget,
    Node,
    Parameter,
    Queue,
    Schedule,
    Secret,
    Table,
    Trigger,
)

JSON_VERSION = 1


def render_graph(graph: Graph, fmt: str) -> str:
    """`fmt` is one of FORMATS; anything else is a ValueError (the CLI checks first)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}") \
            from None
    return renderer(graph)


# ---- text


def render_text(graph: Graph) -> str:
    sections: list[str] = []

    def section(title: str, lines: Sequence[str], count: int | None = None) -> None:
        """`count`: how many things the lines show, when one takes several lines."""
        if lines:
            shown = len(lines) if count is None else count
            sections.append("\n".join([f"{title} ({shown})", *(f"  {ln}" for ln in lines)]))

    rows = [("FUNCTION", "RUNTIME", "MEMORY", "TIMEOUT", "HANDLER / CODE")]
    rows += [(fn.logical_id, fn.runtime or "-", f"{fn.memory_mb} MB", f"{fn.timeout_s} s",
              _code(fn)) for fn in graph.functions]
    if graph.functions:
        table = _table(rows)
        sections.append("\n".join([f"Functions ({len(graph.functions)})",
                                   *(f"  {ln}" for ln in table)]))
    section("Versions and aliases", version_lines(graph))
    section("Routes", _table([
        (f"{r.method} {r.path} -> {r.target}",
         f"({r.api}, {r.kind.value.upper()}, payload {r.payload_format_version})"
         if r.integration is None else f"({r.api}, {r.kind.value.upper()})")
        for r in graph.routes]))
    section("Function URLs", [
        f"{u.logical_id} -> {u.function} (auth {u.auth_type}, {u.invoke_mode})"
        for u in graph.function_urls])
    section("Load balancer listeners", [
        line for listener in graph.load_balancer_listeners
        for line in _listener_lines(listener)], count=len(graph.load_balancer_listeners))
    section("Load balancer targets", _table([
        (t.logical_id, f"-> {t.function or '-'}",
         "multi-value headers" if t.multi_value_headers else "")
        for t in graph.load_balancer_targets]))
    section("Triggers", _table([
        (t.kind.value, f"{t.source or '-'} -> {t.function}", trigger_detail(t))
        for t in graph.triggers]))
    section("Schedules", _table([
        (s.logical_id, s.expression + (f" ({s.timezone})" if s.timezone else ""),
         "-> " + ", ".join(t.function for t in s.targets),
         "" if s.is_enabled else "disabled")
        for s in graph.schedules]))
    section("Queues", _table([(q.logical_id, ", ".join([_queue_detail(q),
                                                        *queue_roles(graph, q)]))
                               for q in graph.queues]))
    section("Tables", _table([(t.logical_id, _table_detail(t, graph)) for t in graph.tables]))
    section("Secrets", _table([(x.logical_id, x.name, _secret_source(x))
                               for x in graph.secrets]))
    section("Parameters", _table([(x.logical_id, x.name, x.type) for x in graph.parameters]))
    section("Topics", _table([
        (f"{sub.topic} -> {sub.endpoint}", f"({subscription_detail(sub)})")
        for topic in graph.topics for sub in topic.subscriptions]
        + [(f"{t.logical_id}", f"{t.topic_name} (no subscription)")
           for t in graph.topics if not t.subscriptions]), count=len(graph.topics))
    section("Event rules", _table([
        (r.logical_id, f"bus {r.bus}",
         "-> " + ", ".join(f"{t.target} ({t.kind})" for t in r.targets),
         "" if r.is_enabled else "disabled")
        for r in graph.event_rules]))
    section("Buckets", _table([
        (b.logical_id, b.bucket_name,
         f"{len(b.notifications)} notification(s)" if b.notifications else "")
        for b in graph.buckets]))
    section("Layers", _table([
        (ly.logical_id, ly.content_uri or "-", ", ".join(ly.compatible_runtimes))
        for ly in graph.layers]))
    section("Edges", _table([
        (f"{e.source} -> {e.target}", e.kind.value + (f" ({e.label})" if e.label else ""))
        for e in graph.edges]))
    section("Not run locally", [
        f"{n.subject} ({n.type}): {n.reason}" for n in graph.not_run_locally])
    if graph.other_resources:
        sections.append("Other resources: " + ", ".join(
            f"{kind} x{count}" for kind, count in graph.other_resources))
    if not sections:
        return "No resources.\n"
    return "\n\n".join(sections) + "\n"


def _listener_lines(listener: LoadBalancerListener) -> list[str]:
    port = f" (port {listener.port})" if listener.port else ""
    lines = [f"{listener.logical_id}{port}"]
    for rule in listener.rules:
        when = " and ".join(f"{c.field}{f' {c.header_name}' if c.header_name else ''} "
                            f"{' or '.join(c.values)}" for c in rule.conditions) or "always"
        lines.append(f"  {rule.priority}: {when} -> {_action(rule.action)} ({rule.logical_id})")
    if listener.default_action is not None:
        lines.append(f"  default -> {_action(listener.default_action)}")
    return lines


def _action(action: ListenerAction) -> str:
    if action.type == "forward":
        return action.target_group or "-"
    return f"{action.type} {action.status_code or ''}".rstrip()


def _code(fn: Function) -> str:
    where = fn.image_uri or fn.code_uri or ("inline" if fn.inline_code else "-")
    return f"{fn.handler} ({where})" if fn.handler else where


# The words below are shared with `samlite up`'s startup table (cli/summary.py), so both
# views say the same things the same way.


def version_lines(graph: Graph) -> list[str]:
    """One line per function with versions or aliases: "Fn: version 1 (one more per
    reload); alias live -> version 1; event sources invoke live"."""
    return [f"{fn.logical_id}: {version_detail(fn)}" for fn in graph.functions
            if fn.publishes_versions or fn.aliases]


def version_detail(fn: Function) -> str:
    parts = ["version 1 (one more per reload)"] if fn.publishes_versions else []
    for alias in fn.aliases:
        published = alias.on_published_version and fn.publishes_versions
        parts.append(f"alias {alias.name} -> {'version 1' if published else '$LATEST'}")
    if fn.event_qualifier:
        parts.append(f"event sources invoke {fn.event_qualifier}")
    if fn.provisioned_concurrency:
        parts.append(f"{fn.provisioned_concurrency} provisioned on "
                     f"{fn.provisioned_qualifier or '$LATEST'}")
    return "; ".join(parts)


def subscription_detail(sub: Subscription) -> str:
    """How a topic delivers to one subscriber: "sqs, raw, filter policy on MessageBody"."""
    parts = [sub.protocol]
    if sub.is_raw:
        parts.append("raw")
    if sub.filter_policy:
        parts.append(f"filter policy on {sub.filter_policy_scope}")
    return ", ".join(parts)


_ROLES = {EdgeKind.REDRIVE: "dead-letter queue of {source}",
          EdgeKind.DEAD_LETTER: "dead-letter queue of {source}",
          EdgeKind.ON_FAILURE: "OnFailure destination of {source}{label}",
          EdgeKind.ON_SUCCESS: "OnSuccess destination of {source}{label}"}


def queue_roles(graph: Graph, queue: Queue) -> list[str]:
    """What sends to the queue besides clients: "OnFailure destination of Fn (Stream)"."""
    return [_ROLES[e.kind].format(source=e.source, label=f" ({e.label})" if e.label else "")
            for e in graph.edges
            if e.kind in _ROLES and e.target in (queue.logical_id, queue.arn)]


def trigger_detail(t: Trigger) -> str:
    """A trigger's id and settings: "NewOrders, TRIM_HORIZON, batch 10, 1 filter(s), ..."."""
    parts = [t.logical_id]
    if t.sqs:
        parts.append(f"batch {t.sqs.batch_size}")
        if t.sqs.batching_window_s:
            parts.append(f"window {t.sqs.batching_window_s} s")
        if t.sqs.filter_patterns:
            parts.append(f"{len(t.sqs.filter_patterns)} filter(s)")
        if t.sqs.reports_batch_item_failures:
            parts.append("reports batch item failures")
        if not t.sqs.is_enabled:
            parts.append("disabled")
    if t.stream:
        parts.append(f"{t.stream.starting_position}, batch {t.stream.batch_size}")
        if t.stream.filter_patterns:
            parts.append(f"{len(t.stream.filter_patterns)} filter(s)")
        if t.stream.on_failure:
            parts.append(f"on failure -> {t.stream.on_failure}")
        if not t.stream.is_enabled:
            parts.append("disabled")
    if t.s3:
        parts.append(" ".join(t.s3.events))
        parts.extend(f"{name}={value}" for name, value in t.s3.filter_rules)
    if t.route:
        parts.append(f"{t.route.method} {t.route.path}")
    if not t.runs_locally:
        parts.append("not run locally")
    return ", ".join(p for p in parts if p)


def _secret_source(secret: Secret) -> str:
    if secret.secret_string is not None:
        return "SecretString"
    return "generated" if secret.generate is not None else "generated (defaults)"


def _queue_detail(q: Queue) -> str:
    parts = [q.queue_name, f"visibility {q.visibility_timeout_s} s"]
    if q.is_fifo:
        parts.append("FIFO")
    if q.redrive:
        after = (f" after {q.redrive.max_receive_count} receives"
                 if q.redrive.max_receive_count is not None else "")
        parts.append(f"DLQ {q.redrive.dead_letter_queue}{after}")
    return ", ".join(parts)


def _table_detail(t: Table, graph: Graph) -> str:
    keys = " + ".join(f"{name} ({kind})" for name, kind in t.key_schema) or "no KeySchema"
    parts = [t.table_name, keys, t.billing_mode]
    if t.ttl_attribute:
        parts.append(f"TTL {t.ttl_attribute}")
    if t.stream_view_type:
        consumers = [f"{f.function} ({trigger_detail(f)})" for f in graph.triggers
                     if f.stream is not None and f.source == t.logical_id]
        parts.append(f"stream {t.stream_view_type}"
                     + (f" -> {', '.join(consumers)}" if consumers else ""))
    return ", ".join(parts)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


# ---- mermaid and dot

# kind -> (mermaid id prefix, mermaid shape open/close, dot shape)
_SHAPES: dict[type, tuple[str, str, str, str]] = {
    Function: ("fn", '["', '"]', "box"),
    Api: ("api", '{{"', '"}}', "hexagon"),
    Queue: ("q", '[/"', '"/]', "cds"),
    Bucket: ("b", '[("', '")]', "cylinder"),
    Secret: ("sec", '[("', '")]', "cylinder"),
    Parameter: ("par", '[("', '")]', "cylinder"),
    Table: ("t", '[("', '")]', "cylinder"),
    Schedule: ("s", '(("', '"))', "circle"),
    Layer: ("ly", '[/"', '"\\]', "folder"),
    FunctionUrl: ("url", '>"', '"]', "invhouse"),
    LoadBalancerListener: ("lbl", '[["', '"]]', "component"),
    LoadBalancerTarget: ("tg", '[["', '"]]', "box3d"),
    Topic: ("t", '>"', '"]', "trapezium"),
    EventBus: ("bus", '[/"', '"/]', "parallelogram"),
    EventRule: ("rule", '{"', '"}', "diamond"),
}
_OTHER_SHAPE = ("r", '("', '")', "ellipse")


def _nodes(graph: Graph) -> list[tuple[str, Node | None, str]]:
    """(logical id, node or None for another resource, label) in a stable order."""
    out: list[tuple[str, Node | None, str]] = []
    groups: Iterable[Iterable[Node]] = (graph.apis, graph.function_urls,
                                        graph.load_balancer_listeners,
                                        graph.load_balancer_targets, graph.schedules,
                                        graph.buckets, graph.queues, graph.tables,
                                        graph.secrets, graph.parameters, graph.topics,
                                        graph.event_buses, graph.event_rules, graph.functions,
                                        graph.layers)
    for group in groups:
        out.extend((n.logical_id, n, _label(n)) for n in group)
    out.extend((lid, None, f"{lid}\n{kind}" if kind else lid) for lid, kind in graph.other_nodes)
    return out


def _label(node: Node) -> str:
    if isinstance(node, Function):
        return f"{node.logical_id}\n{node.runtime or node.package_type}"
    if isinstance(node, Api):
        return f"{node.logical_id}\n{node.kind.value.upper()} API"
    if isinstance(node, Schedule):
        return f"{node.logical_id}\n{node.expression}"
    if isinstance(node, LoadBalancerListener):
        return f"{node.logical_id}\nALB listener"
    if isinstance(node, LoadBalancerTarget):
        return f"{node.logical_id}\nALB target group"
    if isinstance(node, Secret):
        return f"{node.logical_id}\nsecret"
    if isinstance(node, Parameter):
        return f"{node.logical_id}\nparameter {node.type}"
    if isinstance(node, Topic):
        return f"{node.logical_id}\nSNS topic"
    if isinstance(node, EventRule):
        return f"{node.logical_id}\nEventBridge rule on {node.bus}"
    if isinstance(node, EventBus):
        return f"{node.logical_id}\nEventBridge bus"
    return node.logical_id


def _mermaid_id(logical_id: str, node: Node | None) -> str:
    prefix = _SHAPES.get(type(node), _OTHER_SHAPE)[0]
    return f"{prefix}_" + "".join(c if c.isalnum() else "_" for c in logical_id)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}
    for logical_id, node, label in _nodes(graph):
        ids[logical_id] = _mermaid_id(logical_id, node)
        _, open_, close, _ = _SHAPES.get(type(node), _OTHER_SHAPE)
        lines.append(f"  {ids[logical_id]}{open_}{_mermaid_text(label)}{close}")
    for edge in graph.edges:
        arrow = "-->" if edge.kind is EdgeKind.TRIGGER else "-.->"
        label = edge.label if edge.kind is EdgeKind.TRIGGER else _edge_label(edge.kind, edge.label)
        source = ids.get(edge.source) or _mermaid_id(edge.source, None)
        target = ids.get(edge.target) or _mermaid_id(edge.target, None)
        text = f'|"{_mermaid_text(label)}"|' if label else ""
        lines.append(f"  {source} {arrow}{text} {target}")
    return "\n".join(lines) + "\n"


def _edge_label(kind: EdgeKind, label: str) -> str:
    return f"{kind.value}: {label}" if label else kind.value


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: Graph) -> str:
    lines = ["digraph samlite {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for logical_id, node, label in _nodes(graph):
        shape = _SHAPES.get(type(node), _OTHER_SHAPE)[3]
        style = ", style=dashed" if node is None else ""
        lines.append(f"  {_dot_text(logical_id)} [shape={shape}, label={_dot_text(label)}{style}];")
    for edge in graph.edges:
        label = edge.label if edge.kind is EdgeKind.TRIGGER else _edge_label(edge.kind, edge.label)
        attributes = [f"label={_dot_text(label)}"] if label else []
        if edge.kind is not EdgeKind.TRIGGER:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_dot_text(edge.source)} -> {_dot_text(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---- json


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    """The documented json structure (see the module docstring), as plain Python values."""
    out: dict[str, Any] = {"format": "samlite-graph", "version": JSON_VERSION}
    for f in dataclasses.fields(graph):
        if f.name.startswith("_") or f.name == "access_of":   # `samlite policy` shows access
            continue
        value = getattr(graph, f.name)
        if f.name == "other_resources":
            out[f.name] = dict(value)
        elif f.name == "other_nodes":
            out[f.name] = [{"logical_id": lid, "type": kind} for lid, kind in value]
        else:
            out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mark):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            out[f.name] = dict(item) if f.name == "environment" else _plain(item)
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def render_json(graph: Graph) -> str:
    return json.dumps(graph_to_dict(graph), indent=2) + "\n"


FORMATS: dict[str, Callable[[Graph], str]] = {
    "text": render_text,
    "mermaid": render_mermaid,
    "dot": render_dot,
    "json": render_json,
}
