"""CloudFormation's dynamic references, `{{resolve:service:key}}`, found in a string and
taken apart. Pure: which value a reference names, never the value.

Follows the CloudFormation user guide, "Get values stored in other services using dynamic
references" and its pages for each service: `ssm:parameter-name[:version]`,
`ssm-secure:parameter-name[:version]`, and
`secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]`, where
secret-id is a name or a full ARN (which has colons of its own) and empty segments mean
"not given".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SERVICES = ("ssm", "ssm-secure", "secretsmanager")
_REFERENCE = re.compile(r"\{\{resolve:([^:{}]*):([^{}]*)\}\}")
_ARN_PARTS = 7        # arn:partition:secretsmanager:region:account:secret:name-suffix


class MalformedReference(ValueError):
    """A reference that does not follow the pattern; the message says what is wrong."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicReference:
    text: str                          # as written, "{{resolve:...}}"
    service: str                       # "ssm" | "ssm-secure" | "secretsmanager"
    name: str                          # the parameter's name, or the secret's name or ARN
    version: str | None = None         # ssm, ssm-secure: the parameter version
    json_key: str | None = None        # secretsmanager: a key of the secret's JSON object
    version_stage: str | None = None   # secretsmanager
    version_id: str | None = None      # secretsmanager


def find_references(text: str) -> tuple[DynamicReference, ...]:
    """Every `{{resolve:...}}` in `text`, in order; MalformedReference for a malformed one."""
    return tuple(_parse(match) for match in _REFERENCE.finditer(text))


def has_references(text: str) -> bool:
    return "{{resolve:" in text


def substitute(text: str, value_of: Callable[[DynamicReference], str]) -> str:
    """`text` with each reference replaced by `value_of(reference)`."""
    return _REFERENCE.sub(lambda match: value_of(_parse(match)), text)


def _parse(match: re.Match[str]) -> DynamicReference:
    text, service, key = match.group(0), match.group(1), match.group(2)
    if service not in SERVICES:
        raise MalformedReference(f"{text}: service {service!r} is not one of "
                             f"{', '.join(SERVICES)}")
    if not key:
        what = "secret" if service == "secretsmanager" else "parameter"
        raise MalformedReference(f"{text}: names no {what}")
    if service == "secretsmanager":
        return _secret_reference(text, key)
    name, _, version = key.partition(":")
    if version and not version.isdigit():
        raise MalformedReference(f"{text}: the parameter version must be a number "
                             f"(got {version!r})")
    return DynamicReference(text=text, service=service, name=name, version=version or None)


def _secret_reference(text: str, key: str) -> DynamicReference:
    parts = key.split(":")
    size = _ARN_PARTS if key.startswith("arn:") else 1
    if len(parts) < size:
        raise MalformedReference(f"{text}: the secret ARN is incomplete")
    secret_id, rest = ":".join(parts[:size]), parts[size:]
    if len(rest) > 4:
        raise MalformedReference(f"{text}: too many segments after the secret id "
                             "(SecretString:json-key:version-stage:version-id)")
    rest += [""] * (4 - len(rest))
    kind, json_key, stage, version_id = rest
    if kind not in ("", "SecretString"):
        raise MalformedReference(f"{text}: the segment after the secret id must be SecretString "
                             f"(got {kind!r})")
    if stage and version_id:
        raise MalformedReference(f"{text}: give version-stage or version-id, not both")
    return DynamicReference(text=text, service="secretsmanager", name=secret_id,
                            json_key=json_key or None, version_stage=stage or None,
                            version_id=version_id or None)
