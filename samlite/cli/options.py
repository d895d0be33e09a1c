"""What the `samlite` commands share: the template and run options in SAM CLI's words,
settings from samconfig.toml, samlite's own output lines (text or JSON), the console writers,
and serving until Ctrl-C."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from samlite.cli import code_cache
from samlite.errors import UsageError


def template_options(func: Any) -> Any:
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


def settings(template: Path, command: str, overrides: Sequence[str], config_file: str | None,
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


# Collect young objects after this many allocations while samlite starts, not CPython's
# 700: importing ~300 modules and building the model allocates hundreds of thousands of
# objects that live as long as the process, and scanning them again and again took ~10% of
# a one-shot invoke's CPU time. Serving restores the normal thresholds (started()).
START_GC_THRESHOLD = 100_000
NORMAL_GC_THRESHOLDS = gc.get_threshold()   # read on import, before any command starts


@contextlib.contextmanager
def starting() -> Iterator[None]:
    """While a command starts (and for a one-shot one, throughout): rare collections; the
    thresholds before are back on the way out."""
    before = gc.get_threshold()
    gc.set_threshold(START_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def one_shot() -> None:
    """A command that reads, reports and exits: loading builds tens of thousands of small
    objects and no cycles worth collecting, so the cyclic GC only costs time (~25 ms on a
    500-resource template), and so does freeing them at exit (SamliteGroup.main)."""
    global _one_shot
    gc.disable()
    _one_shot = True


def ends_at_once() -> None:
    """A command whose process ends as soon as it has written its result, with no tearing
    down of the interpreter (SamliteGroup.main): `samlite invoke` has stopped what it
    started by then, and freeing its ~350 modules took 20-60 ms after the result was out.
    The cyclic GC stays on: a function may run for minutes."""
    global _one_shot
    _one_shot = True


def is_one_shot() -> bool:
    return _one_shot


_one_shot = False   # set by the one command a process runs


def end_process(code: object) -> None:
    """Exit now with `code` (a SystemExit's), once standard output and error are flushed:
    nothing is left to clean up that the OS does not. Returns (for a normal exit) when
    `code` is not a status number or flushing fails (a closed pipe reports as usual)."""
    if code is not None and not isinstance(code, int):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


def template_paths(given: Sequence[str], option: str | None) -> list[Path]:
    """The templates named, each glob (`'stacks/**/*.yaml'`, quoted so the shell leaves it)
    expanded here in name order, or the folder's default template."""
    from samlite.validation.pipeline import find_template

    paths = [path for each in given for path in _expanded(each)]
    if option:
        paths.insert(0, Path(option))
    return paths or [find_template(Path())]   # relative, so problems read "template.yaml:3:1"


def _expanded(given: str) -> list[Path]:
    if not any(char in given for char in "*?[") or Path(given).exists():
        return [Path(given)]
    import glob

    # glob.glob, not Path.glob: the pattern may be absolute
    found = sorted(p for p in glob.glob(given, recursive=True)  # noqa: PTH207
                   if Path(p).is_file())
    if not found:
        raise UsageError(f"no template matches {given!r}")
    return [Path(p) for p in found]


def _remember_log_format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    root = ctx.find_root()
    root.obj = {**(root.obj or {}), "log_format": value}
    return value


def log_format() -> str:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return (obj or {}).get("log_format", "text")


def say(event: str, text: str, *, err: bool = False, **fields: Any) -> None:
    """One line of samlite's own (ready, reload, warning...): as text, or as a JSON object
    with `event` and `message` under --log-format json."""
    import json

    if log_format() == "json":
        click.echo(json.dumps({"event": event, "message": text, **fields}), err=err)
    else:
        click.echo(text, err=err)


def _remember_secrets_file(ctx: click.Context, param: click.Parameter,
                           value: str | None) -> str | None:
    root = ctx.find_root()
    root.obj = {**(root.obj or {}), "secrets_file": value}
    return value


def secrets_file_flag() -> str | None:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return (obj or {}).get("secrets_file")


def _remember_iam(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    root = ctx.find_root()
    root.obj = {**(root.obj or {}), "iam": value}


def iam_flag() -> str | None:
    """--iam as given (None: samconfig.toml or the default decides)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return (obj or {}).get("iam")


@dataclass(frozen=True, slots=True)
class GivenFlags:
    """Flags remembered in click's context, read while the command runs: `up` builds its
    options again on a reload, from the watcher's thread, where there is no context."""

    secrets_file: str | None
    iam: str | None

    @classmethod
    def now(cls) -> GivenFlags:
        return cls(secrets_file=secrets_file_flag(), iam=iam_flag())


# `samlite invoke` serves no AWS endpoint: IAM is checked where the function's calls go.
IAM_ELSEWHERE = ("samlite invoke takes no --iam: it serves no AWS endpoint. Beside a running "
                 "`samlite up` the function's AWS calls go to up's endpoint, which applies "
                 "up's --iam (its IAM: line says which); start up with --iam enforce")


def _refuse_iam(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise click.UsageError(IAM_ELSEWHERE, ctx)


def run_options(func: Any = None, *, iam: bool = True) -> Any:
    """Options of every command that runs functions; `iam=False` for a command without an
    endpoint of its own, where --iam is refused (hidden) rather than silently ignored."""
    if func is None:
        return lambda f: run_options(f, iam=iam)
    # here, not at the top: `samlite validate` never needs the runtime package
    from samlite.runtime.choice import DEFAULT_RUNTIME, DEFAULT_RUNTIME_TEXT, RUNTIMES

    options = [
        click.option("--runtime", type=click.Choice(RUNTIMES), default=DEFAULT_RUNTIME,
                     show_default=True,
                     help=f"Where functions run: {DEFAULT_RUNTIME_TEXT}; process: always "
                          "local processes; docker: always Lambda's images in Docker. "
                          "Each run prints a Runtime: line saying which, and why."),
        click.option("-n", "--env-vars", "env_vars", type=click.Path(dir_okay=False),
                     help="JSON file of environment variable values, in SAM CLI's format: "
                          '{"Parameters": {...}, "<LogicalId>": {...}}.'),
        click.option("--account-concurrency", type=click.IntRange(1), default=1000,
                     show_default=True,
                     help="The account's concurrency limit (Lambda's default quota)."),
        click.option("--idle-timeout", "idle_timeout_s", type=click.FloatRange(min=1),
                     default=600, show_default=True,
                     help="Seconds an idle execution environment stays warm."),
        click.option("--no-build", "no_build", is_flag=True,
                     help="Install no requirements.txt (offline machines): what an earlier "
                          "start cached is used, what is missing is named at startup."),
        click.option("--layer", "layers", multiple=True, metavar="ARN=PATH",
                     help="Run the layer ARN from a local folder (the layer's content, "
                          "packages under python/) or a requirements file; repeatable. "
                          "samconfig.toml: layer = [\"ARN=PATH\"] under "
                          "[default.up.parameters]."),
        click.option("--secrets-file", type=click.Path(dir_okay=False), expose_value=False,
                     callback=_remember_secrets_file,
                     help="JSON file of the secrets and parameters {{resolve:...}} references "
                          "name that the template does not create: "
                          '{"secretsmanager": {"NAME": "VALUE"}, "ssm": {"NAME": "VALUE"}}. '
                          "samconfig.toml: secrets_file."),
        click.option("--iam", type=click.Choice(["enforce", "warn", "off"]), default=None,
                     expose_value=False, callback=_remember_iam if iam else _refuse_iam,
                     hidden=not iam,
                     help="IAM for the functions' AWS calls: enforce refuses what their "
                          "policies do not allow, as AWS does; warn (the default) logs it "
                          "once with the policy that would allow it; off checks nothing. "
                          "samconfig.toml: iam."),
        click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, expose_value=False, callback=_remember_log_format,
                     help="Function logs and samlite's own lines as text, or one JSON "
                          "object per line for machines."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def app_options(template: Path, command: str, *, runtime: str, env_vars: str | None,
                 overrides: Sequence[str], config_file: str | None, config_env: str,
                 account_concurrency: int = 1000, idle_timeout_s: float = 600,
                 no_build: bool = False, layers: Sequence[str] = (),
                 flags: GivenFlags | None = None, **more: Any) -> Any:
    from samlite.app.config import iam_mode_for, layer_mappings_for
    from samlite.app.dynamic_references import secrets_file_for
    from samlite.app.env_vars import read_env_vars
    from samlite.app.root import AppOptions, check_runtime

    check_runtime(runtime)   # before anything is read: `docker` fails fast
    given = flags or GivenFlags.now()
    values, pseudo = settings(template, command, overrides, config_file, config_env)
    project_dir = template.resolve().parent
    mapped = layer_mappings_for(
        project_dir, config_env, command, layers, cwd=Path.cwd(),
        config_file=project_dir / config_file if config_file else None)
    secrets_file = secrets_file_for(
        project_dir, config_env, command, given.secrets_file, cwd=Path.cwd(),
        config_file=project_dir / config_file if config_file else None)
    iam = iam_mode_for(project_dir, config_env, command, given.iam,
                       config_file=project_dir / config_file if config_file else None)
    return AppOptions(parameter_overrides=values, pseudo=pseudo, runtime=runtime,
                      secrets_file=secrets_file, iam=iam.mode, iam_source=iam.source,
                      env_vars=read_env_vars(Path(env_vars)) if env_vars else {},
                      account_concurrency=account_concurrency, idle_timeout_s=idle_timeout_s,
                      no_build=no_build, layers=mapped, config_env=config_env, **more)


def state_dir_option(func: Any) -> Any:
    """`--state-dir` of the commands that look for their project's running `samlite up`."""
    return click.option(
        "--state-dir", default=".samlite", show_default=True,
        help="The --state-dir of this project's `samlite up`, relative to the template's "
             "folder: the running up is found there.")(func)


def project_up(template: Path, state_dir: str) -> Any:
    """What `samlite invoke` and `trigger` find of their own project's running `up`
    (app/running.py's Lookup); never an `up` just because it holds a default port."""
    from samlite.app.running import find_up
    from samlite.state import StateDir

    return find_up(StateDir(root=template.resolve().parent / state_dir), template)


def console_log() -> Any:
    """Where function logs go: stderr, each line prefixed with the function's logical id
    (in its own colour on a terminal, unless NO_COLOR is set), or JSON lines."""
    as_json = log_format() == "json"
    color = not as_json and sys.stderr.isatty() and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"
    from samlite.cli.console import ConsoleLog

    return ConsoleLog(as_json=as_json, color=color)


def console_progress() -> Any:
    from samlite.cli.console import ConsoleProgress

    return ConsoleProgress(as_json=log_format() == "json", live=sys.stderr.isatty())


def serve_until_interrupted(app: Any, announce: Any) -> None:
    """Start `app`, serve until Ctrl-C or SIGTERM, then stop it with both signals ignored,
    so a second Ctrl-C cannot cut short the shutdown that leaves no process behind."""
    import signal
    import threading

    # Once serving, the handler only notes the signal: raised there, KeyboardInterrupt can
    # land in a weakref callback of a garbage collection, where it is printed and dropped,
    # and `up` would never stop. During start-up it is raised, to cut a long start short.
    stopping = threading.Event()

    def interrupt(signum: int, frame: object) -> None:
        stopping.set()
        if not serving.is_set():
            raise KeyboardInterrupt

    serving = threading.Event()

    # Both set explicitly: a shell starts `samlite start-lambda &` with SIGINT ignored.
    previous_term = signal.signal(signal.SIGTERM, interrupt)
    previous_int = signal.signal(signal.SIGINT, interrupt)
    try:
        app.start()
        announce()
        # What start-up made (moto, botocore, the graph) lives as long as the app: moved out
        # of the cyclic GC's way, a full collection no longer pauses serving for ~100 ms.
        # Only the young generations are collected first: start-up's garbage is there (~150
        # objects for the hello app), and a full collection (~20 ms, the first request
        # waiting on it) found none left.
        gc.collect(1)
        gc.freeze()
        gc.set_threshold(*NORMAL_GC_THRESHOLDS)   # started: collections as usual
        code_cache.save()   # what start-up compiled, kept now: an `up` may end by a kill
        serving.set()
        if hasattr(app, "serving"):   # what start-up left for after the ready line
            app.serving()
        while not stopping.wait(0.5):   # woken by the handler; the timeout only re-checks
            pass
    except KeyboardInterrupt:   # during start-up
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            app.stop()
        finally:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)
