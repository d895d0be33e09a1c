"""moto's Secrets Manager backend for one app, installed where moto's SSM finds it (its
/aws/reference/secretsmanager/ parameters read secretsmanager_backends[account][region]).
Imports moto, so only service.py (lazily) and route.py import this."""

from __future__ import annotations

import contextlib

from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends


class LocalSecretsBackend(SecretsManagerBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        secretsmanager_backends[account_id][region_name] = self

    def fix_arn(self, name: str, arn: str) -> None:
        """Give a secret the ARN it had before a restart (moto draws a random suffix) or the
        one the template's Ref gives."""
        secret = self.secrets.get(name)
        if secret is not None:
            secret.arn = arn

    def uninstall(self) -> None:
        with contextlib.suppress(KeyError):
            backends = secretsmanager_backends[self.account_id]
            if backends.get(self.region_name) is self:
                del backends[self.region_name]
