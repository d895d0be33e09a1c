"""The app's secrets and parameters in its local Secrets Manager and Parameter Store: the
template's made to exist under the names its Ref gives (a value the service refuses is a
ConfigError naming the template line and resource), and, for a one-shot invoke without an
endpoint, both services in memory, each made on first need.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from samlite.errors import ConfigError, Mark
from samlite.graph.model import Graph, Secret

if TYPE_CHECKING:
    from samlite.aws.secretsmanager.service import GeneratedSecret, LocalSecrets
    from samlite.aws.ssm.service import LocalParameters


def ensure_secrets(graph: Graph, secrets: LocalSecrets) -> None:
    """The template's secrets exist, under the names its Ref gives."""
    for secret in graph.secrets:
        with _refused_as_config_error(secret.at, secret.logical_id):
            secrets.ensure_secret(
                name=secret.name, arn=secret.arn, value=secret.secret_string,
                generated=_generated(secret), description=secret.description)


def ensure_parameters(graph: Graph, parameters: LocalParameters) -> None:
    """The template's parameters exist, under the names its Ref gives."""
    for parameter in graph.parameters:
        with _refused_as_config_error(parameter.at, parameter.logical_id):
            parameters.ensure_parameter(
                name=parameter.name, value=parameter.value, type_=parameter.type,
                description=parameter.description, allowed_pattern=parameter.allowed_pattern,
                data_type=parameter.data_type, tier=parameter.tier)


class MemoryStores:
    """A Secrets Manager and Parameter Store in memory holding the template's secrets and
    parameters, each made on first need, for a one-shot invoke (which has no endpoint and
    keeps nothing). `close()` releases them."""

    def __init__(self, graph: Graph, *, account_id: str, region: str) -> None:
        self._graph = graph
        self._account_id = account_id
        self._region = region
        self._lock = threading.Lock()
        self._secrets: LocalSecrets | None = None
        self._parameters: LocalParameters | None = None

    def secrets(self) -> LocalSecrets:
        with self._lock:
            if self._secrets is None:
                from samlite.aws.secretsmanager.service import LocalSecrets

                self._secrets = LocalSecrets(db_path=None, account_id=self._account_id,
                                             region=self._region)
                ensure_secrets(self._graph, self._secrets)
            return self._secrets

    def parameters(self) -> LocalParameters:
        with self._lock:
            if self._parameters is None:
                from samlite.aws.ssm.service import LocalParameters

                self._parameters = LocalParameters(db_path=None, account_id=self._account_id,
                                                   region=self._region)
                ensure_parameters(self._graph, self._parameters)
            return self._parameters

    def close(self) -> None:
        with self._lock:
            for service in (self._secrets, self._parameters):
                if service is not None:
                    service.close()
            self._secrets = self._parameters = None


@contextlib.contextmanager
def _refused_as_config_error(at: Mark, logical_id: str) -> Iterator[None]:
    """A template secret or parameter the local service refuses (AllowedPattern, a
    SecretStringTemplate that is not a JSON object, ...) stops the start, named."""
    from samlite.aws.in_process import ServiceError

    try:
        yield
    except ServiceError as exc:
        raise ConfigError(f"{at}: {logical_id}: {exc.message or exc.code}") from exc


def _generated(secret: Secret) -> GeneratedSecret | None:
    from samlite.aws.secretsmanager.service import GeneratedSecret

    spec = secret.generate
    if spec is None:
        return None
    return GeneratedSecret(options=dict(spec.options), template=spec.secret_string_template,
                           key=spec.generate_string_key)
