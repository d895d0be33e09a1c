"""The shared corpus's real SAM apps (../shared/corpus/apps), run as `samlite up` runs them.

Their handler code is not in the corpus: each function gets a stand-in (corpus_apps.py) that
imports what its requirements name and records the event. Every trigger the app exposes is
exercised — each route with a real HTTP client, a put into each notifying bucket, a message
into each mapped queue, each schedule fired now, the app's sample events invoked — and one row
per app is printed (`pytest -s`). Every trigger of a kind samlite runs must reach its handler
with its dependencies importable; every other one must be named under "Not run locally"."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from jsonschema import Draft4Validator

from samlite.app.root import App
from samlite.dialects.event_patterns import EventFilter, sqs_filter_view
from samlite.errors import SamliteError
from samlite.graph.build import build_graph
from samlite.graph.model import Graph, Route, Trigger, TriggerKind
from samlite.template.load import load_template
from samlite.testing import FAKE_CREDENTIALS, app_options, wait_for
from samlite.validation.pipeline import validate_file
from tests.conformance.corpus_apps import (
    example_body,
    example_for,
    standin_lines,
    write_standins,
)
from tests.conftest import CORPUS

APPS = sorted(p for p in CORPUS.glob("apps/*") if p.is_dir())
REACH_TIMEOUT_S = 20.0   # a cold start, pip's first import of a package, a batching window


@dataclass
class Row:
    """What one app did, as the closing table shows it."""

    app: str
    started: str = "no"
    reached: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    imports_failed: list[str] = field(default_factory=list)
    not_run_locally: list[str] = field(default_factory=list)

    def line(self) -> str:
        total = len(self.reached) + len(self.missed)
        return (f"corpus app {self.app}: started {self.started}; triggers reached "
                f"{len(self.reached)}/{total}; imports failed {self.imports_failed or 'none'}; "
                f"named not run locally {len(self.not_run_locally)}"
                + (f"; MISSED {self.missed}" if self.missed else ""))


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    source: Path = request.param
    target = tmp_path / source.name
    shutil.copytree(source, target)   # a copy: the corpus is read only, never written
    return target


def _template(project: Path) -> Path:
    return next(p for p in (project / "template.yaml", project / "template.yml") if p.is_file())


def _parameters(template: Path) -> dict[str, Any]:
    root = load_template(template).root
    return dict(root.get("Parameters") or {}) if isinstance(root, dict) else {}


def _graph(template: Path) -> Graph:
    result = validate_file(template)
    assert result.resolved is not None, [str(p) for p in result.problems if p.is_error]
    return build_graph(result.resolved)


@pytest.fixture
def started(project: Path, tmp_path: Path) -> Iterator[tuple[App | None, Row, Graph]]:
    template = _template(project)
    graph = _graph(template)
    write_standins(graph, project)
    row = Row(app=project.name)
    row.not_run_locally = [f"{n.subject} ({n.type})" for n in graph.not_run_locally]
    app: App | None = None
    # As `sam deploy --guided` asks for them: a value for each parameter without a default.
    overrides = {name: f"samlite-{name.lower()}" for name, value in _parameters(template).items()
                 if isinstance(value, dict) and "Default" not in value}
    try:
        app = App(template, app_options(template, tmp_path / "state",
                                        {"parameter_overrides": overrides}), log=_LOG)
        app.start()
        row.started = "yes"
    except SamliteError as exc:   # refused with a reason: named, so not silent
        row.started = f"no ({str(exc).splitlines()[0][:160]})"
        app = None
    try:
        yield app, row, graph
    finally:
        if app is not None:
            app.stop(grace_s=0.5)
        print(row.line())


class _Log:
    """Every function's lines, kept per function (the stand-ins' records are among them)."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = {}

    def __call__(self, function: str, line: str) -> None:
        self.lines.setdefault(function, []).append(line)


_LOG = _Log()


@pytest.mark.parametrize("project", APPS, ids=[p.name for p in APPS], indirect=True)
def test_every_trigger_of_a_corpus_app_reaches_its_handler(
        started: tuple[App | None, Row, Graph]) -> None:
    app, row, _ = started
    assert app is not None, f"{row.app} did not start: {row.started}"
    graph = app.graph   # names as this app's stack gives them
    for trigger in graph.triggers:
        label = f"{trigger.function}.{trigger.logical_id} ({trigger.kind.value})"
        if not trigger.runs_locally:
            named = any(trigger.function in n or trigger.logical_id in n
                        for n in row.not_run_locally)
            assert named, f"{label} does not run locally and is not named at startup"
            continue
        fire = _FIRE.get(trigger.kind)
        assert fire is not None, f"{label}: the run has no way to fire a {trigger.kind}"
        before = len(_LOG.lines.get(trigger.function, []))
        fire(app, graph, trigger)
        inline = next(fn.inline_code is not None for fn in graph.functions
                      if fn.logical_id == trigger.function)
        records = _ran_clean(trigger.function, before) if inline \
            else _reached(trigger.function, before)
        (row.reached if records else row.missed).append(label)
        row.imports_failed += [f"{trigger.function}: {name}: {why}" for record in records
                               for name, why in record["imports"].items() if why != "ok"]
    samples = sorted((Path(app.template).parent / "events").glob("*.json"))
    for event_file in samples:
        _invoke_sample(app, graph, event_file, row)
    triggered = {trigger.function for trigger in graph.triggers}
    for fn in graph.functions:   # invoked directly on AWS (console, SDK): invoked here too
        if fn.logical_id not in triggered and not samples and fn.inline_code is None:
            before = len(_LOG.lines.get(fn.logical_id, []))
            app.service.invoke(fn.logical_id, b"{}")
            records = _reached(fn.logical_id, before)
            (row.reached if records else row.missed).append(f"{fn.logical_id} (invoke)")
            row.imports_failed += [f"{fn.logical_id}: {name}: {why}" for record in records
                                   for name, why in record["imports"].items() if why != "ok"]
    assert not row.missed, row.line()
    assert not row.imports_failed, row.line()


def _reached(function: str, before: int) -> list[dict[str, Any]]:
    """What stand-ins recorded since line `before` of the function's log."""
    try:
        return wait_for(lambda: standin_lines(_LOG.lines.get(function, [])[before:]),
                        timeout_s=REACH_TIMEOUT_S)
    except AssertionError:
        return []


def _ran_clean(function: str, before: int) -> list[dict[str, Any]]:
    """For the app's own (inline) code: an invocation ended since line `before`, and its
    log shows no error."""
    def ended() -> list[str]:
        return [line for line in _LOG.lines.get(function, [])[before:]
                if line.startswith("END RequestId")]
    try:
        wait_for(ended, timeout_s=REACH_TIMEOUT_S)
    except AssertionError:
        return []
    new = _LOG.lines.get(function, [])[before:]
    failed = any("errorType" in line or "[ERROR]" in line for line in new)
    return [] if failed else [{"imports": {}}]


def _invoke_sample(app: App, graph: Graph, event_file: Path, row: Row) -> None:
    """The app's sample events: invoked on each function, as `samlite invoke -e` would;
    a queue message sample (not a Lambda event) is sent to each mapped queue instead."""
    payload = event_file.read_bytes()
    for fn in graph.functions:
        if fn.inline_code is not None:
            continue
        result = app.service.invoke(fn.logical_id, payload)
        label = f"{fn.logical_id} <- events/{event_file.name}"
        (row.missed if result.function_error else row.reached).append(label)


# --- firing each kind of trigger -----------------------------------------------------------

def _client(app: App, service: str) -> Any:
    return boto3.client(service, endpoint_url=app.endpoint_url,
                        region_name=app.options.pseudo.region,
                        config=Config(retries={"max_attempts": 1}), **FAKE_CREDENTIALS)


def _fire_route(app: App, graph: Graph, trigger: Trigger) -> None:
    route = trigger.route
    assert route is not None and app.gateway is not None
    path = "/samlite-any" if route.path == "$default" else route.path
    path = path.replace("{proxy+}", "a/b")
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + "x" + path[end + 1:]
    method = "GET" if route.method == "ANY" else route.method
    body = json.dumps(_valid_body(graph, route)).encode() if method in ("POST", "PUT", "PATCH") \
        else None
    request = urllib.request.Request(app.gateway.url + path, data=body, method=method,  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - our own gateway
            pass
    except urllib.error.HTTPError:
        pass   # the stand-in's record decides whether the route reached it


def _valid_body(graph: Graph, route: Route) -> Any:
    """A body the route's request model accepts (checked as the gateway checks it: the API's
    models reachable as #/definitions/<name>), else `{}`."""
    validation = route.validation
    if validation is None or not validation.validates_body or not validation.body_schemas:
        return {}
    models = {name: json.loads(text) for api in graph.apis if api.logical_id == route.api
              for name, text in api.models}
    schema = json.loads(dict(validation.body_schemas).get(
        "application/json", validation.body_schemas[0][1]))
    root = {**schema, "definitions": {**models, **schema.get("definitions", {})}}
    target = schema
    while "$ref" in target:   # "#/definitions/<name>"
        target = root["definitions"][target["$ref"].rsplit("/", 1)[-1]]
    body = example_body(target)
    assert not list(Draft4Validator(root).iter_errors(body)), \
        f"the run built no body for {route.function}'s model {schema}"
    return body


def _fire_s3(app: App, graph: Graph, trigger: Trigger) -> None:
    settings = trigger.s3
    assert settings is not None
    bucket = next(b.bucket_name for b in graph.buckets if b.logical_id == settings.bucket)
    key = f"{settings.prefix}samlite-sample{settings.suffix or '.txt'}"
    _client(app, "s3").put_object(Bucket=bucket, Key=key, Body=b"sample")


def _fire_sqs(app: App, graph: Graph, trigger: Trigger) -> None:
    queue = next(q for q in graph.queues if trigger.source in (q.logical_id, q.arn))
    body = _message_for(trigger)
    extra = {"MessageGroupId": "samlite", "MessageDeduplicationId": "samlite-1"} \
        if queue.is_fifo else {}
    url = f"{app.endpoint_url}/{app.options.pseudo.account_id}/{queue.queue_name}"
    _client(app, "sqs").send_message(QueueUrl=url, MessageBody=body, **extra)


def _message_for(trigger: Trigger) -> str:
    """A body every filter of the mapping lets through (checked with samlite's matcher)."""
    patterns = trigger.sqs.filter_patterns if trigger.sqs else ()
    if not patterns:
        return json.dumps({"samlite": "sample"})
    pattern = json.loads(patterns[0])
    built = example_for(pattern).get("body", {"samlite": "sample"})
    body = built if isinstance(built, str) else json.dumps(built)
    record = sqs_filter_view({"body": body, "attributes": {}, "messageAttributes": {}})
    assert EventFilter.from_patterns(list(patterns)).matches(record), \
        f"the run built no message for {trigger.function}'s filter {patterns[0]}"
    return body


def _fire_schedule(app: App, graph: Graph, trigger: Trigger) -> None:
    assert app.scheduler is not None
    app.scheduler.fire_now(trigger.source or trigger.logical_id)


def _fire_by_name(app: App, graph: Graph, trigger: Trigger) -> None:
    """An SNS topic publishes a sample message, an event-pattern rule sends its targets a
    sample event its pattern matches (what `samlite trigger` does)."""
    app.fire_trigger(f"{trigger.function}.{trigger.logical_id}")


_FIRE: dict[TriggerKind, Callable[[App, Graph, Trigger], None]] = {
    TriggerKind.API: _fire_route, TriggerKind.HTTP_API: _fire_route,
    TriggerKind.S3: _fire_s3, TriggerKind.SQS: _fire_sqs,
    TriggerKind.SCHEDULE: _fire_schedule, TriggerKind.SCHEDULE_V2: _fire_schedule,
    TriggerKind.SNS: _fire_by_name, TriggerKind.EVENTBRIDGE: _fire_by_name,
}
