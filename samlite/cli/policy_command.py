"""`samlite policy FUNCTION`: a function's effective IAM policy, each part with the template
line it comes from (docs/iam.md)."""

from __future__ import annotations

import click

from samlite.cli.options import one_shot, settings, template_options, template_paths


@click.command()
@click.argument("function")
@click.option("-t", "--template", "template_option", help="Template file (SAM CLI's flag).")
@template_options
def policy(function: str, template_option: str | None, parameter_overrides: tuple[str, ...],
           config_file: str | None, config_env: str) -> None:
    """Show FUNCTION's effective IAM policy (logical id or FunctionName): each policy with the
    template line it comes from, as the local endpoint evaluates its AWS calls."""
    from samlite.errors import TemplateError, UsageError
    from samlite.iam.function_policy import function_policies
    from samlite.iam.report import render_function_policy
    from samlite.validation.pipeline import validate_file

    one_shot()
    [path] = template_paths((), template_option)
    overrides, pseudo = settings(path, "policy", parameter_overrides, config_file, config_env)
    result = validate_file(path, parameter_overrides=overrides, pseudo=pseudo)
    if result.resolved is None:
        raise TemplateError([p for p in result.problems if p.is_error])
    policies = function_policies(result.resolved)
    found = policies.get(function) or next(
        (fp for fp in policies.values() if fp.caller.session_name == function), None)
    if found is None:
        names = ", ".join(sorted(policies)) or "none"
        raise UsageError(f"{path} has no function {function!r} (functions: {names})")
    click.echo(render_function_policy(found), nl=False)
