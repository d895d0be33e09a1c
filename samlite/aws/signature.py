"""What a SigV4 signature says about its request: the service it is for and the caller's
access key (its credential scope, "Authorization header" and query-string signing in the
IAM user guide's "Signature Version 4 signing process"). Reads only; nothing is verified,
as the local endpoint accepts any credentials."""

from __future__ import annotations

import re

from samlite.http.messages import Request

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")
_QUERY_SCOPE = re.compile(r"^([^/]+)/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request$")


def _credential(request: Request) -> tuple[str, str] | None:
    match = _SCOPE.search(request.header("authorization") or "")
    if match is None:
        match = _QUERY_SCOPE.match(request.query_value("X-Amz-Credential") or "")
    return (match.group(1), match.group(2)) if match else None


def signed_service(request: Request) -> str | None:
    """The service a SigV4-signed request is for (None when it is not signed that way)."""
    credential = _credential(request)
    return credential[1] if credential else None


def access_key_id(request: Request) -> str | None:
    """The access key a SigV4-signed request was signed with."""
    credential = _credential(request)
    return credential[0] if credential else None
