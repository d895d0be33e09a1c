"""SSM Parameter Store on the shared endpoint: claims `X-Amz-Target: AmazonSSM.<Action>`
requests and answers Parameter Store's actions with moto's SimpleSystemManagerResponse
in-process, with the app's account and region. SSM's other capabilities (documents, Run
Command, maintenance windows, ...) manage machines AWS runs: they are answered as not run
locally, in SSM's JSON error shape."""

from __future__ import annotations

import functools
from typing import Any

from samlite.aws.app_bound import AppBound
from samlite.aws.in_process import dispatch
from samlite.aws.json_input import refuse_bad_input
from samlite.aws.ssm.backend import LocalSsmBackend
from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response

TARGET_PREFIX = "AmazonSSM."
# Parameter Store's operations in botocore's ssm model (2014-11-06) that moto answers.
PARAMETER_STORE = frozenset({
    "GetParameter", "GetParameters", "GetParametersByPath", "DescribeParameters",
    "GetParameterHistory", "PutParameter", "DeleteParameter", "DeleteParameters",
    "LabelParameterVersion", "UnlabelParameterVersion", "AddTagsToResource",
    "RemoveTagsFromResource", "ListTagsForResource",
})


def is_ssm_request(request: Request) -> bool:
    return (request.header("x-amz-target") or "").startswith(TARGET_PREFIX)


def action_of(request: Request) -> str:
    return (request.header("x-amz-target") or "")[len(TARGET_PREFIX):]


class SsmRoute:
    def __init__(self, backend: LocalSsmBackend, *, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._region = region

    def handles(self, request: Request) -> bool:
        return is_ssm_request(request)

    def handle(self, request: Request) -> Response:
        action = action_of(request)
        if action not in PARAMETER_STORE:
            return error_response(
                request, "ssm", status=501, code="NotImplemented",
                message=f"samlite runs SSM's Parameter Store only; {action} is not run "
                        "locally. Point that client elsewhere with AWS_ENDPOINT_URL_SSM.")
        refused = refuse_bad_input(request, service="ssm", operation=action)
        if refused is not None:
            return refused
        return dispatch(_response_class()(self._backend, account_id=self._account_id,
                                          region=self._region), request)


@functools.cache
def _response_class() -> type[Any]:
    from moto.ssm.responses import SimpleSystemManagerResponse

    class AppResponse(AppBound, SimpleSystemManagerResponse):
        @property
        def ssm_backend(self) -> LocalSsmBackend:
            return self._app_backend

    return AppResponse
