"""The commands that run functions: `invoke` (like `sam local invoke`), `start-lambda`,
`up` (the whole app) and `trigger` (fire a schedule or S3 trigger in a running `up`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from samlite.cli.options import (
    GivenFlags,
    app_options,
    console_log,
    console_progress,
    ends_at_once,
    log_format,
    project_up,
    run_options,
    say,
    serve_until_interrupted,
    state_dir_option,
    template_options,
    template_paths,
)
from samlite.errors import UsageError
from samlite.runtime.debugging import DEFAULT_DEBUG_PORT


@click.command()
@click.argument("function", required=False)
@click.option("-e", "--event", help="JSON event file, or - to read stdin [default: {}].")
@click.option("-q", "--qualifier", default=None,
              help="The version or alias to invoke, as Invoke's Qualifier: $LATEST, a version "
              "number or an alias name [default: $LATEST, unqualified].")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--aws-endpoint-url", default=None,
              help="The AWS endpoint the function's SDK calls (AWS_ENDPOINT_URL) "
              "[default: this project's running `samlite up`, if there is one].")
@click.option("--tenant-id", default=None,
              help="The invoke's TenantId, which a function with TenancyConfig needs "
              "(context.tenant_id).")
@click.option("--debug", "debug", is_flag=True,
              help="Start FUNCTION under a debugger (debugpy for Python, Node's inspector) "
              "and wait for it to attach before the handler runs; no timeout meanwhile. "
              "See docs/debugging.md.")
@click.option("--debug-port", default=DEFAULT_DEBUG_PORT, show_default=True,
              type=click.IntRange(1, 65535), help="The port the debugger attaches to.")
@state_dir_option
@run_options(iam=False)
@template_options
def invoke(function: str | None, event: str | None, qualifier: str | None,
           template_option: str | None,
           aws_endpoint_url: str | None, tenant_id: str | None, debug: bool, debug_port: int,
           state_dir: str, runtime: str,
           env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
           no_build: bool, layers: tuple[str, ...], parameter_overrides: tuple[str, ...],
           config_file: str | None, config_env: str) -> None:
    """Invoke FUNCTION once: the response on stdout, logs on stderr, exit 1 if it failed.

    FUNCTION is a logical id (or FunctionName); a template with one function needs none.
    With this project's `samlite up` running (found in its state dir, whatever its ports),
    the function's AWS calls go to its buckets and queues, and --qualifier means the
    versions and aliases that `up` has published.
    """
    from samlite.app.root import invoke_function, read_event

    ends_at_once()
    [path] = template_paths((), template_option)
    if debug and function is None:
        raise UsageError("samlite invoke --debug: name the FUNCTION to debug")
    endpoint = aws_endpoint_url
    up_url = None   # this project's running up: its versions are what a qualifier means
    if endpoint is None:
        found = project_up(path, state_dir)
        if found.refusal:
            say("endpoint", found.refusal, err=True)
        if found.up is not None:
            endpoint = up_url = found.up.endpoint_url
            say("endpoint", f"The function's AWS calls go to the samlite up running at "
                f"{endpoint} (pid {found.up.pid})", err=True)
    options = app_options(path, "local invoke", runtime=runtime, env_vars=env_vars,
                          overrides=parameter_overrides, config_file=config_file,
                          config_env=config_env, account_concurrency=account_concurrency,
                          idle_timeout_s=idle_timeout_s, no_build=no_build, layers=layers,
                          aws_endpoint_url=endpoint,
                          debug_functions=(function,) if debug and function else (),
                          debug_port=debug_port)
    payload = read_event(event, stdin=sys.stdin.buffer)
    console = console_log()
    result = invoke_function(path, function, payload, options, log=console,
                             progress=console_progress(), qualifier=qualifier,
                             notice=lambda line: say("warning", line, err=True),
                             notices=() if endpoint else (NO_UP_NOTICE,), tenant_id=tenant_id,
                             runtime_line=lambda line: say("runtime", line, err=True),
                             versions_from=up_url)
    console.flush()   # the logs first, then the response, as sam local invoke shows them
    click.echo(result.payload.decode("utf-8", errors="replace"))
    sys.exit(1 if result.is_error else 0)


# As `sam local invoke` does, but said: with samlite's local credentials such calls fail.
NO_UP_NOTICE = ("No samlite up runs for this project: the function's AWS calls go to AWS "
                "itself, signed with samlite's local credentials, so AWS refuses them; start "
                "`samlite up` here, or pass --aws-endpoint-url")


@click.command("start-lambda")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=3001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@run_options
@template_options
@click.pass_context
def start_lambda(ctx: click.Context, **params: Any) -> None:
    """Serve the Lambda Invoke API for the template's functions until Ctrl-C, like
    `sam local start-lambda`: boto3 or `aws lambda invoke --endpoint-url` call it. Options
    not given here come from samconfig.toml's [default.local_start_lambda.parameters]."""
    from samlite.cli.samconfig_options import with_samconfig

    [path] = template_paths((), params["template_option"])
    run_start_lambda(**with_samconfig(ctx, params, path, ("local start-lambda",)))


def run_start_lambda(template_option: str | None, host: str, port: int, runtime: str,
                     env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
                     no_build: bool, layers: tuple[str, ...],
                     parameter_overrides: tuple[str, ...], config_file: str | None,
                     config_env: str) -> None:
    from samlite.app.config import iam_line
    from samlite.app.root import App, runtime_notice

    [path] = template_paths((), template_option)
    options = app_options(path, "local start-lambda", runtime=runtime, env_vars=env_vars,
                          overrides=parameter_overrides, config_file=config_file,
                          config_env=config_env, host=host, aws_port=port,
                          aws_port_flag="--port", account_concurrency=account_concurrency,
                          idle_timeout_s=idle_timeout_s, no_build=no_build, layers=layers)
    app = App(path, options, log=console_log(), progress=console_progress())

    def announce() -> None:
        for notice in (app.runtime_notices() + app.dependency_notices()
                       + app.iam_notices()):
            say("warning", notice, err=True)
        say("runtime", runtime_notice(app.runtime_choice))
        say("iam", iam_line(app.options.iam, app.options.iam_source))
        click.echo(f"Lambda Invoke API on {app.endpoint_url} (Ctrl-C to stop)")
        rows = [("FUNCTION", "RUNTIME", "HANDLER", "DEPS")]
        rows += [(s.logical_id, s.runtime or "-", s.handler or "-",
                  app.dependencies.states.get(s.logical_id, "-")) for s in app.functions]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
        for row in rows:
            click.echo("  " + "  ".join(cell.ljust(widths[i])
                                        for i, cell in enumerate(row)).rstrip())
        sys.stdout.flush()

    serve_until_interrupted(app, announce)
    click.echo("Stopped.", err=True)


@click.command()
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=3000, show_default=True, type=click.IntRange(0, 65535),
              help="HTTP port of the APIs (0: any free port).")
@click.option("--aws-port", default=3001, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the local AWS endpoint (S3, SQS, DynamoDB, SNS, EventBridge, "
              "Secrets Manager, SSM, STS and the Lambda Invoke API).")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Reload code and template as they are saved.")
@click.option("--state-dir", default=".samlite", show_default=True,
              help="Where buckets, queues, tables, topics, secrets and pending events are "
              "kept, relative to the template's folder.")
@click.option("--reset", is_flag=True,
              help="Start clean: forget stored objects, messages, items, secrets and pending "
              "events.")
@click.option("--clock-speed", default=1.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Run schedules' clock this many times faster (1440: a day in a minute).")
@click.option("--retry-delay-scale", default=1.0, show_default=True,
              type=click.FloatRange(min=0),
              help="Multiply Lambda's waits between asynchronous retries (1 and 2 minutes).")
@click.option("--debug", "debug_functions", default="", metavar="FUNCTION[,FUNCTION...]",
              help="Run these functions under a debugger (debugpy for Python, Node's "
              "inspector): each waits for it to attach before its handler runs, keeps one "
              "environment and has no timeout. See docs/debugging.md.")
@click.option("--debug-port", default=DEFAULT_DEBUG_PORT, show_default=True,
              type=click.IntRange(1, 65535),
              help="The first debugged function's port; the next ones count up from it.")
@click.option("--ui-port", default=None, type=click.IntRange(0, 65535),
              help="Port of the dashboard, on 127.0.0.1 only (0: any free port) "
              "[default: 3900; any free port when --port is 0, as for function URLs].")
@click.option("--no-ui", is_flag=True, help="Serve no dashboard.")
@click.option("--invocation-records", default=5000, show_default=True,
              type=click.IntRange(min=1),
              help="Invocations the dashboard keeps (the oldest go first).")
@click.option("--keep-invocations", is_flag=True,
              help="Keep the dashboard's invocation records in the state dir across restarts.")
@run_options
@template_options
@click.pass_context
def up(ctx: click.Context, **params: Any) -> None:
    """Run the whole app: every function with its HTTP routes, function URLs, buckets,
    queues, tables, topics, event rules and schedules, on a local AWS endpoint that keeps
    its data, with code reloaded as it is saved. Ctrl-C stops everything. Options not given
    here come from samconfig.toml's [default.up.parameters] or
    [default.local_start_api.parameters] (SAM CLI's start-api table, which wins)."""
    from samlite.cli.samconfig_options import with_samconfig

    [path] = template_paths((), params["template_option"])
    run_up(**with_samconfig(ctx, params, path, UP_TABLES))


UP_TABLES = ("up", "local start-api")   # samconfig tables up reads, the last winning


def run_up(template_option: str | None, host: str, port: int, aws_port: int, watch: bool,
           state_dir: str, reset: bool, clock_speed: float, retry_delay_scale: float,
           debug_functions: str, debug_port: int, ui_port: int | None, no_ui: bool,
           invocation_records: int, keep_invocations: bool, runtime: str,
           env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
           no_build: bool, layers: tuple[str, ...], parameter_overrides: tuple[str, ...],
           config_file: str | None, config_env: str) -> None:
    from samlite.app.config import iam_line
    from samlite.app.root import App, runtime_notice
    from samlite.app.running import claim
    from samlite.cli.summary import startup_lines
    from samlite.dashboard.server import DEFAULT_UI_PORT
    from samlite.state import StateDir
    from samlite.thread_affinity import pin_serving_threads

    [path] = template_paths((), template_option)
    # Before anything binds or touches the state: a second `up` here exits 2 (StateDirInUse).
    with claim(StateDir(root=path.resolve().parent / state_dir)) as held:
        flags = GivenFlags.now()   # options() runs again on a reload, outside click

        def options() -> Any:
            return app_options(path, "local start-api", runtime=runtime, env_vars=env_vars,
                               flags=flags,
                               overrides=parameter_overrides, config_file=config_file,
                               config_env=config_env, host=host, aws_port=aws_port,
                               http_port=port, account_concurrency=account_concurrency,
                               idle_timeout_s=idle_timeout_s, layers=layers,
                               state_dir=(path.resolve().parent / state_dir),
                               reset_state=reset, clock_speed=clock_speed,
                               retry_delay_scale=retry_delay_scale, no_build=no_build,
                               debug_functions=tuple(name.strip() for name in
                                                     debug_functions.split(",")
                                                     if name.strip()),
                               debug_port=debug_port,
                               invocation_capacity=invocation_records,
                               keep_invocations=keep_invocations)

        pin_serving_threads()   # before any server starts: see thread_affinity.py
        app = App(path, options(), log=console_log(), progress=console_progress())
        app.reload_options = options
        project = path.resolve().parent
        app.reload_files = tuple(p for p in (project / (config_file or "samconfig.toml"),
                                             Path(env_vars).resolve() if env_vars else None)
                                 if p is not None)
        dashboard = None if no_ui else dashboard_for(
            app, ui_port if ui_port is not None else (DEFAULT_UI_PORT if port else 0))

        def announce() -> None:
            gateway, balancers = app.gateway, app.load_balancers
            # Before the ready line: once it shows, `invoke` and `trigger` find this up.
            held.publish(template=path, endpoint_url=app.endpoint_url or "",
                         http_url=gateway.url if gateway else None)
            for warning in app.warnings:
                say("warning", str(warning), err=True)
            for notice in app.runtime_notices() + app.dependency_notices() + app.iam_notices():
                say("warning", notice, err=True)
            say("runtime", runtime_notice(app.runtime_choice))
            say("iam", iam_line(app.options.iam, app.options.iam_source))
            for line in [] if log_format() == "json" else startup_lines(
                    app.graph, app.functions, runtime_kind=app.runtime_kind,
                    dependencies=app.dependencies.states,
                    route_lines=gateway.route_lines() if gateway else [],
                    function_urls=gateway.function_urls() if gateway else {},
                    skipped_authorizers=gateway.skipped_authorizers if gateway else (),
                    api_key_notes=gateway.api_key_notes if gateway else (),
                    authorizer_notes=gateway.authorizer_notes if gateway else (),
                    load_balancer_lines=balancers.lines() if balancers else (),
                    endpoint_url=app.endpoint_url,
                    next_fires=app.scheduler.next_fires() if app.scheduler else (),
                    disabled_schedules=app.scheduler.disabled() if app.scheduler else (),
                    state_dir=state_dir, layer_rows=app.layer_rows,
                    dashboard_url=dashboard.url if dashboard else None):
                click.echo(line)
            if watch:
                app.watch(on_reload=lambda line: say("reload", line))
            serves_http = gateway is not None and bool(
                gateway.route_lines() or gateway.function_urls()
                or (balancers is not None and balancers.urls()))
            where = gateway.url if serves_http and gateway else \
                f"AWS endpoint {app.endpoint_url} (no HTTP routes)"
            if log_format() == "json":
                say("ready", f"samlite is ready: {where}",
                    url=gateway.url if gateway else None,
                    aws_endpoint=app.endpoint_url,
                    function_urls=gateway.function_urls() if gateway else {},
                    load_balancers=balancers.urls() if balancers else {},
                    functions=[spec.logical_id for spec in app.functions],
                    dashboard=dashboard.url if dashboard else None)
            else:
                shown = f" · dashboard {dashboard.url}" if dashboard else ""
                click.echo(f"\nsamlite is ready: {where}{shown} (Ctrl-C to stop)")
            sys.stdout.flush()

        serve_until_interrupted(app if dashboard is None else WithDashboard(app, dashboard),
                                announce)
    click.echo("Stopped.", err=True)


def dashboard_for(app: Any, ui_port: int) -> Any:
    """The dashboard of `up`, its port reserved now (the app is closed if it cannot be)."""
    from samlite.cli.generate_event import event_types, generate_event, services
    from samlite.dashboard.server import Dashboard
    from samlite.errors import UsageError

    try:
        taken = app.ports_in_use()
        if ui_port and ui_port in taken:
            raise UsageError(f"--ui-port {ui_port} is a port this app already serves "
                             f"({', '.join(map(str, sorted(taken)))}); choose another")
        samples = {f"{service} {kind.name}": generate_event(service, kind.name)
                   for service in services() for kind in event_types(service)}
        dashboard = Dashboard(app, port=ui_port, event_templates=samples)
        dashboard.bind()
    except BaseException:
        app.close()
        raise
    return dashboard


class WithDashboard:
    """The app and its dashboard, started and stopped together (the dashboard last up,
    first down)."""

    def __init__(self, app: Any, dashboard: Any) -> None:
        self.app, self.dashboard = app, dashboard

    def start(self) -> None:
        self.app.start()
        self.dashboard.start()

    def serving(self) -> None:
        self.app.serving()

    def stop(self) -> None:
        try:
            self.dashboard.stop()
        finally:
            self.app.stop()


@click.command()
@click.argument("name")
@click.option("-t", "--template", "template_option",
              help="Template of the app whose running `samlite up` fires it.")
@state_dir_option
@click.option("--aws-port", default=None, type=click.IntRange(1, 65535),
              help="Fire in the samlite up on this port instead, whatever app it runs "
              "[default: this project's running up, found in its state dir].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="With --aws-port: where that samlite up listens.")
def trigger(name: str, template_option: str | None, state_dir: str, aws_port: int | None,
            host: str) -> None:
    """Fire trigger NAME now in this project's running `samlite up`. NAME is the event's
    name as the template writes it under the function's Events (Every5Min) or its full id
    (TickFunctionEvery5Min; a resource's logical id), as the startup table lists them; a
    name two functions' events share is refused with their full ids. A schedule fires; an S3
    trigger replays the bucket's newest matching object as an upload; a DynamoDB trigger
    hands the function its stream's newest matching record again; an SQS trigger's queue
    gets a sample message its filter lets through; an EventBridge rule gets a sample event
    its pattern matches; an SNS topic gets a sample message (every subscriber does) and a
    subscription one its filter policy lets through (that subscription only). Prints what
    it started: "fired: RequestId ..." (an invocation), "published: MessageId ..." (a topic
    or subscription), "put: EventId ..." (a rule) or "sent: MessageId ..." (a queue)."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    if aws_port is not None:
        endpoint, where = f"http://{host}:{aws_port}", f"{host}:{aws_port}"
    else:
        [path] = template_paths((), template_option)
        found = project_up(path, state_dir)
        if found.up is None:
            raise UsageError(found.refusal or f"no samlite up is running for {path} (none "
                             f"recorded in {state_dir}); start one, or pass the --aws-port "
                             "of the one to fire in")
        endpoint, where = found.up.endpoint_url, f"{found.up.endpoint_url} (pid {found.up.pid})"
    url = f"{endpoint}/_samlite/triggers/{urllib.parse.quote(name, safe='')}"
    # Never through a proxy: the up is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    not_samlite = UsageError(f"what answers on {where} is not a samlite up")
    request = urllib.request.Request(url, method="POST")  # noqa: S310 - http://, built here
    try:
        with opener.open(request, timeout=10) as reply:
            answer = json.loads(reply.read())
            verb, id_kind, fired_id = answer["verb"], answer["idKind"], answer["id"]
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read() or b"{}").get("message", str(exc))
        except (ValueError, AttributeError):
            raise not_samlite from exc
        raise UsageError(message) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise UsageError(f"no samlite up answers on {where} ({exc}); start it, or pass "
                         "the --aws-port it uses") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise not_samlite from exc
    click.echo(f"{name} {verb}: {id_kind} {fired_id}")
