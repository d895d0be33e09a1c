"""The AWS Parameters and Secrets Lambda Extension's HTTP API, answered from the local
Secrets Manager and Parameter Store: `GET /secretsmanager/get?secretId=` (versionId,
versionStage) and `GET /systemsmanager/parameters/get?name=` (version, label,
withDecryption), each answering the service's own GetSecretValue / GetParameter JSON.
Requests must carry `X-Aws-Parameters-Secrets-Token` equal to the function's
AWS_SESSION_TOKEN. Follows "Use AWS Secrets Manager secrets in AWS Lambda functions"
(Secrets Manager user guide) and "Using Parameter Store parameters in AWS Lambda functions"
(Systems Manager user guide).

Not copied: the extension's cache (SECRETS_MANAGER_TTL, SSM_PARAMETER_STORE_TTL); every
request here reads the current value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

from samlite.http.messages import Request, Response

SECRETS_PATH = "/secretsmanager/get"
PARAMETERS_PATH = "/systemsmanager/parameters/get"
TOKEN_HEADER = "x-aws-parameters-secrets-token"   # noqa: S105 (a header name)
DEFAULT_PORT = 2773
PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"


class JsonService(Protocol):
    def answer(self, action: str, params: Mapping[str, Any]) -> Response: ...


class ExtensionRoute:
    def __init__(self, *, secrets: Callable[[], JsonService],
                 parameters: Callable[[], JsonService],
                 tokens: Callable[[], Collection[str]]) -> None:
        """`tokens`: the session tokens of the functions served (each has its own)."""
        self._secrets = secrets
        self._parameters = parameters
        self._tokens = tokens

    def handles(self, request: Request) -> bool:
        return True

    def handle(self, request: Request) -> Response:
        path = request.path.split("?", 1)[0]
        if path not in (SECRETS_PATH, PARAMETERS_PATH):
            return _error(404, f"not found: {path} (the extension serves {SECRETS_PATH} and "
                               f"{PARAMETERS_PATH})")
        if request.method != "GET":
            return _error(405, f"{request.method} is not allowed; use GET")
        if request.header(TOKEN_HEADER) not in self._tokens():
            return _error(401, "the X-Aws-Parameters-Secrets-Token header must be the "
                               "function's AWS_SESSION_TOKEN")
        if path == SECRETS_PATH:
            return self._secret(request)
        return self._parameter(request)

    def _secret(self, request: Request) -> Response:
        secret_id = request.query_value("secretId")
        if not secret_id:
            return _error(400, "secretId is required")
        params = {"SecretId": secret_id}
        for query, member in (("versionId", "VersionId"), ("versionStage", "VersionStage")):
            value = request.query_value(query)
            if value:
                params[member] = value
        return _passed_on(self._secrets().answer("GetSecretValue", params))

    def _parameter(self, request: Request) -> Response:
        name = request.query_value("name")
        if not name:
            return _error(400, "name is required")
        version, label = request.query_value("version"), request.query_value("label")
        if version and label:
            return _error(400, "give version or label, not both")
        selector = version or label
        decrypt = (request.query_value("withDecryption") or "false").lower() == "true"
        return _passed_on(self._parameters().answer(
            "GetParameter", {"Name": f"{name}:{selector}" if selector else name,
                             "WithDecryption": decrypt}))


def _passed_on(answer: Response) -> Response:
    """The service's JSON answer (or AWS error) as it is, typed as JSON for the caller."""
    return Response(status=answer.status, body=answer.body,
                    headers=(("Content-Type", "application/json"),))


def _error(status: int, message: str) -> Response:
    return Response(status=status, body=json.dumps({"message": message}).encode(),
                    headers=(("Content-Type", "application/json"),))
