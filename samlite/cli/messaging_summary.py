"""The startup table's SNS and EventBridge part: topics with their subscriptions, buses, and
event-pattern rules with their targets and the name `samlite trigger` takes. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from samlite.graph.model import Graph
from samlite.graph.render import subscription_detail
from samlite.graph.trigger_names import TriggerNames


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def messaging_lines(graph: Graph, names: TriggerNames | None = None) -> list[str]:
    """TRIGGER columns say what `samlite trigger` takes (`names`: the graph's)."""
    names = names or TriggerNames.of(graph)
    lines: list[str] = []
    if graph.topics:
        rows = [("TOPIC", "NAME", "SUBSCRIBER", "DELIVERY", "TRIGGER")]
        for topic in graph.topics:
            subscriptions = topic.subscriptions or ()
            if not subscriptions:
                rows.append((topic.logical_id, topic.topic_name, "-", "no subscription",
                             names.label_of(topic.logical_id)))
            rows.extend((topic.logical_id, topic.topic_name, sub.endpoint,
                         subscription_detail(sub), names.label_of(sub.logical_id))
                        for sub in subscriptions)
        lines += ["", f"Topics ({len(graph.topics)})", *_table(rows)]
    if graph.event_rules:
        rows = [("RULE", "BUS", "TARGETS", "TRIGGER")]
        rows += [(rule.logical_id, rule.bus,
                  ", ".join(f"{t.target} ({t.kind})" for t in rule.targets)
                  + ("" if rule.is_enabled else "  [disabled]"),
                  names.label_of(rule.logical_id))
                 for rule in graph.event_rules]
        buses = ", ".join(["default", *(b.name for b in graph.event_buses)])
        lines += ["", f"Event rules ({len(graph.event_rules)}; buses: {buses})",
                  *_table(rows)]
    return lines
