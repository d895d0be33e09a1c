"""What `samlite up` prints when it starts: functions, routes, function URLs, the other
triggers and what is not run locally, then the ready line. Pure: lines of text."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from samlite.cli.messaging_summary import messaging_lines
from samlite.graph.model import Graph, TriggerKind
from samlite.graph.render import queue_roles, trigger_detail, version_lines
from samlite.graph.trigger_names import TriggerNames, full_id_of
from samlite.runtime.process_support import runs_in
from samlite.runtime.spec import FunctionSpec

HTTP_KINDS = frozenset({TriggerKind.API, TriggerKind.HTTP_API})


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def startup_lines(graph: Graph, specs: Sequence[FunctionSpec], *, runtime_kind: str,
                  route_lines: Sequence[str], function_urls: Mapping[str, str],
                  skipped_authorizers: Sequence[str] = (),
                  api_key_notes: Sequence[str] = (),
                  authorizer_notes: Sequence[str] = (),
                  load_balancer_lines: Sequence[str] = (),
                  endpoint_url: str | None = None,
                  next_fires: Sequence[tuple[str, str, datetime]] = (),
                  disabled_schedules: Collection[str] = (),
                  state_dir: str | None = None,
                  dependencies: Mapping[str, str] | None = None,
                  layer_rows: Sequence[tuple[str, str, str]] = (),
                  dashboard_url: str | None = None) -> list[str]:
    """`next_fires` is the scheduler's (schedule, function, next fire time) rows, and
    `disabled_schedules` the schedules it has off (the template's State or DisableRule);
    `dependencies` says per function whether its requirements (its own and its layers')
    were cached, installed now or not installed (a DEPS column when any function has some);
    `layer_rows` say what runs for each layer ARN (function, layer, local stand-in);
    `load_balancer_lines` each ALB listener's URL, then its rules indented."""
    lines = [f"Functions ({len(specs)})"]
    deps = dependencies or {}
    rows = [("FUNCTION", "RUNTIME", "MEMORY", "TIMEOUT", "RUNS IN", *(("DEPS",) if deps else ()))]
    rows += [(s.logical_id, s.runtime or "-", f"{s.memory_mb} MB", _timeout(s),
              runs_in(s, runtime_kind), *((deps.get(s.logical_id, "-"),) if deps else ()))
             for s in specs]
    lines += _table(rows)
    versions = version_lines(graph)
    if versions:
        lines += ["", f"Versions and aliases ({len(versions)})",
                  *(f"  {line}" for line in versions)]
    if layer_rows:
        lines += ["", f"Layer ARNs ({len(layer_rows)})",
                  *_table([("FUNCTION", "LAYER", "RUNS AS"), *layer_rows])]
    if route_lines:
        lines += ["", f"Routes ({len(route_lines)})", *(f"  {line}" for line in route_lines)]
    if function_urls:
        lines += ["", f"Function URLs ({len(function_urls)})",
                  *(f"  {url} → {fn}" for fn, url in sorted(function_urls.items()))]
    if load_balancer_lines:
        count = sum(1 for line in load_balancer_lines if not line.startswith(" "))
        lines += ["", f"Load balancers ({count})", *(f"  {line}" for line in load_balancer_lines)]
    if endpoint_url:
        kept = f"; data kept in {state_dir}" if state_dir else ""
        lines += ["", f"AWS endpoint (S3, SQS, DynamoDB, Lambda, SNS, EventBridge, STS, Secrets "
                      f"Manager, Parameter Store): {endpoint_url}{kept}"]
    if dashboard_url:
        lines += ["", f"Dashboard (invocations, logs, replay, queues, buckets): {dashboard_url}"]
    # A TRIGGER column says what `samlite trigger` takes: the event's name and its full id.
    names = TriggerNames.of(graph)
    lines += _bucket_lines(graph, names)
    lines += _queue_lines(graph)
    lines += _table_lines(graph, names)
    lines += _secret_lines(graph)
    lines += messaging_lines(graph, names)    # SNS topics, EventBridge rules
    lines += _schedule_lines(graph, names, next_fires, disabled_schedules)
    if graph.not_run_locally:
        lines += ["", "Not run locally"]
        lines += [f"  {n.at.file}:{n.at.line}: {n.subject} ({n.type}): {n.reason}"
                  for n in graph.not_run_locally]
    if skipped_authorizers:
        lines += ["", "Authorizers not run (the routes serve without them)"]
        lines += [f"  {line}" for line in skipped_authorizers]
    if authorizer_notes:
        lines += ["", "Authorizers checked by the gateway"]
        lines += [f"  {line}" for line in authorizer_notes]
    if api_key_notes:
        lines += ["", "API keys (routes with ApiKeyRequired need an x-api-key header)"]
        lines += [f"  {line}" for line in api_key_notes]
    return lines


def _schedule_lines(graph: Graph, names: TriggerNames,
                    next_fires: Sequence[tuple[str, str, datetime]],
                    disabled: Collection[str]) -> list[str]:
    if not graph.schedules:
        return []
    when = {(lid, fn): at for lid, fn, at in next_fires}
    rows = [("SCHEDULE", "EXPRESSION", "FUNCTION", "NEXT FIRE", "TRIGGER")]
    for s in graph.schedules:
        expression = s.expression + (f" ({s.timezone})" if s.timezone else "")
        for target in s.targets:
            at = when.get((s.logical_id, target.function))
            rows.append((s.logical_id, expression, target.function,
                         "disabled" if not s.is_enabled or s.logical_id in disabled else
                         at.isoformat(sep=" ", timespec="seconds") if at is not None
                         else "never again", names.label_of(s.logical_id)))
    return ["", f"Schedules ({len(graph.schedules)})", *_table(rows)]


def _bucket_lines(graph: Graph, names: TriggerNames) -> list[str]:
    if not graph.buckets:
        return []
    rows = [("BUCKET", "NAME", "EVENTS", "FUNCTION", "TRIGGER")]
    for bucket in graph.buckets:
        if not bucket.notifications:
            rows.append((bucket.logical_id, bucket.bucket_name, "-", "-", "-"))
        for n in bucket.notifications:
            where = "".join(f" {name.lower()}={value}" for name, value in n.filter_rules)
            full_id = n.function + n.event if n.event else bucket.logical_id
            rows.append((bucket.logical_id, bucket.bucket_name, ",".join(n.events) + where,
                         n.function, names.label_of(full_id, function=n.function)))
    return ["", f"Buckets ({len(graph.buckets)})", *_table(rows)]


def _secret_lines(graph: Graph) -> list[str]:
    """Secrets and parameters under the names their Ref gives (values are not shown)."""
    if not graph.secrets and not graph.parameters:
        return []
    rows = [("RESOURCE", "KIND", "NAME")]
    rows += [(x.logical_id, "secret", x.name) for x in graph.secrets]
    rows += [(x.logical_id, f"parameter ({x.type})", x.name) for x in graph.parameters]
    count = len(graph.secrets) + len(graph.parameters)
    return ["", f"Secrets and parameters ({count})", *_table(rows)]


def _queue_lines(graph: Graph) -> list[str]:
    if not graph.queues:
        return []
    consumers: dict[str, list[str]] = {}
    for trigger in graph.triggers:
        if trigger.kind is TriggerKind.SQS and trigger.source is not None:
            batch = f" (batch {trigger.sqs.batch_size})" if trigger.sqs is not None else ""
            consumers.setdefault(trigger.source, []).append(trigger.function + batch)
    rows = [("QUEUE", "NAME", "FUNCTION", "DEAD-LETTER QUEUE", "ROLE")]
    for queue in graph.queues:
        redrive = queue.redrive
        dead = "-" if redrive is None else \
            f"{redrive.dead_letter_queue} after {redrive.max_receive_count or 10} receives"
        functions = consumers.get(queue.logical_id) or consumers.get(queue.arn) or ["-"]
        # A queue no function reads may still be where failures go: say so, as graph does.
        rows.append((queue.logical_id, queue.queue_name, ", ".join(functions), dead,
                     "; ".join(queue_roles(graph, queue)) or "-"))
    return ["", f"Queues ({len(graph.queues)})", *_table(rows)]


def _table_lines(graph: Graph, names: TriggerNames) -> list[str]:
    if not graph.tables:
        return []
    readers: dict[str, list[tuple[str, str]]] = {}
    for trigger in graph.triggers:
        if trigger.stream is not None and trigger.source is not None:
            # Its filters and OnFailure destination too, in the words `samlite graph` uses.
            readers.setdefault(trigger.source, []).append(
                (f"{trigger.function} ({trigger_detail(trigger)})",
                 names.label_of(full_id_of(trigger), function=trigger.function)))
    rows = [("TABLE", "NAME", "KEYS", "STREAM", "FUNCTION", "TRIGGER")]
    for table in graph.tables:
        keys = ", ".join(f"{name} {kind}" for name, kind in table.key_schema)
        read = readers.get(table.logical_id, [])
        rows.append((table.logical_id, table.table_name, keys, table.stream_view_type or "-",
                     "; ".join(r for r, _ in read) or "-",
                     "; ".join(label for _, label in read) or "-"))
    return ["", f"Tables ({len(graph.tables)})", *_table(rows)]


def _timeout(spec: FunctionSpec) -> str:
    """The TIMEOUT cell; a debugged function's timeout does not fire (runtime/debugging.py)."""
    if spec.debug_port is not None:
        return f"off: debugger on :{spec.debug_port}"
    return f"{spec.timeout_s:g} s"
