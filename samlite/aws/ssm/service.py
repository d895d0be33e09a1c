"""The local Parameter Store as the app uses it: the wire route (moto's protocol over
LocalSsmBackend) with every change journaled and replayed at the next start, the template's
parameters made to exist, and values read in-process (dynamic references, the Parameters
and Secrets extension).

moto is imported when this is built, never on import.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.in_process import ServiceError, json_request, raise_for_error
from samlite.aws.journal import Journal, JournaledRoute, TemplatePuts
from samlite.http.messages import Response, Route

if TYPE_CHECKING:
    from samlite.aws.ssm.backend import LocalSsmBackend

__all__ = ["LocalParameters", "ServiceError"]

# Calls that change a parameter (botocore's ssm model, 2014-11-06), kept in the journal.
CHANGES = frozenset({
    "PutParameter", "DeleteParameter", "DeleteParameters", "LabelParameterVersion",
    "UnlabelParameterVersion", "AddTagsToResource", "RemoveTagsFromResource",
})


class LocalParameters:
    def __init__(self, *, db_path: Path | None, account_id: str, region: str) -> None:
        from samlite.aws.ssm.backend import LocalSsmBackend
        from samlite.aws.ssm.route import TARGET_PREFIX, SsmRoute

        self._backend: LocalSsmBackend = LocalSsmBackend(region, account_id)
        self._journal = Journal(db_path, "ssm")
        self._route = JournaledRoute(
            SsmRoute(self._backend, account_id=account_id, region=region), self._journal,
            target_prefix=TARGET_PREFIX, changes=CHANGES)
        self._template_puts = TemplatePuts(self._route)
        self._route.replay(after=self._template_puts.replayed)

    def route(self) -> Route:
        return self._route

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One API call made by samlite, journaled like a client's; AWS errors raise
        ServiceError."""
        return raise_for_error(self.answer(action, params))

    def answer(self, action: str, params: Mapping[str, Any]) -> Response:
        return self._route.handle(json_request(f"AmazonSSM.{action}", params))

    def value(self, name: str, *, with_decryption: bool = True) -> str:
        """A parameter's value (`name` may end in :version or :label, as GetParameter
        takes it)."""
        answer = self.call("GetParameter", {"Name": name, "WithDecryption": with_decryption})
        return str(answer["Parameter"]["Value"])

    def has_parameter(self, name: str) -> bool:
        return self._backend.has_parameter(name)

    def ensure_parameter(self, *, name: str, value: str, type_: str,
                         description: str | None = None, allowed_pattern: str | None = None,
                         data_type: str | None = None, tier: str | None = None) -> None:
        """A template parameter exists under `name` with the template's value: created, or
        given a new version when the template's value changed since it last put it (a value
        put through the API since is kept until then)."""
        with self._route.lock:
            if self._backend.has_parameter(name):
                changed = self._template_puts.changed(name, value, type_)
                if changed is None:   # a journal from before template puts were kept
                    current = self.call("GetParameter", {"Name": name})["Parameter"]
                    changed = current["Value"] != value or current["Type"] != type_
                if not changed:
                    self._template_puts.remember(name, value, type_)
                    return
            params: dict[str, Any] = {"Name": name, "Value": value, "Type": type_,
                                      "Overwrite": True}
            optional = {"Description": description, "AllowedPattern": allowed_pattern,
                        "DataType": data_type, "Tier": tier}
            params.update({key: given for key, given in optional.items() if given})
            self.call("PutParameter", params)
            self._template_puts.remember(name, value, type_)

    def close(self) -> None:
        self._backend.uninstall()
        self._journal.close()
