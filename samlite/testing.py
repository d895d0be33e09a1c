"""The pytest plugin (entry point `pytest11: samlite`): fixtures that run a SAM app in-process
for one test, with its own state, and a handle to drive it (HTTP, invoke, boto3, logs, waits).

Importing this module at pytest start-up costs nothing: samlite's app and boto3 are imported
only when a test asks for `samlite_app` or `samlite_app_factory`.

    @pytest.mark.samlite(parameter_overrides={"Stage": "test"})   # optional
    def test_hello(samlite_app):
        assert samlite_app.get("/hello").json() == {"message": "Hello, world"}
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from samlite.app.root import App, AppOptions
    from samlite.runtime.records import InvocationRecord

T = TypeVar("T")

TEMPLATE_INI = "samlite_template"
IAM_INI = "samlite_iam"
TEMPLATE_NAME = "template.yaml"
# What a test wants by default: functions as local processes, any free ports, async retries
# in milliseconds instead of minutes (Lambda waits 1 and 2 minutes between them).
TEST_DEFAULTS: Mapping[str, Any] = {"runtime": "process", "http_port": 0, "aws_port": 0,
                                    "retry_delay_scale": 0.001}
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(TEMPLATE_INI, "template the samlite_app fixture runs, relative to the ini "
                                "file (default: the nearest template.yaml above the test)")
    parser.addini(IAM_INI, "IAM for the functions' AWS calls: enforce, warn or off (default "
                           "warn); @pytest.mark.samlite(iam=...) sets it for one test")


def pytest_configure(config: pytest.Config) -> None:
    _skip_assertion_rewriting(config)
    config.addinivalue_line(
        "markers", "samlite(template=None, **options): the template (and AppOptions such as "
                   "parameter_overrides, env_vars, runtime, region, no_build, iam) samlite_app "
                   "runs")


def _skip_assertion_rewriting(config: pytest.Config) -> None:
    """pytest rewrites the asserts of every module in a pytest11 plugin's distribution, so
    all of samlite would be parsed and rewritten on first import (about 170 ms of the first
    app's start-up, on every run where bytecode is not cached). samlite has no asserts a
    user reads; only their own test files need rewriting. pytest has no public switch for
    this, hence the guarded look at its import hook."""
    hook = getattr(config.pluginmanager, "rewrite_hook", None)
    marked = getattr(hook, "_must_rewrite", None)
    if isinstance(marked, set) and "samlite" in marked:
        marked.discard("samlite")
        cache = getattr(hook, "_marked_for_rewrite_cache", None)
        if isinstance(cache, dict):
            cache.clear()


# --- what a test gets back -------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class InvokeResult:
    request_id: str
    raw: bytes                         # the response, or Lambda's error document
    function_error: str | None = None  # "Unhandled" when the function failed
    logs: str = ""     # this invocation's lines, START to REPORT (its last 4 KB, as LogType Tail)

    @property
    def payload(self) -> Any:
        """The response as JSON, or the raw bytes when it is not JSON."""
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]          # names in lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(slots=True)
class _LogBook:
    """Every line each function wrote, as App's log callback hands them over (any thread)."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, function: str, line: str) -> None:
        with self.lock:
            self.lines.setdefault(function, []).append(line.rstrip("\n"))

    def of(self, function: str) -> list[str]:
        with self.lock:
            return list(self.lines.get(function, ()))

    def text(self) -> str:
        with self.lock:
            return "\n".join(f"{fn} | {line}" for fn, lines in self.lines.items()
                             for line in lines)


class RunningApp:
    """One started app, as a test drives it. Made by the fixtures; stopped at teardown."""

    def __init__(self, app: App, logbook: _LogBook, *, runtime_is_default: bool = False) -> None:
        self.app = app
        self._logbook = logbook
        self.runtime_is_default = runtime_is_default   # TEST_DEFAULTS chose, not the test
        self._clients: dict[str, Any] = {}

    # --- where it listens ---------------------------------------------------------------
    @property
    def url(self) -> str:
        """The HTTP gateway's base URL (REST and HTTP API routes), e.g. http://127.0.0.1:PORT."""
        if self.app.gateway is None:
            raise RuntimeError("this app runs without an HTTP gateway (http_port=None)")
        return self.app.gateway.url

    @property
    def endpoint_url(self) -> str:
        """The local AWS endpoint (every service of docs/aws.md)."""
        if self.app.endpoint_url is None:
            raise RuntimeError("this app runs without an AWS endpoint (aws_port=None)")
        return self.app.endpoint_url

    @property
    def function_urls(self) -> Mapping[str, str]:
        """Function logical id -> its function URL (ends with "/")."""
        return dict(self.app.gateway.function_urls()) if self.app.gateway else {}

    @property
    def load_balancer_urls(self) -> Mapping[str, str]:
        """ALB listener logical id (or a lambda target group's, when no listener forwards to
        it) -> its URL (ends with "/")."""
        return dict(self.app.load_balancers.urls()) if self.app.load_balancers else {}

    @property
    def region(self) -> str:
        return self.app.options.pseudo.region

    # --- driving it -----------------------------------------------------------------------
    def invoke(self, name: str, event: Any = None, *,
               qualifier: str | None = None, tenant_id: str | None = None) -> InvokeResult:
        """Invoke function `name` (logical id or FunctionName) synchronously, at $LATEST or
        the version or alias `qualifier` names (`tenant_id` for a tenant-isolated function).
        A dict or list
        is sent as JSON; str and bytes are sent as they are (JSON text); None is `{}`.
        `tenant_id`: Invoke's TenantId, which a function with TenancyConfig needs.
        A failing function is a result with function_error set, not an exception."""
        if event is None:
            payload = b"{}"
        elif isinstance(event, bytes):
            payload = event
        elif isinstance(event, str):
            payload = event.encode()
        else:
            payload = json.dumps(event).encode()
        from samlite.errors import SamliteError
        from samlite.runtime.api_errors import LambdaApiError

        spec = self.app.function(name)
        try:
            target = self.app.service.target(spec.logical_id, qualifier)
            result = self.app.service.invoke_target(target, payload, tail_logs=True,
                                                    tenant_id=tenant_id, trigger="test")
        except LambdaApiError as exc:   # throttled, too large: as `samlite invoke` says it
            raise SamliteError(f"{spec.logical_id}: {exc.error_type}: {exc.message}") from exc
        return InvokeResult(request_id=result.request_id, raw=result.payload,
                            function_error=result.function_error, logs=result.logs)

    def trigger(self, name: str) -> str:
        """Fire `name` now, as `samlite trigger` does: a schedule, an S3, DynamoDB or SQS
        trigger, an EventBridge rule or an SNS topic or event, by the event's name (Nightly)
        or its full id (ReportNightly); the request, event or message id."""
        from samlite.graph.trigger_names import Firing, TriggerNames

        found = TriggerNames.of(self.app.graph).find(name)
        if found.firing is Firing.SCHEDULE and self.app.scheduler is None:
            raise RuntimeError("schedules run only with the HTTP gateway (http_port=None)")
        return self.app.fire_trigger(name).id

    def invocations(self, function: str | None = None) -> list[InvocationRecord]:
        """Every finished invocation so far, oldest first (only `function`'s, by logical id,
        when given): trigger, status, duration, event, response and log lines, as the
        dashboard shows them."""
        return list(self.app.invocations.all(function=function))

    def logs(self, name: str) -> list[str]:
        """Every line function `name` has written so far, START/END/REPORT included."""
        spec = self.app.function(name)
        return self._logbook.of(spec.logical_id)

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: Mapping[str, str] | None = None) -> HttpResponse:
        """An HTTP request to `path` under .url (or to a full URL, e.g. a function URL);
        error statuses are returned, not raised."""
        import urllib.error
        import urllib.request

        url = path if path.startswith(("http://", "https://")) else self.url + path
        data = body.encode() if isinstance(body, str) else body
        # Only http(s) reaches here: a path is joined to our own gateway's URL.
        req = urllib.request.Request(url, data=data, method=method,  # noqa: S310
                                     headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=30) as reply:  # noqa: S310
                return _response(reply.status, reply.headers.items(), reply.read())
        except urllib.error.HTTPError as exc:
            return _response(exc.code, exc.headers.items(), exc.read())

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
        return self.request("GET", path, headers=headers)

    def wait_for(self, condition: Callable[[], T], timeout_s: float = 10.0,
                 interval_s: float = 0.02, message: str | None = None) -> T:
        """Call `condition` until it returns something truthy, and return that; after
        `timeout_s` fail the test, naming the condition and what it last returned."""
        __tracebackhide__ = True
        return wait_for(condition, timeout_s=timeout_s, interval_s=interval_s, message=message)

    # --- AWS ------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """A boto3 client for `service` bound to the local endpoint (made once)."""
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            self._clients[service] = boto3.client(
                service, endpoint_url=self.endpoint_url, region_name=self.region,
                config=Config(retries={"max_attempts": 1}), **FAKE_CREDENTIALS)
        return self._clients[service]

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def sqs(self) -> Any:
        return self.client("sqs")

    @property
    def lambda_(self) -> Any:
        return self.client("lambda")

    @property
    def sns(self) -> Any:
        return self.client("sns")

    @property
    def events(self) -> Any:
        return self.client("events")

    def topic_arn(self, logical_id: str) -> str:
        """The ARN topic `logical_id` has here (what !Ref gives its functions)."""
        return _by_id(self.app.graph.topics, logical_id, "topic").arn

    @property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    def table_name(self, logical_id: str) -> str:
        """The name table `logical_id` has here (what !Ref gives its functions)."""
        return _by_id(self.app.graph.tables, logical_id, "table").table_name

    def bucket_name(self, logical_id: str) -> str:
        """The name bucket `logical_id` has here (what !Ref gives its functions)."""
        return _by_id(self.app.graph.buckets, logical_id, "bucket").bucket_name

    def queue_url(self, logical_id: str) -> str:
        """The URL of queue `logical_id` on this app's endpoint."""
        queue = _by_id(self.app.graph.queues, logical_id, "queue")
        pseudo = self.app.options.pseudo
        return f"{self.endpoint_url}/{pseudo.account_id}/{queue.queue_name}"

    @property
    def runtime_line(self) -> str:
        """Where this app's functions run and why, and the marker that changes it."""
        from samlite.app.root import runtime_notice

        choice = self.app.runtime_choice
        if choice.reason == f"--runtime {choice.kind}" and self.runtime_is_default:
            choice = dataclasses.replace(choice, reason="the pytest plugin's default")
        return runtime_notice(choice,
                              switch=lambda value: f'@pytest.mark.samlite(runtime="{value}")')

    def log_text(self) -> str:
        """The runtime and IAM lines, what runs on another version or architecture than the
        template names (as `samlite up` warns), then every function's lines, prefixed with
        its logical id (shown when a test fails)."""
        from samlite.app.config import iam_line

        options = self.app.options
        head = [self.runtime_line, iam_line(options.iam, options.iam_source),
                *self.app.process_mismatch_notices()]
        lines = self._logbook.text()
        return "\n".join(f"samlite | {line}" for line in head) + (f"\n{lines}" if lines else "")


def _by_id(items: Any, logical_id: str, kind: str) -> Any:
    for item in items:
        if item.logical_id == logical_id:
            return item
    names = ", ".join(sorted(item.logical_id for item in items)) or "none"
    raise KeyError(f"the template has no {kind} {logical_id!r} ({kind}s: {names})")


def _response(status: int, headers: Any, body: bytes) -> HttpResponse:
    return HttpResponse(status=status, headers={k.lower(): v for k, v in headers}, body=body)


def wait_for(condition: Callable[[], T], *, timeout_s: float = 10.0, interval_s: float = 0.02,
             message: str | None = None, clock: Callable[[], float] = time.monotonic,
             sleep: Callable[[float], None] = time.sleep) -> T:
    """A bounded wait for an asynchronous result (see RunningApp.wait_for)."""
    __tracebackhide__ = True   # a failure points at the test's line, not at this loop
    deadline = clock() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if clock() >= deadline:
            what = message or _describe(condition)
            raise AssertionError(f"wait_for: {what} was still false after {timeout_s:g} s "
                                 f"(last value: {value!r})")
        sleep(interval_s)


def _describe(condition: Callable[..., Any]) -> str:
    """The condition as the test wrote it: a lambda's source line, else its name."""
    name = getattr(condition, "__qualname__", repr(condition))
    try:
        lines, line_no = inspect.getsourcelines(condition)
        source = inspect.getsourcefile(condition)
    except (OSError, TypeError):
        return name
    where = f"{Path(source).name}:{line_no}" if source else f"line {line_no}"
    text = " ".join(line.strip() for line in lines)
    if getattr(condition, "__name__", "") == "<lambda>":
        return f"`{text}` ({where})"
    return f"{name} ({where})"


# --- fixtures ------------------------------------------------------------------------------
AppFactory = Callable[..., RunningApp]
_RUNNING = pytest.StashKey[list[RunningApp]]()


def find_template(request: pytest.FixtureRequest, template: str | Path | None) -> Path:
    """The template a test runs: given, else the ini option, else the nearest template.yaml
    walking up from the test file's folder."""
    config = request.config
    if template is not None:
        path = Path(template)
        base = request.path.parent
    elif configured := config.getini(TEMPLATE_INI):
        path = Path(str(configured))
        base = config.inipath.parent if config.inipath else config.rootpath
    else:
        here = request.path.parent.resolve()
        for folder in (here, *here.parents):
            if (folder / TEMPLATE_NAME).is_file():
                return folder / TEMPLATE_NAME
        pytest.fail(f"samlite: no {TEMPLATE_NAME} in {request.path.parent} or above; pass "
                    f"@pytest.mark.samlite(template=...) or set {TEMPLATE_INI} in the ini file",
                    pytrace=False)
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        pytest.fail(f"samlite: template {path} does not exist", pytrace=False)
    return path


def app_options(template: Path, state_dir: Path, options: Mapping[str, Any]) -> AppOptions:
    """AppOptions for a test: TEST_DEFAULTS, then `options`; `region` and `account_id` set
    the pseudo parameters (stack name: the project folder, as `samlite up` names it), and
    `no_build=True` installs no requirements (what is cached is used)."""
    from samlite.app.config import pseudo_parameters
    from samlite.app.dependencies import deps_root
    from samlite.app.root import AppOptions

    given = dict(options)
    pseudo = pseudo_parameters(template.resolve().parent, {}, region=given.pop("region", None))
    if "account_id" in given:
        pseudo = dataclasses.replace(pseudo, account_id=given.pop("account_id"))
    known = set(AppOptions.__dataclass_fields__) - {"pseudo"}
    if unknown := sorted(set(given) - known):
        pytest.fail(f"samlite: unknown option(s) {', '.join(unknown)}; known: region, "
                    f"account_id, {', '.join(sorted(known))}", pytrace=False)
    # Requirements are installed into the project's cache (.samlite/deps), as `samlite
    # invoke` does, not into each test's state: the second test reuses the first's install.
    deps_dir = deps_root(project_dir=template.resolve().parent, state_dir=None)
    values = {**TEST_DEFAULTS, "state_dir": state_dir, "deps_dir": deps_dir, **given}
    return AppOptions(pseudo=pseudo, **values)


@pytest.fixture
def samlite_app_factory(request: pytest.FixtureRequest,
                        tmp_path: Path) -> Iterator[AppFactory]:
    """Call it as `samlite_app_factory(template=None, **options)` to start an app; every
    app it started is stopped at teardown. Each app keeps its state in its own folder."""
    from samlite.app.root import App
    from samlite.errors import SamliteError

    marker = request.node.get_closest_marker("samlite")
    marked = dict(marker.kwargs) if marker else {}
    started: list[RunningApp] = []
    request.node.stash.setdefault(_RUNNING, []).clear()

    def start(template: str | Path | None = None, **options: Any) -> RunningApp:
        path = find_template(request, template if template is not None
                             else marked.get("template"))
        given = {**{k: v for k, v in marked.items() if k != "template"}, **options}
        given.setdefault("iam_source", _iam_source(request, marked, options))
        if "iam" not in given and (iam := request.config.getini(IAM_INI)):
            given["iam"] = str(iam)
        # Each app its own state folder: buckets, queues and pending events start empty.
        state_dir = tmp_path / f"samlite-{len(started)}"
        logbook = _LogBook()
        try:
            app = App(path, app_options(path, state_dir, given), log=logbook)
            app.start()
        except SamliteError as exc:   # a template with errors, a busy port, no Docker
            pytest.fail(f"samlite could not start {path}:\n{exc}", pytrace=False)
        app.serving()   # ready, as `up` says it is
        running = RunningApp(app, logbook, runtime_is_default="runtime" not in given)
        started.append(running)
        request.node.stash[_RUNNING].append(running)
        return running

    yield start
    errors: list[BaseException] = []
    for running in reversed(started):
        try:
            running.app.stop(grace_s=0.5)
        except BaseException as exc:   # the others are stopped all the same
            errors.append(exc)
    if errors:
        raise errors[0]


def _iam_source(request: pytest.FixtureRequest, marked: Mapping[str, Any],
                options: Mapping[str, Any]) -> str:
    """Where the test's IAM mode comes from, in the words that set it (the `IAM:` line)."""
    if "iam" in options:
        return "samlite_app_factory(iam=...)"
    if "iam" in marked:
        return "@pytest.mark.samlite(iam=...)"
    if request.config.getini(IAM_INI):
        ini = request.config.inipath
        return f"{IAM_INI} in {ini.name if ini else 'the ini file'}"
    return "the default"


@pytest.fixture
def samlite_app(samlite_app_factory: AppFactory) -> RunningApp:
    """The app of the test's template (marker, ini option, or nearest template.yaml),
    started for this test with isolated state, stopped after it."""
    return samlite_app_factory()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A failing test shows what its functions logged ("Captured samlite log call")."""
    try:
        return (yield)
    finally:
        for running in item.stash.get(_RUNNING, []):
            item.add_report_section("call", "samlite log", running.log_text())
