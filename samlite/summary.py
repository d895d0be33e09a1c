"""What `samlite up` prints when it starts: functions, routes, function URLs, the other
triggers and what is not run locally, then the ready line. Pure: lines of text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from samlite.graph import Graph, TriggerKind
from samlite.runtime.spec import FunctionSpec

HTTP_KINDS = frozenset({TriggerKind.API, TriggerKind.HTTP_API})
# Trigger kinds samlite will run whose event sources are not part of samlite yet.
PENDING_KINDS = frozenset({TriggerKind.S3, TriggerKind.SQS})


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def startup_lines(graph: Graph, specs: Sequence[FunctionSpec], *, runtime_kind: str,
                  route_lines: Sequence[str], function_urls: Mapping[str, str],
                  skipped_authorizers: Sequence[str] = (),
                  endpoint_url: str | None = None,
                  next_fires: Sequence[tuple[str, str, datetime]] = ()) -> list[str]:
    """`next_fires` is the scheduler's (schedule, function, next fire time) rows."""
    lines = [f"Functions ({len(specs)})"]
    rows = [("FUNCTION", "RUNTIME", "MEMORY", "TIMEOUT", "RUNS IN")]
    rows += [(s.logical_id, s.runtime or "-", f"{s.memory_mb} MB", f"{s.timeout_s:g} s",
              runtime_kind) for s in specs]
    lines += _table(rows)
    if route_lines:
        lines += ["", f"Routes ({len(route_lines)})", *(f"  {line}" for line in route_lines)]
    if function_urls:
        lines += ["", f"Function URLs ({len(function_urls)})",
                  *(f"  {url} → {fn}" for fn, url in sorted(function_urls.items()))]
    if endpoint_url:
        lines += ["", f"Lambda Invoke API: {endpoint_url}"]
    lines += _schedule_lines(graph, next_fires)
    pending = [t for t in graph.triggers if t.kind in PENDING_KINDS]
    if pending:
        lines += ["", "Other triggers (their event sources come in a later samlite version; "
                      "invoke the functions directly meanwhile)"]
        lines += [f"  {t.kind.value}: {t.source or '?'} → {t.function} ({t.logical_id})"
                  for t in pending]
    if graph.not_run_locally:
        lines += ["", "Not run locally"]
        lines += [f"  {n.subject} ({n.type}): {n.reason}" for n in graph.not_run_locally]
    if skipped_authorizers:
        lines += ["", "Authorizers not run (the routes serve without them)"]
        lines += [f"  {line}" for line in skipped_authorizers]
    return lines


def _schedule_lines(graph: Graph, next_fires: Sequence[tuple[str, str, datetime]]) -> list[str]:
    if not graph.schedules:
        return []
    when = {(lid, fn): at for lid, fn, at in next_fires}
    rows = [("SCHEDULE", "EXPRESSION", "FUNCTION", "NEXT FIRE")]
    for s in graph.schedules:
        expression = s.expression + (f" ({s.timezone})" if s.timezone else "")
        for target in s.targets:
            at = when.get((s.logical_id, target.function))
            rows.append((s.logical_id, expression, target.function,
                         "disabled" if not s.is_enabled else
                         at.isoformat(sep=" ", timespec="seconds") if at is not None
                         else "never again"))
    return ["", f"Schedules ({len(graph.schedules)})", *_table(rows)]
