"""Secrets Manager on the shared endpoint: claims `X-Amz-Target: secretsmanager.<Action>`
requests and answers them with moto's SecretsManagerResponse in-process, with the app's
account and region. Rotation runs a Lambda function on AWS's schedule, which moto would
fake; RotateSecret is answered as not run locally instead."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from samlite.aws.app_bound import AppBound
from samlite.aws.in_process import dispatch
from samlite.aws.json_input import refuse_bad_input
from samlite.aws.secretsmanager.backend import LocalSecretsBackend
from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response

TARGET_PREFIX = "secretsmanager."
NOT_RUN = frozenset({"RotateSecret", "ReplicateSecretToRegions"})


def is_secretsmanager_request(request: Request) -> bool:
    return (request.header("x-amz-target") or "").startswith(TARGET_PREFIX)


def action_of(request: Request) -> str:
    return (request.header("x-amz-target") or "")[len(TARGET_PREFIX):]


class SecretsManagerRoute:
    def __init__(self, backend: LocalSecretsBackend, *, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._region = region

    def handles(self, request: Request) -> bool:
        return is_secretsmanager_request(request)

    def handle(self, request: Request) -> Response:
        action = action_of(request)
        if action in NOT_RUN:
            return error_response(
                request, "secretsmanager", status=400, code="InvalidRequestException",
                message=f"samlite does not run {action} locally (rotation and replication "
                        "need AWS); change the value with PutSecretValue")
        refused = refuse_bad_input(request, service="secretsmanager", operation=action)
        if refused is not None:
            return refused
        answer = dispatch(_response_class()(self._backend, account_id=self._account_id,
                                            region=self._region), request)
        if answer.status == 404:
            # moto answers its not-found errors with 404; Secrets Manager's are 400 ("HTTP
            # Status Code: 400" under Errors in the Secrets Manager API reference, and no
            # httpStatusCode on the error shapes of botocore's model).
            return dataclasses.replace(answer, status=400)
        return answer


@functools.cache
def _response_class() -> type[Any]:
    from moto.secretsmanager.responses import SecretsManagerResponse

    class AppResponse(AppBound, SecretsManagerResponse):
        @property
        def backend(self) -> LocalSecretsBackend:
            return self._app_backend

    return AppResponse
