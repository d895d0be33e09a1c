"""The AWS Parameters and Secrets Lambda Extension, served by samlite for the functions
whose Layers name its layer ARN: one loopback server per port the functions ask for
(PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, default 2773) answering from the app's local
Secrets Manager and Parameter Store. Functions run as local processes or in containers on
the host network, so localhost:<port> reaches it. A port another program holds is said at
startup, naming the functions that cannot use the extension; the rest of the app runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.aws.parameters_secrets_extension import (
    DEFAULT_PORT,
    PORT_VARIABLE,
    ExtensionRoute,
    JsonService,
)
from samlite.build.layer_arns import parse_layer_arn
from samlite.errors import UsageError
from samlite.graph.model import Graph, NotRunLocally
from samlite.http.server import Endpoint
from samlite.runtime.spec import DUMMY_CREDENTIALS, FunctionSpec
from samlite.template.model import PseudoParameters

if TYPE_CHECKING:
    from samlite.app.aws import AwsServices

# The extension's layer, as AWS publishes it per region and architecture ("AWS Parameters
# and Secrets Lambda Extension ARNs", Systems Manager user guide).
_EXTENSION_LAYER = re.compile(r"AWS-Parameters-and-Secrets-Lambda-Extension(-Arm64)?")
EXTENSION_NAME = "AWS Parameters and Secrets Lambda Extension"


def is_extension_layer(arn: str) -> bool:
    parsed = parse_layer_arn(arn)
    return parsed is not None and _EXTENSION_LAYER.fullmatch(parsed.name) is not None


def extension_users(graph: Graph, mapped: Mapping[str, Any]) -> tuple[str, ...]:
    """The functions whose Layers name the extension's ARN (not mapped to a folder with
    --layer, which would then stand for it)."""
    return tuple(fn.logical_id for fn in graph.functions
                 if any(is_extension_layer(ref) and ref.strip() not in mapped
                        for ref in fn.layers))


def extension_for_app(graph: Graph, specs: Sequence[FunctionSpec], *,
                      layers: Mapping[str, Any], aws: AwsServices | None, host: str,
                      pseudo: PseudoParameters) -> ParametersSecretsExtension | None:
    """The extension for the functions that name its layer (None when none does), answering
    from the app's services, or, for a one-shot invoke without an endpoint, from services
    in memory holding the template's secrets and parameters."""
    users = extension_users(graph, layers)
    if not users:
        return None
    if aws is not None:
        return ParametersSecretsExtension(graph, specs, users, secrets=lambda: aws.secrets,
                                          parameters=lambda: aws.parameters, host=host)
    from samlite.app.secrets_parameters import MemoryStores

    stores = MemoryStores(graph, account_id=pseudo.account_id, region=pseudo.region)
    return ParametersSecretsExtension(graph, specs, users, secrets=stores.secrets,
                                      parameters=stores.parameters, host=host,
                                      close=stores.close)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Listener:
    port: int
    functions: tuple[str, ...]
    endpoint: Endpoint


class ParametersSecretsExtension:
    def __init__(self, graph: Graph, specs: Sequence[FunctionSpec], users: Sequence[str], *,
                 secrets: Callable[[], JsonService], parameters: Callable[[], JsonService],
                 host: str = "127.0.0.1", close: Callable[[], None] | None = None) -> None:
        """Binds each port now (so a busy one is known before anything starts); `close`
        releases what the value sources hold, at stop."""
        self._close = close
        by_port: dict[int, list[str]] = {}
        at = {fn.logical_id: fn.at for fn in graph.functions}
        self.not_run_locally: list[NotRunLocally] = []
        for spec in specs:
            if spec.logical_id in users:
                port = _port_of(spec, at)
                by_port.setdefault(port, []).append(spec.logical_id)
        route = ExtensionRoute(secrets=secrets, parameters=parameters,
                               token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"])
        self._listeners: list[_Listener] = []
        for port, functions in sorted(by_port.items()):
            endpoint = Endpoint([route], host=host, port=port, port_flag=PORT_VARIABLE)
            try:
                endpoint.bind()
            except UsageError as exc:
                names = ", ".join(functions)
                for name in functions:
                    self.not_run_locally.append(NotRunLocally(
                        subject=f"{name}.Layers", type=EXTENSION_NAME, at=at[name],
                        reason=f"{exc}: localhost:{port} is not served, so {names} get "
                               f"connection errors from the extension; free the port or set "
                               f"{PORT_VARIABLE} in their Environment"))
                continue
            self._listeners.append(_Listener(port=port, functions=tuple(functions),
                                             endpoint=endpoint))

    @property
    def ports(self) -> dict[int, tuple[str, ...]]:
        return {listener.port: listener.functions for listener in self._listeners}

    def start(self) -> None:
        for listener in self._listeners:
            listener.endpoint.start()

    def stop(self) -> None:
        for listener in self._listeners:
            listener.endpoint.stop()
        if self._close is not None:
            self._close()
            self._close = None


def _port_of(spec: FunctionSpec, at: Mapping[str, Any]) -> int:
    text = spec.variables.get(PORT_VARIABLE)
    if text is None:
        return DEFAULT_PORT
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise UsageError(f"{at.get(spec.logical_id, spec.logical_id)}: {spec.logical_id}: "
                         f"{PORT_VARIABLE} must be a port number (got {text!r})")
    return int(text)
