"""`samlite generate-event`: its click levels (services, then event types), built from the
catalogue in generate_event.py."""

from __future__ import annotations

from typing import Any

import click


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


@click.group("generate-event", cls=_EventTypes)
def generate_event() -> None:
    """Print a sample event, as `sam local generate-event` does.

    For the sources samlite runs, with SAM CLI's option names and defaults. Pipe one into a
    function, in any runtime (a Python handler gets it as a dict, a Node.js one as an
    object):

    \b
        samlite generate-event s3 put --bucket b --key k | samlite invoke -e -
        samlite generate-event sqs receive-message | samlite invoke --debug -e - Worker
    """
