"""The `samlite` command line. Thin: parse flags, call one function, render, set the exit code.

Errors become output in one place (SamliteGroup.invoke): a SamliteError prints its message
and exits with its code; anything else is a bug, reported in one line (`--debug` shows it).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from samlite import __version__
from samlite.errors import SamliteError, UsageError

BUG_HINT = ("samlite hit an internal error: {exc!r}. Please report it with the template that "
            "caused it; run again with --debug to see the traceback.")


class SamliteGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SamliteError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(BUG_HINT.format(exc=exc), err=True)
            ctx.exit(70)   # EX_SOFTWARE


@click.group(cls=SamliteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="samlite")
@click.option("--debug", is_flag=True, help="Show logs and tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Run and check AWS SAM applications locally."""
    ctx.obj = {"debug": debug}
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")


def _template_options(func: Any) -> Any:
    options = [
        click.option("--parameter-overrides", "parameter_overrides", multiple=True,
                     help="Parameter values, as SAM CLI takes them: 'Key=Value Key2=Value2' "
                          "or 'ParameterKey=Key,ParameterValue=Value'."),
        click.option("--config-file", default=None,
                     help="samconfig file, relative to the template's folder "
                          "[default: samconfig.toml]."),
        click.option("--config-env", default="default", show_default=True,
                     help="Environment section of the samconfig file."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(template: Path, command: str, overrides: Sequence[str], config_file: str | None,
              config_env: str) -> tuple[dict[str, str], Any]:
    """Parameter values and pseudo parameters from samconfig.toml, then the command line."""
    from samlite.app.config import parse_parameter_overrides, pseudo_parameters, read_samconfig

    project_dir = template.resolve().parent
    config = read_samconfig(project_dir, config_env, command,
                            config_file=project_dir / config_file if config_file else None)
    values = dict(config.parameter_overrides)
    for given in overrides:   # each use of the flag holds one or more Key=Value pairs
        values.update(parse_parameter_overrides(given))
    return values, pseudo_parameters(project_dir, os.environ, config=config)


def _one_shot() -> None:
    """A command that reads, reports and exits: loading builds tens of thousands of small
    objects and no cycles worth collecting, so the cyclic GC only costs time (~25 ms on a
    500-resource template)."""
    gc.disable()


def _template_paths(given: Sequence[str], option: str | None) -> list[Path]:
    from samlite.validation.pipeline import find_template

    paths = [Path(p) for p in given]
    if option:
        paths.insert(0, Path(option))
    return paths or [find_template(Path())]   # relative, so problems read "template.yaml:3:1"


@main.command()
@click.argument("templates", nargs=-1, type=click.Path(dir_okay=True))
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True, help="How problems are written.")
@click.option("--to-json", "to", flag_value="json", help="Also print the template as JSON.")
@click.option("--to-yaml", "to", flag_value="yaml", help="Also print the template as YAML.")
@_template_options
def validate(templates: tuple[str, ...], template_option: str | None, fmt: str, to: str | None,
             parameter_overrides: tuple[str, ...], config_file: str | None,
             config_env: str) -> None:
    """Check templates: exit 0 valid, 1 problems found, 2 usage error or unreadable file.

    With no TEMPLATES, looks for template.yaml, template.yml or template.json here.
    """
    from samlite.errors import UnreadableFile
    from samlite.validation.pipeline import validate_file
    from samlite.validation.report import ReportFormat, render

    _one_shot()

    problems = []
    names: list[str] = []
    exit_code = 0
    for path in _template_paths(templates, template_option):
        try:
            overrides, pseudo = _settings(path, "validate", parameter_overrides, config_file,
                                          config_env)
            result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo)
        except UnreadableFile as exc:
            click.echo(f"Error: {exc}", err=True)
            exit_code = max(exit_code, exc.exit_code)
            continue
        names.append(str(path))
        problems.extend(result.problems)
        if not result.is_valid:
            exit_code = max(exit_code, 1)
        if to:
            from samlite.template.convert import convert

            click.echo(convert(path.read_text(encoding="utf-8"), to), nl=False)
    report = render(problems, ReportFormat(fmt), files=names)
    click.echo(report, nl=False, err=bool(to))
    sys.exit(exit_code)


@main.command()
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot", "json"]),
              default="text", show_default=True)
@_template_options
def graph(template_option: str | None, fmt: str, parameter_overrides: tuple[str, ...],
          config_file: str | None, config_env: str) -> None:
    """Show the app graph: functions, triggers, resources and the edges between them."""
    from samlite.errors import TemplateError
    from samlite.graph.build import build_graph
    from samlite.graph.render import render_graph
    from samlite.validation.pipeline import validate_file

    _one_shot()
    [path] = _template_paths((), template_option)
    overrides, pseudo = _settings(path, "graph", parameter_overrides, config_file, config_env)
    result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo)
    if not result.is_valid or result.resolved is None:
        raise TemplateError([p for p in result.problems if p.is_error])
    click.echo(render_graph(build_graph(result.resolved), fmt), nl=False)


def _remember_log_format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    root = ctx.find_root()
    root.obj = {**(root.obj or {}), "log_format": value}
    return value


def _log_format() -> str:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return (obj or {}).get("log_format", "text")


def _say(event: str, text: str, *, err: bool = False, **fields: Any) -> None:
    """One line of samlite's own (ready, reload, warning...): as text, or as a JSON object
    with `event` and `message` under --log-format json."""
    import json

    if _log_format() == "json":
        click.echo(json.dumps({"event": event, "message": text, **fields}), err=err)
    else:
        click.echo(text, err=err)


def _run_options(func: Any) -> Any:
    """Options of every command that runs functions."""
    options = [
        click.option("--runtime", type=click.Choice(["auto", "process", "docker"]),
                     default="auto", show_default=True,
                     help="Where functions run: local processes (auto, process) or Docker."),
        click.option("-n", "--env-vars", "env_vars", type=click.Path(dir_okay=False),
                     help="JSON file of environment variable values, in SAM CLI's format: "
                          '{"Parameters": {...}, "<LogicalId>": {...}}.'),
        click.option("--account-concurrency", type=click.IntRange(1), default=1000,
                     show_default=True,
                     help="The account's concurrency limit (Lambda's default quota)."),
        click.option("--idle-timeout", "idle_timeout_s", type=click.FloatRange(min=1),
                     default=600, show_default=True,
                     help="Seconds an idle execution environment stays warm."),
        click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, expose_value=False, callback=_remember_log_format,
                     help="Function logs and samlite's own lines as text, or one JSON "
                          "object per line for machines."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _app_options(template: Path, command: str, *, runtime: str, env_vars: str | None,
                 overrides: Sequence[str], config_file: str | None, config_env: str,
                 account_concurrency: int = 1000, idle_timeout_s: float = 600,
                 **more: Any) -> Any:
    from samlite.app.env_vars import read_env_vars
    from samlite.app.root import AppOptions, check_runtime

    check_runtime(runtime)   # before anything is read: `docker` fails fast
    values, pseudo = _settings(template, command, overrides, config_file, config_env)
    return AppOptions(parameter_overrides=values, pseudo=pseudo, runtime=runtime,
                      env_vars=read_env_vars(Path(env_vars)) if env_vars else {},
                      account_concurrency=account_concurrency, idle_timeout_s=idle_timeout_s,
                      **more)


def _running_samlite(url: str) -> str | None:
    """`url` when a samlite endpoint answers there (its /_samlite/ping), else None."""
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/_samlite/ping", timeout=0.3) as reply:  # noqa: S310
            return url if "samlite" in json.loads(reply.read()) else None
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _console_log() -> Any:
    """Where function logs go: stderr, each line prefixed with the function's logical id
    (in its own colour on a terminal, unless NO_COLOR is set), or JSON lines."""
    as_json = _log_format() == "json"
    color = not as_json and sys.stderr.isatty() and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"
    from samlite.cli.console import ConsoleLog

    return ConsoleLog(as_json=as_json, color=color)


def _console_progress() -> Any:
    from samlite.cli.console import ConsoleProgress

    return ConsoleProgress(as_json=_log_format() == "json", live=sys.stderr.isatty())


@main.command()
@click.argument("function", required=False)
@click.option("-e", "--event", help="JSON event file, or - to read stdin [default: {}].")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--aws-endpoint-url", default=None,
              help="The AWS endpoint the function's SDK calls (AWS_ENDPOINT_URL) "
                   "[default: a running `samlite up` on 127.0.0.1:3001, if there is one].")
@_run_options
@_template_options
def invoke(function: str | None, event: str | None, template_option: str | None,
           aws_endpoint_url: str | None, runtime: str,
           env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
           parameter_overrides: tuple[str, ...], config_file: str | None,
           config_env: str) -> None:
    """Invoke FUNCTION once: the response on stdout, logs on stderr, exit 1 if it failed.

    FUNCTION is a logical id (or FunctionName); a template with one function needs none.
    With a `samlite up` running, the function's AWS calls go to its buckets and queues.
    """
    from samlite.app.root import invoke_function, read_event

    [path] = _template_paths((), template_option)
    endpoint = aws_endpoint_url or _running_samlite("http://127.0.0.1:3001")
    if endpoint and not aws_endpoint_url:
        _say("endpoint", f"The function's AWS calls go to the samlite up running at "
                         f"{endpoint}", err=True)
    options = _app_options(path, "local invoke", runtime=runtime, env_vars=env_vars,
                           overrides=parameter_overrides, config_file=config_file,
                           config_env=config_env, account_concurrency=account_concurrency,
                           idle_timeout_s=idle_timeout_s, aws_endpoint_url=endpoint)
    payload = read_event(event, stdin=sys.stdin.buffer)
    console = _console_log()
    result = invoke_function(path, function, payload, options, log=console)
    console.flush()   # the logs first, then the response, as sam local invoke shows them
    click.echo(result.payload.decode("utf-8", errors="replace"))
    sys.exit(1 if result.is_error else 0)


@main.command("start-lambda")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=3001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@_run_options
@_template_options
def start_lambda(template_option: str | None, host: str, port: int, runtime: str,
                 env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
                 parameter_overrides: tuple[str, ...], config_file: str | None,
                 config_env: str) -> None:
    """Serve the Lambda Invoke API for the template's functions until Ctrl-C, like
    `sam local start-lambda`: boto3 or `aws lambda invoke --endpoint-url` call it."""
    from samlite.app.root import App

    [path] = _template_paths((), template_option)
    options = _app_options(path, "local start-lambda", runtime=runtime, env_vars=env_vars,
                           overrides=parameter_overrides, config_file=config_file,
                           config_env=config_env, host=host, aws_port=port,
                           aws_port_flag="--port", account_concurrency=account_concurrency,
                           idle_timeout_s=idle_timeout_s)
    app = App(path, options, log=_console_log(), progress=_console_progress())

    def announce() -> None:
        click.echo(f"Lambda Invoke API on {app.endpoint_url} (Ctrl-C to stop)")
        rows = [("FUNCTION", "RUNTIME", "HANDLER")]
        rows += [(s.logical_id, s.runtime or "-", s.handler or "-") for s in app.functions]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
        for row in rows:
            click.echo("  " + "  ".join(cell.ljust(widths[i])
                                        for i, cell in enumerate(row)).rstrip())
        sys.stdout.flush()

    _serve_until_interrupted(app, announce)
    click.echo("Stopped.", err=True)


@main.command()
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=3000, show_default=True, type=click.IntRange(0, 65535),
              help="HTTP port of the APIs (0: any free port).")
@click.option("--aws-port", default=3001, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the local AWS endpoint (S3, SQS and the Lambda Invoke API).")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Reload code and template as they are saved.")
@click.option("--state-dir", default=".samlite", show_default=True,
              help="Where buckets, queues and pending events are kept, relative to the "
                   "template's folder.")
@click.option("--reset", is_flag=True,
              help="Start clean: forget stored objects, messages and pending events.")
@click.option("--clock-speed", default=1.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Run schedules' clock this many times faster (1440: a day in a minute).")
@click.option("--retry-delay-scale", default=1.0, show_default=True,
              type=click.FloatRange(min=0),
              help="Multiply Lambda's waits between asynchronous retries (1 and 2 minutes).")
@_run_options
@_template_options
def up(template_option: str | None, host: str, port: int, aws_port: int, watch: bool,
       state_dir: str, reset: bool, clock_speed: float, retry_delay_scale: float,
       runtime: str, env_vars: str | None, account_concurrency: int,
       idle_timeout_s: float, parameter_overrides: tuple[str, ...], config_file: str | None,
       config_env: str) -> None:
    """Run the whole app: every function with its HTTP routes, function URLs, buckets,
    queues and schedules, on a local AWS endpoint (S3, SQS, Lambda) that keeps its data,
    with code reloaded as it is saved. Ctrl-C stops everything."""
    from samlite.app.root import App, runtime_notice
    from samlite.cli.summary import startup_lines

    [path] = _template_paths((), template_option)

    def options() -> Any:
        return _app_options(path, "local start-api", runtime=runtime, env_vars=env_vars,
                            overrides=parameter_overrides, config_file=config_file,
                            config_env=config_env, host=host, aws_port=aws_port,
                            http_port=port, account_concurrency=account_concurrency,
                            idle_timeout_s=idle_timeout_s,
                            state_dir=(path.resolve().parent / state_dir),
                            reset_state=reset, clock_speed=clock_speed,
                            retry_delay_scale=retry_delay_scale)

    app = App(path, options(), log=_console_log(), progress=_console_progress())
    app.reload_options = options
    project = path.resolve().parent
    app.reload_files = tuple(p for p in (project / (config_file or "samconfig.toml"),
                                         Path(env_vars).resolve() if env_vars else None)
                             if p is not None)

    def announce() -> None:
        for warning in app.warnings:
            _say("warning", str(warning), err=True)
        for notice in app.runtime_notices():
            _say("warning", notice, err=True)
        _say("runtime", runtime_notice(app.runtime_choice))
        gateway = app.gateway
        for line in [] if _log_format() == "json" else startup_lines(
                app.graph, app.functions, runtime_kind=app.runtime_kind,
                route_lines=gateway.route_lines() if gateway else [],
                function_urls=gateway.function_urls() if gateway else {},
                skipped_authorizers=gateway.skipped_authorizers if gateway else (),
                endpoint_url=app.endpoint_url,
                next_fires=app.scheduler.next_fires() if app.scheduler else (),
                state_dir=state_dir):
            click.echo(line)
        if watch:
            app.watch(on_reload=lambda line: _say("reload", line))
        serves_http = gateway is not None and (gateway.route_lines() or gateway.function_urls())
        where = gateway.url if serves_http and gateway else \
            f"AWS endpoint {app.endpoint_url} (no HTTP routes)"
        if _log_format() == "json":
            _say("ready", f"samlite is ready: {where}", url=gateway.url if gateway else None,
                 aws_endpoint=app.endpoint_url,
                 function_urls=gateway.function_urls() if gateway else {},
                 functions=[spec.logical_id for spec in app.functions])
        else:
            click.echo(f"\nsamlite is ready: {where} (Ctrl-C to stop)")
        sys.stdout.flush()

    _serve_until_interrupted(app, announce)
    click.echo("Stopped.", err=True)


@main.command()
@click.argument("name")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Where the running `samlite up` listens.")
@click.option("--aws-port", default=3001, show_default=True, type=click.IntRange(1, 65535),
              help="The --aws-port of the running `samlite up`.")
def trigger(name: str, host: str, aws_port: int) -> None:
    """Fire trigger NAME now in a running `samlite up`: a schedule (its logical id, as the
    startup table lists it) fires; an S3 trigger (its event id) replays the bucket's newest
    matching object as an upload. Prints the request id of the invocation it started."""
    import json
    import urllib.error
    import urllib.request

    url = f"http://{host}:{aws_port}/_samlite/triggers/{name}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"),
                                    timeout=10) as reply:
            answer = json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        message = json.loads(exc.read() or b"{}").get("message", str(exc))
        raise UsageError(message) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise UsageError(f"no samlite up answers on {host}:{aws_port} ({exc}); start it, or "
                         "pass the --aws-port it uses") from exc
    click.echo(f"{name} fired: RequestId {answer['requestId']}")


def _serve_until_interrupted(app: Any, announce: Any) -> None:
    """Start `app`, serve until Ctrl-C or SIGTERM, then stop it with both signals ignored,
    so a second Ctrl-C cannot cut short the shutdown that leaves no process behind."""
    import signal
    import threading

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Both set explicitly: a shell starts `samlite start-lambda &` with SIGINT ignored.
    previous_term = signal.signal(signal.SIGTERM, interrupt)
    previous_int = signal.signal(signal.SIGINT, interrupt)
    try:
        app.start()
        announce()
        # What start-up made (moto, botocore, the graph) lives as long as the app: moved out
        # of the cyclic GC's way, a full collection no longer pauses serving for ~100 ms.
        gc.collect()
        gc.freeze()
        threading.Event().wait()   # a signal interrupts the wait (POSIX)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            app.stop()
        finally:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)


class _EventTypes(click.Group):
    """A level of `generate-event` (services, then a service's event types), built from
    samlite.cli.generate_event's catalogue as SAM CLI builds its levels from its event mapping;
    an unknown name is a usage error that lists the choices."""

    def __init__(self, *args: Any, service: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service

    def list_commands(self, ctx: click.Context) -> list[str]:
        from samlite.cli import generate_event as events

        if self.service is None:
            return list(events.services())
        return [kind.name for kind in events.event_types(self.service)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from samlite.cli import generate_event as events

        if cmd_name not in self.list_commands(ctx):
            return None
        if self.service is None:
            names = ", ".join(kind.name for kind in events.event_types(cmd_name))
            return _EventTypes(cmd_name, service=cmd_name, short_help=f"Events: {names}.",
                               help=f"Print a sample {cmd_name} event: one of {names}.")
        kind = events.event_type(self.service, cmd_name)

        def emit(**params: str) -> None:
            values = {name.replace("_", "-"): value for name, value in params.items()}
            click.echo(events.render(events.generate_event(kind.service, kind.name, values)))

        return click.Command(cmd_name, callback=emit, help=f"Print a sample {kind.summary}.",
                             short_help=kind.summary, params=[
                                 click.Option([f"--{option.name}"], default=option.default,
                                              show_default=True, help=option.help)
                                 for option in kind.options])

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            choices = ", ".join(self.list_commands(ctx))
            if self.service is None:
                ctx.fail(f"no service {name!r}; samlite generates events for the sources it "
                         f"runs: {choices}")
            ctx.fail(f"no {self.service} event {name!r}; choose one of: {choices}")
        return super().resolve_command(ctx, args)


@main.group("generate-event", cls=_EventTypes)
def generate_event() -> None:
    """Print a sample event, as `sam local generate-event` does.

    For the sources samlite runs, with SAM CLI's option names and defaults. Pipe one into a
    function:

    \b
        samlite generate-event s3 put --bucket b --key k | samlite invoke -e -
    """


if __name__ == "__main__":  # pragma: no cover
    main()
