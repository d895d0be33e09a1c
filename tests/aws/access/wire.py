"""Requests exactly as boto3 puts them on the wire, captured before they are sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from samlite.http.messages import Request

ENDPOINT = "http://127.0.0.1:3001"


class _Captured(Exception):
    def __init__(self, request: Any) -> None:
        self.request = request


def _capture(request: Any, **_: Any) -> AWSResponse:
    raise _Captured(request)


def client(service: str, *, key: str = "AKIDEXAMPLE", secret: str = "local-secret",  # noqa: S107 (a test key)
           token: str | None = None) -> Any:
    made = boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": 1},
                                      s3={"addressing_style": "path"}))
    made.meta.events.register("before-send", _capture)
    return made


def wire(service: str, operation: str, /, *, made: Any = None, **params: Any) -> Request:
    """The request boto3 sends for `operation`, as the endpoint reads it."""
    made = made or client(service)
    try:
        getattr(made, operation)(**params)
    except _Captured as captured:
        sent = captured.request
    else:
        raise AssertionError("boto3 sent nothing")
    url = urlsplit(sent.url)
    body = sent.body or b""
    if not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else str(body).encode()
    headers = {"host": url.netloc,     # the HTTP client adds it on the wire
               **{k.lower(): (v.decode() if isinstance(v, bytes) else v)
                  for k, v in sent.headers.items()}}
    return Request(method=sent.method, path=url.path, raw_query=url.query,
                   query={k: tuple(v) for k, v in parse_qs(url.query,
                                                           keep_blank_values=True).items()},
                   headers=headers, body=body,
                   raw_headers=tuple(headers.items()))
