"""The AWS Parameters and Secrets Lambda Extension, served by samlite for the functions
whose Layers name its layer ARN: one loopback server per port the functions ask for
(PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, default 2773) answering from the app's local
Secrets Manager and Parameter Store. Functions run as local processes or in containers on
the host network, so localhost:<port> reaches it. A port another program holds is said at
startup, naming the functions that cannot use the extension; the rest of the app runs,
unless the samlite up whose AWS endpoint the functions call serves that port itself (a
`samlite invoke` beside its project's `up`): that extension answers from the same state.
"""

from __future__ import annotations

import logging
import re
import threading
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
from samlite.runtime.spec import DUMMY_CREDENTIALS, FunctionSpec
from samlite.template.model import PseudoParameters

if TYPE_CHECKING:
    from samlite.app.aws import AwsServices
    from samlite.http.server import Endpoint

log = logging.getLogger(__name__)

# The extension's layer, as AWS publishes it per region and architecture ("AWS Parameters
# and Secrets Lambda Extension ARNs", Systems Manager user guide).
_EXTENSION_LAYER = re.compile(r"AWS-Parameters-and-Secrets-Lambda-Extension(-Arm64)?")
EXTENSION_NAME = "AWS Parameters and Secrets Lambda Extension"


ServedElsewhere = Callable[[int], bool]   # port -> does the functions' up serve it?


def _nowhere(port: int) -> bool:
    return False


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
                      pseudo: PseudoParameters, served_elsewhere: ServedElsewhere = _nowhere,
                      ) -> tuple[ParametersSecretsExtension | None, list[NotRunLocally]]:
    """The extension, serving the functions that name its layer, and what it cannot serve.
    With the app's services (`aws`) it exists even before a function needs it, for a reload
    to add one; a one-shot invoke without an endpoint answers from services in memory
    holding the template's secrets and parameters, and needs it only when a function
    names the layer. `served_elsewhere(port)` says whether the samlite up the functions'
    AWS calls go to serves the extension on a port this app finds busy."""
    if aws is not None:
        extension = ParametersSecretsExtension(
            secrets=lambda: aws.secrets, parameters=lambda: aws.parameters, layers=layers,
            host=host)
    elif extension_users(graph, layers):
        from samlite.app.secrets_parameters import MemoryStores

        stores = MemoryStores(graph, account_id=pseudo.account_id, region=pseudo.region)
        extension = ParametersSecretsExtension(
            secrets=stores.secrets, parameters=stores.parameters, layers=layers, host=host,
            close=stores.close)
    else:
        return None, []
    return extension, extension.serve(graph, specs, served_elsewhere=served_elsewhere)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Listener:
    port: int
    functions: tuple[str, ...]
    endpoint: Endpoint


class ParametersSecretsExtension:
    def __init__(self, *, secrets: Callable[[], JsonService],
                 parameters: Callable[[], JsonService], layers: Mapping[str, Any],
                 host: str = "127.0.0.1", close: Callable[[], None] | None = None) -> None:
        """`layers` are the --layer mappings (a mapped extension ARN is the user's folder);
        `close` releases what the value sources hold, at stop."""
        self._tokens: frozenset[str] = frozenset({DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"]})
        self._route = ExtensionRoute(secrets=secrets, parameters=parameters,
                                     tokens=lambda: self._tokens)
        self._layers = layers
        self._host = host
        self._close = close
        self._lock = threading.Lock()
        self._started = False
        self._listeners: dict[int, _Listener] = {}

    def serve(self, graph: Graph, specs: Sequence[FunctionSpec], *,
              served_elsewhere: ServedElsewhere = _nowhere) -> list[NotRunLocally]:
        """Bind each port the graph's extension users ask for and no listener has yet (so a
        busy one is known before anything starts; once started, a new one starts at once).
        Returns what cannot be served, to be named under "Not run locally": a busy port
        `served_elsewhere` says the functions' own up serves is not."""
        users = set(extension_users(graph, self._layers))
        self._tokens = frozenset(spec.credentials.session_token if spec.credentials
                                 else DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"] for spec in specs)
        at = {fn.logical_id: fn.at for fn in graph.functions}
        by_port: dict[int, list[str]] = {}
        for spec in specs:
            if spec.logical_id in users:
                by_port.setdefault(_port_of(spec, at), []).append(spec.logical_id)
        missing: list[NotRunLocally] = []
        if by_port:   # imported only then: most apps (and every one-shot invoke) serve none
            from samlite.http.server import Endpoint
        with self._lock:
            for port, functions in sorted(by_port.items()):
                if port in self._listeners:
                    continue
                endpoint = Endpoint([self._route], host=self._host, port=port,
                                    port_flag=PORT_VARIABLE)
                try:
                    endpoint.bind()
                except UsageError as exc:
                    if served_elsewhere(port):
                        log.info("port %s: the extension of the samlite up the functions "
                                 "call answers there", port)
                        continue
                    names = ", ".join(functions)
                    missing += [NotRunLocally(
                        subject=f"{name}.Layers", type=EXTENSION_NAME, at=at[name],
                        reason=f"{exc}: localhost:{port} is not served, so {names} get "
                               f"connection errors from the extension; free the port or set "
                               f"{PORT_VARIABLE} in their Environment") for name in functions]
                    continue
                self._listeners[port] = _Listener(port=port, functions=tuple(functions),
                                                  endpoint=endpoint)
                if self._started:
                    endpoint.start()
        return missing

    def update(self, graph: Graph, specs: Sequence[FunctionSpec]) -> None:
        """Hot reload: functions that now name the extension get it (a busy port is
        logged)."""
        for note in self.serve(graph, specs):
            log.warning("%s: %s: %s", note.at, note.subject, note.reason)

    @property
    def ports(self) -> dict[int, tuple[str, ...]]:
        return {port: listener.functions for port, listener in self._listeners.items()}

    def start(self) -> None:
        with self._lock:
            self._started = True
            listeners = list(self._listeners.values())
        for listener in listeners:
            listener.endpoint.start()

    def stop(self) -> None:
        with self._lock:
            self._started = False
            listeners = list(self._listeners.values())
        for listener in listeners:
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
