"""What the dashboard's JSON API answers about a running app: functions with their figures,
the graph as nodes and edges, schedules, reloads and invocation records, as plain JSON-ready
dicts. Reads the app; changes nothing (actions are in actions.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.graph.model import EdgeKind, Graph
from samlite.runtime.records import InvocationRecord

if TYPE_CHECKING:
    from samlite.app.root import App

# The graph's node kinds, left to right as the App page draws them: what starts work, the
# functions, then where their work goes.
_KINDS: tuple[tuple[str, str, int], ...] = (
    ("apis", "api", 0), ("schedules", "schedule", 0), ("topics", "topic", 0),
    ("event_rules", "rule", 0), ("function_urls", "function url", 0),
    ("buckets", "bucket", 0), ("functions", "function", 1), ("queues", "queue", 2),
    ("tables", "table", 2), ("event_buses", "bus", 2))
_DRAWN_EDGES = frozenset({EdgeKind.TRIGGER, EdgeKind.DEAD_LETTER, EdgeKind.ON_SUCCESS,
                          EdgeKind.ON_FAILURE, EdgeKind.REDRIVE, EdgeKind.ENVIRONMENT,
                          EdgeKind.POLICY, EdgeKind.INTEGRATION})


def invocation_row(record: InvocationRecord) -> dict[str, Any]:
    """A timeline row: everything but the payloads and log lines."""
    return {"seq": record.seq, "request_id": record.request_id, "function": record.function,
            "version": record.version, "trigger": record.trigger, "is_cold": record.is_cold,
            "started_at_s": record.started_at_s, "duration_ms": round(record.duration_ms, 2),
            "billed_duration_ms": record.billed_duration_ms,
            "memory_size_mb": record.memory_size_mb,
            "max_memory_used_mb": record.max_memory_used_mb,
            "init_duration_ms": None if record.init_duration_ms is None
            else round(record.init_duration_ms, 2), "status": record.status,
            "error_type": record.error_type}


# What the Invocations list, the App page's lights and the Schedules page read of a new
# invocation; the stream sends only these (a third of a row's bytes), the rest is fetched
# from /api/invocations/ID when a row is opened.
TIMELINE_COLUMNS = ("request_id", "function", "trigger", "started_at_s", "status",
                    "error_type", "is_cold", "duration_ms", "billed_duration_ms",
                    "max_memory_used_mb", "memory_size_mb")


@dataclass(frozen=True)
class TimelineFilter:
    """The Invocations list's filters, as GET /api/invocations and the event stream take
    them (empty: any): the function's name, the status, text the trigger contains (in any
    case)."""
    function: str = ""
    status: str = ""
    trigger: str = ""

    def matches(self, record: InvocationRecord) -> bool:
        return ((not self.function or record.function == self.function)
                and (not self.status or record.status == self.status)
                and (not self.trigger or self.trigger.lower() in record.trigger.lower()))


@dataclass(frozen=True)
class TimelineView:
    """What one page's event stream carries of new invocations: those `only` matches, and of
    each batch only each function's newest when `per_function`, and at most the `newest`
    (None: all). A list that keeps its newest 500 rows asks for no more, and the App page,
    which lights each function that ran, for one row a function: at a busy gateway's
    thousands a second the rest were bytes the browser received and parsed only to drop."""
    only: TimelineFilter = TimelineFilter()
    per_function: bool = False
    newest: int | None = None


def timeline_batch(records: Sequence[InvocationRecord],
                   view: TimelineView = TimelineView()) -> dict[str, Any] | None:
    """New invocations as the event stream sends them to a page of `view`: the column names
    once, then one array of values per invocation, in TIMELINE_COLUMNS' order, and when the
    view leaves some out, `older`: how many more matched (oldest first: the newest are kept).
    None when the page asked for none of them."""
    if view.only != TimelineFilter():
        records = [r for r in records if view.only.matches(r)]
    matched = len(records)
    if view.per_function:
        records = sorted({r.function: r for r in records}.values(), key=lambda r: r.seq)
    if view.newest is not None:
        records = records[max(0, len(records) - view.newest):]
    if not records:
        return None
    batch: dict[str, Any] = {
        "columns": TIMELINE_COLUMNS,
        "rows": [(r.request_id, r.function, r.trigger, r.started_at_s, r.status,
                  r.error_type, r.is_cold, round(r.duration_ms, 2), r.billed_duration_ms,
                  r.max_memory_used_mb, r.memory_size_mb) for r in records]}
    if view.per_function or view.newest is not None:
        batch["older"] = matched - len(records)
    return batch


def invocation_detail(record: InvocationRecord, chain: Sequence[InvocationRecord]
                      ) -> dict[str, Any]:
    return {**record.to_json(), **invocation_row(record),
            "chain": [invocation_row(r) for r in chain]}


def chain_of(record: InvocationRecord, records: Sequence[InvocationRecord],
             graph: Graph) -> list[InvocationRecord]:
    """The invocations around this one that the graph links to it: those of the functions it
    sends work to (and that send work to it), in the seconds after (before) it, plus its
    own asynchronous retries. A heuristic: samlite does not trace ids across services."""
    downstream = _reachable(graph, record.function, forward=True)
    upstream = _reachable(graph, record.function, forward=False)
    window_s = 30.0
    related = []
    for other in records:
        gap = other.started_at_s - record.started_at_s
        if other.request_id == record.request_id \
                or (other.function in downstream and 0 <= gap <= window_s) \
                or (other.function in upstream and -window_s <= gap <= 0):
            related.append(other)
    return sorted(related, key=lambda r: r.seq)


def _reachable(graph: Graph, start: str, *, forward: bool) -> set[str]:
    """Functions reachable from `start` through the graph's edges (queues and buckets in
    between), in one direction."""
    step: dict[str, set[str]] = {}
    for edge in graph.edges:
        source, target = (edge.source, edge.target) if forward else (edge.target, edge.source)
        step.setdefault(source, set()).add(target)
    seen, todo = {start}, [start]
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    functions = {fn.logical_id for fn in graph.functions}
    return (seen - {start}) & functions


def functions_view(app: App) -> list[dict[str, Any]]:
    records = app.invocations.all()
    usage_of = getattr(app.service, "usage", None)   # a stand-in service may have none
    last_reload = app.reloads[-1] if app.reloads else None
    rows = []
    for spec in app.functions:
        mine = [r for r in records if r.function == spec.logical_id]
        durations = sorted(r.duration_ms for r in mine)
        triggers = [f"{t.event_type} {t.source or ''}".strip() for t in app.graph.triggers
                    if t.function == spec.logical_id]
        routes = [f"{r.method} {r.path}" for r in app.graph.routes
                  if r.function == spec.logical_id]
        usage = usage_of(spec.logical_id) if usage_of is not None else None
        rows.append({
            "name": spec.logical_id, "runtime": spec.runtime, "memory_mb": spec.memory_mb,
            "timeout_s": spec.timeout_s,
            "environments": [vars_of(env) for env in usage.environments] if usage else [],
            "concurrency": usage.concurrency if usage else 0,
            "peak_concurrency": usage.peak_concurrency if usage else 0,
            "throttles": usage.throttles if usage else 0,
            "last_reload_s": last_reload.at_s if last_reload else None,
            "invocations": len(mine), "errors": sum(r.status != "ok" for r in mine),
            "cold_starts": sum(r.is_cold for r in mine),
            "p50_ms": _percentile(durations, 50), "p99_ms": _percentile(durations, 99),
            "max_memory_used_mb": max((r.max_memory_used_mb for r in mine), default=None),
            "last_status": mine[-1].status if mine else None,
            "routes": routes, "triggers": triggers})
    return rows


def vars_of(row: object) -> dict[str, Any]:
    """A slotted dataclass as a dict."""
    return {name: getattr(row, name) for name in row.__slots__}  # type: ignore[attr-defined]


def _percentile(sorted_values: Sequence[float], percent: int) -> float | None:
    """Nearest-rank percentile (as CloudWatch's pNN statistics are read)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 2)


def graph_view(graph: Graph) -> dict[str, Any]:
    nodes = [{"id": item.logical_id, "kind": kind, "column": column}
             for attribute, kind, column in _KINDS for item in getattr(graph, attribute, ())]
    ids = {node["id"] for node in nodes}
    edges = [{"source": e.source, "target": e.target, "kind": str(e.kind), "label": e.label}
             for e in graph.edges
             if e.kind in _DRAWN_EDGES and e.source in ids and e.target in ids]
    return {"nodes": nodes, "edges": edges}


def schedules_view(app: App) -> list[dict[str, Any]]:
    scheduler = app.scheduler
    if scheduler is None:
        return []
    next_fires = {lid: when for lid, _fn, when in scheduler.next_fires()}
    disabled = scheduler.disabled()
    records = app.invocations.all()
    rows = []
    for schedule in app.graph.schedules:
        targets = [t.function for t in schedule.targets]
        last = next((r for r in reversed(records) if r.function in targets
                     and r.trigger.startswith("schedule")), None)
        when = next_fires.get(schedule.logical_id)
        rows.append({"name": schedule.logical_id, "expression": schedule.expression,
                     "functions": targets, "is_enabled": schedule.logical_id not in disabled,
                     "next_fire": when.isoformat() if when else None,
                     "last": invocation_row(last) if last else None})
    return rows


def reloads_view(app: App) -> list[dict[str, Any]]:
    return [{"at_s": entry.at_s, "line": entry.line} for entry in reversed(app.reloads)]
