"""moto's SSM backend for one app, installed in moto's registry so moto's other services
(and its own /aws/reference/secretsmanager/ parameters) meet this app's parameters.
Imports moto, so only service.py (lazily) and route.py import this."""

from __future__ import annotations

import contextlib

from moto.ssm.models import SimpleSystemManagerBackend, ssm_backends


class LocalSsmBackend(SimpleSystemManagerBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        ssm_backends[account_id][region_name] = self

    def has_parameter(self, name: str) -> bool:
        return self.get_parameter(name) is not None

    def uninstall(self) -> None:
        with contextlib.suppress(KeyError):
            backends = ssm_backends[self.account_id]
            if backends.get(self.region_name) is self:
                del backends[self.region_name]
