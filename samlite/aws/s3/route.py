"""S3's wire protocol on the shared endpoint: our endpoint Request -> a call of moto's S3
response layer (its `urls` table: regex -> callable(request, full_url, headers), as
moto/core/botocore_stubber.py calls it) -> our Response. Sockets stay in http/server.py; state
stays in the backend. moto is imported on first use only.

Path-style (`/<bucket>/<key>`) and virtual-host style (`Host: <bucket>.localhost[:port]`)
are both accepted. The account and backend are always the app's, whatever credentials the
request carries (users send any fake keys).
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from samlite.http.messages import BodyProblem, BodyTooLarge, Request, Response

log = logging.getLogger(__name__)

# moto recognises S3 by AWS's host names; every request is handed over as path-style on it.
MOTO_HOST = "s3.amazonaws.com"
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]+)\.(?:localhost|127\.0\.0\.1)"
                           r"(?::\d+)?$")
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
# A SigV4 header's credential scope: <key id>/<yyyymmdd>/<region>/<service>/aws4_request.
_SIGV4_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/[^/,\s]+/aws4_request")
# PutObject's largest single upload ("Uploading objects", S3 user guide): 5 GB. The endpoint
# caps bodies lower (http/server.py MAX_BODY_BYTES) and refuses from Content-Length either way.
MAX_OBJECT_BYTES = 5 * 1024**3
# S3 API reference, "Error responses" (List of error codes): code, HTTP status and message.
INCOMPLETE_BODY = ("IncompleteBody", 400, "You did not provide the number of bytes specified "
                   "by the Content-Length HTTP header.")
ENTITY_TOO_LARGE = ("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed "
                    "object size.")
AUTHORIZATION_HEADER_MALFORMED = ("AuthorizationHeaderMalformed", 400,
                                  "The authorization header you provided is invalid.")
# Ours (the endpoint writes these) or meaningless once moto's body is in our hands.
_DROPPED_HEADERS = frozenset({"content-length", "server", "date", "status",
                              "transfer-encoding", "connection", "x-amzn-requestid"})

MotoResult = tuple[int, dict[str, Any], Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestInfo:
    """Who asked, and the ids their response and any S3 event carry."""
    request_id: str                  # x-amz-request-id
    host_id: str                     # x-amz-id-2
    source_ip: str = "127.0.0.1"
    principal_id: str = "samlite"


def new_request_info(*, source_ip: str = "127.0.0.1", principal_id: str = "samlite"
                     ) -> RequestInfo:
    # Shapes as AWS sends them: 16 upper-case hex digits, and a base64 host id.
    return RequestInfo(request_id=secrets.token_hex(8).upper(),
                       host_id=base64.b64encode(secrets.token_bytes(48)).decode(),
                       source_ip=source_ip, principal_id=principal_id)


class MotoRequest:
    """The request object moto's response classes read (a botocore AWSPreparedRequest's
    attributes): method, url, case-insensitive headers, body."""

    __slots__ = ("body", "headers", "method", "url")

    def __init__(self, *, method: str, url: str, headers: Any, body: bytes) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


class MotoFormRequest(MotoRequest):
    """A browser-form upload (POST Object, multipart/form-data): moto reads the fields and
    the file from `form` and `files`, as Flask would give them."""

    __slots__ = ("files", "form")

    def __init__(self, *, form: Any, files: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.form = form
        self.files = files


# Runs one moto call inside the app's lock and records what it changed (LocalS3._perform).
Perform = Callable[[RequestInfo, Callable[[], MotoResult]], MotoResult]


class S3Route:
    """The endpoint's last route: every request the others left is an S3 request."""

    def __init__(self, *, backend: Any, perform: Perform) -> None:
        self._table = _dispatch_table(_response_class(backend))
        self._perform = perform

    def handles(self, request: Request) -> bool:
        return True

    def body_limit(self, head: Request) -> int:
        return MAX_OBJECT_BYTES

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response:
        """S3's own answer to a body it will not read: too large, or cut short."""
        code, status, message = ENTITY_TOO_LARGE if isinstance(problem, BodyTooLarge) \
            else INCOMPLETE_BODY
        return error_response(status, code, message, info=new_request_info(
            source_ip=head.client_ip, principal_id=_principal(head)))

    def handle(self, request: Request) -> Response:
        info = new_request_info(source_ip=request.client_ip,
                                principal_id=_principal(request))
        if _is_malformed_sigv4(request.header("authorization")):
            # Signatures are never checked here, but moto reads the region from the scope.
            code, status, message = AUTHORIZATION_HEADER_MALFORMED
            return error_response(status, code, message, info=info)
        moto_request = to_moto_request(request)
        clean_url = moto_request.url.split("?", 1)[0]
        call = next((call for pattern, call in self._table if pattern.match(clean_url)), None)
        if call is None:
            return error_response(400, "InvalidRequest", "samlite's S3 has no operation here",
                                  info=info)
        try:
            result = self._perform(info, lambda: _call(call, moto_request))
        except NotImplementedError as exc:
            return error_response(501, "NotImplemented", "samlite's S3 (moto "
                                  f"{_moto_version()}) does not implement this: {exc}",
                                  info=info)
        except Exception:
            # A bug here (or in moto) must still answer in S3's own error shape.
            log.exception("s3: %s %s failed", request.method, request.path)
            return error_response(500, "InternalError", "samlite could not handle the "
                                  "request; run `samlite --debug …` to see why", info=info)
        return from_moto_result(result, method=request.method, info=info)


def to_moto_request(request: Request) -> MotoRequest:
    from moto.utilities.utils import CaseInsensitiveDict

    path = request.path or "/"
    host = request.header("host", "") or ""
    if match := _VIRTUAL_HOST.match(host.lower()):
        path = f"/{match['bucket']}{path if path.startswith('/') else '/' + path}"
    url = f"https://{MOTO_HOST}{path}"
    if request.raw_query:
        url += f"?{request.raw_query}"
    headers = CaseInsensitiveDict()
    for name, value in request.raw_headers:
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    headers["host"] = MOTO_HOST
    content_type = headers.get("content-type", "")
    if request.method == "POST" and content_type.lower().startswith("multipart/form-data"):
        form, files = _parse_form(content_type, request.body)
        return MotoFormRequest(method=request.method, url=url, headers=headers,
                               body=request.body, form=form, files=files)
    return MotoRequest(method=request.method, url=url, headers=headers, body=request.body)


def _parse_form(content_type: str, body: bytes) -> tuple[Any, Any]:
    import io

    from werkzeug.formparser import parse_form_data  # moto's own dependency

    environ = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": content_type, "REQUEST_METHOD": "POST"}
    _stream, form, files = parse_form_data(environ)
    return form, files


def from_moto_result(result: MotoResult, *, method: str, info: RequestInfo) -> Response:
    status, raw_headers, body = result
    headers: list[tuple[str, str]] = []
    for name, value in raw_headers.items():
        lower = name.lower()
        if lower in _DROPPED_HEADERS and not (lower == "content-length" and method == "HEAD"):
            continue
        if lower in ("x-amz-request-id", "x-amz-id-2"):
            continue
        headers.append((name, str(value)))
    headers += [("x-amz-request-id", info.request_id), ("x-amz-id-2", info.host_id)]
    if isinstance(body, str):
        body = body.encode()
    return Response(status=int(status), headers=tuple(headers), body=bytes(body or b""))


def error_response(status: int, code: str, message: str, *, info: RequestInfo) -> Response:
    """An S3 REST error document (S3 API reference, "Error responses")."""
    from xml.sax.saxutils import escape

    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{info.request_id}</RequestId>"
            f"<HostId>{info.host_id}</HostId></Error>").encode()
    return Response(status=status, body=body,
                    headers=(("Content-Type", "application/xml"),
                             ("x-amz-request-id", info.request_id),
                             ("x-amz-id-2", info.host_id)))


def _call(call: Callable[..., MotoResult], request: MotoRequest) -> MotoResult:
    from moto.core.exceptions import HTTPException

    try:
        return call(request, request.url, request.headers)
    except HTTPException as exc:    # as botocore_stubber does: moto raises some errors
        return exc.code or 500, dict(exc.get_headers()), exc.get_body()


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def _is_malformed_sigv4(authorization: str | None) -> bool:
    """A header that says SigV4 (moto's own test: "AWS4" anywhere in it) without a whole
    credential scope in its first part."""
    if not authorization or "AWS4" not in authorization:
        return False
    return _SIGV4_SCOPE.search(authorization.split(",")[0]) is None


def _principal(request: Request) -> str:
    """`AWS:<access key id>` of the request's credentials (header or presigned query)."""
    found = _CREDENTIAL.search(request.header("authorization", "") or "")
    if found:
        return f"AWS:{found.group(1)}"
    credential = request.query_value("X-Amz-Credential") or request.query_value(
        "AWSAccessKeyId")
    if credential:
        return f"AWS:{unquote(credential).split('/', 1)[0]}"
    return "anonymous"


def _response_class(backend: Any) -> type:
    """moto's S3Response, bound to one app's backend and account."""
    from moto.s3.exceptions import MethodNotAllowed
    from moto.s3.responses import S3Response

    class AppS3Response(S3Response):
        @property
        def backend(self) -> Any:
            return backend

        def get_current_account(self) -> str:
            return str(backend.account_id)

        def _set_action(self, action_resource_type: str, method: str,
                        querystring: dict[str, Any]) -> None:
            # moto raises KeyError for a method it knows no operation of here (a POST to a
            # key without ?uploads, say); S3 answers MethodNotAllowed.
            try:
                super()._set_action(action_resource_type, method, querystring)
            except KeyError:
                raise MethodNotAllowed(method, action_resource_type) from None

    return AppS3Response


def _dispatch_table(response_class: type) -> list[tuple[re.Pattern[str], Callable[..., Any]]]:
    from moto.s3.urls import url_paths

    base = "https?://" + re.escape(MOTO_HOST)
    # url_paths maps to S3Response's classmethods; take the same names from our subclass.
    return [(re.compile(pattern.format(base)), getattr(response_class, call.__name__))
            for pattern, call in url_paths.items()]

