"""A JSON-protocol AWS call as an endpoint Request, for calls samlite makes itself (template
resources at start, dynamic references, the Parameters and Secrets extension) through the
same wire layer a client's call takes. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.http.messages import Request, Response


def json_request(target: str, params: Mapping[str, Any]) -> Request:
    """`target` is X-Amz-Target, e.g. "secretsmanager.GetSecretValue"."""
    return Request(method="POST", path="/", body=json.dumps(dict(params)).encode(),
                   headers={"host": "127.0.0.1", "x-amz-target": target,
                            "content-type": "application/x-amz-json-1.1"},
                   raw_headers=(("Host", "127.0.0.1"), ("X-Amz-Target", target),
                                ("Content-Type", "application/x-amz-json-1.1")))


def json_params(request: Request) -> dict[str, Any]:
    """A JSON-protocol request's members ({} when its body is not a JSON object)."""
    try:
        params = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def json_answer(response: Response) -> dict[str, Any]:
    try:
        answer = json.loads(response.body or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class ServiceError(Exception):
    """An AWS error a service answered an in-process call with (its code and message)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def raise_for_error(response: Response) -> dict[str, Any]:
    """The answer's members, or its AWS error raised as a ServiceError."""
    answer = json_answer(response)
    if response.status >= 300:
        code = str(answer.get("__type", response.status)).rsplit("#", 1)[-1]
        message = str(answer.get("message", answer.get("Message", "")))
        raise ServiceError(code, message, response.status)
    return answer


# The endpoint writes these itself; moto's copies would repeat them.
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})


def dispatch(responder: Any, request: Request) -> Response:
    """`request` answered by a moto BaseResponse instance (passed in: this module does not
    import moto), the way moto's botocore stubber dispatches one."""
    from botocore.awsrequest import AWSPreparedRequest, HeadersDict

    # A request line without a path ("GET  HTTP/1.1") must not run into the host's port.
    path = request.path if request.path.startswith("/") else "/" + request.path
    url = f"http://{request.header('host') or '127.0.0.1'}{path}"
    headers = HeadersDict(request.raw_headers)
    prepared = AWSPreparedRequest(method=request.method, url=url, headers=headers,
                                  body=request.body, stream_output=False)
    status, response_headers, body = responder._dispatch(prepared, url, headers)
    kept = {k: str(v) for k, v in dict(response_headers).items()
            if k.lower() not in _SERVER_HEADERS}
    return Response(status=int(status), headers=tuple(kept.items()),
                    body=body.encode() if isinstance(body, str) else bytes(body or b""))
