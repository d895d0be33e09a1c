"""Parameters without a Default that nothing gives a value. CloudFormation asks for them at
deploy time; `samlite up`, `invoke` and `start-lambda` ask for nothing and guess nothing:
they stop before starting, one line per parameter naming it and the two ways SAM CLI takes a
value (`--parameter-overrides Name=value`, or `parameter_overrides` in samconfig.toml, where
`sam deploy --guided` writes it: "AWS SAM CLI configuration file", SAM developer guide).
`samlite validate` keeps its warning W2209 (template/resolve.py)."""

from __future__ import annotations

from collections.abc import Iterable

from samlite.errors import MissingParameters, Problem

NO_VALUE_CODE = "W2209"     # resolve.py: a parameter without Default or override


def missing_parameters(problems: Iterable[Problem], *,
                       config_env: str = "default") -> MissingParameters | None:
    """The error naming every parameter that has no value, or None when all have one."""
    lines = []
    for problem in problems:
        if problem.code != NO_VALUE_CODE:
            continue
        name = problem.path.removeprefix("Parameters.")
        lines.append(
            f"{problem.at.file}:{problem.at.line}: parameter {name} has no Default and no "
            f"value: pass --parameter-overrides {name}=VALUE, or put parameter_overrides = "
            f"\"{name}=VALUE\" under [{config_env}.deploy.parameters] (or "
            f"[{config_env}.global.parameters]) in samconfig.toml")
    if not lines:
        return None
    head = "samlite asks for no parameter values and guesses none; give each of these a value:"
    return MissingParameters((head, *lines))
