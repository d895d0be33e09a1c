"""The `samlite` command line. Thin: parse flags, call one function, render, set the exit code.

Errors become output in one place (SamliteGroup.invoke): a SamliteError prints its message
and exits with its code; anything else is a bug, reported in one line (`--debug` shows it).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
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
    from samlite.config import parse_parameter_overrides, pseudo_parameters, read_samconfig

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
    from samlite.validate import find_template

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
    from samlite.report import ReportFormat, render
    from samlite.validate import validate_file

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
    from samlite.graph import build_graph
    from samlite.graph_render import render_graph
    from samlite.validate import validate_file

    _one_shot()
    [path] = _template_paths((), template_option)
    overrides, pseudo = _settings(path, "graph", parameter_overrides, config_file, config_env)
    result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo)
    if not result.is_valid or result.resolved is None:
        raise TemplateError([p for p in result.problems if p.is_error])
    click.echo(render_graph(build_graph(result.resolved), fmt), nl=False)


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
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _app_options(template: Path, command: str, *, runtime: str, env_vars: str | None,
                 overrides: Sequence[str], config_file: str | None, config_env: str,
                 account_concurrency: int = 1000, idle_timeout_s: float = 600,
                 **more: Any) -> Any:
    from samlite.app import AppOptions, check_runtime
    from samlite.env_vars import read_env_vars

    check_runtime(runtime)   # before anything is read: `docker` fails fast
    values, pseudo = _settings(template, command, overrides, config_file, config_env)
    return AppOptions(parameter_overrides=values, pseudo=pseudo, runtime=runtime,
                      env_vars=read_env_vars(Path(env_vars)) if env_vars else {},
                      account_concurrency=account_concurrency, idle_timeout_s=idle_timeout_s,
                      **more)


def _console_log() -> Any:
    """Where function logs go: stderr, each line prefixed with the function's logical id."""
    return _ConsoleLog()


class _ConsoleLog:
    """Function log lines to stderr, written in batches: at thousands of requests a second a
    write per line cost more than the invocations. A line waits at most 20 ms; whatever is
    left is written when the command ends."""

    def __init__(self, *, interval_s: float = 0.02) -> None:
        import atexit
        import threading

        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._interval_s = interval_s
        threading.Thread(target=self._flush_loop, name="console", daemon=True).start()
        atexit.register(self.flush)

    def __call__(self, function: str, line: str) -> None:
        with self._lock:
            self._lines.append(f"{function} | {line.rstrip()}\n")
        self._wake.set()

    def flush(self) -> None:
        with self._lock:
            text, self._lines = "".join(self._lines), []
        if text:
            sys.stderr.write(text)
            sys.stderr.flush()

    def _flush_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.flush()
            time.sleep(self._interval_s)   # the lines of the next 20 ms go in one write


@main.command()
@click.argument("function", required=False)
@click.option("-e", "--event", help="JSON event file, or - to read stdin [default: {}].")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@_run_options
@_template_options
def invoke(function: str | None, event: str | None, template_option: str | None, runtime: str,
           env_vars: str | None, account_concurrency: int, idle_timeout_s: float,
           parameter_overrides: tuple[str, ...], config_file: str | None,
           config_env: str) -> None:
    """Invoke FUNCTION once: the response on stdout, logs on stderr, exit 1 if it failed.

    FUNCTION is a logical id (or FunctionName); a template with one function needs none.
    """
    from samlite.app import invoke_function, read_event

    [path] = _template_paths((), template_option)
    options = _app_options(path, "local invoke", runtime=runtime, env_vars=env_vars,
                           overrides=parameter_overrides, config_file=config_file,
                           config_env=config_env, account_concurrency=account_concurrency,
                           idle_timeout_s=idle_timeout_s)
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
    from samlite.app import App

    [path] = _template_paths((), template_option)
    options = _app_options(path, "local start-lambda", runtime=runtime, env_vars=env_vars,
                           overrides=parameter_overrides, config_file=config_file,
                           config_env=config_env, host=host, aws_port=port,
                           account_concurrency=account_concurrency,
                           idle_timeout_s=idle_timeout_s)
    app = App(path, options, log=_console_log())

    def announce() -> None:
        click.echo(f"Lambda Invoke API on {app.endpoint_url} (Ctrl-C to stop)")
        for spec in app.functions:
            click.echo(f"  {spec.logical_id}  {spec.runtime}  {spec.handler}")
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
    from samlite.app import App, runtime_notice
    from samlite.summary import startup_lines

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

    app = App(path, options(), log=_console_log())
    app.reload_options = options
    project = path.resolve().parent
    app.reload_files = tuple(p for p in (project / (config_file or "samconfig.toml"),
                                         Path(env_vars).resolve() if env_vars else None)
                             if p is not None)

    def announce() -> None:
        for warning in app.warnings:
            click.echo(str(warning), err=True)
        click.echo(runtime_notice(app.runtime_choice))
        gateway = app.gateway
        for line in startup_lines(
                app.graph, app.functions, runtime_kind=app.runtime_kind,
                route_lines=gateway.route_lines() if gateway else [],
                function_urls=gateway.function_urls() if gateway else {},
                skipped_authorizers=gateway.skipped_authorizers if gateway else (),
                endpoint_url=app.endpoint_url,
                next_fires=app.scheduler.next_fires() if app.scheduler else (),
                state_dir=state_dir):
            click.echo(line)
        if watch:
            app.watch(on_reload=lambda line: click.echo(line))
        where = gateway.url if gateway else app.endpoint_url
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


if __name__ == "__main__":  # pragma: no cover
    main()
