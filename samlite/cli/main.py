"""The `samlite` command line. Thin: parse flags, call one function, render, set the exit code.

Errors become output in one place (SamliteGroup.invoke): a SamliteError prints its message
and exits with its code; anything else is a bug, reported in one line (`--debug` shows it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from samlite import __version__
from samlite.cli import code_cache
from samlite.cli.options import (
    end_process,
    is_one_shot,
    one_shot,
    settings,
    starting,
    template_options,
    template_paths,
)
from samlite.errors import SamliteError

BUG_HINT = ("samlite hit an internal error: {exc!r}. Please report it with the template that "
            "caused it; run again with --debug to see the traceback.")


# Commands imported when asked for, so `samlite validate` loads none of what running
# functions needs (the runtime, the AWS endpoint, the project templates).
LAZY_COMMANDS = {
    "invoke": ("samlite.cli.run", "invoke"),
    "start-lambda": ("samlite.cli.run", "start_lambda"),
    "up": ("samlite.cli.run", "up"),
    "trigger": ("samlite.cli.run", "trigger"),
    "generate-event": ("samlite.cli.event_command", "generate_event"),
    "init": ("samlite.cli.init_command", "init"),
    "policy": ("samlite.cli.policy_command", "policy"),
}


# Commands whose start-up imports ~100-250 dataclasses (the model, the runtime, the app):
# run as the process's own command, they reuse their generated methods' code (code_cache.py).
CACHED_CODE_COMMANDS = frozenset({"invoke", "start-lambda", "up", "trigger"})


class SamliteGroup(click.Group):
    runs_as_process = False   # set by main() when it is the process's own command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            import importlib

            if self.runs_as_process and cmd_name in CACHED_CODE_COMMANDS:
                code_cache.install(cmd_name)
            module, attribute = LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def main(self, args: Any = None, *pargs: Any, **kwargs: Any) -> Any:
        """As click's; when run as the process's own command (the console script or
        `python -m samlite.cli`, which pass no args) and the command was one-shot, the
        process ends without tearing the interpreter down: freeing the ~100,000 objects of
        a large template took ~15 ms of a ~200 ms `samlite validate`."""
        own_process = args is None and kwargs.get("standalone_mode", True)
        self.runs_as_process = own_process
        try:
            with starting():   # the imports and model a command builds are its start
                return super().main(args, *pargs, **kwargs)
        except SystemExit as exc:
            if own_process:
                code_cache.save()
            if own_process and is_one_shot():
                end_process(exc.code)
            raise

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
        import logging  # only for --debug: validate's start-up does without it

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")


@main.command()
@click.argument("templates", nargs=-1, type=click.Path(dir_okay=True))
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit"]),
              default=None, help="How problems are written [default: github when "
              "GITHUB_ACTIONS=true, else text].")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output.")
@click.option("--ignore", "ignore", multiple=True, metavar="CODE[,CODE]",
              help="Leave these problem codes out (repeatable).")
@click.option("--warn", "warn", multiple=True, metavar="CODE[,CODE]",
              help="Report these error codes as warnings (repeatable).")
@click.option("--to-json", "to", flag_value="json", help="Also print the template as JSON.")
@click.option("--to-yaml", "to", flag_value="yaml", help="Also print the template as YAML.")
@template_options
def validate(templates: tuple[str, ...], template_option: str | None, fmt: str | None,
             output: str | None, ignore: tuple[str, ...], warn: tuple[str, ...],
             to: str | None, parameter_overrides: tuple[str, ...], config_file: str | None,
             config_env: str) -> None:
    """Check templates: exit 0 valid, 1 problems found, 2 usage error or unreadable file.

    With no TEMPLATES, looks for template.yaml, template.yml or template.json here. A quoted
    glob ('stacks/**/*.yaml') is expanded by samlite; every template is checked in one run.
    Suppressions: --ignore/--warn, `ignore`/`warn` in samconfig.toml's
    [default.validate.parameters] or pyproject.toml's [tool.samlite.validate], and
    `Metadata: samlite: {ignore: [...]}` in a template or one of its resources.
    """
    import functools

    from samlite.cli.validate_many import check_each
    from samlite.validation.report import ReportFormat, render, unreadable_problem

    one_shot()

    problems = []
    names: list[str] = []
    exit_code = 0
    suppressed = 0
    paths = template_paths(templates, template_option)
    checked = check_each(paths, functools.partial(
        _validate_one, ignore=ignore, warn=warn, parameter_overrides=parameter_overrides,
        config_file=config_file, config_env=config_env, share_cores=len(paths) == 1))
    for path, outcome in zip(paths, checked, strict=True):
        if isinstance(outcome, SamliteError):   # a file that cannot be read: say so, go on
            # In the report too: a CI step that reads it (JUnit, SARIF) must not see a pass.
            exit_code = max(exit_code, outcome.exit_code)
            names.append(str(path))
            problems.append(unreadable_problem(path, outcome))
            continue
        found, suppressed_here = outcome
        names.append(str(path))
        problems.extend(found)
        suppressed += suppressed_here
        if any(p.is_error for p in found):
            exit_code = max(exit_code, 1)
        if to:
            from samlite.template.convert import convert

            click.echo(convert(path.read_text(encoding="utf-8"), to), nl=False)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report = render(problems, ReportFormat(fmt), files=names, suppressed=suppressed)
    if output:
        try:
            Path(output).write_text(report, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"--output {output}: {exc.strerror or exc}") from exc
    else:
        click.echo(report, nl=False, err=bool(to))
    sys.exit(exit_code)


def _validate_one(path: Path, *, ignore: tuple[str, ...], warn: tuple[str, ...],
                  parameter_overrides: tuple[str, ...], config_file: str | None,
                  config_env: str, share_cores: bool = False,
                  ) -> tuple[tuple[Any, ...], int] | SamliteError:
    """One template's problems after every suppression, and how many were suppressed; or
    the UnreadableFile saying why it cannot be read. Module-level, so it pickles for the
    processes validate_many.py may share templates among. `share_cores`: a big template's
    checks may run in two processes (the only template of a one-shot command)."""
    from samlite.app.code_check import parser_for_function_pythons
    from samlite.cli.check_shares import run_shares_on_idle_cores
    from samlite.errors import UnreadableFile
    from samlite.validation.pipeline import validate_file

    try:
        overrides, pseudo = settings(path, "validate", parameter_overrides, config_file,
                                     config_env)
        result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo,
                               parse_module=parser_for_function_pythons(),
                               run_shares=run_shares_on_idle_cores if share_cores else None)
        # Imported after validating: when a big template's checks are shared, only the
        # process that reports needs the suppressions' types (~1.5 ms before the fork).
        from samlite.cli.validate_settings import suppressions_for
        from samlite.validation import suppressions

        outcome = suppressions.apply(result.problems, suppressions_for(
            path, ignore=ignore, warn=warn, config_file=config_file, config_env=config_env))
    except UnreadableFile as exc:
        return exc
    return outcome.problems, result.suppressed + outcome.suppressed


@main.command()
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot", "json"]),
              default="text", show_default=True)
@template_options
def graph(template_option: str | None, fmt: str, parameter_overrides: tuple[str, ...],
          config_file: str | None, config_env: str) -> None:
    """Show the app graph: functions, triggers, resources and the edges between them."""
    from samlite.app.code_check import parser_for_function_pythons
    from samlite.app.root import local_severity
    from samlite.errors import TemplateError
    from samlite.graph.build import build_graph
    from samlite.graph.render import render_graph
    from samlite.validation.pipeline import validate_file

    one_shot()
    [path] = template_paths((), template_option)
    overrides, pseudo = settings(path, "graph", parameter_overrides, config_file, config_env)
    result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo,
                           parse_module=parser_for_function_pythons())
    # A runtime Lambda no longer deploys is an error for `validate`, not for drawing the app.
    problems = [local_severity(p) for p in result.problems]
    if any(p.is_error for p in problems) or result.resolved is None:
        raise TemplateError([p for p in problems if p.is_error])
    for before, after in zip(result.problems, problems, strict=True):
        if before is not after:
            click.echo(f"warning: {after}", err=True)
    click.echo(render_graph(build_graph(result.resolved), fmt), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
