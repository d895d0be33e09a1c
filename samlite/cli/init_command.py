"""`samlite init`: a new, ready-to-run SAM project from a template shipped with samlite (no
network). Asks in a terminal when no choice was given on the command line; never otherwise."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from samlite.scaffold.catalog import (
    DEFAULT_RUNTIME,
    DEFAULT_TEMPLATE,
    LANGUAGE_DEFAULTS,
    TEMPLATES,
    check_name,
    check_runtime,
    runtimes_for,
    template_named,
)

NEXT_STEPS = (
    ("samlite up", "serve it, reloading code as you save"),
    ("pytest", "its tests, against the app samlite runs"),
    ("samlite validate", "check template.yaml"),
)


def is_interactive() -> bool:
    """Prompts only for a person at a terminal (a seam tests replace)."""
    return sys.stdin.isatty()


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--template", "template_name", metavar="NAME",
              help=f"One of {', '.join(t.name for t in TEMPLATES)} [default: "
                   f"{DEFAULT_TEMPLATE}].")
@click.option("--runtime", metavar="RUNTIME",
              help=f"The functions' Lambda runtime, e.g. {DEFAULT_RUNTIME} or "
                   f"{LANGUAGE_DEFAULTS['nodejs']} [default: {DEFAULT_RUNTIME}]; the runtimes "
                   "Lambda supports whose language the template ships (Python, Node.js).")
@click.option("--name", help="Project and stack name [default: DIRECTORY's name, else the "
                             "template's].")
@click.option("--no-input", is_flag=True,
              help="Ask nothing, even in a terminal: what is not given takes its default.")
def init(directory: str | None, template_name: str | None, runtime: str | None,
         name: str | None, no_input: bool) -> None:
    """Create a ready-to-run SAM project in DIRECTORY (new or empty; default: ./NAME) from a
    template shipped with samlite: template.yaml, handler, requirements.txt (package.json
    for Node.js), tests using the pytest plugin, samconfig.toml and a README. In a terminal
    with none of the options given, asks which template, runtime and name (the default in
    brackets)."""
    today = datetime.now(UTC).date()
    asking = is_interactive() and not no_input and not (template_name or runtime or name)
    if asking:
        template_name = _ask_template()
    template = template_named(template_name or DEFAULT_TEMPLATE)
    if asking:
        runtime = click.prompt("Runtime", default=DEFAULT_RUNTIME,
                               type=click.Choice(runtimes_for(template, today=today)))
    runtime = runtime or DEFAULT_RUNTIME
    language = check_runtime(template, runtime, today=today)   # before anything is asked more
    fallback = Path(directory).resolve().name if directory else template.name
    if asking:
        name = click.prompt("Project name", default=fallback)
    name = check_name(name or fallback)
    folder = Path(directory) if directory else Path(name)
    # Imported here, not with the command: every other command would pay for it at start.
    from samlite.scaffold.project import NewProject, write_project

    written = write_project(NewProject(template=template.name, language=language, name=name,
                                       runtime=runtime), folder)
    click.echo(f"Created {name} in {folder}{'' if str(folder).endswith('/') else '/'} from "
               f"the {template.name} template ({runtime}), {len(written)} files. Next:")
    if folder.resolve() != Path.cwd().resolve():
        click.echo(f"  cd {folder}")
    width = max(len(command) for command, _ in NEXT_STEPS)
    for command, what in NEXT_STEPS:
        click.echo(f"  {command.ljust(width)}   # {what}")


def _ask_template() -> str:
    click.echo("Which template?")
    for number, template in enumerate(TEMPLATES, start=1):
        default = " (default)" if template.name == DEFAULT_TEMPLATE else ""
        click.echo(f"  {number} - {template.name}: {template.summary}{default}")
    chosen = click.prompt("Template", default=1, type=click.IntRange(1, len(TEMPLATES)))
    return TEMPLATES[chosen - 1].name
