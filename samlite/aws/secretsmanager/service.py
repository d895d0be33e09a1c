"""The local Secrets Manager as the app uses it: the wire route (moto's protocol over
LocalSecretsBackend) with every change written to the journal and replayed at the next
start, the template's secrets made to exist, and values read in-process (dynamic
references, the Parameters and Secrets extension).

moto is imported when this is built, never on import (`samlite validate` stays fast).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.in_process import ServiceError, json_request, raise_for_error
from samlite.aws.journal import Call, Journal, JournaledRoute, TemplatePuts
from samlite.http.messages import Response, Route

if TYPE_CHECKING:
    from samlite.aws.secretsmanager.backend import LocalSecretsBackend

__all__ = ["GeneratedSecret", "LocalSecrets", "ServiceError"]

# Calls that change a secret (botocore's secretsmanager model, 2017-10-17), kept in the
# journal; the rest only read.
CHANGES = frozenset({
    "CreateSecret", "PutSecretValue", "UpdateSecret", "DeleteSecret", "RestoreSecret",
    "TagResource", "UntagResource", "UpdateSecretVersionStage", "PutResourcePolicy",
    "DeleteResourcePolicy", "CancelRotateSecret", "RemoveRegionsFromReplication",
})
# Calls whose answer names the version they made: replayed with that id as the token, so
# version ids stay what clients were told.
_MAKES_VERSION = frozenset({"CreateSecret", "PutSecretValue", "UpdateSecret"})


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratedSecret:
    """AWS::SecretsManager::Secret GenerateSecretString: GetRandomPassword's options, and
    SecretStringTemplate + GenerateStringKey to put the password into a JSON object."""
    options: Mapping[str, Any] = field(default_factory=dict)
    template: str | None = None
    key: str | None = None


class LocalSecrets:
    def __init__(self, *, db_path: Path | None, account_id: str, region: str) -> None:
        from samlite.aws.secretsmanager.backend import LocalSecretsBackend
        from samlite.aws.secretsmanager.route import TARGET_PREFIX, SecretsManagerRoute

        self._backend: LocalSecretsBackend = LocalSecretsBackend(region, account_id)
        self._journal = Journal(db_path, "secretsmanager")
        self._route = JournaledRoute(
            SecretsManagerRoute(self._backend, account_id=account_id, region=region),
            self._journal, target_prefix=TARGET_PREFIX, changes=CHANGES, record=_record)
        self._template_puts = TemplatePuts(self._route)
        self._route.replay(after=self._after_replayed)

    def route(self) -> Route:
        return self._route

    # -- in-process calls ---------------------------------------------------------------

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One API call made by samlite, journaled like a client's; AWS errors raise
        ServiceError."""
        return raise_for_error(self.answer(action, params))

    def answer(self, action: str, params: Mapping[str, Any]) -> Response:
        """One call's wire answer (for the extension, which passes it on as it is)."""
        return self._route.handle(json_request(f"secretsmanager.{action}", params))

    def secret_string(self, secret_id: str, *, version_id: str | None = None,
                      version_stage: str | None = None) -> str:
        params: dict[str, Any] = {"SecretId": secret_id}
        if version_id:
            params["VersionId"] = version_id
        if version_stage:
            params["VersionStage"] = version_stage
        answer = self.call("GetSecretValue", params)
        if "SecretString" not in answer:
            raise ServiceError("InvalidRequestException",
                               f"secret {secret_id} holds binary data, not a string", 400)
        return str(answer["SecretString"])

    def has_secret(self, secret_id: str) -> bool:
        return secret_id in self._backend.secrets

    def ensure_secret(self, *, name: str, arn: str, value: str | None,
                      generated: GeneratedSecret | None, description: str | None) -> None:
        """A template secret exists under `name` and `arn`. A SecretString the template
        gives becomes its current value when the template changes it (a value put through
        the API since is kept until then); a generated one is made once and kept."""
        with self._route.lock:
            if name in self._backend.secrets:
                if value is None:
                    return
                changed = self._template_puts.changed(name, value)
                if changed is None:   # a journal from before template puts were kept
                    changed = self.secret_string(name) != value
                if changed:
                    self.call("PutSecretValue", {"SecretId": name, "SecretString": value})
                self._template_puts.remember(name, value)
                return
            if value is None:
                value = self._generate(generated or GeneratedSecret(options={}))
            params: dict[str, Any] = {"Name": name, "SecretString": value}
            if description:
                params["Description"] = description
            self.call("CreateSecret", params)
            self._backend.fix_arn(name, arn)
            self._route.note(Call(action=_FIX_ARN, params={"Name": name, "Arn": arn}))
            self._template_puts.remember(name, value)

    def _generate(self, generated: GeneratedSecret) -> str:
        password = str(self.call("GetRandomPassword", dict(generated.options))["RandomPassword"])
        if (generated.template is None) != (generated.key is None):
            raise ServiceError("InvalidParameterException",
                               "GenerateSecretString needs both SecretStringTemplate and "
                               "GenerateStringKey, or neither", 400)
        if generated.template is None or generated.key is None:
            return password
        try:
            document = json.loads(generated.template)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise ServiceError("InvalidParameterException",
                               "GenerateSecretString.SecretStringTemplate must be a JSON "
                               f"object (got {generated.template!r})", 400)
        document[generated.key] = password
        return json.dumps(document)

    def _after_replayed(self, call: Call) -> None:
        self._template_puts.replayed(call)
        if call.action == _FIX_ARN:
            self._backend.fix_arn(str(call.params["Name"]), str(call.params["Arn"]))
        elif call.action == "CreateSecret" and call.facts.get("Arn"):
            self._backend.fix_arn(str(call.params["Name"]), str(call.facts["Arn"]))

    def close(self) -> None:
        self._backend.uninstall()
        self._journal.close()


_FIX_ARN = "_FixArn"    # the ARN a template's Ref gives, set beside the wire


def _record(action: str, params: dict[str, Any], answer: dict[str, Any]) -> Call:
    """Replayed with the version id the client was told as its token (so ids stay), and
    CreateSecret's ARN (moto draws its suffix at random)."""
    if action in _MAKES_VERSION and answer.get("VersionId"):
        params = {**params, "ClientRequestToken": answer["VersionId"]}
    facts = {"Arn": answer["ARN"]} if action == "CreateSecret" and answer.get("ARN") else {}
    return Call(action=action, params=params, facts=facts)
