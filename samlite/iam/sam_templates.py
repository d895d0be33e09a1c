"""SAM's policy templates ("AWS SAM policy templates", SAM developer guide) expanded into
policy statements: each template's Ref and Fn::Sub filled with the arguments the template
gives it and the pseudo parameters. The templates are data, sam_policy_templates.json,
generated from the aws-sam-translator package (its header names the version)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from samlite.iam.policy import PolicyError

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pseudo:
    partition: str = "aws"
    region: str = "us-east-1"
    account_id: str = "123456789012"


@cache
def _templates() -> Mapping[str, Mapping[str, Any]]:
    # Beside this module (package data, tests/test_packaging.py); not importlib.resources,
    # which brings tempfile, shutil and three compressors into `samlite validate`.
    text = Path(__file__).with_name("sam_policy_templates.json").read_text("utf-8")
    return json.loads(text)["Templates"]


def template_names() -> tuple[str, ...]:
    return tuple(_templates())


def parameters_of(name: str) -> tuple[str, ...]:
    return tuple(_templates()[name]["Parameters"])


def is_template(name: str) -> bool:
    return name in _templates()


def expand(name: str, arguments: Any, pseudo: Pseudo) -> list[Any]:
    """The statements of template `name` for `arguments` ({"BucketName": "inbox"}); SAM's
    own errors for an unknown template or a missing parameter."""
    template = _templates().get(name)
    if template is None:
        raise PolicyError(f"{name} is not one of SAM's policy templates")
    given = arguments if isinstance(arguments, Mapping) else {}
    missing = [p for p in template["Parameters"] if p not in given]
    if missing:
        raise PolicyError(f"{name} needs the parameter(s) {', '.join(missing)}")
    values = {key: _text(value) for key, value in given.items()}
    return _fill(template["Statement"], values, pseudo)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value) \
        if isinstance(value, list | dict) else str(value)


def _fill(node: Any, values: Mapping[str, str], pseudo: Pseudo) -> Any:
    if isinstance(node, list):
        return [_fill(item, values, pseudo) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return values.get(node["Ref"], _pseudo(node["Ref"], pseudo) or node["Ref"])
    if set(node) == {"Fn::Sub"}:
        body, local = (node["Fn::Sub"], {}) if isinstance(node["Fn::Sub"], str) \
            else node["Fn::Sub"]
        names = {key: _fill(value, values, pseudo) for key, value in local.items()}

        def one(match: re.Match[str]) -> str:
            key = match.group(1)
            found = names.get(key, values.get(key, _pseudo(key, pseudo)))
            return str(found) if found is not None else match.group(0)

        return _SUB.sub(one, body)
    return {key: _fill(value, values, pseudo) for key, value in node.items()}


def _pseudo(name: str, pseudo: Pseudo) -> str | None:
    return {"AWS::Partition": pseudo.partition, "AWS::Region": pseudo.region,
            "AWS::AccountId": pseudo.account_id, "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None}.get(name)
